//! The visits of a push: the wire format and domain rules, that the caller is the visit's own
//! sanitarian, the scope of the household's village, and the GPS checks (stored, but flagged for
//! review when far from home or outside the village).

use std::collections::HashMap;
use std::sync::Arc;

use odf_domain::gps::check_visit_point;
use odf_domain::{AreaCode, Boundary, Visit};
use odf_mobile_api::{ErrorCode, RecordKindDto, RecordResult, VisitDto};
use odf_store::{FlaggedVisit, RecordOutcome};

use super::records::Checked::{Pass, Refused};
use super::records::{Records, from_outcome, out_of_scope, rejected};
use super::{HouseholdPlaces, Push};
use crate::error::ApiResult;

pub fn check(push: &Push<'_>, dtos: &[VisitDto]) -> Records<Visit> {
    let config = push.state.config();
    let username = &push.caller.user.username;
    Records::check(dtos, |i, dto| match dto.to_domain(push.now, config.clock_skew) {
        Err(p) => Refused(rejected(
            RecordKindDto::Visit,
            dto.id,
            p.code,
            format!("visits[{i}].{}", p.field),
            p.message,
        )),
        Ok(v) if v.sanitarian != *username => Refused(rejected(
            RecordKindDto::Visit,
            v.id,
            ErrorCode::SanitarianMismatch,
            format!("visits[{i}].sanitarian"),
            format!(
                "Kunjungan atas nama {} tidak boleh dikirim oleh {} (a visit must be sent by its own sanitarian)",
                v.sanitarian, username
            ),
        )),
        Ok(v) => Pass(v),
    })
}

/// Refuses visits to households outside the caller's scope, and flags the rest.
pub async fn place(
    push: &Push<'_>,
    mut visits: Records<Visit>,
    places: &HouseholdPlaces,
) -> ApiResult<Records<FlaggedVisit>> {
    visits.refuse(|i, v| match places.0.get(&v.household_id) {
        Some((village, _)) if !push.scope.covers(*village) => {
            Some(out_of_scope(RecordKindDto::Visit, v.id, format!("visits[{i}].household_id"), *village))
        }
        // Unknown households go on to the store, which answers `unknown_household`.
        _ => None,
    });
    let shapes =
        boundaries(push, visits.pending().filter_map(|v| places.0.get(&v.household_id).map(|p| p.0))).await?;
    let max_distance = push.state.config().gps_max_distance_m;
    Ok(visits.map(|visit| {
        let flags = match (visit.gps, places.0.get(&visit.household_id)) {
            (Some(point), Some((village, home))) => {
                check_visit_point(point, shapes.get(village).map(|s| &**s), *home, max_distance)
            }
            _ => Vec::new(),
        };
        FlaggedVisit { visit, flags }
    }))
}

/// Village boundaries for the villages a push touches, parsed once and kept (`crate::places`).
async fn boundaries(
    push: &Push<'_>,
    villages: impl Iterator<Item = AreaCode>,
) -> ApiResult<HashMap<AreaCode, Arc<Boundary>>> {
    let mut wanted: Vec<AreaCode> = villages.collect();
    wanted.sort_unstable();
    wanted.dedup();
    Ok(push.state.places().boundaries(push.state.store(), &wanted).await?)
}

pub fn answer(flagged: &FlaggedVisit, stored: RecordOutcome) -> RecordResult {
    from_outcome(RecordKindDto::Visit, flagged.visit.id, stored.outcome, &flagged.flags)
}
