//! The households of a push: the wire format and domain rules, then the caller's scope.

use odf_domain::Household;
use odf_mobile_api::{HouseholdDto, RecordKindDto, RecordResult};
use odf_store::RecordOutcome;

use super::Push;
use super::records::Checked::{Pass, Refused};
use super::records::{Records, from_outcome, out_of_scope, rejected};

/// The households checked, and the well-formed ones outside the caller's scope: a visit to one of
/// those is then refused as out of scope rather than as an unknown household.
pub fn check(push: &Push<'_>, dtos: &[HouseholdDto]) -> (Records<Household>, Vec<Household>) {
    let mut outside = Vec::new();
    let records = Records::check(dtos, |i, dto| match dto.to_domain() {
        Err(p) => Refused(rejected(
            RecordKindDto::Household,
            dto.id,
            p.code,
            format!("households[{i}].{}", p.field),
            p.message,
        )),
        Ok(h) if !push.scope.covers(h.village) => {
            let answer =
                out_of_scope(RecordKindDto::Household, h.id, format!("households[{i}].village"), h.village);
            outside.push(h);
            Refused(answer)
        }
        Ok(h) => Pass(h),
    });
    (records, outside)
}

pub fn answer(household: &Household, stored: RecordOutcome) -> RecordResult {
    from_outcome(RecordKindDto::Household, household.id, stored.outcome, &[])
}
