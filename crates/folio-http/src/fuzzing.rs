//! Entry points for the cargo-fuzz targets in `fuzz/` — not an API. Each feeds client bytes
//! through the same extractor a handler uses (`ApiJson<T>` for `/api/v1` bodies, axum's `Form<T>`
//! — serde_urlencoded — for the pages' forms) into the handler's own request type, and checks
//! what the handler relies on afterwards. A panic here is a bug in a request path.

use axum::body::Body;
use axum::extract::{Form, FromRequest, Request};
use axum::http::{Method, header};
use serde::de::DeserializeOwned;

use crate::extract::api::ApiJson;
use crate::routes::api::{files::PatchFile, sessions::NewSession, users::PutUser};
use crate::routes::ui::account::PasswordForm as AccountPasswordForm;
use crate::routes::ui::admin::{CreateUserForm, PasswordForm};
use crate::routes::ui::auth::{CsrfForm, LoginForm};
use crate::routes::ui::file_actions::MoveForm;
use crate::routes::ui::folder_actions::{CsrfOnly, KindForm, NameForm};
use crate::routes::ui::sharing::ShareForm;

fn request(content_type: &str, body: &[u8]) -> Request {
    let mut req = Request::new(Body::from(body.to_vec()));
    *req.method_mut() = Method::POST;
    if let Ok(value) = content_type.parse() {
        req.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    req
}

/// Whether `body` is accepted as a `T` by the API's JSON extractor.
fn api_json<T: DeserializeOwned>(body: &[u8]) -> bool {
    let req = request("application/json", body);
    futures::executor::block_on(ApiJson::<T>::from_request(req, &())).is_ok()
}

/// Whether `body` is accepted as a `T` by the pages' form extractor.
fn form<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let req = request("application/x-www-form-urlencoded", body);
    futures::executor::block_on(Form::<T>::from_request(req, &()))
        .ok()
        .map(|Form(v)| v)
}

/// Every `/api/v1` JSON body type: `POST /sessions`, `PATCH /files/{id}`, `PUT /users/{id}`.
/// Returns how many accepted `body`.
pub fn api_json_bodies(body: &[u8]) -> usize {
    [
        api_json::<NewSession>(body),
        api_json::<PatchFile>(body),
        api_json::<PutUser>(body),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count()
}

/// Every page form type. For the sign-in form, the `next` it would redirect to is checked to be
/// a same-origin path (the open-redirect rule). Returns how many accepted `body`.
pub fn form_bodies(body: &[u8]) -> usize {
    let mut accepted = 0;
    if let Some(login) = form::<LoginForm>(body) {
        accepted += 1;
        let next = crate::routes::ui::auth::safe_next(&login.next);
        let mut chars = next.chars();
        assert_eq!(chars.next(), Some('/'), "{next:?}");
        assert!(!matches!(chars.next(), Some('/' | '\\')), "{next:?}");
        assert!(
            !next.contains(|c: char| c.is_control() || c.is_whitespace() || c == '\\'),
            "{next:?}"
        );
    }
    accepted += [
        form::<CsrfForm>(body).is_some(),
        form::<CreateUserForm>(body).is_some(),
        form::<PasswordForm>(body).is_some(),
        form::<MoveForm>(body).is_some(),
        form::<NameForm>(body).is_some(),
        form::<CsrfOnly>(body).is_some(),
        form::<KindForm>(body).is_some(),
        form::<ShareForm>(body).is_some(),
        form::<AccountPasswordForm>(body).is_some(),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count();
    accepted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_are_accepted_and_garbage_is_not() {
        assert_eq!(
            api_json_bodies(br#"{"file_id":"x","user":{"id":"u"},"permission":"view"}"#),
            1
        );
        assert_eq!(api_json_bodies(br#"{"name":"a.docx"}"#), 1, "PATCH only");
        assert_eq!(api_json_bodies(b"\xff{"), 0);
        assert!(form_bodies(b"login=a&password=b&csrf=c&next=%2F%09%2Fevil.example") >= 1);
        assert_eq!(
            form_bodies(b""),
            5,
            "only the forms whose fields all default (CSRF-only, new document, account password, …)"
        );
    }
}
