//! Village coverage: what the latest visit of each household says.
//!
//! The unit of the "% KK akses" measure is the family (KK), so a house with three KK counts three
//! times; the number of houses is kept beside it. A [`Tally`] is additive, so village tallies sum to
//! kecamatan, kabupaten and provinsi tallies, and a new visit changes a tally by the difference
//! between the household's old and new contribution ([`Tally::household`]).

use std::collections::HashMap;
use std::ops::{Add, AddAssign, Sub};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::category::{Category, LegacyCode};
use crate::household::{Household, Visit};

/// Counts for one area. Signed so that the difference of two tallies is again a tally (a delta).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tally {
    /// Registered houses.
    pub houses: i64,
    /// Registered family units (KK): the denominator of % KK akses.
    pub kk: i64,
    /// KK whose house has at least one visit.
    pub kk_visited: i64,
    /// KK whose latest visit found access: the numerator of % KK akses.
    pub kk_access: i64,
    /// KK per ladder rung of the latest visit, in [`Category::ALL`] order.
    pub kk_by_category: [i64; 6],
}

impl Tally {
    /// The contribution of one house with `kk` family units whose latest visit found `latest`.
    pub fn household(kk: u16, latest: Option<Category>) -> Tally {
        let kk = i64::from(kk);
        let mut tally = Tally { houses: 1, kk, ..Tally::default() };
        if let Some(category) = latest {
            tally.kk_visited = kk;
            if category.has_access() {
                tally.kk_access = kk;
            }
            tally.kk_by_category[category.index()] = kk;
        }
        tally
    }

    pub fn kk_never_visited(&self) -> i64 {
        self.kk - self.kk_visited
    }

    /// KK whose latest visit found open defecation (either BABS rung).
    pub fn kk_babs(&self) -> i64 {
        self.kk_visited - self.kk_access
    }

    pub fn kk_in(&self, category: Category) -> i64 {
        self.kk_by_category[category.index()]
    }

    /// KK per legacy code (JSP, JSSP, SHARING, BABS), in [`LegacyCode::ALL`] order.
    pub fn kk_by_legacy(&self) -> [i64; 4] {
        let mut legacy = [0; 4];
        for category in Category::ALL {
            legacy[category.legacy().index()] += self.kk_in(category);
        }
        legacy
    }

    pub fn kk_in_legacy(&self, code: LegacyCode) -> i64 {
        self.kk_by_legacy()[code.index()]
    }

    /// Every registered KK has access (and there is at least one).
    pub fn is_full_access(&self) -> bool {
        self.kk > 0 && self.kk_access == self.kk
    }

    pub fn is_zero(&self) -> bool {
        *self == Tally::default()
    }
}

impl AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.houses += other.houses;
        self.kk += other.kk;
        self.kk_visited += other.kk_visited;
        self.kk_access += other.kk_access;
        for (mine, theirs) in self.kk_by_category.iter_mut().zip(other.kk_by_category) {
            *mine += theirs;
        }
    }
}

impl Add for Tally {
    type Output = Tally;
    fn add(mut self, other: Tally) -> Tally {
        self += other;
        self
    }
}

impl Sub for Tally {
    type Output = Tally;
    fn sub(self, other: Tally) -> Tally {
        let mut negated = other;
        negated.houses = -negated.houses;
        negated.kk = -negated.kk;
        negated.kk_visited = -negated.kk_visited;
        negated.kk_access = -negated.kk_access;
        for count in &mut negated.kk_by_category {
            *count = -*count;
        }
        self + negated
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(iter: I) -> Tally {
        iter.fold(Tally::default(), Add::add)
    }
}

/// Which of two visits to the same household is the later one: by visit time, then by id, so that
/// every replica picks the same one whatever order the visits arrived in.
pub fn is_later(a_at: DateTime<Utc>, a_id: Uuid, b_at: DateTime<Utc>, b_id: Uuid) -> bool {
    (a_at, a_id) > (b_at, b_id)
}

/// The latest visit of each household among `visits`.
pub fn latest_visits<'a>(visits: impl IntoIterator<Item = &'a Visit>) -> HashMap<Uuid, &'a Visit> {
    let mut latest: HashMap<Uuid, &Visit> = HashMap::new();
    for visit in visits {
        latest
            .entry(visit.household_id)
            .and_modify(|current| {
                if is_later(visit.visited_at, visit.id, current.visited_at, current.id) {
                    *current = visit;
                }
            })
            .or_insert(visit);
    }
    latest
}

/// A village's coverage computed from raw households and visits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageCoverage {
    pub tally: Tally,
    /// The oldest among the households' latest visits: how stale the picture is.
    pub oldest_latest_visit: Option<DateTime<Utc>>,
}

impl VillageCoverage {
    /// Coverage of the given households from the latest of `visits` per household. Visits of
    /// households not in `households` are ignored.
    pub fn compute<'a>(
        households: impl IntoIterator<Item = &'a Household>,
        visits: impl IntoIterator<Item = &'a Visit>,
    ) -> VillageCoverage {
        let latest = latest_visits(visits);
        let mut tally = Tally::default();
        let mut oldest: Option<DateTime<Utc>> = None;
        for household in households {
            let visit = latest.get(&household.id);
            tally += Tally::household(household.kk_count, visit.map(|v| v.category));
            if let Some(visit) = visit {
                oldest = Some(oldest.map_or(visit.visited_at, |o| o.min(visit.visited_at)));
            }
        }
        VillageCoverage { tally, oldest_latest_visit: oldest }
    }

    /// Whether the village may claim SBS: at least one household, every one visited within
    /// `window` before `now`, and every latest visit finding access.
    pub fn claim_eligibility(&self, now: DateTime<Utc>, window: Duration) -> Eligibility {
        let t = &self.tally;
        if t.kk == 0 {
            Eligibility::NoHouseholds
        } else if t.kk_never_visited() > 0 {
            Eligibility::NotAllVisited { kk_never_visited: t.kk_never_visited() }
        } else if t.kk_access < t.kk {
            Eligibility::NotAllAccess { kk_without_access: t.kk - t.kk_access }
        } else if self.oldest_latest_visit.is_some_and(|oldest| oldest < now - window) {
            Eligibility::StaleVisits
        } else {
            Eligibility::Eligible
        }
    }
}

/// The default window within which every household must have been visited for a claim.
pub const DEFAULT_CLAIM_WINDOW: Duration = Duration::days(183);

/// Whether a village may claim SBS, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Eligibility {
    Eligible,
    NoHouseholds,
    NotAllVisited { kk_never_visited: i64 },
    NotAllAccess { kk_without_access: i64 },
    StaleVisits,
}

impl Eligibility {
    /// The stable machine name: `eligible`, `no_households`, `not_all_visited`, `not_all_access` or
    /// `stale_visits`.
    pub fn code(&self) -> &'static str {
        match self {
            Eligibility::Eligible => "eligible",
            Eligibility::NoHouseholds => "no_households",
            Eligibility::NotAllVisited { .. } => "not_all_visited",
            Eligibility::NotAllAccess { .. } => "not_all_access",
            Eligibility::StaleVisits => "stale_visits",
        }
    }

    /// What to tell the person who wants to claim, in Indonesian with English in brackets; `window`
    /// is the claim window the result was computed with.
    pub fn message(&self, window: Duration) -> String {
        match self {
            Eligibility::Eligible => "Desa memenuhi syarat klaim SBS (eligible to claim)".to_owned(),
            Eligibility::NoHouseholds => {
                "Belum ada rumah tangga terdaftar (no households registered)".to_owned()
            }
            Eligibility::NotAllVisited { kk_never_visited } => {
                format!("{kk_never_visited} KK belum pernah dikunjungi (families never visited)")
            }
            Eligibility::NotAllAccess { kk_without_access } => {
                format!("{kk_without_access} KK belum memiliki akses jamban (families without access)")
            }
            Eligibility::StaleVisits => format!(
                "Ada rumah tangga yang kunjungan terakhirnya lebih dari {} hari lalu (latest visits too old)",
                window.num_days()
            ),
        }
    }
}

/// A percentage with what it is made of, so no figure is shown without its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    pub numerator: i64,
    pub denominator: i64,
}

impl Ratio {
    /// The percentage, or `None` when the denominator is zero (shown as "no data", never as 0%).
    pub fn percent(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
        (self.denominator > 0).then(|| 100.0 * self.numerator as f64 / self.denominator as f64)
    }
}

impl Tally {
    /// % KK akses: KK with access ÷ registered KK.
    pub fn kk_akses(&self) -> Ratio {
        Ratio { numerator: self.kk_access, denominator: self.kk }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::tests::{household, visit};
    use proptest::prelude::*;

    #[test]
    fn only_the_latest_visit_of_each_household_counts() {
        let t0 = Utc::now() - Duration::days(30);
        let a = household("74.04.11.2002");
        let mut b = household("74.04.11.2002");
        b.kk_count = 2;
        let c = household("74.04.11.2002");
        let visits = vec![
            visit(&a, Category::BabsTerbuka, t0),
            visit(&a, Category::Aman, t0 + Duration::days(10)),
            visit(&b, Category::LayakBersama, t0 + Duration::days(10)),
            visit(&b, Category::BabsTertutup, t0 + Duration::days(20)),
        ];
        let coverage = VillageCoverage::compute([&a, &b, &c], &visits);
        let t = coverage.tally;
        assert_eq!((t.houses, t.kk, t.kk_visited, t.kk_access), (3, 4, 3, 1));
        assert_eq!(t.kk_babs(), 2);
        assert_eq!(t.kk_never_visited(), 1);
        assert_eq!(t.kk_in(Category::Aman), 1);
        assert_eq!(t.kk_in(Category::BabsTertutup), 2);
        assert_eq!(t.kk_by_legacy(), [1, 0, 0, 2]);
        assert_eq!(coverage.oldest_latest_visit, Some(t0 + Duration::days(10)));
        assert_eq!(t.kk_akses().percent(), Some(25.0));
    }

    #[test]
    fn a_village_is_eligible_only_when_every_household_has_recent_access() {
        let now = Utc::now();
        let a = household("74.04.11.2002");
        let b = household("74.04.11.2002");
        let mut visits = vec![visit(&a, Category::Aman, now - Duration::days(3))];
        let check = |visits: &Vec<Visit>| {
            VillageCoverage::compute([&a, &b], visits).claim_eligibility(now, DEFAULT_CLAIM_WINDOW)
        };
        assert_eq!(check(&visits), Eligibility::NotAllVisited { kk_never_visited: 1 });
        visits.push(visit(&b, Category::BabsTerbuka, now - Duration::days(2)));
        assert_eq!(check(&visits), Eligibility::NotAllAccess { kk_without_access: 1 });
        visits.push(visit(&b, Category::LayakBersama, now - Duration::days(1)));
        assert_eq!(check(&visits), Eligibility::Eligible);
        visits[0].visited_at = now - Duration::days(400);
        assert_eq!(check(&visits), Eligibility::StaleVisits);
        let empty: Vec<Visit> = Vec::new();
        assert_eq!(
            VillageCoverage::compute([], &empty).claim_eligibility(now, DEFAULT_CLAIM_WINDOW),
            Eligibility::NoHouseholds
        );
    }

    #[test]
    fn an_empty_denominator_has_no_percentage() {
        assert_eq!(Tally::default().kk_akses().percent(), None);
    }

    fn category() -> impl Strategy<Value = Category> {
        proptest::sample::select(Category::ALL.to_vec())
    }

    proptest! {
        /// Applying visits one by one as deltas (as a store does) gives the same tally as a full
        /// recount, whatever order the visits arrive in.
        #[test]
        fn incremental_deltas_equal_a_full_recount(
            kks in proptest::collection::vec(1u16..5, 1..8),
            raw in proptest::collection::vec((0usize..8, category(), 0i64..50), 0..40),
        ) {
            let households: Vec<Household> = kks.iter().map(|kk| {
                let mut h = household("74.04.11.2002");
                h.kk_count = *kk;
                h
            }).collect();
            let base = Utc::now() - Duration::days(100);
            let visits: Vec<Visit> = raw.iter().map(|(i, c, day)| {
                visit(&households[i % households.len()], *c, base + Duration::days(*day))
            }).collect();

            let mut running: Tally = households.iter().map(|h| Tally::household(h.kk_count, None)).sum();
            let mut latest: HashMap<Uuid, &Visit> = HashMap::new();
            for v in &visits {
                let kk = households.iter().find(|h| h.id == v.household_id).map_or(0, |h| h.kk_count);
                let old = latest.get(&v.household_id).copied();
                if old.is_none_or(|o| is_later(v.visited_at, v.id, o.visited_at, o.id)) {
                    running += Tally::household(kk, Some(v.category)) - Tally::household(kk, old.map(|o| o.category));
                    latest.insert(v.household_id, v);
                }
            }
            let recount = VillageCoverage::compute(&households, &visits).tally;
            prop_assert_eq!(running, recount);
            prop_assert!(recount.kk_access <= recount.kk_visited && recount.kk_visited <= recount.kk);
            prop_assert_eq!(recount.kk_by_category.iter().sum::<i64>(), recount.kk_visited);
        }
    }
}
