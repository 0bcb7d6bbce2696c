//! The store's contract: [`Store`] and the per-concern traits it gathers. Each concern's trait is
//! implemented once, beside its SQL, in `sql/<concern>.rs` (see `sql/mod.rs`).
//!
//! The traits are dyn-compatible (`#[async_trait]`: one boxed `Send` future per call, nothing next
//! to a database round trip), so the server holds an [`AnyStore`](crate::AnyStore) over
//! `Arc<dyn Store>` and every method is callable on it without importing anything.
//!
//! Every method is one transaction: it either happens whole or not at all, and nothing is reported
//! as stored before it is committed.

use async_trait::async_trait;
use odf_domain::{
    AreaCode, CommunityCriteria, Place, Scope, StatusChange, StatusEvent, Tally, VillageState, Visit,
};
use uuid::Uuid;

use crate::Result;
use crate::certification::*;
use crate::export::{ExportBody, ExportCursor, ExportVisit, RowWriter, VisitFilter};
use crate::model::*;

/// Everything the server stores, on one backend.
#[async_trait]
pub trait Store:
    Places
    + Accounts
    + Ingest
    + Statuses
    + Verifications
    + Certificates
    + Coverage
    + AuditLog
    + Exports
    + Send
    + Sync
{
    /// `"sqlite"` or `"postgres"`.
    fn backend_name(&self) -> &'static str;
    /// Applies any migrations not yet applied (also done when the store is opened).
    async fn migrate(&self) -> Result<()>;
    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;
    /// Closes the connections (SQLite checkpoints its WAL).
    async fn close(&self);
    /// Writes a consistent copy of the whole database to `target` (a new file) while writes go on:
    /// everything committed before the call is in it. SQLite only; PostgreSQL is backed up with
    /// `pg_dump` (README, "Backups"), and answers [`StoreError::Backup`](crate::StoreError::Backup).
    async fn backup_to(&self, target: &std::path::Path) -> Result<()>;
}

/// Areas of the wilayah and their boundaries.
#[async_trait]
pub trait Places: Send + Sync {
    /// Inserts new places and renames changed ones, by code; parents must come first or exist.
    async fn import_areas(&self, places: &[Place]) -> Result<ImportReport>;
    /// Sets boundaries (and centroids) of known areas; unknown codes are reported, not stored.
    async fn import_boundaries(&self, boundaries: &[AreaBoundary]) -> Result<ImportReport>;
    /// What [`Places::import_areas`] would do now, from the same plan, writing nothing.
    async fn preview_areas(&self, places: &[Place]) -> Result<AreasPreview>;
    /// What [`Places::import_boundaries`] would do now, from the same comparison, writing nothing.
    async fn preview_boundaries(&self, boundaries: &[AreaBoundary]) -> Result<ImportReport>;
    /// One area with its boundary.
    async fn area(&self, code: AreaCode) -> Result<Option<AreaRecord>>;
    /// Every area at or under `under` (everything for `None`), in code order, without boundaries.
    async fn areas(&self, under: Option<AreaCode>) -> Result<Vec<AreaRecord>>;
    /// The GeoJSON boundaries of those of `codes` that have one, in code order.
    async fn boundaries_of(&self, codes: &[AreaCode]) -> Result<Vec<(AreaCode, serde_json::Value)>>;
}

/// Users and their sessions (tokens are stored only as hashes).
#[async_trait]
pub trait Accounts: Send + Sync {
    async fn create_user(&self, user: NewUser) -> Result<UserRecord>;
    async fn user(&self, id: Uuid) -> Result<Option<UserRecord>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>>;
    async fn list_users(&self) -> Result<Vec<UserRecord>>;
    /// Disabling also revokes every session of the user, so a later enable revives none of them.
    async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<()>;
    /// Replaces the password hash and revokes the user's login sessions (phones, browsers) in the
    /// same transaction: whoever held the old password holds nothing after a reset. Dashboard
    /// tokens are not logins and stay.
    async fn set_user_password(&self, username: &str, password_hash: &str) -> Result<()>;
    async fn create_session(&self, session: NewSession) -> Result<()>;
    async fn session(&self, token_hash: [u8; 32]) -> Result<Option<SessionRecord>>;
    /// The session of `token_hash` with its user, in one read: what every authenticated request
    /// asks first. `None` when either is missing.
    async fn session_user(&self, token_hash: [u8; 32]) -> Result<Option<(SessionRecord, UserRecord)>>;
    /// Marks a session revoked; `false` when there was no such active session.
    async fn revoke_session(&self, token_hash: [u8; 32]) -> Result<bool>;
    /// Opens a login session under an idempotency key, or, when a login of the same user with the
    /// same key opened one since `key.not_before` that is still active, returns that one instead
    /// (one session row, whatever the number of retries or their overlap). An older, revoked or
    /// expired session under the key gives the key up and a new session is opened.
    async fn create_keyed_session(&self, session: NewSession, key: LoginKey) -> Result<KeyedSession>;
}

/// Pushed households, visits and household edits, what phones read back, and the change feed.
#[async_trait]
pub trait Ingest: Send + Sync {
    /// Stores a batch in one transaction and says what happened to each record, in batch order
    /// (households, then visits, then household edits). A visit that becomes its household's latest,
    /// finds no access, and was made after its village became `sbs` marks the village `slipped`
    /// (actor `system`) and notifies the kecamatan's verifiers, in the same transaction.
    async fn ingest(&self, batch: IngestBatch) -> Result<Vec<RecordOutcome>>;
    async fn household(&self, id: Uuid) -> Result<Option<StoredHousehold>>;
    /// Conflicts left by stale household edits at or under `under`, oldest first.
    async fn conflicts(&self, under: Option<AreaCode>, open_only: bool) -> Result<Vec<HouseholdConflict>>;
    /// Closes a conflict: keep the stored values, or (`choose_other`) apply the values that lost as
    /// a new revision. Audited.
    async fn resolve_conflict(&self, id: Uuid, choose_other: bool, actor: &str) -> Result<HouseholdConflict>;
    /// The stored households among `ids` (unknown ids are left out), in no particular order.
    async fn households_by_id(&self, ids: &[Uuid]) -> Result<Vec<StoredHousehold>>;
    /// Where those of `ids` that are stored lie: village and registered point, no more. What a
    /// push's scope and GPS checks need, read narrower than [`Ingest::households_by_id`].
    async fn household_places(&self, ids: &[Uuid]) -> Result<Vec<HouseholdPlace>>;
    async fn households_in(&self, village: AreaCode) -> Result<Vec<StoredHousehold>>;
    /// A household's visits, oldest first.
    async fn visits_of(&self, household: Uuid) -> Result<Vec<StoredVisit>>;
    async fn visit_count(&self) -> Result<i64>;
    /// The villages with a visit that names photo `sha256` (its `photo_sha256`), code order: who
    /// may send or read the photo is whoever's scope covers one of them.
    async fn photo_villages(&self, sha256: &str) -> Result<Vec<AreaCode>>;
    /// The latest report of every device, most recent sync first.
    async fn devices(&self) -> Result<Vec<DeviceRecord>>;
    /// Changes with `seq > cursor` in `scope`, oldest first, at most `limit`.
    async fn changes_since(&self, scope: &Scope, cursor: i64, limit: u32) -> Result<ChangePage>;
}

/// Village status (through the domain's status machine) and the notifications slips raise.
#[async_trait]
pub trait Statuses: Send + Sync {
    async fn village_state(&self, village: AreaCode) -> Result<VillageState>;
    /// Validates the event with the domain's status machine and records it, with an audit entry
    /// and a change-feed entry, in one transaction.
    async fn apply_status_event(&self, village: AreaCode, event: StatusEvent) -> Result<StatusChange>;
    /// Status of every village with a status row at or under `under`.
    async fn statuses(&self, under: Option<AreaCode>) -> Result<Vec<VillageStatusRecord>>;
    /// Notifications for villages at or under `under` with `seq > after`, oldest first.
    async fn notifications(
        &self,
        under: Option<AreaCode>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Notification>>;
}

/// ODF verifications, and village actions pushed from phones.
#[async_trait]
pub trait Verifications: Send + Sync {
    /// Opens a verification: moves the village to `verifikasi` through the status machine (so only
    /// from `klaim_sbs` or `slipped`) and draws the sample. Audited; on the change feed.
    async fn open_verification(&self, new: NewVerification) -> Result<VerificationRecord>;
    async fn verification(&self, id: Uuid) -> Result<Option<VerificationRecord>>;
    /// A village's verifications, oldest first.
    async fn verifications_of(&self, village: AreaCode) -> Result<Vec<VerificationRecord>>;
    /// Records (or, until the decision, replaces) the community criteria. Audited.
    async fn record_community(
        &self,
        id: Uuid,
        criteria: CommunityCriteria,
        actor: &str,
    ) -> Result<VerificationRecord>;
    /// The verification visits: visits to sampled households by team members made since the
    /// verification opened (before the decision), or exactly those the decision was based on (after).
    async fn verification_visits(&self, id: Uuid) -> Result<Vec<Visit>>;
    /// Records the decision with the rules' suggestion and the certified-data hash; moves the
    /// village to `sbs` (Lulus) or `dipicu` (Gagal); on Lulus allocates the next certificate number
    /// of the kabupaten and year and stores the signed certificate. An earlier certificate of the
    /// village still in force is revoked as superseded. One transaction, audited, on the change feed.
    async fn decide_verification(&self, input: DecisionInput) -> Result<DecisionOutcome>;
    /// The stored visits a decision was based on, as they are now (to recompute the hash).
    async fn certified_data(&self, verification_id: Uuid) -> Result<CertifiedData>;
    /// The content hash of an applied village action, or `None` if it was never applied.
    async fn village_action_hash(&self, id: Uuid) -> Result<Option<String>>;
    /// Applies a village action pushed from a phone together with its receipt, in one transaction:
    /// `Duplicate` or `Conflict` (nothing changed) when its id was applied before. The effect's errors
    /// are those of the matching method above, and leave nothing stored.
    async fn apply_village_action(
        &self,
        receipt: VillageActionReceipt,
        effect: VillageEffect,
    ) -> Result<VillageActionOutcome>;
}

/// Signed ODF certificates (issued by [`Verifications::decide_verification`]).
#[async_trait]
pub trait Certificates: Send + Sync {
    async fn certificate(&self, id: Uuid) -> Result<Option<CertificateRecord>>;
    /// Certificates of villages at or under `under` (all for `None`), oldest first.
    async fn certificates(&self, under: Option<AreaCode>) -> Result<Vec<CertificateRecord>>;
    /// Revokes a certificate with a reason; the village moves to `revoked` through the status
    /// machine. Audited; on the change feed.
    async fn revoke_certificate(&self, id: Uuid, actor: &str, reason: &str) -> Result<CertificateRecord>;
}

/// What coverage figures are read from: tallies, their recount, and history facts.
#[async_trait]
pub trait Coverage: Send + Sync {
    async fn village_tally(&self, village: AreaCode) -> Result<Tally>;
    /// Tallies of every village with data at or under `under`, in code order.
    async fn tallies(&self, under: Option<AreaCode>) -> Result<Vec<(AreaCode, Tally)>>;
    /// The per-level sums of `under` (the nation for `None`) and of each of its children, and the
    /// recorded statuses of its villages counted per child: a roll-up of one area and its
    /// children that reads rows per child, not per village. `under` must be above the kecamatan
    /// (a kecamatan's children are villages: read [`Coverage::tallies`]).
    async fn area_sums(&self, under: Option<AreaCode>) -> Result<AreaSums>;
    /// Recomputes every village tally from raw households and visits and lists disagreements.
    async fn recount(&self) -> Result<RecountReport>;
    /// Households, visit dates and status changes of the villages at or under `under`, for
    /// rebuilding coverage as of past dates (the only reader of raw visits besides `recount`).
    async fn history_facts(&self, under: Option<AreaCode>) -> Result<HistoryFacts>;
    /// The same facts as [`Coverage::history_facts`], one household at a time: `each` gets every
    /// household at or under `under` with its visits (those recorded at or under `under`), then
    /// the status changes are returned (oldest first). Holds one household's visits at a time, not
    /// the area's: what a monthly series of a province or the nation is rebuilt from.
    async fn household_histories(
        &self,
        under: Option<AreaCode>,
        each: &mut (dyn for<'h> FnMut(&'h HouseholdRow, &'h [VisitRow]) + Send),
    ) -> Result<Vec<StatusRow>>;
    /// When anything at or under `under` last entered the change feed, place names left out (they
    /// are not field data).
    async fn last_change_at(&self, under: Option<AreaCode>) -> Result<Option<chrono::DateTime<chrono::Utc>>>;
}

/// The append-only, hash-chained audit log.
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn append_audit(&self, entry: NewAuditEntry) -> Result<AuditEntry>;
    /// Entries with `seq > after` at or under `area` (all for `None`), oldest first, at most `limit`.
    async fn audit_entries(&self, area: Option<AreaCode>, after: i64, limit: u32) -> Result<Vec<AuditEntry>>;
    /// Walks the whole chain and reports the first entry that does not hash right.
    async fn verify_audit_chain(&self) -> Result<AuditCheck>;
}

/// Raw visits for analysts, in pages (`crate::export`).
#[async_trait]
pub trait Exports: Send + Sync {
    /// The visits `filter` selects, with their household as stored now, in (village code, visit id)
    /// order, starting after `after`: at most `limit` rows (clamped to
    /// [`MAX_EXPORT_PAGE`](crate::MAX_EXPORT_PAGE)). Fewer rows than asked means the end.
    async fn export_visits(
        &self,
        filter: &VisitFilter,
        after: Option<ExportCursor>,
        limit: u32,
    ) -> Result<Vec<ExportVisit>>;
    /// The whole export as bytes: the rows [`export_visits`](Exports::export_visits) would give page
    /// after page, in the same order, each handed to `writer` on the backend's reading thread, in
    /// chunks read at most a few ahead of the caller (constant memory). SQLite reads one snapshot
    /// (see `sqlite_export.rs`), PostgreSQL pages.
    async fn export_stream(&self, filter: VisitFilter, writer: Box<dyn RowWriter>) -> Result<ExportBody>;
}
