//! `GET /meja`: the verification desk of a verifier or admin (issue 16, first slice, read-only):
//! the villages whose SBS claim waits for verification, the open verifications with how many
//! sampled households have been visited, and the notifications of slipped villages.
//!
//! Same rules as the API, never a second copy: the role guard is the notifications route's
//! ([`ReadNotifications`]), the notifications are the store's `notifications` under the caller's
//! area (as `GET /v1/notifications`), and every village shown is one the caller's
//! [`Caller::scope`](crate::auth::Caller::scope) covers. Visited counts are the domain's
//! `findings` over the store's verification visits, as the verification's API view counts them.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use odf_domain::VillageStatus;
use odf_domain::verification::findings;
use odf_rollup::AreaRef;
use odf_web::Lang;
use odf_web::desk::{ClaimInput, DeskInput, NoticeInput, OpenInput, desk_view};
use odf_web::view::{Crumb, Layout};

use super::{PageQuery, Reader, WebError, html, lang_of, lang_switch_href, remember_lang};
use crate::access::{ReadNotifications, allow};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// The store's page size for notifications (the API's largest `limit`).
const NOTICE_PAGE: u32 = 1000;
/// The desk shows the latest notifications only; older ones stay readable over the API.
const NOTICES_SHOWN: usize = 100;

pub(crate) async fn page(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    let lang = lang_of(&query, &headers);
    let Some(caller) = reader.caller() else {
        return Redirect::to("/masuk").into_response();
    };
    let mut response = match render(&state, &reader, caller, &query, lang).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    };
    remember_lang(&query, &mut response);
    response
}

async fn render(
    state: &AppState,
    reader: &Reader,
    caller: &Caller,
    query: &PageQuery,
    lang: Lang,
) -> Result<Response, WebError> {
    let fail = |err: ApiError| WebError::from_api(err, lang);
    let store_fail = |err: odf_store::StoreError| WebError::from_api(err.into(), lang);
    allow::<ReadNotifications>(caller).map_err(fail)?;
    let scope = caller.scope();
    let under = caller.user.area.code();
    let wilayah = state.places().get(state.store()).await.map_err(store_fail)?;
    let name = |code| wilayah.name(code).unwrap_or_default().to_owned();

    let statuses = state.store().statuses(under).await.map_err(store_fail)?;
    let mut claims = Vec::new();
    let mut open = Vec::new();
    let mut slipped = std::collections::HashSet::new();
    for record in statuses.into_iter().filter(|s| scope.covers(s.village)) {
        if record.status == VillageStatus::Slipped {
            slipped.insert(record.village);
        }
        match record.status {
            VillageStatus::KlaimSbs => {
                claims.push(ClaimInput {
                    village: record.village,
                    name: name(record.village),
                    since: record.since,
                });
            }
            VillageStatus::Verifikasi => {
                for v in state.store().verifications_of(record.village).await.map_err(store_fail)? {
                    if !v.is_open() {
                        continue;
                    }
                    let visits = state.store().verification_visits(v.id).await.map_err(store_fail)?;
                    let visited =
                        findings(&v.sample, &visits).iter().filter(|f| f.visit_id.is_some()).count();
                    open.push(OpenInput {
                        village: v.village,
                        id: v.id.to_string(),
                        name: name(v.village),
                        opened_at: v.opened_at,
                        team: v.team.iter().map(|m| m.name.clone()).collect(),
                        sample_size: v.sample.household_ids.len(),
                        visited,
                    });
                }
            }
            _ => {}
        }
    }
    // Oldest claims and verifications first: they have waited longest.
    claims.sort_by_key(|c| (c.since, c.village));
    open.sort_by_key(|o| (o.opened_at, o.village));

    let mut notices = Vec::new();
    let mut after = 0;
    loop {
        let page = state.store().notifications(under, after, NOTICE_PAGE).await.map_err(store_fail)?;
        let full = page.len() == NOTICE_PAGE as usize;
        after = page.last().map_or(after, |n| n.seq);
        notices.extend(page.into_iter().filter(|n| scope.covers(n.village)).map(|n| NoticeInput {
            village: n.village,
            name: name(n.village),
            at: n.at,
            message: n.message,
            slipped: slipped.contains(&n.village),
        }));
        // Keep only the latest: the store answers oldest first.
        if notices.len() > NOTICES_SHOWN {
            notices.drain(..notices.len() - NOTICES_SHOWN);
        }
        if !full {
            break;
        }
    }
    notices.reverse();

    let l = lang.labels();
    let mut layout =
        Layout::new(lang, l.desk.to_owned(), lang_switch_href("/meja", query, lang), reader.signed_in());
    let home = match caller.user.area {
        AreaRef::Nasional => l.nasional.to_owned(),
        AreaRef::Code(code) => name(code),
    };
    layout.crumbs = vec![Crumb { name: home, href: format!("/wilayah/{}", caller.user.area) }];
    let view = desk_view(DeskInput { layout, claims, open, notices });
    Ok(html(odf_web::pages::desk(&view), lang))
}
