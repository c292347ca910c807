//! The pages surface: how an error reaches a person.
//!
//! - A *refusal* of a form action (`AppError::NotFound`, `Forbidden`, a bad or taken name,
//!   `Locked`, `TooLarge`, `NotEmpty`, …) redirects back to the page the form was on with the
//!   refusal's message code (`?error=CODE`, words in `crate::routes::ui::message`): [`back_with`].
//! - Anything else is an HTML error page with a heading, what happened and what to do:
//!   [`PageError`] (`AppError` plus the refusals only pages have: an expired form, admins only,
//!   …).
//! - The sign-in form answers with the sign-in page again: [`sign_in_refusal`].
//! - The XHR upload answers JSON `{"error": "…"}` (with `"code"`: `name-taken` | `locked`
//!   for the conflicts the page asks about): [`UploadError`].
//!
//! The `page_error_responses` and `refusal_sentences` table tests pin status and words.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use folio_app::folio_store::StoreError;
use folio_app::{AppError, Forbidden, NamePlace};
use folio_wopi::WopiError;

use crate::routes::ui::message::Message;
use crate::routes::ui::{ErrorPage, render};

/// An error answered with an HTML error page.
#[derive(Debug)]
pub enum PageError {
    /// A use case failed or refused.
    App(AppError),
    /// The form's CSRF token is missing or stale.
    FormExpired,
    /// A page for administrators only.
    AdminsOnly,
    /// New document of an unknown kind.
    UnknownDocumentType,
    /// The share page of something the user does not own.
    OwnerOnlyShare {
        /// A folder (else a file).
        folder: bool,
    },
    /// An admin action that does not exist.
    UnknownAction,
    /// `/launch` without `?t=`.
    MissingLaunchToken,
}

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError::App(e.into())
    }
}

/// Status, heading and message of an error page.
pub fn parts(e: &PageError) -> (StatusCode, &'static str, String) {
    use StatusCode as S;
    let m = |s: &str| s.to_owned();
    match e {
        PageError::FormExpired => (
            S::FORBIDDEN,
            "Form expired",
            m(
                "This form was not accepted because its security token is missing or out of date. Go back, reload the page and try again.",
            ),
        ),
        PageError::AdminsOnly => (
            S::FORBIDDEN,
            "Administrators only",
            m("This page is for Folio administrators."),
        ),
        PageError::UnknownDocumentType => (
            S::BAD_REQUEST,
            "Unknown document type",
            m("Choose Word, Excel or PowerPoint."),
        ),
        PageError::OwnerOnlyShare { folder } => (
            S::FORBIDDEN,
            "Only the owner can share",
            if *folder {
                m("Ask the owner of this folder to share it.")
            } else {
                m("Ask the owner of this file to share it.")
            },
        ),
        PageError::UnknownAction => (S::NOT_FOUND, "Not found", m("Unknown action.")),
        PageError::MissingLaunchToken => (
            S::BAD_REQUEST,
            "Missing launch token",
            m("This link is incomplete. Open the document again from your application."),
        ),
        PageError::App(a) => app_parts(a),
    }
}

fn app_parts(e: &AppError) -> (StatusCode, &'static str, String) {
    use StatusCode as S;
    match e {
        AppError::Wopi(WopiError::FileNotFound | WopiError::NotPermitted) => (
            S::NOT_FOUND,
            "Not found",
            "This file or folder does not exist, or you do not have access to it. Ask its owner to share it with you.".to_owned(),
        ),
        AppError::Wopi(WopiError::Unsupported(m)) => (
            S::NOT_IMPLEMENTED,
            "Cannot open this file in the browser",
            format!("{m}. You can still download it."),
        ),
        AppError::Store(StoreError::Unavailable(_)) => (
            S::SERVICE_UNAVAILABLE,
            "Storage unavailable",
            "Folio cannot reach its storage right now. Try again in a minute.".to_owned(),
        ),
        AppError::LaunchRefused(why @ folio_app::LaunchRefusal::BadCloseUrl) => (
            S::BAD_REQUEST,
            "This link cannot be used",
            format!("{why}. Open the document again from your application."),
        ),
        AppError::LaunchRefused(why) => (
            S::UNAUTHORIZED,
            "This link cannot be used",
            format!("{why}. Open the document again from your application."),
        ),
        AppError::SetupClosed => (
            S::GONE,
            "Setup is done",
            "Folio already has an administrator, so the setup link no longer works. Sign in, or ask an administrator for an account.".to_owned(),
        ),
        AppError::LinkClosed => (
            S::NOT_FOUND,
            "This link no longer works",
            "The link has expired or was revoked, or it was mistyped. Ask the person who sent it for a new one.".to_owned(),
        ),
        AppError::LaunchCodeExpired => (
            S::NOT_FOUND,
            "This link has expired",
            "Launch links work once and only for a short time. Open the document again from your application.".to_owned(),
        ),
        other => match refusal_status(other) {
            Some(status) => (status, "Cannot do that", explain(other)),
            None => (
                S::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Folio could not complete this request. Try again; if it keeps failing, tell your administrator.".to_owned(),
            ),
        },
    }
}

/// The status of a refusal shown in place (a redirect back, or the upload's JSON); `None` for
/// errors that are not refusals.
fn refusal_status(e: &AppError) -> Option<StatusCode> {
    use StatusCode as S;
    Some(match e {
        AppError::NotFound => S::NOT_FOUND,
        AppError::Forbidden(_) => S::FORBIDDEN,
        AppError::InvalidName(_)
        | AppError::UnknownUser { .. }
        | AppError::ShareWithSelf
        | AppError::InvalidLogin
        | AppError::WeakPassword
        | AppError::LinkExpiryPast
        | AppError::WrongPassword
        | AppError::PasswordsDiffer
        | AppError::NotATemplate => S::BAD_REQUEST,
        AppError::RateLimited => S::TOO_MANY_REQUESTS,
        AppError::NameTaken { .. }
        | AppError::Locked
        | AppError::NotEmpty
        | AppError::MoveIntoItself => S::CONFLICT,
        AppError::TooLarge { .. } => S::PAYLOAD_TOO_LARGE,
        _ => return None,
    })
}

/// A refusal in words a person can act on.
fn explain(e: &AppError) -> String {
    match e {
        AppError::NotFound => {
            "That file or folder does not exist, or you have no access to it.".into()
        }
        AppError::Forbidden(why) => format!("Not allowed: {why}."),
        AppError::InvalidName(why) => format!("That name cannot be used: {why}."),
        AppError::UnknownUser { .. }
        | AppError::ShareWithSelf
        | AppError::InvalidLogin
        | AppError::WeakPassword => format!("That name cannot be used: {e}."),
        AppError::NameTaken { name, place } => match place {
            NamePlace::ThisFolder => format!("{name} already exists here; choose another name."),
            NamePlace::TargetFolder => {
                format!("{name} already exists in the target folder; choose another name.")
            }
            NamePlace::Users => {
                format!("A user with the login {name} already exists; choose another login.")
            }
        },
        AppError::Locked => "The file is open in an editor (locked). Try again when it is closed, or ask an administrator to release the lock.".into(),
        AppError::TooLarge { limit } => format!(
            "The file is too large: the limit is {} MB.",
            limit / (1024 * 1024)
        ),
        AppError::NotEmpty => {
            "The folder is not empty; move or delete its contents first.".into()
        }
        AppError::MoveIntoItself => Message::MoveIntoItself.text().into(),
        AppError::NotATemplate => Message::NotATemplate.text().into(),
        AppError::WrongPassword => Message::WrongPassword.text().into(),
        other => other.to_string(),
    }
}

/// The message code of a refusal shown after a redirect (`?error=CODE`); `Some` exactly when
/// [`refusal_status`] is.
fn refusal_message(e: &AppError) -> Option<Message> {
    Some(match e {
        AppError::NotFound => Message::NotFound,
        AppError::Forbidden(Forbidden::ViewOnlyFolder) => Message::ViewOnlyFolder,
        AppError::Forbidden(Forbidden::ViewOnlyFile) => Message::ViewOnlyFile,
        AppError::Forbidden(Forbidden::ViewOnlyTargetFolder) => Message::ViewOnlyTargetFolder,
        AppError::Forbidden(Forbidden::OwnerOnly) => Message::OwnerOnly,
        AppError::Forbidden(Forbidden::OtherOwnersFolder) => Message::OtherOwnersFolder,
        AppError::InvalidName(_) => Message::InvalidName,
        AppError::UnknownUser { .. } => Message::UnknownUser,
        AppError::ShareWithSelf => Message::ShareWithSelf,
        AppError::InvalidLogin => Message::InvalidLogin,
        AppError::WeakPassword => Message::WeakPassword,
        AppError::LinkExpiryPast => Message::LinkExpiryPast,
        AppError::WrongPassword => Message::WrongPassword,
        AppError::PasswordsDiffer => Message::PasswordsDiffer,
        AppError::NotATemplate => Message::NotATemplate,
        AppError::RateLimited => Message::TooManyAttempts,
        AppError::NameTaken { place, .. } => match place {
            NamePlace::ThisFolder => Message::NameTaken,
            NamePlace::TargetFolder => Message::NameTakenInTarget,
            NamePlace::Users => Message::LoginTaken,
        },
        AppError::Locked => Message::Locked,
        AppError::TooLarge { .. } => Message::TooLarge,
        AppError::NotEmpty => Message::NotEmpty,
        AppError::MoveIntoItself => Message::MoveIntoItself,
        _ => return None,
    })
}

/// The answer of a form action that failed: a refusal redirects to `back` with its message
/// code; anything else is an error page.
pub fn back_with(back: &str, e: AppError) -> Response {
    match refusal_message(&e) {
        Some(message) if refusal_status(&e).is_some() => {
            super::log_once("page", StatusCode::SEE_OTHER, &e, &e);
            message.redirect(back)
        }
        _ => PageError::App(e).into_response(),
    }
}

/// The sign-in page's answer to a refused sign-in: status and message. `None` means an error
/// page instead.
pub fn sign_in_refusal(e: &AppError) -> Option<(StatusCode, &'static str)> {
    match e {
        AppError::BadCredentials => Some((StatusCode::UNAUTHORIZED, "Wrong login or password.")),
        AppError::RateLimited => Some((
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed sign-ins for this login from here. Wait a little and try again.",
        )),
        _ => None,
    }
}

/// A public link's password page's answer to a refused password: status and message (the
/// password page again). `None` means an error page instead.
pub fn link_password_refusal(e: &AppError) -> Option<(StatusCode, &'static str)> {
    match e {
        AppError::BadCredentials => Some((StatusCode::UNAUTHORIZED, "Wrong password.")),
        AppError::RateLimited => Some((
            StatusCode::TOO_MANY_REQUESTS,
            "Too many wrong passwords for this link from here. Wait a little and try again.",
        )),
        _ => None,
    }
}

/// The setup page's answer to a refused form: status and message (the setup page again).
/// `None` means an error page instead (a wrong code, setup over, storage trouble).
pub fn setup_refusal(e: &AppError) -> Option<(StatusCode, &'static str)> {
    match e {
        AppError::InvalidLogin => Some((
            StatusCode::BAD_REQUEST,
            "That login cannot be used: use 1 to 64 characters without spaces.",
        )),
        AppError::WeakPassword => Some((
            StatusCode::BAD_REQUEST,
            "The password must be at least 8 characters.",
        )),
        AppError::PasswordsDiffer => Some((
            StatusCode::BAD_REQUEST,
            "The two passwords differ; type the same password twice.",
        )),
        _ => None,
    }
}

/// The sign-in form's own CSRF cookie did not match: the sign-in page again, with this.
pub const SIGN_IN_FORM_EXPIRED: (StatusCode, &str) = (
    StatusCode::FORBIDDEN,
    "The sign-in form expired. Please try again.",
);

/// A public link's password form's own CSRF cookie did not match: the password page again.
pub const LINK_FORM_EXPIRED: (StatusCode, &str) = (
    StatusCode::FORBIDDEN,
    "The form expired. Please type the password again.",
);

/// A template that failed to render.
pub fn render_failed(e: &askama::Error) -> Response {
    super::log_once("page", StatusCode::INTERNAL_SERVER_ERROR, e, e);
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error: the page could not be rendered\n",
    )
        .into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message) = parts(&self);
        super::log_once("page", status, &self, &heading);
        render(
            status,
            &ErrorPage {
                heading: heading.to_owned(),
                message,
                back: "/".to_owned(),
                back_label: "Back to your files".to_owned(),
            },
        )
    }
}

/// A form sent without a live session: the sign-in page again (status 401) with this.
pub const SIGNED_OUT_FORM: (StatusCode, &str) = (
    StatusCode::UNAUTHORIZED,
    "You were signed out, so that was not done. Sign in again: you will be back on the page you were on, with what you typed, to send it again.",
);

/// A script's request without a live session: `401` JSON `{"error": "<sentence>", "signin":
/// "/login"}` — never a redirect, which a script would follow and take for success.
#[derive(Debug)]
pub struct SignedOut;

/// The sentence of [`SignedOut`].
pub const SIGNED_OUT_SCRIPT: &str = "You are signed out. Sign in again, then retry.";

impl IntoResponse for SignedOut {
    fn into_response(self) -> Response {
        let status = StatusCode::UNAUTHORIZED;
        super::log_once("page", status, &self, &SIGNED_OUT_SCRIPT);
        let mut r = (
            status,
            Json(serde_json::json!({ "error": SIGNED_OUT_SCRIPT, "signin": "/login" })),
        )
            .into_response();
        r.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        r
    }
}

/// The XHR upload's errors: JSON `{"error": "<sentence>"}`.
#[derive(Debug)]
pub enum UploadError {
    /// A use case failed or refused.
    App(AppError),
    /// The `X-CSRF-Token` header is missing or stale.
    FormExpired,
}

/// Status and sentence of an upload error.
pub fn upload_parts(e: &UploadError) -> (StatusCode, String) {
    match e {
        UploadError::FormExpired => (
            StatusCode::FORBIDDEN,
            "The page expired; reload it and try again.".to_owned(),
        ),
        UploadError::App(a) => match refusal_status(a) {
            Some(status) => (status, explain(a)),
            None => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The upload failed on the server; try again.".to_owned(),
            ),
        },
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        let (status, sentence) = upload_parts(&self);
        super::log_once("upload", status, &self, &sentence);
        // The two conflicts the page resolves with the person: a taken name, a locked file.
        let code = match &self {
            UploadError::App(AppError::NameTaken { .. }) => Some("name-taken"),
            UploadError::App(AppError::Locked) => Some("locked"),
            _ => None,
        };
        let body = match code {
            Some(code) => serde_json::json!({ "error": sentence, "code": code }),
            None => serde_json::json!({ "error": sentence }),
        };
        (status, Json(body)).into_response()
    }
}

/// The host page's token renewal (`POST /open/{id}/token`): JSON `{"error": "<sentence>"}`,
/// never cached. The page shows the sentence in a banner.
#[derive(Debug)]
pub enum RenewError {
    /// A use case failed or refused (lost access: 404; lost write access: 403).
    App(AppError),
    /// The `X-CSRF-Token` header is missing or stale.
    FormExpired,
    /// No live session: signed out, expired, or the account was disabled.
    SignedOut,
}

/// Status and sentence of a renewal error.
pub fn renew_parts(e: &RenewError) -> (StatusCode, String) {
    match e {
        RenewError::SignedOut => (
            StatusCode::UNAUTHORIZED,
            "You are signed out; sign in again and reopen the document.".to_owned(),
        ),
        RenewError::FormExpired => (
            StatusCode::FORBIDDEN,
            "The page expired; reload it to keep working.".to_owned(),
        ),
        RenewError::App(AppError::Forbidden(_)) => (
            StatusCode::FORBIDDEN,
            "You can no longer edit this file; reload the page to view it.".to_owned(),
        ),
        RenewError::App(AppError::NotFound) => (
            StatusCode::NOT_FOUND,
            "You no longer have access to this file.".to_owned(),
        ),
        RenewError::App(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The editor's access could not be renewed; save your work and reload the page."
                .to_owned(),
        ),
    }
}

impl IntoResponse for RenewError {
    fn into_response(self) -> Response {
        let (status, sentence) = renew_parts(&self);
        super::log_once("renew", status, &self, &sentence);
        let mut r = (status, Json(serde_json::json!({ "error": sentence }))).into_response();
        r.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio_app::LaunchRefusal;

    #[test]
    fn renew_error_statuses() {
        let cases: Vec<(RenewError, u16)> = vec![
            (RenewError::SignedOut, 401),
            (RenewError::FormExpired, 403),
            (
                RenewError::App(AppError::Forbidden(Forbidden::ViewOnlyFile)),
                403,
            ),
            (RenewError::App(AppError::NotFound), 404),
            (
                RenewError::App(StoreError::Backend("secret".into()).into()),
                500,
            ),
        ];
        for (e, status) in cases {
            let (s, sentence) = renew_parts(&e);
            assert_eq!(s.as_u16(), status, "{e:?}");
            assert!(!sentence.contains("secret"), "{sentence}");
            let r = e.into_response();
            assert_eq!(r.headers()["cache-control"], "no-store");
        }
    }

    #[test]
    fn page_error_responses() {
        let rows: Vec<(PageError, u16, &str)> = vec![
            (PageError::FormExpired, 403, "Form expired"),
            (PageError::AdminsOnly, 403, "Administrators only"),
            (PageError::UnknownDocumentType, 400, "Unknown document type"),
            (
                PageError::OwnerOnlyShare { folder: true },
                403,
                "Only the owner can share",
            ),
            (PageError::UnknownAction, 404, "Not found"),
            (PageError::MissingLaunchToken, 400, "Missing launch token"),
            (WopiError::FileNotFound.into(), 404, "Not found"),
            (WopiError::NotPermitted.into(), 404, "Not found"),
            (
                WopiError::Unsupported("no editor").into(),
                501,
                "Cannot open this file in the browser",
            ),
            (
                StoreError::Unavailable("secret".into()).into(),
                503,
                "Storage unavailable",
            ),
            (
                AppError::LaunchRefused(LaunchRefusal::Expired).into(),
                401,
                "This link cannot be used",
            ),
            (
                AppError::LaunchCodeExpired.into(),
                404,
                "This link has expired",
            ),
            (
                AppError::LinkClosed.into(),
                404,
                "This link no longer works",
            ),
            (AppError::LinkExpiryPast.into(), 400, "Cannot do that"),
            (AppError::Locked.into(), 409, "Cannot do that"),
            (AppError::SetupClosed.into(), 410, "Setup is done"),
            (AppError::NotFound.into(), 404, "Cannot do that"),
            (
                StoreError::Backend("secret".into()).into(),
                500,
                "Something went wrong",
            ),
        ];
        for (err, status, heading) in rows {
            let (s, h, message) = parts(&err);
            assert_eq!((s.as_u16(), h), (status, heading), "{err:?}");
            assert!(!message.contains("secret"), "{err:?}");
            let r = err.into_response();
            assert_eq!(r.status().as_u16(), status);
            assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
            assert_eq!(r.headers()["cache-control"], "no-store");
        }
    }

    #[test]
    fn refusal_sentences() {
        let rows: Vec<(AppError, u16, &str)> = vec![
            (
                AppError::NotFound,
                404,
                "That file or folder does not exist, or you have no access to it.",
            ),
            (
                AppError::Forbidden(Forbidden::ViewOnlyFolder),
                403,
                "Not allowed: you can only view this folder.",
            ),
            (
                AppError::UnknownUser {
                    login: "bob".into(),
                },
                400,
                "That name cannot be used: there is no user \"bob\".",
            ),
            (
                AppError::NameTaken {
                    name: "a.docx".into(),
                    place: NamePlace::ThisFolder,
                },
                409,
                "a.docx already exists here; choose another name.",
            ),
            (
                AppError::NameTaken {
                    name: "a.docx".into(),
                    place: NamePlace::TargetFolder,
                },
                409,
                "a.docx already exists in the target folder; choose another name.",
            ),
            (
                AppError::TooLarge { limit: 3 << 20 },
                413,
                "The file is too large: the limit is 3 MB.",
            ),
            (
                AppError::NotEmpty,
                409,
                "The folder is not empty; move or delete its contents first.",
            ),
            (
                AppError::MoveIntoItself,
                409,
                "A folder cannot move into itself or one of its own folders.",
            ),
            (
                AppError::Forbidden(Forbidden::OtherOwnersFolder),
                403,
                "Not allowed: a folder can only move within its owner's folders.",
            ),
            (
                AppError::WrongPassword,
                400,
                "The current password is wrong; nothing was changed.",
            ),
            (AppError::PasswordsDiffer, 400, "the two passwords differ"),
            (
                AppError::NotATemplate,
                400,
                "That is not a Word, Excel or PowerPoint document or template (.docx, .xlsx, \
                 .pptx, .dotx, .xltx, .potx).",
            ),
            (AppError::RateLimited, 429, "too many failed sign-ins"),
        ];
        for (err, status, sentence) in rows {
            assert_eq!(refusal_status(&err).map(|s| s.as_u16()), Some(status));
            assert!(
                refusal_message(&err).is_some(),
                "{err:?} has a message code"
            );
            assert_eq!(explain(&err), sentence);
            let (s, body) = upload_parts(&UploadError::App(err));
            assert_eq!((s.as_u16(), body.as_str()), (status, sentence));
        }
        // A refusal redirects back with the sentence; an internal error is a page.
        let r = back_with("/folders/x", AppError::NotEmpty);
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/folders/x?error=not-empty");
        // Every refusal has a code, and nothing else does.
        for err in [
            AppError::BadCredentials,
            StoreError::Backend("x".into()).into(),
        ] {
            assert_eq!(refusal_status(&err), None);
            assert_eq!(refusal_message(&err), None, "{err:?}");
        }
        let r = back_with("/folders/x", StoreError::Backend("x".into()).into());
        assert_eq!(r.status(), 500);
        assert_eq!(
            upload_parts(&UploadError::FormExpired).0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            upload_parts(&UploadError::App(
                StoreError::Backend("secret".into()).into()
            )),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The upload failed on the server; try again.".to_owned()
            )
        );
        assert_eq!(
            sign_in_refusal(&AppError::RateLimited).map(|r| r.0),
            Some(StatusCode::TOO_MANY_REQUESTS)
        );
        assert_eq!(
            sign_in_refusal(&AppError::BadCredentials).map(|r| r.0),
            Some(StatusCode::UNAUTHORIZED)
        );
        assert_eq!(
            link_password_refusal(&AppError::BadCredentials),
            Some((StatusCode::UNAUTHORIZED, "Wrong password."))
        );
        assert_eq!(
            link_password_refusal(&AppError::RateLimited).map(|r| r.0),
            Some(StatusCode::TOO_MANY_REQUESTS)
        );
        assert_eq!(link_password_refusal(&AppError::LinkClosed), None);
        for e in [
            AppError::InvalidLogin,
            AppError::WeakPassword,
            AppError::PasswordsDiffer,
        ] {
            assert_eq!(
                setup_refusal(&e).map(|r| r.0),
                Some(StatusCode::BAD_REQUEST),
                "{e:?}"
            );
        }
        for e in [AppError::SetupClosed, AppError::NotFound] {
            assert_eq!(setup_refusal(&e), None, "{e:?}: an error page");
        }
    }
}
