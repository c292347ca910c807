#!/usr/bin/env python3
"""Splits a callgrind dump of bench/callgrind.sh into the parts of a request: the inclusive
instructions per request of the functions that bound each part (the first, non-recursive
entry of `callgrind_annotate --inclusive=yes` that matches).

usage: callgrind_split.py DUMP N"""
import re, subprocess, sys

dump, n = sys.argv[1], int(sys.argv[2])
out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--auto=no", dump],
                     capture_output=True, text=True).stdout
rows = []
for line in out.splitlines():
    m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)$", line)
    if m:
        rows.append((int(m.group(1).replace(",", "")), m.group(2)))
total = next((c for c, f in rows if "PROGRAM TOTALS" in f), None) or max(c for c, _ in rows)
# (label, [patterns]): the first pattern with a non-recursive match counts. Release builds inline
# most futures into their callers, so a part is found under its caller's name there (the file
# before the colon still names the crate).
parts = [
    ("whole request on the runtime (hyper connection task)", [r"hyper::proto::h1::dispatch::Dispatcher<.*>::poll_catch ", r"hyper::server::conn::http1::UpgradeableConnection<I,S> as core::future::future::Future>::poll"]),
    ("  HTTP/1 parse of the request head", [r"<hyper::proto::h1::role::Server as hyper::proto::h1::Http1Transaction>::parse "]),
    ("  HTTP/1 encode of the response head", [r"<hyper::proto::h1::role::Server as hyper::proto::h1::Http1Transaction>::encode "]),
    ("  trace middleware (span, log event, metrics; includes all below)", [r"folio_http::middleware::trace::\{\{closure\}\} ", r"from_fn.rs:<axum::middleware::from_fn::FromFn<F,S,I,\(T1,T2\)> as tower_service::Service<.*>>::call::\{\{closure\}"]),
    ("    what the trace middleware runs (Next::run)", [r"from_fn.rs:axum::middleware::from_fn::Next::run::\{\{closure\}\} "]),
    ("    request metrics (Metrics::http_request)", [r"folio_app::metrics::Metrics::http_request "]),
    ("    trace/span ids (random_hex)", [r"folio_store::random_hex "]),
    ("    request id (random_id)", [r"folio_store::random_id "]),
    ("    security headers + audit context middleware (includes all below)", [r"folio_http::security_headers::security_headers::\{\{closure\}\} ", r"from_fn.rs:<axum::middleware::from_fn::FromFn<F,S,I,\(T1,\)> as tower_service::Service<.*>>::call::\{\{closure\}"]),
    ("      the WOPI handler (extractor + App call + response)", [r"axum::handler::Handler<\(M,T1,T2,T3\),S>>::call::\{\{closure\}\} "]),
    ("      Wopi extractor: token + user + file + role read, authorization", [r"<folio_http::extract::wopi::Wopi as axum_core::extract::FromRequestParts<.*>>::from_request_parts::\{\{closure\}\} ", r"extract/wopi.rs:<folio_http::extract::wopi::Wopi as axum_core::extract::FromRequestParts<.*>>::from_request_parts::\{\{closure\}\}"]),
    ("        token_with_file (the one read of token + user + file)", [r"MetadataStore for E>::token_with_file::\{\{closure\}\} "]),
    ("      CheckFileInfo response built (App::check_file_info)", [r"folio_app::.*check_file_info.*\{\{closure\}\} "]),
    ("        FileUrl signature (HMAC-SHA256; soft SHA under valgrind)", [r"folio_app::app::file_info::<impl folio_app::app::App>::file_url "]),
    ("      JSON (axum Json: serde_json into BytesMut)", [r"<axum::json::Json<T> as axum_core::response::into_response::IntoResponse>::into_response "]),
    ("format! (alloc::fmt::format, everywhere)", [r"alloc/src/fmt.rs:alloc::fmt::format::format_inner "]),
    ("SQLite work on sqlx's connection threads", [r"sqlx_sqlite::connection::worker::ConnectionWorker::establish::\{\{closure\}\}::\{\{closure\}\} ", r"sqlx-sqlite-[0-9.]+/src/connection/worker.rs:std::sys::backtrace::__rust_begin_short_backtrace"]),
    ("  sqlite3_step", [r"[: ]sqlite3_step "]),
    ("  sqlite3_value_dup (sqlx copies every column value)", [r"[: ]sqlite3_value_dup "]),
    ("  sqlite3_prepare (statement cache misses)", [r"[: ]sqlite3LockAndPrepare "]),
    ("SQLite group-commit writer task", [r"folio_store_sqlite::writer::.*run.*\{\{closure\}\} "]),
    ("malloc (everywhere)", [r"malloc.c:malloc "]),
    ("free (everywhere)", [r"malloc.c:free "]),
]
print("%d requests, %d instructions, %d per request" % (n, total, total // n))
for label, pats in parts:
    hit = None
    for pat in pats:
        rx = re.compile(pat)
        hit = next(((c, f) for c, f in rows if rx.search(f + " ") and "'2" not in f), None)
        if hit:
            break
    if hit:
        print("%10d  %5.1f%%  %s" % (hit[0] // n, 100.0 * hit[0] / total, label))
    else:
        print("%10s  %6s  %s" % ("-", "", label))
