//! The server's persistence: one [`Store`] trait, implemented for embedded SQLite ([`SqliteStore`],
//! the default) and PostgreSQL ([`PgStore`]). Both run the same conformance suite
//! (`tests/store/`).
//!
//! Vocabulary:
//! - *ingest*: storing a pushed batch of households and visits in one transaction, with one
//!   [`Outcome`] per record. Records are keyed by their client-made UUID: the same id with the same
//!   content is a `Duplicate`, with other content a `Conflict`; neither changes anything.
//! - *tally*: per-village counts of KK by the latest visit of each household, kept in the same
//!   transaction as the visits; [`Coverage::recount`] recomputes them from raw visits to prove it.
//! - *change feed*: every household, visit, status, boundary and certificate change gets a
//!   monotonic `seq`; clients pull what changed in their scope since a cursor.
//! - *audit log*: append-only, hash-chained.
//! - *photos*: bytes named by their SHA-256, behind [`PhotoStore`] ([`FsPhotoStore`] on disk); the
//!   database only knows which visits name them ([`Ingest::photo_villages`]).
//! - *verification*: a team checks a village that claimed SBS on a reproducible sample of its
//!   households; the decision (Lulus/Gagal) moves the village through the status machine and, on
//!   Lulus, issues a signed certificate in the same transaction ([`Verifications::decide_verification`]).
//! - *slip*: a visit that finds open defecation in a certified village marks it slipped during
//!   [`Ingest::ingest`] and notifies the kecamatan's verifiers ([`Statuses::notifications`]).
//!
//! The contract is [`Store`] with one supertrait per concern ([`Places`], [`Accounts`], [`Ingest`],
//! [`Statuses`], [`Verifications`], [`Certificates`], [`Coverage`], [`AuditLog`]; `api.rs`). Their
//! SQL is written once, one module per concern under `sql/`, and compiled for each backend (see
//! `sql/mod.rs`); the backends differ only in how they connect, migrate and serialise writers. The
//! server holds an [`AnyStore`], which derefs to `dyn Store`: every method is callable on it without
//! an import.

#![forbid(unsafe_code)]

mod any;
mod api;
mod boundaries;
pub mod certification;
mod codec;
mod error;
mod export;
mod group;
pub mod model;
pub mod photos;
mod plan;
mod postgres;
mod postgres_export;
mod sqlite;
mod sqlite_export;
#[cfg(feature = "testing")]
pub mod testing;
mod url;

pub use any::AnyStore;
pub use api::{
    Accounts, AuditLog, Certificates, Coverage, Exports, Ingest, Places, Statuses, Store, Verifications,
};
pub use boundaries::{BoundaryParseError, boundary_from_geojson, parse_boundaries};
pub use certification::*;
pub use error::StoreError;
pub use export::{ExportBody, ExportCursor, ExportRow, ExportVisit, MAX_EXPORT_PAGE, RowWriter, VisitFilter};
pub use model::*;
pub use photos::{FsPhotoStore, Held, MemoryPhotoStore, PhotoStore};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use url::{Backend, DatabaseUrl};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
