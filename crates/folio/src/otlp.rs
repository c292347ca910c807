//! Optional OpenTelemetry trace export (`otlp_endpoint`): every HTTP request becomes one
//! server span, sent to a collector over OTLP/HTTP with the JSON encoding
//! (`POST {endpoint}/v1/traces`, what the OpenTelemetry Collector and most back ends accept on
//! port 4318).
//!
//! The span is built from what the request already logs: the `request` span's fields (its
//! `trace.id`, `span.id` and `trace.parent_id` — the caller's W3C `traceparent` when one came —
//! route, operation, ids) and its one `request` event (status, duration). So a trace id in a log
//! line is the trace id the collector has, and nothing reaches the collector that the logs do
//! not already carry (no tokens, no paths, no file names).
//!
//! [`layer`] gives the `tracing` layer (it only copies fields and queues the span, never
//! blocking: a full queue drops the span and counts it) and the [`Exporter`], a task that sends
//! batches of up to [`BATCH`] spans at least every [`INTERVAL`]. A collector that is down costs
//! the spans of that batch and one warning per failure streak, never a request.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, oneshot};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// Spans per request to the collector, at most.
pub const BATCH: usize = 512;
/// Longest wait before queued spans are sent.
pub const INTERVAL: Duration = Duration::from_secs(1);
/// Spans queued at most (more are dropped).
pub const QUEUE: usize = 8192;

/// The request span's and event's target.
const TARGET: &str = "folio_http::middleware";

enum Message {
    Span(Value),
    Flush(oneshot::Sender<()>),
}

/// The `tracing` layer: turns each request into a queued OTLP span.
pub struct OtlpLayer {
    queue: mpsc::Sender<Message>,
    dropped: Arc<AtomicU64>,
}

/// Sends the queued spans (run it on the runtime: [`Exporter::run`]).
pub struct Exporter {
    queue: mpsc::Receiver<Message>,
    url: String,
    service: Value,
    dropped: Arc<AtomicU64>,
}

/// Asks the exporter to send what is queued (at shutdown).
#[derive(Clone)]
pub struct Flusher {
    queue: mpsc::Sender<Message>,
}

/// The layer, the exporter for `endpoint` (`http(s)://host:port`, optionally with a path; the
/// exporter posts to `{endpoint}/v1/traces` unless it already ends so), and a flush handle.
pub fn layer(endpoint: &str) -> (OtlpLayer, Exporter, Flusher) {
    let (tx, rx) = mpsc::channel(QUEUE);
    let dropped = Arc::new(AtomicU64::new(0));
    let endpoint = endpoint.trim_end_matches('/');
    let url = if endpoint.ends_with("/v1/traces") {
        endpoint.to_owned()
    } else {
        format!("{endpoint}/v1/traces")
    };
    let service = json!({
        "attributes": [
            attr("service.name", "folio"),
            attr("service.version", env!("CARGO_PKG_VERSION")),
            attr("service.instance.id", &folio_app::folio_store::random_hex(8)),
        ]
    });
    (
        OtlpLayer {
            queue: tx.clone(),
            dropped: dropped.clone(),
        },
        Exporter {
            queue: rx,
            url,
            service,
            dropped,
        },
        Flusher { queue: tx },
    )
}

fn attr(key: &str, value: &str) -> Value {
    json!({"key": key, "value": {"stringValue": value}})
}

/// The request span's fields, as recorded.
#[derive(Default)]
struct Fields(HashMap<&'static str, Value>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name(), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name(), Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name(), Value::from(format!("{value:?}")));
    }
}

fn unix_nanos(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// One OTLP span (JSON encoding) from the request span's fields and the `request` event's
/// (`http.status`, `duration_ms`), ending at `end`. `None` without valid ids.
fn span_json(span: &Fields, event: &Fields, end: SystemTime) -> Option<Value> {
    let str_of = |f: &Fields, k: &str| f.0.get(k).and_then(Value::as_str).map(str::to_owned);
    let trace = str_of(span, "trace.id").filter(|t| t.len() == 32)?;
    let id = str_of(span, "span.id").filter(|t| t.len() == 16)?;
    let method = str_of(span, "http.method").unwrap_or_else(|| "other".into());
    let route = str_of(span, "http.route").unwrap_or_else(|| "unmatched".into());
    let operation = str_of(span, "wopi.operation");
    let status = event
        .0
        .get("http.status")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let duration_ms = event
        .0
        .get("duration_ms")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let end_ns = unix_nanos(end);
    let start_ns = end_ns.saturating_sub((duration_ms * 1e6).max(0.0) as u128);
    let name = match &operation {
        Some(op) => format!("WOPI {op}"),
        None => format!("{method} {route}"),
    };
    let mut attributes = vec![
        attr("http.request.method", &method),
        attr("http.route", &route),
        json!({"key": "http.response.status_code", "value": {"intValue": status.to_string()}}),
    ];
    for (field, key) in [
        ("wopi.operation", "wopi.operation"),
        ("request.id", "folio.request_id"),
        ("wopi.correlation_id", "wopi.correlation_id"),
        ("file.id", "folio.file_id"),
        ("folder.id", "folio.folder_id"),
        ("user.id", "enduser.id"),
        ("api_key.id", "folio.api_key_id"),
    ] {
        if let Some(v) = str_of(span, field) {
            attributes.push(attr(key, &v));
        }
    }
    let mut out = Map::new();
    out.insert("traceId".into(), Value::from(trace));
    out.insert("spanId".into(), Value::from(id));
    if let Some(p) = str_of(span, "trace.parent_id") {
        out.insert("parentSpanId".into(), Value::from(p));
    }
    out.insert("name".into(), Value::from(name));
    // SPAN_KIND_SERVER
    out.insert("kind".into(), Value::from(2));
    out.insert(
        "startTimeUnixNano".into(),
        Value::from(start_ns.to_string()),
    );
    out.insert("endTimeUnixNano".into(), Value::from(end_ns.to_string()));
    out.insert("attributes".into(), Value::Array(attributes));
    // Server spans: 5xx is an error, the rest unset (OpenTelemetry's HTTP conventions).
    if status >= 500 {
        out.insert("status".into(), json!({"code": 2}));
    }
    Some(Value::Object(out))
}

impl<S> Layer<S> for OtlpLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        if meta.name() != "request" || meta.target() != TARGET {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != TARGET {
            return;
        }
        let mut own = Fields::default();
        event.record(&mut own);
        if own.0.get("message").and_then(Value::as_str) != Some("request") {
            return;
        }
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        let ext = span.extensions();
        let Some(fields) = ext.get::<Fields>() else {
            return;
        };
        if let Some(json) = span_json(fields, &own, SystemTime::now())
            && self.queue.try_send(Message::Span(json)).is_err()
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Flusher {
    /// Sends what is queued, waiting at most `limit`.
    pub async fn flush(&self, limit: Duration) {
        let (tx, rx) = oneshot::channel();
        if self.queue.send(Message::Flush(tx)).await.is_ok() {
            let _ = tokio::time::timeout(limit, rx).await;
        }
    }
}

impl Exporter {
    /// Sends batches until the process ends.
    pub async fn run(mut self) {
        let http = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "OTLP export disabled: no HTTP client");
                return;
            }
        };
        tracing::info!(otlp.url = %self.url, "exporting traces over OTLP/HTTP (JSON)");
        let mut batch: Vec<Value> = Vec::new();
        let mut failing = false;
        let mut tick = tokio::time::interval(INTERVAL);
        loop {
            let mut flushed = None;
            tokio::select! {
                m = self.queue.recv() => match m {
                    Some(Message::Span(s)) => {
                        batch.push(s);
                        if batch.len() < BATCH {
                            continue;
                        }
                    }
                    Some(Message::Flush(done)) => flushed = Some(done),
                    None => return,
                },
                _ = tick.tick() => {}
            }
            if !batch.is_empty() {
                let body = json!({
                    "resourceSpans": [{
                        "resource": self.service,
                        "scopeSpans": [{
                            "scope": {"name": "folio", "version": env!("CARGO_PKG_VERSION")},
                            "spans": std::mem::take(&mut batch),
                        }]
                    }]
                });
                let sent = http
                    .post(&self.url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                    .map_err(|e| e.without_url().to_string())
                    .and_then(|r| {
                        if r.status().is_success() {
                            Ok(())
                        } else {
                            Err(format!("the collector answered {}", r.status()))
                        }
                    });
                match sent {
                    Ok(()) if failing => {
                        failing = false;
                        tracing::info!("OTLP export works again");
                    }
                    Ok(()) => {}
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!(error = %e, otlp.url = %self.url, "OTLP export failed; spans dropped until it works again");
                    }
                    Err(_) => {}
                }
            }
            let dropped = self.dropped.swap(0, Ordering::Relaxed);
            if dropped > 0 {
                tracing::warn!(dropped, "OTLP queue full: spans dropped");
            }
            if let Some(done) = flushed {
                let _ = done.send(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&'static str, Value)]) -> Fields {
        Fields(pairs.iter().cloned().collect())
    }

    #[test]
    fn a_request_becomes_a_server_span() {
        let span = fields(&[
            ("trace.id", "4bf92f3577b34da6a3ce929d0e0e4736".into()),
            ("span.id", "00f067aa0ba902b7".into()),
            ("trace.parent_id", "1111111111111111".into()),
            ("http.method", "GET".into()),
            ("http.route", "/wopi/files/{id}".into()),
            ("wopi.operation", "CheckFileInfo".into()),
            ("file.id", "abc".into()),
        ]);
        let event = fields(&[("http.status", 200u64.into()), ("duration_ms", 2.5.into())]);
        let end = UNIX_EPOCH + Duration::from_secs(10);
        let s = span_json(&span, &event, end).unwrap_or_default();
        assert_eq!(s["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(s["spanId"], "00f067aa0ba902b7");
        assert_eq!(s["parentSpanId"], "1111111111111111");
        assert_eq!(s["name"], "WOPI CheckFileInfo");
        assert_eq!(s["kind"], 2);
        assert_eq!(s["endTimeUnixNano"], "10000000000");
        assert_eq!(s["startTimeUnixNano"], "9997500000");
        assert!(s.get("status").is_none());
        let attrs = s["attributes"].to_string();
        assert!(attrs.contains("\"folio.file_id\""), "{attrs}");
        assert!(attrs.contains("{\"intValue\":\"200\"}"), "{attrs}");
    }

    #[test]
    fn server_errors_are_errors_and_pages_are_named_by_route() {
        let span = fields(&[
            ("trace.id", "4bf92f3577b34da6a3ce929d0e0e4736".into()),
            ("span.id", "00f067aa0ba902b7".into()),
            ("http.method", "POST".into()),
            ("http.route", "/folders/{id}/upload".into()),
        ]);
        let event = fields(&[("http.status", 503u64.into())]);
        let s = span_json(&span, &event, SystemTime::now()).unwrap_or_default();
        assert_eq!(s["name"], "POST /folders/{id}/upload");
        assert_eq!(s["status"]["code"], 2);
        assert!(s.get("parentSpanId").is_none());
        // No ids, no span.
        let bare = fields(&[("http.method", "GET".into())]);
        assert!(span_json(&bare, &event, SystemTime::now()).is_none());
    }

    #[test]
    fn endpoints() {
        for (e, want) in [
            ("http://c:4318", "http://c:4318/v1/traces"),
            ("http://c:4318/", "http://c:4318/v1/traces"),
            ("http://c:4318/v1/traces", "http://c:4318/v1/traces"),
            ("https://c/otlp", "https://c/otlp/v1/traces"),
        ] {
            let (_, ex, _) = layer(e);
            assert_eq!(ex.url, want);
        }
    }
}
