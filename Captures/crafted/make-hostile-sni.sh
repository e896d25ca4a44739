#!/usr/bin/env bash
# make-hostile-sni.sh - produce Captures/crafted/hostile-sni.pcap: TLS handshakes made by real
# OpenSSL (s_client against s_server, TLS 1.2 so the certificate is in clear) whose names are
# markup, for the HTML report's escaping tests (Tests/HTMLReportTests).
#
# Two connections on loopback (127.0.0.1 -> 127.0.0.1:9443 and :9444), captured by tcpdump on lo:
#   1. SNI  <script>alert(1)</script>.example
#   2. SNI  <script>document.title='pwned'</script>.example
# The server certificate's subject CN is  <img src=x onerror="document.title='pwned'">.example
# (self-signed, made here; the clients do not verify it).
# A report that rendered any of these as markup would run a script or change the page title.
#
# Requirements: root (tcpdump on lo), openssl 3.x, tcpdump, timeout.
# Usage:        sudo Captures/crafted/make-hostile-sni.sh [output.pcap]
# Re-runnable:  overwrites the output; random values (keys, ports, timings) change every run.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/hostile-sni.pcap}"
TMP="$(mktemp -d /tmp/cipherscope-hostile.XXXXXX)"
TCPDUMP_PID=""
cleanup() {
    [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
    -subj "/CN=<img src=x onerror=\"document.title='pwned'\">.example" 2>/dev/null

tcpdump -i lo -U -w "$TMP/out.pcap" 'tcp port 9443 or tcp port 9444' 2>/dev/null &
TCPDUMP_PID=$!
sleep 1

handshake() {  # PORT SNI
    timeout 10 openssl s_server -accept "127.0.0.1:$1" -key "$TMP/key.pem" -cert "$TMP/cert.pem" \
        -tls1_2 -naccept 1 -quiet >/dev/null 2>&1 &
    local server=$!
    sleep 0.5
    printf 'hello\n' | timeout 5 openssl s_client -connect "127.0.0.1:$1" -tls1_2 -servername "$2" \
        -quiet >/dev/null 2>&1 || true
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
}
handshake 9443 '<script>alert(1)</script>.example'
handshake 9444 "<script>document.title='pwned'</script>.example"

sleep 1
kill "$TCPDUMP_PID"
wait "$TCPDUMP_PID" 2>/dev/null || true
TCPDUMP_PID=""
cp "$TMP/out.pcap" "$OUT"
echo "wrote $OUT"
