//! Webhooks: events appended to the outbox (in the change's own transaction where possible),
//! delivered by `deliver_due` with HMAC-SHA256 signatures and exponential backoff.

use super::*;

impl App {
    /// The configured webhook receivers.
    pub(crate) fn webhook_urls(&self) -> Vec<String> {
        self.config()
            .integration
            .webhooks
            .iter()
            .map(|w| w.url.clone())
            .collect()
    }

    /// A new event with a unique id and the standard envelope.
    pub(crate) fn make_event(&self, event_type: &str, data: serde_json::Value) -> OutboxEvent {
        let id = format!("evt_{}", folio_store::random_id(24));
        let created_at = self.now();
        let payload = serde_json::json!({
            "id": id,
            "type": event_type,
            "created_at": crate::wire_time(created_at),
            "data": data,
        })
        .to_string();
        OutboxEvent {
            id,
            event_type: event_type.to_owned(),
            payload,
            created_at,
        }
    }

    /// The `data` of a file event: the file and (when known) who acted.
    pub(crate) fn file_event_data(
        &self,
        file: &FileRecord,
        user: Option<&UserRecord>,
    ) -> serde_json::Value {
        serde_json::json!({
            "file": {
                "id": file.id.to_string(),
                "name": file.name,
                "version": file.version,
                "size": file.content.size,
            },
            "user": user.map(|u| serde_json::json!({
                "id": u.id,
                "external_id": u.login.strip_prefix("ext:").map(str::to_owned),
                "name": u.name,
            })),
        })
    }

    /// Delivers due webhook deliveries once (claimed with a lease, so each is sent by one
    /// replica). Returns how many were attempted.
    pub async fn deliver_due(&self, http: &reqwest::Client) -> Result<usize, AppError> {
        let now = self.now();
        let due = self.meta().claim_deliveries(now, 20, 60_000).await?;
        let n = due.len();
        let sends = due.into_iter().map(|d| async move {
            let secret = self
                .config()
                .integration
                .webhooks
                .iter()
                .find(|w| w.url == d.url)
                .map(|w| w.secret.clone())
                .unwrap_or_default();
            let ts = self.now() / 1000;
            let sig = webhook_signature(&secret, ts, &d.event.payload);
            let result = http
                .post(&d.url)
                .timeout(Duration::from_secs(10))
                .header("Content-Type", "application/json")
                .header("Folio-Event-Id", &d.event.id)
                .header("Folio-Event-Type", &d.event.event_type)
                .header("Folio-Signature", sig)
                .body(d.event.payload.clone())
                .send()
                .await;
            let (ok, status, error) = match result {
                Ok(r) if r.status().is_success() => {
                    (true, Some(i64::from(r.status().as_u16())), None)
                }
                Ok(r) => (
                    false,
                    Some(i64::from(r.status().as_u16())),
                    Some(format!("HTTP {}", r.status())),
                ),
                Err(e) => (
                    false,
                    None,
                    Some(if e.is_timeout() {
                        "timeout".to_owned()
                    } else {
                        "connection failed".to_owned()
                    }),
                ),
            };
            let now = self.now();
            let next = (!ok && now - d.event.created_at < RETRY_FOR_MS)
                .then(|| now + backoff_ms(d.attempts + 1, self.config().integration.retry_base_ms));
            self.metrics().webhook_attempt(match (ok, next) {
                (true, _) => "delivered",
                (false, Some(_)) => "retry",
                (false, None) => "failed",
            });
            if let Err(e) = self
                .meta()
                .finish_delivery(&d.id, ok, status, error.as_deref(), next, now)
                .await
            {
                tracing::error!(error = %e, "cannot record webhook delivery");
            }
        });
        futures::future::join_all(sends).await;
        Ok(n)
    }

    /// The delivery log.
    pub async fn delivery_log(&self, limit: i64) -> Result<Vec<folio_store::Delivery>, AppError> {
        Ok(self.meta().deliveries(limit).await?)
    }
}
