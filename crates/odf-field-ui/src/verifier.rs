//! The verifier's screens: the kecamatan's verifications with their samples (which households are
//! visited, and by whom), visiting a sampled household (the ordinary visit form, back here after),
//! the community criteria, Lulus or Gagal beside the rules' suggestion, and the certificates with
//! their signature checked on the phone. Each action is `odf-field verification …`'s core call.

use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use odf_client::i18n;
use odf_client::{CertificateStatus, SignatureCheck, VerificationState, VerificationView};
use odf_mobile_api::{CommunityCriteriaDto, CriterionDto, DecisionRequest, OutcomeDto};
use odf_web::phone::{
    ActionRow, CertificateRow, Check, PhoneLabels, SampleRow, VerificationDetailView, VerificationRow,
    VerificationsView,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::State;
use crate::render::{badge, core, error_text, failure, frame, html};

fn state_text(state: VerificationState, lang: odf_client::Lang) -> &'static str {
    match state {
        VerificationState::WaitingForSample => i18n::VERIFICATION_WAITING_FOR_SAMPLE,
        VerificationState::Open => i18n::VERIFICATION_OPEN,
        VerificationState::Decided => i18n::VERIFICATION_DECIDED,
        VerificationState::Refused => i18n::VERIFICATION_REFUSED,
    }
    .get(lang)
}

fn outcome_word(outcome: OutcomeDto) -> &'static str {
    match outcome {
        OutcomeDto::Lulus => "Lulus",
        OutcomeDto::Gagal => "Gagal",
    }
}

async fn village_names(state: &State) -> Vec<(String, String)> {
    state
        .client
        .villages()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.name.map(|name| (v.code, name)))
        .collect()
}

fn name_of(names: &[(String, String)], code: &str) -> String {
    names.iter().find(|(c, _)| c == code).map_or_else(|| code.to_owned(), |(_, name)| name.clone())
}

pub(crate) async fn list(state: State) -> Response {
    let lang = state.lang();
    let l = core(lang);
    let (views, certificates) =
        match (state.client.verifications(None).await, state.client.certificates(None).await) {
            (Ok(v), Ok(c)) => (v, c),
            (Err(err), _) | (_, Err(err)) => return failure(&state, &err).await,
        };
    let names = village_names(&state).await;
    let verifications = views
        .iter()
        .map(|v| VerificationRow {
            id: v.id.to_string(),
            village: name_of(&names, &v.village),
            state: state_text(v.state, l).to_owned(),
            visited: format!("{} {}/{}", i18n::LABEL_VISITED.get(l), v.visited, v.sampled),
            href: format!("/verifikasi/{}", v.id),
        })
        .collect();
    let certificates = certificates
        .iter()
        .map(|c| CertificateRow {
            number: c.number.clone(),
            village: c.village_name.clone(),
            status: match c.status {
                CertificateStatus::Valid => i18n::CERTIFICATE_VALID,
                CertificateStatus::Revoked => i18n::CERTIFICATE_REVOKED,
            }
            .get(l)
            .to_owned(),
            signature: match c.signature {
                SignatureCheck::Valid => i18n::SIGNATURE_VALID,
                SignatureCheck::Invalid => i18n::SIGNATURE_INVALID,
                SignatureCheck::Unreadable => i18n::SIGNATURE_UNREADABLE,
            }
            .get(l)
            .to_owned(),
            signature_code: match c.signature {
                SignatureCheck::Valid => "valid",
                SignatureCheck::Invalid => "invalid",
                SignatureCheck::Unreadable => "unreadable",
            },
        })
        .collect();
    let (layout, frame) = frame(&state, PhoneLabels::of(lang).verifications_title.to_owned(), "verify").await;
    html(odf_web::phone::verifications(&VerificationsView { layout, frame, verifications, certificates }))
}

pub(crate) async fn detail(state: State, Path(id): Path<Uuid>) -> Response {
    detail_page(&state, id, None, None).await
}

fn criteria(v: &VerificationView, p: &'static PhoneLabels) -> Vec<Check> {
    let answers = v.community.as_ref().map(|c| {
        [c.criteria.no_visible_faeces.met, c.criteria.rules_and_sanctions.met, c.criteria.monitoring.met]
    });
    ["bebas_tinja", "aturan", "pemantauan"]
        .into_iter()
        .zip(p.community_criteria)
        .enumerate()
        .map(|(i, (name, label))| Check {
            name,
            label,
            value: match answers.and_then(|a| a.get(i).copied()) {
                Some(true) => "ya",
                Some(false) => "tidak",
                None => "",
            },
        })
        .collect()
}

async fn detail_page(state: &State, id: Uuid, message: Option<String>, error: Option<String>) -> Response {
    let lang = state.lang();
    let l = core(lang);
    let p = PhoneLabels::of(lang);
    let v = match state.client.verification(id).await {
        Ok(v) => v,
        Err(err) => return failure(state, &err).await,
    };
    let names = village_names(state).await;
    let back = format!("/verifikasi/{id}");
    let samples = v
        .households
        .iter()
        .map(|h| SampleRow {
            household_id: h.id.to_string(),
            head: h.head_name.clone().unwrap_or_else(|| i18n::NOT_ON_THIS_DEVICE.get(l).to_owned()),
            visited: h.visited,
            visited_text: match (&h.visited_by, h.category) {
                (Some(by), Some(category)) => {
                    format!("{} {by}: {}", p.visited_by, i18n::category(category, l))
                }
                _ => p.not_visited.to_owned(),
            },
            visit_href: h.on_phone.then(|| format!("/rumah/{}/kunjungan?back={back}", h.id)),
        })
        .collect();
    let (suggestion, suggestion_code, reasons) = match &v.suggestion {
        Some(s) => (
            Some(outcome_word(s.outcome).to_owned()),
            match s.outcome {
                OutcomeDto::Lulus => "lulus",
                OutcomeDto::Gagal => "gagal",
            },
            s.reasons
                .iter()
                .map(|r| {
                    let households: Vec<String> =
                        r.household_ids.iter().map(|id| crate::render::short(*id)).collect();
                    i18n::fail_reason(&r.code, &households, l).unwrap_or_else(|| r.message.clone())
                })
                .collect(),
        ),
        None if v.sample.is_none() => (Some(i18n::WAITING_FOR_SAMPLE.get(l).to_owned()), "", Vec::new()),
        None => (Some(i18n::COMMUNITY_NOT_RECORDED.get(l).to_owned()), "", Vec::new()),
    };
    let pending = |pending: bool| if pending { i18n::SUFFIX_NOT_SENT.get(l) } else { "" };
    let community =
        v.community.as_ref().map(|c| format!("{}{}", i18n::RECORDED.get(l), pending(c.pending_sync)));
    let decision = v.decision.as_ref().map(|d| {
        format!("{} {}{}", i18n::LABEL_DECISION.get(l), outcome_word(d.outcome), pending(d.pending_sync))
    });
    let actions = v
        .actions
        .iter()
        .map(|a| ActionRow {
            kind: PhoneLabels::of(lang).action_kind(a.kind).to_owned(),
            sync: badge(&a.sync, lang),
        })
        .collect();
    let village = name_of(&names, &v.village);
    let (layout, frame) = frame(state, village.clone(), "verify").await;
    html(odf_web::phone::verification(&VerificationDetailView {
        layout,
        frame,
        id: v.id.to_string(),
        village,
        state: state_text(v.state, l).to_owned(),
        waiting_for_sample: v.sample.is_none(),
        samples,
        community,
        criteria: criteria(&v, p),
        suggestion,
        suggestion_code,
        reasons,
        decision,
        actions,
        message,
        error,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CommunityForm {
    #[serde(default)]
    bebas_tinja: String,
    #[serde(default)]
    aturan: String,
    #[serde(default)]
    pemantauan: String,
}

/// `odf-field verification community`.
pub(crate) async fn community(
    state: State,
    Path(id): Path<Uuid>,
    Form(form): Form<CommunityForm>,
) -> Response {
    let lang = state.lang();
    let met = |text: &str| CriterionDto { met: text == "ya", note: None };
    let criteria = CommunityCriteriaDto {
        no_visible_faeces: met(&form.bebas_tinja),
        rules_and_sanctions: met(&form.aturan),
        monitoring: met(&form.pemantauan),
    };
    match state.client.record_community(id, criteria).await {
        Ok(_) => Redirect::to(&format!("/verifikasi/{id}")).into_response(),
        Err(err) => detail_page(&state, id, None, Some(error_text(&err, lang))).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
}

/// `odf-field verification decide`: the core refuses a decision against the rules' suggestion
/// without a reason.
pub(crate) async fn decide(state: State, Path(id): Path<Uuid>, Form(form): Form<DecideForm>) -> Response {
    let lang = state.lang();
    let outcome = if form.outcome == "lulus" { OutcomeDto::Lulus } else { OutcomeDto::Gagal };
    let reason = form.reason.trim();
    let request = DecisionRequest {
        outcome,
        reasons: if reason.is_empty() { Vec::new() } else { vec![reason.to_owned()] },
        issuer_name: None,
        issuer_role: None,
    };
    match state.client.decide_verification(id, request).await {
        Ok(_) => {
            let text = format!("{} {}", i18n::DECISION_SAVED.get(core(lang)), outcome_word(outcome));
            detail_page(&state, id, Some(text), None).await
        }
        Err(err) => detail_page(&state, id, None, Some(error_text(&err, lang))).await,
    }
}
