//! Route handlers, one module per route group.

pub mod admin;
pub mod api;
pub mod bootstrapper;
pub mod oauth;
pub mod openapi;
pub mod ui;
pub mod wopi;
