#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs them.
#
#   Scripts/fuzz.sh [TARGET|all] [SECONDS]      (default: all, 60 s per target)
#
# TARGET is one of: decoder tls quic dtls dns stun ssh http mtproto pipeline capture rules.
# Each target first replays its regression inputs (Fuzz/regressions/TARGET/*), then
# fuzzes for SECONDS starting from the committed seeds (Fuzz/corpus/TARGET, read
# only) and its working corpus (Fuzz/.build-fuzz/corpus/TARGET, kept between runs), with
# -rss_limit_mb=2048. A crash, leak, timeout or out-of-memory input is written to
# Fuzz/.build-fuzz/artifacts/TARGET-*; copy it into Fuzz/regressions/TARGET/ once fixed.
#
# `capture` takes whole capture files. Before fuzzing it replays, each once under
# AddressSanitizer, every capture the test suite runs the `cipherscope` binary on:
# Captures/**, ../shared/captures/ndpi (when present), the damaged copies of both
# (Scripts/make-damaged.py, the copies DamagedCaptureTests makes) and the floods at
# FloodTests' sizes (Scripts/make-floods.py). Its seeds are those captures, not a
# folder of Fuzz/corpus.
#
# Prints one line per target: runs, cov and ft (libFuzzer's final figures), new
# corpus entries, crashes. Exits 1 when any target crashed.
#
# Environment: FUZZ_NO_BUILD=1 skips the build; FUZZ_ARGS adds libFuzzer options;
# FUZZ_LOG_DIR keeps each target's full libFuzzer output (default Fuzz/.build-fuzz/logs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

all_targets=(decoder tls quic dtls dns stun ssh http mtproto pipeline capture rules)
which=${1:-all}
seconds=${2:-60}
if [ "$which" = all ]; then
    targets=("${all_targets[@]}")
else
    case " ${all_targets[*]} " in
        *" $which "*) targets=("$which") ;;
        *) echo "unknown target '$which' (one of: ${all_targets[*]}, all)" >&2; exit 1 ;;
    esac
fi

scratch="$root/Fuzz/.build-fuzz"
# --sanitize so SwiftPM links libFuzzer's main instead of renaming the executables'
# own (and instruments the C dependencies); -Xswiftc -sanitize=fuzzer,address too,
# because swiftc keeps only the last of several -sanitize= options, which would
# leave the Swift code without coverage counters; -parse-as-library because the
# targets have no main.swift.
build=(swift build -c release --package-path Fuzz --scratch-path "$scratch"
       --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    echo "== building the fuzz targets: ${build[*]}"
    started=$(date +%s)
    mkdir -p "$scratch"
    status=0
    "${build[@]}" > "$scratch/build.log" 2>&1 || status=$?
    grep -v -e '^\[' -e '__asan_extra_spill_area' "$scratch/build.log" || true
    [ "$status" = 0 ] || { echo "fuzz build failed" >&2; exit 1; }
    echo "== built in $(( $(date +%s) - started )) s"
fi
bin=$("${build[@]}" --show-bin-path)
logs=${FUZZ_LOG_DIR:-$scratch/logs}
mkdir -p "$logs" "$scratch/artifacts"

# Swift's runtime keeps metadata caches for the whole process: not leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

peers="$root/../shared/captures/ndpi"
[ -d "$peers" ] || peers=""

# The inputs `capture` replays: real, crafted, damaged and flood captures (see the top).
capture_replay() {
    local folder="$scratch/replay"
    rm -rf "$folder"
    mkdir -p "$folder/damaged" "$folder/floods"
    local sources=(Captures/*.pcap Captures/*.pcapng Captures/crafted/*.pcap Captures/crafted/*.pcapng)
    [ -z "$peers" ] || sources+=("$peers"/*.pcap "$peers"/*.pcapng)
    local real=()
    for file in "${sources[@]}"; do [ -e "$file" ] && real+=("$file"); done
    python3 Scripts/make-damaged.py "${real[@]}" "$folder/damaged" >/dev/null
    python3 Scripts/make-floods.py "$folder/floods" --flows 100000 --fragments 100000 --tcp-flows 4000 \
        --only flows --only fragments --only tcpseq >/dev/null
    replay=("${real[@]}" "$folder"/damaged/* "$folder"/floods/*)
}

failed=0
printf '%-9s %10s %7s %7s %7s %8s  %s\n' target runs cov ft corpus crashes note
for target in "${targets[@]}"; do
    binary="$bin/fuzz-$target"
    [ -x "$binary" ] || { echo "$binary missing" >&2; exit 1; }
    log="$logs/$target.log"
    : > "$log"
    note=""
    crashes=0
    # 1. The regression inputs, each run once.
    regressions=(Fuzz/regressions/"$target"/*)
    [ -e "${regressions[0]}" ] || regressions=()
    seeds=("Fuzz/corpus/$target")
    if [ "$target" = capture ]; then
        capture_replay
        regressions+=("${replay[@]}")
        seeds=(Captures ${peers:+"$peers"})
        note="replayed ${#replay[@]} captures"
    fi
    if [ ${#regressions[@]} -gt 0 ]; then
        if ! "$binary" -rss_limit_mb=2048 -timeout=20 "${regressions[@]}" >> "$log" 2>&1; then
            crashes=$((crashes + 1))
            note="a replayed input fails (see the log)"
        fi
    fi
    # 2. Fuzzing from the seeds.
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    status=0
    # shellcheck disable=SC2086
    "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$scratch/artifacts/$target-" ${FUZZ_ARGS:-} \
        "$corpus" "${seeds[@]}" >> "$log" 2>&1 || status=$?
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
    cov=$(echo "$last" | grep -Eo 'cov: [0-9]+' | grep -Eo '[0-9]+' || true)
    ft=$(echo "$last" | grep -Eo 'ft: [0-9]+' | grep -Eo '[0-9]+' || true)
    added=$(grep -Eo 'stat::new_units_added: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
    if [ "$status" != 0 ]; then
        crashes=$((crashes + 1))
        artifact=$(grep -Eo "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //' || true)
        reason=$(grep -Eo 'ERROR: (AddressSanitizer|libFuzzer): [a-z-]+|Fatal error: .*|deadly signal|out-of-memory|timeout' "$log" | head -1 || true)
        note="${reason:-exit $status} ${artifact:+-> $artifact}"
    fi
    [ "$crashes" = 0 ] || failed=1
    printf '%-9s %10s %7s %7s %7s %8s  %s\n' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${added:-?}" "$crashes" "$note"
done
echo "(full libFuzzer output in $logs/)"
exit $failed
