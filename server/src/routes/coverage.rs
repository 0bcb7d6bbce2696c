//! The coverage API for dashboards: roll-ups of one area with its children, rankings, the village
//! list, and exports (CSV, GeoJSON for choropleth maps, the old STBM recap, DHIS2 dataValueSets).
//!
//! Every figure names its measure (% KK akses or % desa SBS), numerator, denominator and date.
//! Counts only: no household names and no home GPS points ever leave through these endpoints.
//! Readable by every role (dashboards use viewer tokens), within the caller's area.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Utc};
use odf_domain::{AreaCode, Level, Wilayah};
use odf_mobile_api::ErrorCode;
use odf_rollup::{AreaFigures, AreaRef, Measure, Rollup};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiPath, ApiQuery, ApiResult};
use crate::places::current_rollup;
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

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// `json` (default), `csv` or `geojson`.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub format: Option<Format>,
    /// Column names of CSV output: `id` (Bahasa Indonesia, default) or `en`.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub lang: Option<Lang>,
    /// For rankings: `desa_sbs` (default) or `kk_akses`.
    #[serde(default)]
    pub by: Option<String>,
    /// For DHIS2 exports: the period, `YYYYMM` (default: this month).
    #[serde(default)]
    pub period: Option<String>,
    /// Figures as they stood at the end of this day (`YYYY-MM-DD`), rebuilt from visit and status
    /// dates; default: now, from the running tallies.
    #[serde(default)]
    pub as_of: Option<String>,
    /// For series: the first month, `YYYY-MM` (default: eleven months before `to`).
    #[serde(default)]
    pub from: Option<String>,
    /// For series: the last month, `YYYY-MM` (default: this month).
    #[serde(default)]
    pub to: Option<String>,
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

fn end_of_day(text: &str) -> ApiResult<chrono::DateTime<Utc>> {
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|day| odf_domain::check_day("as_of", *day).is_ok())
        .ok_or_else(|| {
            bad_query(format!("as_of={text}: harus YYYY-MM-DD yang wajar (must be a plausible YYYY-MM-DD)"))
                .field("as_of")
        })?;
    let next = day.succ_opt().ok_or_else(|| bad_query(format!("as_of={text}")))?;
    Ok(next.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::microseconds(1))
}

async fn facts_of(state: &AppState, area: AreaRef) -> ApiResult<odf_rollup::history::Facts> {
    use odf_rollup::history::{Facts, HouseholdFact, StatusFact, VisitFact};
    let under = under(area);
    let rows = state.store().history_facts(under).await?;
    Ok(Facts {
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
    })
}

fn bad_query(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, message)
}

/// The area named in the path, checked against the caller's scope. `nasional` is the whole country,
/// which no area-scoped account covers.
fn area_in_scope(caller: &Caller, text: &str) -> ApiResult<AreaRef> {
    let area: AreaRef = text.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidAreaCode,
            format!("{text:?} bukan kode wilayah atau 'nasional' (not an area code)"),
        )
        .field("area")
    })?;
    let allowed = match area {
        AreaRef::Nasional => false,
        AreaRef::Code(code) => caller.user.area.contains(code),
    };
    if !allowed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::OutOfScope,
            format!("Wilayah {text} di luar cakupan akun Anda (area outside your scope)"),
        ));
    }
    Ok(area)
}

fn check_known(wilayah: &Wilayah, area: AreaRef) -> ApiResult<()> {
    match area {
        AreaRef::Code(code) if !wilayah.contains(code) => {
            Err(ApiError::not_found(&format!("Wilayah {code}")))
        }
        _ => Ok(()),
    }
}

/// What every coverage handler starts from: the area of the path, checked against the caller's
/// scope, the places tree, and the day the figures are for.
struct ScopedArea {
    area: AreaRef,
    wilayah: Arc<Wilayah>,
    /// The end of the `as_of` day (never later than now); `None`: now.
    as_of: Option<DateTime<Utc>>,
}

impl ScopedArea {
    /// `as_of` is the query's, for the handlers that honour it.
    async fn load(
        state: &AppState,
        caller: &Caller,
        path: &str,
        as_of: Option<&str>,
    ) -> ApiResult<ScopedArea> {
        let area = area_in_scope(caller, path)?;
        let wilayah = state.places().get(state.store()).await?;
        let as_of = as_of.map(|day| Ok::<_, ApiError>(end_of_day(day)?.min(Utc::now()))).transpose()?;
        Ok(ScopedArea { area, wilayah, as_of })
    }

    /// The roll-up of the area: now from the store's village tallies and statuses (never raw
    /// visits), or as of a past day rebuilt from visit and status dates.
    async fn rollup(&self, state: &AppState) -> ApiResult<Rollup<'_>> {
        match self.as_of {
            Some(as_of) => Ok(self.facts(state).await?.rollup(&self.wilayah, as_of)),
            None => {
                check_known(&self.wilayah, self.area)?;
                Ok(current_rollup(state.store(), &self.wilayah, under(self.area)).await?)
            }
        }
    }

    /// Every dated fact under the area, to rebuild its figures at any past moment.
    async fn facts(&self, state: &AppState) -> ApiResult<odf_rollup::history::Facts> {
        check_known(&self.wilayah, self.area)?;
        facts_of(state, self.area).await
    }
}

/// The area as a code prefix for store queries (`None`: the whole country).
fn under(area: AreaRef) -> Option<AreaCode> {
    match area {
        AreaRef::Nasional => None,
        AreaRef::Code(code) => Some(code),
    }
}

#[derive(Debug, Serialize)]
struct Freshness {
    /// When anything in the area last changed on the server.
    last_change_at: Option<chrono::DateTime<Utc>>,
    /// Records phones in the area reported still holding, not yet synced.
    pending_on_devices: i64,
    devices: Vec<DeviceFreshness>,
}

#[derive(Debug, Serialize)]
struct DeviceFreshness {
    /// Left out for viewers: which phone and whose it is are not aggregates.
    #[serde(skip_serializing_if = "Option::is_none")]
    device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    last_sync_at: chrono::DateTime<Utc>,
    pending_count: i64,
    oldest_pending_at: Option<chrono::DateTime<Utc>>,
}

async fn freshness(state: &AppState, area: AreaRef, caller: &Caller) -> ApiResult<Freshness> {
    let named = caller.role() != odf_domain::Role::Viewer;
    let under = under(area);
    let users = state.store().list_users().await?;
    let overlaps = |user_area: AreaCode| under.is_none_or(|a| a.contains(user_area) || user_area.contains(a));
    let devices: Vec<DeviceFreshness> = state
        .store()
        .devices()
        .await?
        .into_iter()
        .filter(|d| users.iter().any(|u| u.username == d.username && overlaps(u.area)))
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

fn with_boundaries(figures: &[AreaFigures<'_>], shapes: &[(AreaCode, Value)]) -> Value {
    let features: Vec<Value> = figures
        .iter()
        .filter_map(|f| {
            let code = f.code?;
            let geometry = shapes.iter().find(|(c, _)| *c == code).map(|(_, g)| g.clone())?;
            Some(json!({ "type": "Feature", "geometry": geometry, "properties": export::flat_properties(f) }))
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

async fn respond(
    state: &AppState,
    query: &CoverageQuery,
    head: Option<&AreaFigures<'_>>,
    rows: &[AreaFigures<'_>],
    extra: Value,
) -> ApiResult<Response> {
    let (format, lang) = (query.format.unwrap_or_default(), query.lang.unwrap_or_default());
    Ok(match format {
        Format::Json => {
            let mut body = json!({ "children": rows });
            if let Some(head) = head {
                body["area"] = serde_json::to_value(head).map_err(ApiError::internal)?;
            }
            if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
                body.extend(extra);
            }
            Json(body).into_response()
        }
        Format::Csv => {
            let all: Vec<&AreaFigures<'_>> = head.into_iter().chain(rows.iter()).collect();
            ([(CONTENT_TYPE, "text/csv; charset=utf-8")], export::coverage_csv(&all, lang)).into_response()
        }
        Format::Geojson => {
            let codes: Vec<AreaCode> = rows.iter().filter_map(|f| f.code).collect();
            let shapes = state.store().boundaries_of(&codes).await?;
            ([(CONTENT_TYPE, "application/geo+json")], Json(with_boundaries(rows, &shapes))).into_response()
        }
    })
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code, e.g. 74 or 74.04"), CoverageQuery),
    responses(
        (status = 200, description = "The area and its children: % KK akses and % desa SBS with numerators, denominators and date; freshness"),
        (status = 403, description = "out_of_scope", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn area(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(path): ApiPath<String>,
    ApiQuery(query): ApiQuery<CoverageQuery>,
) -> ApiResult<Response> {
    let scoped = ScopedArea::load(&state, &caller, &path, query.as_of.as_deref()).await?;
    let (area, rollup) = (scoped.area, scoped.rollup(&state).await?);
    let head = rollup.get(area).ok_or_else(|| ApiError::not_found("Wilayah (area)"))?;
    let children = rollup.children(area);
    let fresh = serde_json::to_value(freshness(&state, area, &caller).await?).map_err(ApiError::internal)?;
    respond(&state, &query, Some(&head), &children, json!({ "freshness": fresh })).await
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/ranking", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code"), CoverageQuery),
    responses((status = 200, description = "Children ranked by the chosen measure, highest first; no data last"))
)]
pub async fn ranking(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(path): ApiPath<String>,
    ApiQuery(query): ApiQuery<CoverageQuery>,
) -> ApiResult<Response> {
    let by = match query.by.as_deref() {
        None => Measure::DesaSbs,
        Some(text) => Measure::parse(text)
            .ok_or_else(|| bad_query(format!("by={text}: pakai kk_akses atau desa_sbs")))?,
    };
    let scoped = ScopedArea::load(&state, &caller, &path, None).await?;
    let ranked = scoped.rollup(&state).await?.ranking(scoped.area, by);
    respond(&state, &query, None, &ranked, json!({ "measure": by.as_str(), "label": by.label() })).await
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/villages", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code"), CoverageQuery),
    responses((status = 200, description = "Every village in the area with its status and coverage"))
)]
pub async fn villages(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(path): ApiPath<String>,
    ApiQuery(query): ApiQuery<CoverageQuery>,
) -> ApiResult<Response> {
    let scoped = ScopedArea::load(&state, &caller, &path, None).await?;
    let list = scoped.rollup(&state).await?.within(scoped.area, Level::Desa);
    respond(&state, &query, None, &list, json!({})).await
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/stbm.csv", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code")),
    responses((status = 200, description = "Per-village recap in the old STBM monitoring layout (KK per JSP, JSSP, Sharing, BABS)", content_type = "text/csv"))
)]
pub async fn stbm_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(path): ApiPath<String>,
) -> ApiResult<Response> {
    let scoped = ScopedArea::load(&state, &caller, &path, None).await?;
    let rollup = scoped.rollup(&state).await?;
    let list = rollup.within(scoped.area, Level::Desa);
    Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8")], export::stbm_recap_csv(&rollup, &list)).into_response())
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/dhis2", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code"), CoverageQuery),
    responses((status = 200, description = "DHIS2 dataValueSets payload for the area and every area under it"))
)]
pub async fn dhis2(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(path): ApiPath<String>,
    ApiQuery(query): ApiQuery<CoverageQuery>,
) -> ApiResult<Json<Value>> {
    let period = match query.period {
        Some(p) if p.len() == 6 && p.bytes().all(|b| b.is_ascii_digit()) => p,
        Some(p) => return Err(bad_query(format!("period={p}: harus YYYYMM (must be YYYYMM)"))),
        None => Utc::now().format("%Y%m").to_string(),
    };
    let scoped = ScopedArea::load(&state, &caller, &path, None).await?;
    let rollup = scoped.rollup(&state).await?;
    Ok(Json(export::dhis2_data_value_sets(&rollup, scoped.area, &period, &state.config().dhis2)))
}

#[utoipa::path(
    get, path = "/v1/coverage/{area}/series", tag = "coverage", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code"), CoverageQuery),
    responses((status = 200, description = "Both measures at the end of each month, rebuilt from visit and status dates"))
)]
pub async fn series(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(path): ApiPath<String>,
    ApiQuery(query): ApiQuery<CoverageQuery>,
) -> ApiResult<Json<Value>> {
    let scoped = ScopedArea::load(&state, &caller, &path, None).await?;
    let now = Utc::now();
    let to = match query.to.as_deref() {
        Some(text) => month(text, "to")?,
        None => now.date_naive(),
    };
    let from = match query.from.as_deref() {
        Some(text) => month(text, "from")?,
        None => to - chrono::Months::new(11),
    };
    let months = (to.year() - from.year()) * 12 + i32::try_from(to.month()).unwrap_or(0)
        - i32::try_from(from.month()).unwrap_or(0);
    if months < 0 || i64::from(months) >= MAX_SERIES_MONTHS {
        return Err(bad_query(format!(
            "from..to harus 1 sampai {MAX_SERIES_MONTHS} bulan (range must be 1-{MAX_SERIES_MONTHS} months)"
        )));
    }
    let (area, wilayah) = (scoped.area, &scoped.wilayah);
    let points = scoped.facts(&state).await?.monthly(wilayah, area, from, to, now);
    let name = match area {
        AreaRef::Nasional => odf_rollup::NATIONAL_NAME,
        AreaRef::Code(code) => wilayah.name(code).unwrap_or_default(),
    };
    Ok(Json(json!({ "area": { "code": area_text(area), "name": name }, "points": points })))
}

fn area_text(area: AreaRef) -> String {
    match area {
        AreaRef::Nasional => "nasional".to_owned(),
        AreaRef::Code(code) => code.to_string(),
    }
}
