#!/usr/bin/env bash
# Regenerates the golden outputs in Tests/Golden/ from the bundled captures, for a
# deliberate change of the output (the golden tests in
# Tests/CLITests/GoldenTests.swift compare the built binary's output with them byte
# for byte).
#
#   Scripts/update-goldens.sh           build cipherscope, rewrite every golden file
#   Scripts/update-goldens.sh --check   build, regenerate into a temp folder and diff
#                                       (exit 1 when a golden file is out of date)
#
# Tests/Golden/MANIFEST lists the golden files and the arguments that make each
# one: the bundled captures, and Tests/Golden/captures/contract-extras.pcap
# (synthetic flows for the keys the lab captures never produce, written by
# make-contract-extras.py beside it; this script does not rewrite it). Every command runs in the package root, so that `source_file` is the
# relative capture path and the shipped Rules/ label the flows (as a default run
# finds them), with CIPHERSCOPE_RULES unset and standard output redirected to the
# file (not a terminal). A command that exits non-zero or writes to standard error
# stops the script.
#
# Afterwards the script lists the JSON keys (nested ones dotted, e.g. tls.sni) of
# the golden JSON Lines that are not in Tests/Golden/contract-keys.txt, and the
# contract keys that no golden file carries any more: renaming or dropping a key
# breaks partners' scripts, so the contract list is only ever extended, by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 1 ;;
esac

swift build --product cipherscope >&2
binary="$(swift build --show-bin-path)/cipherscope"
golden=Tests/Golden
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

target=$golden
[ "$check" = 1 ] && target=$scratch
count=0
while read -r name arguments; do
    case "$name" in ''|'#'*) continue ;; esac
    # $arguments is split on blanks on purpose: the manifest has no quoting.
    # shellcheck disable=SC2086
    if ! env -u CIPHERSCOPE_RULES "$binary" $arguments > "$target/$name" 2> "$scratch/stderr"; then
        echo "$name: cipherscope $arguments failed:" >&2
        cat "$scratch/stderr" >&2
        exit 1
    fi
    if [ -s "$scratch/stderr" ]; then
        echo "$name: cipherscope $arguments wrote to standard error:" >&2
        cat "$scratch/stderr" >&2
        exit 1
    fi
    count=$((count + 1))
done < "$golden/MANIFEST"

if [ "$check" = 1 ]; then
    stale=0
    while read -r name _; do
        case "$name" in ''|'#'*) continue ;; esac
        if ! cmp -s "$scratch/$name" "$golden/$name"; then
            echo "== $golden/$name is out of date:"
            diff -u "$golden/$name" "$scratch/$name" | head -20 || true
            stale=1
        fi
    done < "$golden/MANIFEST"
    [ "$stale" = 0 ] && echo "all $count golden files are up to date"
    exit "$stale"
fi
echo "wrote $count golden files in $golden/"

if command -v python3 >/dev/null 2>&1; then
    python3 - "$golden" <<'PYTHON'
import json, pathlib, sys

folder = pathlib.Path(sys.argv[1])
seen = set()

def walk(value, path):
    if isinstance(value, dict):
        for key, child in value.items():
            dotted = f"{path}.{key}" if path else key
            seen.add(dotted)
            walk(child, dotted)
    elif isinstance(value, list):
        for child in value:
            walk(child, path)

for file in sorted(folder.glob("*.jsonl")):
    for line in file.read_text().splitlines():
        walk(json.loads(line), "")
contract = {line.strip() for line in (folder / "contract-keys.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")}
new = sorted(seen - contract)
gone = sorted(contract - seen)
if new:
    print("keys in the golden JSON Lines that are not in contract-keys.txt (add them when they are meant to stay):")
    for key in new:
        print("  " + key)
if gone:
    print("CONTRACT KEYS NO GOLDEN FILE CARRIES ANY MORE (renamed or dropped? the golden tests will fail):")
    for key in gone:
        print("  " + key)
PYTHON
fi
