//! What the verification views show (see [`super`] for how they are computed).

use chrono::{DateTime, Utc};
use odf_domain::{Category, ChecklistItem};
use odf_mobile_api::{
    CommunityCriteriaDto, OutcomeDto, SampleDto, SamplingPlanDto, SuggestionDto, TeamMemberDto,
};
use serde::Serialize;
use uuid::Uuid;

use crate::actions::ActionView;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationState {
    /// Opened on this phone; the server draws the sample, which arrives with the next sync.
    WaitingForSample,
    /// The sample is here; the team visits, then the community criteria and the decision follow.
    Open,
    /// Lulus or Gagal recorded (on the server, or on this phone waiting to sync).
    Decided,
    /// Opened on this phone and refused by the server (see `actions` for its answer).
    Refused,
}

/// One sampled household and what the team found there so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampledHouseholdView {
    pub id: Uuid,
    /// False when the household has not reached this phone (pull again).
    pub on_phone: bool,
    pub head_name: Option<String>,
    pub dusun: Option<String>,
    pub rw: Option<String>,
    pub rt: Option<String>,
    /// A verification visit is on this phone.
    pub visited: bool,
    /// The latest verification visit.
    pub visit_id: Option<Uuid>,
    pub visited_at: Option<DateTime<Utc>>,
    pub visited_by: Option<String>,
    pub category: Option<Category>,
    /// Checklist items answered no at that visit.
    pub checklist_failures: Vec<ChecklistItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunityView {
    pub criteria: CommunityCriteriaDto,
    /// Who recorded it (known once pulled).
    pub recorded_by: Option<String>,
    pub recorded_at: DateTime<Utc>,
    /// Recorded on this phone and not yet sent.
    pub pending_sync: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionView {
    pub outcome: OutcomeDto,
    pub reasons: Vec<String>,
    pub decided_by: Option<String>,
    pub decided_at: DateTime<Utc>,
    /// The certified-data hash, known once pulled.
    pub data_hash: Option<String>,
    /// Decided on this phone and not yet sent.
    pub pending_sync: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationView {
    /// Also the id of the `open_verification` action that opened it.
    pub id: Uuid,
    pub village: String,
    /// The village's name as pulled (`place` changes); `None` until the server sent it.
    pub village_name: Option<String>,
    pub state: VerificationState,
    pub opened_by: Option<String>,
    /// The server's opening time once pulled; before that, when it was opened on this phone.
    pub opened_at: DateTime<Utc>,
    pub team: Vec<TeamMemberDto>,
    pub plan: SamplingPlanDto,
    /// `None` while waiting for the sample.
    pub sample: Option<SampleDto>,
    /// One per sampled household, in sample order.
    pub households: Vec<SampledHouseholdView>,
    pub sampled: usize,
    pub visited: usize,
    pub community: Option<CommunityView>,
    pub decision: Option<DecisionView>,
    pub certificate_id: Option<Uuid>,
    /// What the rules say from the verification visits on this phone and the community criteria
    /// (at the decision's time once decided); `None` until the sample and the criteria are known.
    pub suggestion: Option<SuggestionDto>,
    /// This phone's own actions on the verification, with where each stands.
    pub actions: Vec<ActionView>,
}
