//! [`AnyStore`]: the backend chosen at run time from the database URL's scheme.
//!
//! The server holds one concrete `AnyStore` rather than being generic over `S: Store`: every method
//! forwards to the backend with one `match`, which costs nothing next to a database round trip, and
//! keeps handler futures concrete (generic async trait methods that borrow their arguments can trip
//! the compiler's `Send` inference in spawned tasks).

use odf_domain::{
    AreaCode, CommunityCriteria, Place, Scope, StatusChange, StatusEvent, Tally, VillageState, Visit,
};
use uuid::Uuid;

use crate::certification::*;
use crate::model::*;
use crate::url::{Backend, DatabaseUrl};
use crate::{PgStore, Result, SqliteStore, Store};

#[derive(Clone, Debug)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl AnyStore {
    /// Opens the store the URL names (`sqlite://…` or `postgres://…`) and applies migrations.
    pub async fn open(url: &DatabaseUrl) -> Result<AnyStore> {
        Ok(match url.backend() {
            Backend::Sqlite => AnyStore::Sqlite(SqliteStore::open(url).await?),
            Backend::Postgres => AnyStore::Postgres(PgStore::open(url).await?),
        })
    }

    pub async fn close(&self) {
        match self {
            AnyStore::Sqlite(store) => store.close().await,
            AnyStore::Postgres(store) => store.close().await,
        }
    }
}

/// Forwards each listed method to whichever backend this is.
macro_rules! forward {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            async fn $name(&self $(, $arg: $ty)*) -> $ret {
                match self {
                    AnyStore::Sqlite(store) => store.$name($($arg),*).await,
                    AnyStore::Postgres(store) => store.$name($($arg),*).await,
                }
            }
        )*
    };
}

impl Store for AnyStore {
    fn backend_name(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(store) => store.backend_name(),
            AnyStore::Postgres(store) => store.backend_name(),
        }
    }

    forward! {
        fn migrate(&self) -> Result<()>;
        fn ping(&self) -> Result<()>;
        fn import_areas(&self, places: &[Place]) -> Result<ImportReport>;
        fn import_boundaries(&self, boundaries: &[AreaBoundary]) -> Result<ImportReport>;
        fn area(&self, code: AreaCode) -> Result<Option<AreaRecord>>;
        fn areas(&self, under: Option<AreaCode>) -> Result<Vec<AreaRecord>>;
        fn boundaries_of(&self, codes: &[AreaCode]) -> Result<Vec<(AreaCode, serde_json::Value)>>;
        fn create_user(&self, user: NewUser) -> Result<UserRecord>;
        fn user(&self, id: Uuid) -> Result<Option<UserRecord>>;
        fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>>;
        fn list_users(&self) -> Result<Vec<UserRecord>>;
        fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<()>;
        fn create_session(&self, session: NewSession) -> Result<()>;
        fn session(&self, token_hash: [u8; 32]) -> Result<Option<SessionRecord>>;
        fn revoke_session(&self, token_hash: [u8; 32]) -> Result<bool>;
        fn ingest(&self, batch: IngestBatch) -> Result<Vec<RecordOutcome>>;
        fn household(&self, id: Uuid) -> Result<Option<StoredHousehold>>;
        fn conflicts(&self, under: Option<AreaCode>, open_only: bool) -> Result<Vec<HouseholdConflict>>;
        fn resolve_conflict(&self, id: Uuid, choose_other: bool, actor: &str) -> Result<HouseholdConflict>;
        fn households_by_id(&self, ids: &[Uuid]) -> Result<Vec<StoredHousehold>>;
        fn households_in(&self, village: AreaCode) -> Result<Vec<StoredHousehold>>;
        fn visits_of(&self, household: Uuid) -> Result<Vec<StoredVisit>>;
        fn visit_count(&self) -> Result<i64>;
        fn devices(&self) -> Result<Vec<DeviceRecord>>;
        fn village_tally(&self, village: AreaCode) -> Result<Tally>;
        fn tallies(&self, under: Option<AreaCode>) -> Result<Vec<(AreaCode, Tally)>>;
        fn recount(&self) -> Result<RecountReport>;
        fn village_state(&self, village: AreaCode) -> Result<VillageState>;
        fn apply_status_event(&self, village: AreaCode, event: StatusEvent) -> Result<StatusChange>;
        fn statuses(&self, under: Option<AreaCode>) -> Result<Vec<VillageStatusRecord>>;
        fn open_verification(&self, new: NewVerification) -> Result<VerificationRecord>;
        fn verification(&self, id: Uuid) -> Result<Option<VerificationRecord>>;
        fn verifications_of(&self, village: AreaCode) -> Result<Vec<VerificationRecord>>;
        fn record_community(&self, id: Uuid, criteria: CommunityCriteria, actor: &str) -> Result<VerificationRecord>;
        fn verification_visits(&self, id: Uuid) -> Result<Vec<Visit>>;
        fn decide_verification(&self, input: DecisionInput) -> Result<DecisionOutcome>;
        fn village_action_hash(&self, id: Uuid) -> Result<Option<String>>;
        fn apply_village_action(&self, receipt: VillageActionReceipt, effect: VillageEffect) -> Result<VillageActionOutcome>;
        fn certificate(&self, id: Uuid) -> Result<Option<CertificateRecord>>;
        fn certificates(&self, under: Option<AreaCode>) -> Result<Vec<CertificateRecord>>;
        fn certified_data(&self, verification_id: Uuid) -> Result<CertifiedData>;
        fn revoke_certificate(&self, id: Uuid, actor: &str, reason: &str) -> Result<CertificateRecord>;
        fn notifications(&self, under: Option<AreaCode>, after: i64, limit: u32) -> Result<Vec<Notification>>;
        fn history_facts(&self, under: Option<AreaCode>) -> Result<HistoryFacts>;
        fn last_change_at(&self, under: Option<AreaCode>) -> Result<Option<chrono::DateTime<chrono::Utc>>>;
        fn changes_since(&self, scope: &Scope, cursor: i64, limit: u32) -> Result<ChangePage>;
        fn append_audit(&self, entry: NewAuditEntry) -> Result<AuditEntry>;
        fn audit_entries(&self, area: Option<AreaCode>, after: i64, limit: u32) -> Result<Vec<AuditEntry>>;
        fn verify_audit_chain(&self) -> Result<AuditCheck>;
    }
}
