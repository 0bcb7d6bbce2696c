//! An area's monthly series built one household at a time ([`MonthlySeries`]), for a reader that
//! streams the facts instead of holding them all: the figures of [`Facts::monthly`], without its
//! twelve roll-ups of the area's whole subtree (each ~16 MB for the nation) and without every
//! visit of the area in memory at once.
//!
//! A point needs only the area's own two figures: the households' summed [`Tally`] (% KK akses) and
//! how many of the area's villages were certified (% desa SBS). Both follow the rules of
//! [`Facts::monthly`] exactly, including which inputs a roll-up ignores (a village not in the places
//! list, or outside the area).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use odf_domain::coverage::is_later;
use odf_domain::{AreaCode, Ratio, Tally, Wilayah};

use crate::history::{HouseholdFact, Point, StatusFact, VisitFact};
use crate::measure::{Figure, Measure};
use crate::rollup::AreaRef;

#[cfg(doc)]
use crate::history::Facts;

/// One month of the series: its `YYYY-MM` and the local day it ends on.
#[derive(Debug, Clone)]
struct Month {
    period: String,
    day: NaiveDate,
    tally: Tally,
}

/// The monthly series of one area, fed household by household ([`MonthlySeries::add_household`]),
/// then finished with the area's status changes ([`MonthlySeries::finish`]).
#[derive(Debug)]
pub struct MonthlySeries<'w> {
    wilayah: &'w Wilayah,
    area: AreaRef,
    now: DateTime<Utc>,
    months: Vec<Month>,
}

/// The months from `from` to `to` (inclusive) and the local day each ends on: its last day in the
/// area's time zone, or today there for the current month, after which the series stops.
pub(crate) fn month_days(
    area: AreaRef,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<(String, NaiveDate)> {
    let today = area.local_date(now);
    let mut days = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1);
    while let Some(first) = month.filter(|m| *m <= to) {
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        };
        let Some(last) = next.and_then(|n| n.pred_opt()) else { break };
        let day = last.min(today);
        days.push((first.format("%Y-%m").to_string(), day));
        if day == today {
            break;
        }
        month = next;
    }
    days
}

impl<'w> MonthlySeries<'w> {
    /// The months `from` to `to` of `area`, as [`Facts::monthly`] takes them.
    pub fn new(
        wilayah: &'w Wilayah,
        area: AreaRef,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> MonthlySeries<'w> {
        let months = month_days(area, from, to, now)
            .into_iter()
            .map(|(period, day)| Month { period, day, tally: Tally::default() })
            .collect();
        MonthlySeries { wilayah, area, now, months }
    }

    /// Whether a roll-up of the area counts `village`'s inputs: a village of the places list, at or
    /// under the area (the rest a roll-up ignores as unknown).
    fn counts(&self, village: AreaCode) -> bool {
        village.is_village() && self.wilayah.contains(village) && self.area.contains(AreaRef::Code(village))
    }

    /// One household with its visits (any order). Each month counts it when the server had it, or
    /// it had been visited, by the end of that month's day in its village's time zone, with the
    /// category of its latest visit by then.
    pub fn add_household(&mut self, household: &HouseholdFact, visits: &[VisitFact]) {
        let village = household.village;
        if !self.counts(village) {
            return;
        }
        for month in &mut self.months {
            let by = |at: DateTime<Utc>| village.local_date(at) <= month.day;
            let mut latest: Option<&VisitFact> = None;
            for visit in visits.iter().filter(|v| v.household_id == household.id && by(v.visited_at)) {
                if latest.is_none_or(|current| {
                    is_later(visit.visited_at, visit.id, current.visited_at, current.id)
                }) {
                    latest = Some(visit);
                }
            }
            if !by(household.received_at) && latest.is_none() {
                continue;
            }
            month.tally += Tally::household(household.kk_count, latest.map(|v| v.category));
        }
    }

    /// The points, with the area's village status changes (oldest first, as the store keeps them):
    /// a village's status at a month's end is its latest change by then (on a tie, the later one).
    /// Empty when the area is not in the places list.
    pub fn finish(mut self, statuses: &[StatusFact]) -> Vec<Point> {
        let villages: Vec<AreaCode> = match self.area {
            AreaRef::Nasional => self.wilayah.iter().map(|p| p.code).filter(|c| c.is_village()).collect(),
            AreaRef::Code(code) => match self.wilayah.get(code) {
                None => return Vec::new(),
                Some(place) => std::iter::once(place)
                    .chain(self.wilayah.descendants(code))
                    .map(|p| p.code)
                    .filter(|c| c.is_village())
                    .collect(),
            },
        };
        let total = i64::try_from(villages.len()).unwrap_or(i64::MAX);
        let mut points = Vec::with_capacity(self.months.len());
        for month in std::mem::take(&mut self.months) {
            let mut latest: HashMap<AreaCode, &StatusFact> = HashMap::new();
            for fact in statuses.iter().filter(|s| s.village.local_date(s.at) <= month.day) {
                if latest.get(&fact.village).is_none_or(|current| fact.at >= current.at) {
                    latest.insert(fact.village, fact);
                }
            }
            let certified = latest
                .values()
                .filter(|fact| self.counts(fact.village) && fact.status.counts_as_sbs())
                .count();
            let as_of = self.area.end_of_day(month.day).map_or(self.now, |end| end.min(self.now));
            let desa_sbs =
                Ratio { numerator: i64::try_from(certified).unwrap_or(i64::MAX), denominator: total };
            points.push(Point {
                period: month.period,
                as_of,
                kk_akses: Figure::new(Measure::KkAkses, month.tally.kk_akses(), as_of),
                desa_sbs: Figure::new(Measure::DesaSbs, desa_sbs, as_of),
            });
        }
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Facts;
    use chrono::{Duration, TimeZone};
    use odf_domain::{Category, VillageStatus};
    use uuid::Uuid;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    /// Two provinces in different time zones (WIB, WIT) and Buton (WITA), one village of the facts
    /// left out of the places list.
    fn wilayah() -> Wilayah {
        Wilayah::from_csv(
            "31,J\n31.71,K\n31.71.01,C\n31.71.01.1001,A\n31.71.01.1002,B\n\
             74,P\n74.04,K\n74.04.01,C\n74.04.01.2001,A\n74.04.01.2002,B\n74.04.02,D\n74.04.02.2001,E\n\
             94,Q\n94.01,L\n94.01.01,M\n94.01.01.2001,F\n",
        )
        .wilayah
    }

    /// A small deterministic generator, so a failure repeats.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below
        }
    }

    fn facts(seed: u64) -> Facts {
        let villages = [
            "31.71.01.1001",
            "31.71.01.1002",
            "74.04.01.2001",
            "74.04.01.2002",
            "74.04.02.2001",
            "94.01.01.2001",
            "74.04.02.2009", // not in the places list
        ];
        let mut rng = Lcg(seed);
        let start = Utc.with_ymd_and_hms(2025, 11, 1, 0, 0, 0).unwrap();
        // Hours within ~9 months, so some facts fall near month and day boundaries in each zone.
        let when = |rng: &mut Lcg| start + Duration::hours(i64::try_from(rng.next(24 * 270)).unwrap());
        let mut facts = Facts::default();
        for _ in 0..60 {
            let village = code(villages[usize::try_from(rng.next(7)).unwrap()]);
            let household = HouseholdFact {
                id: Uuid::from_u128(u128::from(rng.next(u64::MAX))),
                village,
                kk_count: u16::try_from(rng.next(4)).unwrap(),
                received_at: when(&mut rng),
            };
            facts.households.push(household);
            let at = when(&mut rng);
            for v in 0..rng.next(5) {
                // Some visits share a time: the id decides.
                let visited_at = if v % 2 == 1 { at } else { when(&mut rng) };
                facts.visits.push(VisitFact {
                    id: Uuid::from_u128(u128::from(rng.next(u64::MAX))),
                    household_id: household.id,
                    visited_at,
                    category: Category::ALL[usize::try_from(rng.next(6)).unwrap()],
                });
            }
        }
        let statuses =
            [VillageStatus::Dipicu, VillageStatus::Sbs, VillageStatus::Slipped, VillageStatus::Revoked];
        for _ in 0..25 {
            let at = when(&mut rng);
            for _ in 0..=rng.next(2) {
                // A second change at the same moment: the later one wins.
                facts.statuses.push(StatusFact {
                    village: code(villages[usize::try_from(rng.next(7)).unwrap()]),
                    status: statuses[usize::try_from(rng.next(4)).unwrap()],
                    at,
                });
            }
        }
        facts
    }

    fn streamed(
        facts: &Facts,
        wilayah: &Wilayah,
        area: AreaRef,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Vec<Point> {
        let mut series = MonthlySeries::new(wilayah, area, from, to, now);
        for household in &facts.households {
            let visits: Vec<VisitFact> =
                facts.visits.iter().filter(|v| v.household_id == household.id).copied().collect();
            series.add_household(household, &visits);
        }
        series.finish(&facts.statuses)
    }

    #[test]
    fn the_same_points_as_the_roll_ups_of_the_facts() {
        let places = wilayah();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let areas =
            ["nasional", "31", "74", "74.04", "74.04.01", "74.04.01.2001", "94.01.01", "74.04.02.2009"];
        for seed in 0..40 {
            let facts = facts(seed);
            for area in areas {
                let area: AreaRef = area.parse().unwrap();
                for (from, to, now) in [
                    (day(2025, 7, 1), day(2026, 6, 1), Utc.with_ymd_and_hms(2026, 6, 20, 3, 0, 0).unwrap()),
                    (
                        day(2025, 11, 1),
                        day(2026, 3, 1),
                        Utc.with_ymd_and_hms(2026, 3, 31, 17, 30, 0).unwrap(),
                    ),
                    (day(2026, 1, 1), day(2026, 9, 1), Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()),
                ] {
                    let old = facts.monthly(&places, area, from, to, now);
                    assert_eq!(
                        streamed(&facts, &places, area, from, to, now),
                        old,
                        "seed {seed} area {area:?}"
                    );
                }
            }
        }
    }
}
