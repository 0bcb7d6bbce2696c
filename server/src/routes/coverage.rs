//! The coverage API for dashboards: roll-ups of one area with its children, rankings, the village
//! list, and exports (CSV, GeoJSON for choropleth maps, the old STBM recap, DHIS2 dataValueSets).
//!
//! Every figure names its measure (% KK akses or % desa SBS), numerator, denominator and date.
//! Counts only: no household names and no home GPS points ever leave through these endpoints.
//! Readable by every role (dashboards use viewer tokens), within the caller's area.

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use odf_domain::{AreaCode, Level, Wilayah};
use odf_mobile_api::ErrorCode;
use odf_rollup::{AreaFigures, AreaRef, LevelSums, Measure, Rollup};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiPath, ApiResult};
use crate::places::current_rollup;
use crate::routes::coverage_types::{
    AreaCoverage, CoverageRefusal, DataValueSet, DayQuery, Dhis2Query, QueryParams, Ranking, RankingQuery,
    Series, SeriesArea, SeriesQuery, TableQuery, Villages, bad_query, route_query,
};
use crate::routes::export;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Csv,
    Geojson,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

/// The longest series one request may ask for.
const MAX_SERIES_MONTHS: i64 = 120;

/// A month `YYYY-MM` inside the shared date window (chrono parses years such as -262143, whose
/// month arithmetic would panic).
fn month(text: &str, field: &'static str) -> ApiResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .ok()
        .filter(|day| odf_domain::check_day(field, *day).is_ok())
        .ok_or_else(|| {
            bad_query(format!(
                "{field}={text}: harus YYYY-MM antara {} dan {} (must be YYYY-MM within the date window)",
                odf_domain::input::EARLIEST_DATE,
                odf_domain::input::LATEST_DATE
            ))
            .field(field.to_owned())
        })
}

/// A day, `YYYY-MM-DD`, inside the shared date window (`odf_domain::check_day`): anything else is a
/// typing error, not a date to roll up.
pub(crate) fn day(text: &str, field: &'static str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|d| odf_domain::check_day(field, *d).is_ok()).ok_or_else(
        || {
            bad_query(format!(
                "{field}={text}: harus YYYY-MM-DD antara {} dan {} (must be YYYY-MM-DD within the date window)",
                odf_domain::input::EARLIEST_DATE,
                odf_domain::input::LATEST_DATE
            ))
            .field(field.to_owned())
        },
    )
}

async fn facts_of(state: &AppState, area: AreaRef) -> ApiResult<odf_rollup::history::Facts> {
    Ok(facts_from(state.store().history_facts(under(area)).await?))
}

/// The store's dated rows as the roll-up's facts (for the `/series` route and past days).
pub fn facts_from(rows: odf_store::HistoryFacts) -> odf_rollup::history::Facts {
    use odf_rollup::history::{Facts, HouseholdFact, StatusFact, VisitFact};
    Facts {
        households: rows
            .households
            .into_iter()
            .map(|h| HouseholdFact {
                id: h.id,
                village: h.village,
                kk_count: h.kk_count,
                received_at: h.received_at,
            })
            .collect(),
        visits: rows
            .visits
            .into_iter()
            .map(|v| VisitFact {
                id: v.id,
                household_id: v.household_id,
                visited_at: v.visited_at,
                category: v.category,
            })
            .collect(),
        statuses: rows
            .statuses
            .into_iter()
            .map(|s| StatusFact { village: s.village, status: s.status, at: s.at })
            .collect(),
    }
}

/// An area code or `nasional`, as a path names it.
pub(crate) fn parse_area(text: &str) -> ApiResult<AreaRef> {
    text.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidAreaCode,
            format!("{text:?} bukan kode wilayah atau 'nasional' (not an area code)"),
        )
        .field("area")
    })
}

/// The area named in the path, checked against the caller's scope. `nasional` is the whole country,
/// which only a national account (`--area nasional`) covers. The web pages check signed-in readers
/// with this too.
pub(crate) fn area_in_scope(caller: &Caller, text: &str) -> ApiResult<AreaRef> {
    let area = parse_area(text)?;
    if !caller.user.area.contains(area) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::OutOfScope,
            format!("Wilayah {text} di luar cakupan akun Anda (area outside your scope)"),
        ));
    }
    Ok(area)
}

pub(crate) fn check_known(wilayah: &Wilayah, area: AreaRef) -> ApiResult<()> {
    match area {
        AreaRef::Code(code) if !wilayah.contains(code) => {
            Err(ApiError::not_found(&format!("Wilayah {code}")))
        }
        _ => Ok(()),
    }
}

/// What every coverage handler (and every dashboard page, `crate::web`) starts from: the area of
/// the path, checked against the reader's scope, the places tree, and the day the figures are for.
#[derive(Debug)]
pub(crate) struct ScopedArea {
    pub(crate) area: AreaRef,
    pub(crate) wilayah: Arc<Wilayah>,
    /// The `as_of` day in the area's time zone (never after today there); `None`: now.
    pub(crate) day: Option<NaiveDate>,
    pub(crate) now: DateTime<Utc>,
}

/// What every coverage handler takes: the caller, the query (only the route's own parameters), and
/// the path's area in the caller's scope with the day asked for; in that order, so a request wrong
/// twice hears about its login first, then its query, then its scope.
#[derive(Debug)]
pub struct Coverage<Q> {
    pub(crate) scoped: ScopedArea,
    pub(crate) query: Q,
    pub(crate) caller: Caller,
}

impl<Q> FromRequestParts<AppState> for Coverage<Q>
where
    Q: DeserializeOwned + QueryParams + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let ApiPath(path) = ApiPath::<String>::from_request_parts(parts, state).await?;
        let (query, as_of) = route_query::<Q, _>(parts, state).await?;
        let scoped = ScopedArea::load(state, &caller, &path, as_of.as_deref()).await?;
        Ok(Coverage { scoped, query, caller })
    }
}

impl ScopedArea {
    /// `as_of` is the query's (`YYYY-MM-DD`, the area's local day).
    async fn load(
        state: &AppState,
        caller: &Caller,
        path: &str,
        as_of: Option<&str>,
    ) -> ApiResult<ScopedArea> {
        let area = area_in_scope(caller, path)?;
        ScopedArea::of(state, area, as_of).await
    }

    /// An area already checked against the reader's scope; `as_of` as in [`ScopedArea::load`].
    pub(crate) async fn of(state: &AppState, area: AreaRef, as_of: Option<&str>) -> ApiResult<ScopedArea> {
        let wilayah = state.places().get(state.store()).await?;
        let now = Utc::now();
        let day = as_of.map(|text| day(text, "as_of")).transpose()?.map(|d| d.min(area.local_date(now)));
        Ok(ScopedArea { area, wilayah, day, now })
    }

    /// The day the figures are for, in the area's time zone.
    pub(crate) fn date(&self) -> NaiveDate {
        self.day.unwrap_or_else(|| self.area.local_date(self.now))
    }

    /// The roll-up of the area: now from the store's village tallies and statuses (never raw
    /// visits), or at the end of a past local day rebuilt from visit and status dates.
    pub(crate) async fn rollup(&self, state: &AppState) -> ApiResult<Rollup<'_>> {
        match self.day {
            Some(day) => Ok(self.facts(state).await?.rollup_on(&self.wilayah, self.area, day, self.now)),
            None => {
                check_known(&self.wilayah, self.area)?;
                Ok(current_rollup(state.store(), &self.wilayah, under(self.area)).await?)
            }
        }
    }

    /// The area and its children only (`get`, `children`, `ranking`): now and above the kecamatan
    /// from the per-level sums (the nation reads 39 rows, not 83,762 village tallies); else as
    /// [`ScopedArea::rollup`].
    pub(crate) async fn summary(&self, state: &AppState) -> ApiResult<Rollup<'_>> {
        let above_kecamatan = match self.area {
            AreaRef::Nasional => true,
            AreaRef::Code(code) => code.level() < Level::Kecamatan,
        };
        if self.day.is_some() || !above_kecamatan {
            return self.rollup(state).await;
        }
        check_known(&self.wilayah, self.area)?;
        Ok(summary_rollup(state.store(), &self.wilayah, self.area).await?)
    }

    /// Every dated fact under the area, to rebuild its figures at any past moment.
    pub(crate) async fn facts(&self, state: &AppState) -> ApiResult<odf_rollup::history::Facts> {
        check_known(&self.wilayah, self.area)?;
        facts_of(state, self.area).await
    }

    /// The roll-up (as [`ScopedArea::rollup`]) and the dated facts, for a page that shows figures
    /// and their monthly series: at a past day both come from one read of the facts.
    pub(crate) async fn rollup_and_facts(
        &self,
        state: &AppState,
    ) -> ApiResult<(Rollup<'_>, odf_rollup::history::Facts)> {
        let facts = self.facts(state).await?;
        let rollup = match self.day {
            Some(day) => facts.rollup_on(&self.wilayah, self.area, day, self.now),
            None => current_rollup(state.store(), &self.wilayah, under(self.area)).await?,
        };
        Ok((rollup, facts))
    }

    /// The months of a series (`from`, `to` as `YYYY-MM`; by default the twelve months up to the
    /// day) and the moment it ends: the end of the `as_of` day, or now.
    pub(crate) fn series_window(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> ApiResult<(NaiveDate, NaiveDate, DateTime<Utc>)> {
        let end = match self.day {
            Some(day) => self.area.end_of_day(day).map_or(self.now, |e| e.min(self.now)),
            None => self.now,
        };
        let to = match to {
            Some(text) => month(text, "to")?,
            None => self.date(),
        };
        let from = match from {
            Some(text) => month(text, "from")?,
            None => to - Months::new(11),
        };
        let months = (to.year() - from.year()) * 12 + i32::try_from(to.month()).unwrap_or(0)
            - i32::try_from(from.month()).unwrap_or(0);
        if months < 0 || i64::from(months) >= MAX_SERIES_MONTHS {
            return Err(bad_query(format!(
                "from..to harus 1 sampai {MAX_SERIES_MONTHS} bulan (range must be 1-{MAX_SERIES_MONTHS} months)"
            )));
        }
        Ok((from, to, end))
    }
}

/// Today's roll-up of `area` (above the kecamatan) and its children from the store's per-level
/// sums ([`Rollup::from_sums`]); the benchmark times the nation with it.
pub async fn summary_rollup<'w>(
    store: &odf_store::AnyStore,
    wilayah: &'w Wilayah,
    area: AreaRef,
) -> Result<Rollup<'w>, odf_store::StoreError> {
    let read = store.area_sums(under(area)).await?;
    // Village counts: fewer than 100,000 villages, so they fit.
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let level = |s: odf_store::AreaSum| LevelSums {
        tally: s.tally,
        with_data: count(s.villages_with_data),
        full_access: count(s.villages_full_access),
    };
    let sums = read.sums.into_iter().map(|(code, s)| (code, level(s)));
    let statuses = read.statuses.into_iter().map(|(code, status, n)| (code, status, count(n)));
    Ok(Rollup::from_sums(wilayah, area, sums, statuses, Utc::now()))
}

/// The area as a code prefix for store queries (`None`: the whole country).
pub(crate) fn under(area: AreaRef) -> Option<AreaCode> {
    match area {
        AreaRef::Nasional => None,
        AreaRef::Code(code) => Some(code),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Freshness {
    /// When anything in the area last changed on the server.
    #[serde(with = "odf_domain::timestamp::option")]
    last_change_at: Option<chrono::DateTime<Utc>>,
    /// Records phones in the area reported still holding, not yet synced.
    pending_on_devices: i64,
    devices: Vec<DeviceFreshness>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceFreshness {
    /// Left out for viewers: which phone and whose it is are not aggregates.
    #[serde(skip_serializing_if = "Option::is_none")]
    device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(with = "odf_domain::timestamp")]
    last_sync_at: chrono::DateTime<Utc>,
    pending_count: i64,
    #[serde(with = "odf_domain::timestamp::option")]
    oldest_pending_at: Option<chrono::DateTime<Utc>>,
}

/// Whether a phone of an account working in `user_area` counts toward the freshness of `under`:
/// either area holds the other.
pub(crate) fn works_in(under: Option<AreaCode>, user_area: AreaRef) -> bool {
    match user_area.code() {
        // A national account's phone counts everywhere.
        None => true,
        Some(user_area) => under.is_none_or(|a| a.contains(user_area) || user_area.contains(a)),
    }
}

/// Every phone with the area of its account, for freshness figures.
pub(crate) async fn devices_with_areas(
    state: &AppState,
) -> ApiResult<Vec<(AreaRef, odf_store::DeviceRecord)>> {
    let users = state.store().list_users().await?;
    let areas: std::collections::HashMap<&str, AreaRef> =
        users.iter().map(|u| (u.username.as_str(), u.area)).collect();
    Ok(state
        .store()
        .devices()
        .await?
        .into_iter()
        .filter_map(|d| areas.get(d.username.as_str()).map(|area| (*area, d)))
        .collect())
}

async fn freshness(state: &AppState, area: AreaRef, caller: &Caller) -> ApiResult<Freshness> {
    let named = caller.role() != odf_domain::Role::Viewer;
    let under = under(area);
    let devices: Vec<DeviceFreshness> = devices_with_areas(state)
        .await?
        .into_iter()
        .filter(|(user_area, _)| works_in(under, *user_area))
        .map(|(_, d)| d)
        .map(|d| DeviceFreshness {
            device_id: Some(d.device_id).filter(|_| named),
            username: Some(d.username).filter(|_| named),
            last_sync_at: d.last_sync_at,
            pending_count: d.pending_count,
            oldest_pending_at: d.oldest_pending_at,
        })
        .collect();
    Ok(Freshness {
        last_change_at: state.store().last_change_at(under).await?,
        pending_on_devices: devices.iter().map(|d| d.pending_count).sum(),
        devices,
    })
}

fn with_boundaries(figures: &[AreaFigures<'_>], shapes: &[(AreaCode, Value)], day: NaiveDate) -> Value {
    let features: Vec<Value> = figures
        .iter()
        .filter_map(|f| {
            let code = f.code?;
            let geometry = shapes.iter().find(|(c, _)| *c == code).map(|(_, g)| g.clone())?;
            Some(json!({ "type": "Feature", "geometry": geometry, "properties": export::flat_properties(f, day) }))
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

/// The answer in the asked format: `body` as JSON, or the rows (with `head` first) as CSV or
/// GeoJSON, dated `day`.
async fn respond(
    state: &AppState,
    (format, lang): (Option<Format>, Option<Lang>),
    day: NaiveDate,
    head: Option<&AreaFigures<'_>>,
    rows: &[AreaFigures<'_>],
    body: &impl Serialize,
) -> ApiResult<Response> {
    Ok(match format.unwrap_or_default() {
        Format::Json => Json(body).into_response(),
        Format::Csv => {
            let all: Vec<&AreaFigures<'_>> = head.into_iter().chain(rows.iter()).collect();
            let csv = export::coverage_csv(&all, lang.unwrap_or_default(), day);
            ([(CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response()
        }
        Format::Geojson => {
            let codes: Vec<AreaCode> = rows.iter().filter_map(|f| f.code).collect();
            let shapes = state.store().boundaries_of(&codes).await?;
            ([(CONTENT_TYPE, "application/geo+json")], Json(with_boundaries(rows, &shapes, day)))
                .into_response()
        }
    })
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code, e.g. 74 or 74.04, or nasional"), TableQuery),
    responses(
        (status = 200, description = "The area and its children: % KK akses and % desa SBS with numerators, denominators and date; freshness. At a past `as_of` the denominator of % KK akses counts only the households known by then. CSV and GeoJSON with `format`.", body = AreaCoverage<'_>),
        (status = 400, description = "invalid_query (an unknown parameter, a bad value), invalid_area_code", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "out_of_scope", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn area(
    State(state): State<AppState>,
    Coverage { scoped, query, caller }: Coverage<TableQuery>,
) -> ApiResult<Response> {
    let (area, rollup) = (scoped.area, scoped.summary(&state).await?);
    let head = rollup.get(area).ok_or_else(|| ApiError::not_found("Wilayah (area)"))?;
    let children = rollup.children(area);
    let freshness = freshness(&state, area, &caller).await?;
    let body =
        AreaCoverage { date: scoped.date(), area: head.clone(), children: children.clone(), freshness };
    respond(&state, (query.format, query.lang), scoped.date(), Some(&head), &children, &body).await
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/ranking", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code or nasional"), RankingQuery),
    responses(
        (status = 200, description = "Children ranked by the chosen measure, highest first; no data last", body = Ranking<'_>),
        CoverageRefusal,
    )
)]
pub async fn ranking(
    State(state): State<AppState>,
    Coverage { scoped, query, .. }: Coverage<RankingQuery>,
) -> ApiResult<Response> {
    let by = match query.by.as_deref() {
        None => Measure::DesaSbs,
        Some(text) => Measure::parse(text).ok_or_else(|| {
            bad_query(format!("by={text}: pakai kk_akses atau desa_sbs (use kk_akses or desa_sbs)"))
                .field("by")
        })?,
    };
    let ranked = scoped.summary(&state).await?.ranking(scoped.area, by);
    let body = Ranking { date: scoped.date(), measure: by, label: by.label(), children: ranked.clone() };
    respond(&state, (query.format, query.lang), scoped.date(), None, &ranked, &body).await
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/villages", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code or nasional"), TableQuery),
    responses(
        (status = 200, description = "Every village in the area with its status and coverage", body = Villages<'_>),
        CoverageRefusal,
    )
)]
pub async fn villages(
    State(state): State<AppState>,
    Coverage { scoped, query, .. }: Coverage<TableQuery>,
) -> ApiResult<Response> {
    let list = scoped.rollup(&state).await?.within(scoped.area, Level::Desa);
    let body = Villages { date: scoped.date(), children: list.clone() };
    respond(&state, (query.format, query.lang), scoped.date(), None, &list, &body).await
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/stbm.csv", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code or nasional"), DayQuery),
    responses(
        (status = 200, description = "Per-village recap in the old STBM monitoring layout (KK per JSP, JSSP, Sharing, BABS)", content_type = "text/csv", body = String),
        CoverageRefusal,
    )
)]
pub async fn stbm_csv(
    State(state): State<AppState>,
    Coverage { scoped, .. }: Coverage<DayQuery>,
) -> ApiResult<Response> {
    let rollup = scoped.rollup(&state).await?;
    let list = rollup.within(scoped.area, Level::Desa);
    let csv = export::stbm_recap_csv(&rollup, &list, scoped.date());
    Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}

/// The first day of a `YYYYMM` period.
fn period_start(text: &str) -> ApiResult<NaiveDate> {
    let valid = text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit());
    valid
        .then(|| NaiveDate::parse_from_str(&format!("{text}01"), "%Y%m%d").ok())
        .flatten()
        .filter(|d| d.year() >= 1900)
        .ok_or_else(|| bad_query(format!("period={text}: harus YYYYMM (must be YYYYMM)")).field("period"))
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/dhis2", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code or nasional"), Dhis2Query),
    responses(
        (status = 200, description = "DHIS2 dataValueSets payload: one value per data element and village, as of the end of the period (or of as_of)", body = DataValueSet),
        (status = 400, description = "invalid_query (a bad period, as_of outside the period, a period still to come)", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "out_of_scope", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn dhis2(
    State(state): State<AppState>,
    Coverage { mut scoped, query, .. }: Coverage<Dhis2Query>,
) -> ApiResult<Json<DataValueSet>> {
    let today = scoped.area.local_date(scoped.now);
    let start = match (query.period.as_deref().map(period_start).transpose()?, scoped.day) {
        (Some(start), Some(day)) if (start.year(), start.month()) != (day.year(), day.month()) => {
            return Err(bad_query(format!(
                "as_of {day} di luar period {} (as_of lies outside the period)",
                start.format("%Y%m")
            ))
            .field("as_of"));
        }
        (Some(start), _) if start > today => {
            return Err(bad_query(format!(
                "period {} belum tiba (the period has not begun)",
                start.format("%Y%m")
            ))
            .field("period"));
        }
        (Some(start), None) => {
            // A past period: its values as they stood at the end of its last day.
            let last = start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt());
            scoped.day = last.filter(|last| *last < today);
            start
        }
        (_, Some(day)) => day.with_day(1).unwrap_or(day),
        (None, None) => today.with_day(1).unwrap_or(today),
    };
    let rollup = scoped.rollup(&state).await?;
    let period = start.format("%Y%m").to_string();
    Ok(Json(export::dhis2_data_value_sets(
        &rollup,
        scoped.area,
        &period,
        scoped.date(),
        &state.config().dhis2,
    )))
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/series", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code or nasional"), SeriesQuery),
    responses(
        (status = 200, description = "Both measures at the end of each month (the area's local days), rebuilt from visit and status dates", body = Series),
        CoverageRefusal,
    )
)]
pub async fn series(
    State(state): State<AppState>,
    Coverage { scoped, query, .. }: Coverage<SeriesQuery>,
) -> ApiResult<Json<Series>> {
    let (from, to, end) = scoped.series_window(query.from.as_deref(), query.to.as_deref())?;
    let (area, wilayah) = (scoped.area, &scoped.wilayah);
    let points = scoped.facts(&state).await?.monthly(wilayah, area, from, to, end);
    let name = match area {
        AreaRef::Nasional => odf_rollup::NATIONAL_NAME,
        AreaRef::Code(code) => wilayah.name(code).unwrap_or_default(),
    };
    Ok(Json(Series { area: SeriesArea { code: area_text(area), name: name.to_owned() }, points }))
}

pub(crate) fn area_text(area: AreaRef) -> String {
    match area {
        AreaRef::Nasional => "nasional".to_owned(),
        AreaRef::Code(code) => code.to_string(),
    }
}
