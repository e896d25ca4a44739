#!/usr/bin/env bash
# Installs the system libraries cipherscope builds against (Debian/Ubuntu):
# libpcap-dev, libyaml-dev and libsqlite3-dev (cases: GRDB over the system SQLite)
# (and pkg-config, which SwiftPM uses to find them).
# Does nothing when they are already there; uses sudo when not run as root.
#
# When run as root (as CI runs it), or with --live, it also installs the tools
# the live-capture tests use when they are missing: iproute2 (ip netns, veth),
# openssl, python3 and tcpreplay. Those tests are skipped when not root.
# Also PostgreSQL 15 (Debian's postgresql): the PostgreSQL case tests start their
# own server from /usr/lib/postgresql/15/bin (skipped when it is not installed).
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
packages=()
has_library() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
command -v pkg-config >/dev/null 2>&1 || packages+=(pkg-config)
has_library libpcap || packages+=(libpcap-dev)
has_library yaml-0.1 || packages+=(libyaml-dev)
has_library sqlite3 || packages+=(libsqlite3-dev)
if [ "$(id -u)" = 0 ] || [ "${1:-}" = "--live" ]; then
    command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || packages+=(iproute2)
    command -v openssl >/dev/null 2>&1 || packages+=(openssl)
    command -v python3 >/dev/null 2>&1 || packages+=(python3)
    command -v tcpreplay >/dev/null 2>&1 || packages+=(tcpreplay)
    [ -x /usr/lib/postgresql/15/bin/initdb ] || packages+=(postgresql)
fi
[ ${#packages[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${packages[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
