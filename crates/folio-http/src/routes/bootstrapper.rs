//! `/wopibootstrapper` (Learn `rest/bootstrapper/*`): Office mobile's entry point, authenticated
//! with an OAuth access token from Folio's token endpoint (`Authorization: Bearer <t>` or
//! `Bearer: <t>`), never with a WOPI token. GET is Bootstrap; a POST's
//! `X-WOPI-EcosystemOperation` picks GET_ROOT_CONTAINER, GET_NEW_ACCESS_TOKEN (with
//! `X-WOPI-WopiSrc`), or — absent, unknown or GET_WOPI_SRC_WITH_ACCESS_TOKEN — Bootstrap again.
//! A missing or bad token is 401 with the challenge (`error/oauth.rs`). Proof keys are not
//! checked here (not documented for the bootstrapper).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use folio_app::{AppError, BootstrapInfo};
use folio_wopi::oauth::{self as proto, BootstrapOperation};
use serde::Serialize;

use crate::AppState;
use crate::error::oauth::BootstrapError;
use crate::headers::{X_WOPI_ECOSYSTEM_OPERATION, X_WOPI_WOPI_SRC};

/// The `Bootstrap` object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct BootstrapBody {
    ecosystem_url: String,
    user_id: String,
    sign_in_name: String,
    user_friendly_name: String,
}

impl From<BootstrapInfo> for BootstrapBody {
    fn from(b: BootstrapInfo) -> Self {
        Self {
            ecosystem_url: b.ecosystem_url,
            user_id: b.user_id,
            sign_in_name: b.sign_in_name,
            user_friendly_name: b.user_friendly_name,
        }
    }
}

/// GetNewAccessToken's `AccessTokenInfo`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct AccessTokenInfo {
    access_token: String,
    /// Unix **milliseconds** (`access_token_ttl` semantics).
    access_token_expiry: i64,
}

/// CSPP Plus GetNewAccessToken's `EndPoints` (spec/cspp-plus.md §1).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct EndPoints {
    real_time_channel_endpoint_url: String,
    office_collaboration_service_endpoint_url: String,
}

/// The whole answer: `Bootstrap` plus the operation's object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct BootstrapResponse {
    bootstrap: BootstrapBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    root_container_info: Option<folio_wopi::wire::ContainerPointerResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token_info: Option<AccessTokenInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_points: Option<EndPoints>,
}

fn header_str<'a>(h: &'a HeaderMap, name: &axum::http::HeaderName) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// GET and POST /wopibootstrapper.
pub async fn bootstrapper(
    State(s): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let fail = |err: AppError| {
        BootstrapError {
            err,
            challenge: s.app.bootstrap_challenge(),
        }
        .into_response()
    };
    let token = header_str(&headers, &header::AUTHORIZATION).and_then(proto::bearer_token);
    let principal = match s.app.oauth_principal(token).await {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let op = BootstrapOperation::parse(
        method == Method::POST,
        header_str(&headers, &X_WOPI_ECOSYSTEM_OPERATION),
    );
    let body = match op {
        BootstrapOperation::Bootstrap | BootstrapOperation::GetWopiSrcWithAccessToken => s
            .app
            .bootstrap(&principal)
            .await
            .map(|b| BootstrapResponse {
                bootstrap: b.into(),
                root_container_info: None,
                access_token_info: None,
                end_points: None,
            }),
        BootstrapOperation::GetRootContainer => s
            .app
            .bootstrap_root_container(&principal)
            .await
            .map(|(b, root)| BootstrapResponse {
                bootstrap: b.into(),
                root_container_info: Some(root),
                access_token_info: None,
                end_points: None,
            }),
        BootstrapOperation::GetNewAccessToken => {
            let src = header_str(&headers, &X_WOPI_WOPI_SRC);
            let end_points = s.app.bootstrap_endpoints(src).await;
            match s.app.bootstrap_new_access_token(&principal, src).await {
                Ok(minted) => s
                    .app
                    .bootstrap(&principal)
                    .await
                    .map(|b| BootstrapResponse {
                        bootstrap: b.into(),
                        root_container_info: None,
                        access_token_info: Some(AccessTokenInfo {
                            access_token: minted.access_token,
                            access_token_expiry: minted.access_token_ttl,
                        }),
                        end_points: end_points.map(|(rtc, collab)| EndPoints {
                            real_time_channel_endpoint_url: rtc,
                            office_collaboration_service_endpoint_url: collab,
                        }),
                    }),
                Err(e) => Err(e),
            }
        }
    };
    match body {
        Ok(b) => {
            let mut r = Json(b).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => fail(e),
    }
}
