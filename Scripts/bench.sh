#!/usr/bin/env bash
# The project's benchmark (whole process, wall time and peak memory, median of
# RUNS runs, all tools on the same capture in one run so that ratios are fair on a
# noisy machine):
#   - the libpcap read floor (../shared/bench/pcapcount.c),
#   - cipherscope analyze, JSON Lines to /dev/null: without rules, with the shipped
#     packs (one thread, and --threads 2), and with the shipped packs plus 10,000
#     synthetic rules,
#   - ndpiReader (Debian's libndpi-bin) when installed,
#   - the flow table under a flood of 1,000,000 concurrent flows
#     (Scripts/make-floods.py), unbounded and with --max-flows 100000,
#   - the steady path: a few long flows of 1M packets each (Scripts/make-long-flows.py).
# It also checks that --threads 2 writes exactly the single-thread output.
# Usage: Scripts/bench.sh [CAPTURE]   (default: .bench/mid.pcap, built from the
# peer captures by ../shared/bench/make-bench-pcap.sh when missing; BIG=1 for big.pcap)
# Environment: RUNS (default 5), OUT (default .bench).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-.bench}
RUNS=${RUNS:-5}
shared=../shared/bench
mkdir -p "$OUT"
capture=${1:-$OUT/$([ "${BIG:-0}" = 1 ] && echo big || echo mid).pcap}
if [ ! -f "$capture" ]; then
    [ -f "$shared/make-bench-pcap.sh" ] || { echo "bench: $capture missing and $shared absent" >&2; exit 1; }
    command -v editcap >/dev/null && command -v tcprewrite >/dev/null || {
        echo "bench: needs wireshark-common and tcpreplay (apt-get install wireshark-common tcpreplay)" >&2; exit 1; }
    OUT="$OUT" sh "$shared/make-bench-pcap.sh" >&2
fi
swift build -c release --product cipherscope >&2
binary="$(swift build -c release --show-bin-path)/cipherscope"
cc -O2 -o "$OUT/pcapcount" "$shared/pcapcount.c" -lpcap
python3 Scripts/make-synthetic-rules.py "$OUT/synthetic-rules" 10000
read -r packets bytes _ < <("$OUT/pcapcount" "$capture")

# median wall seconds and peak RSS (KiB) of RUNS runs of a command
measure() {
    local times=() rss=()
    for _ in $(seq "$RUNS"); do
        local line
        /usr/bin/time -f "%e %M" -o "$OUT/time.out" "$@" >/dev/null 2>&1 || true
        line=$(tail -1 "$OUT/time.out")
        times+=("${line% *}"); rss+=("${line#* }")
    done
    local t r
    t=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    r=$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END {print a[NR]}')
    echo "$t $r"
}

declare -A wall mem
run() { local name=$1; shift; read -r wall[$name] mem[$name] < <(measure "$@"); }
run floor "$OUT/pcapcount" "$capture"
run no-rules "$binary" analyze -q --no-rules --format jsonl -o /dev/null "$capture"
run shipped "$binary" analyze -q --rules Rules --format jsonl -o /dev/null "$capture"
run shipped:2t "$binary" analyze -q --rules Rules --threads 2 --format jsonl -o /dev/null "$capture"
run shipped+10k "$binary" analyze -q --rules Rules --rules "$OUT/synthetic-rules" --format jsonl -o /dev/null "$capture"
# Start-up (loading and compiling the packs) on a two-packet capture, so that the
# rule engine's per-flow cost can be told from its one-off load time.
tiny=Captures/crafted/linktype-ipv4.pcap
run load:shipped "$binary" analyze -q --rules Rules --format jsonl -o /dev/null "$tiny"
run load:shipped+10k "$binary" analyze -q --rules Rules --rules "$OUT/synthetic-rules" --format jsonl -o /dev/null "$tiny"
names=(floor no-rules shipped shipped:2t shipped+10k)
if command -v ndpiReader >/dev/null; then
    run ndpiReader ndpiReader -q -i "$capture"
    names+=(ndpiReader)
fi

echo "capture: $capture ($packets packets, $bytes bytes), median of $RUNS runs"
printf '%-12s %9s %9s %9s %10s %10s %10s\n' tool seconds Mpps MB/s peak-MiB vs-floor vs-nDPI
for name in "${names[@]}"; do
    awk -v n="$name" -v t="${wall[$name]}" -v m="${mem[$name]}" -v p="$packets" -v b="$bytes" \
        -v f="${wall[floor]}" -v d="${wall[ndpiReader]:-0}" 'BEGIN {
        if (t <= 0) t = 0.001
        printf "%-12s %9.3f %9.3f %9.1f %10.1f %9.1f%% %9s\n", n, t, p / t / 1e6, b / t / 1e6, m / 1024, 100 * f / t, (d > 0 ? sprintf("%.2fx", d / t) : "-")
    }'
done
awk -v a="${wall[shipped]}" -v b="${wall[shipped:2t]}" 'BEGIN { printf "--threads 2: %.2fx the single-thread speed\n", a / b }'
"$binary" analyze -q --force --rules Rules --format jsonl -o "$OUT/out-1t.jsonl" "$capture"
"$binary" analyze -q --force --rules Rules --threads 2 --format jsonl -o "$OUT/out-2t.jsonl" "$capture"
if cmp -s "$OUT/out-1t.jsonl" "$OUT/out-2t.jsonl"; then
    echo "--threads 2 output: identical to the single-thread output ($(wc -l < "$OUT/out-1t.jsonl") flows)"
else
    echo "--threads 2 output: DIFFERS from the single-thread output" >&2; exit 1
fi
rm -f "$OUT/out-1t.jsonl" "$OUT/out-2t.jsonl"
awk -v a="${wall[shipped]}" -v b="${wall[shipped+10k]}" -v la="${wall[load:shipped]}" -v lb="${wall[load:shipped+10k]}" 'BEGIN {
    printf "rule loading: shipped %.2f s, shipped + 10,000 synthetic %.2f s (once per run)\n", la, lb
    printf "10,000 extra rules cost %.1f%% throughput (whole process), %.1f%% net of loading\n", 100 * (b - a) / b, 100 * ((b - lb) - (a - la)) / (b - lb)
}'

# The flow table under floods of a million distinct flows, all open at once: flows
# still being dissected (UDP datagrams and TCP handshakes), and flows whose
# dissection is over (ICMP echo: what every flow keeps for the rest of its life).
for kind in flows concluded; do
    [ -f "$OUT/flood-$kind.pcap" ] || python3 Scripts/make-floods.py "$OUT" --only "$kind" >&2
done
printf '%-16s %9s %9s %10s %12s\n' flood seconds Mpps peak-MiB bytes/flow
for kind in flows concluded; do
    flood=$OUT/flood-$kind.pcap
    read -r flood_packets _ < <("$OUT/pcapcount" "$flood")
    run "flood:$kind" "$binary" analyze -q --rules Rules --max-flows 1000000 --format jsonl -o /dev/null "$flood"
    run "flood:$kind:100k" "$binary" analyze -q --rules Rules --max-flows 100000 --format jsonl -o /dev/null "$flood"
    "$binary" analyze -q --force --rules Rules --max-flows 1000000 --stats "$OUT/flood-stats.json" --format jsonl -o /dev/null "$flood"
    peak=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["peak_active_flows"])' "$OUT/flood-stats.json")
    for name in "flood:$kind" "flood:$kind:100k"; do
        awk -v n="$name" -v t="${wall[$name]}" -v m="${mem[$name]}" -v m0="${mem[load:shipped]}" -v p="$flood_packets" -v f="$peak" 'BEGIN {
            if (t <= 0) t = 0.001
            per = (n ~ /100k/) ? "-" : sprintf("%.0f", (m - m0) * 1024 / f)
            printf "%-16s %9.3f %9.3f %10.1f %12s\n", n, t, p / t / 1e6, m / 1024, per }'
    done
done
echo "bytes/flow: peak RSS above the start-up RSS (rules loaded), divided by the peak of open flows ($peak)"

# The steady path: a few long media flows (Scripts/make-long-flows.py, 1M packets
# each), so that nearly every packet only updates its flow's counters.
long=$OUT/long.pcap
if [ ! -f "$long" ]; then
    python3 Scripts/make-long-flows.py "$long" >&2 || echo "bench: no long-flow capture (needs editcap and ../shared/captures/ndpi)" >&2
fi
if [ -f "$long" ]; then
    read -r long_packets _ < <("$OUT/pcapcount" "$long")
    run long:floor "$OUT/pcapcount" "$long"
    run long:shipped "$binary" analyze -q --rules Rules --format jsonl -o /dev/null "$long"
    awk -v p="$long_packets" -v f="${wall[long:floor]}" -v t="${wall[long:shipped]}" 'BEGIN {
        if (t <= 0) t = 0.001
        printf "long flows (%d packets): floor %.3f s, cipherscope %.3f s (%.2f Mpps), %.1f%% of the floor\n", p, f, t, p / t / 1e6, 100 * f / t }'
fi
