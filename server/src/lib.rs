//! The odf-verify server: the `/v1` API phones and dashboards use, and the admin commands of the
//! `odf-server` binary. `main.rs` only parses the command line and calls into this library.

#![forbid(unsafe_code)]

pub mod access;
pub mod app;
pub mod auth;
pub mod commands;
pub mod demo;
pub mod error;
pub mod keys;
pub mod metrics;
pub mod openapi;
pub mod places;
pub mod routes;
pub mod views;

pub use app::{AppState, ServerConfig, router, serve};
