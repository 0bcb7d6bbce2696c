//! The area page's monthly trend, kept per area until anything under it changes. Rebuilding the
//! months reads every dated fact of the area (it grows with visits, unlike the roll-up; streamed
//! one household at a time, so the memory it takes does not), so a page
//! view reuses the months computed for the same area, months and day while the area's last change
//! (`area_freshness`, one row) is the same: a new visit, household or status under the area moves
//! that moment and the next view recomputes. Never older figures than a fresh rebuild would give.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use odf_domain::{AreaRef, Wilayah};
use odf_rollup::MonthlySeries;
use odf_rollup::history::{HouseholdFact, Point, StatusFact, VisitFact};
use odf_store::{AnyStore, StoreError};
use odf_web::svg::TrendPoint;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::routes::coverage::{ScopedArea, area_text, check_known, under};

/// Area, first month, last month, the local day the series ends, the area's last change.
type Key = (String, NaiveDate, NaiveDate, NaiveDate, Option<DateTime<Utc>>);

/// Bounds memory: past this many entries the cache starts over.
const MAX_ENTRIES: usize = 512;

#[derive(Debug, Default)]
pub struct TrendCache {
    entries: Mutex<HashMap<Key, Vec<TrendPoint>>>,
}

fn pair(figure: &odf_rollup::Figure) -> Option<(u64, u64)> {
    (figure.denominator > 0).then(|| {
        (u64::try_from(figure.numerator).unwrap_or(0), u64::try_from(figure.denominator).unwrap_or(0))
    })
}

/// The twelve months up to the page's day, as `/series` gives them. `facts`: already read for the
/// page's roll-up (a past day), else streamed from the store here on a miss.
pub(crate) async fn points(
    state: &AppState,
    scoped: &ScopedArea,
    facts: Option<&odf_rollup::history::Facts>,
    last_change: Option<DateTime<Utc>>,
) -> ApiResult<Vec<TrendPoint>> {
    let (from, to, end) = scoped.series_window(None, None)?;
    let key: Key = (area_text(scoped.area), from, to, scoped.area.local_date(end), last_change);
    let cache = state.web_trends();
    if let Some(hit) = cache.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key) {
        return Ok(hit.clone());
    }
    let months = match facts {
        Some(facts) => facts.monthly(&scoped.wilayah, scoped.area, from, to, end),
        None => streamed(state, scoped, from, to, end).await?,
    };
    let points: Vec<TrendPoint> = months
        .iter()
        .map(|p| TrendPoint {
            month: p.period.clone(),
            kk_akses: pair(&p.kk_akses),
            desa_sbs: pair(&p.desa_sbs),
        })
        .collect();
    let mut entries = cache.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if entries.len() >= MAX_ENTRIES {
        entries.clear();
    }
    entries.insert(key, points.clone());
    Ok(points)
}

/// The months on a cache miss, streamed from the store ([`monthly_from_store`]).
async fn streamed(
    state: &AppState,
    scoped: &ScopedArea,
    from: NaiveDate,
    to: NaiveDate,
    end: DateTime<Utc>,
) -> ApiResult<Vec<Point>> {
    check_known(&scoped.wilayah, scoped.area)?;
    Ok(monthly_from_store(state.store(), &scoped.wilayah, scoped.area, from, to, end).await?)
}

/// `area`'s months `from`..`to` rebuilt from the store's facts streamed one household at a time
/// ([`odf_store::Coverage::household_histories`]): the same figures as
/// [`odf_rollup::history::Facts::monthly`] over [`odf_store::Coverage::history_facts`], holding one
/// household's visits rather than the area's, and summing the area's own two figures rather than
/// rolling up its whole subtree for every month (~16 MB each for the nation).
pub async fn monthly_from_store(
    store: &AnyStore,
    wilayah: &Wilayah,
    area: AreaRef,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Point>, StoreError> {
    let mut series = MonthlySeries::new(wilayah, area, from, to, now);
    let mut visits: Vec<VisitFact> = Vec::new();
    let statuses = store
        .household_histories(under(area), &mut |household, rows| {
            visits.clear();
            visits.extend(rows.iter().map(|v| VisitFact {
                id: v.id,
                household_id: v.household_id,
                visited_at: v.visited_at,
                category: v.category,
            }));
            let household = HouseholdFact {
                id: household.id,
                village: household.village,
                kk_count: household.kk_count,
                received_at: household.received_at,
            };
            series.add_household(&household, &visits);
        })
        .await?;
    let statuses: Vec<StatusFact> =
        statuses.into_iter().map(|s| StatusFact { village: s.village, status: s.status, at: s.at }).collect();
    Ok(series.finish(&statuses))
}
