#!/usr/bin/env bash
# The file browser in a large folder (issue 13): a folder of 10,000 files, its first page loaded
# in headless Chromium, the load time, HTML size and DOM size read from the browser's
# Navigation Timing (bench/web.py). A benchmark, not a test: it prints figures; it exits
# non-zero only when a request or the browser fails. Target: first page < 300 ms, < 200 KB.
#
# Starts a fresh Folio (SQLite + local disk under a temp data dir), creates a user with a
# password, and runs bench/web.py against it (the files are uploaded through the page's upload
# endpoint).
#
# Usage:  bench/web.sh [web.py args...]      e.g. bench/web.sh --files 10000 --runs 7
# Env:    FOLIO_BIN      the binary (default: ${CARGO_TARGET_DIR:-target}/release/folio; built
#                        with `cargo build --release --locked -p folio` if missing)
#         CHROMEDRIVER, CHROMIUM   (default /usr/bin/chromedriver, /usr/bin/chromium)
#         BENCH_KEEP=1   keep the temp directory (printed at the end)
set -euo pipefail
trap 'echo "web.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "$0")/.." && pwd)
say() { echo "web.sh: $*" >&2; }
die() { echo "web.sh: ERROR: $*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
chromedriver=${CHROMEDRIVER:-/usr/bin/chromedriver}
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromedriver" ] && [ -x "$chromium" ] || die "needs $chromium and $chromedriver (Debian: chromium chromium-driver)"

bin=${FOLIO_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/folio}
if [ ! -x "$bin" ]; then
  say "building $bin"
  (cd "$here" && cargo build --release --locked -q -p folio) || die "release build failed"
fi
[ -x "$bin" ] || die "no binary at $bin"

work=$(mktemp -d /tmp/folio-web.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Copy the binary, so a concurrent rebuild cannot swap it mid-benchmark.
case "$bin" in */debug/*) profile=debug ;; *) profile=release ;; esac
cp "$bin" "$work/folio"
bin=$work/folio

export FOLIO_DATA=$work/data
export RUST_LOG=warn
password="bench password $$"
"$bin" users add bench --name "Bench User" --password-stdin <<<"$password" >/dev/null

mkfifo "$work/out"
"$bin" serve --listen 127.0.0.1:0 >"$work/out" 2>"$work/server.log" &
server_pid=$!
line=
read -r -t 60 line <"$work/out" || true
cat "$work/out" >/dev/null &   # keep draining stdout
url=$(sed -n 's/^folio listening on \(http:[^ ]*\).*/\1/p' <<<"$line")
if [ -z "$url" ] || ! kill -0 "$server_pid" 2>/dev/null; then
  cat "$work/server.log" >&2
  die "server did not start (first stdout line: ${line:-<none>})"
fi
say "server pid $server_pid at $url ($profile binary)"

rev=$(cd "$here" && git describe --always --dirty 2>/dev/null || echo unknown)
set +e
python3 "$here/bench/web.py" --url "$url" --password "$password" \
  --chromedriver "$chromedriver" --chromium "$chromium" \
  --label "$profile binary, $rev, $(nproc) cores, SQLite + local disk" "$@"
rc=$?
set -e
kill -0 "$server_pid" 2>/dev/null || die "server died during the benchmark"
if grep -qiE 'panick' "$work/server.log"; then
  say "server log has panics:"; sed 's/^/  log| /' "$work/server.log" >&2
fi
exit $rc
