#!/usr/bin/env bash
# make-lab-capture.sh - produce Captures/lab-basic.pcap from real network stacks
# on the loopback interface only (127.0.0.0/8 and ::1). Nothing leaves the host.
#
# What gets captured (tcpdump -i lo, classic pcap, LINKTYPE_ETHERNET):
#   1. TLS 1.3  127.0.0.1:<eph> -> 127.0.0.1:8443  openssl s_client, SNI chat.signal.org,
#               client sends 3 lines, server sends 1 line, client closes (close_notify + FIN)
#   2. TLS 1.2  127.0.0.1:<eph> -> 127.0.0.1:8444  SNI web.whatsapp.com (server Certificate
#               is visible in clear), same data pattern, FIN close
#   3. DNS/UDP  127.0.0.1:<eph> -> 127.0.0.1:5353  dig A and AAAA for chat.signal.org, answered
#               by a tiny python responder (A 127.0.0.10, AAAA 2001:db8::10)
#   4. UDP      127.0.0.1:<eph> -> 127.0.0.1:9999  3 request datagrams, 3 response datagrams
#   5. TCP/IPv6 [::1]:<eph>     -> [::1]:9000      socat echo server, one line each way, FIN
#   6. ICMP     127.0.0.1 -> 127.0.0.1             ping -c 2 (2 echo requests + 2 replies)
#   7. TCP RST  127.0.0.1:<eph> -> 127.0.0.1:9001  nothing listens: SYN answered by RST/ACK
#
# Requirements: root (tcpdump on lo), tcpdump, openssl, dig, socat, ping, python3, ss.
# Usage:        sudo Captures/make-lab-capture.sh [output.pcap]
# Re-runnable:  overwrites the output file; all helpers and temp files are removed on exit.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/lab-basic.pcap}"

# Ports used by the lab; the capture filter only admits these (plus icmp).
TLS13_PORT=8443
TLS12_PORT=8444
DNS_PORT=5353
UDP_PORT=9999
TCP6_PORT=9000
RST_PORT=9001
FILTER="tcp port $TLS13_PORT or tcp port $TLS12_PORT or udp port $DNS_PORT \
or udp port $UDP_PORT or tcp port $TCP6_PORT or tcp port $RST_PORT or icmp"

# ---------------------------------------------------------------------------
# bookkeeping / cleanup
# ---------------------------------------------------------------------------
TMP="$(mktemp -d /tmp/cipherscope-lab.XXXXXX)"
PIDS=()          # background helpers we started (killed on exit if still alive)
TCPDUMP_PID=""

cleanup() {
    local rc=$?
    set +e
    if [[ -n "$TCPDUMP_PID" ]] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null
        wait "$TCPDUMP_PID" 2>/dev/null
    fi
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT INT TERM

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

for tool in tcpdump openssl dig socat ping python3 ss; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[[ $EUID -eq 0 ]] || die "must run as root (tcpdump on lo)"

# wait_port PROTO(t|u) PORT [HOST] - poll until something listens/binds there
wait_port() {
    local proto=$1 port=$2 i
    for i in $(seq 1 100); do
        if ss -H -ln"$proto" "sport = :$port" | grep -q .; then return 0; fi
        sleep 0.05
    done
    die "nothing listening on $proto/$port"
}

# refuse to run if a port is already taken (would mix foreign traffic in)
for p in $TLS13_PORT $TLS12_PORT $TCP6_PORT $RST_PORT; do
    ! ss -H -lnt "sport = :$p" | grep -q . || die "tcp port $p already in use"
done
for p in $DNS_PORT $UDP_PORT; do
    ! ss -H -lnu "sport = :$p" | grep -q . || die "udp port $p already in use"
done

# ---------------------------------------------------------------------------
# material: self-signed certs (small EC P-256 keys) and python helpers
# ---------------------------------------------------------------------------
for cn in chat.signal.org web.whatsapp.com; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$TMP/$cn.key" -out "$TMP/$cn.crt" -days 30 -subj "/CN=$cn" \
        -addext "subjectAltName=DNS:$cn" 2>/dev/null
done

# Tiny DNS responder: plain UDP socket, hand-built answers. Serves N queries then exits.
cat >"$TMP/dns_responder.py" <<'PY'
import socket, struct, sys, ipaddress
port, count = int(sys.argv[1]), int(sys.argv[2])
ZONE = {("chat.signal.org", 1): ipaddress.ip_address("127.0.0.10").packed,
        ("chat.signal.org", 28): ipaddress.ip_address("2001:db8::10").packed}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port)); s.settimeout(30)
for _ in range(count):
    q, peer = s.recvfrom(2048)
    qid, flags = struct.unpack("!HH", q[:4])
    # parse the single question (name labels, qtype, qclass)
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode()); i += 1 + q[i]
    qend = i + 5
    qtype, qclass = struct.unpack("!HH", q[i + 1:qend])
    rdata = ZONE.get((".".join(labels).lower(), qtype))
    rcode = 0 if rdata or any(k[0] == ".".join(labels).lower() for k in ZONE) else 3
    hdr = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100) | rcode, 1,
                      1 if rdata else 0, 0, 0)
    ans = b""
    if rdata:   # name pointer to offset 12, TTL 300
        ans = struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(rdata)) + rdata
    s.sendto(hdr + q[12:qend] + ans, peer)
PY

# UDP request/response pair: server answers N datagrams, client sends N and reads replies.
cat >"$TMP/udp_pair.py" <<'PY'
import socket, sys
role, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(10)
if role == "server":
    s.bind(("127.0.0.1", port))
    for _ in range(n):
        data, peer = s.recvfrom(2048)
        s.sendto(b"pong " + data, peer)
else:
    for i in range(n):
        s.sendto(b"ping %d" % i, ("127.0.0.1", port))
        print(s.recvfrom(2048)[0].decode())
PY

# ---------------------------------------------------------------------------
# start the capture and wait until tcpdump is really listening
# ---------------------------------------------------------------------------
rm -f "$OUT"
# --immediate-mode: deliver each packet at once (without it, TPACKET_V3 hands packets over in
# blocks every ~1 s and the last ones can be lost when tcpdump is stopped);
# -U: write each packet as it arrives; -s 0: full packets (all of them are small)
tcpdump -i lo -n --immediate-mode -U -s 0 -w "$OUT" "$FILTER" 2>"$TMP/tcpdump.err" &
TCPDUMP_PID=$!
for i in $(seq 1 100); do
    grep -q "listening on" "$TMP/tcpdump.err" && break
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$TMP/tcpdump.err")"
    sleep 0.05
done
grep -q "listening on" "$TMP/tcpdump.err" || die "tcpdump did not become ready"
sleep 0.3   # let the kernel attach the filter before the first packet
log "tcpdump ready (pid $TCPDUMP_PID) -> $OUT"

# ---------------------------------------------------------------------------
# 1+2. TLS sessions. s_server's stdin is fed one reply line (digits first: lines
# starting with some letters are s_server/s_client commands). The client's stdin
# stays open ~1.5 s, then hits EOF -> client sends close_notify and closes (FIN).
# ---------------------------------------------------------------------------
tls_session() {   # tls_session PORT SNI VERSION_FLAG
    local port=$1 sni=$2 ver=$3
    ( sleep 0.2; printf '200 ok from server\n'; sleep 3 ) |
        openssl s_server -accept "127.0.0.1:$port" -naccept 1 "$ver" \
            -cert "$TMP/$sni.crt" -key "$TMP/$sni.key" >"$TMP/srv-$port.log" 2>&1 &
    local spid=$!
    PIDS+=("$spid")
    wait_port t "$port"
    ( printf 'hello line 1\nhello line 2\nbye\n'; sleep 1.5 ) |
        timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername "$sni" "$ver" \
            >"$TMP/cli-$port.log" 2>&1 || die "s_client to $port failed: $(tail -3 "$TMP/cli-$port.log")"
    wait "$spid" || true   # server exits after its single connection (-naccept 1)
    grep -q "hello line 2" "$TMP/srv-$port.log" || die "TLS server on $port did not get data"
    log "TLS session $ver SNI=$sni on port $port done"
}
tls_session "$TLS13_PORT" chat.signal.org -tls1_3
sleep 0.2
tls_session "$TLS12_PORT" web.whatsapp.com -tls1_2
sleep 0.2

# ---------------------------------------------------------------------------
# 3. DNS over UDP: A + AAAA query answered by the python responder
# ---------------------------------------------------------------------------
python3 "$TMP/dns_responder.py" "$DNS_PORT" 2 &
DNS_PID=$!; PIDS+=("$DNS_PID")
wait_port u "$DNS_PORT"
dig @127.0.0.1 -p "$DNS_PORT" +tries=1 +time=3 +short chat.signal.org A    >&2
dig @127.0.0.1 -p "$DNS_PORT" +tries=1 +time=3 +short chat.signal.org AAAA >&2
wait "$DNS_PID"
log "DNS queries done"
sleep 0.2

# ---------------------------------------------------------------------------
# 4. plain UDP request/response, 3 datagrams each way
# ---------------------------------------------------------------------------
python3 "$TMP/udp_pair.py" server "$UDP_PORT" 3 &
UDP_PID=$!; PIDS+=("$UDP_PID")
wait_port u "$UDP_PORT"
python3 "$TMP/udp_pair.py" client "$UDP_PORT" 3 >&2
wait "$UDP_PID"
log "UDP exchange done"
sleep 0.2

# ---------------------------------------------------------------------------
# 5. TCP over IPv6 loopback: socat echo server (cat), client sends one line,
# half-closes, reads the echo, then both sides close with FIN.
# ---------------------------------------------------------------------------
socat "TCP6-LISTEN:$TCP6_PORT,bind=[::1],reuseaddr" EXEC:cat &
S6_PID=$!; PIDS+=("$S6_PID")
wait_port t "$TCP6_PORT"
printf 'hello over ipv6 loopback\n' | socat -t 2 - "TCP6:[::1]:$TCP6_PORT" >&2
wait "$S6_PID" || true
log "TCP/IPv6 exchange done"
sleep 0.2

# ---------------------------------------------------------------------------
# 6. ICMP echo
# ---------------------------------------------------------------------------
ping -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null
log "ping done"
sleep 0.2

# ---------------------------------------------------------------------------
# 7. TCP reset: connect to a port where nothing listens -> SYN, RST/ACK
# ---------------------------------------------------------------------------
if (exec 3<>"/dev/tcp/127.0.0.1/$RST_PORT") 2>/dev/null; then
    die "port $RST_PORT unexpectedly accepted a connection"
fi
log "RST connection done"

# ---------------------------------------------------------------------------
# stop the capture cleanly (SIGINT lets tcpdump flush and close the file)
# ---------------------------------------------------------------------------
sleep 1.5   # let the last packets reach the capture before stopping it
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
TCPDUMP_PID=""
grep -E "captured|dropped" "$TMP/tcpdump.err" >&2 || true
# tcpdump drops privileges to user "tcpdump"; give the file the owner of the Captures dir
chown --reference="$SCRIPT_DIR" "$OUT" 2>/dev/null || true

printf '\nproduced %s (%s bytes, %s packets)\n' "$OUT" "$(stat -c %s "$OUT")" \
    "$(tcpdump -r "$OUT" -n 2>/dev/null | wc -l)"
