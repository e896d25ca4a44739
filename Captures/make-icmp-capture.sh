#!/usr/bin/env bash
# make-icmp-capture.sh - produce Captures/lab-icmp.pcap: ICMP and ICMPv6 from the Linux stack,
# for the ICMP flow keys and their community_id (as Zeek and Suricata key them).
#
# Network: one throw-away network namespace (csic), two addresses on its loopback
# (10.99.9.1 and 10.99.9.2, ::1 and fd00:99:9::2); nothing leaves it.
# What gets captured (tcpdump -i lo inside csic, classic pcap, LINKTYPE_EN10MB, filter icmp or icmp6):
#   1. ping -c 3 10.99.9.2 from 10.99.9.1   -> echo request/reply, one identifier
#   2. ping -c 2 10.99.9.2 from 10.99.9.1   -> a second ping process: another identifier, another flow
#   3. ping -6 -c 2 fd00:99:9::2 from ::1   -> ICMPv6 echo 128/129
#   4. a UDP datagram to 10.99.9.2:9 (closed) -> ICMP destination unreachable 3/3 (one-way)
#   5. a UDP datagram to [fd00:99:9::2]:9 (closed) -> ICMPv6 destination unreachable 1/4 (one-way)
# Requirements: root, iproute2, tcpdump, iputils-ping, python3.
# Usage:        sudo Captures/make-icmp-capture.sh [output.pcap]
# Re-runnable:  overwrites the output; the namespace and temp dir go on exit. Identifiers,
#               timings and payloads change every run.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/lab-icmp.pcap}"
NS=csic
TMP="$(mktemp -d /tmp/cipherscope-icmp.XXXXXX)"
TCPDUMP_PID=""

die() { printf '[icmp-lab] ERROR: %s\n' "$*" >&2; exit 1; }
delete_ns() {
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS" || return 0
    local pid
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
}
cleanup() {
    local rc=$?
    set +e
    if [[ -n "$TCPDUMP_PID" ]] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID"; fi
    delete_ns
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT INT TERM

[[ $EUID -eq 0 ]] || die "must run as root (network namespace, tcpdump)"
for tool in ip tcpdump ping python3; do command -v "$tool" >/dev/null || die "missing tool: $tool"; done

delete_ns
ip netns add "$NS"
ip -n "$NS" link set dev lo up
ip -n "$NS" addr add 10.99.9.2/32 dev lo
ip -n "$NS" addr add 10.99.9.1/32 dev lo
ip -n "$NS" addr add fd00:99:9::2/128 dev lo nodad

rm -f "$OUT"
ip netns exec "$NS" tcpdump -i lo -n --immediate-mode -U -s 0 -w "$OUT" "icmp or icmp6" 2>"$TMP/tcpdump.err" &
TCPDUMP_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$TMP/tcpdump.err" && break; sleep 0.05; done
grep -q "listening on" "$TMP/tcpdump.err" || die "tcpdump did not become ready"
sleep 0.3

ip netns exec "$NS" ping -n -q -c 3 -i 0.2 -I 10.99.9.1 10.99.9.2 >/dev/null
ip netns exec "$NS" ping -n -q -c 2 -i 0.2 -I 10.99.9.1 10.99.9.2 >/dev/null
ip netns exec "$NS" ping -6 -n -q -c 2 -i 0.2 -I ::1 fd00:99:9::2 >/dev/null
ip netns exec "$NS" python3 - <<'PY'
import socket
for family, source, target in ((socket.AF_INET, '10.99.9.1', '10.99.9.2'), (socket.AF_INET6, '::1', 'fd00:99:9::2')):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.sendto(b'is anyone there?', (target, 9))
    s.close()
PY

sleep 0.5
kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true
TCPDUMP_PID=""
chown --reference="$SCRIPT_DIR" "$OUT" 2>/dev/null || true
delete_ns
printf 'produced %s (%s bytes, %s packets)\n' "$OUT" "$(stat -c %s "$OUT")" "$(tcpdump -r "$OUT" -n 2>/dev/null | wc -l)"
tcpdump -r "$OUT" -n 2>/dev/null | cut -c16- >&2
