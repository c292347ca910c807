#!/usr/bin/env bash
# System calls per operation, counted by strace on the running server (repeatable whatever else
# the machine does, unlike wall-clock figures): fsync/fdatasync per lock operation under
# concurrency (how many operations one group commit carries), and how GetFile/PutFile move their
# bytes (read/write/sendfile counts and bytes per call, fsyncs).
#
# Usage: FOLIO_BIN=target/release/folio bench/syscalls.sh [N] [C]   (default N=3200 ops, C=16 threads)
# Env:   SYSCALLS_MB  size of the GetFile/PutFile body in MiB (default 512)
#        SYSCALLS_KEEP=1 keep the work directory (strace logs) under /var/tmp
#        SYSCALLS_PG  a PostgreSQL server URL without a database (e.g. postgres://postgres@127.0.0.1:5432):
#                     the metadata in a throw-away database there instead of SQLite (blobs stay local)
# Needs: strace, python3, curl.
set -euo pipefail
n=${1:-3200}
c=${2:-16}
mb=${SYSCALLS_MB:-512}
bin=${FOLIO_BIN:?set FOLIO_BIN to a folio binary}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /var/tmp/folio-syscalls.XXXXXX)   # on the disk: fsync is real
pid= spid= pg_db=
cleanup() {
  [ -n "$pg_db" ] && psql "$SYSCALLS_PG/postgres" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
  [ -n "$spid" ] && kill -INT "$spid" 2>/dev/null
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null
  [ -n "${SYSCALLS_KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
export FOLIO_DATA=$work/data RUST_LOG=warn
printf 'max_file_size = 2147483648\nlog = "warn"\n' >"$work/folio.toml"
if [ -n "${SYSCALLS_PG:-}" ]; then
  pg_db=folio_syscalls_$$
  psql "$SYSCALLS_PG/postgres" -qc "CREATE DATABASE $pg_db" >/dev/null
  export FOLIO_DATABASE_URL=$SYSCALLS_PG/$pg_db
  "$bin" migrate >/dev/null
fi
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
files=()
for i in $(seq 1 64); do
  id=$("$bin" files put "$work/a.docx" --owner bench --name "lock-$i.docx")
  j=$(FOLIO_PUBLIC_URL=$url "$bin" token --user bench --file "$id" --ttl 36000)
  src=$(field wopi_src <<<"$j"); tok=$(field access_token <<<"$j")
  curl -sf -o /dev/null -X POST -H 'X-WOPI-Override: LOCK' -H 'X-WOPI-Lock: bench' "$src?access_token=$tok"
  files+=("${src#"$url"}?access_token=$tok")
  [ "$i" = 1 ] && { big_src=$src; big_tok=$tok; }
done

# trace PHASE CMD... -> strace -c -f of the server while CMD runs; summary in $work/PHASE.c
trace() {
  local phase=$1; shift
  strace -f -c -o "$work/$phase.c" -p "$pid" 2>/dev/null &
  spid=$!
  sleep 1   # strace attaches to every thread before the load starts
  "$@"
  kill -INT "$spid"; wait "$spid" 2>/dev/null || true; spid=
}
calls() { # PHASE SYSCALL -> calls (0 when absent)
  awk -v s="$2" '$NF == s { print ($4 ~ /^[0-9]+$/ ? $4 : $3); f=1 } END { if (!f) print 0 }' "$work/$1.c"
}
per() { python3 -c "import sys; print('%.3f' % (int(sys.argv[1]) / int(sys.argv[2])))" "$1" "$2"; }

for op in refresh lockunlock; do
  python3 "$here/syscalls.py" "$url" "$op" $((8 * c)) "$c" "${files[@]}" >/dev/null   # warm-up (whole lock/unlock cycles)
  trace "$op" python3 "$here/syscalls.py" "$url" "$op" "$n" "$c" "${files[@]}" >"$work/$op.out"
  read -r done_ops secs <"$work/$op.out"
  fs=$(( $(calls "$op" fsync) + $(calls "$op" fdatasync) ))
  echo "$op: $done_ops ops from $c threads in $secs s (under strace): fsync+fdatasync $fs" \
       "($(per "$fs" "$done_ops") per op, $(per "$done_ops" "$(( fs > 0 ? fs : 1 ))") ops per sync)," \
       "pwrite64 $(calls "$op" pwrite64), futex $(calls "$op" futex), total calls/op" \
       "$(per "$(awk '$NF == "total" { print $4 }' "$work/$op.c")" "$done_ops")"
done

python3 "$here/syscalls.py" "$url" cfi "$n" "$c" "${files[@]}" >/dev/null
trace cfi python3 "$here/syscalls.py" "$url" cfi "$n" "$c" "${files[@]}" >"$work/cfi.out"
read -r done_ops secs <"$work/cfi.out"
echo "CheckFileInfo: $done_ops requests: total calls/request $(per "$(awk '$NF == "total" { print $4 }' "$work/cfi.c")" "$done_ops")," \
     "futex $(per "$(calls cfi futex)" "$done_ops"), sendto $(per "$(calls cfi sendto)" "$done_ops"), recvfrom $(per "$(calls cfi recvfrom)" "$done_ops")," \
     "getrandom $(calls cfi getrandom), pread64 $(calls cfi pread64), fsync+fdatasync $(( $(calls cfi fsync) + $(calls cfi fdatasync) ))"

# Bytes per call of the big transfers: a full trace of the data-moving calls.
head -c $((mb * 1024 * 1024)) /dev/urandom >"$work/big.bin"
bytes_per_call() { # LOG -> per syscall: calls, total bytes returned, bytes per call
  # strace splits a call another thread interrupts into "name(... <unfinished ...>" and
  # "<... name resumed> ...) = N": count the call where its result is.
  awk -v calls='read|write|writev|readv|pread64|pwrite64|sendto|recvfrom|sendfile|splice|copy_file_range|sendmsg|recvmsg' '
    /<unfinished \.\.\.>/ { next }
    { name = ""
      if (match($0, "<\\.\\.\\. (" calls ") resumed>", m)) name = m[1]
      else if (match($0, "^[0-9]+ +(" calls ")\\(", m)) name = m[1]
      if (name == "") next
      n = split($0, p, "= "); r = p[n] + 0; c[name]++; if (r > 0) b[name] += r }
    END { for (k in c) printf "    %-10s %8d calls %14d bytes %10d bytes/call\n", k, c[k], b[k], (c[k] ? b[k] / c[k] : 0) }' "$1" | sort -k2 -n -r
}
curl -s -o /dev/null -X POST -H "X-WOPI-Override: LOCK" -H "X-WOPI-Lock: bench" "$big_src?access_token=$big_tok" || true
strace -f -o "$work/put.log" -e trace=read,write,writev,readv,pread64,pwrite64,sendto,recvfrom,sendfile,splice,copy_file_range,fsync,fdatasync,sendmsg,recvmsg -p "$pid" 2>/dev/null &
spid=$!; sleep 1
curl -sf -o /dev/null -X POST -H 'X-WOPI-Override: PUT' -H 'X-WOPI-Lock: bench' \
  -H 'Content-Type: application/octet-stream' -T "$work/big.bin" "$big_src/contents?access_token=$big_tok"
kill -INT "$spid"; wait "$spid" 2>/dev/null || true; spid=
echo "PutFile $mb MiB: fsync $(grep -c 'fsync(' "$work/put.log"), fdatasync $(grep -c 'fdatasync(' "$work/put.log")"
bytes_per_call "$work/put.log"
strace -f -o "$work/get.log" -e trace=read,write,writev,readv,pread64,pwrite64,sendto,recvfrom,sendfile,splice,copy_file_range,sendmsg,recvmsg -p "$pid" 2>/dev/null &
spid=$!; sleep 1
curl -sf -o /dev/null "$big_src/contents?access_token=$big_tok"
kill -INT "$spid"; wait "$spid" 2>/dev/null || true; spid=
echo "GetFile $mb MiB:"
bytes_per_call "$work/get.log"
