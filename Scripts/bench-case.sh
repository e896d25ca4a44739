#!/usr/bin/env bash
# Ingest into an SQLite case against analyze writing JSON Lines, in the same run,
# on one capture (e.g. ../shared/bench's mid.pcap or big.pcap: make-bench-pcap.sh):
#   Scripts/bench-case.sh CAPTURE [RUNS]
# Prints the median wall time of each (RUNS runs, default 3, alternating), flows/s
# and the ratio, then the latency of a platform + time-range query and of a CIDR
# query on the case built (median of RUNS). Uses the release build (built first).
# Then the same against PostgreSQL 15 on a case grown to 1M flows (see below).
set -eu  # no pipefail: `query | head -1` ends the query with SIGPIPE on purpose
cd "$(dirname "$0")/.."
capture=${1:?usage: Scripts/bench-case.sh CAPTURE [RUNS]}
runs=${2:-3}
# CIPHERSCOPE=path: a release binary built elsewhere (e.g. with --scratch-path).
if [ -n "${CIPHERSCOPE:-}" ]; then
    binary=$CIPHERSCOPE
else
    swift build -c release --product cipherscope >/dev/null
    binary="$(swift build -c release --show-bin-path)/cipherscope"
fi
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

# A platform and time range (the capture's first hour), and a /24 (or /64) of a server.
# (`head` closes the pipes early: no pipefail from here.)
set +o pipefail
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

# PostgreSQL 15 (when installed): a server of the script's own (initdb in the scratch
# folder as `postgres`, 127.0.0.1, a free port, default durability: fsync and
# synchronous_commit on), `case ingest` into it alternately with analyze, same
# capture; then the case grown to at least PG_FLOWS flows (default 1,000,000) by
# copying its flows server-side with first_seen/last_seen moved one day per copy
# (so the time-range query still selects one copy's hour), and the same two queries.
pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/initdb" ]; then echo "PostgreSQL 15 not installed: PostgreSQL part skipped"; exit 0; fi
pg_flows=${PG_FLOWS:-1000000}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chmod 711 "$scratch"  # the server user must reach its folder inside
mkdir -p "$scratch/pg" && if [ "$(id -u)" = 0 ]; then chown postgres "$scratch/pg"; fi
as_postgres "$pgbin/initdb" -D "$scratch/pg/data" -U cipherscope --auth=trust -E UTF8 --locale=C >/dev/null
printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nmax_wal_size = 4GB\n" "$port" "$scratch/pg" \
    >> "$scratch/pg/data/postgresql.conf"
as_postgres "$pgbin/pg_ctl" -D "$scratch/pg/data" -l "$scratch/pg/log" -w start >/dev/null
trap 'as_postgres "$pgbin/pg_ctl" -D "$scratch/pg/data" -m fast -w stop >/dev/null; rm -rf "$scratch"' EXIT
psql_() { psql -h 127.0.0.1 -p "$port" -U cipherscope -X -q -A -t "$@"; }
: > "$scratch/analyze"; : > "$scratch/pg-ingest"
for run in $(seq "$runs"); do
    elapsed "$binary" analyze --format jsonl -q -o /dev/null "$capture" >> "$scratch/analyze"
    psql_ -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
    url="postgresql://cipherscope@127.0.0.1:$port/bench"
    "$binary" case init "$url" 2>/dev/null
    elapsed "$binary" case ingest -q "$url" "$capture" >> "$scratch/pg-ingest"
done
analyze=$(median < "$scratch/analyze")
ingest=$(median < "$scratch/pg-ingest")
flows=$(psql_ -d bench -c "SELECT count(*) FROM flows")
printf 'capture %s into PostgreSQL 15: %d flows, %d runs (median wall)\n' "$capture" "$flows" "$runs"
printf '  analyze --format jsonl -o /dev/null  %8.3f s  %10.0f flows/s\n' "$analyze" "$(echo "$flows / $analyze" | bc -l)"
printf '  case ingest (PostgreSQL, COPY)       %8.3f s  %10.0f flows/s\n' "$ingest" "$(echo "$flows / $ingest" | bc -l)"
printf '  ingest / analyze                     %8.3f\n' "$(echo "$ingest / $analyze" | bc -l)"

columns=$(psql_ -d bench -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'flows' AND column_name <> 'id'")
copy=1
while [ "$(psql_ -d bench -c "SELECT count(*) FROM flows")" -lt "$pg_flows" ]; do
    day=$((copy * 86400000000000))
    shifted=${columns/first_seen/first_seen + $day}; shifted=${shifted/last_seen/last_seen + $day}
    psql_ -d bench -c "INSERT INTO flows ($columns) SELECT $shifted FROM flows WHERE id <= $flows" >/dev/null
    copy=$((copy + 1))
done
psql_ -d bench -c "VACUUM ANALYZE flows"
total=$(psql_ -d bench -c "SELECT count(*) FROM flows")
printf '  case grown to %d flows (%d copies, one day apart): %s\n' "$total" "$copy" "$(psql_ -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")"
for query in "--platform=$platform --from $from --to $to" "--addr $network"; do
    : > "$scratch/query"
    for _ in $(seq "$runs"); do
        # shellcheck disable=SC2086
        elapsed "$binary" case query "$url" --format jsonl $query >> "$scratch/query"
    done
    # shellcheck disable=SC2086
    matched=$("$binary" case query "$url" --format jsonl $query | wc -l)
    printf '  query %-55s %8.3f s  (%d flows)\n' "$query" "$(median < "$scratch/query")" "$matched"
done
