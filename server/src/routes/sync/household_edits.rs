//! The household edits of a push: the changes, an RFC 9562 edit id, then the scope of the edited
//! household's village. The store merges them field by field, or records a conflict.

use odf_mobile_api::{ErrorCode, HouseholdEditDto, RecordKindDto, RecordResult};
use odf_store::{HouseholdEdit, RecordOutcome};

use super::records::Checked::{Pass, Refused};
use super::records::{Records, from_outcome, out_of_scope, rejected};
use super::{HouseholdPlaces, Push};

pub fn check(push: &Push<'_>, dtos: &[HouseholdEditDto]) -> Records<HouseholdEdit> {
    Records::check(dtos, |i, dto| match dto.changes() {
        Err(p) => Refused(rejected(
            RecordKindDto::HouseholdEdit,
            dto.edit_id,
            p.code,
            format!("household_edits[{i}].{}", p.field),
            p.message,
        )),
        Ok(_) if !odf_domain::is_record_id(dto.edit_id) => Refused(rejected(
            RecordKindDto::HouseholdEdit,
            dto.edit_id,
            ErrorCode::InvalidId,
            format!("household_edits[{i}].edit_id"),
            odf_domain::RecordError::InvalidId { field: "edit_id", id: dto.edit_id }.to_string(),
        )),
        Ok(changes) => Pass(HouseholdEdit {
            edit_id: dto.edit_id,
            household_id: dto.household_id,
            base_revision: dto.base_revision,
            edited_at: dto.edited_at,
            edited_by: push.caller.user.username.clone(),
            changes,
        }),
    })
}

/// Refuses edits of households outside the caller's scope.
pub fn place(push: &Push<'_>, edits: &mut Records<HouseholdEdit>, places: &HouseholdPlaces) {
    edits.refuse(|i, e| match places.0.get(&e.household_id) {
        Some((village, _)) if !push.scope.covers(*village) => Some(out_of_scope(
            RecordKindDto::HouseholdEdit,
            e.edit_id,
            format!("household_edits[{i}].household_id"),
            *village,
        )),
        _ => None,
    });
}

pub fn answer(edit: &HouseholdEdit, stored: RecordOutcome) -> RecordResult {
    let mut result = from_outcome(RecordKindDto::HouseholdEdit, edit.edit_id, stored.outcome, &[]);
    result.revision = stored.revision;
    result.conflict_id = stored.conflict_id;
    result
}
