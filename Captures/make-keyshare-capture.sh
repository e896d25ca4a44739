#!/usr/bin/env bash
# make-keyshare-capture.sh - produce Captures/lab-tls-keyshare.pcap: TLS ClientHellos made by
# real OpenSSL 3 whose first one is split over several TCP segments because of a large
# (finite-field ffdhe8192, 1024-byte) key share.
#
# Network: two throw-away network namespaces joined by a veth pair. Nothing leaves the host
# and nothing touches the host's own interfaces:
#     csks-a (client)  csks-va 10.99.7.1/30  <== veth, MTU 576 ==>  csks-vb 10.99.7.2/30  csks-b (server)
# MTU 576 gives an MSS of 536 (524 payload bytes with TCP timestamps), so the ~1.4 kB
# ClientHello needs 3 segments. Segmentation/checksum offloads are switched off on both ends
# (ethtool) so tcpdump sees real MTU-sized segments with correct checksums, not GSO
# super-packets with partial checksums.
#
# What gets captured (tcpdump -i csks-vb inside csks-b, filter "tcp port 8443", classic pcap,
# LINKTYPE_ETHERNET), two TCP connections 10.99.7.1:<eph> -> 10.99.7.2:8443:
#   1. OpenSSL default client (offers TLS 1.3 + 1.2), -groups ffdhe8192:x25519:secp256r1
#      -> the only key share it sends is ffdhe8192 (1024 bytes), SNI storage.signal.org,
#      ALPN h2,http/1.1. s_server (-groups ffdhe8192:x25519:secp256r1) selects ffdhe8192,
#      TLS 1.3 is negotiated. Client sends one line, server answers one line, client closes.
#   2. -tls1_2 client, -groups ffdhe4096:secp384r1, SNI mmg.whatsapp.net, no ALPN. Same data
#      pattern. (OpenSSL 3.0 only uses ffdhe groups for TLS 1.3, so a TLS-1.2-only hello
#      carries secp384r1 alone; the connection uses ECDHE secp384r1.)
# The server certificate is a self-signed RSA-2048 one made here (clients do not verify it;
# RSA because a TLS 1.2 client offering only secp384r1 would reject a P-256 ECDSA certificate).
#
# Requirements: root, iproute2 (ip), ethtool, tcpdump, openssl (3.x), ss, timeout.
#               apt-get install -y iproute2 ethtool tcpdump openssl
# Usage:        sudo Captures/make-keyshare-capture.sh [output.pcap]
# Re-runnable:  overwrites the output file; namespaces (and with them the veth pair), helper
#               processes and the temp dir are removed on exit, also on failure / Ctrl-C.
#               Random values (keys, randoms, session ids, ports, timings) change every run.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/lab-tls-keyshare.pcap}"

NS_A=csks-a            # client namespace
NS_B=csks-b            # server namespace (capture point)
VETH_A=csks-va
VETH_B=csks-vb
IP_A=10.99.7.1
IP_B=10.99.7.2
MTU=576
PORT=8443

# ---------------------------------------------------------------------------
# bookkeeping / cleanup
# ---------------------------------------------------------------------------
TMP="$(mktemp -d /tmp/cipherscope-keyshare.XXXXXX)"
PIDS=()          # background helpers we started (killed on exit if still alive)
TCPDUMP_PID=""
NS_CREATED=0

log() { printf '[keyshare-lab] %s\n' "$*" >&2; }
die() { printf '[keyshare-lab] ERROR: %s\n' "$*" >&2; exit 1; }

# delete_ns NAME - kill whatever still runs inside OUR namespace, then delete it
# (deleting the namespace also deletes the veth end living in it, and with it the peer)
delete_ns() {
    local ns=$1 pid
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || return 0
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
        kill "$pid" 2>/dev/null
    done
    ip netns del "$ns" 2>/dev/null
}

cleanup() {
    local rc=$?
    set +e
    # SIGINT lets tcpdump flush and close the pcap properly
    if [[ -n "$TCPDUMP_PID" ]] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null
        wait "$TCPDUMP_PID" 2>/dev/null
    fi
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    if [[ $NS_CREATED -eq 1 ]]; then
        delete_ns "$NS_A"
        delete_ns "$NS_B"
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT INT TERM

for tool in ip ethtool tcpdump openssl ss timeout; do
    command -v "$tool" >/dev/null ||
        die "missing tool: $tool (apt-get install -y iproute2 ethtool tcpdump openssl)"
done
[[ $EUID -eq 0 ]] || die "must run as root (network namespaces, tcpdump)"
openssl version | grep -q '^OpenSSL 3\.' || die "needs OpenSSL 3.x, have: $(openssl version)"

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# ---------------------------------------------------------------------------
# network: two namespaces + veth pair, MTU 576, offloads off
# ---------------------------------------------------------------------------
# leftovers of an earlier, killed run carry our fixed names: remove them first
NS_CREATED=1
delete_ns "$NS_A"
delete_ns "$NS_B"
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B"
in_a ip addr add "$IP_A/30" dev "$VETH_A"
in_b ip addr add "$IP_B/30" dev "$VETH_B"
for side in a b; do
    if [[ $side == a ]]; then ns=$NS_A; dev=$VETH_A; else ns=$NS_B; dev=$VETH_B; fi
    ip -n "$ns" link set dev "$dev" mtu "$MTU"
    # tso/gso/gro off: one skb per real segment; tx off: checksums computed in software,
    # so the capture holds valid TCP checksums
    ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
        log "warning: ethtool -K $dev failed (offloads may stay on)"
    ip -n "$ns" link set dev lo up
    ip -n "$ns" link set dev "$dev" up
done
in_a ping -c 1 -W 2 "$IP_B" >/dev/null || die "veth link $IP_A -> $IP_B does not work"
log "namespaces $NS_A/$NS_B up, veth $VETH_A<->$VETH_B MTU $MTU"

# ---------------------------------------------------------------------------
# certificate: self-signed RSA-2048, CN/SAN storage.signal.org (clients do not verify).
# Not ECDSA: TLS 1.2 ties an ECDSA certificate's curve to the client's supported_groups,
# and client 2 offers secp384r1 only.
# ---------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
    -subj "/CN=storage.signal.org" -addext "subjectAltName=DNS:storage.signal.org" \
    -keyout "$TMP/srv.key" -out "$TMP/srv.crt" 2>/dev/null
log "certificate made in $TMP"

# ---------------------------------------------------------------------------
# capture inside csks-b on its veth end, wait until tcpdump is really listening
# ---------------------------------------------------------------------------
rm -f "$OUT"
# --immediate-mode: hand over every packet at once; -U: write each packet as it arrives;
# -s 0: full packets. `ip netns exec` execs tcpdump, so $! is tcpdump's pid.
ip netns exec "$NS_B" tcpdump -i "$VETH_B" -n --immediate-mode -U -s 0 -w "$OUT" \
    "tcp port $PORT" 2>"$TMP/tcpdump.err" &
TCPDUMP_PID=$!
for _ in $(seq 1 100); do
    grep -q "listening on" "$TMP/tcpdump.err" && break
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$TMP/tcpdump.err")"
    sleep 0.05
done
grep -q "listening on" "$TMP/tcpdump.err" || die "tcpdump did not become ready"
sleep 0.3   # let the kernel attach the filter before the first packet
log "tcpdump ready (pid $TCPDUMP_PID) -> $OUT"

# ---------------------------------------------------------------------------
# one TLS session: s_server in csks-b (-naccept 1), s_client in csks-a.
# s_server's stdin is fed one reply line (starting with a digit: lines starting with some
# letters are s_server commands). The client writes one line, its stdin stays open 1.5 s,
# then EOF -> client sends close_notify and closes (FIN).
# ---------------------------------------------------------------------------
tls_session() {   # tls_session NAME "SERVER OPTS" "CLIENT OPTS"
    local name=$1 sopts=$2 copts=$3 spid
    # shellcheck disable=SC2086  # option strings are split on purpose
    ( sleep 0.5; printf '200 ok from server\n'; sleep 4 ) |
        ip netns exec "$NS_B" openssl s_server -accept "$IP_B:$PORT" -naccept 1 \
            -cert "$TMP/srv.crt" -key "$TMP/srv.key" $sopts >"$TMP/srv-$name.log" 2>&1 &
    spid=$!
    PIDS+=("$spid")
    for _ in $(seq 1 100); do
        in_b ss -Hltn "sport = :$PORT" | grep -q . && break
        sleep 0.05
    done
    in_b ss -Hltn "sport = :$PORT" | grep -q . || die "s_server ($name) did not start: $(cat "$TMP/srv-$name.log")"
    # shellcheck disable=SC2086
    ( printf 'hi from %s\n' "$name"; sleep 1.5 ) |
        timeout 20 ip netns exec "$NS_A" openssl s_client -connect "$IP_B:$PORT" $copts \
            >"$TMP/cli-$name.log" 2>&1 || die "s_client ($name) failed: $(tail -5 "$TMP/cli-$name.log")"
    wait "$spid" || true   # the server exits after its single connection
    grep -q "hi from $name" "$TMP/srv-$name.log" || die "server ($name) did not get the data"
    grep -q "200 ok from server" "$TMP/cli-$name.log" || die "client ($name) did not get the reply"
    log "session $name: $(grep -m1 -E '^(New|Protocol)' "$TMP/cli-$name.log" | tr -s ' ') ;" \
        "$(grep -m1 -E 'Server Temp Key|Negotiated TLS1.3 group' "$TMP/cli-$name.log" || echo 'no temp key line')"
}

# 1. large ffdhe8192 key share, TLS 1.3 negotiated
tls_session tls13-ffdhe8192 \
    "-groups ffdhe8192:x25519:secp256r1" \
    "-groups ffdhe8192:x25519:secp256r1 -servername storage.signal.org -alpn h2,http/1.1"
sleep 0.3
# 2. TLS 1.2 only
tls_session tls12 \
    "" \
    "-tls1_2 -groups ffdhe4096:secp384r1 -servername mmg.whatsapp.net"

# ---------------------------------------------------------------------------
# stop the capture cleanly, delete the namespaces, summary
# ---------------------------------------------------------------------------
sleep 1   # let the last FIN/ACKs reach the capture
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
TCPDUMP_PID=""
grep -E "captured|dropped" "$TMP/tcpdump.err" >&2 || true
# tcpdump drops privileges to user "tcpdump"; give the file the owner of the Captures dir
chown --reference="$SCRIPT_DIR" "$OUT" 2>/dev/null || true

delete_ns "$NS_A"
delete_ns "$NS_B"
NS_CREATED=0
log "namespaces deleted"

printf '\nproduced %s (%s bytes, %s packets)\n' "$OUT" "$(stat -c %s "$OUT")" \
    "$(tcpdump -r "$OUT" -n 2>/dev/null | wc -l)"
if command -v tshark >/dev/null; then
    printf '\nClientHellos (frame, reassembled in, #segments, length, SNI):\n'
    tshark -r "$OUT" -Y 'tls.handshake.type==1' -T fields -e frame.number \
        -e tcp.reassembled_in -e tcp.segment.count -e tls.handshake.length \
        -e tls.handshake.extensions_server_name 2>/dev/null || true
fi
