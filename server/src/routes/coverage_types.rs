//! The contract of the coverage routes: which query parameters each route takes (anything else is
//! refused with `400 invalid_query` naming it, so a dashboard asking for something a route does not
//! do is told instead of silently getting today), and the typed JSON bodies they answer, whose
//! schemas go into `openapi.json`.
//!
//! Dates are the area's local calendar day (WIB, WITA or WIT by province; the nation's day is
//! WIB): `as_of=2026-05-28` means the end of 28 May where the area is.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::NaiveDate;
use odf_mobile_api::ErrorCode;
use odf_rollup::history::Point;
use odf_rollup::{AreaFigures, Measure};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiQuery};
use crate::routes::coverage::{Format, Freshness, Lang};

/// A route's query type: the names of the parameters it takes.
pub trait QueryParams {
    const NAMES: &'static [&'static str];
}

/// A coverage route's query: an unknown or unsupported parameter is `400 invalid_query` with the
/// parameter as `field`; then as [`ApiQuery`]. Also gives the `as_of` every route takes, read from
/// the same parse, so the shared extractor needs nothing of each route's query type.
pub async fn route_query<T, S>(parts: &mut Parts, state: &S) -> Result<(T, Option<String>), ApiError>
where
    T: DeserializeOwned + QueryParams + Send,
    S: Send + Sync,
{
    let ApiQuery(pairs) = ApiQuery::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
    if let Some((name, _)) = pairs.iter().find(|(name, _)| !T::NAMES.contains(&name.as_str())) {
        let known = T::NAMES.join(", ");
        return Err(bad_query(format!(
            "Parameter {name:?} tidak dipakai di sini; yang dipakai: {known} \
             (query parameter {name:?} is not supported here; supported: {known})"
        ))
        .field(name.clone()));
    }
    let ApiQuery(value) = ApiQuery::<T>::from_request_parts(parts, state).await?;
    let as_of = pairs.into_iter().find(|(name, _)| name == "as_of").map(|(_, value)| value);
    Ok((value, as_of))
}

/// The refusals every coverage route documents: a bad query, an area outside the caller's scope.
#[derive(Debug, utoipa::IntoResponses)]
pub enum CoverageRefusal {
    #[response(status = 400, description = "invalid_query")]
    InvalidQuery(odf_mobile_api::ErrorBody),
    #[response(status = 403, description = "out_of_scope")]
    OutOfScope(odf_mobile_api::ErrorBody),
}

pub fn bad_query(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, message)
}

/// `/v1/coverage/{area}` and `/villages`.
#[derive(Debug, Clone, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableQuery {
    /// `json` (default), `csv` or `geojson`.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub format: Option<Format>,
    /// Column names of CSV output: `id` (Bahasa Indonesia, default) or `en`.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub lang: Option<Lang>,
    /// Figures as they stood at the end of this day (`YYYY-MM-DD`) in the area's time zone
    /// (WIB/WITA/WIT; nasional: WIB), rebuilt from visit and status dates; default: now, from the
    /// running tallies. At a past date the denominator of % KK akses counts only the households
    /// known by then (registered on the server or visited by that day).
    #[serde(default)]
    pub as_of: Option<String>,
}

impl QueryParams for TableQuery {
    const NAMES: &'static [&'static str] = &["format", "lang", "as_of"];
}

/// `/v1/coverage/{area}/ranking`.
#[derive(Debug, Clone, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// `json` (default), `csv` or `geojson`.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub format: Option<Format>,
    /// Column names of CSV output: `id` (default) or `en`.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub lang: Option<Lang>,
    /// `desa_sbs` (default) or `kk_akses`.
    #[serde(default)]
    pub by: Option<String>,
    /// As for `/v1/coverage/{area}`: the end of this local day (`YYYY-MM-DD`); default now.
    #[serde(default)]
    pub as_of: Option<String>,
}

impl QueryParams for RankingQuery {
    const NAMES: &'static [&'static str] = &["format", "lang", "by", "as_of"];
}

/// `/v1/coverage/{area}/stbm.csv`.
#[derive(Debug, Clone, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// The end of this local day (`YYYY-MM-DD`, the area's time zone); default now.
    #[serde(default)]
    pub as_of: Option<String>,
}

impl QueryParams for DayQuery {
    const NAMES: &'static [&'static str] = &["as_of"];
}

/// `/v1/coverage/{area}/dhis2`.
#[derive(Debug, Clone, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Dhis2Query {
    /// The DHIS2 period, `YYYYMM`: values as they stood at the end of its last day (or of
    /// `as_of`, which must then lie in it). Default: the month of `as_of`, else this month.
    #[serde(default)]
    pub period: Option<String>,
    /// The end of this local day (`YYYY-MM-DD`); default: the end of `period`, else now.
    #[serde(default)]
    pub as_of: Option<String>,
}

impl QueryParams for Dhis2Query {
    const NAMES: &'static [&'static str] = &["period", "as_of"];
}

/// `/v1/coverage/{area}/series`.
#[derive(Debug, Clone, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// The first month, `YYYY-MM` (default: eleven months before `to`).
    #[serde(default)]
    pub from: Option<String>,
    /// The last month, `YYYY-MM` (default: the month of `as_of`, else this month).
    #[serde(default)]
    pub to: Option<String>,
    /// The series ends at the end of this local day (`YYYY-MM-DD`) instead of now.
    #[serde(default)]
    pub as_of: Option<String>,
}

impl QueryParams for SeriesQuery {
    const NAMES: &'static [&'static str] = &["from", "to", "as_of"];
}

/// `GET /v1/coverage/{area}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaCoverage<'w> {
    /// The day the figures are for, in the area's time zone.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub area: AreaFigures<'w>,
    pub children: Vec<AreaFigures<'w>>,
    pub freshness: Freshness,
}

/// `GET /v1/coverage/{area}/ranking`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ranking<'w> {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// The measure ranked by.
    pub measure: Measure,
    pub label: &'static str,
    /// Highest first; no data last.
    pub children: Vec<AreaFigures<'w>>,
}

/// `GET /v1/coverage/{area}/villages`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Villages<'w> {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Every village (desa, kelurahan, desa adat) of the area, in code order.
    pub children: Vec<AreaFigures<'w>>,
}

/// The area a series is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesArea {
    /// An area code or `nasional`.
    pub code: String,
    pub name: String,
}

/// `GET /v1/coverage/{area}/series`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Series {
    pub area: SeriesArea,
    /// One per month, each at the end of the month's last local day (the current month: now).
    pub points: Vec<Point>,
}

/// `GET /v1/coverage/{area}/dhis2`: a DHIS2 `dataValueSets` import payload.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataValueSet {
    /// `YYYYMM`.
    pub period: String,
    /// The day the values are for (`YYYY-MM-DD`, the area's time zone).
    pub complete_date: String,
    pub data_values: Vec<DataValue>,
}

/// One value for one village (DHIS2 sums up its own org unit hierarchy).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataValue {
    pub data_element: String,
    pub period: String,
    pub org_unit: String,
    /// The count, as DHIS2 wants it: a string.
    pub value: String,
}
