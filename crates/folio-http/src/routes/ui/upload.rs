//! `POST /folders/{id}/upload?name=…`: one XHR per file (`static/upload.js`, with progress), the
//! raw body streamed to storage, the CSRF token in `X-CSRF-Token`. Answers JSON
//! (`crate::error::page::UploadError` for failures).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use folio_app::AppError;
use folio_app::web::UploadConflict;
use futures::TryStreamExt;
use serde::Deserialize;

use crate::AppState;
use crate::error::page::UploadError;
use crate::extract::csrf::{Csrf, Upload};
use crate::extract::session::SignedIn;

/// `?name=…[&conflict=replace|keep]` of an upload: without `conflict`, a taken name is refused
/// (409, `"code": "name-taken"`) so the page can ask; `replace` stores a new version of the
/// existing file (409 `"code": "locked"` while an editor holds it); `keep` keeps both under a
/// numbered name.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    name: String,
    conflict: Option<String>,
}

/// How much of a refused upload's body is read before the 413 goes out.
const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

async fn drain(body: axum::body::Body, limit: u64) {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut read = 0u64;
    while let Some(Ok(piece)) = stream.next().await {
        read += piece.len() as u64;
        if read >= limit {
            break;
        }
    }
}

/// POST /folders/{id}/upload?name=… → `App::upload`.
pub async fn upload(
    State(s): State<AppState>,
    user: SignedIn,
    Path(folder): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    Csrf(_, Upload(body)): Csrf<Upload>,
) -> Result<Response, UploadError> {
    let conflict = match q.conflict.as_deref() {
        Some("replace") => UploadConflict::Replace,
        Some("keep") => UploadConflict::KeepBoth,
        _ => UploadConflict::Refuse,
    };
    let limit = s.app.config().max_file_size;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        // Read (and drop) a bounded part of the body before answering, so that a client still
        // sending it reads this 413 instead of a connection reset by unread data; past
        // DRAIN_LIMIT the connection is simply closed.
        drain(body, DRAIN_LIMIT).await;
        return Err(UploadError::App(AppError::TooLarge { limit }));
    }
    let stream: folio_store::ByteStream =
        Box::pin(body.into_data_stream().map_err(std::io::Error::other));
    let f = s
        .app
        .upload_resolving(&user.0.user, &folder, &q.name, stream, conflict)
        .await
        .map_err(UploadError::App)?;
    Ok(
        Json(serde_json::json!({"id": f.id.to_string(), "name": f.name, "size": f.content.size, "version": f.version}))
            .into_response(),
    )
}
