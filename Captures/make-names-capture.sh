#!/usr/bin/env bash
# make-names-capture.sh - produce Captures/lab-dtls-names.pcap: certificate names from real
# OpenSSL 3 stacks, for the RFC 4514 rendering and the certificate name rules.
#
# Network: one throw-away network namespace (csnm), its loopback only; nothing leaves it.
# What gets captured (tcpdump -i lo inside csnm, classic pcap, LINKTYPE_EN10MB):
#   1. DTLS 1.2: openssl s_client -dtls1_2 -> s_server -dtls1_2 on 127.0.0.1:50002/udp, server
#      certificate self-signed with subject CN=*.discord.gg and no subjectAltName (what a
#      Discord voice/RTC server presents; the handshake has no SNI). One line each way.
#   2. TLS 1.2: openssl s_client -tls1_2 -> s_server on 127.0.0.1:8445/tcp, server certificate
#      from make-names-certificate.py: every X.520 string type (TeletexString CN,
#      BMPString L, UniversalString OU, UTF8String OU with every RFC 4514 escape, a
#      multi-valued RDN, IA5String emailAddress). One line each way.
# Requirements: root, iproute2, tcpdump, openssl 3, python3 with `cryptography`.
# Usage:        sudo Captures/make-names-capture.sh [output.pcap]
# Re-runnable:  overwrites the output; the namespace, helpers and temp dir go on exit.
#               Keys, randoms, ports and timings change every run.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/lab-dtls-names.pcap}"
NS=csnm
TMP="$(mktemp -d /tmp/cipherscope-names.XXXXXX)"
TCPDUMP_PID=""

log() { printf '[names-lab] %s\n' "$*" >&2; }
die() { printf '[names-lab] ERROR: %s\n' "$*" >&2; exit 1; }

delete_ns() {
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS" || return 0
    local pid
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
}
cleanup() {
    local rc=$?
    set +e
    if [[ -n "$TCPDUMP_PID" ]] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID"
    fi
    delete_ns
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT INT TERM

[[ $EUID -eq 0 ]] || die "must run as root (network namespace, tcpdump)"
for tool in ip tcpdump openssl python3 timeout; do command -v "$tool" >/dev/null || die "missing tool: $tool"; done
in_ns() { ip netns exec "$NS" "$@"; }

delete_ns
ip netns add "$NS"
ip -n "$NS" link set dev lo up

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=*.discord.gg" \
    -keyout "$TMP/discord.key" -out "$TMP/discord.crt" 2>/dev/null
python3 "$SCRIPT_DIR/make-names-certificate.py" "$TMP/names.key" "$TMP/names.crt"

rm -f "$OUT"
ip netns exec "$NS" tcpdump -i lo -n --immediate-mode -U -s 0 -w "$OUT" "udp port 50002 or tcp port 8445" 2>"$TMP/tcpdump.err" &
TCPDUMP_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$TMP/tcpdump.err" && break; sleep 0.05; done
grep -q "listening on" "$TMP/tcpdump.err" || die "tcpdump did not become ready"
sleep 0.3

session() {   # session NAME PORT CERT KEY "SERVER OPTS" "CLIENT OPTS"
    local name=$1 port=$2 cert=$3 key=$4 sopts=$5 copts=$6 spid
    # shellcheck disable=SC2086
    ( sleep 1; printf '200 ok from server\n'; sleep 3 ) |
        ip netns exec "$NS" openssl s_server -accept "127.0.0.1:$port" -naccept 1 -cert "$cert" -key "$key" $sopts \
            >"$TMP/srv-$name.log" 2>&1 &
    spid=$!
    sleep 0.5
    # shellcheck disable=SC2086
    ( printf 'hi from %s\n' "$name"; sleep 2 ) |
        timeout 20 ip netns exec "$NS" openssl s_client -connect "127.0.0.1:$port" $copts \
            >"$TMP/cli-$name.log" 2>&1 || die "s_client ($name) failed: $(tail -5 "$TMP/cli-$name.log")"
    wait "$spid" || true
    grep -q "hi from $name" "$TMP/srv-$name.log" || die "server ($name) did not get the data"
    grep -q "200 ok from server" "$TMP/cli-$name.log" || die "client ($name) did not get the reply"
    log "session $name: $(grep -m1 -E '^(New|Protocol)' "$TMP/cli-$name.log" | tr -s ' ')"
}

session dtls 50002 "$TMP/discord.crt" "$TMP/discord.key" "-dtls1_2" "-dtls1_2"
session tls-names 8445 "$TMP/names.crt" "$TMP/names.key" "" "-tls1_2"

sleep 0.5
kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true
TCPDUMP_PID=""
chown --reference="$SCRIPT_DIR" "$OUT" 2>/dev/null || true
delete_ns
printf 'produced %s (%s bytes, %s packets)\n' "$OUT" "$(stat -c %s "$OUT")" "$(tcpdump -r "$OUT" -n 2>/dev/null | wc -l)"
openssl x509 -in "$TMP/names.crt" -noout -subject -nameopt RFC2253 >&2
