//! WOPI DeleteFile, PutUserInfo and GetShareUrl.

use super::*;

impl App {
    /// WOPI DeleteFile: only an unlocked file; afterwards every request for it is a 404.
    pub async fn delete_file(&self, p: &Principal) -> Result<(), AppError> {
        let urls = self.webhook_urls();
        let build = |f: &FileRecord| {
            self.make_event("file.deleted", self.file_event_data(f, Some(&p.user)))
        };
        let audit = |f: &FileRecord| self.audit_wopi(crate::audit::action::FILE_DELETE, p, f, None);
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: Some(&audit),
        };
        self.meta
            .delete_file_emitting(&p.file.id, self.now(), Some(&p.user.id), Some(&emit))
            .await??;
        Ok(())
    }

    /// WOPI PutUserInfo: stores the string for the user (any file).
    pub async fn put_user_info(&self, p: &Principal, info: &str) -> Result<(), AppError> {
        if info.len() > 1024 {
            return Err(WopiError::BadRequest("UserInfo is longer than 1024 characters").into());
        }
        self.meta.set_user_info(&p.user.id, info).await?;
        Ok(())
    }

    /// WOPI GetShareUrl: `ReadOnly` or `ReadWrite`; anything else is unsupported (501).
    pub fn share_url(&self, p: &Principal, url_type: Option<&str>) -> Result<String, AppError> {
        match url_type {
            Some("ReadOnly") => Ok(self.host_page_url(&p.file.id, "view")),
            Some("ReadWrite") => Ok(self.host_page_url(&p.file.id, "edit")),
            _ => Err(WopiError::Unsupported("unknown share URL type").into()),
        }
    }
}
