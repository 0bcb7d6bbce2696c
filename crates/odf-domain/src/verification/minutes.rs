//! The Berita Acara (the signed minutes of a verification) and the per-household findings in it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ChecklistItem, CommunityCriteria, Decision, Sample, TeamMember};
use crate::area::AreaCode;
use crate::category::Category;
use crate::coverage::latest_visits;
use crate::household::Visit;

/// What the team found at one sampled household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdFinding {
    pub household_id: Uuid,
    /// The latest verification visit, if the household was visited.
    pub visit_id: Option<Uuid>,
    pub category: Option<Category>,
    pub checklist_failures: Vec<ChecklistItem>,
}

/// One finding per sampled household, in sample order, from the latest verification visit of each.
pub fn findings(sample: &Sample, verification_visits: &[Visit]) -> Vec<HouseholdFinding> {
    let latest: HashMap<Uuid, &Visit> = latest_visits(verification_visits);
    sample
        .household_ids
        .iter()
        .map(|id| {
            let visit = latest.get(id);
            HouseholdFinding {
                household_id: *id,
                visit_id: visit.map(|v| v.id),
                category: visit.map(|v| v.category),
                checklist_failures: visit.map(|v| ChecklistItem::failures(&v.checklist)).unwrap_or_default(),
            }
        })
        .collect()
}

/// The Berita Acara: the signed minutes of one verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeritaAcara {
    pub verification_id: Uuid,
    pub village_code: AreaCode,
    pub village_name: String,
    /// The day the verification was held.
    pub date: NaiveDate,
    pub team: Vec<TeamMember>,
    /// The plan, the seed, the chosen units and the sampled households.
    pub sample: Sample,
    pub findings: Vec<HouseholdFinding>,
    pub community: CommunityCriteria,
    /// The result and its reasons, with the rules' suggestion.
    pub decision: Decision,
    /// The certified-data hash ([`super::certified_data_hash`]) of the data the decision was based on.
    pub data_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::tests::{household, visit};
    use crate::verification::SamplingPlan;
    use chrono::Utc;

    #[test]
    fn findings_list_every_sampled_household_in_sample_order() {
        let (a, b) = (household("74.04.11.2002"), household("74.04.11.2002"));
        let mut v = visit(&a, Category::Aman, Utc::now());
        v.checklist.water_and_soap = Some(false);
        let mut household_ids = vec![a.id, b.id];
        household_ids.sort();
        let sample = Sample { plan: SamplingPlan::AllHouseholds, seed: 1, units: vec![], household_ids };
        let found = findings(&sample, std::slice::from_ref(&v));
        assert_eq!(found.len(), 2);
        let (fa, fb) =
            if found[0].household_id == a.id { (&found[0], &found[1]) } else { (&found[1], &found[0]) };
        assert_eq!((fa.visit_id, fa.category), (Some(v.id), Some(Category::Aman)));
        assert_eq!(fa.checklist_failures, [ChecklistItem::WaterAndSoap]);
        assert_eq!((fb.visit_id, fb.category), (None, None));
        assert!(fb.checklist_failures.is_empty());
    }
}
