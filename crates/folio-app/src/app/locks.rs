//! WOPI Lock, Unlock, RefreshLock, UnlockAndRelock (one store transaction each) and GetLock.

use super::*;

impl App {
    /// WOPI Lock, RefreshLock, Unlock, UnlockAndRelock. `ttl_ms`: `X-WOPI-LockExpirationTimeout`
    /// (default 30 minutes); `user_visible`: `X-WOPI-LockUserVisible` (the user's name is stored
    /// with the lock and named by the conflicts it causes).
    pub async fn lock(
        &self,
        p: &Principal,
        request: LockRequest,
        ttl_ms: Option<i64>,
        user_visible: bool,
    ) -> Result<(Option<LockState>, FileRecord), AppError> {
        let options = LockOptions {
            ttl_ms: ttl_ms.unwrap_or(lock::LOCK_TTL_MS),
            visible_user: user_visible.then(|| display_name(&p.user)),
            holder: Some(p.user.id.clone()),
        };
        let urls = if matches!(request, LockRequest::Unlock(_)) {
            self.webhook_urls()
        } else {
            Vec::new()
        };
        let build = |f: &FileRecord| {
            let mut data = self.file_event_data(f, Some(&p.user));
            data["reason"] = serde_json::Value::from("unlocked");
            self.make_event("lock.released", data)
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: None,
        };
        let out = self
            .meta
            .apply_lock_emitting(&p.file.id, &request, &options, self.now(), Some(&emit))
            .await??;
        Ok(out)
    }

    /// WOPI GetLock: the live lock, if any. Never creates or refreshes one.
    pub fn get_lock(&self, p: &Principal) -> Option<LockId> {
        lock::live(p.file.lock.as_ref(), self.now()).map(|l| l.id.clone())
    }
}

/// The name a lock table shows for a user: the display name, else the login (never empty).
pub(crate) fn display_name(user: &UserRecord) -> String {
    if user.name.trim().is_empty() {
        user.login.clone()
    } else {
        user.name.clone()
    }
}
