//! The JSON API surface (`/api/v1/*`): every error is `{"error":{"code","message"}}` with a stable
//! `code`. `ApiError` is `AppError` plus the refusals only the API has (API key, scope, JSON,
//! query, range). The `api_error_responses` table test pins status, code and message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use folio_app::folio_store::StoreError;
use folio_app::{AppError, NamePlace};
use folio_wopi::WopiError;

/// An API error.
#[derive(Debug)]
pub enum ApiError {
    /// A use case failed or refused.
    App(AppError),
    /// No `Authorization: Bearer` header.
    MissingKey,
    /// The API key is unknown or revoked.
    UnknownKey,
    /// The key lacks a scope.
    MissingScope(&'static str),
    /// The JSON body is malformed, has unknown fields, or is not `application/json`.
    InvalidJson {
        /// The body had no JSON content type (415 rather than 400).
        unsupported_media_type: bool,
        /// axum's description of the problem.
        detail: String,
    },
    /// The query string does not parse (axum's description).
    BadQuery(String),
    /// A request the API cannot act on, in words.
    BadRequest(&'static str),
    /// A `Range` header that is not one satisfiable byte range.
    BadRange,
    /// No such endpoint.
    UnknownEndpoint,
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError::App(e.into())
    }
}

const NOT_FOUND: &str = "no such file, folder or session (or no access to it)";
const LOCKED: &str = "the file is locked by an editing session";

/// Status, code and message of an API error. Internal details never leave.
pub fn parts(e: &ApiError) -> (StatusCode, &'static str, String) {
    use StatusCode as S;
    let m = |s: &str| s.to_owned();
    match e {
        ApiError::MissingKey => (
            S::UNAUTHORIZED,
            "unauthorized",
            m("send the API key as Authorization: Bearer KEY"),
        ),
        ApiError::UnknownKey => (
            S::UNAUTHORIZED,
            "unauthorized",
            m("unknown or revoked API key"),
        ),
        ApiError::MissingScope(scope) => (
            S::FORBIDDEN,
            "forbidden",
            format!("this API key lacks the {scope:?} scope"),
        ),
        ApiError::InvalidJson {
            unsupported_media_type,
            detail,
        } => (
            if *unsupported_media_type {
                S::UNSUPPORTED_MEDIA_TYPE
            } else {
                S::BAD_REQUEST
            },
            "invalid_json",
            detail.clone(),
        ),
        ApiError::BadQuery(detail) => (S::BAD_REQUEST, "bad_request", detail.clone()),
        ApiError::BadRequest(why) => (S::BAD_REQUEST, "bad_request", m(why)),
        ApiError::BadRange => (
            S::RANGE_NOT_SATISFIABLE,
            "bad_range",
            m("only one byte range (bytes=a-b) inside the file is supported"),
        ),
        ApiError::UnknownEndpoint => (
            S::NOT_FOUND,
            "not_found",
            m("no such API endpoint (see /api/v1/openapi.json)"),
        ),
        ApiError::App(a) => app_parts(a),
    }
}

fn app_parts(e: &AppError) -> (StatusCode, &'static str, String) {
    use StatusCode as S;
    let m = |s: &str| s.to_owned();
    match e {
        AppError::Wopi(WopiError::FileNotFound | WopiError::NotPermitted)
        | AppError::Store(StoreError::NotFound)
        | AppError::NotFound
        | AppError::LinkClosed
        | AppError::LaunchCodeExpired => (S::NOT_FOUND, "not_found", m(NOT_FOUND)),
        AppError::Wopi(WopiError::BadRequest(why)) => (S::BAD_REQUEST, "bad_request", m(why)),
        AppError::Wopi(
            WopiError::InvalidName { reason, .. } | WopiError::InvalidContainerName { reason },
        ) => (S::BAD_REQUEST, "invalid_name", reason.clone()),
        AppError::Wopi(WopiError::NameExists { .. }) => (
            S::CONFLICT,
            "name_taken",
            m("a file with that name already exists there"),
        ),
        AppError::Wopi(
            WopiError::LockMismatch { .. }
            | WopiError::LockReleased { .. }
            | WopiError::LockConflict(_),
        )
        | AppError::Locked => (S::CONFLICT, "locked", m(LOCKED)),
        AppError::Wopi(WopiError::Unsupported(why)) => {
            (S::UNPROCESSABLE_ENTITY, "unsupported", m(why))
        }
        AppError::Wopi(WopiError::FileTooLarge) | AppError::Store(StoreError::TooLarge { .. }) => (
            S::PAYLOAD_TOO_LARGE,
            "too_large",
            m("the file is larger than this server accepts"),
        ),
        AppError::TooLarge { limit } => (
            S::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the limit is {limit} bytes"),
        ),
        AppError::Store(StoreError::Aborted(_)) => (
            S::BAD_REQUEST,
            "upload_aborted",
            m("the upload ended early"),
        ),
        AppError::Store(StoreError::Unavailable(_)) => (
            S::SERVICE_UNAVAILABLE,
            "unavailable",
            m("storage is unavailable; retry later"),
        ),
        AppError::Forbidden(why) => (S::FORBIDDEN, "forbidden", why.to_string()),
        AppError::InvalidName(why) => (S::BAD_REQUEST, "invalid_name", why.to_string()),
        AppError::UnknownUser { .. }
        | AppError::ShareWithSelf
        | AppError::InvalidLogin
        | AppError::WeakPassword
        | AppError::PasswordsDiffer => (S::BAD_REQUEST, "invalid_name", e.to_string()),
        AppError::LinkExpiryPast => (S::BAD_REQUEST, "bad_request", e.to_string()),
        AppError::WrongPassword => (S::BAD_REQUEST, "wrong_password", e.to_string()),
        AppError::NotATemplate => (S::BAD_REQUEST, "not_a_template", e.to_string()),
        AppError::SetupClosed => (S::GONE, "setup_closed", e.to_string()),
        AppError::NameTaken { name, place } => (
            S::CONFLICT,
            "name_taken",
            match place {
                NamePlace::ThisFolder => format!("{name} already exists there"),
                NamePlace::TargetFolder => format!("{name} already exists in the target folder"),
                NamePlace::Users => format!("a user {name} already exists"),
            },
        ),
        AppError::NotEmpty | AppError::Wopi(WopiError::ContainerNotEmpty) => {
            (S::CONFLICT, "not_empty", m("the folder is not empty"))
        }
        AppError::MoveIntoItself => (S::CONFLICT, "move_into_itself", e.to_string()),
        AppError::RateLimited => (S::TOO_MANY_REQUESTS, "rate_limited", m("too many requests")),
        AppError::BadCredentials | AppError::LaunchRefused(_) => {
            (S::UNAUTHORIZED, "unauthorized", m("not authorized"))
        }
        AppError::Wopi(
            WopiError::InvalidToken
            | WopiError::LargerThanExpected
            | WopiError::ContentChanged
            | WopiError::ProofInvalid
            | WopiError::SequenceMismatch { .. },
        )
        | AppError::Store(StoreError::AlreadyExists | StoreError::Backend(_))
        | AppError::ProofRejected { .. } => {
            (S::INTERNAL_SERVER_ERROR, "internal", m("internal error"))
        }
        // OAuth refusals belong to /oauth2/* (error/oauth.rs); never on an API request.
        AppError::OAuthAuthorize(_) | AppError::OAuthToken(_) => {
            (S::BAD_REQUEST, "bad_request", m("bad request"))
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = parts(&self);
        super::log_once("api", status, &self, &code);
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio_app::Forbidden;

    #[test]
    fn api_error_responses() {
        let rows: Vec<(ApiError, u16, &str, &str)> = vec![
            (
                ApiError::MissingKey,
                401,
                "unauthorized",
                "send the API key as Authorization: Bearer KEY",
            ),
            (
                ApiError::UnknownKey,
                401,
                "unauthorized",
                "unknown or revoked API key",
            ),
            (
                ApiError::MissingScope("admin"),
                403,
                "forbidden",
                "this API key lacks the \"admin\" scope",
            ),
            (
                ApiError::InvalidJson {
                    unsupported_media_type: true,
                    detail: "x".into(),
                },
                415,
                "invalid_json",
                "x",
            ),
            (
                ApiError::InvalidJson {
                    unsupported_media_type: false,
                    detail: "x".into(),
                },
                400,
                "invalid_json",
                "x",
            ),
            (ApiError::BadQuery("q".into()), 400, "bad_request", "q"),
            (
                ApiError::BadRequest("give name"),
                400,
                "bad_request",
                "give name",
            ),
            (
                ApiError::BadRange,
                416,
                "bad_range",
                "only one byte range (bytes=a-b) inside the file is supported",
            ),
            (
                ApiError::UnknownEndpoint,
                404,
                "not_found",
                "no such API endpoint (see /api/v1/openapi.json)",
            ),
            (WopiError::FileNotFound.into(), 404, "not_found", NOT_FOUND),
            (AppError::NotFound.into(), 404, "not_found", NOT_FOUND),
            (AppError::LinkClosed.into(), 404, "not_found", NOT_FOUND),
            (
                AppError::LinkExpiryPast.into(),
                400,
                "bad_request",
                "the link's expiry is not in the future",
            ),
            (WopiError::BadRequest("b").into(), 400, "bad_request", "b"),
            (
                WopiError::LockMismatch {
                    current: None,
                    reason: "r",
                }
                .into(),
                409,
                "locked",
                LOCKED,
            ),
            (AppError::Locked.into(), 409, "locked", LOCKED),
            (WopiError::Unsupported("u").into(), 422, "unsupported", "u"),
            (
                StoreError::TooLarge { limit: 1 }.into(),
                413,
                "too_large",
                "the file is larger than this server accepts",
            ),
            (
                AppError::TooLarge { limit: 10 }.into(),
                413,
                "too_large",
                "the limit is 10 bytes",
            ),
            (
                StoreError::Aborted("x".into()).into(),
                400,
                "upload_aborted",
                "the upload ended early",
            ),
            (
                StoreError::Unavailable("secret".into()).into(),
                503,
                "unavailable",
                "storage is unavailable; retry later",
            ),
            (
                AppError::Forbidden(Forbidden::ViewOnlyTargetFolder).into(),
                403,
                "forbidden",
                "you can only view the target folder",
            ),
            (
                AppError::Forbidden(Forbidden::OtherOwnersFolder).into(),
                403,
                "forbidden",
                "a folder can only move within its owner's folders",
            ),
            (
                AppError::MoveIntoItself.into(),
                409,
                "move_into_itself",
                "a folder cannot move into itself or below itself",
            ),
            (
                AppError::NameTaken {
                    name: "a.docx".into(),
                    place: NamePlace::ThisFolder,
                }
                .into(),
                409,
                "name_taken",
                "a.docx already exists there",
            ),
            (
                AppError::NameTaken {
                    name: "a.docx".into(),
                    place: NamePlace::TargetFolder,
                }
                .into(),
                409,
                "name_taken",
                "a.docx already exists in the target folder",
            ),
            (
                AppError::NotEmpty.into(),
                409,
                "not_empty",
                "the folder is not empty",
            ),
            (
                StoreError::Backend("secret".into()).into(),
                500,
                "internal",
                "internal error",
            ),
        ];
        for (err, status, code, message) in rows {
            let (s, c, m) = parts(&err);
            assert_eq!(
                (s.as_u16(), c, m.as_str()),
                (status, code, message),
                "{err:?}"
            );
        }
    }

    #[tokio::test]
    async fn api_error_body_shape() {
        let r = ApiError::UnknownEndpoint.into_response();
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["content-type"], "application/json");
        let body = axum::body::to_bytes(r.into_body(), 4096)
            .await
            .unwrap_or_default();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(v["error"]["code"], "not_found");
        assert!(v["error"]["message"].is_string());
        assert_eq!(v.as_object().map(|o| o.len()), Some(1));
    }
}
