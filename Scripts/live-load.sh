#!/usr/bin/env bash
# Live capture under load: tcpreplay --topspeed --loop of captures onto the
# loopback of a network namespace made for the run (nothing can leave it), with
# `cipherscope capture -i lo` inside. Prints the kernel counters (received,
# dropped, if_dropped), the flows, and the peak resident memory of cipherscope
# (VmHWM from /proc/PID/status); fails when VmHWM passes the bound.
#
#   Scripts/live-load.sh [SECONDS=20] [BOUND_MIB=400] [CAPTURE...]
#
# CAPTURE defaults to the Ethernet captures in ../shared/captures/ndpi (when
# present) and Captures/*.pcap. Needs root, iproute2 and tcpreplay.
# CIPHERSCOPE names the binary (default: swift build's).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
bound_mib=${2:-400}
shift $(( $# > 2 ? 2 : $# ))
binary=${CIPHERSCOPE:-"$(swift build --show-bin-path)/cipherscope"}

captures=("$@")
if [ ${#captures[@]} -eq 0 ]; then
    for file in ../shared/captures/ndpi/*.pcap Captures/*.pcap; do
        [ -f "$file" ] && captures+=("$file")
    done
fi
# tcpreplay sends Ethernet frames: keep classic pcap files whose link type is Ethernet (1).
ethernet=()
for file in "${captures[@]}"; do
    if python3 - "$file" <<'EOF'
import struct, sys
head = open(sys.argv[1], "rb").read(24)
ok = len(head) == 24 and head[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
if ok:
    order = "<" if head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    ok = struct.unpack(order + "I", head[20:24])[0] & 0xFFFF == 1
sys.exit(0 if ok else 1)
EOF
    then ethernet+=("$file"); fi
done
[ ${#ethernet[@]} -gt 0 ] || { echo "live-load: no Ethernet pcap captures to replay" >&2; exit 1; }

ns="cs-load-$$"
scratch=$(mktemp -d)
capture_pid=""
cleanup() {
    [ -n "$capture_pid" ] && kill -INT "$capture_pid" 2>/dev/null || true
    [ -n "${replay_pid:-}" ] && kill -KILL "$replay_pid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

ip netns exec "$ns" "$binary" capture -i lo -q -o /dev/null --stats "$scratch/stats.json" &
capture_pid=$!
# Wait for the handle to be open (the process has set up its capture socket).
sleep 1
kill -0 "$capture_pid" || { echo "live-load: capture did not start" >&2; exit 1; }

hwm=0
# --duration ends the replay; SIGKILL is the safety net (a parent such as a test
# runner may have started us with SIGTERM blocked, which tcpreplay inherits).
ip netns exec "$ns" timeout -s KILL $((seconds + 5)) tcpreplay --topspeed --loop=0 --duration="$seconds" -q -i lo "${ethernet[@]}" >"$scratch/replay.txt" 2>&1 &
replay_pid=$!
while kill -0 "$replay_pid" 2>/dev/null; do
    value=$(awk '/VmHWM/ {print $2}' "/proc/$capture_pid/status" 2>/dev/null || echo 0)
    [ "${value:-0}" -gt "$hwm" ] && hwm=$value
    sleep 0.5
done
wait "$replay_pid" || true
value=$(awk '/VmHWM/ {print $2}' "/proc/$capture_pid/status" 2>/dev/null || echo 0)
[ "${value:-0}" -gt "$hwm" ] && hwm=$value
kill -INT "$capture_pid"
for _ in $(seq 100); do kill -0 "$capture_pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$capture_pid" 2>/dev/null && echo "live-load: capture did not stop on SIGINT" >&2
wait "$capture_pid" || true
capture_pid=""

python3 - "$scratch/stats.json" "$hwm" "$bound_mib" "$seconds" <<'EOF'
import json, sys
stats = json.load(open(sys.argv[1]))
hwm, bound, seconds = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
lo = stats["interfaces"][0]
print(f"replayed_for_s={int(seconds)}")
print(f"captured={lo['captured']}")
print(f"received={lo['received']}")
print(f"dropped={lo['dropped']}")
print(f"if_dropped={lo['if_dropped']}")
print(f"flows={stats['flows']}")
print(f"peak_active_flows={stats['peak_active_flows']}")
print(f"vmhwm_kib={hwm}")
print(f"VmHWM {hwm / 1024:.1f} MiB (bound {bound} MiB); "
      f"capture {'COMPLETE' if stats['capture_complete'] else 'INCOMPLETE'}: {stats['dropped_packets']} dropped "
      f"of {lo['received'] + lo['if_dropped']} ({100.0 * stats['dropped_packets'] / max(1, lo['received'] + lo['if_dropped']):.1f} %)")
sys.exit(0 if hwm < bound * 1024 else 1)
EOF
