#!/usr/bin/env bash
# Folio benchmark (a benchmark, not a test: it prints figures and never fails on a missed target).
#
# What it measures, against a release build serving a throw-away data directory under /tmp:
#   1. CheckFileInfo requests/s at 64 concurrent connections (wrk, 2 threads), with latency
#      p50/p99.                                               target >= 10000 req/s on 2 cores
#   2. GetFile and PutFile throughput for a 100 MB random file (curl), 3 runs each, best and
#      median. PutFile runs under a WOPI lock (LOCK, PUT, UNLOCK).
#   3. The server's peak RSS growth while streaming a 1 GB random file: PutFile it, then GetFile
#      it, reading VmRSS/VmHWM from /proc/PID/status around them.         target < 32 MB growth
#   4. A summary block.
# MB means MiB (2^20 bytes) throughout; throughputs are curl's average speed per transfer.
#
# Usage:  bench/run.sh
# Env:    FOLIO_BIN       use this binary instead of building (default: cargo build --release)
#         BENCH_DURATION  wrk duration (default 10s)      BENCH_CONNECTIONS (default 64)
#         BENCH_THREADS   wrk threads (default 2)         BENCH_RUNS curl repetitions (default 3)
#         BENCH_BIG_MB    size of the RSS test file (default 1024)
#         BENCH_BUILD_RETRIES  build attempts, 60 s apart (default 10; others edit the tree)
# Needs: curl, python3, wrk (installed with apt-get if missing). Runs wrk, curl and the server on
# the same machine, so the client competes with the server for the cores.
# Exits non-zero if the build fails, the server does not start, or any request fails.
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "$0")/.." && pwd)
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
runs=${BENCH_RUNS:-3}
big_mb=${BENCH_BIG_MB:-1024}
mid_mb=100

say() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------- prerequisites
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"
if ! command -v wrk >/dev/null; then
  say "installing wrk"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null; } \
    || die "cannot install wrk"
fi

work=$(mktemp -d /tmp/folio-bench.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
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
    if ((i >= attempts)); then
      tail -n 40 "$work/build.log" >&2
      die "release build failed"
    fi
    say "build failed (maybe someone's edit in progress); retrying in 60 s"
    sleep 60
  done
  src_bin=$here/target/release/folio
fi
[ -x "$src_bin" ] || die "no binary at $src_bin"
# Copy it, so a concurrent rebuild cannot swap the binary mid-benchmark.
bin=$work/folio
cp "$src_bin" "$bin"
rev=$(cd "$here" && git describe --always --dirty 2>/dev/null || echo unknown)

# ---------------------------------------------------------------------------- data and server
export FOLIO_DATA=$work/data
export RUST_LOG=warn
cat >"$work/folio.toml" <<EOF
max_file_size = 2147483648
log = "warn"
EOF
"$bin" users add bench --name Bench >/dev/null
printf 'Folio benchmark seed document\n' >"$work/bench.docx"
cp "$work/bench.docx" "$work/big.docx"
small_id=$("$bin" files put "$work/bench.docx" --owner bench)
big_id=$("$bin" files put "$work/big.docx" --owner bench)

mkfifo "$work/out"
"$bin" serve --config "$work/folio.toml" --listen 127.0.0.1:0 >"$work/out" 2>"$work/server.log" &
server_pid=$!
line=
read -r -t 60 line <"$work/out" || true
cat "$work/out" >/dev/null &   # keep draining stdout so the server never blocks on it
url=$(sed -n 's/^folio listening on \(http:[^ ]*\).*/\1/p' <<<"$line")
if [ -z "$url" ] || ! kill -0 "$server_pid" 2>/dev/null; then
  cat "$work/server.log" >&2
  die "server did not start (first stdout line: ${line:-<none>})"
fi
say "server pid $server_pid at $url"

json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
mint() { # file id -> "wopi_src token"
  local j
  j=$(FOLIO_PUBLIC_URL=$url "$bin" token --user bench --file "$1" --ttl 36000)
  echo "$(json_field wopi_src <<<"$j") $(json_field access_token <<<"$j")"
}
read -r src tok < <(mint "$small_id")
read -r big_src big_tok < <(mint "$big_id")
[ -n "$tok" ] && [ -n "$big_tok" ] || die "cannot mint tokens"

# ---------------------------------------------------------------------------- helpers
# wopi_post SRC TOKEN OVERRIDE: LOCK/UNLOCK with lock id "bench"; fails unless HTTP 200.
wopi_post() {
  local code
  code=$(curl -s -o "$work/resp" -w '%{http_code}' -X POST -H "X-WOPI-Override: $3" \
    -H 'X-WOPI-Lock: bench' "$1?access_token=$2") || die "$3 request failed (curl)"
  [ "$code" = 200 ] || die "$3 returned HTTP $code: $(head -c 300 "$work/resp")"
}
# put_file SRC TOKEN FILE -> prints upload speed in bytes/s. LOCK, PUT, UNLOCK.
# The body is streamed from the file with -T (and -X POST): curl's --data-binary @file reads the
# whole file into memory first and refuses files of 1 GiB or more ("out of memory").
put_file() {
  local out code speed
  wopi_post "$1" "$2" LOCK
  out=$(curl -s -o "$work/resp" -X POST -H 'X-WOPI-Override: PUT' -H 'X-WOPI-Lock: bench' \
    -H 'Content-Type: application/octet-stream' -T "$3" \
    -w '%{http_code} %{speed_upload}' "$1/contents?access_token=$2") || die "PutFile failed (curl)"
  read -r code speed <<<"$out"
  [ "$code" = 200 ] || die "PutFile returned HTTP $code: $(head -c 300 "$work/resp")"
  wopi_post "$1" "$2" UNLOCK
  echo "$speed"
}
# get_file SRC TOKEN EXPECTED_BYTES -> prints download speed in bytes/s.
get_file() {
  local out code speed size
  out=$(curl -s -o /dev/null -w '%{http_code} %{speed_download} %{size_download}' \
    "$1/contents?access_token=$2") || die "GetFile failed (curl)"
  read -r code speed size <<<"$out"
  [ "$code" = 200 ] || die "GetFile returned HTTP $code"
  [ "$size" = "$3" ] || die "GetFile returned $size bytes, expected $3"
  echo "$speed"
}
mbps() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
# best_median V... -> "best median" (numeric; median of an even count is the lower middle)
best_median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s %s\n", v[NR], v[int((NR + 1) / 2)] }'
}
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }
kb_to_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# ---------------------------------------------------------------------------- 1. CheckFileInfo
code=$(curl -s -o "$work/resp" -w '%{http_code}' "$src?access_token=$tok") || die "CheckFileInfo failed (curl)"
[ "$code" = 200 ] || die "CheckFileInfo returned HTTP $code: $(head -c 300 "$work/resp")"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)   # other work on the machine skews the figures
say "CheckFileInfo: wrk -t$threads -c$connections -d$duration (load average $load_before)"
wrk -t"$threads" -c"$connections" -d"$duration" --latency "$src?access_token=$tok" >"$work/wrk.txt" 2>&1 \
  || { cat "$work/wrk.txt" >&2; die "wrk failed"; }
sed 's/^/  wrk| /' "$work/wrk.txt" >&2
rps=$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$work/wrk.txt")
p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk.txt")
p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")
non2xx=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$work/wrk.txt")
sockerr=$(awk -F: '/Socket errors/ { print $2 }' "$work/wrk.txt")
[ -n "$rps" ] || die "cannot parse wrk output"
[ -z "$non2xx" ] || die "CheckFileInfo: $non2xx non-2xx responses under load"
[ -z "$sockerr" ] || die "CheckFileInfo: socket errors under load:$sockerr"

# ---------------------------------------------------------------------------- 2. 100 MB transfers
say "generating a ${mid_mb} MB random file"
head -c "${mid_mb}M" /dev/urandom >"$work/mid.bin"
mid_bytes=$((mid_mb * 1048576))
put_speeds=() get_speeds=()
for ((i = 1; i <= runs; i++)); do
  s=$(put_file "$src" "$tok" "$work/mid.bin"); put_speeds+=("$s")
  say "PutFile ${mid_mb} MB run $i: $(mbps "$s") MB/s"
done
for ((i = 1; i <= runs; i++)); do
  s=$(get_file "$src" "$tok" "$mid_bytes"); get_speeds+=("$s")
  say "GetFile ${mid_mb} MB run $i: $(mbps "$s") MB/s"
done
read -r put_best put_med < <(best_median "${put_speeds[@]}")
read -r get_best get_med < <(best_median "${get_speeds[@]}")
rm -f "$work/mid.bin"

# ---------------------------------------------------------------------------- 3. RSS, 1 GB
say "generating a ${big_mb} MB random file"
head -c "${big_mb}M" /dev/urandom >"$work/big.bin"
big_bytes=$((big_mb * 1048576))
hwm_earlier=$(status_kb VmHWM)
# VmHWM is monotonic: reset it to the current RSS (Linux >= 4.0) so earlier phases (wrk, the
# 100 MB transfers) do not count. If that is not allowed, the peak below includes them.
hwm_reset=yes
echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || hwm_reset=no
rss_base=$(status_kb VmRSS)
hwm_base=$(status_kb VmHWM)
say "PutFile ${big_mb} MB"
big_put=$(put_file "$big_src" "$big_tok" "$work/big.bin")
hwm_put=$(status_kb VmHWM)
rss_put=$(status_kb VmRSS)
rm -f "$work/big.bin"
say "GetFile ${big_mb} MB"
big_get=$(get_file "$big_src" "$big_tok" "$big_bytes")
hwm_get=$(status_kb VmHWM)
rss_get=$(status_kb VmRSS)
growth_kb=$((hwm_get - rss_base))

kill -0 "$server_pid" 2>/dev/null || die "server died during the benchmark"
if grep -qiE 'panick|error' "$work/server.log"; then
  say "server log has errors/panics:"; sed 's/^/  log| /' "$work/server.log" >&2
fi

# ---------------------------------------------------------------------------- report
cat <<EOF

-- details --
CheckFileInfo: $rps req/s, latency p50 ${p50:-n/a} p99 ${p99:-n/a} (wrk -t$threads -c$connections -d$duration; load average before: $load_before)
PutFile ${mid_mb} MB x$runs: best $(mbps "$put_best") MB/s, median $(mbps "$put_med") MB/s  [$(for s in "${put_speeds[@]}"; do printf '%s ' "$(mbps "$s")"; done)]
GetFile ${mid_mb} MB x$runs: best $(mbps "$get_best") MB/s, median $(mbps "$get_med") MB/s  [$(for s in "${get_speeds[@]}"; do printf '%s ' "$(mbps "$s")"; done)]
RSS (server pid $server_pid; VmHWM before the ${big_mb} MB test, from earlier phases: $(kb_to_mb "$hwm_earlier") MB; reset: $hwm_reset)
  baseline      VmRSS $(kb_to_mb "$rss_base") MB  VmHWM $(kb_to_mb "$hwm_base") MB
  after PutFile VmRSS $(kb_to_mb "$rss_put") MB  VmHWM $(kb_to_mb "$hwm_put") MB   ($(mbps "$big_put") MB/s)
  after GetFile VmRSS $(kb_to_mb "$rss_get") MB  VmHWM $(kb_to_mb "$hwm_get") MB   ($(mbps "$big_get") MB/s)
  growth (peak VmHWM - baseline VmRSS): $(kb_to_mb "$growth_kb") MB   (target < 32 MB)

== Folio benchmark (release, $(nproc) cores, $rev) ==
CheckFileInfo: $rps req/s at $connections connections, p50 ${p50:-n/a} p99 ${p99:-n/a} (target >= 10000 on 2 cores)
GetFile ${mid_mb} MB: $(mbps "$get_best") MB/s best, $(mbps "$get_med") median   PutFile ${mid_mb} MB: $(mbps "$put_best") MB/s best, $(mbps "$put_med") median
Peak RSS growth streaming ${big_mb} MB: $(kb_to_mb "$growth_kb") MB (target < 32 MB)
EOF
