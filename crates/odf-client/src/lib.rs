//! The offline client core a phone app embeds (and the `odf-field` command uses).
//!
//! Vocabulary:
//! - The *home* is the data folder of one user on one device; it holds one SQLite database
//!   (`odf-client.sqlite`) opened by [`Client::open`].
//! - The *assignment* is what the server sent in the user's scope: villages (status, boundary),
//!   households and visits, some recorded on other phones. It arrives by *pull*, page by page, after
//!   the saved *cursor* (the server's change sequence number).
//! - An *own* record is a household or visit made on this phone, with a UUID v7 made here. Saving one
//!   writes the record and its *outbox* entry in one transaction: it is durable at once.
//! - A *push* sends the oldest pending outbox entries in a batch. The server answers per record:
//!   `accepted`/`duplicate` (stored: the entry leaves the outbox), `conflict` or `rejected` (the entry
//!   stays, with the server's code and message, and is not sent again automatically).
//! - A *village action* is a step of a village's way to ODF recorded on this phone (trigger, claim,
//!   open a verification, community criteria, decision). It travels in the outbox like a visit, after
//!   the records made before it; until a pull brings back what it changed, the views show the
//!   phone's own pending actions on top of what was pulled ([`field`], [`verify`]).
//! - *Sync* is push until the outbox has nothing pending, then pull until `has_more` is false. Every
//!   step is safe to interrupt: the server is idempotent by record id and an entry leaves the outbox
//!   only after the server said it holds it. One sync runs at a time per home ([`lock`]).
//! - A record's *state* ([`SyncState`]) is what a person is told: not sent, sent but not confirmed
//!   (a push carried it, its answer was lost), stored, or refused with the server's reason.
//! - Every message is in the catalogue ([`i18n`]), in Indonesian and English.
//! - The *clock offset* is the server's time minus the phone's, measured at every response; more than
//!   [`clock::SKEW_WARNING`] off raises a warning, because visit times matter for verification.
//!
//! Layers, each importing only those below it (no module imports one that imports it back):
//! - [`store`] is the phone's database: opening it and its settings, [`store::records`] (households,
//!   visits, villages, a pulled page), [`store::outbox`], and the pulled verifications and
//!   certificates. Record kinds are the wire's ([`odf_mobile_api::RecordKindDto`]).
//! - [`transport`] is the HTTP boundary ([`HttpTransport`] in production, a fake in tests), with
//!   [`retry`], [`clock`] and [`secret`] beside it; [`sync`] is the state machine.
//! - [`Client`] ([`client`]) is the facade an app calls. What it does is in one module per topic,
//!   each an `impl Client` block: [`recording`] (households and visits), [`field`] (village
//!   actions, on [`actions`]), [`photos`] (keeping photos), and the read views [`views`], [`verify`]
//!   and [`certs`].

#![forbid(unsafe_code)]

pub mod actions;
pub mod boundary;
pub mod certs;
pub mod client;
pub mod clock;
pub mod error;
pub mod field;
pub mod http;
pub mod i18n;
pub mod lock;
pub mod photos;
pub mod recording;
pub mod retry;
pub mod secret;
pub mod store;
pub mod sync;
pub mod transport;
pub mod verify;
pub mod views;

pub use actions::ActionView;
pub use certs::{CertificateStatus, CertificateView, SignatureCheck};
pub use client::Client;
pub use clock::ClockSkew;
pub use error::ClientError;
pub use field::EligibilityView;
pub use http::HttpTransport;
pub use i18n::Lang;
pub use lock::SyncLock;
pub use photos::PhotoView;
pub use recording::{HouseholdDraft, Saved, VisitDraft};
pub use retry::{NoSleep, RetryPolicy, Sleeper, TokioSleeper};
pub use secret::SessionToken;
pub use store::outbox::{OutboxEntry, OutboxState, SyncState};
pub use sync::{APP_VERSION, SyncEvent, SyncOptions, SyncReport};
pub use transport::{Transport, TransportError};
pub use verify::{CommunityView, DecisionView, SampledHouseholdView, VerificationState, VerificationView};
pub use views::{CoverageView, HouseholdView, Need, StatusView, VillageView};
