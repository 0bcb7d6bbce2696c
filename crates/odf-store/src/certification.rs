//! What goes into the store and comes out of it for ODF verification, certificates and the
//! notifications verifiers receive when a certified village slips back.

use chrono::{DateTime, NaiveDate, Utc};
use odf_certificate::{SignedCertificate, Signer};
use odf_domain::{
    AreaCode, CommunityCriteria, Decision, Outcome, Sample, SamplingPlan, StatusEvent, TeamMember, Visit,
    certified_data_hash,
};
use serde::Serialize;
use uuid::Uuid;

/// A verification to open for a village that has claimed SBS (or slipped back). The store draws the
/// sample from the village's households with `plan` and `seed` in the same transaction as the
/// village's move to `verifikasi`, so the sample is exactly what the households were then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVerification {
    /// UUID v7 made by the caller.
    pub id: Uuid,
    pub village: AreaCode,
    pub opened_by: String,
    /// Already checked against the team rules by the caller (it knows the users).
    pub team: Vec<TeamMember>,
    pub plan: SamplingPlan,
    pub seed: u64,
}

/// A verification as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationRecord {
    pub id: Uuid,
    pub village: AreaCode,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub team: Vec<TeamMember>,
    /// The plan, the seed, the chosen units and the sampled households.
    pub sample: Sample,
    pub community: Option<CommunityRecord>,
    pub decision: Option<DecisionRecord>,
    /// The certificate a Lulus issued.
    pub certificate_id: Option<Uuid>,
}

impl VerificationRecord {
    /// Still waiting for its decision.
    pub fn is_open(&self) -> bool {
        self.decision.is_none()
    }
}

/// The community criteria, recorded once per verification (a later recording replaces them until
/// the decision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunityRecord {
    pub criteria: CommunityCriteria,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// The decision with who made it and the hash of the data it was based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    pub decision: Decision,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
    /// The certified-data hash (`odf_domain::certified_data_hash`) of what the decision was based on.
    pub data_hash: String,
}

/// The verifier's decision. The store computes the rules' suggestion from the verification visits
/// inside the deciding transaction, so no visit can arrive between the suggestion and the decision.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    pub verification_id: Uuid,
    pub outcome: Outcome,
    pub reasons: Vec<String>,
    pub actor: String,
    /// When the verifier decided, if earlier than now (a decision recorded offline on a phone); it is
    /// kept between the opening and now. Only visits made by then count.
    pub decided_at: Option<DateTime<Utc>>,
    /// Used only when the outcome is Lulus.
    pub certificate: CertificateIssue,
}

/// How to issue the certificate of a Lulus: its id, date and issuer, and the key that signs it.
#[derive(Debug, Clone)]
pub struct CertificateIssue {
    /// UUID v7 made by the caller; also the public check's address.
    pub id: Uuid,
    /// The date of issue; its year is the year of the certificate number. The store sets it to the
    /// decision time's date in the village's time zone (the same rule the caller should use).
    pub issued_on: NaiveDate,
    pub issuer_name: String,
    pub issuer_role: String,
    pub signer: Signer,
}

/// What a decision produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionOutcome {
    pub verification: VerificationRecord,
    /// The certificate issued on Lulus.
    pub certificate: Option<CertificateRecord>,
}

/// A certificate as stored: the signed certificate rebuilt from its columns, and its revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateRecord {
    pub signed: SignedCertificate,
    /// The exact moment of issue: when the Lulus decision was made.
    pub issued_at: DateTime<Utc>,
    pub revocation: Option<Revocation>,
}

impl CertificateRecord {
    pub fn id(&self) -> Uuid {
        self.signed.certificate.id
    }

    pub fn is_revoked(&self) -> bool {
        self.revocation.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: String,
}

/// The stored visits a decision was based on, as they are now: recomputing their hash and comparing
/// it with the certificate's shows whether any of them changed since.
#[derive(Debug, Clone, PartialEq)]
pub struct CertifiedData {
    /// Every household of the village at the decision.
    pub household_ids: Vec<Uuid>,
    /// The latest visit of each household at the decision (households never visited have none).
    pub latest: Vec<Visit>,
    pub verification: Vec<Visit>,
    /// Visits the decision was based on that are no longer stored.
    pub missing_visits: usize,
}

impl CertifiedData {
    pub fn hash(&self) -> String {
        certified_data_hash(self.household_ids.iter().copied(), &self.latest, &self.verification)
    }
}

/// Why verifiers are notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A visit found open defecation in a certified (sbs) village, which is now slipped.
    VillageSlipped,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::VillageSlipped => "village_slipped",
        }
    }

    pub fn parse(text: &str) -> Option<NotificationKind> {
        [NotificationKind::VillageSlipped].into_iter().find(|k| k.as_str() == text)
    }
}

/// A notification for the verifiers of a kecamatan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    /// Increasing; pass the last one seen as `after` to get only newer ones.
    pub seq: i64,
    pub kind: NotificationKind,
    pub village: AreaCode,
    pub kecamatan: AreaCode,
    pub at: DateTime<Utc>,
    /// Bahasa Indonesia first, English in brackets.
    pub message: String,
    pub details: serde_json::Value,
}

/// A village action pushed from a phone (a claim, a verification step, a decision), identified by
/// the phone's UUID so that a replayed push applies it once ([`crate::Store::apply_village_action`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageActionReceipt {
    pub id: Uuid,
    /// `trigger`, `claim`, `open_verification`, `community` or `decision`.
    pub kind: String,
    pub actor: String,
    /// SHA-256 (hex) of the action as pushed: the same id with other content is a conflict.
    pub content_hash: String,
    pub recorded_at: DateTime<Utc>,
}

/// What a village action does, already checked against roles, scope and the rules that need more
/// than the store (eligibility, the team against the users).
#[derive(Debug, Clone)]
pub enum VillageEffect {
    Status {
        village: AreaCode,
        event: StatusEvent,
    },
    Open(NewVerification),
    /// `observed_at`: when the team recorded them on the phone.
    Community {
        verification_id: Uuid,
        criteria: CommunityCriteria,
        actor: String,
        observed_at: DateTime<Utc>,
    },
    // Boxed: it carries the signing key, much larger than the other effects.
    Decide(Box<DecisionInput>),
}

/// What applying a village action did.
#[derive(Debug, Clone)]
pub enum VillageActionOutcome {
    /// Applied now, in the same transaction as its receipt.
    Applied,
    /// Applied before, with the same content: nothing changed.
    Duplicate,
    /// The id was applied before with other content: nothing changed.
    Conflict,
}
