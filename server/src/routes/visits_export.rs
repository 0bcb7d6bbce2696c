//! The visits export for analysts: every visit under an area, one row each, as CSV or NDJSON.
//!
//! Admins and viewers only, within their scope (the path's area is checked as the coverage API
//! checks it). Viewers read aggregates elsewhere; here they get the visits without what names or
//! places a person: no head of family, no sanitarian, no phone, no GPS point. `as_of` keeps the
//! visits made by the end of that day in their village's time zone, the day rule of coverage as
//! of a date.
//!
//! Constant memory: the store streams the body ([`odf_store::Exports::export_stream`]): its reader
//! hands each row to [`ExportWriter`], which encodes it straight into a chunk, and full chunks come
//! through a bounded channel, so an export of ten million visits holds what one of five thousand
//! does, and a slow client slows the read. A store error half-way ends the body without its final
//! chunk, so a client sees a failed transfer, never a silently short file.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::stream::try_unfold;
use odf_domain::{AreaRef, Role};
use odf_store::{ExportBody, ExportRow, RowWriter, VisitFilter};
use serde::Deserialize;

use crate::access::{ExportVisits, allow};
use crate::app::AppState;
use crate::error::ApiResult;
use crate::routes::coverage::{Coverage, Lang, check_known, under};
use crate::routes::coverage_types::{CoverageRefusal, QueryParams};
use crate::routes::visits_encode::{Encoder, Format};

/// `/v1/export/{area}/visits.csv` and `.ndjson`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitsQuery {
    /// CSV column names: `id` (Bahasa Indonesia, default) or `en`. NDJSON keys are always the
    /// English names.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub lang: Option<Lang>,
    /// Only visits made by the end of this day (`YYYY-MM-DD`) in their village's time zone
    /// (WIB/WITA/WIT); default: all.
    #[serde(default)]
    pub as_of: Option<String>,
}

impl QueryParams for VisitsQuery {
    const NAMES: &'static [&'static str] = &["lang", "as_of"];
}

#[utoipa::path(
    get, path = "/v1/export/{area}/visits.csv", tag = "export", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code or nasional"), VisitsQuery),
    responses(
        (status = 200, description = "One row per visit, in village code then visit id order, streamed. Viewers get no head of family, sanitarian, device or GPS columns. Text cells a spreadsheet would read as a formula start with an apostrophe.", content_type = "text/csv", body = String),
        CoverageRefusal,
    )
)]
pub async fn visits_csv(
    State(state): State<AppState>,
    request: Coverage<VisitsQuery>,
) -> ApiResult<Response> {
    respond(&state, request, Format::Csv).await
}

#[utoipa::path(
    get, path = "/v1/export/{area}/visits.ndjson", tag = "export", security(("bearer" = [])),
    params(("area" = String, Path, description = "Area code or nasional"), VisitsQuery),
    responses(
        (status = 200, description = "One JSON object per line and visit (keys as the English CSV columns, checklist as an object), streamed. Viewers get no head_name, sanitarian, device_id, lat or lng.", content_type = "application/x-ndjson", body = String),
        CoverageRefusal,
    )
)]
pub async fn visits_ndjson(
    State(state): State<AppState>,
    request: Coverage<VisitsQuery>,
) -> ApiResult<Response> {
    respond(&state, request, Format::Ndjson).await
}

async fn respond(state: &AppState, request: Coverage<VisitsQuery>, format: Format) -> ApiResult<Response> {
    let Coverage { scoped, query, caller } = request;
    allow::<ExportVisits>(&caller)?;
    check_known(&scoped.wilayah, scoped.area)?;
    let personal = caller.role() == Role::Admin;
    let lang = query.lang.unwrap_or_default();
    let filter = VisitFilter {
        under: under(scoped.area),
        // A day of slack over the westernmost zone's end of day (the latest in UTC): the store's
        // comparison only narrows the read; each row is then kept by the exact rule in `keep`.
        visited_by: scoped.day.and_then(|day| AreaRef::Nasional.end_of_day(day.succ_opt().unwrap_or(day))),
    };
    let writer = ExportWriter { encoder: Encoder::new(format, personal, lang), day: scoped.day };
    let chunks = state.store().export_stream(filter, Box::new(writer)).await?;
    let body = Body::from_stream(try_unfold(chunks, next_chunk));
    let area = scoped.area.code().map_or_else(|| "nasional".to_owned(), |c| c.to_string());
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Ndjson => ("application/x-ndjson", "ndjson"),
    };
    let file = format!("attachment; filename=\"kunjungan-{area}-{}.{extension}\"", scoped.date());
    Ok(([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, file)], body).into_response())
}

/// The body's next chunk (an error ends the body without its last chunk: a broken transfer).
async fn next_chunk(mut chunks: ExportBody) -> Result<Option<(Bytes, ExportBody)>, odf_store::StoreError> {
    Ok(chunks.next_chunk().await?.map(|chunk| (Bytes::from(chunk), chunks)))
}

/// Encodes the store's rows as the request asked, leaving out those after `as_of`'s day.
struct ExportWriter {
    encoder: Encoder,
    day: Option<NaiveDate>,
}

impl RowWriter for ExportWriter {
    fn start(&mut self, out: &mut Vec<u8>) {
        self.encoder.header(out);
    }

    fn row(&mut self, out: &mut Vec<u8>, row: &ExportRow<'_>) {
        if keep(row, self.day) {
            self.encoder.row(out, row);
        }
    }
}

/// The coverage day rule: a visit counts by `day` when its date in its village's time zone is
/// `day` or earlier.
fn keep(row: &ExportRow<'_>, day: Option<NaiveDate>) -> bool {
    day.is_none_or(|day| row.village.local_date(row.visited_at) <= day)
}
