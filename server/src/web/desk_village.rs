//! A village at the verification desk (issue 16, verification part):
//!
//! - `GET /meja/desa/{code}`: its status, the form opening a verification (claimed, or slipped back:
//!   verify again) with a team picked from the kecamatan's verifiers and the sampling plan, its
//!   verifications, and its certificates with the PDF and the revocation form;
//! - `POST /meja/desa/{code}/verifikasi`: opens a verification through the API's own
//!   [`open_verification_of`], then shows it;
//! - `POST /meja/desa/{code}/piagam/{id}/cabut`: revokes a certificate through [`revoke_as`].
//!
//! A refusal re-renders the page with the API's code and message and its status; nothing is stored.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use odf_domain::{AreaCode, Role, VillageStatus};
use odf_mobile_api::{OpenVerificationRequest, PlanKind, SamplingPlanDto, TeamMemberDto, UnitLevelDto};
use odf_store::{AreaRecord, CertificateRecord};
use odf_web::desk_verify::{
    CertificateLine, DeskVillageView, OpenForm, Refusal, VerificationLine, VerifierChoice,
};
use odf_web::desk_words::words;
use odf_web::format::{date_text, number_text};
use odf_web::view::{Crumb, Layout, moment_text};

use super::desk_forms::{
    Desk, Fields, certificate_of, desk_poster, desk_reader, lang, refusal, village, with_status,
};
use super::{PageQuery, Reader, WebError, html, lang_switch_href, remember_lang};
use crate::access::{OpenVerification, RevokeCertificate, allow, registered_in};
use crate::app::AppState;
use crate::auth::scope_of;
use crate::routes::certificates::revoke_as;
use crate::routes::villages::open_verification_of;

/// The desk's address of a village.
pub(crate) fn village_href(code: AreaCode) -> String {
    format!("/meja/desa/{code}")
}

/// The desk's address of a verification.
pub(crate) fn verification_href(code: AreaCode, id: uuid::Uuid) -> String {
    format!("/meja/desa/{code}/verifikasi/{id}")
}

/// The page's header: the desk's layout with the desk in the breadcrumbs.
pub(crate) fn desk_layout(
    reader: &Reader,
    desk: &Desk<'_>,
    title: String,
    path: &str,
    query: &PageQuery,
) -> Layout {
    let mut layout =
        Layout::new(desk.lang, title, lang_switch_href(path, query, desk.lang), reader.signed_in());
    layout.crumbs = vec![Crumb { name: desk.lang.labels().desk.to_owned(), href: "/meja".to_owned() }];
    layout
}

/// A certificate as the desk lists it: the API's PDF route, the public check, and the revocation
/// form while it is valid and the reader may revoke.
pub(crate) fn certificate_line(
    state: &AppState,
    desk: &Desk<'_>,
    record: &CertificateRecord,
) -> CertificateLine {
    let c = &record.signed.certificate;
    let lang = desk.lang;
    let revocation = record.revocation.as_ref().map(|r| {
        format!(
            "{} {}, {}: {}",
            words(lang).revoked,
            date_text(c.village_code.local_date(r.at), lang),
            r.by,
            r.reason
        )
    });
    let may_revoke = record.revocation.is_none() && allow::<RevokeCertificate>(desk.caller).is_ok();
    CertificateLine {
        id: c.id.to_string(),
        number: c.number.to_string(),
        issued: date_text(c.issued_on, lang),
        revoked: record.revocation.is_some(),
        revocation,
        pdf_href: format!("/v1/certificates/{}.pdf", c.id),
        pdf_file: format!("piagam-{}.pdf", c.number.to_string().replace('/', "-")),
        check_href: c.public_url(&state.config().public_url),
        revoke_action: may_revoke.then(|| format!("{}/piagam/{}/cabut", village_href(c.village_code), c.id)),
    }
}

/// `GET /meja/desa/{code}`.
pub(crate) async fn page(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let desk = match desk_reader(&reader, lang(Some(&query), &headers)) {
        Ok(desk) => desk,
        Err(no) => return no.into_response(),
    };
    let mut response = match village(&state, &desk, &code).await {
        Ok(area) => render(&state, &reader, &desk, &area, &query, Posted::default()).await,
        Err(err) => err.into_response(),
    };
    remember_lang(&query, &mut response);
    response
}

/// What a refused form leaves on the page: the refusal and the values typed.
#[derive(Debug, Default)]
struct Posted {
    refusal: Option<(StatusCode, Refusal)>,
    open: Option<Fields>,
    revoke_reason: String,
}

async fn render(
    state: &AppState,
    reader: &Reader,
    desk: &Desk<'_>,
    area: &AreaRecord,
    query: &PageQuery,
    posted: Posted,
) -> Response {
    match build(state, reader, desk, area, query, posted).await {
        Ok((status, view)) => with_status(html(odf_web::pages::desk_village(&view), desk.lang), status),
        Err(err) => err.into_response(),
    }
}

async fn build(
    state: &AppState,
    reader: &Reader,
    desk: &Desk<'_>,
    area: &AreaRecord,
    query: &PageQuery,
    posted: Posted,
) -> Result<(StatusCode, DeskVillageView), WebError> {
    let lang = desk.lang;
    let w = words(lang);
    let store_fail = |err: odf_store::StoreError| WebError::from_api(err.into(), lang);
    let code = area.code;
    let status = state.store().village_state(code).await.map_err(store_fail)?.status;
    let openable = matches!(status, VillageStatus::KlaimSbs | VillageStatus::Slipped);
    let may_open = allow::<OpenVerification>(desk.caller).is_ok();
    let open_form = if openable && may_open {
        let users = state.store().list_users().await.map_err(store_fail)?;
        let posted_team: Option<Vec<&str>> = posted.open.as_ref().map(|f| f.all("team").collect());
        let verifiers = users
            .iter()
            .filter(|u| u.role == Role::Verifier && !u.disabled)
            .filter(|u| scope_of(u).covers(code) && !registered_in(u, code))
            .map(|u| VerifierChoice {
                checked: posted_team.as_ref().map_or(u.username == desk.caller.user.username, |team| {
                    team.contains(&u.username.as_str())
                }),
                position: posted
                    .open
                    .as_ref()
                    .map(|f| f.get(&format!("position.{}", u.username)).to_owned())
                    .unwrap_or_default(),
                name: if u.display_name.trim().is_empty() {
                    u.username.clone()
                } else {
                    u.display_name.clone()
                },
                username: u.username.clone(),
            })
            .collect();
        let field =
            |name: &str, default: &str| posted.open.as_ref().map_or(default, |f| f.get(name)).to_owned();
        Some(OpenForm {
            again: status == VillageStatus::Slipped,
            team_rule: w.team_rule.replace("{max}", &state.config().team_rules.max_size.to_string()),
            verifiers,
            plan: field("plan", "all_households"),
            level: field("level", "rt"),
            count: field("count", "2"),
        })
    } else {
        None
    };
    let open_hint = match (openable, may_open) {
        (false, _) => Some(w.open_not_now),
        (true, false) => Some(w.not_your_role),
        (true, true) => None,
    };

    let mut verifications = Vec::new();
    for v in state.store().verifications_of(code).await.map_err(store_fail)?.into_iter().rev() {
        let visits = state.store().verification_visits(v.id).await.map_err(store_fail)?;
        let found = odf_domain::verification::findings(&v.sample, &visits);
        let visited = found.iter().filter(|f| f.visit_id.is_some()).count();
        let count = |n: usize| number_text(i64::try_from(n).unwrap_or(i64::MAX), lang);
        verifications.push(VerificationLine {
            id: v.id.to_string(),
            href: verification_href(code, v.id),
            opened: moment_text(v.opened_at, code.utc_offset_hours(), lang),
            opened_by: v.opened_by.clone(),
            open: v.is_open(),
            outcome: v.decision.as_ref().map(|d| d.decision.outcome.to_string()),
            visited: count(visited),
            sample: count(v.sample.household_ids.len()),
        });
    }
    let mut certificates: Vec<CertificateLine> = state
        .store()
        .certificates(Some(code))
        .await
        .map_err(store_fail)?
        .iter()
        .map(|c| certificate_line(state, desk, c))
        .collect();
    certificates.reverse();

    let path = village_href(code);
    let (status_code, refusal) = match posted.refusal {
        Some((status, refusal)) => (status, Some(refusal)),
        None => (StatusCode::OK, None),
    };
    let view = DeskVillageView {
        layout: desk_layout(reader, desk, area.name.clone(), &path, query),
        w,
        csrf: desk.csrf.clone(),
        refusal,
        code: code.to_string(),
        name: area.name.clone(),
        status: lang.status(status).to_owned(),
        status_code: status.as_str().to_owned(),
        village_href: format!("/wilayah/{code}"),
        open_action: format!("{path}/verifikasi"),
        open_form,
        open_hint,
        verifications,
        certificates,
        revoke_reason: posted.revoke_reason,
    };
    Ok((status_code, view))
}

/// The form's team and plan as the API's request: checked verifiers in the page's order, the name
/// left blank so the API fills it from the account, as it does for a phone.
fn open_request(fields: &Fields) -> OpenVerificationRequest {
    let team = fields
        .all("team")
        .map(|username| TeamMemberDto {
            username: username.to_owned(),
            name: String::new(),
            position: fields.text(&format!("position.{username}")),
        })
        .collect();
    let plan = match fields.get("plan") {
        "random_units" => SamplingPlanDto {
            kind: PlanKind::RandomUnits,
            level: match fields.get("level") {
                "dusun" => Some(UnitLevelDto::Dusun),
                "rw" => Some(UnitLevelDto::Rw),
                "rt" => Some(UnitLevelDto::Rt),
                _ => None,
            },
            // Not a number (or 0): the API's own refusal of a zero count.
            count: Some(fields.get("count").trim().parse().unwrap_or(0)),
        },
        _ => SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None },
    };
    OpenVerificationRequest { team, plan }
}

/// `POST /meja/desa/{code}/verifikasi`.
pub(crate) async fn open(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path(code): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let desk = match desk_poster(&state, &reader, &headers, &fields) {
        Ok(desk) => desk,
        Err(no) => return no.into_response(),
    };
    let area = match village(&state, &desk, &code).await {
        Ok(area) => area,
        Err(err) => return err.into_response(),
    };
    match open_verification_of(&state, desk.caller, &area, &open_request(&fields)).await {
        Ok(record) => Redirect::to(&verification_href(area.code, record.id)).into_response(),
        Err(err) => match refusal(err, desk.lang) {
            Ok(refused) => {
                let posted = Posted { refusal: Some(refused), open: Some(fields), ..Posted::default() };
                render(&state, &reader, &desk, &area, &PageQuery::default(), posted).await
            }
            Err(err) => err.into_response(),
        },
    }
}

/// `POST /meja/desa/{code}/piagam/{id}/cabut`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Path((code, id)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let desk = match desk_poster(&state, &reader, &headers, &fields) {
        Ok(desk) => desk,
        Err(no) => return no.into_response(),
    };
    let area = match village(&state, &desk, &code).await {
        Ok(area) => area,
        Err(err) => return err.into_response(),
    };
    let record = match certificate_of(&state, &desk, &area, &id).await {
        Ok(record) => record,
        Err(err) => return err.into_response(),
    };
    match revoke_as(&state, desk.caller, &record, fields.get("reason")).await {
        Ok(_) => Redirect::to(&village_href(area.code)).into_response(),
        Err(err) => match refusal(err, desk.lang) {
            Ok(refused) => {
                let posted = Posted {
                    refusal: Some(refused),
                    revoke_reason: fields.get("reason").to_owned(),
                    ..Posted::default()
                };
                render(&state, &reader, &desk, &area, &PageQuery::default(), posted).await
            }
            Err(err) => err.into_response(),
        },
    }
}
