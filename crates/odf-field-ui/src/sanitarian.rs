//! The sanitarian's screens: sign in, my villages, a village with its households, add or edit a
//! household, record a visit, triggering and the SBS claim. Each action is the `odf-field`
//! command's client-core call; a GPS warning is shown and saved only when confirmed, as with
//! `--yes`.

use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use odf_client::i18n;
use odf_client::{CoverageView, HttpTransport, Need, SyncState};
use odf_domain::AreaCode;
use odf_web::phone::PhoneLabels;
use odf_web::phone::{ActionRow, HouseholdRow, LoginView, VillageDetailView, VillageRow, VillagesView};
use serde::Deserialize;
use uuid::Uuid;

use crate::State;
use crate::records::optional;
use crate::render::{badge, core, error_text, failure, figure, frame, html, short};

/// Without a user on this phone every screen starts at sign-in.
async fn needs_login(state: &State) -> bool {
    !matches!(state.client.username().await, Ok(Some(_)))
}

fn missing(coverage: Option<&CoverageView>, lang: odf_web::Lang) -> Vec<String> {
    let lang = core(lang);
    let c = match coverage {
        Some(c) if c.denominator > 0 => c,
        _ => return vec![i18n::NOT_ELIGIBLE_NO_HOUSEHOLDS.get(lang).to_owned()],
    };
    let mut out = Vec::new();
    if c.kk_never_visited > 0 {
        out.push(i18n::NOT_ELIGIBLE_NOT_ALL_VISITED.fill(lang, &[("count", &c.kk_never_visited)]));
    }
    if c.kk_babs > 0 {
        out.push(i18n::NOT_ELIGIBLE_NOT_ALL_ACCESS.fill(lang, &[("count", &c.kk_babs)]));
    }
    out
}

fn status_text(status: Option<&str>, lang: odf_web::Lang) -> String {
    let status = status.and_then(odf_domain::VillageStatus::parse).unwrap_or_default();
    lang.status(status).to_owned()
}

pub(crate) async fn villages(state: State) -> Response {
    if needs_login(&state).await {
        return Redirect::to("/masuk").into_response();
    }
    let lang = state.lang();
    let (villages, coverage) = match (state.client.villages().await, state.client.coverage(None).await) {
        (Ok(v), Ok(c)) => (v, c),
        (Err(err), _) | (_, Err(err)) => return failure(&state, &err).await,
    };
    let (layout, frame) = frame(&state, frame_title(lang).to_owned(), "villages").await;
    let mut rows: Vec<VillageRow> = villages
        .iter()
        .filter(|v| v.assigned || v.houses > 0)
        .map(|v| {
            let c = coverage.iter().find(|c| c.village == v.code);
            let day = c.map_or_else(|| chrono::Utc::now().date_naive(), |c| c.as_of.date_naive());
            VillageRow {
                code: v.code.clone(),
                name: v.name.clone().unwrap_or_else(|| v.code.clone()),
                status: status_text(v.local_status.as_deref().or(v.status.as_deref()), lang),
                figure: figure(v.kk_access, v.kk, day, lang),
                missing: missing(c, lang),
                href: format!("/desa/{}", v.code),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    html(odf_web::phone::villages(&VillagesView { layout, frame, villages: rows }))
}

fn frame_title(lang: odf_web::Lang) -> &'static str {
    PhoneLabels::of(lang).villages_title
}

pub(crate) async fn login_page(state: State) -> Response {
    let server = state.client.server_url().await.ok().flatten().unwrap_or_default();
    let username = state.client.username().await.ok().flatten().unwrap_or_default();
    login_form(&state, None, server, username).await
}

async fn login_form(state: &State, error: Option<String>, server: String, username: String) -> Response {
    let lang = state.lang();
    let title = PhoneLabels::of(lang).login_title.to_owned();
    let (layout, frame) = frame(state, title, "").await;
    html(odf_web::phone::login(&LoginView { layout, frame, error, server, username }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    server: String,
    username: String,
    password: String,
}

/// `odf-field login`, then a first sync in the background: the villages come with it.
pub(crate) async fn login(state: State, Form(form): Form<LoginForm>) -> Response {
    let lang = state.lang();
    let server = form.server.trim().to_owned();
    let Ok(transport) = HttpTransport::new(&server) else {
        let err = odf_client::ClientError::BadServerUrl(server.clone());
        return login_form(&state, Some(error_text(&err, lang)), server, form.username).await;
    };
    match state.client.login(&transport, &server, form.username.trim(), &form.password).await {
        Ok(_) => {
            crate::sync::spawn(&state);
            Redirect::to("/kirim").into_response()
        }
        Err(err) => login_form(&state, Some(error_text(&err, lang)), server, form.username).await,
    }
}

pub(crate) async fn village(state: State, Path(code): Path<String>) -> Response {
    village_page(&state, &code, None, None).await
}

pub(crate) async fn village_page(
    state: &State,
    code: &str,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    let lang = state.lang();
    let Ok(village) = AreaCode::parse(code.trim()) else {
        return crate::render::not_found(state.clone()).await;
    };
    let client = &state.client;
    let views = client.villages().await;
    let households = client.households(Some(village)).await;
    let coverage = client.coverage(Some(village)).await;
    let eligibility = client.village_eligibility(village).await;
    let outbox = client.outbox(None).await;
    let (views, households, coverage, eligibility, outbox) =
        match (views, households, coverage, eligibility, outbox) {
            (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e)) => (a, b, c, d, e),
            (Err(err), ..)
            | (_, Err(err), ..)
            | (_, _, Err(err), ..)
            | (.., Err(err), _)
            | (.., Err(err)) => {
                return failure(state, &err).await;
            }
        };
    let view = views.iter().find(|v| v.code == village.to_string());
    let name = view.and_then(|v| v.name.clone()).unwrap_or_else(|| village.to_string());
    let status = status_text(eligibility.local_status.as_str().into(), lang);
    let c = coverage.first();
    let (num, den) = c.map_or((0, 0), |c| (c.numerator, c.denominator));
    let day = c.map_or_else(|| chrono::Utc::now().date_naive(), |c| c.as_of.date_naive());
    let visit_state = |id: Uuid| {
        outbox
            .iter()
            .find(|e| e.record_id == id)
            .map_or(SyncState::Synced, odf_client::OutboxEntry::sync_state)
    };
    let rows = households
        .iter()
        .map(|h| {
            let hh = &h.household;
            let place: Vec<String> = [
                hh.dusun.clone(),
                hh.rw.as_ref().map(|rw| format!("RW {rw}")),
                hh.rt.as_ref().map(|rt| format!("RT {rt}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            let need = match h.need {
                Need::NeverVisited => i18n::NEED_NEVER_VISITED.get(core(lang)),
                Need::Babs => i18n::NEED_BABS.get(core(lang)),
                Need::Ok => i18n::HAS_ACCESS.get(core(lang)),
            };
            HouseholdRow {
                id: hh.id.to_string(),
                short: short(hh.id),
                head: hh.head_name.clone(),
                kk: i64::from(hh.kk_count),
                place: place.join(" · "),
                latest: h.latest_visit.as_ref().map(|l| {
                    format!(
                        "{} ({})",
                        i18n::category(l.category, core(lang)),
                        l.visited_at.format("%Y-%m-%d")
                    )
                }),
                latest_sync: h.latest_visit.as_ref().map(|l| badge(&visit_state(l.id), lang)),
                need_code: match h.need {
                    Need::NeverVisited => "never_visited",
                    Need::Babs => "babs",
                    Need::Ok => "ok",
                },
                need: need.to_owned(),
                sync: badge(&h.sync, lang),
                visit_href: format!("/rumah/{}/kunjungan", hh.id),
                edit_href: format!("/rumah/{}/ubah", hh.id),
            }
        })
        .collect();
    let actions = eligibility
        .unconfirmed_actions
        .iter()
        .map(|a| ActionRow {
            kind: PhoneLabels::of(lang).action_kind(a.kind).to_owned(),
            sync: badge(&a.sync, lang),
        })
        .collect();
    let (layout, frame) = frame(state, name.clone(), "villages").await;
    let message_text = eligibility_message(&eligibility, lang);
    html(odf_web::phone::village(&VillageDetailView {
        layout,
        frame,
        code: village.to_string(),
        name,
        status,
        figure: figure(num, den, day, lang),
        missing: missing(c, lang),
        eligible: eligibility.eligible,
        eligibility: message_text,
        households: rows,
        actions,
        message,
        error,
        today: village.local_date(chrono::Utc::now()).to_string(),
    }))
}

fn eligibility_message(e: &odf_client::EligibilityView, lang: odf_web::Lang) -> String {
    i18n::eligibility(&e.eligibility, e.window_days, core(lang))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
}

/// `odf-field trigger`.
pub(crate) async fn trigger(state: State, Path(code): Path<String>, Form(form): Form<StepForm>) -> Response {
    let lang = state.lang();
    let Ok(village) = AreaCode::parse(code.trim()) else {
        return crate::render::not_found(state.clone()).await;
    };
    let Ok(day) = chrono::NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d") else {
        let err = crate::render::invalid("triggered_on", "tanggal TTTT-BB-HH (date YYYY-MM-DD)");
        return village_page(&state, &code, None, Some(error_text(&err, lang))).await;
    };
    match state.client.trigger_village(village, day, optional(&form.note)).await {
        Ok(_) => {
            village_page(&state, &code, Some(i18n::SAVED_TRIGGER.get(core(lang)).to_owned()), None).await
        }
        Err(err) => village_page(&state, &code, None, Some(error_text(&err, lang))).await,
    }
}

/// `odf-field claim`: refused on the phone when the village is not eligible.
pub(crate) async fn claim(state: State, Path(code): Path<String>, Form(form): Form<StepForm>) -> Response {
    let lang = state.lang();
    let Ok(village) = AreaCode::parse(code.trim()) else {
        return crate::render::not_found(state.clone()).await;
    };
    match state.client.claim_village(village, optional(&form.note)).await {
        Ok(_) => village_page(&state, &code, Some(i18n::SAVED_CLAIM.get(core(lang)).to_owned()), None).await,
        Err(err) => village_page(&state, &code, None, Some(error_text(&err, lang))).await,
    }
}
