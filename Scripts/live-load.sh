#!/usr/bin/env bash
# Live capture under load, in a network namespace made for the run (nothing can
# leave it; removed on exit). Needs root, iproute2 and tcpreplay. CIPHERSCOPE
# names the binary (default: swift build's; measure a release build).
#
#   Scripts/live-load.sh [table] [CAPTURE]
#     The table: one pass of CAPTURE (default /work/main/.bench/mid.pcap, else
#     .bench/mid.pcap; an Ethernet pcap) replayed with `tcpreplay --pps R` into one
#     end of a veth pair and captured on the other end, one tool at a time, by
#       cs        cipherscope capture -o /dev/null
#       cs-write  cipherscope capture -o /dev/null --write FILE
#       tcpdump   tcpdump -w /dev/null
#       ndpi      ndpiReader -i (when installed)
#     at each rate of RATES (default "50000 150000 300000 top"; top is --topspeed),
#     RUNS times (default 3). Per tool and rate: the percentage captured (the
#     tool's own count against the packets tcpreplay sent) and the kernel drops
#     (pcap_stats), and the check sent = captured + kernel drops in every run.
#     TOOLS picks tools (default "cs cs-write tcpdump ndpi"; also tcpdump-B8192);
#     CS_ARGS adds options to both cipherscope rows (e.g. "--threads 2");
#     WRITE_DIR is where --write saves (default a temporary folder; /dev/shm
#     takes the disk out of the measurement).
#     One line per run ("run tool=… rate=… sent=… captured=… dropped=…") precedes
#     the table.
#
#   Scripts/live-load.sh SECONDS BOUND_MIB [CAPTURE...]
#     The memory bound: tcpreplay --topspeed --loop of CAPTUREs (default the
#     Ethernet captures in ../shared/captures/ndpi and Captures/) onto the
#     namespace's loopback for SECONDS while `cipherscope capture -i lo` runs
#     there; prints its kernel counters, flows and peak resident memory (VmHWM)
#     and fails when VmHWM passes BOUND_MIB (LiveCaptureTests runs 6 seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${CIPHERSCOPE:-"$(swift build --show-bin-path)/cipherscope"}
[ "$(id -u)" -eq 0 ] || { echo "live-load: needs root (network namespaces, capture)" >&2; exit 1; }
command -v tcpreplay >/dev/null || { echo "live-load: needs tcpreplay" >&2; exit 1; }

# Runs a command with SIGINT and SIGTERM unblocked and at their defaults: a parent
# (a test runner) may have blocked or ignored them, and children inherit that, so
# tcpdump or ndpiReader would not stop on SIGINT. Execs, so $! is the command's pid.
unblocked=(python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
for number in (signal.SIGINT, signal.SIGTERM): signal.signal(number, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])')

# Prints those of the files given that are classic pcaps of link type Ethernet
# (what tcpreplay sends), one a line (one python for all: starting one per file
# takes long on a loaded machine).
ethernet_pcaps() {
    python3 - "$@" <<'EOF'
import struct, sys
for path in sys.argv[1:]:
    head = open(path, "rb").read(24)
    ok = len(head) == 24 and head[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    if ok:
        order = "<" if head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        ok = struct.unpack(order + "I", head[20:24])[0] & 0xFFFF == 1
    if ok:
        print(path)
EOF
}

ns="cs-load-$$"
scratch=$(mktemp -d)
tool_pid=""
replay_pid=""
cleanup() {
    [ -n "$tool_pid" ] && kill -KILL "$tool_pid" 2>/dev/null || true
    [ -n "$replay_pid" ] && kill -KILL "$replay_pid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$scratch"
    if [ -n "${write_dir:-}" ]; then rm -f "$write_dir/cs-$$.pcapng"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$ns"
ip -n "$ns" link set lo up

# Waits until the tool has its capture socket open in the namespace (the only
# packet socket there between replays), however slowly a loaded machine starts it.
wait_ready() {
    for _ in $(seq 300); do
        if [ "$(ip netns exec "$ns" awk 'NR > 1' /proc/net/packet | wc -l)" -gt 0 ]; then sleep 0.3; return 0; fi
        kill -0 "$tool_pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# SIGINT to the tool, then wait (SIGKILL after 10 s, reported).
stop_tool() {
    kill -INT "$tool_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$tool_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$tool_pid" 2>/dev/null && echo "live-load: $1 did not stop on SIGINT" >&2
    wait "$tool_pid" 2>/dev/null || true
    tool_pid=""
}

# --- The memory bound (numeric first argument) ---------------------------------
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    seconds=$1
    bound_mib=${2:-400}
    shift $(( $# > 2 ? 2 : $# ))
    captures=("$@")
    if [ ${#captures[@]} -eq 0 ]; then
        for file in ../shared/captures/ndpi/*.pcap Captures/*.pcap; do
            [ -f "$file" ] && captures+=("$file")
        done
    fi
    mapfile -t ethernet < <(ethernet_pcaps "${captures[@]}")
    [ ${#ethernet[@]} -gt 0 ] || { echo "live-load: no Ethernet pcap captures to replay" >&2; exit 1; }

    ip netns exec "$ns" "$binary" capture -i lo -q -o /dev/null --stats "$scratch/stats.json" &
    tool_pid=$!
    wait_ready || { echo "live-load: capture did not start" >&2; exit 1; }
    hwm=0
    # --duration ends the replay; SIGKILL is the safety net (a parent such as a test
    # runner may have started us with SIGTERM blocked, which tcpreplay inherits).
    ip netns exec "$ns" timeout -s KILL $((seconds + 5)) tcpreplay --topspeed --loop=0 --duration="$seconds" -q -i lo "${ethernet[@]}" >"$scratch/replay.txt" 2>&1 &
    replay_pid=$!
    while kill -0 "$replay_pid" 2>/dev/null; do
        value=$(awk '/VmHWM/ {print $2}' "/proc/$tool_pid/status" 2>/dev/null || echo 0)
        [ "${value:-0}" -gt "$hwm" ] && hwm=$value
        sleep 0.5
    done
    wait "$replay_pid" || true
    replay_pid=""
    value=$(awk '/VmHWM/ {print $2}' "/proc/$tool_pid/status" 2>/dev/null || echo 0)
    [ "${value:-0}" -gt "$hwm" ] && hwm=$value
    stop_tool capture

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
    exit $?
fi

# --- The table -----------------------------------------------------------------
[ "${1:-}" = table ] && shift
capture=${1:-}
if [ -z "$capture" ]; then
    for candidate in /work/main/.bench/mid.pcap .bench/mid.pcap; do
        [ -f "$candidate" ] && { capture=$candidate; break; }
    done
fi
[ -n "$capture" ] && [ -f "$capture" ] || {
    echo "live-load: no capture: give one, or make mid.pcap (OUT=.bench sh ../shared/bench/make-bench-pcap.sh)" >&2; exit 1; }
[ -n "$(ethernet_pcaps "$capture")" ] || { echo "live-load: $capture is not an Ethernet pcap (what tcpreplay sends)" >&2; exit 1; }
runs=${RUNS:-3}
read -r -a rates <<<"${RATES:-50000 150000 300000 top}"
read -r -a tools <<<"${TOOLS:-cs cs-write tcpdump ndpi}"
read -r -a cs_args <<<"${CS_ARGS:-}"
write_dir=${WRITE_DIR:-$scratch}

# A veth pair inside the namespace: tcpreplay sends into cs-tx, the tools read cs-rx.
# No IPv6 (no router solicitations of their own) and no addresses: the only packets
# on cs-rx are the replayed ones. A large MTU, so that no frame of the capture fails.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
ip -n "$ns" link add cs-tx type veth peer name cs-rx
for end in cs-tx cs-rx; do
    ip -n "$ns" link set "$end" mtu 65535
    ip -n "$ns" link set "$end" up
done

# Starts one tool on cs-rx; its output goes to $1.*
start_tool() {
    local tool=$1 out=$2
    case $tool in
        cs) ip netns exec "$ns" "$binary" capture -i cs-rx -q -o /dev/null --stats "$out.json" "${cs_args[@]}" 2>"$out.err" & ;;
        cs-write) ip netns exec "$ns" "$binary" capture -i cs-rx -q -o /dev/null --stats "$out.json" --write "$write_dir/cs-$$.pcapng" --force "${cs_args[@]}" 2>"$out.err" & ;;
        tcpdump) "${unblocked[@]}" ip netns exec "$ns" tcpdump -i cs-rx -w /dev/null 2>"$out.err" & ;;
        tcpdump-B8192) "${unblocked[@]}" ip netns exec "$ns" tcpdump -B 8192 -i cs-rx -w /dev/null 2>"$out.err" & ;;
        ndpi) "${unblocked[@]}" ip netns exec "$ns" ndpiReader -i cs-rx >"$out.err" 2>&1 & ;;
    esac
    tool_pid=$!
}

# "captured dropped if_dropped" of one finished tool, from its own report.
tool_counts() {
    local tool=$1 out=$2
    case $tool in
        cs|cs-write) python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["interfaces"][0]; print(i["captured"], i["dropped"], i["if_dropped"])' "$out.json" ;;
        tcpdump*) awk '/packets captured/ {c=$1} /dropped by kernel/ {d=$1} /dropped by interface/ {i=$1}
                       END {print c+0, d+0, i+0}' "$out.err" ;;
        # ndpiReader 4.2 prints the packets it read ("IP packets: N of M packets total")
        # but not pcap_stats' drops: -1, unknown.
        ndpi) awk '/packets total/ {c=$(NF-2)} END {print c+0, -1, -1}' "$out.err" ;;
    esac
}

available() {
    case $1 in
        cs|cs-write) [ -x "$binary" ] ;;
        tcpdump*) command -v tcpdump >/dev/null ;;
        ndpi) command -v ndpiReader >/dev/null ;;
        *) echo "live-load: unknown tool $1" >&2; return 1 ;;
    esac
}

results="$scratch/results.tsv"
: >"$results"
echo "live-load: $(basename "$capture"), ${runs} run(s) per tool and rate, tools: ${tools[*]}, cipherscope: $binary ${cs_args[*]}"
for run in $(seq "$runs"); do
    for rate in "${rates[@]}"; do
        for tool in "${tools[@]}"; do
            available "$tool" || { [ "$run" -eq 1 ] && [ "$rate" = "${rates[0]}" ] && echo "live-load: $tool not available, skipped" >&2; continue; }
            out="$scratch/$tool-$rate-$run"
            start_tool "$tool" "$out"
            wait_ready || { echo "live-load: $tool did not start: $(cat "$out.err")" >&2; exit 1; }
            speed=(--pps="$rate"); [ "$rate" = top ] && speed=(--topspeed)
            ip netns exec "$ns" timeout -s KILL 120 tcpreplay "${speed[@]}" -i cs-tx "$capture" >"$out.replay" 2>&1 || true
            # Past every buffer timeout (tcpdump's is 1 s), so every packet is delivered.
            sleep 1.5
            stop_tool "$tool"
            sent=$(awk '/Successful packets/ {print $3}' "$out.replay")
            pps=$(awk '/Rated:/ {for (i = 1; i <= NF; i++) if ($i ~ /^pps/) print int($(i-1))}' "$out.replay" | head -1)
            read -r captured dropped ifdropped <<<"$(tool_counts "$tool" "$out")"
            echo "run tool=$tool rate=$rate n=$run sent=${sent:-0} captured=$captured dropped=$dropped if_dropped=$ifdropped pps=${pps:-0}"
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$rate" "$run" "${sent:-0}" "$captured" "$dropped" "$ifdropped" "${pps:-0}" >>"$results"
        done
    done
done

python3 - "$results" "${rates[*]}" "${tools[*]}" <<'EOF'
import sys
from collections import defaultdict
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
rates, tools = sys.argv[2].split(), sys.argv[3].split()
names = {"cs": "`cipherscope capture -o /dev/null`", "cs-write": "`cipherscope capture --write`",
         "tcpdump": "`tcpdump -w /dev/null`", "tcpdump-B8192": "`tcpdump -B 8192 -w /dev/null`", "ndpi": "`ndpiReader -i`"}
cells, pps, broken = defaultdict(list), defaultdict(list), []
for tool, rate, run, sent, captured, dropped, ifdropped, rated in rows:
    sent, captured, dropped, ifdropped = int(sent), int(captured), int(dropped), int(ifdropped)
    known = dropped >= 0
    cells[tool, rate].append((sent, captured, dropped + ifdropped if known else None))
    pps[rate].append(int(rated))
    if known and sent != captured + dropped + ifdropped:
        broken.append(f"{tool} at {rate} run {run}: sent {sent} != captured {captured} + kernel drops {dropped + ifdropped}")
def heading(rate):
    # What tcpreplay reached (a loaded machine holds it back): the mean of its runs.
    reached = sum(pps[rate]) / max(1, len(pps[rate]))
    if rate == "top":
        return f"top speed (≈ {reached / 1000:.0f}k pps)"
    return f"{int(rate) / 1000:g}k pps" + (f" (≈ {reached / 1000:.0f}k reached)" if reached < 0.95 * int(rate) else "")
present = [t for t in tools if any((t, r) in cells for r in rates)]
runs = max((len(v) for v in cells.values()), default=0)
print()
print(f"| % captured (mean of {runs}; lowest run) / kernel drops (mean) | " + " | ".join(heading(r) for r in rates) + " |")
print("|---|" + "---:|" * len(rates))
for tool in present:
    line = []
    for rate in rates:
        values = cells.get((tool, rate), [])
        if not values:
            line.append("–"); continue
        percents = [100.0 * c / max(1, s) for s, c, _ in values]
        mean = sum(percents) / len(percents)
        text = f"{mean:.1f}" if mean < 100 else "100"
        if min(percents) < mean - 0.05:
            text += f" ({min(percents):.1f})"
        drops = [d for _, _, d in values if d is not None]
        line.append(f"{text} / " + (f"{sum(drops) / len(drops):.0f}" if drops else "n/a"))
    print(f"| {names.get(tool, tool)} | " + " | ".join(line) + " |")
print()
total = sum(1 for v in cells.values() for _, _, d in v if d is not None)
if broken:
    print(f"check sent = captured + kernel drops: FAILS in {len(broken)} of {total} runs:")
    for line in broken: print("  " + line)
else:
    print(f"check sent = captured + kernel drops: holds in all {total} runs that report drops"
          + (" (ndpiReader 4.2 does not print pcap_stats)" if any(t == "ndpi" for t, _ in cells) else ""))
EOF
