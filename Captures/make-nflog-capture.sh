#!/usr/bin/env bash
# make-nflog-capture.sh - produce Captures/lab-nflog.pcap (LINKTYPE_NFLOG, 239) from real
# stacks: the Linux kernel logs packets through iptables/ip6tables `-j NFLOG --nflog-group 7`
# and `tcpdump -i nflog:7` records them. Everything runs inside a throw-away network
# namespace (csnf-lab) on its loopback interface; nothing leaves the host.
#
# What gets captured (OUTPUT chain of lo, so each packet once):
#   1. TLS 1.3  127.0.0.1:<eph> -> 127.0.0.1:8443  openssl s_client -servername chat.signal.org,
#               one line each way, close
#   2. DNS/UDP  [::1]:<eph> -> [::1]:5353           dig AAAA chat.signal.org, answered by a
#               python responder with hand-built DNS bytes (AF_INET6 NFLOG records)
#
# Requirements: root, iproute2, iptables (with ip6tables), tcpdump, openssl, dig, python3.
# Usage:        sudo Captures/make-nflog-capture.sh [output.pcap]
# (Background helpers are started with `ip netns exec` directly, so $! is the helper itself.)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/lab-nflog.pcap}"
NS=csnf-lab
TMP="$(mktemp -d /tmp/cipherscope-nflog.XXXXXX)"
PIDS=()

cleanup() {
    local rc=$?
    set +e
    for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT INT TERM
die() { printf '[nflog] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root"
for tool in ip iptables ip6tables tcpdump openssl dig python3; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
for t in iptables ip6tables; do
    in_ns "$t" -A OUTPUT -o lo -p tcp --dport 8443 -j NFLOG --nflog-group 7
    in_ns "$t" -A OUTPUT -o lo -p tcp --sport 8443 -j NFLOG --nflog-group 7
    in_ns "$t" -A OUTPUT -o lo -p udp --dport 5353 -j NFLOG --nflog-group 7
    in_ns "$t" -A OUTPUT -o lo -p udp --sport 5353 -j NFLOG --nflog-group 7
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=chat.signal.org" -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null

ip netns exec "$NS" tcpdump -i nflog:7 -U -w "$OUT" 2>"$TMP/tcpdump.log" &
PIDS+=($!)
sleep 1

cat > "$TMP/dns.py" <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 5353))
q, peer = s.recvfrom(512)
qd_end = 12
while q[qd_end] != 0:
    qd_end += q[qd_end] + 1
question = q[12:qd_end + 5]
answer = b"\xc0\x0c" + struct.pack("!HHIH", 28, 1, 60, 16) + socket.inet_pton(socket.AF_INET6, "2001:db8::10")
s.sendto(q[:2] + b"\x81\x80" + struct.pack("!HHHH", 1, 1, 0, 0) + question + answer, peer)
PY
ip netns exec "$NS" python3 "$TMP/dns.py" &
PIDS+=($!)
ip netns exec "$NS" openssl s_server -accept 8443 -tls1_3 -cert "$TMP/cert.pem" -key "$TMP/key.pem" -naccept 1 \
    -quiet >"$TMP/server.log" 2>&1 &
PIDS+=($!)
sleep 1
in_ns dig +tries=1 +time=2 -p 5353 @::1 AAAA chat.signal.org >/dev/null
(echo "hello over nflog"; sleep 1) | in_ns openssl s_client -connect 127.0.0.1:8443 \
    -servername chat.signal.org -tls1_3 -quiet >/dev/null 2>&1 || true
sleep 1
printf '[nflog] wrote %s\n' "$OUT" >&2
