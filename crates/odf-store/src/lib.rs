//! The server's persistence: one [`Store`] trait, implemented for embedded SQLite ([`SqliteStore`],
//! the default) and PostgreSQL ([`PgStore`]). Both run the same conformance suite
//! (`tests/conformance.rs`).
//!
//! Vocabulary:
//! - *ingest*: storing a pushed batch of households and visits in one transaction, with one
//!   [`Outcome`] per record. Records are keyed by their client-made UUID: the same id with the same
//!   content is a `Duplicate`, with other content a `Conflict`; neither changes anything.
//! - *tally*: per-village counts of KK by the latest visit of each household, kept in the same
//!   transaction as the visits; [`Store::recount`] recomputes them from raw visits to prove it.
//! - *change feed*: every household, visit, status, boundary and certificate change gets a
//!   monotonic `seq`; clients pull what changed in their scope since a cursor.
//! - *audit log*: append-only, hash-chained.
//! - *verification*: a team checks a village that claimed SBS on a reproducible sample of its
//!   households; the decision (Lulus/Gagal) moves the village through the status machine and, on
//!   Lulus, issues a signed certificate in the same transaction ([`Store::decide_verification`]).
//! - *slip*: a visit that finds open defecation in a certified village marks it slipped during
//!   [`Store::ingest`] and notifies the kecamatan's verifiers ([`Store::notifications`]).
//!
//! The SQL is written once in `queries.rs` and compiled for each backend (see `sqlite.rs`); the
//! backends differ only in how they connect, migrate and serialise writers.

#![forbid(unsafe_code)]

use std::future::Future;

use odf_domain::{
    AreaCode, CommunityCriteria, Place, Scope, StatusChange, StatusEvent, Tally, VillageState, Visit,
};
use uuid::Uuid;

mod any;
mod boundaries;
pub mod certification;
mod error;
pub mod model;
mod plan;
mod postgres;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
mod url;

pub use any::AnyStore;
pub use boundaries::{BoundaryParseError, boundary_from_geojson, parse_boundaries};
pub use certification::*;
pub use error::StoreError;
pub use model::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use url::{Backend, DatabaseUrl};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything the server stores. Every method is one transaction: it either happens whole or not at
/// all, and nothing is reported as stored before it is committed.
pub trait Store: Clone + Send + Sync + 'static {
    /// `"sqlite"` or `"postgres"`.
    fn backend_name(&self) -> &'static str;

    /// Applies any migrations not yet applied (also done when the store is opened).
    fn migrate(&self) -> impl Future<Output = Result<()>> + Send;

    /// Checks that the database answers.
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    // --- places ---

    /// Inserts new places and renames changed ones, by code; parents must come first or exist.
    fn import_areas(&self, places: &[Place]) -> impl Future<Output = Result<ImportReport>> + Send;
    /// Sets boundaries (and centroids) of known areas; unknown codes are reported, not stored.
    fn import_boundaries(
        &self,
        boundaries: &[AreaBoundary],
    ) -> impl Future<Output = Result<ImportReport>> + Send;
    /// One area with its boundary.
    fn area(&self, code: AreaCode) -> impl Future<Output = Result<Option<AreaRecord>>> + Send;
    /// Every area at or under `under` (everything for `None`), in code order, without boundaries.
    fn areas(&self, under: Option<AreaCode>) -> impl Future<Output = Result<Vec<AreaRecord>>> + Send;
    /// The GeoJSON boundaries of those of `codes` that have one, in code order.
    fn boundaries_of(
        &self,
        codes: &[AreaCode],
    ) -> impl Future<Output = Result<Vec<(AreaCode, serde_json::Value)>>> + Send;

    // --- users and sessions ---

    fn create_user(&self, user: NewUser) -> impl Future<Output = Result<UserRecord>> + Send;
    fn user(&self, id: Uuid) -> impl Future<Output = Result<Option<UserRecord>>> + Send;
    fn user_by_username(&self, username: &str) -> impl Future<Output = Result<Option<UserRecord>>> + Send;
    fn list_users(&self) -> impl Future<Output = Result<Vec<UserRecord>>> + Send;
    fn set_user_disabled(&self, username: &str, disabled: bool) -> impl Future<Output = Result<()>> + Send;
    fn create_session(&self, session: NewSession) -> impl Future<Output = Result<()>> + Send;
    fn session(&self, token_hash: [u8; 32]) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;
    /// Marks a session revoked; `false` when there was no such active session.
    fn revoke_session(&self, token_hash: [u8; 32]) -> impl Future<Output = Result<bool>> + Send;

    // --- households and visits ---

    /// Stores a batch in one transaction and says what happened to each record, in batch order
    /// (households, then visits, then household edits). A visit that becomes its household's latest,
    /// finds no access, and was made after its village became `sbs` marks the village `slipped`
    /// (actor `system`) and notifies the kecamatan's verifiers, in the same transaction.
    fn ingest(&self, batch: IngestBatch) -> impl Future<Output = Result<Vec<RecordOutcome>>> + Send;
    fn household(&self, id: Uuid) -> impl Future<Output = Result<Option<StoredHousehold>>> + Send;
    /// Conflicts left by stale household edits at or under `under`, oldest first.
    fn conflicts(
        &self,
        under: Option<AreaCode>,
        open_only: bool,
    ) -> impl Future<Output = Result<Vec<HouseholdConflict>>> + Send;
    /// Closes a conflict: keep the stored values, or (`choose_other`) apply the values that lost as
    /// a new revision. Audited.
    fn resolve_conflict(
        &self,
        id: Uuid,
        choose_other: bool,
        actor: &str,
    ) -> impl Future<Output = Result<HouseholdConflict>> + Send;
    /// The stored households among `ids` (unknown ids are left out), in no particular order.
    fn households_by_id(&self, ids: &[Uuid]) -> impl Future<Output = Result<Vec<StoredHousehold>>> + Send;
    fn households_in(&self, village: AreaCode) -> impl Future<Output = Result<Vec<StoredHousehold>>> + Send;
    /// A household's visits, oldest first.
    fn visits_of(&self, household: Uuid) -> impl Future<Output = Result<Vec<StoredVisit>>> + Send;
    fn visit_count(&self) -> impl Future<Output = Result<i64>> + Send;
    /// The latest report of every device, most recent sync first.
    fn devices(&self) -> impl Future<Output = Result<Vec<DeviceRecord>>> + Send;

    // --- tallies ---

    fn village_tally(&self, village: AreaCode) -> impl Future<Output = Result<Tally>> + Send;
    /// Tallies of every village with data at or under `under`, in code order.
    fn tallies(&self, under: Option<AreaCode>)
    -> impl Future<Output = Result<Vec<(AreaCode, Tally)>>> + Send;
    /// Recomputes every village tally from raw households and visits and lists disagreements.
    fn recount(&self) -> impl Future<Output = Result<RecountReport>> + Send;

    // --- village status ---

    fn village_state(&self, village: AreaCode) -> impl Future<Output = Result<VillageState>> + Send;
    /// Validates the event with the domain's status machine and records it, with an audit entry
    /// and a change-feed entry, in one transaction.
    fn apply_status_event(
        &self,
        village: AreaCode,
        event: StatusEvent,
    ) -> impl Future<Output = Result<StatusChange>> + Send;
    /// Status of every village with a status row at or under `under`.
    fn statuses(
        &self,
        under: Option<AreaCode>,
    ) -> impl Future<Output = Result<Vec<VillageStatusRecord>>> + Send;

    // --- verification and certificates ---

    /// Opens a verification: moves the village to `verifikasi` through the status machine (so only
    /// from `klaim_sbs` or `slipped`) and draws the sample. Audited; on the change feed.
    fn open_verification(
        &self,
        new: NewVerification,
    ) -> impl Future<Output = Result<VerificationRecord>> + Send;
    fn verification(&self, id: Uuid) -> impl Future<Output = Result<Option<VerificationRecord>>> + Send;
    /// A village's verifications, oldest first.
    fn verifications_of(
        &self,
        village: AreaCode,
    ) -> impl Future<Output = Result<Vec<VerificationRecord>>> + Send;
    /// Records (or, until the decision, replaces) the community criteria. Audited.
    fn record_community(
        &self,
        id: Uuid,
        criteria: CommunityCriteria,
        actor: &str,
    ) -> impl Future<Output = Result<VerificationRecord>> + Send;
    /// The verification visits: visits to sampled households by team members made since the
    /// verification opened (before the decision), or exactly those the decision was based on (after).
    fn verification_visits(&self, id: Uuid) -> impl Future<Output = Result<Vec<Visit>>> + Send;
    /// Records the decision with the rules' suggestion and the certified-data hash; moves the
    /// village to `sbs` (Lulus) or `dipicu` (Gagal); on Lulus allocates the next certificate number
    /// of the kabupaten and year and stores the signed certificate. An earlier certificate of the
    /// village still in force is revoked as superseded. One transaction, audited, on the change feed.
    fn decide_verification(
        &self,
        input: DecisionInput,
    ) -> impl Future<Output = Result<DecisionOutcome>> + Send;
    /// The content hash of an applied village action, or `None` if it was never applied.
    fn village_action_hash(&self, id: Uuid) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Applies a village action pushed from a phone together with its receipt, in one transaction:
    /// `Duplicate` or `Conflict` (nothing changed) when its id was applied before. The effect's errors
    /// are those of the matching method above, and leave nothing stored.
    fn apply_village_action(
        &self,
        receipt: VillageActionReceipt,
        effect: VillageEffect,
    ) -> impl Future<Output = Result<VillageActionOutcome>> + Send;
    fn certificate(&self, id: Uuid) -> impl Future<Output = Result<Option<CertificateRecord>>> + Send;
    /// Certificates of villages at or under `under` (all for `None`), oldest first.
    fn certificates(
        &self,
        under: Option<AreaCode>,
    ) -> impl Future<Output = Result<Vec<CertificateRecord>>> + Send;
    /// The stored visits a decision was based on, as they are now (to recompute the hash).
    fn certified_data(&self, verification_id: Uuid) -> impl Future<Output = Result<CertifiedData>> + Send;
    /// Revokes a certificate with a reason; the village moves to `revoked` through the status
    /// machine. Audited; on the change feed.
    fn revoke_certificate(
        &self,
        id: Uuid,
        actor: &str,
        reason: &str,
    ) -> impl Future<Output = Result<CertificateRecord>> + Send;
    /// Notifications for villages at or under `under` with `seq > after`, oldest first.
    fn notifications(
        &self,
        under: Option<AreaCode>,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Notification>>> + Send;

    // --- change feed ---

    /// Households, visit dates and status changes of the villages at or under `under`, for
    /// rebuilding coverage as of past dates (the only reader of raw visits besides `recount`).
    fn history_facts(&self, under: Option<AreaCode>) -> impl Future<Output = Result<HistoryFacts>> + Send;
    /// When anything at or under `under` last entered the change feed.
    fn last_change_at(
        &self,
        under: Option<AreaCode>,
    ) -> impl Future<Output = Result<Option<chrono::DateTime<chrono::Utc>>>> + Send;
    /// Changes with `seq > cursor` in `scope`, oldest first, at most `limit`.
    fn changes_since(
        &self,
        scope: &Scope,
        cursor: i64,
        limit: u32,
    ) -> impl Future<Output = Result<ChangePage>> + Send;

    // --- audit log ---

    fn append_audit(&self, entry: NewAuditEntry) -> impl Future<Output = Result<AuditEntry>> + Send;
    /// Entries with `seq > after` at or under `area` (all for `None`), oldest first, at most `limit`.
    fn audit_entries(
        &self,
        area: Option<AreaCode>,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;
    /// Walks the whole chain and reports the first entry that does not hash right.
    fn verify_audit_chain(&self) -> impl Future<Output = Result<AuditCheck>> + Send;
}
