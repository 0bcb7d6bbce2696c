//! The client core's integration tests, in one binary (each test binary links the whole client, so
//! one is faster to build than one per file): offline recording, the sync engine against a fake
//! server, the HTTP transport against a raw socket, and the field side of verification.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_transport;
mod offline;
mod photos;
mod places;
mod support;
mod sync_engine;
mod verification;
mod village_actions;
