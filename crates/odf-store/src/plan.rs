//! Deciding what a batch does, without touching the database.
//!
//! The backend looks up what it needs in a few set-wise queries (which ids exist, with which content
//! hash; which villages exist; the latest visit of each household involved), hands it to
//! [`plan_ingest`], and writes the plan back in a few multi-row statements. Keeping the decisions
//! here means both backends decide identically, and the decisions are unit-tested without a
//! database.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use odf_domain::coverage::is_later;
use odf_domain::{AreaCode, Household, Tally, Visit};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::model::{FlaggedVisit, IngestBatch, LatestVisit, Outcome, RecordKind, RecordOutcome};

pub(crate) type ContentHash = [u8; 32];

/// What the store knows about a household that visits refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HouseholdState {
    pub village: AreaCode,
    pub kk_count: u16,
    pub latest: Option<LatestVisit>,
}

/// What the database said about the batch's ids.
#[derive(Debug, Default)]
pub(crate) struct Known {
    pub villages: HashSet<AreaCode>,
    pub household_hashes: HashMap<Uuid, ContentHash>,
    pub visit_hashes: HashMap<Uuid, ContentHash>,
    /// Stored households that the batch's visits refer to.
    pub households: HashMap<Uuid, HouseholdState>,
}

#[derive(Debug, Default)]
pub(crate) struct IngestPlan {
    /// Each with the username of whoever pushed it (batches of a group come from different users).
    pub new_households: Vec<(Household, ContentHash, String)>,
    pub new_visits: Vec<(FlaggedVisit, AreaCode)>,
    /// The new latest visit of each household whose latest changed (one entry per household, the
    /// last of the group).
    pub latest: BTreeMap<Uuid, LatestVisit>,
    /// The sum of tally changes per village.
    pub tally_deltas: BTreeMap<AreaCode, Tally>,
}

impl IngestPlan {
    pub fn is_empty(&self) -> bool {
        self.new_households.is_empty() && self.new_visits.is_empty()
    }
}

/// Both backends keep timestamps to the microsecond (PostgreSQL's precision), so a visit reads back
/// exactly as it was hashed and stored.
pub(crate) fn normalize_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

pub(crate) fn household_hash(household: &Household) -> ContentHash {
    hash_json(household)
}

/// Hashed as stored (nothing keeps the hash since migration 0014: a stored visit is hashed again
/// when a copy comes back, see `batch::lookup_known`): the photo hash as its stored bytes give it
/// back. The domain accepts only lowercase hex, which this leaves as it is; anything else is stored
/// as its bytes or not at all, and is hashed so.
pub(crate) fn visit_hash(visit: &Visit) -> ContentHash {
    match &visit.photo_sha256 {
        Some(photo) if !odf_domain::photo::is_photo_hash(photo) => {
            let stored = crate::codec::photo_bytes(photo).map(hex::encode);
            hash_json(&Visit { photo_sha256: stored, ..visit.clone() })
        }
        _ => hash_json(visit),
    }
}

fn hash_json<T: serde::Serialize>(value: &T) -> ContentHash {
    // Serialising our own plain structs cannot fail; an empty body would still hash consistently.
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(&bytes).into()
}

/// The id lists a backend needs to look up before planning: for a group of batches, the union of
/// theirs, so the whole group is looked up in one set of `IN` queries.
#[derive(Debug, Default)]
pub(crate) struct Lookups {
    pub villages: Vec<AreaCode>,
    pub household_ids: Vec<Uuid>,
    pub visit_ids: Vec<Uuid>,
    /// Households referenced by visits (stored state needed for tallies).
    pub visited_household_ids: Vec<Uuid>,
}

pub(crate) fn lookups<'a>(batches: impl IntoIterator<Item = &'a IngestBatch>) -> Lookups {
    let mut found = Lookups::default();
    for batch in batches {
        for h in &batch.households {
            found.villages.push(h.village);
            found.household_ids.push(h.id);
        }
        for v in &batch.visits {
            found.visit_ids.push(v.visit.id);
            found.visited_household_ids.push(v.visit.household_id);
        }
    }
    found.villages.sort_unstable();
    found.villages.dedup();
    for ids in [&mut found.household_ids, &mut found.visit_ids, &mut found.visited_household_ids] {
        ids.sort_unstable();
        ids.dedup();
    }
    found
}

fn rejected(kind: RecordKind, id: Uuid, code: &str, message: String) -> RecordOutcome {
    RecordOutcome::new(kind, id, Outcome::Rejected { code: code.to_owned(), message })
}

/// What planning decided for one batch of a group, apart from the shared writes.
#[derive(Debug, Default)]
pub(crate) struct BatchDecisions {
    /// One per household and visit, in batch order (households, then visits).
    pub outcomes: Vec<RecordOutcome>,
    /// Per village, the earliest visit of this batch that became its household's latest (and still
    /// is at the end of the batch) and found no access, in village order: what slip detection
    /// looks at after this batch, exactly as if the batch had been written alone.
    pub slip_candidates: Vec<(AreaCode, Visit)>,
}

impl IngestPlan {
    /// Decides every record of `batch` on top of what `known` says, which includes the batches
    /// added before it: the records they accepted are known, so a group plans exactly what writing
    /// its batches one after the other would do. Same id twice: the first decides, the later one
    /// is a duplicate or a conflict of it, within a batch or across batches.
    pub(crate) fn add(&mut self, batch: &IngestBatch, known: &mut Known) -> BatchDecisions {
        let mut decided = BatchDecisions {
            outcomes: Vec::with_capacity(batch.households.len() + batch.visits.len()),
            slip_candidates: Vec::new(),
        };
        for household in &batch.households {
            decided.outcomes.push(self.add_household(household, &batch.received_from, known));
        }
        // The latest visit this batch set per household, for its slip candidates.
        let mut batch_latest: HashMap<Uuid, Uuid> = HashMap::new();
        let first_new_visit = self.new_visits.len();
        for flagged in &batch.visits {
            decided.outcomes.push(self.add_visit(flagged, known, &mut batch_latest));
        }
        let mut found: BTreeMap<AreaCode, &Visit> = BTreeMap::new();
        for (flagged, village) in &self.new_visits[first_new_visit..] {
            let visit = &flagged.visit;
            let is_latest = batch_latest.get(&visit.household_id) == Some(&visit.id);
            if is_latest && !visit.category.has_access() {
                let earlier =
                    found.get(village).is_none_or(|v| (visit.visited_at, visit.id) < (v.visited_at, v.id));
                if earlier {
                    found.insert(*village, visit);
                }
            }
        }
        decided.slip_candidates =
            found.into_iter().map(|(village, visit)| (village, visit.clone())).collect();
        decided
    }

    fn add_household(
        &mut self,
        household: &Household,
        received_from: &str,
        known: &mut Known,
    ) -> RecordOutcome {
        let id = household.id;
        let hash = household_hash(household);
        if let Some(existing) = known.household_hashes.get(&id) {
            let outcome = if *existing == hash { Outcome::Duplicate } else { Outcome::Conflict };
            return RecordOutcome::new(RecordKind::Household, id, outcome);
        }
        if !household.village.is_village() || !known.villages.contains(&household.village) {
            return rejected(
                RecordKind::Household,
                id,
                "unknown_village",
                format!("{} bukan desa/kelurahan yang terdaftar (not a known village)", household.village),
            );
        }
        *self.tally_deltas.entry(household.village).or_default() +=
            Tally::household(household.kk_count, None);
        known.household_hashes.insert(id, hash);
        known.households.insert(
            id,
            HouseholdState { village: household.village, kk_count: household.kk_count, latest: None },
        );
        self.new_households.push((household.clone(), hash, received_from.to_owned()));
        RecordOutcome::new(RecordKind::Household, id, Outcome::Accepted)
    }

    fn add_visit(
        &mut self,
        flagged: &FlaggedVisit,
        known: &mut Known,
        batch_latest: &mut HashMap<Uuid, Uuid>,
    ) -> RecordOutcome {
        let mut flagged = flagged.clone();
        flagged.visit.visited_at = normalize_time(flagged.visit.visited_at);
        let visit = &flagged.visit;
        let id = visit.id;
        let hash = visit_hash(visit);
        if let Some(existing) = known.visit_hashes.get(&id) {
            let outcome = if *existing == hash { Outcome::Duplicate } else { Outcome::Conflict };
            return RecordOutcome::new(RecordKind::Visit, id, outcome);
        }
        let Some(state) = known.households.get_mut(&visit.household_id) else {
            return rejected(
                RecordKind::Visit,
                id,
                "unknown_household",
                format!("rumah tangga {} belum terdaftar (household not registered)", visit.household_id),
            );
        };
        let candidate = LatestVisit { visit_id: id, visited_at: visit.visited_at, category: visit.category };
        let is_new_latest = state
            .latest
            .is_none_or(|current| is_later(visit.visited_at, id, current.visited_at, current.visit_id));
        if is_new_latest {
            let delta = Tally::household(state.kk_count, Some(visit.category))
                - Tally::household(state.kk_count, state.latest.map(|l| l.category));
            *self.tally_deltas.entry(state.village).or_default() += delta;
            state.latest = Some(candidate);
            self.latest.insert(visit.household_id, candidate);
            batch_latest.insert(visit.household_id, id);
        }
        let village = state.village;
        known.visit_hashes.insert(id, hash);
        self.new_visits.push((flagged, village));
        RecordOutcome::new(RecordKind::Visit, id, Outcome::Accepted)
    }

    /// Drops the villages whose changes summed to nothing: no tally row to touch.
    pub(crate) fn finish(&mut self) {
        self.tally_deltas.retain(|_, delta| !delta.is_zero());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use odf_domain::{Category, Checklist};

    fn village() -> AreaCode {
        AreaCode::parse("74.04.81.2001").unwrap()
    }

    fn household(kk: u16) -> Household {
        Household {
            id: Uuid::now_v7(),
            village: village(),
            head_name: "Wa Ode".to_owned(),
            kk_count: kk,
            dusun: None,
            rw: None,
            rt: None,
            gps: None,
        }
    }

    fn visit(h: &Household, category: Category, days_ago: i64) -> FlaggedVisit {
        FlaggedVisit::from(Visit {
            id: Uuid::now_v7(),
            household_id: h.id,
            sanitarian: "san".to_owned(),
            visited_at: Utc::now() - Duration::days(days_ago),
            category,
            checklist: Checklist::default(),
            gps: None,
            photo_sha256: None,
            device_id: "d".to_owned(),
        })
    }

    /// One batch planned alone, finished as a write would.
    fn plan_ingest(batch: &IngestBatch, mut known: Known) -> (IngestPlan, Vec<RecordOutcome>) {
        let mut plan = IngestPlan::default();
        let decided = plan.add(batch, &mut known);
        plan.finish();
        (plan, decided.outcomes)
    }

    fn known_village() -> Known {
        Known { villages: [village()].into_iter().collect(), ..Known::default() }
    }

    #[test]
    fn a_new_household_with_two_visits_counts_only_the_later_one() {
        let h = household(2);
        let batch = IngestBatch {
            received_from: "san".to_owned(),
            households: vec![h.clone()],
            visits: vec![visit(&h, Category::Aman, 1), visit(&h, Category::BabsTerbuka, 5)],
            edits: vec![],
            device: None,
        };
        let (plan, outcomes) = plan_ingest(&batch, known_village());
        assert!(outcomes.iter().all(|o| o.outcome == Outcome::Accepted));
        let delta = plan.tally_deltas[&village()];
        assert_eq!((delta.houses, delta.kk, delta.kk_visited, delta.kk_access), (1, 2, 2, 2));
        assert_eq!(plan.latest[&h.id].category, Category::Aman);
        assert_eq!(plan.new_visits.len(), 2);
    }

    #[test]
    fn repeated_ids_in_one_batch_are_duplicates_or_conflicts_of_the_first() {
        let h = household(1);
        let mut changed = h.clone();
        changed.head_name = "Other".to_owned();
        let v = visit(&h, Category::Aman, 1);
        let batch = IngestBatch {
            received_from: "san".to_owned(),
            households: vec![h.clone(), h, changed],
            visits: vec![v.clone(), v],
            edits: vec![],
            device: None,
        };
        let (plan, outcomes) = plan_ingest(&batch, known_village());
        let outcomes: Vec<_> = outcomes.iter().map(|o| o.outcome.clone()).collect();
        assert_eq!(
            outcomes,
            vec![
                Outcome::Accepted,
                Outcome::Duplicate,
                Outcome::Conflict,
                Outcome::Accepted,
                Outcome::Duplicate
            ]
        );
        assert_eq!(plan.new_households.len(), 1);
        assert_eq!(plan.new_visits.len(), 1);
    }

    #[test]
    fn unknown_villages_and_households_are_rejected_with_codes() {
        let mut stray = household(1);
        stray.village = AreaCode::parse("74.04.81.2999").unwrap();
        let orphan = visit(&household(1), Category::Aman, 1);
        let batch = IngestBatch {
            received_from: "san".to_owned(),
            households: vec![stray],
            visits: vec![orphan],
            edits: vec![],
            device: None,
        };
        let (plan, outcomes) = plan_ingest(&batch, known_village());
        let codes: Vec<_> = outcomes
            .iter()
            .map(|o| match &o.outcome {
                Outcome::Rejected { code, .. } => code.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(codes, vec!["unknown_village", "unknown_household"]);
        assert!(plan.is_empty());
        assert!(plan.tally_deltas.is_empty());
    }

    #[test]
    fn an_older_visit_to_a_stored_household_changes_no_tally() {
        let h = household(1);
        let latest =
            LatestVisit { visit_id: Uuid::now_v7(), visited_at: Utc::now(), category: Category::Aman };
        let mut known = known_village();
        known
            .households
            .insert(h.id, HouseholdState { village: village(), kk_count: 1, latest: Some(latest) });
        let batch = IngestBatch {
            received_from: "san".to_owned(),
            households: vec![],
            visits: vec![visit(&h, Category::BabsTerbuka, 30)],
            edits: vec![],
            device: None,
        };
        let (plan, outcomes) = plan_ingest(&batch, known);
        assert_eq!(outcomes[0].outcome, Outcome::Accepted);
        assert!(plan.tally_deltas.is_empty());
        assert!(plan.latest.is_empty());
    }

    #[test]
    fn a_group_plans_its_batches_in_queue_order_with_their_own_slip_candidates() {
        let h = household(1);
        let babs = visit(&h, Category::BabsTerbuka, 5);
        let fixed = visit(&h, Category::Aman, 1);
        let older_babs = visit(&h, Category::BabsTertutup, 9);
        let one = |households: Vec<Household>, visits: Vec<FlaggedVisit>| IngestBatch {
            received_from: "san".to_owned(),
            households,
            visits,
            edits: vec![],
            device: None,
        };
        let batches = [
            one(vec![h.clone()], vec![babs.clone()]),
            one(vec![h.clone()], vec![babs.clone(), fixed.clone(), older_babs]),
        ];
        let mut known = known_village();
        let mut plan = IngestPlan::default();
        let decided: Vec<BatchDecisions> = batches.iter().map(|b| plan.add(b, &mut known)).collect();
        plan.finish();
        let statuses = |d: &BatchDecisions| d.outcomes.iter().map(|o| o.outcome.clone()).collect::<Vec<_>>();
        assert_eq!(statuses(&decided[0]), vec![Outcome::Accepted, Outcome::Accepted]);
        assert_eq!(
            statuses(&decided[1]),
            vec![Outcome::Duplicate, Outcome::Duplicate, Outcome::Accepted, Outcome::Accepted]
        );
        // The first batch, alone, left a BABS visit as the latest: a slip candidate for it, even
        // though the second batch's later visit corrects it; the second batch has none.
        assert_eq!(decided[0].slip_candidates.len(), 1);
        assert_eq!(decided[0].slip_candidates[0].1.id, babs.visit.id);
        assert!(decided[1].slip_candidates.is_empty());
        assert_eq!(plan.latest[&h.id].visit_id, fixed.visit.id);
        assert_eq!(plan.new_visits.len(), 3);
        let delta = plan.tally_deltas[&village()];
        assert_eq!((delta.houses, delta.kk_visited, delta.kk_access), (1, 1, 1));
    }
}
