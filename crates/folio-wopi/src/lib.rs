#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod clock;
pub mod error;
pub mod headers;
pub mod ids;
pub mod lock;
pub mod naming;
pub mod operation;
pub mod utf7;
pub mod wire;

pub use error::WopiError;
pub use ids::{FileId, LockId};
