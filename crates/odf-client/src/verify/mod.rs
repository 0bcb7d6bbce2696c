//! Verifications as the phone shows them: what the last pull said, merged with this phone's own
//! actions on them that the pull cannot show yet, and the progress of the verification visits with
//! the rules' suggestion computed here, so a verifier in a village without signal sees whether the
//! rules say Lulus or Gagal, and why.
//!
//! A verification visit is an ordinary visit by a team member to a sampled household, made since
//! the verification opened (and, once decided, no later than the decision): the server's rule.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use odf_domain::coverage::latest_visits;
use odf_domain::{AreaCode, ChecklistItem, CommunityCriteria, Household, Sample, Visit, suggest_decision};
use odf_mobile_api::{
    SamplingPlanDto, SuggestionDto, TeamMemberDto, VerificationChangeDto, VillageActionKind,
};
use sqlx::SqlitePool;
use uuid::Uuid;

use crate::actions::{self, OwnAction};
use crate::client::Client;
use crate::error::{ClientError, Result};
use crate::store::{pulled, records};

mod types;

pub use types::{CommunityView, DecisionView, SampledHouseholdView, VerificationState, VerificationView};

/// A verification known on this phone: pulled, opened here, or both.
#[derive(Debug, Clone)]
pub(crate) struct Known {
    pub id: Uuid,
    pub village: String,
    pub pulled: Option<VerificationChangeDto>,
    pub actions: Vec<OwnAction>,
    pub last_pull: Option<DateTime<Utc>>,
}

fn is_open_action(action: &OwnAction) -> bool {
    matches!(action.action.action, VillageActionKind::OpenVerification { .. })
}

impl Known {
    fn open_action(&self) -> Option<&OwnAction> {
        self.actions.iter().find(|a| is_open_action(a))
    }

    pub fn state(&self) -> VerificationState {
        if self.decision().is_some() {
            VerificationState::Decided
        } else if self.pulled.is_some() {
            VerificationState::Open
        } else if self.open_action().is_some_and(OwnAction::is_refused) {
            VerificationState::Refused
        } else {
            VerificationState::WaitingForSample
        }
    }

    pub fn opened_at(&self) -> DateTime<Utc> {
        match (&self.pulled, self.open_action()) {
            (Some(pulled), _) => pulled.opened_at,
            (None, Some(open)) => open.action.recorded_at,
            (None, None) => DateTime::<Utc>::MIN_UTC,
        }
    }

    fn team_and_plan(&self) -> (Vec<TeamMemberDto>, SamplingPlanDto) {
        if let Some(pulled) = &self.pulled {
            return (pulled.team.clone(), pulled.sample.plan);
        }
        match self.open_action().map(|a| &a.action.action) {
            Some(VillageActionKind::OpenVerification { team, plan, .. }) => (team.clone(), *plan),
            _ => (Vec::new(), SamplingPlanDto::from_domain(odf_domain::SamplingPlan::AllHouseholds)),
        }
    }

    /// The drawn sample, once pulled.
    pub fn sample(&self) -> Result<Option<Sample>> {
        let Some(pulled) = &self.pulled else { return Ok(None) };
        let plan = pulled.sample.plan.to_domain().map_err(|p| ClientError::corrupt(p.message))?;
        let mut household_ids = pulled.sample.household_ids.clone();
        household_ids.sort();
        Ok(Some(Sample { plan, seed: pulled.sample.seed, units: pulled.sample.units.clone(), household_ids }))
    }

    /// The newest own action of one kind that still counts on the phone.
    fn own_latest(&self, kind: &str) -> Option<&OwnAction> {
        self.actions.iter().rev().find(|a| a.action.action.name() == kind && a.counts(self.last_pull))
    }

    pub fn community(&self) -> Option<CommunityView> {
        let pulled = self.pulled.as_ref();
        let pulled_view = || {
            pulled.and_then(|p| p.community.as_ref()).map(|c| CommunityView {
                criteria: c.criteria.clone(),
                recorded_by: Some(c.recorded_by.clone()),
                recorded_at: c.recorded_at,
                pending_sync: false,
            })
        };
        // Once the server decided, criteria recorded here later can only be refused.
        if pulled.is_some_and(|p| p.decision.is_some()) {
            return pulled_view();
        }
        match self.own_latest("community") {
            Some(own) => match &own.action.action {
                VillageActionKind::Community { criteria, .. } => Some(CommunityView {
                    criteria: criteria.clone(),
                    recorded_by: None,
                    recorded_at: own.action.recorded_at,
                    pending_sync: own.sync.is_waiting(),
                }),
                _ => pulled_view(),
            },
            None => pulled_view(),
        }
    }

    pub fn decision(&self) -> Option<DecisionView> {
        if let Some(d) = self.pulled.as_ref().and_then(|p| p.decision.as_ref()) {
            return Some(DecisionView {
                outcome: d.decision.outcome,
                reasons: d.decision.reasons.clone(),
                decided_by: Some(d.decided_by.clone()),
                decided_at: d.decided_at,
                data_hash: Some(d.data_hash.clone()),
                pending_sync: false,
            });
        }
        let own = self.own_latest("decision")?;
        let VillageActionKind::Decision { decision, .. } = &own.action.action else { return None };
        Some(DecisionView {
            outcome: decision.outcome,
            reasons: decision.reasons.clone(),
            decided_by: None,
            decided_at: own.action.recorded_at,
            data_hash: None,
            pending_sync: own.sync.is_waiting(),
        })
    }

    /// Visits by team members to sampled households since the opening (and by the decision).
    pub fn verification_visits(&self, sample: &Sample, visits: &[Visit]) -> Vec<Visit> {
        let (team, _) = self.team_and_plan();
        let team: HashSet<String> = team.iter().map(|m| m.username.trim().to_lowercase()).collect();
        let from = self.opened_at();
        let until = self.decision().map(|d| d.decided_at);
        visits
            .iter()
            .filter(|v| sample.contains(v.household_id) && team.contains(&v.sanitarian.trim().to_lowercase()))
            .filter(|v| v.visited_at >= from && until.is_none_or(|until| v.visited_at <= until))
            .cloned()
            .collect()
    }

    /// `certificates` maps a verification id to the id of a pulled certificate issued for it.
    fn view(
        &self,
        households: &HashMap<Uuid, &Household>,
        visits: &[Visit],
        certificates: &HashMap<Uuid, Uuid>,
    ) -> Result<VerificationView> {
        let (team, plan) = self.team_and_plan();
        let sample = self.sample()?;
        let community = self.community();
        let mut rows = Vec::new();
        let mut suggestion = None;
        if let Some(sample) = &sample {
            let found = self.verification_visits(sample, visits);
            let latest = latest_visits(&found);
            rows = sample
                .household_ids
                .iter()
                .map(|id| sampled(*id, households, latest.get(id).copied()))
                .collect();
            if let Some(c) = &community {
                let criteria = CommunityCriteria::from(c.criteria.clone());
                suggestion = Some(SuggestionDto::from(&suggest_decision(sample, &found, &criteria)));
            }
        }
        // The certificate may arrive before the verification change that names it.
        let certificate_id = self
            .pulled
            .as_ref()
            .and_then(|p| p.certificate_id)
            .or_else(|| certificates.get(&self.id).copied());
        Ok(VerificationView {
            id: self.id,
            village: self.village.clone(),
            village_name: None,
            state: self.state(),
            opened_by: self.pulled.as_ref().map(|p| p.opened_by.clone()),
            opened_at: self.opened_at(),
            team,
            plan,
            sample: self.pulled.as_ref().map(|p| p.sample.clone()),
            sampled: rows.len(),
            visited: rows.iter().filter(|r| r.visited).count(),
            households: rows,
            community,
            decision: self.decision(),
            certificate_id,
            suggestion,
            actions: self.actions.iter().map(OwnAction::view).collect(),
        })
    }
}

fn sampled(id: Uuid, households: &HashMap<Uuid, &Household>, visit: Option<&Visit>) -> SampledHouseholdView {
    let household = households.get(&id);
    SampledHouseholdView {
        id,
        on_phone: household.is_some(),
        head_name: household.map(|h| h.head_name.clone()),
        dusun: household.and_then(|h| h.dusun.clone()),
        rw: household.and_then(|h| h.rw.clone()),
        rt: household.and_then(|h| h.rt.clone()),
        visited: visit.is_some(),
        visit_id: visit.map(|v| v.id),
        visited_at: visit.map(|v| v.visited_at),
        visited_by: visit.map(|v| v.sanitarian.clone()),
        category: visit.map(|v| v.category),
        checklist_failures: visit.map(|v| ChecklistItem::failures(&v.checklist)).unwrap_or_default(),
    }
}

/// Every verification known on the phone, all or of one village, oldest opening first.
pub(crate) async fn known_all(pool: &SqlitePool, village: Option<AreaCode>) -> Result<Vec<Known>> {
    let last_pull = actions::last_pull(pool).await?;
    let mut by_id: BTreeMap<Uuid, Known> = BTreeMap::new();
    for pulled in pulled::verifications(pool, village).await? {
        let known = Known {
            id: pulled.id,
            village: pulled.village.clone(),
            pulled: Some(pulled),
            actions: Vec::new(),
            last_pull,
        };
        by_id.insert(known.id, known);
    }
    let mut own: Vec<OwnAction> = actions::list(pool, village).await?;
    // Openings first, so that the later actions find their verification.
    own.sort_by_key(|a| !is_open_action(a));
    for action in own {
        let Some(id) = action.verification_id else { continue };
        if let Some(known) = by_id.get_mut(&id) {
            known.actions.push(action);
        } else if is_open_action(&action) {
            let village = action.village.clone();
            by_id.insert(id, Known { id, village, pulled: None, actions: vec![action], last_pull });
        }
    }
    let mut list: Vec<Known> = by_id.into_values().collect();
    for known in &mut list {
        known.actions.sort_by_key(|a| (a.action.recorded_at, a.action.id));
    }
    list.sort_by_key(|k| (k.opened_at(), k.id));
    Ok(list)
}

/// One verification known on the phone, if any.
pub(crate) async fn known(pool: &SqlitePool, id: Uuid) -> Result<Option<Known>> {
    let pulled = pulled::verification(pool, id).await?;
    let actions = actions::of_verification(pool, id).await?;
    let village = match (&pulled, actions.iter().find(|a| is_open_action(a))) {
        (Some(p), _) => p.village.clone(),
        (None, Some(open)) => open.village.clone(),
        (None, None) => return Ok(None),
    };
    let last_pull = actions::last_pull(pool).await?;
    Ok(Some(Known { id, village, pulled, actions, last_pull }))
}

/// Households (by id) and visits of one village, as the views need them.
pub(crate) async fn village_records(
    pool: &SqlitePool,
    village: &str,
) -> Result<(Vec<Household>, Vec<Visit>)> {
    let code = AreaCode::parse(village).map_err(ClientError::corrupt)?;
    let households = records::households(pool, Some(code)).await?.into_iter().map(|r| r.household).collect();
    Ok((households, records::visits(pool, Some(code)).await?))
}

/// Pulled certificates by the verification they were issued for.
async fn certificates_by_verification(
    pool: &SqlitePool,
    village: Option<AreaCode>,
) -> Result<HashMap<Uuid, Uuid>> {
    let list = pulled::certificates(pool, village).await?;
    Ok(list.iter().map(|c| (c.signed.certificate.verification_id, c.signed.certificate.id)).collect())
}

impl Client {
    /// Verifications known on this phone (pulled, or opened here and waiting for the sample), all
    /// or of one village, oldest opening first.
    pub async fn verifications(&self, village: Option<AreaCode>) -> Result<Vec<VerificationView>> {
        let known = known_all(self.pool(), village).await?;
        let certificates = certificates_by_verification(self.pool(), village).await?;
        let mut records: HashMap<String, (Vec<Household>, Vec<Visit>)> = HashMap::new();
        let mut views = Vec::with_capacity(known.len());
        for k in &known {
            if !records.contains_key(&k.village) {
                records.insert(k.village.clone(), village_records(self.pool(), &k.village).await?);
            }
            let (households, visits) =
                records.get(&k.village).map(|(h, v)| (h.as_slice(), v.as_slice())).unwrap_or_default();
            let by_id: HashMap<Uuid, &Household> = households.iter().map(|h| (h.id, h)).collect();
            let mut view = k.view(&by_id, visits, &certificates)?;
            view.village_name = records::place_names(self.pool(), &k.village).await?.name;
            views.push(view);
        }
        Ok(views)
    }

    /// One verification known on this phone.
    pub async fn verification(&self, id: Uuid) -> Result<VerificationView> {
        let known = known(self.pool(), id).await?.ok_or(ClientError::UnknownVerification(id))?;
        let (households, visits) = village_records(self.pool(), &known.village).await?;
        let by_id: HashMap<Uuid, &Household> = households.iter().map(|h| (h.id, h)).collect();
        let village = AreaCode::parse(&known.village).map_err(ClientError::corrupt)?;
        let certificates = certificates_by_verification(self.pool(), Some(village)).await?;
        let mut view = known.view(&by_id, &visits, &certificates)?;
        view.village_name = records::place_names(self.pool(), &known.village).await?.name;
        Ok(view)
    }
}
