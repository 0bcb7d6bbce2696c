//! Places: an areas CSV or a boundaries GeoJSON uploaded, previewed (what would be added, renamed,
//! left, refused) by the store's own import plan without writing, then imported on confirmation by
//! the CLI's commands, limited to the admin's area. The file waits between the two steps in
//! [`Uploads`], on the server, so the confirmation imports exactly what was previewed. After an
//! import the places cache is dropped, so new places and names show at once.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::multipart::Multipart;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use odf_store::{AreasPreview, ImportReport};
use odf_web::admin::{AdminLabels, ImportSummary, PlacesView};
use serde::Deserialize;
use uuid::Uuid;

use super::{Admin, as_admin, page_lang};
use crate::app::AppState;
use crate::commands::{self, AreasImport};
use crate::web::{Reader, WebError, html};

/// How long an uploaded file waits for its confirmation.
const KEEP: Duration = Duration::from_secs(30 * 60);
/// Lines of each list a page shows.
const SHOWN: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Areas,
    Boundaries,
}

impl Kind {
    fn parse(text: &str) -> Option<Kind> {
        match text {
            "areas" => Some(Kind::Areas),
            "boundaries" => Some(Kind::Boundaries),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Upload {
    id: String,
    user: Uuid,
    kind: Kind,
    text: String,
    at: Instant,
}

/// Files previewed and not yet imported: one per admin (a new upload replaces the last), for
/// [`KEEP`], so memory stays bounded by the admins and the request body limit.
#[derive(Debug, Default)]
pub struct Uploads {
    pending: Mutex<Vec<Upload>>,
}

impl Uploads {
    fn keep(&self, user: Uuid, kind: Kind, text: String) -> Result<String, WebError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|_| WebError::new(StatusCode::INTERNAL_SERVER_ERROR, odf_web::Lang::Id))?;
        let id = hex::encode(bytes);
        let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        pending.retain(|u| u.user != user && u.at.elapsed() < KEEP);
        pending.push(Upload { id: id.clone(), user, kind, text, at: Instant::now() });
        Ok(id)
    }

    /// The upload `id` of `user`, taken out (a confirmation imports it once).
    fn take(&self, user: Uuid, id: &str) -> Option<(Kind, String)> {
        let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        pending.retain(|u| u.at.elapsed() < KEEP);
        let index = pending.iter().position(|u| u.user == user && u.id == id)?;
        let upload = pending.swap_remove(index);
        Some((upload.kind, upload.text))
    }
}

fn title(a: &AdminLabels, kind: Kind) -> &'static str {
    match kind {
        Kind::Areas => a.import_areas,
        Kind::Boundaries => a.import_boundaries,
    }
}

fn summary(a: &AdminLabels, kind: Kind, report: &ImportReport, row_errors: &[String]) -> ImportSummary {
    ImportSummary {
        kind: match kind {
            Kind::Areas => "areas",
            Kind::Boundaries => "boundaries",
        },
        title: title(a, kind),
        added: report.inserted,
        changed: report.updated,
        unchanged: report.unchanged,
        unknown: report.unknown.iter().take(SHOWN).map(ToString::to_string).collect(),
        unknown_count: report.unknown.len(),
        errors: row_errors.iter().take(SHOWN).cloned().collect(),
        error_count: row_errors.len(),
        changed_label: match kind {
            Kind::Areas => a.renamed,
            Kind::Boundaries => a.replaced,
        },
        ..ImportSummary::default()
    }
}

fn areas_summary(a: &AdminLabels, preview: &AreasPreview, row_errors: &[String]) -> ImportSummary {
    ImportSummary {
        added_lines: preview.added.iter().take(SHOWN).map(|p| (p.code.to_string(), p.name.clone())).collect(),
        renamed_lines: preview
            .renamed
            .iter()
            .take(SHOWN)
            .map(|(p, old)| (p.code.to_string(), old.clone(), p.name.clone()))
            .collect(),
        ..summary(a, Kind::Areas, &preview.report, row_errors)
    }
}

fn page_view(admin: &Admin<'_>, reader: &Reader) -> PlacesView {
    PlacesView {
        layout: admin.layout(reader, admin.a.places, "/admin/wilayah"),
        a: admin.a,
        nav: Admin::nav("/admin/wilayah"),
        csrf: admin.csrf(),
        preview: None,
        report: None,
        error: None,
    }
}

/// `GET /admin/wilayah`: the two upload forms.
pub(crate) async fn page(
    reader: Reader,
    headers: HeaderMap,
    Query(query): Query<crate::web::PageQuery>,
) -> Response {
    let lang = page_lang(query.lang.as_deref(), &headers);
    as_admin(&reader, lang, async |admin| Ok(html(odf_web::admin::places(&page_view(&admin, &reader)), lang)))
        .await
}

/// `POST /admin/wilayah/pratinjau` (multipart: `csrf`, `kind`, `file`): what the file would change.
pub(crate) async fn preview(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = page_lang(None, &headers);
    as_admin(&reader, lang, async |admin| {
        let bad =
            |message: String| WebError { status: StatusCode::BAD_REQUEST, message: Some(message), lang };
        let mut multipart = multipart.map_err(|err| bad(err.body_text()))?;
        let (mut csrf, mut kind, mut file) = (String::new(), String::new(), None);
        while let Some(field) = multipart.next_field().await.map_err(|err| bad(err.body_text()))? {
            let name = field.name().unwrap_or_default().to_owned();
            let text = field.text().await.map_err(|err| bad(err.body_text()))?;
            match name.as_str() {
                "csrf" => csrf = text,
                "kind" => kind = text,
                "file" => file = Some(text),
                _ => {}
            }
        }
        admin.check_form(&state, &headers, &csrf)?;
        let kind = Kind::parse(&kind)
            .ok_or_else(|| bad(format!("jenis impor {kind:?} tidak dikenal (unknown import kind)")))?;
        let text = file
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| bad("berkas kosong (empty file)".to_owned()))?;
        let store = state.store();
        let a = admin.a;
        let mut view = page_view(&admin, &reader);
        let previewed = match kind {
            Kind::Areas => commands::preview_areas_csv(store, &text, admin.area())
                .await
                .map(|(preview, row_errors)| areas_summary(a, &preview, &row_errors)),
            Kind::Boundaries => commands::preview_boundaries_geojson(store, &text, admin.area())
                .await
                .map(|done| summary(a, kind, &done.report, &done.row_errors)),
        };
        match previewed {
            Ok(summary) => {
                let id = state.web_uploads().keep(admin.caller.user.id, kind, text)?;
                view.preview = Some((summary, id));
                Ok(html(odf_web::admin::places(&view), lang))
            }
            Err(err) => {
                let failed = admin.refused(err);
                if failed.status != StatusCode::BAD_REQUEST {
                    return Err(failed);
                }
                view.error = failed.message;
                let mut response = html(odf_web::admin::places(&view), lang);
                *response.status_mut() = StatusCode::BAD_REQUEST;
                Ok(response)
            }
        }
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    upload: String,
}

/// `POST /admin/wilayah/impor`: imports the previewed file with the CLI's command (audited), then
/// drops the cached places tree.
pub(crate) async fn import(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    form: Result<Form<ImportForm>, FormRejection>,
) -> Response {
    let lang = page_lang(None, &headers);
    as_admin(&reader, lang, async |admin| {
        let Ok(Form(form)) = form else {
            return Err(WebError::new(StatusCode::BAD_REQUEST, lang));
        };
        admin.check_form(&state, &headers, &form.csrf)?;
        let a = admin.a;
        let Some((kind, text)) = state.web_uploads().take(admin.caller.user.id, &form.upload) else {
            return Err(WebError {
                status: StatusCode::NOT_FOUND,
                message: Some(a.preview_expired.to_owned()),
                lang,
            });
        };
        let store = state.store();
        let (within, actor) = (admin.area(), admin.username());
        let done: AreasImport = match kind {
            Kind::Areas => commands::import_areas_within(store, &text, within, actor).await,
            Kind::Boundaries => commands::import_boundaries_within(store, &text, within, actor).await,
        }
        .map_err(|err| admin.refused(err))?;
        // New places and names show on the next page and API call, not a minute later.
        state.places().invalidate().await;
        let mut view = page_view(&admin, &reader);
        view.report = Some(summary(a, kind, &done.report, &done.row_errors));
        Ok(html(odf_web::admin::places(&view), lang))
    })
    .await
}
