//! WOPI AddActivities (spec/containers-ecosystem.md §7): each activity's `Id` is echoed with a
//! status — 0 for the types Folio handles (`comment`), 3 for any other. Comments are recorded
//! on the file (its details page lists the recent ones) and, in the same transaction, sent to
//! the application as one `file.activity` webhook event.

use folio_wopi::wire::{ACTIVITY_ACCEPTED, ACTIVITY_NOT_SUPPORTED, Activity, ActivityResponse};

use super::*;

/// The activity types Folio records.
const HANDLED: &[&str] = &["comment"];

/// Longest comment text kept (characters); longer ones are cut.
const MAX_COMMENT_CHARS: usize = 4000;

/// Longest id kept (the validator sends 1024-character content ids).
const MAX_ID_CHARS: usize = 1024;

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

impl App {
    /// WOPI AddActivities: answers one status per activity, in request order, and records the
    /// handled ones (a request with none records nothing and sends no event).
    pub async fn add_activities(
        &self,
        p: &Principal,
        activities: &[Activity],
    ) -> Result<Vec<ActivityResponse>, AppError> {
        let now = self.now();
        let mut records = Vec::new();
        let mut responses = Vec::with_capacity(activities.len());
        for a in activities {
            let handled = HANDLED.iter().any(|k| k.eq_ignore_ascii_case(&a.kind));
            responses.push(ActivityResponse {
                id: a.id.clone(),
                status: if handled {
                    ACTIVITY_ACCEPTED
                } else {
                    ACTIVITY_NOT_SUPPORTED
                },
            });
            if handled {
                records.push((
                    a,
                    ActivityRecord {
                        file_id: p.file.id.clone(),
                        user_id: p.user.id.clone(),
                        user_name: p.user.name.clone(),
                        kind: a.kind.to_ascii_lowercase(),
                        activity_id: cut(&a.id, MAX_ID_CHARS),
                        action: a.content_action.as_deref().map(|s| cut(s, 32)),
                        comment_text: a.comment_text.as_deref().map(|s| cut(s, MAX_COMMENT_CHARS)),
                        mentioned: a.mentioned.iter().map(|(n, _)| cut(n, 256)).collect(),
                        created_at: now,
                    },
                ));
            }
        }
        if records.is_empty() {
            return Ok(responses);
        }
        let listed: Vec<serde_json::Value> = records
            .iter()
            .map(|(a, r)| {
                serde_json::json!({
                    "id": r.activity_id,
                    "type": r.kind,
                    "action": r.action,
                    "comment_text": r.comment_text,
                    "is_reply": a.is_reply,
                    "mentioned": a.mentioned.iter().map(|(name, id)| serde_json::json!({
                        "name": cut(name, 256),
                        "id": cut(id, 256),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let urls = self.webhook_urls();
        let build = |f: &FileRecord| {
            let mut data = self.file_event_data(f, Some(&p.user));
            data["activities"] = serde_json::Value::from(listed.clone());
            self.make_event("file.activity", data)
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: None,
        };
        let records: Vec<ActivityRecord> = records.into_iter().map(|(_, r)| r).collect();
        self.meta
            .record_activities_emitting(&p.file.id, &records, Some(&emit))
            .await?;
        Ok(responses)
    }

    /// The recent activities of a file the user may see (newest first), for its details page.
    pub async fn recent_activities(
        &self,
        user: &UserRecord,
        id: &FileId,
        limit: i64,
    ) -> Result<Vec<ActivityRecord>, AppError> {
        self.file_for_user(user, id).await?;
        Ok(self.meta.file_activities(id, limit).await?)
    }
}
