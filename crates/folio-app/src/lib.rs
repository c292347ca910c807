#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod app;
mod error;
pub mod tokens;

pub use app::*;
pub use error::AppError;
pub use folio_store;
