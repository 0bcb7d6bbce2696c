//! Household edit conflicts: the open ones of the admin's area, each resolved by keeping the
//! stored values or taking the other edit's, through the API's own functions
//! ([`crate::routes::admin::conflicts_of`], [`crate::routes::admin::resolve`]; the store audits).

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use odf_web::admin::{ConflictLine, ConflictsView};
use odf_web::view::moment_text;
use serde::Deserialize;
use uuid::Uuid;

use super::{Admin, as_admin, page_lang};
use crate::access::{ManageConflicts, allow};
use crate::app::AppState;
use crate::routes::admin::{conflicts_of, resolve as resolve_conflict};
use crate::web::{Reader, WebError, html};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    /// Set after a resolution, for the notice.
    selesai: Option<String>,
    lang: Option<String>,
}

/// `GET /admin/konflik`.
pub(crate) async fn list(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let lang = page_lang(query.lang.as_deref(), &headers);
    as_admin(&reader, lang, async |admin| {
        allow::<ManageConflicts>(admin.caller).map_err(|e| admin.fail(e))?;
        let wilayah = state.places().get(state.store()).await.map_err(|e| admin.fail(e))?;
        let conflicts = conflicts_of(&state, admin.caller, true).await.map_err(|e| admin.fail(e))?;
        let text = |value| serde_json::to_string(value).unwrap_or_default();
        let lines = conflicts
            .iter()
            .map(|c| ConflictLine {
                id: c.id.to_string(),
                village: c.village.to_string(),
                village_name: wilayah.name(c.village).unwrap_or_default().to_owned(),
                household: c.household_id.to_string(),
                fields: c
                    .fields
                    .iter()
                    .filter_map(|f| serde_json::to_value(f).ok()?.as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                kept: text(&c.kept),
                other: text(&c.other),
                when: moment_text(c.created_at, c.village.utc_offset_hours(), lang),
            })
            .collect();
        let a = admin.a;
        let view = ConflictsView {
            layout: admin.layout(&reader, a.conflicts, "/admin/konflik"),
            a,
            nav: Admin::nav("/admin/konflik"),
            csrf: admin.csrf(),
            conflicts: lines,
            notice: query.selesai.map(|_| a.resolved.to_owned()),
        };
        Ok(html(odf_web::admin::conflicts(&view), lang))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ResolveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    keep: String,
}

/// `POST /admin/konflik/{id}` (`keep=stored|other`).
pub(crate) async fn resolve(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<ResolveForm>, FormRejection>,
) -> Response {
    let lang = page_lang(None, &headers);
    as_admin(&reader, lang, async |admin| {
        let Ok(Form(form)) = form else {
            return Err(WebError::new(StatusCode::BAD_REQUEST, lang));
        };
        admin.check_form(&state, &headers, &form.csrf)?;
        allow::<ManageConflicts>(admin.caller).map_err(|e| admin.fail(e))?;
        let choose_other = match form.keep.as_str() {
            "stored" => false,
            "other" => true,
            _ => return Err(WebError::new(StatusCode::BAD_REQUEST, lang)),
        };
        let Ok(id) = Uuid::parse_str(id.trim()) else {
            return Err(WebError::new(StatusCode::NOT_FOUND, lang));
        };
        resolve_conflict(&state, admin.caller, id, choose_other).await.map_err(|e| admin.fail(e))?;
        Ok(Redirect::to("/admin/konflik?selesai=1").into_response())
    })
    .await
}
