#!/usr/bin/env python3
"""Splits a callgrind dump of bench/callgrind.sh into the parts of a request: the inclusive
instructions per request of the functions that bound each part (the first, non-recursive
entry of `callgrind_annotate --inclusive=yes` that matches).

usage: callgrind_split.py DUMP N"""
import re, subprocess, sys

dump, n = sys.argv[1], int(sys.argv[2])
out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", dump],
                     capture_output=True, text=True).stdout
rows = []
for line in out.splitlines():
    m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)$", line)
    if m:
        rows.append((int(m.group(1).replace(",", "")), m.group(2)))
total = next((c for c, f in rows if "PROGRAM TOTALS" in f), None) or max(c for c, _ in rows)
parts = [
    ("whole request on the runtime (hyper connection task)", r"hyper::proto::h1::dispatch::Dispatcher<.*>::poll_catch "),
    ("  HTTP/1 parse of the request head", r"<hyper::proto::h1::role::Server as hyper::proto::h1::Http1Transaction>::parse "),
    ("  HTTP/1 encode of the response head", r"<hyper::proto::h1::role::Server as hyper::proto::h1::Http1Transaction>::encode "),
    ("  trace middleware (span, log event, metrics; includes all below)", r"folio_http::middleware::trace::\{\{closure\}\} "),
    ("    request metrics (Metrics::http_request)", r"folio_app::metrics::Metrics::http_request "),
    ("    trace/span/request ids (random_hex, random_id)", r"folio_store::random_hex "),
    ("    ", r"folio_store::random_id "),
    ("    security headers middleware (includes all below)", r"folio_http::security_headers::security_headers::\{\{closure\}\} "),
    ("      Wopi extractor: token + user + file + role read, authorization", r"<folio_http::extract::wopi::Wopi as axum_core::extract::FromRequestParts<.*>>::from_request_parts::\{\{closure\}\} "),
    ("      CheckFileInfo response built (App::check_file_info)", r"folio_app::.*check_file_info.*\{\{closure\}\} "),
    ("      JSON serialisation (serde_json::to_writer)", r"serde_json::ser::to_writer"),
    ("SQLite work on sqlx's connection threads", r"sqlx_sqlite::connection::worker::ConnectionWorker::establish::\{\{closure\}\}::\{\{closure\}\} "),
    ("  sqlite3_step", r"[: ]sqlite3_step "),
    ("  sqlite3_prepare (statement cache misses)", r"[: ]sqlite3LockAndPrepare "),
    ("SQLite group-commit writer task", r"folio_store_sqlite::writer::.*run.*\{\{closure\}\} "),
    ("malloc + free (everywhere)", r"[: ]malloc "),
    ("", r"[: ]free "),
]
print("%d requests, %d instructions, %d per request" % (n, total, total // n))
for label, pat in parts:
    rx = re.compile(pat)
    hit = next(((c, f) for c, f in rows if rx.search(f) and "'2" not in f), None)
    name = label or "  (same)"
    if label.strip() == "" and hit:
        name = "    " + re.sub(r"^.*?:", "", hit[1]).split(" [")[0][:60]
    if hit:
        print("%10d  %5.1f%%  %s" % (hit[0] // n, 100.0 * hit[0] / total, name))
    else:
        print("%10s  %6s  %s" % ("-", "", name))
