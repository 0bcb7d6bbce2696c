//! The odf-verify server: the `/v1` API phones and dashboards use, its settings ([`config`]), and the
//! admin commands of the `odf-server` binary (`src/bin/odf-server`), which only parses the command
//! line, prints, and calls into this library, and the demo ([`demo`], feature `demo`).

#![forbid(unsafe_code)]

pub mod access;
pub mod app;
pub mod auth;
pub mod commands;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod keyring;
pub mod keys;
pub mod metrics;
pub mod openapi;
pub mod photos;
pub mod places;
pub mod routes;
mod shutdown;
pub mod views;
pub mod web;

pub use app::{AppState, ServerConfig, router, serve};
pub use config::Settings;
pub use shutdown::shutdown_signal;
