//! The visits export for analysts: every visit under an area, one row each, as CSV or NDJSON.
//!
//! Admins and viewers only, within their scope (the path's area is checked as the coverage API
//! checks it). Viewers read aggregates elsewhere; here they get the visits without what names or
//! places a person: no head of family, no sanitarian, no phone, no GPS point. `as_of` keeps the
//! visits made by the end of that day in their village's time zone, the day rule of coverage as
//! of a date.
//!
//! Constant memory: the body is streamed, one store page ([`PAGE_ROWS`] visits, keyset cursor) at
//! a time (and the next one, read while this one is encoded), so an export of ten million visits
//! holds what an export of five thousand does. A store error half-way ends the body without its
//! final chunk, so a client sees a failed transfer, never a silently short file.

use axum::BoxError;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::stream::try_unfold;
use odf_domain::{AreaRef, Role};
use odf_store::{AnyStore, ExportCursor, ExportVisit, VisitFilter};
use serde::Deserialize;
use tokio::task::JoinHandle;

use crate::access::{ExportVisits, allow};
use crate::app::AppState;
use crate::error::ApiResult;
use crate::routes::coverage::{Coverage, Lang, check_known, under};
use crate::routes::coverage_types::{CoverageRefusal, QueryParams};
use crate::routes::visits_encode::{Encoder, Format};

/// Visits read from the store per chunk of the body.
pub const PAGE_ROWS: u32 = 5_000;

/// A row's usual size (NDJSON, admin): the page's buffer rarely grows.
const ROW_BYTES: usize = 768;

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
    respond(&state, request, Format::Csv)
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
    respond(&state, request, Format::Ndjson)
}

fn respond(state: &AppState, request: Coverage<VisitsQuery>, format: Format) -> ApiResult<Response> {
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
    let pages = Pages {
        store: state.store().clone(),
        filter,
        day: scoped.day,
        after: None,
        done: false,
        first: true,
        encoder: Encoder::new(format, personal, lang),
        ahead: None,
    };
    let body = Body::from_stream(try_unfold(pages, Pages::next));
    let area = scoped.area.code().map_or_else(|| "nasional".to_owned(), |c| c.to_string());
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Ndjson => ("application/x-ndjson", "ndjson"),
    };
    let file = format!("attachment; filename=\"kunjungan-{area}-{}.{extension}\"", scoped.date());
    Ok(([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, file)], body).into_response())
}

/// The export's read position, moved one store page per body chunk.
struct Pages {
    store: AnyStore,
    filter: VisitFilter,
    day: Option<NaiveDate>,
    after: Option<ExportCursor>,
    done: bool,
    /// The CSV header goes before the first page.
    first: bool,
    encoder: Encoder,
    /// The next page's read, started before this page is encoded so that the two overlap (on
    /// SQLite the read runs on the pool's worker thread, on PostgreSQL in the server): the
    /// export then takes about the longer of reading and encoding, not their sum.
    ahead: Option<Ahead>,
}

/// A page being read; an export dropped half-way (client gone) stops its read.
struct Ahead(JoinHandle<Result<Vec<ExportVisit>, odf_store::StoreError>>);

impl Drop for Ahead {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Pages {
    fn read_from(&self, after: Option<ExportCursor>) -> Ahead {
        let (store, filter) = (self.store.clone(), self.filter);
        Ahead(tokio::spawn(async move { store.export_visits(&filter, after, PAGE_ROWS).await }))
    }

    async fn next(mut self) -> Result<Option<(Bytes, Pages)>, BoxError> {
        if self.done {
            return Ok(None);
        }
        let mut read = match self.ahead.take() {
            Some(read) => read,
            None => self.read_from(self.after),
        };
        let rows = (&mut read.0).await?.inspect_err(|err| {
            tracing::error!(error = %err, "visits export stopped half-way");
        })?;
        self.done = rows.len() < PAGE_ROWS as usize;
        if let Some(last) = rows.last() {
            self.after = Some(last.cursor());
        }
        if !self.done {
            self.ahead = Some(self.read_from(self.after));
        }
        let mut out = Vec::with_capacity(rows.len() * ROW_BYTES + 512);
        if std::mem::take(&mut self.first) {
            self.encoder.header(&mut out);
        }
        for row in rows.iter().filter(|row| keep(row, self.day)) {
            self.encoder.row(&mut out, row);
        }
        Ok(Some((Bytes::from(out), self)))
    }
}

/// The coverage day rule: a visit counts by `day` when its date in its village's time zone is
/// `day` or earlier.
fn keep(row: &ExportVisit, day: Option<NaiveDate>) -> bool {
    day.is_none_or(|day| row.village.local_date(row.visit.visited_at) <= day)
}
