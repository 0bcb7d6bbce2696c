//! Coverage as of a past date, and monthly series, rebuilt from the facts: households, the dates of
//! their visits, and the dates of village status changes.
//!
//! Current figures come from the store's running tallies; the past cannot, because a tally only
//! knows the latest visit. So a series recomputes, for each month end, the latest visit of every
//! household *as of that date*, and the status each village had then. A household counts from the
//! earlier of its first visit and its arrival on the server (a phone may send it late, but its
//! first visit proves it existed).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
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
pub struct Point {
    /// `YYYY-MM` for monthly series.
    pub period: String,
    pub as_of: DateTime<Utc>,
    pub kk_akses: Figure,
    pub desa_sbs: Figure,
}

impl Facts {
    /// Village tallies and statuses as they stood at `as_of`.
    fn as_of(&self, as_of: DateTime<Utc>) -> AsOf {
        let mut latest: HashMap<Uuid, &VisitFact> = HashMap::new();
        for visit in self.visits.iter().filter(|v| v.visited_at <= as_of) {
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
            if household.received_at > as_of && visit.is_none() {
                continue;
            }
            *tallies.entry(household.village).or_default() +=
                Tally::household(household.kk_count, visit.map(|v| v.category));
        }
        let mut statuses: HashMap<AreaCode, &StatusFact> = HashMap::new();
        for fact in self.statuses.iter().filter(|s| s.at <= as_of) {
            if statuses.get(&fact.village).is_none_or(|current| fact.at >= current.at) {
                statuses.insert(fact.village, fact);
            }
        }
        (
            tallies.into_iter().collect(),
            statuses.into_values().map(|s| (s.village, s.status, Some(s.at))).collect(),
        )
    }

    /// The whole roll-up as it stood at `as_of`.
    pub fn rollup<'w>(&self, wilayah: &'w Wilayah, as_of: DateTime<Utc>) -> Rollup<'w> {
        let (tallies, statuses) = self.as_of(as_of);
        Rollup::build(wilayah, tallies, statuses, as_of)
    }

    /// Both measures of `area` as of `as_of`; `None` when the area is not in the places list.
    pub fn point(
        &self,
        wilayah: &Wilayah,
        area: AreaRef,
        as_of: DateTime<Utc>,
        period: String,
    ) -> Option<Point> {
        let rollup = self.rollup(wilayah, as_of);
        let figures = rollup.get(area)?;
        Some(Point { period, as_of, kk_akses: figures.kk_akses, desa_sbs: figures.desa_sbs })
    }

    /// One point per month from `from` to `to` (inclusive), each as of the last instant of its
    /// month (or `now` for the current month).
    pub fn monthly(
        &self,
        wilayah: &Wilayah,
        area: AreaRef,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Vec<Point> {
        let mut points = Vec::new();
        let mut month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1);
        while let Some(first) = month.filter(|m| *m <= to) {
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
            };
            let Some(next_first) = next else { break };
            let end = Utc.from_utc_datetime(&next_first.and_time(chrono::NaiveTime::MIN))
                - chrono::Duration::microseconds(1);
            let as_of = end.min(now);
            if let Some(point) = self.point(wilayah, area, as_of, first.format("%Y-%m").to_string()) {
                points.push(point);
            }
            if as_of == now {
                break;
            }
            month = Some(next_first);
        }
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

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
        assert_eq!(points[0].as_of, at(2026, 2, 1) - Duration::hours(12) - Duration::microseconds(1));
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
}
