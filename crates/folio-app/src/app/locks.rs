//! WOPI Lock, Unlock, RefreshLock, UnlockAndRelock (one store transaction each) and GetLock.

use super::*;

impl App {
    /// WOPI Lock, RefreshLock, Unlock, UnlockAndRelock.
    pub async fn lock(
        &self,
        p: &Principal,
        request: LockRequest,
    ) -> Result<(Option<LockState>, FileRecord), AppError> {
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
        };
        let out = self
            .meta
            .apply_lock_emitting(&p.file.id, &request, self.now(), Some(&emit))
            .await??;
        Ok(out)
    }

    /// WOPI GetLock: the live lock, if any. Never creates or refreshes one.
    pub fn get_lock(&self, p: &Principal) -> Option<LockId> {
        lock::live(p.file.lock.as_ref(), self.now()).map(|l| l.id.clone())
    }
}
