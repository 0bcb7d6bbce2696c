//! The area page's monthly trend, kept per area until anything under it changes. Rebuilding the
//! months reads every dated fact of the area (it grows with visits, unlike the roll-up), so a page
//! view reuses the months computed for the same area, months and day while the area's last change
//! (`area_freshness`, one row) is the same: a new visit, household or status under the area moves
//! that moment and the next view recomputes. Never older figures than a fresh rebuild would give.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use odf_web::svg::TrendPoint;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::routes::coverage::{ScopedArea, area_text};

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
/// page's roll-up (a past day), else read here on a miss.
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
    let read;
    let facts = match facts {
        Some(facts) => facts,
        None => {
            read = scoped.facts(state).await?;
            &read
        }
    };
    let points: Vec<TrendPoint> = facts
        .monthly(&scoped.wilayah, scoped.area, from, to, end)
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
