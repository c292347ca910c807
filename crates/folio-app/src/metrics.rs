//! Folio's metrics: **the one place that names series**, on `prometheus-client` (the Prometheus
//! project's Rust client). One [`Metrics`] per process, built by the composition root and handed
//! to [`Editors`](crate::editors::Editors) and [`App`](crate::App); nothing is global, so every
//! server a test starts counts for itself.
//!
//! Label values are `&'static str` or numbers chosen by the code (operation names, route
//! templates from the router, reasons from a closed set, status codes, configured editor
//! names): no label ever carries a token, a file name, an id or another string a client sent.
//! Series are listed in docs/OPERATIONS.md.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

/// The `Content-Type` of [`Metrics::encode`]'s output (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// One HTTP request, as counted.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// `wopi`, `api`, `page`, `oauth`, `ops`, `static`, `dev_editor` or `unmatched`.
    pub surface: &'static str,
    /// `GET`, `POST`, … or `other`.
    pub method: &'static str,
    /// The router's template (`/wopi/files/{id}`), never the requested path; `unmatched` when
    /// no route matched.
    pub route: String,
    /// The WOPI operation (`CheckFileInfo`), `unknown` for a WOPI request that names none, and
    /// empty off the WOPI surface.
    pub operation: &'static str,
    /// The response status code.
    pub status: u16,
}

/// An HTTP request's duration, as observed (the request labels without the status).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DurationLabels {
    /// See [`RequestLabels::surface`].
    pub surface: &'static str,
    /// See [`RequestLabels::method`].
    pub method: &'static str,
    /// See [`RequestLabels::route`].
    pub route: String,
    /// See [`RequestLabels::operation`].
    pub operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LockConflictLabels {
    operation: &'static str,
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolStateLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EditorLabels {
    /// The configured editor name (operator-chosen, bounded by the configuration).
    editor: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

fn duration_histogram() -> Histogram {
    // 1 ms … ~33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Every series Folio exports, registered in one [`Registry`].
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_duration: Family<DurationLabels, Histogram, fn() -> Histogram>,
    lock_conflicts: Family<LockConflictLabels, Counter>,
    proof_failures: Family<ReasonLabels, Counter>,
    discovery_refreshes: Counter,
    put_file_bytes: Histogram,
    put_file_duration: Histogram,
    sweep_runs: Family<ResultLabels, Counter>,
    sweep_removed: Family<KindLabels, Counter>,
    sweep_last_success: FloatGauge,
    webhook_attempts: Family<ResultLabels, Counter>,
    webhook_deliveries: Family<StateLabels, Gauge>,
    editing_sessions: Gauge,
    locks_active: Family<KindLabels, Gauge>,
    db_pool_connections: Family<PoolStateLabels, Gauge>,
    db_pool_max: Family<PoolLabels, Gauge>,
    db_pool_waiting: Family<PoolLabels, Gauge>,
    discovery_age: Family<EditorLabels, FloatGauge>,
    discovery_loaded: Family<EditorLabels, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every series registered (none observed yet).
    pub fn new() -> Self {
        let mut r = Registry::with_prefix("folio");
        let requests = Family::<RequestLabels, Counter>::default();
        r.register(
            "http_requests",
            "HTTP requests answered, by surface, method, route template, WOPI operation and status",
            requests.clone(),
        );
        let request_duration =
            Family::<DurationLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                duration_histogram as fn() -> Histogram,
            );
        r.register_with_unit(
            "http_request_duration",
            "Time from the request's arrival to its response head, by surface, method, route template and WOPI operation",
            Unit::Seconds,
            request_duration.clone(),
        );
        let lock_conflicts = Family::<LockConflictLabels, Counter>::default();
        r.register(
            "wopi_lock_conflicts",
            "WOPI requests refused with 409 because of a lock, by operation and X-WOPI-LockFailureReason",
            lock_conflicts.clone(),
        );
        let proof_failures = Family::<ReasonLabels, Counter>::default();
        r.register(
            "proof_key_failures",
            "WOPI requests refused because their proof-key signature did not verify, by reason",
            proof_failures.clone(),
        );
        let discovery_refreshes = Counter::default();
        r.register(
            "discovery_refreshes",
            "Discovery fetch attempts",
            discovery_refreshes.clone(),
        );
        // 1 KiB … 4 GiB.
        let put_file_bytes = Histogram::new(exponential_buckets(1024.0, 4.0, 12));
        r.register_with_unit(
            "wopi_put_file",
            "Sizes of the contents saved by successful PutFile requests",
            Unit::Bytes,
            put_file_bytes.clone(),
        );
        let put_file_duration = duration_histogram();
        r.register_with_unit(
            "wopi_put_file_duration",
            "Time a successful PutFile took from its lock check to its commit (body upload included)",
            Unit::Seconds,
            put_file_duration.clone(),
        );
        let sweep_runs = Family::<ResultLabels, Counter>::default();
        r.register(
            "sweep_runs",
            "Sweep runs, by result (ok, error)",
            sweep_runs.clone(),
        );
        let sweep_removed = Family::<KindLabels, Counter>::default();
        r.register(
            "sweep_removed",
            "What sweeps deleted, by kind (orphan_blobs, incomplete_uploads, expired_tokens, expired_oauth, purged_trash, purged_links, dropped_versions)",
            sweep_removed.clone(),
        );
        let sweep_last_success = FloatGauge::default();
        r.register(
            "sweep_last_success_timestamp_seconds",
            "When the last sweep that succeeded ended (Unix time); 0 before the first",
            sweep_last_success.clone(),
        );
        let webhook_attempts = Family::<ResultLabels, Counter>::default();
        r.register(
            "webhook_delivery_attempts",
            "Webhook delivery attempts, by result (delivered, retry, failed: given up)",
            webhook_attempts.clone(),
        );
        let webhook_deliveries = Family::<StateLabels, Gauge>::default();
        r.register(
            "webhook_deliveries",
            "Webhook deliveries in the outbox, by state (pending: not yet delivered; failed: given up), read at scrape time",
            webhook_deliveries.clone(),
        );
        let editing_sessions = Gauge::default();
        r.register(
            "editing_sessions_active",
            "Live file tokens minted for an editor (the admin page's editing sessions), read at scrape time",
            editing_sessions.clone(),
        );
        let locks_active = Family::<KindLabels, Gauge>::default();
        r.register(
            "locks_active",
            "Live locks, read at scrape time: files under a WOPI lock (kind=wopi) and CSPP Plus coauth locks (kind=coauth)",
            locks_active.clone(),
        );
        let db_pool_connections = Family::<PoolStateLabels, Gauge>::default();
        r.register(
            "db_pool_connections",
            "Database pool connections, by pool and state (in_use, idle), read at scrape time",
            db_pool_connections.clone(),
        );
        let db_pool_max = Family::<PoolLabels, Gauge>::default();
        r.register(
            "db_pool_max_connections",
            "Database pool size limit, by pool",
            db_pool_max.clone(),
        );
        let db_pool_waiting = Family::<PoolLabels, Gauge>::default();
        r.register(
            "db_pool_waiting",
            "Store calls waiting for a connection of the pool (or for their transaction to begin), read at scrape time",
            db_pool_waiting.clone(),
        );
        let discovery_age = Family::<EditorLabels, FloatGauge>::default();
        r.register_with_unit(
            "discovery_age",
            "Age of each editor's loaded discovery (since it was fetched), read at scrape time; absent while none is loaded",
            Unit::Seconds,
            discovery_age.clone(),
        );
        let discovery_loaded = Family::<EditorLabels, Gauge>::default();
        r.register(
            "discovery_loaded",
            "1 when the editor's discovery is loaded, else 0",
            discovery_loaded.clone(),
        );
        Self {
            registry: r,
            requests,
            request_duration,
            lock_conflicts,
            proof_failures,
            discovery_refreshes,
            put_file_bytes,
            put_file_duration,
            sweep_runs,
            sweep_removed,
            sweep_last_success,
            webhook_attempts,
            webhook_deliveries,
            editing_sessions,
            locks_active,
            db_pool_connections,
            db_pool_max,
            db_pool_waiting,
            discovery_age,
            discovery_loaded,
        }
    }

    /// The exposition, Prometheus text format 0.0.4 ([`CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }

    /// One HTTP request answered.
    pub fn http_request(&self, labels: RequestLabels, elapsed: Duration) {
        let d = DurationLabels {
            surface: labels.surface,
            method: labels.method,
            route: labels.route.clone(),
            operation: labels.operation,
        };
        self.requests.get_or_create(&labels).inc();
        self.request_duration
            .get_or_create(&d)
            .observe(elapsed.as_secs_f64());
    }

    /// A WOPI lock conflict (409). `reason` is the `X-WOPI-LockFailureReason` the protocol
    /// code chose (a `&'static str` from a closed set); it is exported in snake case.
    pub fn lock_conflict(&self, operation: &'static str, reason: &'static str) {
        self.lock_conflicts
            .get_or_create(&LockConflictLabels {
                operation,
                reason: reason_label(reason),
            })
            .inc();
    }

    /// A refused proof-key check.
    pub fn proof_failure(&self, reason: &'static str) {
        self.proof_failures
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// A discovery fetch attempt.
    pub fn discovery_refresh(&self) {
        self.discovery_refreshes.inc();
    }

    /// A successful PutFile: its size and how long it took.
    pub fn put_file(&self, bytes: u64, elapsed: Duration) {
        self.put_file_bytes.observe(bytes as f64);
        self.put_file_duration.observe(elapsed.as_secs_f64());
    }

    /// A sweep run: what it deleted, by kind (`orphan_blobs`, `incomplete_uploads`,
    /// `expired_tokens`, `expired_oauth`, `dropped_versions`), or `None` when it failed. `now_ms`
    /// is when it ended.
    pub fn sweep(&self, removed: Option<&[(&'static str, u64)]>, now_ms: i64) {
        match removed {
            Some(kinds) => {
                self.sweep_runs
                    .get_or_create(&ResultLabels { result: "ok" })
                    .inc();
                for &(kind, n) in kinds {
                    self.sweep_removed
                        .get_or_create(&KindLabels { kind })
                        .inc_by(n);
                }
                self.sweep_last_success.set(now_ms as f64 / 1000.0);
            }
            None => {
                self.sweep_runs
                    .get_or_create(&ResultLabels { result: "error" })
                    .inc();
            }
        }
    }

    /// One webhook delivery attempt: `delivered`, `retry` (failed, will be retried) or
    /// `failed` (failed, given up).
    pub fn webhook_attempt(&self, result: &'static str) {
        self.webhook_attempts
            .get_or_create(&ResultLabels { result })
            .inc();
    }

    /// The scrape-time figures read from the store.
    pub fn set_store_figures(&self, f: &folio_store::OpsFigures) {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        for (state, v) in [
            ("pending", f.deliveries_pending),
            ("failed", f.deliveries_failed),
        ] {
            self.webhook_deliveries
                .get_or_create(&StateLabels { state })
                .set(n(v));
        }
        for (kind, v) in [("wopi", f.wopi_locks), ("coauth", f.coauth_locks)] {
            self.locks_active
                .get_or_create(&KindLabels { kind })
                .set(n(v));
        }
        self.editing_sessions.set(n(f.editing_sessions));
    }

    /// The scrape-time figures of the database pools.
    pub fn set_pool_figures(&self, pools: &[folio_store::PoolFigures]) {
        for p in pools {
            let gauge = |v: u32| i64::from(v);
            self.db_pool_connections
                .get_or_create(&PoolStateLabels {
                    pool: p.pool,
                    state: "in_use",
                })
                .set(gauge(p.in_use));
            self.db_pool_connections
                .get_or_create(&PoolStateLabels {
                    pool: p.pool,
                    state: "idle",
                })
                .set(gauge(p.idle));
            self.db_pool_max
                .get_or_create(&PoolLabels { pool: p.pool })
                .set(gauge(p.max));
            self.db_pool_waiting
                .get_or_create(&PoolLabels { pool: p.pool })
                .set(i64::from(p.waiting));
        }
    }

    /// One editor's discovery state at scrape time: `age` is `None` while none is loaded.
    pub fn set_discovery(&self, editor: &str, age: Option<Duration>) {
        let l = EditorLabels {
            editor: editor.to_owned(),
        };
        self.discovery_loaded
            .get_or_create(&l)
            .set(i64::from(age.is_some()));
        match age {
            Some(a) => {
                self.discovery_age.get_or_create(&l).set(a.as_secs_f64());
            }
            None => {
                self.discovery_age.remove(&l);
            }
        }
    }
}

/// `"lock id differs"` → `"lock_id_differs"`.
fn reason_label(reason: &'static str) -> String {
    reason
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
        text.lines().find(|l| l.starts_with(prefix))
    }

    #[test]
    fn series_names_follow_the_conventions() {
        let m = Metrics::new();
        m.http_request(
            RequestLabels {
                surface: "wopi",
                method: "GET",
                route: "/wopi/files/{id}".into(),
                operation: "CheckFileInfo",
                status: 200,
            },
            Duration::from_millis(3),
        );
        m.lock_conflict("Lock", "locked with another id");
        m.proof_failure("bad_signature");
        m.discovery_refresh();
        m.put_file(2048, Duration::from_millis(5));
        m.sweep(
            Some(&[("orphan_blobs", 2), ("expired_tokens", 0)]),
            1_000_000,
        );
        m.webhook_attempt("delivered");
        m.set_discovery("collabora", Some(Duration::from_secs(7)));
        m.set_discovery("gone", None);
        let t = m.encode();
        for want in [
            "folio_http_requests_total{surface=\"wopi\",method=\"GET\",route=\"/wopi/files/{id}\",operation=\"CheckFileInfo\",status=\"200\"} 1",
            "folio_http_request_duration_seconds_count{surface=\"wopi\",method=\"GET\",route=\"/wopi/files/{id}\",operation=\"CheckFileInfo\"} 1",
            "folio_wopi_lock_conflicts_total{operation=\"Lock\",reason=\"locked_with_another_id\"} 1",
            "folio_proof_key_failures_total{reason=\"bad_signature\"} 1",
            "folio_discovery_refreshes_total 1",
            "folio_wopi_put_file_bytes_sum 2048.0",
            "folio_wopi_put_file_duration_seconds_count 1",
            "folio_sweep_runs_total{result=\"ok\"} 1",
            "folio_sweep_removed_total{kind=\"orphan_blobs\"} 2",
            "folio_sweep_last_success_timestamp_seconds 1000.0",
            "folio_webhook_delivery_attempts_total{result=\"delivered\"} 1",
            "folio_discovery_age_seconds{editor=\"collabora\"} 7.0",
            "folio_discovery_loaded{editor=\"gone\"} 0",
        ] {
            assert!(
                line(&t, want).is_some_and(|l| l == want),
                "missing {want:?} in\n{t}"
            );
        }
        assert!(line(&t, "folio_discovery_age_seconds{editor=\"gone\"}").is_none());
    }

    #[test]
    fn reasons_become_snake_case() {
        assert_eq!(reason_label("lock id differs"), "lock_id_differs");
        assert_eq!(
            reason_label("another client holds the exclusive coauth lock"),
            "another_client_holds_the_exclusive_coauth_lock"
        );
    }
}
