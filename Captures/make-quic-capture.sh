#!/usr/bin/env bash
# make-quic-capture.sh - produce Captures/lab-quic.pcap: one real QUIC v1 connection
# between aioquic's server and client on 127.0.0.1 only. Nothing leaves the host.
#
# What gets captured (tcpdump -i lo, classic pcap, LINKTYPE_ETHERNET):
#   QUIC v1  127.0.0.1:<eph> -> 127.0.0.1:4433  aioquic client, ALPN h3, SNI web.telegram.org
#            (the client's server_name option), self-signed P-256 certificate made here.
#            Full handshake (client/server Initial, Handshake, 1-RTT), one PING each way,
#            then the client closes the connection (CONNECTION_CLOSE).
#
# Requirements: root (tcpdump on lo), tcpdump, openssl, python3 with aioquic (pip install aioquic), ss.
# Usage:        sudo Captures/make-quic-capture.sh [output.pcap]
# Re-runnable:  overwrites the output file; helpers and temp files are removed on exit.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/lab-quic.pcap}"
PORT=4433
SNI="web.telegram.org"

# ---------------------------------------------------------------------------
# bookkeeping / cleanup
# ---------------------------------------------------------------------------
TMP="$(mktemp -d /tmp/cipherscope-quic.XXXXXX)"
SERVER_PID=""
TCPDUMP_PID=""

cleanup() {
    local rc=$?
    set +e
    if [[ -n "$TCPDUMP_PID" ]] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null
        wait "$TCPDUMP_PID" 2>/dev/null
    fi
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT INT TERM

log() { printf '[quic-lab] %s\n' "$*" >&2; }
die() { printf '[quic-lab] ERROR: %s\n' "$*" >&2; exit 1; }

for tool in tcpdump openssl python3 ss; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
python3 -c 'import aioquic' 2>/dev/null || die "python3 cannot import aioquic (pip install aioquic)"
[[ $EUID -eq 0 ]] || die "needs root for tcpdump on lo"
if ss -Hlun "sport = :$PORT" | grep -q .; then die "udp port $PORT is busy"; fi

# ---------------------------------------------------------------------------
# certificate: self-signed, P-256, CN and SAN = the SNI (the client does not verify it)
# ---------------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=$SNI" -addext "subjectAltName=DNS:$SNI" \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null

# ---------------------------------------------------------------------------
# the QUIC peers (aioquic asyncio API; the client only ever talks to 127.0.0.1)
# ---------------------------------------------------------------------------
cat >"$TMP/server.py" <<'PY'
import asyncio, sys
from aioquic.asyncio import serve
from aioquic.quic.configuration import QuicConfiguration

async def main(port, cert, key):
    config = QuicConfiguration(is_client=False, alpn_protocols=["h3"])
    config.load_cert_chain(cert, key)
    await serve("127.0.0.1", port, configuration=config)
    print("ready", flush=True)
    await asyncio.Future()  # until killed

asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
PY

cat >"$TMP/client.py" <<'PY'
import asyncio, ssl, sys
from aioquic.asyncio import connect
from aioquic.quic.configuration import QuicConfiguration

async def main(port, server_name):
    config = QuicConfiguration(is_client=True, alpn_protocols=["h3"],
                               server_name=server_name, verify_mode=ssl.CERT_NONE)
    async with connect("127.0.0.1", port, configuration=config) as client:
        await client.ping()
        print("handshake done, alpn:", client._quic.tls.alpn_negotiated, flush=True)

asyncio.run(asyncio.wait_for(main(int(sys.argv[1]), sys.argv[2]), timeout=10))
PY

# ---------------------------------------------------------------------------
# capture
# ---------------------------------------------------------------------------
tcpdump -i lo -w "$TMP/out.pcap" --immediate-mode -U "udp port $PORT" 2>"$TMP/tcpdump.log" &
TCPDUMP_PID=$!
for _ in $(seq 50); do grep -q "listening on" "$TMP/tcpdump.log" && break; sleep 0.1; done
grep -q "listening on" "$TMP/tcpdump.log" || die "tcpdump did not start: $(cat "$TMP/tcpdump.log")"

python3 "$TMP/server.py" "$PORT" "$TMP/cert.pem" "$TMP/key.pem" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do grep -q ready "$TMP/server.log" && break; sleep 0.1; done
grep -q ready "$TMP/server.log" || die "server did not start: $(cat "$TMP/server.log")"

log "client -> 127.0.0.1:$PORT (SNI $SNI, ALPN h3)"
python3 "$TMP/client.py" "$PORT" "$SNI" >&2 || die "client failed"
sleep 0.5  # let the last datagrams reach tcpdump

kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true; TCPDUMP_PID=""
mv "$TMP/out.pcap" "$OUT"
log "wrote $OUT ($(stat -c %s "$OUT") bytes)"
