#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod action_url;
pub mod chunked;
pub mod clock;
pub mod coauth;
pub mod discovery;
pub mod error;
pub mod headers;
pub mod ids;
pub mod lock;
pub mod naming;
pub mod oauth;
pub mod operation;
pub mod proof;
pub mod range;
pub mod spooky;
pub mod utf7;
pub mod wire;

pub use error::WopiError;
pub use ids::{FileId, LockId};
