#!/usr/bin/env bash
# make-ssh-capture.sh - produce Captures/lab-ssh.pcap: one real OpenSSH session on the
# loopback interface (127.0.0.1 only; nothing leaves the host).
#
# What gets captured (tcpdump -i lo, classic pcap, LINKTYPE_ETHERNET, filter tcp port 2222):
#   A throwaway `sshd -D` (temporary config, temporary ed25519 host key, no real users
#   reachable) listens on 127.0.0.1:2222. `ssh` connects in batch mode with no keys and
#   no password prompt, so authentication fails - which is fine: the identification
#   banners, both KEXINIT messages, the key exchange and the encrypted auth attempt are
#   on the wire, and that is what the SSH dissector, HASSH and JA4SSH tests need.
#
# Requirements: root (tcpdump on lo, sshd), tcpdump, ss; openssh-server and
#               openssh-client are installed with apt-get if missing.
# Usage:        sudo Captures/make-ssh-capture.sh [output.pcap]
# Re-runnable:  overwrites the output file; sshd, tcpdump and the temp dir are removed
#               on exit. Ports, keys, cookies and timings differ on every run.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/lab-ssh.pcap}"
PORT=2222

log() { printf '[ssh-lab] %s\n' "$*" >&2; }
die() { printf '[ssh-lab] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root (tcpdump on lo, sshd)"
for tool in tcpdump ss; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done

# Install the OpenSSH programs only when they are missing. Debian's package would start
# a system sshd on port 22; policy-rc.d (exit 101) stops that during the install.
if [[ ! -x /usr/sbin/sshd ]] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
    log "installing openssh-server/openssh-client"
    policy_added=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        policy_added=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openssh-server openssh-client >/dev/null
    [[ $policy_added -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
fi

# ---------------------------------------------------------------------------
# bookkeeping / cleanup
# ---------------------------------------------------------------------------
TMP="$(mktemp -d /tmp/cipherscope-ssh.XXXXXX)"
SSHD_PID=""
TCPDUMP_PID=""

cleanup() {
    local rc=$?
    set +e
    for pid in "$SSHD_PID" "$TCPDUMP_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill -INT "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT INT TERM

! ss -H -lnt "sport = :$PORT" | grep -q . || die "tcp port $PORT already in use"

# sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd

# ---------------------------------------------------------------------------
# throwaway sshd: own host key, own config, loopback only, no way in
# ---------------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$TMP/host_ed25519" -C cipherscope-lab
cat > "$TMP/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $PORT
HostKey $TMP/host_ed25519
PidFile $TMP/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile /dev/null
UsePAM no
PermitRootLogin no
LogLevel ERROR
EOF
/usr/sbin/sshd -t -f "$TMP/sshd_config" || die "sshd rejected the temporary config"

/usr/sbin/sshd -D -e -f "$TMP/sshd_config" 2>"$TMP/sshd.log" &
SSHD_PID=$!

for _ in $(seq 1 100); do
    ss -H -lnt "sport = :$PORT" | grep -q . && break
    sleep 0.05
done
ss -H -lnt "sport = :$PORT" | grep -q . || die "sshd did not start (see $TMP/sshd.log)"

# ---------------------------------------------------------------------------
# capture one connection attempt
# ---------------------------------------------------------------------------
tcpdump -i lo -U --immediate-mode -w "$OUT" "tcp port $PORT" 2>"$TMP/tcpdump.log" &
TCPDUMP_PID=$!
sleep 1   # tcpdump needs a moment before it sees packets

log "connecting to 127.0.0.1:$PORT (authentication is expected to fail)"
ssh -p "$PORT" -F /dev/null \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
    -o IdentitiesOnly=yes -o IdentityAgent=none -o PubkeyAuthentication=no -o ConnectTimeout=5 \
    nobody@127.0.0.1 true 2>"$TMP/ssh.log" || true
sed 's/^/[ssh-lab] ssh: /' "$TMP/ssh.log" >&2

sleep 1   # let the FIN/ACK exchange land in the capture
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" 2>/dev/null || true
TCPDUMP_PID=""

log "wrote $OUT ($(stat -c %s "$OUT") bytes)"
