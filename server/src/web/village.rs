//! The village page: headline figures, the status history, households by ladder rung, the
//! verifications and certificates with their public-check links, and, only for staff whose own
//! scope covers the village, the households still without access (names of heads of families are
//! personal health data).

use axum::http::StatusCode;
use axum::response::Response;
use odf_domain::AreaCode;
use odf_domain::Outcome;
use odf_rollup::AreaRef;
use odf_web::view::{
    CertificateSummary, HouseholdLine, Layout, VerificationSummary, VillageInput, village_view,
};

use super::{Reader, WebError, html};
use crate::app::AppState;
use crate::error::ApiError;
use crate::routes::coverage::ScopedArea;

pub(crate) async fn render(
    state: &AppState,
    reader: &Reader,
    scoped: &ScopedArea,
    code: AreaCode,
    layout: Layout,
) -> Result<Response, WebError> {
    let lang = layout.lang;
    let fail = |err: ApiError| WebError::from_api(err, lang);
    let store_fail = |err: odf_store::StoreError| WebError::from_api(err.into(), lang);
    let rollup = scoped.rollup(state).await.map_err(fail)?;
    let figures = rollup.get(code).ok_or_else(|| WebError::new(StatusCode::NOT_FOUND, lang))?;
    // Everything shown is as of the end of the chosen day.
    let end = AreaRef::Code(code).end_of_day(scoped.date()).map_or(scoped.now, |e| e.min(scoped.now));
    let village = state.store().village_state(code).await.map_err(store_fail)?;
    let history: Vec<_> = village.history.into_iter().filter(|c| c.event.at <= end).collect();
    let verifications = state
        .store()
        .verifications_of(code)
        .await
        .map_err(store_fail)?
        .into_iter()
        .filter(|v| v.opened_at <= end)
        .map(|v| VerificationSummary {
            opened_at: v.opened_at,
            team_size: v.team.len(),
            decision: v
                .decision
                .filter(|d| d.decided_at <= end)
                .map(|d| (d.decision.outcome == Outcome::Lulus, d.decided_at)),
        })
        .collect();
    let signed_in = reader.caller().is_some();
    let public_url = &state.config().public_url;
    let certificates = state
        .store()
        .certificates(Some(code))
        .await
        .map_err(store_fail)?
        .into_iter()
        .filter(|c| c.issued_at <= end)
        .map(|c| {
            let certificate = &c.signed.certificate;
            CertificateSummary {
                number: certificate.number.to_string(),
                issued_on: certificate.issued_on,
                revoked: c.revocation.as_ref().is_some_and(|r| r.at <= end),
                check_href: certificate.public_url(public_url),
                pdf_href: signed_in.then(|| format!("/v1/certificates/{}.pdf", certificate.id)),
            }
        })
        .collect();
    let without_access = if reader.may_see_names(code) {
        let households = state.store().households_in(code).await.map_err(store_fail)?;
        let mut lines: Vec<HouseholdLine> = households
            .into_iter()
            .filter(|h| h.latest_visit.is_none_or(|v| !v.category.has_access()))
            .map(|h| {
                let place = [h.household.dusun, h.household.rw, h.household.rt]
                    .into_iter()
                    .flatten()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" / ");
                HouseholdLine {
                    head_name: h.household.head_name,
                    kk_count: h.household.kk_count,
                    place,
                    category: h.latest_visit.map(|v| v.category),
                    last_visit: h.latest_visit.map(|v| v.visited_at),
                }
            })
            .collect();
        lines.sort_by(|a, b| a.place.cmp(&b.place).then_with(|| a.head_name.cmp(&b.head_name)));
        Some(lines)
    } else {
        None
    };
    let view = village_view(VillageInput {
        layout,
        figures: &figures,
        date: scoped.date(),
        today: AreaRef::Code(code).local_date(scoped.now),
        offset_hours: AreaRef::Code(code).utc_offset_hours(),
        history: &history,
        show_actors: signed_in,
        verifications,
        certificates,
        without_access,
    });
    Ok(html(odf_web::pages::village(&view), lang))
}
