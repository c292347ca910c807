//! `/api/v1/files/{id}/content` and `/versions/{n}/content`: downloads with one byte `Range`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures::StreamExt;

use super::{ApiResult, parse_id};
use crate::AppState;
use crate::error::api::ApiError;
use crate::extract::api::Key;

/// The one byte range a download asks for (`folio_wopi::range`), `None` without a `Range`
/// header; an unsatisfiable or unreadable one is 416.
fn range_of(headers: &HeaderMap, size: u64) -> ApiResult<Option<(u64, u64)>> {
    let Some(v) = headers.get(header::RANGE) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| ApiError::BadRange)?;
    folio_wopi::range::parse_byte_range(v, size)
        .map(Some)
        .map_err(|_| ApiError::BadRange)
}

async fn send_content(
    s: &AppState,
    key: &Key,
    id: &str,
    version: Option<i64>,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    key.need("files")?;
    let id = parse_id(id)?;
    let user = s.app.app_user(&key.0).await?;
    let (name, size, body) = s.app.download(&user, &id, version).await?;
    let range = range_of(headers, size)?;
    let (status, body, len, content_range) = match range {
        None => (StatusCode::OK, body, size, None),
        Some((start, end)) => {
            let len = end - start + 1;
            // Skip `start` bytes, then take `len`.
            let mut skip = start;
            let mut left = len;
            let sliced = body.filter_map(move |chunk| {
                let out = match chunk {
                    Err(e) => Some(Err(e)),
                    Ok(mut c) => {
                        if skip >= c.len() as u64 {
                            skip -= c.len() as u64;
                            None
                        } else {
                            let c2 = c.split_off(skip as usize);
                            skip = 0;
                            if left == 0 {
                                None
                            } else {
                                let take = (c2.len() as u64).min(left);
                                left -= take;
                                Some(Ok(c2.slice(..take as usize)))
                            }
                        }
                    }
                };
                async move { out }
            });
            let boxed: folio_store::ByteStream = Box::pin(sliced);
            (
                StatusCode::PARTIAL_CONTENT,
                boxed,
                len,
                Some(format!("bytes {start}-{end}/{size}")),
            )
        }
    };
    let mut r = Response::new(Body::from_stream(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(cr) = content_range.and_then(|v| HeaderValue::from_str(&v).ok()) {
        h.insert(header::CONTENT_RANGE, cr);
    }
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// GET /api/v1/files/{id}/content (Range supported)
pub async fn content(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    send_content(&s, &key, &id, None, &headers).await
}

/// GET /api/v1/files/{id}/versions/{n}/content
pub async fn version_content(
    State(s): State<AppState>,
    key: Key,
    Path((id, n)): Path<(String, i64)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    send_content(&s, &key, &id, Some(n), &headers).await
}
