//! Folio's integration tests: one binary, one module per area. Every test starts the real
//! `folio` binary (`serve --listen 127.0.0.1:0`) on a fresh data directory and talks HTTP to it.

mod a11y;
mod account_page;
mod accounts;
mod api;
mod audit;
mod browser;
mod cli;
mod clients;
mod containers;
mod cspp;
mod doctor;
mod durability;
mod editors;
mod file_browser;
mod finding;
mod folders;
mod hardening;
mod metrics;
mod mobile;
mod office;
mod ops;
mod replicas;
mod retention;
mod sharing;
mod support;
mod templates;
mod trash;
mod web;
mod wopi;
