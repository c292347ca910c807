#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod app;
pub mod editors;
mod error;
pub mod tokens;
pub mod web;

pub use app::*;
pub use error::AppError;
pub use folio_store;
