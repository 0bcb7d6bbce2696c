//! The field side of a village's way to ODF: what a phone records offline and pushes like visits
//! ([`VillageActionDto`] in `PushRequest::village_actions`), and how it reads the verifications and
//! certificates that come back on the change feed ([`VerificationChangeDto`],
//! [`CertificateChangeDto`]).
//!
//! A village action is keyed by a UUID made on the phone (any RFC 9562 UUID but nil and max; v7
//! recommended): sending it again answers `duplicate`, other content under the same id `conflict`, and a refused one `rejected` with the same codes as
//! the matching REST endpoint (`POST /v1/villages/{code}/trigger`, `.../claim`,
//! `.../verifications`, `PUT /v1/verifications/{id}/community`, `POST /v1/verifications/{id}/decision`).
//! The server checks role, scope and the rules when the action arrives, not when it was recorded.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::verification::{
    CommunityCriteriaDto, DecisionRequest, OutcomeDto, SampleDto, SamplingPlanDto, TeamMemberDto,
};

/// One step recorded on a phone. Actions of a push are applied after its households, visits and
/// edits, in request order, each on its own: a claim can follow the visits that made the village
/// eligible in the same push, and a decision the verification visits it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VillageActionDto {
    /// Made on the phone: any RFC 9562 UUID except nil and max (v7 recommended). An `open_verification`'s id becomes the verification's id, so the
    /// phone can record the community criteria and the decision against it before it syncs again.
    pub id: Uuid,
    /// When it was recorded on the phone. Claims, community criteria and decisions are dated by it
    /// (no earlier than the step before them and never in the future); the Berita Acara and the
    /// certificate carry the decision's date.
    #[serde(with = "odf_domain::timestamp")]
    pub recorded_at: DateTime<Utc>,
    pub action: VillageActionKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VillageActionKind {
    /// The community triggering (pemicuan) was held on `triggered_on` (sanitarian or admin).
    Trigger {
        village: String,
        triggered_on: NaiveDate,
        #[serde(default)]
        note: Option<String>,
    },
    /// The village claims SBS (sanitarian or admin); the server checks eligibility on arrival.
    Claim {
        village: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// A kecamatan verifier opens the verification of a claimed (or slipped) village. The server
    /// draws the seed and the sample, which reach the team's phones by pull.
    OpenVerification { village: String, team: Vec<TeamMemberDto>, plan: SamplingPlanDto },
    /// The community criteria, recorded once (a later recording replaces them until the decision).
    Community { verification_id: Uuid, criteria: CommunityCriteriaDto },
    /// Lulus or Gagal with reasons; a valid Lulus issues the certificate.
    Decision { verification_id: Uuid, decision: DecisionRequest },
}

impl VillageActionKind {
    /// The machine name, as in the JSON `type`.
    pub fn name(&self) -> &'static str {
        match self {
            VillageActionKind::Trigger { .. } => "trigger",
            VillageActionKind::Claim { .. } => "claim",
            VillageActionKind::OpenVerification { .. } => "open_verification",
            VillageActionKind::Community { .. } => "community",
            VillageActionKind::Decision { .. } => "decision",
        }
    }
}

/// The community criteria as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommunityChangeDto {
    pub criteria: CommunityCriteriaDto,
    pub recorded_by: String,
    #[serde(with = "odf_domain::timestamp")]
    pub recorded_at: DateTime<Utc>,
}

/// The verifier's decision as recorded; the rules' suggestion is in `GET /v1/verifications/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordedDecisionDto {
    pub outcome: OutcomeDto,
    #[serde(default)]
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionChangeDto {
    pub decision: RecordedDecisionDto,
    pub decided_by: String,
    #[serde(with = "odf_domain::timestamp")]
    pub decided_at: DateTime<Utc>,
    pub data_hash: String,
}

/// `data` of a `verification` change: the team, the drawn sample (what the team visits) and, once
/// recorded, the community criteria and the decision. Unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerificationChangeDto {
    pub id: Uuid,
    pub village: String,
    pub opened_by: String,
    #[serde(with = "odf_domain::timestamp")]
    pub opened_at: DateTime<Utc>,
    pub team: Vec<TeamMemberDto>,
    pub sample: SampleDto,
    #[serde(default)]
    pub community: Option<CommunityChangeDto>,
    #[serde(default)]
    pub decision: Option<DecisionChangeDto>,
    #[serde(default)]
    pub certificate_id: Option<Uuid>,
}

/// The certificate text as signed (see `odf-certificate` for the signed form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateTextDto {
    pub id: Uuid,
    /// `ODF/<kabupaten>/<year>/<sequence>`.
    pub number: String,
    pub village_code: String,
    pub village_name: String,
    pub kecamatan_name: String,
    pub kabupaten_name: String,
    pub issued_on: NaiveDate,
    pub issuer_name: String,
    pub issuer_role: String,
    pub team: Vec<TeamMemberDto>,
    pub verification_id: Uuid,
    pub data_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedCertificateDto {
    pub certificate: CertificateTextDto,
    /// Ed25519 public key (hex).
    pub public_key: String,
    /// Ed25519 signature (hex).
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevocationDto {
    #[serde(with = "odf_domain::timestamp")]
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: String,
}

/// `data` of a `certificate` change: the signed certificate and, once revoked, the revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateChangeDto {
    pub signed: SignedCertificateDto,
    #[serde(with = "odf_domain::timestamp")]
    pub issued_at: DateTime<Utc>,
    #[serde(default)]
    pub revocation: Option<RevocationDto>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verification::PlanKind;

    #[test]
    fn actions_are_tagged_by_type_and_read_back() {
        let action = VillageActionDto {
            id: Uuid::nil(),
            recorded_at: DateTime::UNIX_EPOCH,
            action: VillageActionKind::OpenVerification {
                village: "74.04.81.2001".to_owned(),
                team: vec![TeamMemberDto { username: "a".into(), name: "A".into(), position: None }],
                plan: SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None },
            },
        };
        let json = serde_json::to_value(&action).unwrap();
        assert_eq!(json["action"]["type"], "open_verification");
        assert_eq!(json["action"]["village"], "74.04.81.2001");
        let back: VillageActionDto = serde_json::from_value(json).unwrap();
        assert_eq!(back, action);
        assert_eq!(back.action.name(), "open_verification");
    }
}
