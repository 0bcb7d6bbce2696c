//! Runs the `odf-field` binary, in one test binary: the offline commands and login/pull/sync
//! ([`commands`]), and the commands of a village's way to ODF ([`field`]), against scripted servers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod commands;
mod field;
mod honest;
mod one_language;
mod support;
