#!/usr/bin/env bash
# Runs the official WOPI validator (../shared/wopi-validator) against a Folio started on a
# temporary data directory. Usage: scripts/validate.sh [--cspp-plus] [validator args...]
#   e.g. scripts/validate.sh -g Locks     or     scripts/validate.sh --proof-keys test
# --cspp-plus: Folio trusts the validator's discovery.xml as an editor enrolled in CSPP Plus
#   (proof keys enforced) and the token is minted for that editor, so CheckFileInfo is the
#   CSPP Plus one; pass e.g. `--proof-keys test -e All -d`.
# Env: FOLIO_BIN (default target/release/folio, built if missing), VALIDATOR_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
validator=${VALIDATOR_DIR:-$here/../shared/wopi-validator}
if [ ! -x "$validator/wopi-validator" ]; then
  echo "validate.sh: no validator at $validator; skipping" >&2
  exit 0
fi
bin=${FOLIO_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/folio}
if [ ! -x "$bin" ]; then
  (cd "$here" && cargo build --release -q -p folio)
fi
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export FOLIO_DATA=$work/data
client_args=()
if [ "${1:-}" = "--cspp-plus" ]; then
  shift
  cat >"$work/folio.toml" <<EOF
[[editors]]
name = "validator"
discovery = "$validator/discovery.xml"
cspp_plus = true
collaboration_url = "https://collaboration.validator.example/"
realtime_channel_url = "https://realtime.validator.example/"
file_geo_location_code = "US"
EOF
  export FOLIO_CONFIG=$work/folio.toml
  client_args=(--client validator)
fi
case "${FOLIO_DATABASE_URL:-}" in postgres*) "$bin" migrate >/dev/null ;; esac
"$bin" users add validator --name "WOPI Validator" >/dev/null
: > "$work/test.wopitest"
# In a sub-folder of the root: the container groups use the parent (renamable, writable) and
# the root separately (spec/containers-ecosystem.md §4).
file_id=$("$bin" files put "$work/test.wopitest" --owner validator --folder Validator)
mkfifo "$work/out"
"$bin" serve --listen 127.0.0.1:0 ${FOLIO_SERVE_ARGS:-} >"$work/out" 2>"$work/server.log" &
server_pid=$!
read -r line <"$work/out"
cat "$work/out" >/dev/null &
url=$(echo "$line" | sed -n 's/^folio listening on \(http:[^ ]*\).*/\1/p')
[ -n "$url" ] || { echo "validate.sh: server did not start: $line" >&2; cat "$work/server.log" >&2; exit 1; }
token_json=$(FOLIO_PUBLIC_URL=$url "$bin" token --user validator --file "$file_id" "${client_args[@]}")
wopi_src=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["wopi_src"])' <<<"$token_json")
token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$token_json")
ttl=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token_ttl"])' <<<"$token_json")
cd "$validator"
set +e
./wopi-validator -w "$wopi_src" -t "$token" -l "$ttl" "$@"
rc=$?
set -e
if [ -n "${VALIDATOR_SERVER_LOG:-}" ]; then cp "$work/server.log" "$VALIDATOR_SERVER_LOG"; fi
exit $rc
