#!/usr/bin/env bash
# Instructions per request, counted by callgrind (repeatable whatever else the machine does).
#
# Starts FOLIO_BIN under `valgrind --tool=callgrind` with a throw-away SQLite data directory,
# sends WARMUP CheckFileInfo requests on one keep-alive connection, zeroes the counters, sends N
# more, dumps, and prints instructions per request plus the top functions (inclusive).
#
# Usage: FOLIO_BIN=target/release/folio bench/callgrind.sh [N]     (default N=2000)
# Env:   CALLGRIND_OP   cfi (default: CheckFileInfo) or refresh (RefreshLock of a locked file;
#                       one connection, so every operation is its own group commit)
#        CALLGRIND_OUT  keep the callgrind output file here (default: a temp dir, removed)
#        CALLGRIND_TOP  how many functions to list (default 40)
# Needs: valgrind, python3.
set -euo pipefail
n=${1:-2000}
warmup=200
bin=${FOLIO_BIN:?set FOLIO_BIN to a folio binary (release build with line tables)}
command -v valgrind >/dev/null || { echo "callgrind: valgrind is required" >&2; exit 1; }
work=$(mktemp -d /tmp/folio-callgrind.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export FOLIO_DATA=$work/data RUST_LOG=warn
"$bin" users add bench >/dev/null
printf 'seed\n' >"$work/a.docx"
id=$("$bin" files put "$work/a.docx" --owner bench)
mkfifo "$work/out"
valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --dump-instr=no \
  "$bin" serve --listen 127.0.0.1:0 --no-proof-keys >"$work/out" 2>"$work/server.log" &
pid=$!
read -r -t 300 line <"$work/out"
cat "$work/out" >/dev/null &
url=$(sed -n 's/^folio listening on \(http:[^ ]*\).*/\1/p' <<<"$line")
[ -n "$url" ] || { cat "$work/server.log" >&2; exit 1; }
tok=$(FOLIO_PUBLIC_URL=$url "$bin" token --user bench --file "$id" --ttl 36000 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
op=${CALLGRIND_OP:-cfi}
case $op in cfi) what="CheckFileInfo requests" ;; refresh) what="RefreshLock operations" ;;
  *) echo "callgrind: CALLGRIND_OP must be cfi or refresh" >&2; exit 2 ;; esac
drive() { # count [op]
  python3 - "$url" "$id" "$tok" "$1" "${2:-$op}" <<'EOF'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); fid, tok, n, op = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
path = "/wopi/files/%s?access_token=%s" % (fid, tok)
for _ in range(n):
    if op == "cfi":
        c.request("GET", path)
    else:
        o = {"refresh": "REFRESH_LOCK", "lock": "LOCK"}[op]
        c.request("POST", path, body=b"", headers={"X-WOPI-Override": o, "X-WOPI-Lock": "bench"})
    r = c.getresponse(); r.read()
    if r.status != 200: sys.exit("status %d" % r.status)
EOF
}
if [ "$op" = refresh ]; then drive 1 lock; fi
drive "$warmup"
callgrind_control -z "$pid" >/dev/null
drive "$n"
callgrind_control -d "$pid" >/dev/null
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
dump=$(ls "$work"/cg.out.* 2>/dev/null | sort | head -n 1)
[ -n "$dump" ] || dump=$work/cg.out
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
echo "callgrind: $n $what, $total instructions, $((total / n)) per request"
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | grep -v '^--' | sed -n "1,$((${CALLGRIND_TOP:-40} + 20))p" | tail -n "${CALLGRIND_TOP:-40}"
[ -n "${CALLGRIND_OUT:-}" ] && cp "$dump" "$CALLGRIND_OUT"
true
