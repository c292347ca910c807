#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod error;
mod middleware;
mod routes;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get, post};
use folio_app::App;
use tokio::net::TcpListener;

pub use error::HttpError;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: Arc<App>,
}

/// All of Folio's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/wopi/files/{id}",
            get(routes::wopi::check_file_info).post(routes::wopi::files_post),
        )
        .route(
            "/wopi/files/{id}/contents",
            get(routes::wopi::get_file).post(routes::wopi::put_file),
        )
        .route("/wopi/{*rest}", any(routes::wopi::not_implemented))
        .route("/blob/{id}", get(routes::wopi::get_file_url))
        .route("/open/{id}", get(routes::ui::host_page::open))
        .route("/", get(routes::ui::files::home))
        .route("/folders/{id}", get(routes::ui::files::folder))
        .route("/files/{id}/versions", get(routes::ui::files::versions))
        .route("/files/{id}/download", get(routes::ui::files::download))
        .route(
            "/login",
            get(routes::ui::auth::login_form).post(routes::ui::auth::login),
        )
        .route("/logout", post(routes::ui::auth::logout))
        .route("/static/folio.css", get(routes::ui::css))
        .route("/static/host_page.js", get(routes::ui::host_page_js))
        .route("/healthz", get(routes::admin::healthz))
        .route("/readyz", get(routes::admin::readyz))
        .route("/status/editors", get(routes::admin::editors_status))
        .route("/metrics", get(routes::admin::metrics))
        .layer(axum::middleware::from_fn(middleware::trace))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests end.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
