#!/usr/bin/env bash
# Installs the system libraries cipherscope builds against (Debian/Ubuntu):
# libpcap-dev (and pkg-config, which SwiftPM uses to find it). Does nothing
# when they are already there; uses sudo when not run as root.
set -euo pipefail

if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libpcap; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing libpcap-dev and pkg-config" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libpcap-dev pkg-config >/dev/null
