#!/usr/bin/env bash
# make-fields-capture.sh - produce Captures/lab-fields.pcap from real stacks on the
# loopback interface only (127.0.0.1). Nothing leaves the host.
#
# What gets captured (tcpdump -i lo, classic pcap, LINKTYPE_ETHERNET):
#   1. DNS/UDP  -> :5353  300 queries for distinct names from one socket (a DNS tunnel's
#                         shape; fields-clients.py tunnel), each answered
#   2. DNS/TCP  -> :5353  dig +tcp -p 5353 tcp-5353.example.test
#   3. DNS/TCP  -> :8053  dig +tcp -p 8053 (a port no table knows: found by content)
#   4. HTTP/1.1 -> :8080  curl with three URLs on one keep-alive connection
#   5. HTTP/1.0 -> :8080  printf 'GET / HTTP/1.0\r\n\r\n' | nc (a request without headers)
#   6. h2c      -> :8081  curl --http2-prior-knowledge against nghttpd (one request)
#   7. h2c      -> :8083  prior knowledge, two requests with cookies on one connection
#                         (fields-clients.py h2prior: curl 7.88 fails a second request on a
#                         reused h2c connection)
#   8. h2c      -> :8083  curl --http2 on http://: Upgrade: h2c, 101, then the preface and
#                         HTTP/2 (the server is fields-servers.py with the python h2 library:
#                         nghttpd answers an Upgrade with HTTP/2 at once)
#   9. DoH      -> :8082  POST /dns-query, application/dns-message (fields-clients.py dohpost;
#                         curl --doh-url refuses an http:// resolver)
#  10. DoH      -> :8082  GET /dns-query?dns=<base64url> (fields-clients.py dohget)
#
# Requirements: root (tcpdump on lo), tcpdump, dig, curl (with HTTP/2), nc, nghttpd
# (Debian nghttp2-server), python3 with the h2 library (pip install h2 / python3-h2).
# Usage:        sudo Captures/make-fields-capture.sh [output.pcap]
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$DIR/lab-fields.pcap}"
FILTER="port 5353 or port 8053 or port 8080 or port 8081 or port 8082 or port 8083"
TMP="$(mktemp -d /tmp/cipherscope-fields.XXXXXX)"
PIDS=()

cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

for tool in tcpdump dig curl nc nghttpd python3; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

python3 "$DIR/fields-servers.py" >"$TMP/servers.log" 2>&1 & PIDS+=($!)
mkdir "$TMP/www" && echo "h2c page" >"$TMP/www/index.html" && echo "second" >"$TMP/www/two.html"
nghttpd --no-tls -a 127.0.0.1 -d "$TMP/www" 8081 >"$TMP/nghttpd.log" 2>&1 & PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$TMP/servers.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5

tcpdump -i lo -U -w "$OUT" "$FILTER" 2>"$TMP/tcpdump.log" & TCPDUMP=$!; PIDS+=($TCPDUMP)
sleep 1

python3 "$DIR/fields-clients.py" tunnel 300
dig +tcp +tries=1 -p 5353 @127.0.0.1 tcp-5353.example.test A >/dev/null
dig +tcp +tries=1 -p 8053 @127.0.0.1 tcp-8053.example.test A >/dev/null
curl -s -A "fields-capture/1.0" -o /dev/null http://127.0.0.1:8080/one -o /dev/null "http://127.0.0.1:8080/two?x=2" -o /dev/null http://127.0.0.1:8080/three
printf 'GET / HTTP/1.0\r\n\r\n' | nc -q 2 127.0.0.1 8080 >/dev/null
curl -s -o /dev/null --http2-prior-knowledge -H "Accept-Language: en-GB,en;q=0.8" http://127.0.0.1:8081/index.html
python3 "$DIR/fields-clients.py" h2prior
curl -s --http2 -o /dev/null http://127.0.0.1:8083/upgrade-one
python3 "$DIR/fields-clients.py" dohpost
python3 "$DIR/fields-clients.py" dohget

sleep 1
kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null || true
echo "wrote $OUT: $(tcpdump -r "$OUT" 2>/dev/null | wc -l) packets" >&2
