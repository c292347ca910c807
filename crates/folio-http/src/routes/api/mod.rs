//! `/api/v1`: the integration API (JSON; `Authorization: Bearer <API key>`), one module per
//! resource. Errors always have the shape `{"error": {"code": "...", "message": "..."}}`
//! (`crate::error::api`); unknown JSON fields are refused (`crate::extract::api::ApiJson`).

pub mod audit;
pub mod content;
pub mod files;
pub mod folders;
pub mod locks;
pub mod sessions;
pub mod users;
pub mod webhooks;

use folio_app::AppError;
use folio_store::FileRecord;
use folio_wopi::{FileId, wire};

use crate::error::api::ApiError;

/// A handler's result.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

fn parse_id(id: &str) -> ApiResult<FileId> {
    FileId::parse(id).map_err(|_| ApiError::App(AppError::NotFound))
}

fn file_json(f: &FileRecord) -> serde_json::Value {
    serde_json::json!({
        "id": f.id.to_string(),
        "name": f.name,
        "folder_id": f.folder_id,
        "size": f.content.size,
        "version": f.version,
        "sha256": hex::encode(&f.content.sha256),
        "modified_at": wire::format_wopi_time(f.content.created_at),
        "locked": f.lock.is_some(),
    })
}

/// Unknown `/api/v1/...` paths.
pub async fn api_not_found() -> ApiError {
    ApiError::UnknownEndpoint
}
