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
use folio_app::{AppError, Forbidden, LaunchRefusal, NamePlace};
use folio_wopi::WopiError;
use folio_wopi::naming::NameError;

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
pub fn parts(e: &PageError) -> (StatusCode, String, String) {
    use StatusCode as S;
    let m = |s: String| s;
    match e {
        PageError::FormExpired => (
            S::FORBIDDEN,
            crate::i18n::t("error.form_expired"),
            m(crate::i18n::t("error.this_form_was_not_accepted")),
        ),
        PageError::AdminsOnly => (
            S::FORBIDDEN,
            crate::i18n::t("error.administrators_only"),
            m(crate::i18n::t("error.this_page_is_for_administrators")),
        ),
        PageError::UnknownDocumentType => (
            S::BAD_REQUEST,
            crate::i18n::t("error.unknown_document_type"),
            m(crate::i18n::t("error.choose_word_excel_or_powerpoint")),
        ),
        PageError::OwnerOnlyShare { folder } => (
            S::FORBIDDEN,
            crate::i18n::t("error.only_the_owner_can_share"),
            if *folder {
                m(crate::i18n::t("error.ask_the_owner_of_this"))
            } else {
                m(crate::i18n::t("error.ask_the_owner_of_this_2"))
            },
        ),
        PageError::UnknownAction => (
            S::NOT_FOUND,
            crate::i18n::t("error.not_found"),
            m(crate::i18n::t("error.unknown_action")),
        ),
        PageError::MissingLaunchToken => (
            S::BAD_REQUEST,
            crate::i18n::t("error.missing_launch_token"),
            m(crate::i18n::t("error.this_link_is_incomplete_open")),
        ),
        PageError::App(a) => app_parts(a),
    }
}

fn app_parts(e: &AppError) -> (StatusCode, String, String) {
    use StatusCode as S;
    match e {
        AppError::Wopi(WopiError::FileNotFound | WopiError::NotPermitted) => (
            S::NOT_FOUND,
            crate::i18n::t("error.not_found"),
            crate::i18n::t("error.this_file_or_folder_does"),
        ),
        // The one a page meets: no editor for the file's type (the protocol's own reasons are
        // for WOPI clients and the log, not for people).
        AppError::Wopi(WopiError::Unsupported(_)) => (
            S::NOT_IMPLEMENTED,
            crate::i18n::t("error.cannot_open_this_file_in"),
            crate::i18n::t("error.no_editor_for_this_type"),
        ),
        AppError::Store(StoreError::Unavailable(_)) => (
            S::SERVICE_UNAVAILABLE,
            crate::i18n::t("error.storage_unavailable"),
            crate::i18n::t("error.cannot_reach_its_storage_right"),
        ),
        AppError::LaunchRefused(why @ folio_app::LaunchRefusal::BadCloseUrl) => (
            S::BAD_REQUEST,
            crate::i18n::t("error.this_link_cannot_be_used"),
            crate::i18n::targs(
                "error.open_the_document_again_from",
                &[("why", &launch_refusal(*why) as &dyn std::fmt::Display)],
            ),
        ),
        AppError::LaunchRefused(why) => (
            S::UNAUTHORIZED,
            crate::i18n::t("error.this_link_cannot_be_used"),
            crate::i18n::targs(
                "error.open_the_document_again_from",
                &[("why", &launch_refusal(*why) as &dyn std::fmt::Display)],
            ),
        ),
        AppError::SetupClosed => (
            S::GONE,
            crate::i18n::t("error.setup_is_done"),
            crate::i18n::t("error.already_has_an_administrator_so"),
        ),
        AppError::LinkClosed => (
            S::NOT_FOUND,
            crate::i18n::t("error.this_link_no_longer_works"),
            crate::i18n::t("error.the_link_has_expired_or"),
        ),
        AppError::LaunchCodeExpired => (
            S::NOT_FOUND,
            crate::i18n::t("error.this_link_has_expired"),
            crate::i18n::t("error.launch_links_work_once_and"),
        ),
        other => match refusal_status(other) {
            Some(status) => (
                status,
                crate::i18n::t("error.cannot_do_that"),
                explain(other),
            ),
            None => (
                S::INTERNAL_SERVER_ERROR,
                crate::i18n::t("error.something_went_wrong"),
                crate::i18n::t("error.could_not_complete_this_request"),
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
        AppError::NotFound => crate::i18n::t("error.that_file_or_folder_does"),
        AppError::Forbidden(why) => crate::i18n::targs(
            "error.not_allowed",
            &[("why", &forbidden(*why) as &dyn std::fmt::Display)],
        ),
        AppError::InvalidName(why) => crate::i18n::targs(
            "error.that_name_cannot_be_used",
            &[("why", &name_error(why) as &dyn std::fmt::Display)],
        ),
        AppError::NameTaken { name, place } => match place {
            NamePlace::ThisFolder => crate::i18n::targs(
                "error.already_exists_here_choose_another",
                &[("name", &name as &dyn std::fmt::Display)],
            ),
            NamePlace::TargetFolder => crate::i18n::targs(
                "error.already_exists_in_the_target",
                &[("name", &name as &dyn std::fmt::Display)],
            ),
            NamePlace::Users => crate::i18n::targs(
                "error.a_user_with_the_login",
                &[("name", &name as &dyn std::fmt::Display)],
            ),
        },
        AppError::Locked => crate::i18n::t("error.the_file_is_open_in"),
        AppError::TooLarge { limit } => {
            crate::i18n::t1("error.the_file_is_too_large", "mb", limit / (1024 * 1024))
        }
        AppError::NotEmpty => crate::i18n::t("error.the_folder_is_not_empty"),
        AppError::MoveIntoItself => Message::MoveIntoItself.text(),
        AppError::NotATemplate => Message::NotATemplate.text(),
        AppError::WrongPassword => Message::WrongPassword.text(),
        // The other refusals (unknown user, sharing with oneself, a bad login or password, a past
        // expiry, …) have their message; anything else the generic sentence.
        other => match refusal_message(other) {
            Some(m) => m.text(),
            None => crate::i18n::t("error.could_not_complete_this_request"),
        },
    }
}

/// The catalog's words for what a `Forbidden` refusal was about (a clause of "Not allowed: …").
pub(crate) fn forbidden(f: Forbidden) -> String {
    match f {
        Forbidden::ViewOnlyFolder => crate::i18n::t("reason.forbidden.view_only_folder"),
        Forbidden::ViewOnlyFile => crate::i18n::t("reason.forbidden.view_only_file"),
        Forbidden::ViewOnlyTargetFolder => {
            crate::i18n::t("reason.forbidden.view_only_target_folder")
        }
        Forbidden::OwnerOnly => crate::i18n::t("reason.forbidden.owner_only"),
        Forbidden::OtherOwnersFolder => crate::i18n::t("reason.forbidden.other_owners_folder"),
    }
}

/// The catalog's words for why a name is refused (a clause of "That name cannot be used: …").
pub(crate) fn name_error(e: &NameError) -> String {
    match e {
        NameError::Empty => crate::i18n::t("reason.name.empty"),
        NameError::Blank => crate::i18n::t("reason.name.blank"),
        NameError::DotName => crate::i18n::t("reason.name.dot_name"),
        NameError::TooLong { len, max } => crate::i18n::targs(
            "reason.name.too_long",
            &[
                ("len", len as &dyn std::fmt::Display),
                ("max", max as &dyn std::fmt::Display),
            ],
        ),
        NameError::ForbiddenChar(c) => crate::i18n::targs(
            "reason.name.forbidden_char",
            &[("c", c as &dyn std::fmt::Display)],
        ),
        NameError::ControlChar(u) => {
            let code = format!("{u:04X}");
            crate::i18n::targs(
                "reason.name.control_char",
                &[("code", &code as &dyn std::fmt::Display)],
            )
        }
        NameError::SurroundingWhitespace => crate::i18n::t("reason.name.surrounding_whitespace"),
        NameError::TrailingDot => crate::i18n::t("reason.name.trailing_dot"),
    }
}

/// The catalog's words for why a signed launch link was refused.
pub(crate) fn launch_refusal(r: LaunchRefusal) -> String {
    use LaunchRefusal::*;
    match r {
        NotConfigured => crate::i18n::t("reason.launch.not_configured"),
        Malformed => crate::i18n::t("reason.launch.malformed"),
        UnusableKey => crate::i18n::t("reason.launch.unusable_key"),
        UnsupportedAlgorithm => crate::i18n::t("reason.launch.unsupported_algorithm"),
        Expired => crate::i18n::t("reason.launch.expired"),
        WrongAudience => crate::i18n::t("reason.launch.wrong_audience"),
        BadSignature => crate::i18n::t("reason.launch.bad_signature"),
        Invalid => crate::i18n::t("reason.launch.invalid"),
        TooLongLived => crate::i18n::t("reason.launch.too_long_lived"),
        NoValidFile => crate::i18n::t("reason.launch.no_valid_file"),
        BadPermission => crate::i18n::t("reason.launch.bad_permission"),
        MissingJti => crate::i18n::t("reason.launch.missing_jti"),
        AlreadyUsed => crate::i18n::t("reason.launch.already_used"),
        BadCloseUrl => crate::i18n::t("reason.launch.bad_close_url"),
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
pub fn sign_in_refusal(e: &AppError) -> Option<(StatusCode, String)> {
    match e {
        AppError::BadCredentials => Some((
            StatusCode::UNAUTHORIZED,
            crate::i18n::t("error.wrong_login_or_password"),
        )),
        AppError::RateLimited => Some((
            StatusCode::TOO_MANY_REQUESTS,
            crate::i18n::t("error.too_many_failed_sign_ins"),
        )),
        _ => None,
    }
}

/// A public link's password page's answer to a refused password: status and message (the
/// password page again). `None` means an error page instead.
pub fn link_password_refusal(e: &AppError) -> Option<(StatusCode, String)> {
    match e {
        AppError::BadCredentials => Some((
            StatusCode::UNAUTHORIZED,
            crate::i18n::t("error.wrong_password"),
        )),
        AppError::RateLimited => Some((
            StatusCode::TOO_MANY_REQUESTS,
            crate::i18n::t("error.too_many_wrong_passwords_for"),
        )),
        _ => None,
    }
}

/// The setup page's answer to a refused form: status and message (the setup page again).
/// `None` means an error page instead (a wrong code, setup over, storage trouble).
pub fn setup_refusal(e: &AppError) -> Option<(StatusCode, String)> {
    match e {
        AppError::InvalidLogin => Some((
            StatusCode::BAD_REQUEST,
            crate::i18n::t("error.that_login_cannot_be_used"),
        )),
        AppError::WeakPassword => Some((
            StatusCode::BAD_REQUEST,
            crate::i18n::t("error.the_password_must_be_at"),
        )),
        AppError::PasswordsDiffer => Some((
            StatusCode::BAD_REQUEST,
            crate::i18n::t("error.the_two_passwords_differ_type"),
        )),
        _ => None,
    }
}

/// The sign-in form's own CSRF cookie did not match: the sign-in page again, with this.
pub fn sign_in_form_expired() -> (StatusCode, String) {
    (
        StatusCode::FORBIDDEN,
        crate::i18n::t("error.the_sign_in_form_expired"),
    )
}

/// A public link's password form's own CSRF cookie did not match: the password page again.
pub fn link_form_expired() -> (StatusCode, String) {
    (
        StatusCode::FORBIDDEN,
        crate::i18n::t("error.the_form_expired_please_type"),
    )
}

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
                heading,
                message,
                back: "/".to_owned(),
                back_label: crate::i18n::t("error.back_to_your_files"),
            },
        )
    }
}

/// A form sent without a live session: the sign-in page again (status 401) with this.
pub fn signed_out_form() -> (StatusCode, String) {
    (
        StatusCode::UNAUTHORIZED,
        crate::i18n::t("error.you_were_signed_out_so"),
    )
}

/// A script's request without a live session: `401` JSON `{"error": "<sentence>", "signin":
/// "/login"}` — never a redirect, which a script would follow and take for success.
#[derive(Debug)]
pub struct SignedOut;

/// The sentence of [`SignedOut`].
pub fn signed_out_script() -> String {
    crate::i18n::t("error.you_are_signed_out_sign")
}

impl IntoResponse for SignedOut {
    fn into_response(self) -> Response {
        let status = StatusCode::UNAUTHORIZED;
        super::log_once("page", status, &self, &"signed out");
        let mut r = (
            status,
            Json(serde_json::json!({ "error": signed_out_script(), "signin": "/login" })),
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
            crate::i18n::t("error.the_page_expired_reload_it"),
        ),
        UploadError::App(a) => match refusal_status(a) {
            Some(status) => (status, explain(a)),
            None => (
                StatusCode::INTERNAL_SERVER_ERROR,
                crate::i18n::t("error.the_upload_failed_on_the"),
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
            crate::i18n::t("error.you_are_signed_out_sign_2"),
        ),
        RenewError::FormExpired => (
            StatusCode::FORBIDDEN,
            crate::i18n::t("error.the_page_expired_reload_it_2"),
        ),
        RenewError::App(AppError::Forbidden(_)) => (
            StatusCode::FORBIDDEN,
            crate::i18n::t("error.you_can_no_longer_edit"),
        ),
        RenewError::App(AppError::NotFound) => (
            StatusCode::NOT_FOUND,
            crate::i18n::t("error.you_no_longer_have_access"),
        ),
        RenewError::App(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::i18n::t("error.the_editor_s_access_could"),
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
            assert_eq!((s.as_u16(), h.as_str()), (status, heading), "{err:?}");
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
                "Nobody has that login, or that name (choose the person from the suggestions).",
            ),
            (
                AppError::InvalidName(NameError::ForbiddenChar('/')),
                400,
                "That name cannot be used: the name contains the character '/', which is not \
                 allowed.",
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
            (
                AppError::PasswordsDiffer,
                400,
                "The two new passwords differ; type the same password twice.",
            ),
            (
                AppError::NotATemplate,
                400,
                "That is not a Word, Excel or PowerPoint document or template (.docx, .xlsx, \
                 .pptx, .dotx, .xltx, .potx).",
            ),
            (
                AppError::RateLimited,
                429,
                "Too many wrong passwords: wait a few minutes and try again.",
            ),
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
            Some((StatusCode::UNAUTHORIZED, "Wrong password.".to_owned()))
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
