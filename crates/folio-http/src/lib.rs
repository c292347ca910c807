#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod error;
pub mod extract;
#[doc(hidden)]
pub mod fuzzing;
pub mod headers;
pub mod i18n;
mod middleware;
mod routes;
pub mod security_headers;
pub mod server;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::routing::{any, delete, get, post, put};
use folio_app::App;
use tokio::net::TcpListener;

pub use error::HttpError;
pub use server::{ServeOptions, serve_with};

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: Arc<App>,
}

/// All of Folio's routes.
pub fn router(state: AppState) -> Router {
    router_with(state, None)
}

/// All of Folio's routes plus `nested` routers, each served under its path prefix (the
/// development editor at `/dev-editor`), all under the same layers: request tracing and
/// [`security_headers`](security_headers::security_headers) (the policy follows the configured
/// public URL).
pub fn router_with(
    state: AppState,
    nested: impl IntoIterator<Item = (&'static str, Router)>,
) -> Router {
    let policy = security_headers::SecurityHeaders::for_public_url(&state.app.config().public_url);
    let app = state.app.clone();
    let own = Router::new()
        .route(
            "/wopi/files/{id}",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/files/{id}/contents",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/files/{id}/ancestry",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/files/{id}/ecosystem_pointer",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/containers/{id}",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/containers/{id}/children",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/containers/{id}/ancestry",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/containers/{id}/ecosystem_pointer",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/ecosystem",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route(
            "/wopi/ecosystem/root_container_pointer",
            get(routes::wopi::dispatch).post(routes::wopi::dispatch),
        )
        .route("/wopi/{*rest}", any(routes::wopi::not_implemented))
        .route("/api/v1/openapi.json", get(routes::openapi::openapi))
        .route("/api/v1/files", post(routes::api::files::upload))
        .route(
            "/api/v1/files/{id}",
            get(routes::api::files::metadata)
                .patch(routes::api::files::patch_file)
                .delete(routes::api::files::delete_file),
        )
        .route(
            "/api/v1/files/{id}/content",
            get(routes::api::content::content),
        )
        .route(
            "/api/v1/files/{id}/versions",
            get(routes::api::files::versions),
        )
        .route(
            "/api/v1/files/{id}/versions/{version}/content",
            get(routes::api::content::version_content),
        )
        .route(
            "/api/v1/files/{id}/lock",
            get(routes::api::locks::get_lock).delete(routes::api::locks::release_lock),
        )
        .route("/api/v1/folders", get(routes::api::folders::list_folder))
        .route(
            "/api/v1/users/{external_id}",
            put(routes::api::users::put_user),
        )
        .route(
            "/api/v1/sessions",
            post(routes::api::sessions::create_session).get(routes::api::sessions::list_sessions),
        )
        .route(
            "/api/v1/sessions/{id}",
            delete(routes::api::sessions::revoke_session),
        )
        .route(
            "/api/v1/webhooks/deliveries",
            get(routes::api::webhooks::deliveries),
        )
        .route("/api/v1/audit", get(routes::api::audit::audit))
        .route("/api/v1/{*rest}", any(routes::api::api_not_found))
        .route("/launch", get(routes::ui::host_page::launch_jwt))
        .route("/launch/{code}", get(routes::ui::host_page::launch_code))
        .route("/blob/{id}", get(routes::wopi::get_file_url))
        .route("/template/{id}", get(routes::wopi::get_template_source))
        .route("/account", get(routes::ui::account::account))
        .route(
            "/account/password",
            post(routes::ui::account::change_password),
        )
        .route(
            "/account/sessions/sign-out-others",
            post(routes::ui::account::sign_out_others),
        )
        .route(
            "/account/apps/{id}/revoke",
            post(routes::ui::account::revoke_app),
        )
        .route(
            "/admin/templates",
            post(routes::ui::admin::admin_add_template),
        )
        .route(
            "/admin/templates/{id}/delete",
            post(routes::ui::admin::admin_delete_template),
        )
        .route("/open/{id}", get(routes::ui::host_page::open))
        .route("/open/{id}/token", post(routes::ui::host_page::renew))
        .route("/", get(routes::ui::files::home))
        .route("/folders/{id}", get(routes::ui::files::folder))
        .route("/files/{id}/versions", get(routes::ui::files::versions))
        .route("/files/{id}/download", get(routes::ui::files::download))
        .route("/files/{id}/details", get(routes::ui::finding::details))
        .route(
            "/files/{id}/favourite",
            post(routes::ui::finding::star_file),
        )
        .route(
            "/folders/{id}/favourite",
            post(routes::ui::finding::star_folder),
        )
        .route("/search", get(routes::ui::finding::search))
        .route("/recent", get(routes::ui::finding::recent))
        .route("/favourites", get(routes::ui::finding::favourites))
        .route(
            "/login",
            get(routes::ui::auth::login_form).post(routes::ui::auth::login),
        )
        .route("/logout", post(routes::ui::auth::logout))
        .route("/session/csrf", get(routes::ui::auth::session_csrf))
        .route(
            "/setup",
            get(routes::ui::setup::setup_form).post(routes::ui::setup::setup),
        )
        .route("/folders/{id}/upload", post(routes::ui::upload::upload))
        .route(
            "/folders/{id}/new-folder",
            post(routes::ui::folder_actions::new_folder),
        )
        .route(
            "/folders/{id}/new-document",
            post(routes::ui::folder_actions::new_document),
        )
        .route(
            "/folders/{id}/delete",
            post(routes::ui::folder_actions::delete_folder),
        )
        .route(
            "/folders/{id}/rename",
            post(routes::ui::folder_actions::rename_folder),
        )
        .route(
            "/folders/{id}/move",
            post(routes::ui::folder_actions::move_folder),
        )
        .route("/folders/{id}/bulk", post(routes::ui::trash::bulk))
        .route("/folders/{id}/picker", get(routes::ui::trash::picker))
        .route("/trash", get(routes::ui::trash::trash))
        .route("/trash/empty", post(routes::ui::trash::empty))
        .route("/trash/undo", post(routes::ui::trash::undo))
        .route("/trash/{id}/restore", post(routes::ui::trash::restore))
        .route("/trash/{id}/delete", post(routes::ui::trash::purge))
        .route(
            "/folders/{id}/share",
            get(routes::ui::sharing::share_folder_page).post(routes::ui::sharing::share_folder),
        )
        .route(
            "/folders/{id}/unshare",
            post(routes::ui::sharing::unshare_folder),
        )
        .route("/files/{id}/rename", post(routes::ui::file_actions::rename))
        .route(
            "/files/{id}/move",
            post(routes::ui::file_actions::move_file),
        )
        .route(
            "/files/{id}/delete",
            post(routes::ui::file_actions::delete_file),
        )
        .route(
            "/files/{id}/share",
            get(routes::ui::sharing::share_file_page).post(routes::ui::sharing::share_file),
        )
        .route(
            "/files/{id}/unshare",
            post(routes::ui::sharing::unshare_file),
        )
        .route("/files/{id}/links", post(routes::ui::sharing::create_link))
        .route(
            "/files/{id}/links/{link}/revoke",
            post(routes::ui::sharing::revoke_link),
        )
        .route("/people", get(routes::ui::sharing::people))
        .route("/s/closed", get(routes::ui::links::closed))
        .route(
            "/s/{secret}",
            get(routes::ui::links::open_link).post(routes::ui::links::unlock_link),
        )
        .route(
            "/files/{id}/versions/{version}/restore",
            post(routes::ui::file_actions::restore),
        )
        .route(
            folio_app::AUTHORIZE_PATH,
            get(routes::oauth::authorize).post(routes::oauth::consent),
        )
        .route(folio_app::TOKEN_PATH, post(routes::oauth::token))
        .route(
            folio_app::BOOTSTRAPPER_PATH,
            get(routes::bootstrapper::bootstrapper).post(routes::bootstrapper::bootstrapper),
        )
        .route(
            "/connected-apps",
            get(routes::ui::connected_apps::connected_apps),
        )
        .route(
            "/connected-apps/{id}/revoke",
            post(routes::ui::connected_apps::revoke_connected_app),
        )
        .route(
            "/admin/oauth-grants/{id}/revoke",
            post(routes::ui::admin::admin_revoke_oauth_grant),
        )
        .route("/shared", get(routes::ui::sharing::shared))
        .route("/admin", get(routes::ui::admin::admin))
        .route("/admin/audit", get(routes::ui::admin::admin_audit))
        .route("/admin/users", post(routes::ui::admin::admin_create_user))
        .route(
            "/admin/users/{id}/password",
            post(routes::ui::admin::admin_reset_password),
        )
        .route(
            "/admin/users/{id}/{action}",
            post(routes::ui::admin::admin_set_disabled),
        )
        .route(
            "/admin/locks/{id}/release",
            post(routes::ui::admin::admin_release_lock),
        )
        .route("/static/upload.js", get(routes::ui::upload_js))
        .route("/static/share.js", get(routes::ui::share_js))
        .route("/static/folio.css", get(routes::ui::css))
        .route("/static/host_page.js", get(routes::ui::host_page_js))
        .route("/static/host_page.css", get(routes::ui::host_page_css))
        .route("/static/folio.js", get(routes::ui::folio_js))
        .route("/healthz", get(routes::admin::healthz))
        .route("/readyz", get(routes::admin::readyz))
        .route("/status/editors", get(routes::admin::editors_status))
        .route("/metrics", get(routes::admin::metrics))
        .with_state(state);
    nested
        .into_iter()
        .fold(own, |all, (path, router)| all.nest(path, router))
        .layer(axum::middleware::from_fn_with_state(
            policy,
            security_headers::security_headers,
        ))
        .layer(axum::middleware::from_fn(i18n::layer))
        .layer(axum::middleware::from_fn(middleware::audit_context))
        .layer(axum::middleware::from_fn_with_state(app, middleware::trace))
}

/// Serves `router` on `listener` with the default [`ServeOptions`] until `shutdown` resolves,
/// then lets in-flight requests end (within the shutdown grace period).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, ServeOptions::default()).await
}
