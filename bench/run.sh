#!/usr/bin/env bash
# Folio benchmark (issue 15): every figure beside a baseline measured in the same run, and the
# ratio. A benchmark, not a test: it prints figures and never fails on a missed target (it exits
# non-zero only when it cannot measure: build, start-up, a request that fails outright).
#
# Baselines it starts itself: nginx (apt-get install -y nginx-light if missing; its own config
# and port in the work directory, not the system service) and dd.
#
#   CheckFileInfo, 64 connections (wrk)   vs nginx serving a 150-byte static JSON    goal >= 0.35, p99 <= 5 ms
#   Folio's /healthz (no database)        vs the same nginx figure
#   RefreshLock round-robin over 64 locked files, 64 connections (wrk lua)           goal >= 10,000/s, p99 <= 10 ms
#   Lock/Unlock alternating per file, same files and connections                     goal >= 10,000/s, p99 <= 10 ms
#   GetFile 512 MB (curl, best of N)      vs nginx sendfile of the same bytes         goal <= 1.05x
#   PutFile 512 MB, locked, durable       vs dd bs=4M conv=fsync to a new file        goal <= 1.3x
#   32 concurrent GetFile of 100 MB       vs nginx, same 32 downloads (aggregate)     goal >= 0.9x
#   16 concurrent PutFile of 50 MB        vs 16 parallel dd conv=fsync (aggregate)    goal >= 0.8x
#   resident memory: idle, after load, peak under the concurrent transfers           goal < 64 MB
#   PutFile/GetFile 100 MB on local disk (the baseline of the S3 rows)
# --pg-s3: the same server on PostgreSQL (a throw-away database on FOLIO_TEST_PG) + S3 (s3s-fs,
#   `cargo install s3s-fs@0.14.1 --locked --features binary` if missing, on a free port):
#   CheckFileInfo vs the SQLite figure (goal >= 0.5), lock ops, PutFile/GetFile 100 MB vs
#   local disk (goal <= 1.5x).
# --size: `folio bench-fill` (hidden subcommand: metadata written straight into the schema in
#   big transactions) fills one data directory with 1,000,000 files, 100,000 folders and 10,000
#   users and another with 1,000 files; CheckFileInfo p50/p99 on the big one vs the small one
#   (goal <= 1.2x), listing a 10,000-file folder by API, EnumerateChildren and the web page
#   (goal < 50 ms each, best of N), start-up time (goal < 1 s), CheckFileInfo p99 while
#   `folio sweep` runs vs without (goal: + <= 1 ms).
# MB means MiB. wrk, curl, nginx, dd and the server share the machine's cores.
#
# Usage:  bench/run.sh [--pg-s3] [--size] [--only-size]
# Env:    FOLIO_BIN       use this binary instead of building (default: cargo build --release)
#         BENCH_DURATION  wrk duration (default 10s)      BENCH_CONNECTIONS (default 64)
#         BENCH_THREADS   wrk threads (default 2)         BENCH_RUNS transfer repetitions (default 3)
#         BENCH_SIZE_FILES / _FOLDERS / _USERS  size run (default 1000000 / 100000 / 10000)
#         BENCH_BUILD_RETRIES  build attempts, 60 s apart (default 10)
#         FOLIO_TEST_PG   PostgreSQL server URL without a database (default postgres://postgres@127.0.0.1:5432)
#         BENCH_KEEP=1    keep the work directory
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "$0")/.." && pwd)
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
runs=${BENCH_RUNS:-3}
pg_s3=no size=no main=yes
for a in "$@"; do
  case $a in
    --pg-s3) pg_s3=yes ;;
    --size) size=yes ;;
    --only-size) size=yes main=no ;;
    -h | --help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $a" >&2; exit 2 ;;
  esac
done

say() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------- prerequisites
need_apt() { # command package
  command -v "$1" >/dev/null && return 0
  say "installing $2"
  apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$2" >/dev/null; } \
    || die "cannot install $2"
}
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
need_apt wrk wrk
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need_apt nginx nginx-light
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /var/tmp/folio-bench.XXXXXX)   # on the disk (not tmpfs): fsync is real
pids=()
pg_db=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$pg_db" ]; then psql "$pg_url/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  if [ "${BENCH_KEEP:-}" = 1 ]; then say "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------- build
if [ -n "${FOLIO_BIN:-}" ]; then
  src_bin=$FOLIO_BIN
else
  attempts=${BENCH_BUILD_RETRIES:-10}
  for ((i = 1; ; i++)); do
    say "cargo build --release -p folio (attempt $i/$attempts)"
    if (cd "$here" && cargo build --release -q -p folio) >"$work/build.log" 2>&1; then break; fi
    ((i < attempts)) || { tail -n 40 "$work/build.log" >&2; die "release build failed"; }
    say "build failed (maybe someone's edit in progress); retrying in 60 s"
    sleep 60
  done
  src_bin=${CARGO_TARGET_DIR:-$here/target}/release/folio
fi
[ -x "$src_bin" ] || die "no binary at $src_bin"
bin=$work/folio
cp "$src_bin" "$bin"   # a concurrent rebuild cannot swap the binary mid-benchmark
rev=$(cd "$here" && git describe --always --dirty 2>/dev/null || echo unknown)

# ---------------------------------------------------------------------------- table
rows=()
# row MEASURE FOLIO BASELINE RATIO GOAL
row() { rows+=("$1|$2|$3|$4|$5"); say "$1: $2 | $3 | $4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "" || b == "") print "n/a"; else printf "%.2f", a / b }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
now_s() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.4f", b - a }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
kb_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# to_ms "1.23ms" | "850.00us" | "1.02s" -> milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# wrk_run NAME URL [SCRIPT ARGS...] -> sets W_RPS W_P50 W_P99 (ms) W_NON2XX; never fails on non-2xx
wrk_run() {
  local name=$1 url=$2 script=${3:-}
  local out=$work/wrk-$name.txt
  shift 3 2>/dev/null || shift $#
  if [ -n "$script" ]; then
    wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$script" "$url" -- "$@" >"$out" 2>&1 || { cat "$out" >&2; die "wrk $name failed"; }
  else
    wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk $name failed"; }
  fi
  sed "s/^/  wrk $name| /" "$out" >&2
  W_RPS=$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$out")
  W_P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  W_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  W_NON2XX=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$out")
  W_NON2XX=${W_NON2XX:-0}
  local sockerr
  sockerr=$(awk -F: '/Socket errors/ { print $2 }' "$out")
  [ -n "$W_RPS" ] || die "cannot parse wrk output for $name"
  [ -z "$sockerr" ] || say "WARNING $name: socket errors:$sockerr"
}

# ---------------------------------------------------------------------------- nginx
www=$work/www
mkdir -p "$www" "$work/nginx/logs"
# A CheckFileInfo-shaped body of about 150 bytes.
printf '%s' '{"BaseFileName":"bench.docx","OwnerId":"u1","Size":30,"UserId":"u1","Version":"1","UserCanWrite":true,"SupportsLocks":true,"SupportsUpdate":true,"ReadOnly":false}' >"$www/cfi.json"
nginx_port=$(free_port)
cat >"$work/nginx/nginx.conf" <<EOF
user root;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  types { application/json json; application/octet-stream bin; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $www;
  }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2>"$work/nginx/stderr" &
pids+=($!)
nginx_url=http://127.0.0.1:$nginx_port
for _ in $(seq 100); do curl -sf -o /dev/null "$nginx_url/cfi.json" && break; sleep 0.1; done
curl -sf -o /dev/null "$nginx_url/cfi.json" || { cat "$work/nginx/stderr" "$work/nginx/logs/error.log" >&2; die "nginx did not start"; }
say "nginx at $nginx_url"

# ---------------------------------------------------------------------------- Folio servers
cat >"$work/folio.toml" <<EOF
max_file_size = 2147483648
log = "warn"
EOF
export RUST_LOG=warn
# start_folio NAME DATA_DIR -> sets F_PID F_URL F_START (seconds from exec to the banner)
start_folio() {
  local name=$1 line url t0
  mkfifo "$work/out-$name"
  t0=$(now_s)
  FOLIO_DATA=$2 "$bin" serve --config "$work/folio.toml" --listen 127.0.0.1:0 >"$work/out-$name" 2>"$work/server-$name.log" &
  F_PID=$!
  pids+=("$F_PID")
  line=
  read -r -t 120 line <"$work/out-$name" || true
  F_START=$(since "$t0")
  cat "$work/out-$name" >/dev/null &
  pids+=($!)
  url=$(sed -n 's/^folio listening on \(http:[^ ]*\).*/\1/p' <<<"$line")
  if [ -z "$url" ] || ! kill -0 "$F_PID" 2>/dev/null; then
    cat "$work/server-$name.log" >&2
    die "server $name did not start (first stdout line: ${line:-<none>})"
  fi
  F_URL=$url
  say "folio $name: pid $F_PID at $F_URL, banner after ${F_START} s"
}
stop_folio() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# mint DATA URL FILE_ID [USER] -> "wopi_src token"
mint() {
  local j
  j=$(FOLIO_DATA=$1 FOLIO_PUBLIC_URL=$2 "$bin" token --user "${4:-bench}" --file "$3" --ttl 36000)
  echo "$(json_field wopi_src <<<"$j") $(json_field access_token <<<"$j")"
}
# wopi_post SRC TOKEN OVERRIDE -> fails unless HTTP 200 (lock id "bench")
wopi_post() {
  local code
  code=$(curl -s -o "$work/resp" -w '%{http_code}' -X POST -H "X-WOPI-Override: $3" \
    -H 'X-WOPI-Lock: bench' "$1?access_token=$2") || die "$3 request failed (curl)"
  [ "$code" = 200 ] || die "$3 returned HTTP $code: $(head -c 300 "$work/resp")"
}
# put_timed SRC TOKEN FILE -> seconds of the PUT (locked before, unlocked after)
put_timed() {
  local out code t
  wopi_post "$1" "$2" LOCK
  out=$(curl -s -o "$work/resp" -X POST -H 'X-WOPI-Override: PUT' -H 'X-WOPI-Lock: bench' \
    -H 'Content-Type: application/octet-stream' -T "$3" \
    -w '%{http_code} %{time_total}' "$1/contents?access_token=$2") || die "PutFile failed (curl)"
  read -r code t <<<"$out"
  [ "$code" = 200 ] || die "PutFile returned HTTP $code: $(head -c 300 "$work/resp")"
  wopi_post "$1" "$2" UNLOCK
  echo "$t"
}
# get_timed URL EXPECTED_BYTES -> seconds
get_timed() {
  local out code t size
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}' "$1") || die "GET $1 failed (curl)"
  read -r code t size <<<"$out"
  [ "$code" = 200 ] || die "GET returned HTTP $code"
  [ "$size" = "$2" ] || die "GET returned $size bytes, expected $2"
  echo "$t"
}
# dd_timed SRC -> seconds of dd bs=4M conv=fsync to a new file
dd_timed() {
  local t0 t
  rm -f "$work/dd.out"; sync
  t0=$(now_s)
  dd if="$1" of="$work/dd.out" bs=4M conv=fsync status=none
  t=$(since "$t0")
  rm -f "$work/dd.out"
  echo "$t"
}

# lock_lua -> the wrk script: round-robin over the files listed in $work/lockfiles.lua; each wrk
# thread takes its own share of the files, so no two threads work on one file. Mode (first
# script argument): "refresh" (REFRESH_LOCK) or "lockunlock" (UNLOCK, LOCK, UNLOCK, … per file).
cat >"$work/locks.lua" <<'EOF'
local counter = 1
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  mode = args[1]
  local nthreads = tonumber(args[2])
  dofile(args[3])
  mine = {}
  for i, f in ipairs(files) do
    if (i - 1) % nthreads == tid - 1 then table.insert(mine, f) end
  end
  n = 0
end
function request()
  local f = mine[(n % #mine) + 1]
  local op = "REFRESH_LOCK"
  if mode == "lockunlock" then
    if math.floor(n / #mine) % 2 == 0 then op = "UNLOCK" else op = "LOCK" end
  end
  n = n + 1
  return wrk.format("POST", f, { ["X-WOPI-Override"] = op, ["X-WOPI-Lock"] = "bench" }, "")
end
EOF

# prepare_locks DATA URL -> 64 files put and locked, their paths in $work/lockfiles-$tag.lua
prepare_locks() {
  local data=$1 url=$2 tag=$3 id src tok
  echo "files = {" >"$work/lockfiles-$tag.lua"
  for i in $(seq 1 64); do
    id=$(FOLIO_DATA=$data "$bin" files put "$work/bench.docx" --owner bench --name "lock-$i.docx")
    read -r src tok < <(mint "$data" "$url" "$id")
    wopi_post "$src" "$tok" LOCK
    printf '  "%s?access_token=%s",\n' "${src#"$url"}" "$tok" >>"$work/lockfiles-$tag.lua"
  done
  echo "}" >>"$work/lockfiles-$tag.lua"
}

# lock_rows TAG URL LABEL
lock_rows() {
  wrk_run "refresh-$1" "$2" "$work/locks.lua" refresh "$threads" "$work/lockfiles-$1.lua"
  row "RefreshLock ops/s, 64 files, $connections conn ($3)" "$W_RPS (p99 $W_P99 ms)" "—" "—" ">= 10000, p99 <= 10 ms"
  [ "$W_NON2XX" = 0 ] || say "WARNING RefreshLock: $W_NON2XX non-2xx responses"
  wrk_run "lockunlock-$1" "$2" "$work/locks.lua" lockunlock "$threads" "$work/lockfiles-$1.lua"
  row "Lock/Unlock ops/s, 64 files, $connections conn ($3)" "$W_RPS (p99 $W_P99 ms, $W_NON2XX non-2xx)" "—" "—" ">= 10000, p99 <= 10 ms"
}

printf 'Folio benchmark seed document\n' >"$work/bench.docx"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ============================================================================ main run (SQLite + disk)
if [ "$main" = yes ]; then
  data=$work/data
  FOLIO_DATA=$data "$bin" users add bench --name Bench >/dev/null
  small_id=$(FOLIO_DATA=$data "$bin" files put "$work/bench.docx" --owner bench)
  say "generating test files (512 MB, 100 MB, 50 MB random)"
  head -c 512M /dev/urandom >"$www/big.bin"
  head -c 100M /dev/urandom >"$www/mid.bin"
  head -c 50M /dev/urandom >"$work/p50.bin"
  big_bytes=$((512 * 1048576)) mid_bytes=$((100 * 1048576))
  cp "$www/big.bin" "$work/big.docx"; cp "$www/mid.bin" "$work/mid.docx"
  big_id=$(FOLIO_DATA=$data "$bin" files put "$work/big.docx" --owner bench)
  mid_id=$(FOLIO_DATA=$data "$bin" files put "$work/mid.docx" --owner bench)
  put_id=$(FOLIO_DATA=$data "$bin" files put "$work/bench.docx" --owner bench --name put.docx)
  rm -f "$work/big.docx" "$work/mid.docx"
  start_folio main "$data"
  main_pid=$F_PID main_url=$F_URL
  read -r src tok < <(mint "$data" "$main_url" "$small_id")
  read -r big_src big_tok < <(mint "$data" "$main_url" "$big_id")
  read -r mid_src mid_tok < <(mint "$data" "$main_url" "$mid_id")
  read -r put_src put_tok < <(mint "$data" "$main_url" "$put_id")
  code=$(curl -s -o "$work/resp" -w '%{http_code}' "$src?access_token=$tok")
  [ "$code" = 200 ] || die "CheckFileInfo returned HTTP $code: $(head -c 300 "$work/resp")"
  rss_idle=$(status_kb "$main_pid" VmRSS)

  # -- CheckFileInfo and /healthz against nginx (nginx measured before and after; the mean)
  wrk_run nginx-json-1 "$nginx_url/cfi.json"; nginx1=$W_RPS
  wrk_run cfi "$src?access_token=$tok"; cfi_rps=$W_RPS cfi_p50=$W_P50 cfi_p99=$W_P99
  [ "$W_NON2XX" = 0 ] || die "CheckFileInfo: $W_NON2XX non-2xx responses under load"
  wrk_run healthz "$main_url/healthz"; hz_rps=$W_RPS
  wrk_run nginx-json-2 "$nginx_url/cfi.json"; nginx2=$W_RPS
  nginx_rps=$(((nginx1 + nginx2) / 2))
  row "CheckFileInfo req/s, $connections conn (SQLite)" "$cfi_rps (p50 $cfi_p50, p99 $cfi_p99 ms)" "nginx static JSON $nginx_rps" "$(ratio "$cfi_rps" "$nginx_rps")" ">= 0.35, p99 <= 5 ms"
  row "Folio /healthz req/s" "$hz_rps" "nginx static JSON $nginx_rps" "$(ratio "$hz_rps" "$nginx_rps")" "—"

  # -- lock operations
  prepare_locks "$data" "$main_url" main
  lock_rows main "$main_url" SQLite

  # -- GetFile / PutFile 512 MB
  g=() n=() p=() d=()
  for ((i = 1; i <= runs; i++)); do
    g+=("$(get_timed "$big_src/contents?access_token=$big_tok" "$big_bytes")")
    n+=("$(get_timed "$nginx_url/big.bin" "$big_bytes")")
  done
  gb=$(best "${g[@]}") nb=$(best "${n[@]}")
  row "GetFile 512 MB, s (best of $runs)" "$gb ($(mbps "$big_bytes" "$gb") MB/s)" "nginx sendfile $nb" "$(ratio "$gb" "$nb")" "<= 1.05"
  for ((i = 1; i <= runs; i++)); do
    p+=("$(put_timed "$put_src" "$put_tok" "$www/big.bin")")
    d+=("$(dd_timed "$www/big.bin")")
  done
  pb=$(best "${p[@]}") db=$(best "${d[@]}")
  row "PutFile 512 MB locked durable, s (best of $runs)" "$pb ($(mbps "$big_bytes" "$pb") MB/s)" "dd bs=4M conv=fsync $db" "$(ratio "$pb" "$db")" "<= 1.3"

  # -- 100 MB on local disk (the S3 rows' baseline)
  g=() p=()
  for ((i = 1; i <= runs; i++)); do
    p+=("$(put_timed "$put_src" "$put_tok" "$www/mid.bin")")
    g+=("$(get_timed "$put_src/contents?access_token=$put_tok" "$mid_bytes")")
  done
  disk_put100=$(best "${p[@]}") disk_get100=$(best "${g[@]}")
  row "PutFile 100 MB, local disk, s" "$disk_put100" "—" "—" "(S3 baseline)"
  row "GetFile 100 MB, local disk, s" "$disk_get100" "—" "—" "(S3 baseline)"

  # -- 32 concurrent GetFile of 100 MB; peak RSS from here on
  echo 5 >"/proc/$main_pid/clear_refs" 2>/dev/null || say "cannot reset VmHWM; the peak includes earlier phases"
  conc_get() { # URL -> seconds for 32 parallel downloads
    local t0 k ps=()
    t0=$(now_s)
    for k in $(seq 32); do curl -sf -o /dev/null "$1" & ps+=($!); done
    for k in "${ps[@]}"; do wait "$k" || die "a concurrent GET failed"; done
    since "$t0"
  }
  cf=$(conc_get "$mid_src/contents?access_token=$mid_tok")
  cn=$(conc_get "$nginx_url/mid.bin")
  agg_f=$(mbps $((32 * mid_bytes)) "$cf") agg_n=$(mbps $((32 * mid_bytes)) "$cn")
  row "32 x GetFile 100 MB, aggregate MB/s" "$agg_f (${cf} s)" "nginx $agg_n (${cn} s)" "$(ratio "$agg_f" "$agg_n")" ">= 0.9"

  # -- 16 concurrent PutFile of 50 MB to 16 files
  conc_src=() conc_tok=()
  for k in $(seq 16); do
    id=$(FOLIO_DATA=$data "$bin" files put "$work/bench.docx" --owner bench --name "conc-$k.docx")
    read -r s t < <(mint "$data" "$main_url" "$id")
    wopi_post "$s" "$t" LOCK
    conc_src+=("$s") conc_tok+=("$t")
  done
  t0=$(now_s) ps=()
  for k in $(seq 0 15); do
    curl -sf -o /dev/null -X POST -H 'X-WOPI-Override: PUT' -H 'X-WOPI-Lock: bench' -T "$work/p50.bin" \
      "${conc_src[$k]}/contents?access_token=${conc_tok[$k]}" & ps+=($!)
  done
  for k in "${ps[@]}"; do wait "$k" || die "a concurrent PutFile failed"; done
  cpf=$(since "$t0")
  sync; t0=$(now_s) ps=()
  for k in $(seq 16); do dd if="$work/p50.bin" of="$work/dd-$k.out" bs=4M conv=fsync status=none & ps+=($!); done
  for k in "${ps[@]}"; do wait "$k"; done
  cpd=$(since "$t0"); rm -f "$work"/dd-*.out
  agg_f=$(mbps $((16 * 50 * 1048576)) "$cpf") agg_d=$(mbps $((16 * 50 * 1048576)) "$cpd")
  row "16 x PutFile 50 MB, aggregate MB/s" "$agg_f (${cpf} s)" "16 x dd conv=fsync $agg_d (${cpd} s)" "$(ratio "$agg_f" "$agg_d")" ">= 0.8"
  hwm=$(status_kb "$main_pid" VmHWM)
  rss_after=$(status_kb "$main_pid" VmRSS)
  row "resident memory: idle / after load / peak under concurrent transfers, MB" "$(kb_mb "$rss_idle") / $(kb_mb "$rss_after") / $(kb_mb "$hwm")" "—" "—" "peak < 64"
  if grep -qiE 'panick|error' "$work/server-main.log"; then
    say "server log has errors/panics:"; sed 's/^/  log| /' "$work/server-main.log" | tail -n 20 >&2
  fi
  stop_folio "$main_pid"
fi

# ============================================================================ PostgreSQL + S3
if [ "$pg_s3" = yes ]; then
  pg_url=${FOLIO_TEST_PG:-postgres://postgres@127.0.0.1:5432}
  pg_db=folio_bench_$$
  psql "$pg_url/postgres" -qc "CREATE DATABASE $pg_db" >/dev/null || die "cannot create database $pg_db on $pg_url"
  s3_bin=$(command -v s3s-fs || echo "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs")
  if [ ! -x "$s3_bin" ]; then
    say "installing s3s-fs 0.14.1 (cargo install, a few minutes)"
    cargo install s3s-fs@0.14.1 --locked --features binary >"$work/s3s-install.log" 2>&1 || { tail "$work/s3s-install.log" >&2; die "cannot install s3s-fs"; }
  fi
  s3_port=$(free_port)
  mkdir -p "$work/s3/folio"
  "$s3_bin" --host 127.0.0.1 --port "$s3_port" --access-key folio --secret-key folio-secret "$work/s3" >"$work/s3.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null && break; sleep 0.1; done
  export AWS_ENDPOINT_URL=http://127.0.0.1:$s3_port AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=folio \
    AWS_SECRET_ACCESS_KEY=folio-secret AWS_ALLOW_HTTP=true
  export FOLIO_DATABASE_URL=$pg_url/$pg_db FOLIO_BLOB_URL=s3://folio
  pdata=$work/data-pg
  FOLIO_DATA=$pdata "$bin" migrate >/dev/null
  FOLIO_DATA=$pdata "$bin" users add bench --name Bench >/dev/null
  pid_small=$(FOLIO_DATA=$pdata "$bin" files put "$work/bench.docx" --owner bench)
  pid_put=$(FOLIO_DATA=$pdata "$bin" files put "$work/bench.docx" --owner bench --name put.docx)
  start_folio pg "$pdata"
  pg_pid=$F_PID pg_url_srv=$F_URL
  read -r src tok < <(mint "$pdata" "$pg_url_srv" "$pid_small")
  read -r put_src put_tok < <(mint "$pdata" "$pg_url_srv" "$pid_put")
  wrk_run cfi-pg "$src?access_token=$tok"
  row "CheckFileInfo req/s, $connections conn (PostgreSQL)" "$W_RPS (p50 $W_P50, p99 $W_P99 ms)" "SQLite ${cfi_rps:-n/a}" "$(ratio "$W_RPS" "${cfi_rps:-}")" ">= 0.5"
  prepare_locks "$pdata" "$pg_url_srv" pg
  lock_rows pg "$pg_url_srv" PostgreSQL
  [ -f "$www/mid.bin" ] || head -c 100M /dev/urandom >"$www/mid.bin"
  mid_bytes=$((100 * 1048576))
  g=() p=()
  for ((i = 1; i <= runs; i++)); do
    p+=("$(put_timed "$put_src" "$put_tok" "$www/mid.bin")")
    g+=("$(get_timed "$put_src/contents?access_token=$put_tok" "$mid_bytes")")
  done
  s3p=$(best "${p[@]}") s3g=$(best "${g[@]}")
  row "PutFile 100 MB via S3 (s3s-fs), s" "$s3p" "local disk ${disk_put100:-n/a}" "$(ratio "$s3p" "${disk_put100:-}")" "<= 1.5"
  row "GetFile 100 MB via S3 (s3s-fs), s" "$s3g" "local disk ${disk_get100:-n/a}" "$(ratio "$s3g" "${disk_get100:-}")" "<= 1.5"
  stop_folio "$pg_pid"
  unset FOLIO_DATABASE_URL FOLIO_BLOB_URL
fi

# ============================================================================ size
if [ "$size" = yes ]; then
  n_files=${BENCH_SIZE_FILES:-1000000} n_folders=${BENCH_SIZE_FOLDERS:-100000} n_users=${BENCH_SIZE_USERS:-10000}
  # size_server TAG FILES FOLDERS USERS BIG -> a data directory with user "bench" (password
  # "bench-password") and an API key's application user, filled by bench-fill
  size_data() {
    local d=$work/data-$1
    FOLIO_DATA=$d "$bin" users add bench --name Bench --password-stdin <<<"bench-password" >/dev/null
    FOLIO_DATA=$d "$bin" api-keys create bench --scope files >"$work/key-$1.json"
    local key_id; key_id=$(json_field id <"$work/key-$1.json")
    local t0; t0=$(now_s)
    FOLIO_DATA=$d "$bin" bench-fill --files "$2" --folders "$3" --users "$4" --big-folder "$5" \
      --big-owner bench --big-owner "app:$key_id" >"$work/fill-$1.json"
    say "bench-fill $1: $2 files, $3 folders, $4 users in $(since "$t0") s"
    FOLIO_DATA=$d "$bin" files put "$work/bench.docx" --owner bench --name probe.docx
  }
  small_probe=$(size_data small 1000 100 10 0 | tail -n 1)
  big_probe=$(size_data big "$n_files" "$n_folders" "$n_users" 10000 | tail -n 1)

  start_folio small "$work/data-small"; s_pid=$F_PID s_url=$F_URL s_start=$F_START
  read -r src tok < <(mint "$work/data-small" "$s_url" "$small_probe")
  wrk_run cfi-small "$src?access_token=$tok"; s50=$W_P50 s99=$W_P99 srps=$W_RPS
  stop_folio "$s_pid"

  start_folio big "$work/data-big"; b_pid=$F_PID b_url=$F_URL b_start=$F_START
  read -r src tok < <(mint "$work/data-big" "$b_url" "$big_probe")
  wrk_run cfi-big "$src?access_token=$tok"; b50=$W_P50 b99=$W_P99 brps=$W_RPS
  row "CheckFileInfo p50 ms, 1M files vs 1,000 ($brps vs $srps req/s)" "$b50" "$s50" "$(ratio "$b50" "$s50")" "<= 1.2"
  row "CheckFileInfo p99 ms, 1M files vs 1,000" "$b99" "$s99" "$(ratio "$b99" "$s99")" "<= 1.2"
  row "start-up to listening, s (1M files / 1,000 files)" "$b_start" "$s_start" "$(ratio "$b_start" "$s_start")" "< 1 s"

  # the listings of the 10,000-file folder, best of N
  fill=$work/fill-big.json
  bench_folder=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][0]["big_folder"])' "$fill")
  bench_file=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][0]["big_file"])' "$fill")
  api_key=$(json_field key <"$work/key-big.json")
  timed_get() { # URL [curl args] -> seconds (fails unless 200)
    local out code t u=$1; shift
    out=$(curl -s -o "$work/list.out" -w '%{http_code} %{time_total}' "$@" "$u") || die "GET $u failed"
    read -r code t <<<"$out"
    [ "$code" = 200 ] || die "GET $u: HTTP $code $(head -c 200 "$work/list.out")"
    echo "$t"
  }
  l=(); for ((i = 1; i <= runs; i++)); do l+=("$(timed_get "$b_url/api/v1/folders?path=big" -H "Authorization: Bearer $api_key")"); done
  grep -q 'document-09999' "$work/list.out" || say "WARNING: the API listing lacks document-09999"
  row "list a 10,000-file folder: API, every entry in one answer, ms" "$(ms "$(best "${l[@]}")")" "—" "—" "< 50"
  # the API's first page (`limit`, keyset like the web page's first page)
  l=(); for ((i = 1; i <= runs; i++)); do l+=("$(timed_get "$b_url/api/v1/folders?path=big&limit=100" -H "Authorization: Bearer $api_key")"); done
  grep -q '"next"' "$work/list.out" || say "WARNING: the API's first page has no next cursor"
  row "list a 10,000-file folder: API, first page (limit=100), ms" "$(ms "$(best "${l[@]}")")" "—" "—" "< 50"
  # EnumerateChildren: the folder's container token comes from EnumerateAncestors of a file in it
  read -r fsrc ftok < <(mint "$work/data-big" "$b_url" "$bench_file")
  curl -sf "$fsrc/ancestry?access_token=$ftok" -o "$work/anc.json" || die "EnumerateAncestors failed"
  cont_url=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["AncestorsWithRootFirst"]; print(a[-1]["Url"])' "$work/anc.json")
  cont_base=${cont_url%%\?*} cont_q=${cont_url#*\?}
  l=(); for ((i = 1; i <= runs; i++)); do l+=("$(timed_get "$cont_base/children?$cont_q")"); done
  row "list a 10,000-file folder: EnumerateChildren, ms" "$(ms "$(best "${l[@]}")")" "—" "—" "< 50"
  # the web page: sign in (CSRF cookie + form), then the folder page
  jar=$work/cookies
  curl -s -c "$jar" -o /dev/null "$b_url/login"
  csrf=$(awk '$6 ~ /folio_login_csrf$/ { print $7 }' "$jar")
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "login=bench" --data-urlencode "password=bench-password" \
    --data-urlencode "csrf=$csrf" --data-urlencode "next=/" "$b_url/login"
  l=(); for ((i = 1; i <= runs; i++)); do l+=("$(timed_get "$b_url/folders/$bench_folder" -b "$jar")"); done
  row "list a 10,000-file folder: web page, ms" "$(ms "$(best "${l[@]}")")" "—" "—" "< 50"

  # the sweep's effect on CheckFileInfo p99: wrk while `folio sweep` runs on the same data
  ( while :; do FOLIO_DATA=$work/data-big "$bin" sweep --grace 0 >/dev/null 2>&1 || true; done ) &
  sweeper=$!; pids+=("$sweeper")
  wrk_run cfi-big-sweep "$src?access_token=$tok"
  kill "$sweeper" 2>/dev/null || true; wait "$sweeper" 2>/dev/null || true
  row "CheckFileInfo p99 ms while \`folio sweep\` loops (1M files)" "$W_P99" "$b99" "+$(awk -v a="$W_P99" -v b="$b99" 'BEGIN { printf "%.2f", a - b }') ms" "+ <= 1 ms"
  stop_folio "$b_pid"
fi

# ---------------------------------------------------------------------------- report
{
  echo
  echo "== Folio benchmark (release, $(nproc) cores, $rev; wrk -t$threads -c$connections -d$duration; load average before: $load_before) =="
  printf '%s\n' "${rows[@]}" | python3 -c '
import sys
rows = [l.rstrip("\n").split("|") for l in sys.stdin if l.strip()]
head = ["measure", "Folio", "same-run baseline", "ratio", "goal"]
w = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
fmt = lambda r: "| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |"
print(fmt(head)); print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows: print(fmt(r))
'
}
