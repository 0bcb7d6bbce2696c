//! Coverage as of a past date, and monthly series, rebuilt from the facts: households, the dates of
//! their visits, and the dates of village status changes.
//!
//! Current figures come from the store's running tallies; the past cannot, because a tally only
//! knows the latest visit. So a series recomputes, for each month end, the latest visit of every
//! household *as of that date*, and the status each village had then. A household counts from the
//! earlier of its first visit and its arrival on the server (a phone may send it late, but its
//! first visit proves it existed).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use odf_domain::coverage::is_later;
use odf_domain::{AreaCode, Category, Tally, VillageStatus, Wilayah};
use serde::Serialize;
use uuid::Uuid;

use crate::measure::Figure;

/// Village tallies and village statuses (with the date each status began), as `Rollup::build` takes them.
type AsOf = (Vec<(AreaCode, Tally)>, Vec<(AreaCode, VillageStatus, Option<DateTime<Utc>>)>);
use crate::rollup::{AreaRef, Rollup};

/// A household as the history needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseholdFact {
    pub id: Uuid,
    pub village: AreaCode,
    pub kk_count: u16,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
}

/// A visit as the history needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitFact {
    pub id: Uuid,
    pub household_id: Uuid,
    pub visited_at: DateTime<Utc>,
    pub category: Category,
}

/// A village entering `status` at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusFact {
    pub village: AreaCode,
    pub status: VillageStatus,
    pub at: DateTime<Utc>,
}

/// Everything the history of an area is rebuilt from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub households: Vec<HouseholdFact>,
    pub visits: Vec<VisitFact>,
    pub statuses: Vec<StatusFact>,
}

/// Both measures of one area as of one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    /// `YYYY-MM` for monthly series.
    pub period: String,
    #[serde(with = "odf_domain::timestamp")]
    pub as_of: DateTime<Utc>,
    pub kk_akses: Figure,
    pub desa_sbs: Figure,
}

impl Facts {
    /// Village tallies and statuses as they stood at the end of `day`. One day boundary: a fact
    /// counts when its date in its village's time zone ([`AreaCode::local_date`]: WIB, WITA or
    /// WIT) is `day` or earlier, the rule certificate and triggering dates follow too.
    fn on_day(&self, day: NaiveDate) -> AsOf {
        let village_of: HashMap<Uuid, AreaCode> = self.households.iter().map(|h| (h.id, h.village)).collect();
        let by = |village: AreaCode, at: DateTime<Utc>| village.local_date(at) <= day;
        let mut latest: HashMap<Uuid, &VisitFact> = HashMap::new();
        for visit in &self.visits {
            if !village_of.get(&visit.household_id).is_some_and(|v| by(*v, visit.visited_at)) {
                continue;
            }
            let newer = latest
                .get(&visit.household_id)
                .is_none_or(|current| is_later(visit.visited_at, visit.id, current.visited_at, current.id));
            if newer {
                latest.insert(visit.household_id, visit);
            }
        }
        let mut tallies: HashMap<AreaCode, Tally> = HashMap::new();
        for household in &self.households {
            let visit = latest.get(&household.id);
            if !by(household.village, household.received_at) && visit.is_none() {
                continue;
            }
            *tallies.entry(household.village).or_default() +=
                Tally::household(household.kk_count, visit.map(|v| v.category));
        }
        let mut statuses: HashMap<AreaCode, &StatusFact> = HashMap::new();
        for fact in self.statuses.iter().filter(|s| by(s.village, s.at)) {
            if statuses.get(&fact.village).is_none_or(|current| fact.at >= current.at) {
                statuses.insert(fact.village, fact);
            }
        }
        (
            tallies.into_iter().collect(),
            statuses.into_values().map(|s| (s.village, s.status, Some(s.at))).collect(),
        )
    }

    /// The roll-up of `area`'s subtree (as [`Rollup::build_within`]) as it stood at the end of
    /// `day`, stamped with the end of that day in `area`'s time zone (or `now`, when that is
    /// earlier). Only the subtree: a monthly series of a province is twelve of these, and each
    /// then costs the province's places, not the ~90,000 of the country.
    pub fn rollup_on<'w>(
        &self,
        wilayah: &'w Wilayah,
        area: AreaRef,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Rollup<'w> {
        let (tallies, statuses) = self.on_day(day);
        let as_of = area.end_of_day(day).map_or(now, |end| end.min(now));
        let under = match area {
            AreaRef::Nasional => None,
            AreaRef::Code(code) => Some(code),
        };
        Rollup::build_within(wilayah, under, tallies, statuses, as_of)
    }

    /// Both measures of `area` at the end of `day`; `None` when the area is not in the places list.
    pub fn point(
        &self,
        wilayah: &Wilayah,
        area: AreaRef,
        day: NaiveDate,
        now: DateTime<Utc>,
        period: String,
    ) -> Option<Point> {
        let rollup = self.rollup_on(wilayah, area, day, now);
        let figures = rollup.get(area)?;
        Some(Point { period, as_of: figures.as_of, kk_akses: figures.kk_akses, desa_sbs: figures.desa_sbs })
    }

    /// One point per month from `from` to `to` (inclusive), each at the end of its month's last
    /// day in the area's time zone (or today's date there, for the current month).
    pub fn monthly(
        &self,
        wilayah: &Wilayah,
        area: AreaRef,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Vec<Point> {
        crate::monthly::month_days(area, from, to, now)
            .into_iter()
            .filter_map(|(period, day)| self.point(wilayah, area, day, now, period))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn wilayah() -> Wilayah {
        Wilayah::from_csv("74,P\n74.04,K\n74.04.01,C\n74.04.01.2001,A\n74.04.01.2002,B\n").wilayah
    }

    #[test]
    fn each_month_counts_only_what_was_known_by_its_end() {
        let h1 = HouseholdFact {
            id: Uuid::now_v7(),
            village: code("74.04.01.2001"),
            kk_count: 2,
            received_at: at(2026, 3, 20),
        };
        let h2 = HouseholdFact {
            id: Uuid::now_v7(),
            village: code("74.04.01.2002"),
            kk_count: 1,
            received_at: at(2026, 4, 2),
        };
        let visit = |h: &HouseholdFact, when, category| VisitFact {
            id: Uuid::now_v7(),
            household_id: h.id,
            visited_at: when,
            category,
        };
        let facts = Facts {
            households: vec![h1, h2],
            visits: vec![
                // Recorded in January, sent in March: it counts from January.
                visit(&h1, at(2026, 1, 10), Category::BabsTerbuka),
                visit(&h1, at(2026, 2, 15), Category::Aman),
                visit(&h2, at(2026, 4, 5), Category::LayakBersama),
            ],
            statuses: vec![
                StatusFact {
                    village: code("74.04.01.2001"),
                    status: VillageStatus::Dipicu,
                    at: at(2026, 1, 1),
                },
                StatusFact { village: code("74.04.01.2001"), status: VillageStatus::Sbs, at: at(2026, 3, 1) },
            ],
        };
        let points = facts.monthly(
            &wilayah(),
            AreaRef::Code(code("74.04")),
            at(2026, 1, 1).date_naive(),
            at(2026, 4, 1).date_naive(),
            at(2026, 12, 1),
        );
        let summary: Vec<(&str, i64, i64, i64, i64)> = points
            .iter()
            .map(|p| {
                (
                    p.period.as_str(),
                    p.kk_akses.numerator,
                    p.kk_akses.denominator,
                    p.desa_sbs.numerator,
                    p.desa_sbs.denominator,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("2026-01", 0, 2, 0, 2),
                ("2026-02", 2, 2, 0, 2),
                ("2026-03", 2, 2, 1, 2),
                ("2026-04", 3, 3, 1, 2)
            ]
        );
        // The end of 31 January in Buton (WITA, UTC+8).
        assert_eq!(points[0].as_of, at(2026, 2, 1) - Duration::hours(20) - Duration::microseconds(1));
    }

    #[test]
    fn the_current_month_ends_now_and_the_series_stops_there() {
        let facts = Facts::default();
        let now = at(2026, 5, 10);
        let points = facts.monthly(
            &wilayah(),
            AreaRef::Nasional,
            at(2026, 4, 1).date_naive(),
            at(2026, 9, 1).date_naive(),
            now,
        );
        assert_eq!(points.len(), 2);
        assert_eq!(points[1].as_of, now);
        assert_eq!(points[1].desa_sbs.denominator, 2);
        assert_eq!(points[1].kk_akses.percent, None);
    }

    #[test]
    fn a_day_is_the_village_s_local_calendar_day() {
        let village = code("74.04.01.2001"); // Buton: WITA, UTC+8
        let h = HouseholdFact { id: Uuid::now_v7(), village, kk_count: 1, received_at: at(2026, 1, 1) };
        // 04:00 WITA on the 29th is 20:00 UTC on the 28th: it belongs to the 29th.
        let early = Utc.with_ymd_and_hms(2026, 5, 28, 20, 0, 0).unwrap();
        let facts = Facts {
            households: vec![h],
            visits: vec![VisitFact {
                id: Uuid::now_v7(),
                household_id: h.id,
                visited_at: early,
                category: Category::Aman,
            }],
            statuses: vec![StatusFact { village, status: VillageStatus::Sbs, at: early }],
        };
        let now = at(2026, 6, 1);
        let day = |d| NaiveDate::from_ymd_opt(2026, 5, d).unwrap();
        let area = AreaRef::Code(code("74.04"));
        let places = wilayah();
        let on_28 = facts.rollup_on(&places, area, day(28), now);
        let f = on_28.get(area).unwrap();
        assert_eq!((f.kk_akses.numerator, f.desa_sbs.numerator), (0, 0));
        assert_eq!(f.as_of, Utc.with_ymd_and_hms(2026, 5, 28, 16, 0, 0).unwrap() - Duration::microseconds(1));
        assert_eq!(area.local_date(f.as_of), day(28));
        let on_29 = facts.rollup_on(&places, area, day(29), now);
        let f = on_29.get(area).unwrap();
        assert_eq!((f.kk_akses.numerator, f.desa_sbs.numerator), (1, 1));
    }
}
