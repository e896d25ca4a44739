#!/usr/bin/env bash
# Ingest into an SQLite case against analyze writing JSON Lines, in the same run,
# on one capture (e.g. ../shared/bench's mid.pcap or big.pcap: make-bench-pcap.sh):
#   Scripts/bench-case.sh CAPTURE [RUNS]
# Prints the median wall time of each (RUNS runs, default 3, alternating), flows/s
# and the ratio, then the latency of a platform + time-range query and of a CIDR
# query on the case built (median of RUNS). Uses the release build (built first).
set -euo pipefail
cd "$(dirname "$0")/.."
capture=${1:?usage: Scripts/bench-case.sh CAPTURE [RUNS]}
runs=${2:-3}
swift build -c release --product cipherscope >/dev/null
binary="$(swift build -c release --show-bin-path)/cipherscope"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
elapsed() { local start; start=$(now); "$@" >/dev/null 2>&1 || [ $? -eq 2 ]; echo "$(now) - $start" | bc; }

# Warm the page cache (both commands read the file; ingest also hashes it).
cat "$capture" >/dev/null
: > "$scratch/analyze"; : > "$scratch/ingest"
for _ in $(seq "$runs"); do
    elapsed "$binary" analyze --format jsonl -q -o /dev/null "$capture" >> "$scratch/analyze"
    rm -f "$scratch/case.db" "$scratch/case.db-wal" "$scratch/case.db-shm"
    "$binary" case init "$scratch/case.db" 2>/dev/null
    elapsed "$binary" case ingest -q "$scratch/case.db" "$capture" >> "$scratch/ingest"
done
flows=$("$binary" case query "$scratch/case.db" --format jsonl | wc -l)
analyze=$(median < "$scratch/analyze")
ingest=$(median < "$scratch/ingest")
printf 'capture %s: %d flows, %d runs (median wall)\n' "$capture" "$flows" "$runs"
printf '  analyze --format jsonl -o /dev/null  %8.3f s  %10.0f flows/s\n' "$analyze" "$(echo "$flows / $analyze" | bc -l)"
printf '  case ingest (SQLite)                 %8.3f s  %10.0f flows/s\n' "$ingest" "$(echo "$flows / $ingest" | bc -l)"
printf '  ingest / analyze                     %8.3f\n' "$(echo "$ingest / $analyze" | bc -l)"
printf '  case size                            %8.1f MB\n' "$(echo "$(stat -c %s "$scratch/case.db") / 1000000" | bc -l)"

# A platform and time range (the middle hour of the capture), and a CIDR.
platform=$("$binary" case query "$scratch/case.db" --format jsonl --min-confidence low | head -1 |
           python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["platform"])')
first=$("$binary" case files "$scratch/case.db" | awk 'NR == 2 { print $6 }')
from=$(date -u -d "$first" +%s); to=$((from + 3600))
network=$("$binary" case query "$scratch/case.db" --format jsonl | head -1 | python3 -c 'import json,sys; a=json.loads(sys.stdin.readline())["dst_ip"]; print(a.rsplit(".",1)[0]+".0/24" if "." in a else a+"/64")')
for query in "--platform=$platform --from $from --to $to" "--addr $network"; do
    : > "$scratch/query"
    for _ in $(seq "$runs"); do
        # shellcheck disable=SC2086
        elapsed "$binary" case query "$scratch/case.db" --format jsonl $query >> "$scratch/query"
    done
    # shellcheck disable=SC2086
    matched=$("$binary" case query "$scratch/case.db" --format jsonl $query | wc -l)
    printf '  query %-55s %8.3f s  (%d flows)\n' "$query" "$(median < "$scratch/query")" "$matched"
done
