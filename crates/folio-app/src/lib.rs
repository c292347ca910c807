#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod app;
pub mod audit;
pub mod editors;
mod error;
pub mod integration;
pub mod metrics;
pub mod retention;
pub mod tokens;
pub mod web;
pub mod zip;

pub use app::*;
pub use error::{AppError, Forbidden, LaunchRefusal, NamePlace};
pub use folio_store;

/// Formats Unix ms as the WOPI/ISO 8601 UTC time string.
pub fn wire_time(ms: i64) -> String {
    folio_wopi::wire::format_wopi_time(ms)
}
