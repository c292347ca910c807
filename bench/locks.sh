#!/usr/bin/env bash
# The lock lines of bench/run.sh alone (RefreshLock round-robin over 64 locked files; Lock/Unlock
# alternating per file), the same wrk script, with the load average before and after each run
# (wall-clock figures on a shared machine mean little without it).
#
# Usage: FOLIO_BIN=target/release/folio bench/locks.sh
# Env:   BENCH_DURATION (default 10s), BENCH_CONNECTIONS (default 64), BENCH_THREADS (default 2)
# Needs: wrk, curl, python3.
set -euo pipefail
bin=${FOLIO_BIN:?set FOLIO_BIN to a folio binary}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /var/tmp/folio-locks.XXXXXX)   # on the disk: fsync is real
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export FOLIO_DATA=$work/data RUST_LOG=warn
printf 'log = "warn"\n' >"$work/folio.toml"
"$bin" users add bench >/dev/null
printf 'seed\n' >"$work/a.docx"
mkfifo "$work/out"
"$bin" serve --config "$work/folio.toml" --listen 127.0.0.1:0 --no-proof-keys >"$work/out" 2>"$work/server.log" &
pid=$!
read -r -t 120 line <"$work/out"
cat "$work/out" >/dev/null &
url=$(sed -n 's/^folio listening on \(http:[^ ]*\).*/\1/p' <<<"$line")
[ -n "$url" ] || { cat "$work/server.log" >&2; exit 1; }
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
echo "files = {" >"$work/files.lua"
for i in $(seq 1 64); do
  id=$("$bin" files put "$work/a.docx" --owner bench --name "lock-$i.docx")
  j=$(FOLIO_PUBLIC_URL=$url "$bin" token --user bench --file "$id" --ttl 36000)
  src=$(field wopi_src <<<"$j"); tok=$(field access_token <<<"$j")
  curl -sf -o /dev/null -X POST -H 'X-WOPI-Override: LOCK' -H 'X-WOPI-Lock: bench' "$src?access_token=$tok"
  printf '  "%s?access_token=%s",\n' "${src#"$url"}" "$tok" >>"$work/files.lua"
done
echo "}" >>"$work/files.lua"
# The script of bench/run.sh (lock_lua): each wrk thread takes its own share of the files.
sed -n "/^cat >\"\$work\/locks.lua\" <<'EOF'$/,/^EOF$/p" "$here/run.sh" | sed '1d;$d' >"$work/locks.lua"
[ -s "$work/locks.lua" ] || { echo "cannot find the lock script in run.sh" >&2; exit 1; }
for op in refresh lockunlock; do
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$work/locks.lua" "$url" -- \
    "$op" "$threads" "$work/files.lua" >"$work/wrk-$op.txt" 2>&1
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  rps=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$work/wrk-$op.txt")
  p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk-$op.txt")
  p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk-$op.txt")
  non2xx=$(awk '/Non-2xx/ { print $NF }' "$work/wrk-$op.txt")
  echo "$op: $rps ops/s, p50 $p50, p99 $p99, non-2xx ${non2xx:-0}, $connections conn, load average before $before, after $after"
done
