//! The ODF verification on the wire: opening a verification with its team and reproducible sample,
//! the community criteria, the decision (Lulus/Gagal) with its Berita Acara. Triggering, claiming and
//! a village's history are in [`crate::village`]; certificates, the public check and notifications
//! in [`crate::certificate`].
//!
//! Vocabulary: see `odf_domain::verification`. Every village code is a Kemendagri code
//! (`74.04.11.2002`).

use chrono::{DateTime, NaiveDate, Utc};
use odf_domain::{
    CommunityCriteria, Criterion, FailReason, HouseholdFinding, Outcome, Sample, SamplingPlan, Suggestion,
    UnitLevel,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::certificate::CertificateDto;
use crate::error::ErrorCode;
use crate::records::RecordProblem;
pub use crate::team::TeamMemberDto;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// Every household of the village.
    AllHouseholds,
    /// Every household in `count` randomly chosen units of `level` (2021 guidance).
    RandomUnits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevelDto {
    Dusun,
    Rw,
    Rt,
}

/// Which households the team visits: `{"kind": "all_households"}` or
/// `{"kind": "random_units", "level": "rt", "count": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SamplingPlanDto {
    pub kind: PlanKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<UnitLevelDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl SamplingPlanDto {
    pub fn to_domain(&self) -> Result<SamplingPlan, RecordProblem> {
        match (self.kind, self.level, self.count) {
            (PlanKind::AllHouseholds, _, _) => Ok(SamplingPlan::AllHouseholds),
            (PlanKind::RandomUnits, Some(level), Some(count)) if count > 0 => {
                let level = match level {
                    UnitLevelDto::Dusun => UnitLevel::Dusun,
                    UnitLevelDto::Rw => UnitLevel::Rw,
                    UnitLevelDto::Rt => UnitLevel::Rt,
                };
                Ok(SamplingPlan::RandomUnits { level, count: usize::try_from(count).unwrap_or(usize::MAX) })
            }
            (PlanKind::RandomUnits, None, _) => Err(RecordProblem::new(
                ErrorCode::FieldMissing,
                "plan.level",
                &"sampel acak memerlukan level dusun, rw atau rt (random units need a level)",
            )),
            (PlanKind::RandomUnits, _, _) => Err(RecordProblem::new(
                ErrorCode::SampleZeroUnits,
                "plan.count",
                &"jumlah unit sampel harus 1 atau lebih (sample unit count must be at least 1)",
            )),
        }
    }

    pub fn from_domain(plan: SamplingPlan) -> SamplingPlanDto {
        match plan {
            SamplingPlan::AllHouseholds => {
                SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None }
            }
            SamplingPlan::RandomUnits { level, count } => SamplingPlanDto {
                kind: PlanKind::RandomUnits,
                level: Some(match level {
                    UnitLevel::Dusun => UnitLevelDto::Dusun,
                    UnitLevel::Rw => UnitLevelDto::Rw,
                    UnitLevel::Rt => UnitLevelDto::Rt,
                }),
                count: Some(u32::try_from(count).unwrap_or(u32::MAX)),
            },
        }
    }
}

/// The drawn sample: anyone with the village's households, the plan and the seed re-derives it
/// (recipe in `odf_domain::verification::sampling`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SampleDto {
    pub plan: SamplingPlanDto,
    pub seed: u64,
    /// Labels of the chosen units; empty when every household is sampled.
    pub units: Vec<String>,
    /// Every household to visit, sorted.
    pub household_ids: Vec<Uuid>,
}

impl From<&Sample> for SampleDto {
    fn from(s: &Sample) -> SampleDto {
        SampleDto {
            plan: SamplingPlanDto::from_domain(s.plan),
            seed: s.seed,
            units: s.units.clone(),
            household_ids: s.household_ids.clone(),
        }
    }
}

/// `POST /v1/villages/{code}/verifications`: the team (odd, 3 or more, nobody registered in the
/// village) and the plan; the server draws the seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpenVerificationRequest {
    pub team: Vec<TeamMemberDto>,
    pub plan: SamplingPlanDto,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CriterionDto {
    pub met: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// `PUT /v1/verifications/{id}/community`: the community criteria, recorded once per verification
/// (a later recording replaces them until the decision).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommunityCriteriaDto {
    /// No visible faeces at former open defecation sites.
    pub no_visible_faeces: CriterionDto,
    /// The community has rules or sanctions against open defecation.
    pub rules_and_sanctions: CriterionDto,
    /// A mechanism to monitor that nobody returns to open defecation.
    pub monitoring: CriterionDto,
}

fn criterion(c: CriterionDto) -> Criterion {
    let note = c.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    Criterion { met: c.met, note }
}

fn criterion_dto(c: &Criterion) -> CriterionDto {
    CriterionDto { met: c.met, note: c.note.clone() }
}

impl From<CommunityCriteriaDto> for CommunityCriteria {
    fn from(c: CommunityCriteriaDto) -> CommunityCriteria {
        CommunityCriteria {
            no_visible_faeces: criterion(c.no_visible_faeces),
            rules_and_sanctions: criterion(c.rules_and_sanctions),
            monitoring: criterion(c.monitoring),
        }
    }
}

impl From<&CommunityCriteria> for CommunityCriteriaDto {
    fn from(c: &CommunityCriteria) -> CommunityCriteriaDto {
        CommunityCriteriaDto {
            no_visible_faeces: criterion_dto(&c.no_visible_faeces),
            rules_and_sanctions: criterion_dto(&c.rules_and_sanctions),
            monitoring: criterion_dto(&c.monitoring),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeDto {
    /// Pass: the village is declared ODF and a certificate is issued.
    Lulus,
    /// Fail: the village returns to open, with the reasons.
    Gagal,
}

impl From<OutcomeDto> for Outcome {
    fn from(o: OutcomeDto) -> Outcome {
        match o {
            OutcomeDto::Lulus => Outcome::Lulus,
            OutcomeDto::Gagal => Outcome::Gagal,
        }
    }
}

impl From<Outcome> for OutcomeDto {
    fn from(o: Outcome) -> OutcomeDto {
        match o {
            Outcome::Lulus => OutcomeDto::Lulus,
            Outcome::Gagal => OutcomeDto::Gagal,
        }
    }
}

/// `POST /v1/verifications/{id}/decision`. Gagal needs a reason, and so does deciding against the
/// rules' suggestion. The certificate of a Lulus names `issuer_name`/`issuer_role` (usually the
/// Camat); they default to the deciding verifier and the kecamatan's verification team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub outcome: OutcomeDto,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub issuer_name: Option<String>,
    #[serde(default)]
    pub issuer_role: Option<String>,
}

/// One concrete reason the rules give for Gagal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReasonDto {
    /// `not_visited`, `open_defecation`, `checklist_failed`, `visible_faeces`,
    /// `no_rules_or_sanctions` or `no_monitoring`.
    pub code: String,
    pub message: String,
    /// The households concerned, if any.
    pub household_ids: Vec<Uuid>,
}

impl From<&FailReason> for ReasonDto {
    fn from(r: &FailReason) -> ReasonDto {
        let household_ids = match r {
            FailReason::NotVisited { household_ids } => household_ids.clone(),
            FailReason::OpenDefecation { household_id, .. }
            | FailReason::ChecklistFailed { household_id, .. } => vec![*household_id],
            _ => Vec::new(),
        };
        ReasonDto { code: r.code().to_owned(), message: r.to_string(), household_ids }
    }
}

/// What the rules say: Lulus exactly when there is no reason to fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SuggestionDto {
    pub outcome: OutcomeDto,
    pub reasons: Vec<ReasonDto>,
}

impl From<&Suggestion> for SuggestionDto {
    fn from(s: &Suggestion) -> SuggestionDto {
        SuggestionDto { outcome: s.outcome.into(), reasons: s.reasons.iter().map(ReasonDto::from).collect() }
    }
}

/// The recorded decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionDto {
    pub outcome: OutcomeDto,
    /// The verifier's reasons.
    pub reasons: Vec<String>,
    /// The rules' suggestion when the decision was made.
    pub suggestion: SuggestionDto,
    pub follows_suggestion: bool,
    pub decided_by: String,
    #[serde(with = "odf_domain::timestamp")]
    pub decided_at: DateTime<Utc>,
    /// SHA-256 (hex) of exactly the household data the decision was based on.
    pub data_hash: String,
}

/// What the team found at one sampled household (from its latest verification visit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingDto {
    pub household_id: Uuid,
    pub visit_id: Option<Uuid>,
    /// The ladder rung found; absent when not visited yet.
    pub category: Option<String>,
    /// Checklist items answered no.
    pub checklist_failures: Vec<String>,
}

impl From<&HouseholdFinding> for FindingDto {
    fn from(f: &HouseholdFinding) -> FindingDto {
        FindingDto {
            household_id: f.household_id,
            visit_id: f.visit_id,
            category: f.category.map(|c| c.as_str().to_owned()),
            checklist_failures: f.checklist_failures.iter().map(|i| i.as_str().to_owned()).collect(),
        }
    }
}

/// The Berita Acara: the minutes of a decided verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BeritaAcaraDto {
    pub verification_id: Uuid,
    pub village: String,
    pub village_name: String,
    /// The day of the decision.
    pub date: NaiveDate,
    pub team: Vec<TeamMemberDto>,
    pub sample: SampleDto,
    pub findings: Vec<FindingDto>,
    pub community: CommunityCriteriaDto,
    pub decision: DecisionDto,
    pub data_hash: String,
}

/// A verification: its team and sample, what has been found so far, and once decided the decision,
/// the Berita Acara and (on Lulus) the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerificationDto {
    pub id: Uuid,
    pub village: String,
    pub village_name: String,
    /// `open` or `decided`.
    pub state: String,
    pub opened_by: String,
    #[serde(with = "odf_domain::timestamp")]
    pub opened_at: DateTime<Utc>,
    pub team: Vec<TeamMemberDto>,
    pub sample: SampleDto,
    pub community: Option<CommunityCriteriaDto>,
    /// One per sampled household, from the verification visits so far.
    pub findings: Vec<FindingDto>,
    /// The rules' suggestion now (open, community recorded) or at the decision.
    pub suggestion: Option<SuggestionDto>,
    pub decision: Option<DecisionDto>,
    pub berita_acara: Option<BeritaAcaraDto>,
    pub certificate: Option<CertificateDto>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use odf_domain::VerificationError;

    #[test]
    fn plans_read_and_write_the_domains_json_and_bad_plans_name_their_field() {
        let json = r#"{"kind":"random_units","level":"rt","count":3}"#;
        let dto: SamplingPlanDto = serde_json::from_str(json).unwrap();
        let plan = dto.to_domain().unwrap();
        assert_eq!(plan, SamplingPlan::RandomUnits { level: UnitLevel::Rt, count: 3 });
        assert_eq!(serde_json::to_string(&SamplingPlanDto::from_domain(plan)).unwrap(), json);
        assert_eq!(serde_json::to_string(&plan).unwrap(), json);
        let all: SamplingPlanDto = serde_json::from_str(r#"{"kind":"all_households"}"#).unwrap();
        assert_eq!(all.to_domain().unwrap(), SamplingPlan::AllHouseholds);
        let no_level = SamplingPlanDto { kind: PlanKind::RandomUnits, level: None, count: Some(2) };
        assert_eq!(no_level.to_domain().unwrap_err().field, "plan.level");
        let zero =
            SamplingPlanDto { kind: PlanKind::RandomUnits, level: Some(UnitLevelDto::Rw), count: None };
        assert_eq!(zero.to_domain().unwrap_err().code, ErrorCode::SampleZeroUnits);
    }

    #[test]
    fn every_verification_rule_code_is_a_wire_error_code() {
        let errors = [
            VerificationError::MemberMissing,
            VerificationError::DuplicateMember(String::new()),
            VerificationError::MemberFromVillage(String::new()),
            VerificationError::TeamTooSmall { size: 1, min: 3 },
            VerificationError::TeamTooLarge { size: 7, max: 5 },
            VerificationError::TeamSizeEven(4),
            VerificationError::NoHouseholds,
            VerificationError::ZeroUnits,
            VerificationError::ReasonRequired,
            VerificationError::OverrideReasonRequired { suggested: Outcome::Gagal },
        ];
        for err in errors {
            assert!(ErrorCode::parse(err.code()).is_some(), "{}", err.code());
        }
        for code in ["transition_not_allowed", "reason_required"] {
            assert!(ErrorCode::parse(code).is_some(), "{code}");
        }
    }
}
