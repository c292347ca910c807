//! CSPP Plus coauth locks (GetCoauthLock, RefreshCoauthLock, UnlockCoauthLock, GetCoauthTable)
//! and GetSequenceNumber: one store transaction each, the decision in `folio_wopi::coauth`.

use super::locks::display_name;
use super::*;

/// GetCoauthLock's parsed headers and body.
#[derive(Debug, Clone)]
pub struct CoauthLockWish {
    /// `X-WOPI-CoauthLockId`.
    pub id: String,
    /// `X-WOPI-CoauthLockType`.
    pub kind: CoauthLockType,
    /// Metadata (the JSON body wins over the header; `None`: neither).
    pub metadata: Option<String>,
    /// `X-WOPI-CoauthLockExpirationTimeout`, in ms.
    pub timeout_ms: i64,
}

impl App {
    /// CSPP Plus GetCoauthLock: the table after the lock was taken (or its type, metadata and
    /// expiry updated).
    pub async fn get_coauth_lock(
        &self,
        p: &Principal,
        wish: CoauthLockWish,
    ) -> Result<CoauthTable, AppError> {
        let request = CoauthRequest::Get {
            id: wish.id,
            kind: wish.kind,
            metadata: wish.metadata,
            timeout_ms: wish.timeout_ms,
            user_name: display_name(&p.user),
        };
        Ok(self
            .meta
            .apply_coauth(&p.file.id, &request, self.now())
            .await??)
    }

    /// CSPP Plus RefreshCoauthLock: a new expiry (from now) and, when given, new metadata.
    pub async fn refresh_coauth_lock(
        &self,
        p: &Principal,
        id: String,
        metadata: Option<String>,
        timeout_ms: i64,
    ) -> Result<CoauthTable, AppError> {
        let request = CoauthRequest::Refresh {
            id,
            metadata,
            timeout_ms,
        };
        Ok(self
            .meta
            .apply_coauth(&p.file.id, &request, self.now())
            .await??)
    }

    /// CSPP Plus UnlockCoauthLock.
    pub async fn unlock_coauth_lock(
        &self,
        p: &Principal,
        id: String,
    ) -> Result<CoauthTable, AppError> {
        let request = CoauthRequest::Unlock { id };
        Ok(self
            .meta
            .apply_coauth(&p.file.id, &request, self.now())
            .await??)
    }

    /// CSPP Plus GetCoauthTable: the live rows and the table version.
    pub async fn get_coauth_table(&self, p: &Principal) -> Result<CoauthTable, AppError> {
        Ok(self.meta.coauth_table(&p.file.id, self.now()).await?)
    }
}
