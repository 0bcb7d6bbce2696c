//! Shared helpers of the end-to-end tests (`tests/e2e/`): a real server on `127.0.0.1:0` over a
//! throw-away database ([`server`]), phones running the client core ([`phone`]), and a TCP proxy that
//! cuts connections on a deterministic plan ([`proxy`]).
//!
//! This is test-support code: a helper that cannot do its job panics, which fails the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod phone;
pub mod proxy;
pub mod server;

pub use phone::{Phone, SyncRun};
pub use proxy::{Cut, CutPlan, Exchange, Proxy};
pub use server::{Backend, Server};
