//! The visits export for analysts: every visit under an area, one row each, as CSV or NDJSON.
//!
//! Admins and viewers only, within their scope (the path's area is checked as the coverage API
//! checks it). Viewers read aggregates elsewhere; here they get the visits without what names or
//! places a person: no head of family, no sanitarian, no phone, no GPS point. `as_of` keeps the
//! visits made by the end of that day in their village's time zone, the day rule of coverage as
//! of a date.
//!
//! Constant memory: the body is streamed, one store page ([`PAGE_ROWS`] visits, keyset cursor) at
//! a time, so an export of ten million visits holds what an export of five thousand does. A store
//! error half-way ends the body without its final chunk, so a client sees a failed transfer, never
//! a silently short file.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::stream::try_unfold;
use odf_domain::{AreaRef, Checklist, GpsFlag, Role};
use odf_store::{AnyStore, ExportCursor, ExportVisit, VisitFilter};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::access::{ExportVisits, allow};
use crate::app::AppState;
use crate::error::ApiResult;
use crate::routes::coverage::{Coverage, Lang, check_known, under};
use crate::routes::coverage_types::{CoverageRefusal, QueryParams};
use crate::routes::export::push_csv_field;

/// Visits read from the store per chunk of the body.
pub const PAGE_ROWS: u32 = 5_000;

/// `/v1/export/{area}/visits.csv` and `.ndjson`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Ndjson,
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
        encoder: Encoder { format, personal, lang },
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
}

impl Pages {
    async fn next(mut self) -> Result<Option<(Bytes, Pages)>, odf_store::StoreError> {
        if self.done {
            return Ok(None);
        }
        let rows =
            self.store.export_visits(&self.filter, self.after, PAGE_ROWS).await.inspect_err(|err| {
                tracing::error!(error = %err, "visits export stopped half-way");
            })?;
        self.done = rows.len() < PAGE_ROWS as usize;
        if let Some(last) = rows.last() {
            self.after = Some(last.cursor());
        }
        let mut out = Vec::with_capacity(rows.len() * 256 + 512);
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

#[derive(Debug, Clone, Copy)]
struct Encoder {
    format: Format,
    /// Head of family, sanitarian, device and GPS: admins only.
    personal: bool,
    lang: Lang,
}

/// The columns, Indonesian and English names, and whether only admins get them.
const COLUMNS: [(&str, &str, bool); 26] = [
    ("id_kunjungan", "visit_id", false),
    ("id_rumah_tangga", "household_id", false),
    ("kode_desa", "village_code", false),
    ("dusun", "dusun", false),
    ("rw", "rw", false),
    ("rt", "rt", false),
    ("nama_kepala_keluarga", "head_name", true),
    ("jumlah_kk", "kk_count", false),
    ("petugas", "sanitarian", true),
    ("waktu_kunjungan", "visited_at", false),
    ("kategori", "category", false),
    ("kode_stbm", "legacy_code", false),
    ("akses", "has_access", false),
    ("kloset_tertutup", "closed_toilet", false),
    ("aman_dari_sumur", "safe_from_well", false),
    ("lantai_kuat", "strong_slab", false),
    ("tinja_anak_aman", "child_faeces_safe", false),
    ("semua_anggota_memakai", "all_members_use", false),
    ("air_dan_sabun", "water_and_soap", false),
    ("tidak_ada_tinja_sekitar", "no_faeces_around", false),
    ("lintang", "lat", true),
    ("bujur", "lng", true),
    ("foto_sha256", "photo_sha256", false),
    ("perangkat", "device_id", true),
    ("tanda_gps", "gps_flags", false),
    ("diterima", "received_at", false),
];

fn only_if(keep: bool, text: &str) -> Option<&str> {
    keep.then_some(text)
}

fn flag_text(flag: GpsFlag) -> &'static str {
    match flag {
        GpsFlag::OutsideVillage => "outside_village",
        GpsFlag::FarFromHousehold => "far_from_household",
    }
}

/// One NDJSON line; `None` fields (the personal ones for viewers, absent values) are left out.
#[derive(Serialize)]
struct Line<'a> {
    visit_id: uuid::Uuid,
    household_id: uuid::Uuid,
    village_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    dusun: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rw: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rt: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    head_name: Option<&'a str>,
    kk_count: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    sanitarian: Option<&'a str>,
    visited_at: String,
    category: &'static str,
    legacy_code: &'static str,
    has_access: bool,
    checklist: &'a Checklist,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lng: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    photo_sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_id: Option<&'a str>,
    gps_flags: Vec<&'static str>,
    received_at: String,
}

impl Encoder {
    fn header(&self, out: &mut Vec<u8>) {
        if self.format == Format::Ndjson {
            return;
        }
        let names: Vec<&str> = COLUMNS
            .iter()
            .filter(|(_, _, personal)| self.personal || !personal)
            .map(|(id, en, _)| if self.lang == Lang::En { *en } else { *id })
            .collect();
        out.extend_from_slice(names.join(",").as_bytes());
        out.push(b'\n');
    }

    fn row(&self, out: &mut Vec<u8>, row: &ExportVisit) {
        match self.format {
            Format::Csv => self.csv_row(out, row),
            Format::Ndjson => self.json_line(out, row),
        }
    }

    fn json_line(&self, out: &mut Vec<u8>, row: &ExportVisit) {
        let visit = &row.visit;
        let gps = visit.gps.filter(|_| self.personal);
        let line = Line {
            visit_id: visit.id,
            household_id: visit.household_id,
            village_code: row.village.to_string(),
            dusun: row.dusun.as_deref(),
            rw: row.rw.as_deref(),
            rt: row.rt.as_deref(),
            head_name: only_if(self.personal, &row.head_name),
            kk_count: row.kk_count,
            sanitarian: only_if(self.personal, &visit.sanitarian),
            visited_at: odf_domain::timestamp::format(visit.visited_at),
            category: visit.category.as_str(),
            legacy_code: visit.category.legacy().as_str(),
            has_access: visit.category.has_access(),
            checklist: &visit.checklist,
            lat: gps.map(|p| p.lat()),
            lng: gps.map(|p| p.lng()),
            photo_sha256: visit.photo_sha256.as_deref(),
            device_id: only_if(self.personal, &visit.device_id),
            gps_flags: row.flags.iter().map(|f| flag_text(*f)).collect(),
            received_at: odf_domain::timestamp::format(row.received_at),
        };
        // Serialising plain strings, numbers and booleans into a Vec cannot fail; a line that
        // somehow did is left out rather than written half.
        let mark = out.len();
        if serde_json::to_writer(&mut *out, &line).is_ok() {
            out.push(b'\n');
        } else {
            out.truncate(mark);
        }
    }

    fn csv_row(&self, out: &mut Vec<u8>, row: &ExportVisit) {
        let visit = &row.visit;
        let yes_no = |answer: Option<bool>| match answer {
            Some(true) => "1",
            Some(false) => "0",
            None => "",
        };
        let c = &visit.checklist;
        let mut line = String::with_capacity(320);
        let mut cell = |text: &str, personal: bool, free_text: bool| {
            if personal && !self.personal {
                return;
            }
            if free_text {
                push_csv_field(&mut line, text);
            } else {
                line.push_str(text);
            }
            line.push(',');
        };
        cell(&visit.id.to_string(), false, false);
        cell(&visit.household_id.to_string(), false, false);
        cell(&row.village.to_string(), false, false);
        cell(row.dusun.as_deref().unwrap_or_default(), false, true);
        cell(row.rw.as_deref().unwrap_or_default(), false, true);
        cell(row.rt.as_deref().unwrap_or_default(), false, true);
        cell(&row.head_name, true, true);
        cell(&row.kk_count.to_string(), false, false);
        cell(&visit.sanitarian, true, true);
        cell(&odf_domain::timestamp::format(visit.visited_at), false, false);
        cell(visit.category.as_str(), false, false);
        cell(visit.category.legacy().as_str(), false, false);
        cell(yes_no(Some(visit.category.has_access())), false, false);
        for answer in [
            c.closed_toilet,
            c.safe_from_well,
            c.strong_slab,
            c.child_faeces_safe,
            c.all_members_use,
            c.water_and_soap,
            c.no_faeces_around,
        ] {
            cell(yes_no(answer), false, false);
        }
        let (lat, lng) = visit.gps.map(|p| (p.lat().to_string(), p.lng().to_string())).unwrap_or_default();
        cell(&lat, true, false);
        cell(&lng, true, false);
        cell(visit.photo_sha256.as_deref().unwrap_or_default(), false, true);
        cell(&visit.device_id, true, true);
        let flags: Vec<&str> = row.flags.iter().map(|f| flag_text(*f)).collect();
        cell(&flags.join(";"), false, false);
        cell(&odf_domain::timestamp::format(row.received_at), false, false);
        // Every cell ended in a comma: the last one ends the line instead.
        line.pop();
        line.push('\n');
        out.extend_from_slice(line.as_bytes());
    }
}
