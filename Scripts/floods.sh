#!/usr/bin/env bash
# Flood figures on a release build: wall time and peak resident memory.
#
#   Scripts/floods.sh [FLOWS]      (default 1000000)
#
# Builds cipherscope (release), writes the floods of Scripts/make-floods.py into
# .bench/floods/ (kept; regenerated when FLOWS changes), then runs
# `cipherscope analyze --no-rules` on them under /usr/bin/time -f "%e %M":
# the flow flood with --max-flows 1000000, 100000 and 10000, the fragment flood
# and the TCP-sequence flood. Flow records go to /dev/null; the summary's figures
# (flows, evicted, peak active flows, fragment counters) are printed beside the
# time and memory.
set -euo pipefail
cd "$(dirname "$0")/.."
flows=${1:-1000000}
out=.bench/floods
mkdir -p "$out"

echo "== swift build -c release --product cipherscope"
swift build -c release --product cipherscope 2>&1 | grep -v '^\[' || true
binary="$(swift build -c release --show-bin-path)/cipherscope"
[ -x "$binary" ] || { echo "build failed" >&2; exit 1; }

if [ "$(cat "$out/.flows" 2>/dev/null || true)" != "$flows" ]; then
    echo "== generating floods ($flows flows)"
    start=$(date +%s)
    python3 Scripts/make-floods.py "$out" --flows "$flows"
    echo "$flows" > "$out/.flows"
    echo "   generated in $(( $(date +%s) - start )) s; $(du -sh "$out" | cut -f1)"
fi
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

summary() {
    python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
u = s.get("undecodable", {})
print(f"flows {s['flows']} evicted {s['evicted_flows']} peak_active {s['peak_active_flows']} "
      f"packets {s['packets']} fragments_reassembled {s['fragments_reassembled']} "
      f"fragment_incomplete {u.get('fragment_incomplete', 0)} fragment_limit {u.get('fragment_limit', 0)}")
PY
}

run() {
    local label=$1; shift
    local file="$out/${label//[ =]/_}"
    /usr/bin/time -f "%e %M" -o "$file.time" "$binary" analyze --format jsonl --no-rules -q --force \
        -o /dev/null --stats "$file.stats.json" "$@"
    read -r wall rss < "$file.time"
    local stats="$file.stats.json"
    printf '%-28s wall %7s s  peak RSS %5d MiB  %s\n' "$label" "$wall" $((rss / 1024)) "$(summary "$stats")"
}

echo "== runs (release)"
run "flows max-flows=1000000" --max-flows 1000000 "$out/flood-flows.pcap"
run "flows max-flows=100000" --max-flows 100000 "$out/flood-flows.pcap"
run "flows max-flows=10000" --max-flows 10000 "$out/flood-flows.pcap"
run "fragments" "$out/flood-fragments.pcap"
run "tcpseq" "$out/flood-tcpseq.pcap"
