#!/usr/bin/env bash
# Case ingest against analyze writing JSON Lines, in the same run, on one capture
# (e.g. ../shared/bench's mid.pcap or big.pcap: make-bench-pcap.sh), then query
# latency on cases grown to 1M flows, for SQLite and (when installed) PostgreSQL 15:
#   Scripts/bench-case.sh CAPTURE [RUNS]
# Each run does analyze, SQLite ingest and PostgreSQL ingest one after the other
# (paired and alternating, so a machine shared with other work loads them alike);
# the script prints the median wall time of each, flows/s, and the median of the
# per-run ratios ingest / analyze. Then each case is grown to at least CASE_FLOWS
# flows (default 1,000,000) by copying its flows inside the database with
# first_seen/last_seen moved one day per copy (so the time-range query still selects
# one copy's hour), and a platform + time-range query and a CIDR query are timed
# (median of RUNS, output to /dev/null). Uses the release build (built first).
set -eu  # no pipefail: `query | head -1` ends the query with SIGPIPE on purpose
cd "$(dirname "$0")/.."
capture=${1:?usage: Scripts/bench-case.sh CAPTURE [RUNS]}
runs=${2:-3}
case_flows=${CASE_FLOWS:-${PG_FLOWS:-1000000}}
# CIPHERSCOPE=path: a release binary built elsewhere (e.g. with --scratch-path).
if [ -n "${CIPHERSCOPE:-}" ]; then
    binary=$CIPHERSCOPE
else
    swift build -c release --product cipherscope >/dev/null
    binary="$(swift build -c release --show-bin-path)/cipherscope"
fi
scratch=$(mktemp -d)
cleanup() { rm -rf "$scratch"; }
trap 'cleanup' EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
elapsed() { local start; start=$(now); "$@" >/dev/null 2>&1 || [ $? -eq 2 ]; echo "$(now) - $start" | bc; }

# PostgreSQL 15 (when installed): a server of the script's own (initdb in the scratch
# folder as `postgres`, 127.0.0.1, a free port, default durability: fsync and
# synchronous_commit on).
pgbin=/usr/lib/postgresql/15/bin
postgres=no
if [ -x "$pgbin/initdb" ]; then
    postgres=yes
    as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    chmod 711 "$scratch"  # the server user must reach its folder inside
    mkdir -p "$scratch/pg" && if [ "$(id -u)" = 0 ]; then chown postgres "$scratch/pg"; fi
    as_postgres "$pgbin/initdb" -D "$scratch/pg/data" -U cipherscope --auth=trust -E UTF8 --locale=C >/dev/null
    printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nmax_wal_size = 4GB\n" "$port" "$scratch/pg" \
        >> "$scratch/pg/data/postgresql.conf"
    as_postgres "$pgbin/pg_ctl" -D "$scratch/pg/data" -l "$scratch/pg/log" -w start >/dev/null
    cleanup() { as_postgres "$pgbin/pg_ctl" -D "$scratch/pg/data" -m fast -w stop >/dev/null; rm -rf "$scratch"; }
    psql_() { psql -h 127.0.0.1 -p "$port" -U cipherscope -X -q -A -t "$@"; }
    url="postgresql://cipherscope@127.0.0.1:$port/bench"
else
    echo "PostgreSQL 15 not installed: PostgreSQL part skipped"
fi
db=$scratch/case.db

# Warm the page cache (every command reads the file; ingest also hashes it).
cat "$capture" >/dev/null
: > "$scratch/analyze"; : > "$scratch/sqlite"; : > "$scratch/pg-wall"; : > "$scratch/sqlite-ratio"; : > "$scratch/pg-ratio"
for _ in $(seq "$runs"); do
    a=$(elapsed "$binary" analyze --format jsonl -q -o /dev/null "$capture"); echo "$a" >> "$scratch/analyze"
    rm -f "$db" "$db-wal" "$db-shm"
    "$binary" case init "$db" 2>/dev/null
    s=$(elapsed "$binary" case ingest -q "$db" "$capture"); echo "$s" >> "$scratch/sqlite"
    echo "$s / $a" | bc -l >> "$scratch/sqlite-ratio"
    if [ $postgres = yes ]; then
        psql_ -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
        "$binary" case init "$url" 2>/dev/null
        p=$(elapsed "$binary" case ingest -q "$url" "$capture"); echo "$p" >> "$scratch/pg-wall"
        echo "$p / $a" | bc -l >> "$scratch/pg-ratio"
    fi
done
flows=$("$binary" case query "$db" --format jsonl | wc -l)
analyze=$(median < "$scratch/analyze")
load=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'capture %s: %d flows, %d paired runs (median wall), load average %s on %d cores\n' "$capture" "$flows" "$runs" "$load" "$(nproc)"
printf '  %-38s %8s %12s %16s\n' "" "wall s" "flows/s" "ingest/analyze"
printf '  %-38s %8.3f %12.0f\n' "analyze --format jsonl -o /dev/null" "$analyze" "$(echo "$flows / $analyze" | bc -l)"
row() { printf '  %-38s %8.3f %12.0f %16.3f\n' "$1" "$2" "$(echo "$flows / $2" | bc -l)" "$3"; }
row "case ingest (SQLite)" "$(median < "$scratch/sqlite")" "$(median < "$scratch/sqlite-ratio")"
[ $postgres = no ] || row "case ingest (PostgreSQL 15, COPY)" "$(median < "$scratch/pg-wall")" "$(median < "$scratch/pg-ratio")"
printf '  SQLite case size %.1f MB\n' "$(echo "$(stat -c %s "$db") / 1000000" | bc -l)"

# The queries: a platform and time range (the capture's first hour), and a /24 (or
# /64) of a server. (`head` closes the pipes early: no pipefail from here.)
platform=$("$binary" case query "$db" --format jsonl --min-confidence low | head -1 |
           python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["platform"])')
first=$("$binary" case files "$db" | awk 'NR == 2 { print $6 }')
from=$(date -u -d "$first" +%s); to=$((from + 3600))
network=$("$binary" case query "$db" --format jsonl | head -1 | python3 -c 'import json,sys; a=json.loads(sys.stdin.readline())["dst_ip"]; print(a.rsplit(".",1)[0]+".0/24" if "." in a else a+"/64")')
queries=("--platform=$platform --from $from --to $to" "--addr $network")

# Grows a case to $case_flows flows: copy k of the first $flows rows, times moved k days.
grow() {  # grow SQL-RUNNER COLUMNS
    local run=$1 columns=$2 copy=1 day shifted
    while [ "$($run "SELECT count(*) FROM flows")" -lt "$case_flows" ]; do
        day=$((copy * 86400000000000))
        shifted=${columns/first_seen/first_seen + $day}; shifted=${shifted/last_seen/last_seen + $day}
        $run "INSERT INTO flows ($columns) SELECT $shifted FROM flows WHERE id <= $flows" >/dev/null
        copy=$((copy + 1))
    done
}
sqlite_() { sqlite3 "$db" "$1"; }
grow sqlite_ "$(sqlite_ "SELECT group_concat(name, ', ') FROM pragma_table_info('flows') WHERE name <> 'id'")"
sqlite_ "ANALYZE" >/dev/null
engines=("SQLite|$db")
if [ $postgres = yes ]; then
    pg_run() { psql_ -d bench -c "$1"; }
    grow pg_run "$(pg_run "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'flows' AND column_name <> 'id'")"
    psql_ -d bench -c "VACUUM ANALYZE flows"
    engines+=("PostgreSQL 15|$url")
fi
printf 'queries on cases grown to %d flows (copies one day apart; median of %d, output to /dev/null)\n' "$case_flows" "$runs"
printf '  %-14s %-55s %8s %8s\n' "engine" "query" "s" "flows"
for engine in "${engines[@]}"; do
    name=${engine%%|*}; target=${engine#*|}
    for query in "${queries[@]}"; do
        : > "$scratch/query"
        for _ in $(seq "$runs"); do
            # shellcheck disable=SC2086
            elapsed "$binary" case query "$target" --format jsonl $query >> "$scratch/query"
        done
        # shellcheck disable=SC2086
        matched=$("$binary" case query "$target" --format jsonl $query | wc -l)
        printf '  %-14s %-55s %8.3f %8d\n' "$name" "$query" "$(median < "$scratch/query")" "$matched"
    done
done
