#!/usr/bin/env bash
# CSPP Plus incremental-transfer benchmark (issue 11): PutChunkedFile of a ~100 MB .pptx-like zip
# where one slide changed, against a full PutFile of the same document. A benchmark, not a test:
# it prints figures; it exits non-zero only when a request fails or a correctness check fails
# (GetFile bytes after the chunked upload, GetChunkedFile with every chunk known).
#
# Starts a fresh Folio (SQLite + local disk under a temp data dir), enrolls an editor in CSPP Plus
# with a local discovery XML (../shared/wopi-validator/discovery.xml, proof keys off for that
# editor), creates a user and an empty deck.pptx, mints a token with `folio token --client`, and
# runs bench/chunked.py against it (see that file for what is measured and how).
#
# Usage:  bench/chunked.sh [chunked.py args...]      e.g. bench/chunked.sh --size-mb 100
# Env:    FOLIO_BIN       the binary (default: ${CARGO_TARGET_DIR:-target}/release/folio; built
#                         with `cargo build --release --locked -p folio` if missing)
#         DISCOVERY_XML   a discovery file (default ../shared/wopi-validator/discovery.xml)
#         BENCH_KEEP=1    keep the temp directory (printed at the end)
# Needs: python3 with PyPI `spookyhash` 2.1.1 (installed with pip if missing).
set -euo pipefail
trap 'echo "chunked.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "$0")/.." && pwd)
say() { echo "chunked.sh: $*" >&2; }
die() { echo "chunked.sh: ERROR: $*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
if ! python3 -c 'import spookyhash' 2>/dev/null; then
  say "installing spookyhash 2.1.1 (pip)"
  python3 -m pip install -q 'spookyhash==2.1.1' || die "cannot install spookyhash"
fi

discovery=${DISCOVERY_XML:-$here/../shared/wopi-validator/discovery.xml}
[ -f "$discovery" ] || die "no discovery XML at $discovery (set DISCOVERY_XML)"

bin=${FOLIO_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/folio}
if [ ! -x "$bin" ]; then
  say "building $bin"
  (cd "$here" && cargo build --release --locked -q -p folio) || die "release build failed"
fi
[ -x "$bin" ] || die "no binary at $bin"

work=$(mktemp -d /tmp/folio-chunked.XXXXXX)
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
# The server's spool files (PutChunkedFile's incoming chunks) go to $FOLIO_DATA/spool.
mkdir -p "$FOLIO_DATA/spool"
cat >"$work/folio.toml" <<EOF
max_file_size = 2147483648
log = "warn"

[[editors]]
name = "desktop"
discovery = "$discovery"
proof_keys = "off"
cspp_plus = true
collaboration_url = "https://collaboration.example/"
realtime_channel_url = "https://realtime.example/"
file_geo_location_code = "US"
EOF
export FOLIO_CONFIG=$work/folio.toml

"$bin" users add bench --name "Bench User" >/dev/null
: >"$work/deck.pptx"          # an empty file: the first PutChunkedFile fills it
file_id=$("$bin" files put "$work/deck.pptx" --owner bench)

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

token_json=$(FOLIO_PUBLIC_URL=$url "$bin" token --user bench --file "$file_id" --client desktop --ttl 36000)
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <<<"$token_json"; }
wopi_src=$(field wopi_src)
token=$(field access_token)

# The local-disk blob directory (the growth of it is what Folio stored).
blob_dir=$FOLIO_DATA/blobs
[ -d "$blob_dir" ] || blob_dir=$FOLIO_DATA

rev=$(cd "$here" && git describe --always --dirty 2>/dev/null || echo unknown)
set +e
python3 "$here/bench/chunked.py" --wopi-src "$wopi_src" --token "$token" \
  --server-pid "$server_pid" --blob-dir "$blob_dir" --spool-dir "$FOLIO_DATA/spool" --work "$work" \
  --label "$profile binary, $rev, $(nproc) cores" "$@"
rc=$?
set -e
kill -0 "$server_pid" 2>/dev/null || die "server died during the benchmark"
if grep -qiE 'panick|error' "$work/server.log"; then
  say "server log has errors/panics:"; sed 's/^/  log| /' "$work/server.log" >&2
fi
exit $rc
