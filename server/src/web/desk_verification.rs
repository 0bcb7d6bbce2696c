//! A verification at the desk (issue 16, verification part):
//!
//! - `GET /meja/desa/{code}/verifikasi/{id}`: the team, the sample with which sampled households
//!   the team has visited, when and by whom, the community criteria (a form while open), the
//!   rules' suggestion beside the decision form, and once decided the decision and certificate;
//! - `POST …/kriteria` and `POST …/keputusan`: the API's [`record_community_of`] and [`decide_as`];
//! - `GET …/berita-acara`: the printable Berita Acara of a decided verification.
//!
//! Everything shown is the API's own view of the verification (`views::verification_dto`: the same
//! findings, suggestion and Berita Acara as `GET /v1/verifications/{id}`), plus the households'
//! names and the team's visits, which staff whose scope covers the village may see.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use odf_domain::coverage::latest_visits;
use odf_domain::verification::findings;
use odf_domain::{Level, Outcome, SamplingPlan};
use odf_mobile_api::{CommunityCriteriaDto, CriterionDto, DecisionRequest, OutcomeDto, SuggestionDto};
use odf_store::{AreaRecord, VerificationRecord};
use odf_web::Lang;
use odf_web::desk_verify::{
    CriterionRow, DecidedView, DecisionForm, DeskVerificationView, MinutesView, OutcomeView, Refusal,
    SampleRow, TeamLine,
};
use odf_web::desk_words::{DeskWords, words};
use odf_web::format::{date_text, number_text};
use odf_web::view::{Crumb, moment_text};

use super::desk_forms::{
    Desk, Fields, desk_poster, desk_reader, lang, refusal, verification_of, village, with_status,
};
use super::desk_village::{certificate_line, desk_layout, verification_href, village_href};
use super::{PageQuery, Reader, WebError, html, remember_lang};
use crate::access::{DecideVerification, RecordCommunity, allow};
use crate::app::AppState;
use crate::routes::verifications::{decide_as, record_community_of};
use crate::views::verification_dto;

fn outcome_text(w: &'static DeskWords, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Lulus => w.lulus,
        Outcome::Gagal => w.gagal,
    }
}

fn outcome_view(w: &'static DeskWords, suggestion: &SuggestionDto) -> OutcomeView {
    let outcome = Outcome::from(suggestion.outcome);
    OutcomeView {
        code: outcome.as_str().to_owned(),
        text: outcome_text(w, outcome),
        reasons: suggestion.reasons.iter().map(|r| r.message.clone()).collect(),
    }
}

fn plan_text(w: &'static DeskWords, plan: SamplingPlan) -> String {
    match plan {
        SamplingPlan::AllHouseholds => w.plan_all.to_owned(),
        SamplingPlan::RandomUnits { level, count } => {
            format!("{} ({count} {})", w.plan_units, format!("{level:?}").to_uppercase())
        }
    }
}

/// What both the page and the Berita Acara show of a verification.
struct Shown {
    team: Vec<TeamLine>,
    sample: Vec<SampleRow>,
    visited: usize,
    community: Vec<CriterionRow>,
}

async fn shown(
    state: &AppState,
    record: &VerificationRecord,
    community: Option<&CommunityCriteriaDto>,
    lang: Lang,
) -> Result<Shown, WebError> {
    let w = words(lang);
    let store_fail = |err: odf_store::StoreError| WebError::from_api(err.into(), lang);
    let visits = state.store().verification_visits(record.id).await.map_err(store_fail)?;
    let latest = latest_visits(&visits);
    let households: HashMap<uuid::Uuid, odf_domain::Household> = state
        .store()
        .households_in(record.village)
        .await
        .map_err(store_fail)?
        .into_iter()
        .map(|h| (h.household.id, h.household))
        .collect();
    // Photos the server holds whole are shown; one recorded but not yet uploaded says so.
    let mut uploaded = std::collections::HashSet::new();
    if let Ok(photos) = state.photos() {
        for hash in latest.values().filter_map(|v| v.photo_sha256.as_deref()) {
            if matches!(photos.held(hash).await, Ok((_, true))) {
                uploaded.insert(hash.to_owned());
            }
        }
    }
    let offset = record.village.utc_offset_hours();
    let mut visited = 0;
    let sample = findings(&record.sample, &visits)
        .into_iter()
        .map(|f| {
            let household = households.get(&f.household_id);
            let visit = latest.get(&f.household_id);
            visited += usize::from(visit.is_some());
            let mut found = f.category.map(|c| lang.category(c).to_owned()).unwrap_or_default();
            if !f.checklist_failures.is_empty() {
                let items: Vec<&str> = f.checklist_failures.iter().map(|i| i.label()).collect();
                found = format!("{found}; {}", items.join("; "));
            }
            SampleRow {
                household_id: f.household_id.to_string(),
                head_name: household.map_or_else(|| f.household_id.to_string(), |h| h.head_name.clone()),
                place: household
                    .map(|h| {
                        [&h.dusun, &h.rw, &h.rt]
                            .into_iter()
                            .map(|p| p.as_deref().unwrap_or("-"))
                            .collect::<Vec<_>>()
                            .join(" / ")
                    })
                    .unwrap_or_default(),
                kk: household.map(|h| h.kk_count.to_string()).unwrap_or_default(),
                visited: visit.is_some(),
                visit: visit
                    .map(|v| format!("{}, {}", v.sanitarian, moment_text(v.visited_at, offset, lang)))
                    .unwrap_or_default(),
                access: f.category.is_some_and(|c| c.has_access()) && f.checklist_failures.is_empty(),
                found,
                photo: match visit.and_then(|v| v.photo_sha256.as_deref()) {
                    Some(hash) if uploaded.contains(hash) => w.photo_recorded.to_owned(),
                    Some(_) => w.photo_not_uploaded.to_owned(),
                    None if visit.is_some() => w.no_photo.to_owned(),
                    None => String::new(),
                },
                // The API's own scoped read, which the desk's session cookie passes.
                photo_href: visit
                    .and_then(|v| v.photo_sha256.as_deref())
                    .filter(|hash| uploaded.contains(*hash))
                    .map(|hash| format!("/v1/photos/{hash}")),
            }
        })
        .collect();
    let team = record
        .team
        .iter()
        .map(|m| TeamLine {
            name: m.name.clone(),
            username: m.username.clone(),
            position: m.position.clone().unwrap_or_default(),
        })
        .collect();
    let none = CriterionDto::default();
    let criteria = [
        ("no_visible_faeces", w.no_visible_faeces, community.map_or(&none, |c| &c.no_visible_faeces)),
        ("rules_and_sanctions", w.rules_and_sanctions, community.map_or(&none, |c| &c.rules_and_sanctions)),
        ("monitoring", w.monitoring, community.map_or(&none, |c| &c.monitoring)),
    ];
    let community = criteria
        .into_iter()
        .map(|(field, label, c)| CriterionRow {
            field,
            label,
            met: c.met,
            note: c.note.clone().unwrap_or_default(),
        })
        .collect();
    Ok(Shown { team, sample, visited, community })
}

/// What a refused form leaves on the page.
#[derive(Debug, Default)]
struct Posted {
    refusal: Option<(StatusCode, Refusal)>,
    community: Option<CommunityCriteriaDto>,
    decision: Option<DecisionForm>,
}

async fn render(
    state: &AppState,
    reader: &Reader,
    desk: &Desk<'_>,
    area: &AreaRecord,
    record: &VerificationRecord,
    query: &PageQuery,
    posted: Posted,
) -> Result<Response, WebError> {
    let lang = desk.lang;
    let w = words(lang);
    let dto =
        verification_dto(state, record, &area.name).await.map_err(|err| WebError::from_api(err, lang))?;
    // After a refused criteria form, the form shows what was typed.
    let community = posted.community.as_ref().or(dto.community.as_ref());
    let shown = shown(state, record, community, lang).await?;
    let code = area.code;
    let offset = code.utc_offset_hours();
    let open = record.is_open();
    let path = verification_href(code, record.id);
    let count = |n: usize| number_text(i64::try_from(n).unwrap_or(i64::MAX), lang);
    let decided = record.decision.as_ref().zip(dto.decision.as_ref()).map(|(d, dto)| DecidedView {
        outcome: OutcomeView {
            code: d.decision.outcome.as_str().to_owned(),
            text: outcome_text(w, d.decision.outcome),
            reasons: dto.reasons.clone(),
        },
        follows: dto.follows_suggestion,
        by: d.decided_by.clone(),
        at: moment_text(d.decided_at, offset, lang),
        data_hash: d.data_hash.clone(),
    });
    let certificate = match record.certificate_id {
        Some(id) => {
            state.store().certificate(id).await.map_err(|err| WebError::from_api(err.into(), lang))?
        }
        None => None,
    };
    let (status, refusal) = match posted.refusal {
        Some((status, refusal)) => (status, Some(refusal)),
        None => (StatusCode::OK, None),
    };
    let mut layout = desk_layout(reader, desk, format!("{} {}", w.verification, area.name), &path, query);
    layout.crumbs.push(Crumb { name: area.name.clone(), href: village_href(code) });
    let view = DeskVerificationView {
        layout,
        w,
        csrf: desk.csrf.clone(),
        refusal,
        id: record.id.to_string(),
        code: code.to_string(),
        name: area.name.clone(),
        desk_href: village_href(code),
        open,
        opened: moment_text(record.opened_at, offset, lang),
        opened_by: record.opened_by.clone(),
        team: shown.team,
        plan: plan_text(w, record.sample.plan),
        seed: record.sample.seed.to_string(),
        units: record.sample.units.join(", "),
        visited: count(shown.visited),
        sample_size: count(record.sample.household_ids.len()),
        sample: shown.sample,
        community: shown.community,
        community_recorded: record.community.as_ref().map(|c| {
            format!(
                "{} {} {}, {}",
                w.community_recorded,
                w.by,
                c.recorded_by,
                moment_text(c.recorded_at, offset, lang)
            )
        }),
        community_action: (open && allow::<RecordCommunity>(desk.caller).is_ok())
            .then(|| format!("{path}/kriteria")),
        suggestion: dto.suggestion.as_ref().map(|s| outcome_view(w, s)),
        decision_action: (open && allow::<DecideVerification>(desk.caller).is_ok())
            .then(|| format!("{path}/keputusan")),
        decision_form: posted.decision.unwrap_or_default(),
        decided,
        minutes_href: (!open).then(|| format!("{path}/berita-acara")),
        certificate: certificate.as_ref().map(|c| certificate_line(state, desk, c)),
        revoke_reason: String::new(),
    };
    Ok(with_status(html(odf_web::pages::desk_verification(&view), lang), status))
}

/// The village and verification of the path, for a page or a form.
async fn target(
    state: &AppState,
    desk: &Desk<'_>,
    code: &str,
    id: &str,
) -> Result<(AreaRecord, VerificationRecord), WebError> {
    let area = village(state, desk, code).await?;
    let record = verification_of(state, desk, &area, id).await?;
    Ok((area, record))
}

/// `GET /meja/desa/{code}/verifikasi/{id}`.
pub(crate) async fn page(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path((code, id)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Response {
    let desk = match desk_reader(&reader, lang(Some(&query), &headers)) {
        Ok(desk) => desk,
        Err(no) => return no.into_response(),
    };
    let result = match target(&state, &desk, &code, &id).await {
        Ok((area, record)) => render(&state, &reader, &desk, &area, &record, &query, Posted::default()).await,
        Err(err) => Err(err),
    };
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    remember_lang(&query, &mut response);
    response
}

fn criterion(fields: &Fields, name: &str) -> CriterionDto {
    CriterionDto { met: !fields.get(name).is_empty(), note: fields.text(&format!("{name}_note")) }
}

/// Runs a form's action on the verification of the path: on success back to its page, on a
/// refusal the page again with the API's code and message and what was typed.
async fn act<F, Fut>(
    state: AppState,
    reader: Reader,
    headers: HeaderMap,
    (code, id): (String, String),
    fields: Fields,
    action: F,
) -> Response
where
    F: FnOnce(AppState, Fields, VerificationRecord, crate::auth::Caller) -> Fut,
    Fut: Future<Output = (Result<(), crate::error::ApiError>, Posted)>,
{
    let desk = match desk_poster(&state, &reader, &headers, &fields) {
        Ok(desk) => desk,
        Err(no) => return no.into_response(),
    };
    let (area, record) = match target(&state, &desk, &code, &id).await {
        Ok(found) => found,
        Err(err) => return err.into_response(),
    };
    let (result, mut posted) = action(state.clone(), fields, record.clone(), desk.caller.clone()).await;
    let err = match result {
        Ok(()) => return Redirect::to(&verification_href(area.code, record.id)).into_response(),
        Err(err) => err,
    };
    match refusal(err, desk.lang) {
        Ok(refused) => {
            posted.refusal = Some(refused);
            // Re-read: the page shows the verification as stored (nothing changed).
            let record = match verification_of(&state, &desk, &area, &id).await {
                Ok(record) => record,
                Err(err) => return err.into_response(),
            };
            render(&state, &reader, &desk, &area, &record, &PageQuery::default(), posted)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        }
        Err(err) => err.into_response(),
    }
}

/// `POST /meja/desa/{code}/verifikasi/{id}/kriteria`.
pub(crate) async fn community(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path(path): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = Fields(form.map(|Form(f)| f).unwrap_or_default());
    act(state, reader, headers, path, fields, |state, fields, record, caller| async move {
        let criteria = CommunityCriteriaDto {
            no_visible_faeces: criterion(&fields, "no_visible_faeces"),
            rules_and_sanctions: criterion(&fields, "rules_and_sanctions"),
            monitoring: criterion(&fields, "monitoring"),
        };
        let result = record_community_of(&state, &caller, &record, criteria.clone()).await.map(|_| ());
        (result, Posted { community: Some(criteria), ..Posted::default() })
    })
    .await
}

/// `POST /meja/desa/{code}/verifikasi/{id}/keputusan`.
pub(crate) async fn decide(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path(path): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = Fields(form.map(|Form(f)| f).unwrap_or_default());
    act(state, reader, headers, path, fields, |state, fields, record, caller| async move {
        let typed = DecisionForm {
            outcome: fields.get("outcome").to_owned(),
            reasons: fields.get("reasons").to_owned(),
            issuer_name: fields.get("issuer_name").to_owned(),
            issuer_role: fields.get("issuer_role").to_owned(),
        };
        let outcome = match typed.outcome.as_str() {
            "lulus" => OutcomeDto::Lulus,
            "gagal" => OutcomeDto::Gagal,
            // The JSON body's own refusal of an unknown outcome.
            _ => {
                let err = crate::error::ApiError::new(
                    StatusCode::BAD_REQUEST,
                    odf_mobile_api::ErrorCode::InvalidField,
                    "Pilih Lulus atau Gagal (outcome must be lulus or gagal)",
                )
                .field("outcome");
                return (Err(err), Posted { decision: Some(typed), ..Posted::default() });
            }
        };
        let request = DecisionRequest {
            outcome,
            // One reason per line, as the API takes a list.
            reasons: typed.reasons.lines().map(str::to_owned).collect(),
            issuer_name: fields.text("issuer_name"),
            issuer_role: fields.text("issuer_role"),
        };
        let result = decide_as(&state, &caller, &record, request).await.map(|_| ());
        (result, Posted { decision: Some(typed), ..Posted::default() })
    })
    .await
}

/// `GET /meja/desa/{code}/verifikasi/{id}/berita-acara`: the decided verification's minutes,
/// printable (the page's print style leaves the header and links out).
pub(crate) async fn minutes(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path((code, id)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Response {
    let desk = match desk_reader(&reader, lang(Some(&query), &headers)) {
        Ok(desk) => desk,
        Err(no) => return no.into_response(),
    };
    let mut response = match minutes_page(&state, &reader, &desk, &code, &id, &query).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    };
    remember_lang(&query, &mut response);
    response
}

async fn minutes_page(
    state: &AppState,
    reader: &Reader,
    desk: &Desk<'_>,
    code: &str,
    id: &str,
    query: &PageQuery,
) -> Result<Response, WebError> {
    let lang = desk.lang;
    let w = words(lang);
    let (area, record) = target(state, desk, code, id).await?;
    let dto =
        verification_dto(state, &record, &area.name).await.map_err(|err| WebError::from_api(err, lang))?;
    let (Some(minutes), Some(decided)) = (dto.berita_acara.as_ref(), record.decision.as_ref()) else {
        return Err(WebError::from_api(crate::error::ApiError::not_found("Berita Acara"), lang));
    };
    let shown = shown(state, &record, Some(&minutes.community), lang).await?;
    let name_at = |level| async move {
        match area.code.at_level(level) {
            Some(code) => state.store().area(code).await.ok().flatten().map(|a| a.name).unwrap_or_default(),
            None => String::new(),
        }
    };
    let path = verification_href(area.code, record.id);
    let mut layout = desk_layout(reader, desk, w.minutes.to_owned(), &format!("{path}/berita-acara"), query);
    layout.crumbs.push(Crumb { name: area.name.clone(), href: village_href(area.code) });
    let certificate_number = match record.certificate_id {
        Some(id) => state
            .store()
            .certificate(id)
            .await
            .map_err(|err| WebError::from_api(err.into(), lang))?
            .map(|c| c.signed.certificate.number.to_string()),
        None => None,
    };
    let view = MinutesView {
        layout,
        w,
        id: record.id.to_string(),
        code: area.code.to_string(),
        name: area.name.clone(),
        kecamatan: name_at(Level::Kecamatan).await,
        kabupaten: name_at(Level::Kabupaten).await,
        date: date_text(minutes.date, lang),
        team: shown.team,
        plan: plan_text(w, record.sample.plan),
        seed: record.sample.seed.to_string(),
        units: record.sample.units.join(", "),
        sample: shown.sample,
        community: shown.community,
        suggestion: outcome_view(w, &minutes.decision.suggestion),
        decided: DecidedView {
            outcome: OutcomeView {
                code: decided.decision.outcome.as_str().to_owned(),
                text: outcome_text(w, decided.decision.outcome),
                reasons: minutes.decision.reasons.clone(),
            },
            follows: minutes.decision.follows_suggestion,
            by: decided.decided_by.clone(),
            at: moment_text(decided.decided_at, area.code.utc_offset_hours(), lang),
            data_hash: minutes.data_hash.clone(),
        },
        certificate_number,
        back_href: path,
    };
    Ok(html(odf_web::pages::minutes(&view), lang))
}
