//! Route handlers, one module per route group.

pub mod admin;
pub mod ui;
pub mod wopi;
