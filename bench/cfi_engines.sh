#!/usr/bin/env bash
# CheckFileInfo on SQLite vs PostgreSQL, back to back in one run (issue 15: PostgreSQL >= 0.5x
# the SQLite figure), and the round trips to PostgreSQL per CheckFileInfo.
#
# Starts two servers of FOLIO_BIN (release build), one on a SQLite data directory, one on a
# throw-away database on FOLIO_TEST_PG (blobs on local disk for both: only the metadata engine
# differs). Then:
#   1. round trips: `strace -f -e trace=sendto` on the PostgreSQL server during N sequential
#      CheckFileInfo requests on one keep-alive connection. Folio answers HTTP with writev, so
#      every sendto goes to PostgreSQL, and each one (a statement, or a ping) waits for its
#      answer: sendto per request = round trips per request.
#   2. wrk CheckFileInfo, 64 connections, SQLite then PostgreSQL, ROUNDS times alternating
#      (the machine is shared: alternating spreads the load drift over both), each figure and
#      the ratio of the sums, with the load average before and after.
#
# Usage: FOLIO_BIN=target/release/folio bench/cfi_engines.sh
# Env:   FOLIO_TEST_PG      server URL without a database (default postgres://postgres@127.0.0.1:5432)
#        BENCH_DURATION     wrk duration per run (default 10s)   BENCH_CONNECTIONS (default 64)
#        BENCH_THREADS      wrk threads (default 2)              ROUNDS (default 2; 0: no wrk)
#        RT_REQUESTS        requests of the round-trip count (default 200)
# Needs: wrk, strace, psql, python3.
set -euo pipefail
bin=${FOLIO_BIN:?set FOLIO_BIN to a folio binary (release build)}
pg=${FOLIO_TEST_PG:-postgres://postgres@127.0.0.1:5432}
pg=${pg%/}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
rounds=${ROUNDS:-2}
rt_n=${RT_REQUESTS:-200}
work=$(mktemp -d /var/tmp/folio-cfi.XXXXXX)
db=folio_cfi_$$
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export RUST_LOG=warn
printf 'seed\n' >"$work/a.docx"
printf 'log = "warn"\n' >"$work/folio.toml"
psql "$pg/postgres" -qc "CREATE DATABASE $db" >/dev/null

# start NAME DATA [env...] -> sets URL PID
start() {
  local name=$1 data=$2 line
  shift 2
  mkfifo "$work/out-$name"
  env FOLIO_DATA="$data" "$@" "$bin" serve --config "$work/folio.toml" --listen 127.0.0.1:0 \
    >"$work/out-$name" 2>"$work/server-$name.log" &
  PID=$!
  pids+=("$PID")
  read -r -t 120 line <"$work/out-$name"
  cat "$work/out-$name" >/dev/null &
  pids+=($!)
  URL=$(sed -n 's/^folio listening on \(http:[^ ]*\).*/\1/p' <<<"$line")
  [ -n "$URL" ] || { cat "$work/server-$name.log" >&2; exit 1; }
}
# setup DATA [env...] -> file id on stdout
setup() {
  local data=$1
  shift
  env FOLIO_DATA="$data" "$@" "$bin" migrate >/dev/null 2>&1 || true
  env FOLIO_DATA="$data" "$@" "$bin" users add bench >/dev/null
  env FOLIO_DATA="$data" "$@" "$bin" files put "$work/a.docx" --owner bench
}
# token DATA URL ID [env...] -> the CheckFileInfo URL with its token
token() {
  local data=$1 url=$2 id=$3
  shift 3
  env FOLIO_DATA="$data" FOLIO_PUBLIC_URL="$url" "$@" "$bin" token --user bench --file "$id" --ttl 36000 |
    python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["wopi_src"] + "?access_token=" + j["access_token"])'
}

pgenv=(FOLIO_DATABASE_URL="$pg/$db")
sid=$(setup "$work/sqlite")
start sqlite "$work/sqlite"
s_url=$(token "$work/sqlite" "$URL" "$sid")
pid_id=$(setup "$work/pg" "${pgenv[@]}")
start pg "$work/pg" "${pgenv[@]}"
p_pid=$PID
p_url=$(token "$work/pg" "$URL" "$pid_id" "${pgenv[@]}")

drive() { # url n: n sequential requests on one connection
  python3 - "$1" "$2" <<'EOF'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); n = int(sys.argv[2])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
for _ in range(n):
    c.request("GET", u.path + "?" + u.query)
    r = c.getresponse(); r.read()
    if r.status != 200: sys.exit("status %d" % r.status)
EOF
}

# 1. Round trips to PostgreSQL per CheckFileInfo.
drive "$p_url" 50
strace -f -qq -e trace=sendto -o "$work/sendto.log" -p "$p_pid" 2>/dev/null &
st=$!
# Wait until strace has attached to every thread of the server.
for _ in $(seq 200); do
  grep -q '^TracerPid:[[:space:]]*0$' /proc/"$p_pid"/task/*/status || break
  sleep 0.05
done
drive "$p_url" "$rt_n"
kill -INT "$st"; wait "$st" 2>/dev/null || true
sends=$(grep -c 'sendto(' "$work/sendto.log" || true)
echo "round trips to PostgreSQL: $sends sendto for $rt_n CheckFileInfo = $(awk -v a="$sends" -v n="$rt_n" 'BEGIN { printf "%.2f", a / n }') per request"

# 2. wrk, alternating (ROUNDS=0: the round-trip count only).
[ "$rounds" -gt 0 ] || exit 0
rate() { # name url
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$2" >"$work/wrk-$1.txt" 2>&1
  local rps p99 non
  rps=$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$work/wrk-$1.txt")
  p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk-$1.txt")
  non=$(awk -F: '/Non-2xx/ { gsub(/ /, "", $2); print $2 }' "$work/wrk-$1.txt")
  echo "$rps $p99 ${non:-0}"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
s_sum=0 p_sum=0
for r in $(seq "$rounds"); do
  read -r rps p99 non < <(rate "s$r" "$s_url")
  echo "round $r SQLite:     $rps req/s, p99 $p99, non-2xx $non"
  s_sum=$((s_sum + rps))
  read -r rps p99 non < <(rate "p$r" "$p_url")
  echo "round $r PostgreSQL: $rps req/s, p99 $p99, non-2xx $non"
  p_sum=$((p_sum + rps))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "CheckFileInfo PostgreSQL / SQLite: $(awk -v a="$p_sum" -v b="$s_sum" 'BEGIN { printf "%.2f", a / b }') (sums of $rounds rounds; goal >= 0.5)"
