//! Route handlers, one module per route group.

pub mod admin;
pub mod pages;
pub mod wopi;
