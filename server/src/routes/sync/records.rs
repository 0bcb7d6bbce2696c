//! What every kind of pushed record shares: [`Records`], which keeps each record's answer in
//! request order while some are refused before the store and the rest are answered by it, and the
//! answers themselves.

use odf_domain::{AreaCode, GpsFlag};
use odf_mobile_api::{ErrorCode, RecordKindDto, RecordResult, RecordStatus};
use odf_store::{Outcome, RecordOutcome};
use uuid::Uuid;

/// A record after its first checks: on its way to the store, or answered now.
pub enum Checked<T> {
    Pass(T),
    Refused(RecordResult),
}

/// The records of one kind in a push: an answer slot for each, in request order, and those still
/// on their way to the store with their index.
pub struct Records<T> {
    answers: Vec<Option<RecordResult>>,
    pending: Vec<(usize, T)>,
}

impl<T> Records<T> {
    /// Checks every record (with its index in the request).
    pub fn check<D>(dtos: &[D], mut check: impl FnMut(usize, &D) -> Checked<T>) -> Records<T> {
        let mut records = Records { answers: vec![None; dtos.len()], pending: Vec::new() };
        for (i, dto) in dtos.iter().enumerate() {
            match check(i, dto) {
                Checked::Pass(record) => records.pending.push((i, record)),
                Checked::Refused(answer) => records.answers[i] = Some(answer),
            }
        }
        records
    }

    /// The records still on their way to the store.
    pub fn pending(&self) -> impl Iterator<Item = &T> {
        self.pending.iter().map(|(_, record)| record)
    }

    /// Refuses the pending records `refuse` answers for.
    pub fn refuse(&mut self, mut refuse: impl FnMut(usize, &T) -> Option<RecordResult>) {
        let answers = &mut self.answers;
        self.pending.retain(|(i, record)| match refuse(*i, record) {
            Some(answer) => {
                answers[*i] = Some(answer);
                false
            }
            None => true,
        });
    }

    /// Turns every pending record into another (such as a visit into a flagged visit).
    pub fn map<U>(self, mut map: impl FnMut(T) -> U) -> Records<U> {
        Records {
            answers: self.answers,
            pending: self.pending.into_iter().map(|(i, r)| (i, map(r))).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Copies of the pending records, for the store.
    pub fn to_store(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.pending().cloned().collect()
    }

    /// Answers the pending records from the store's outcomes, one each, in order.
    pub fn answer(
        &mut self,
        outcomes: &mut impl Iterator<Item = RecordOutcome>,
        answer: impl Fn(&T, RecordOutcome) -> RecordResult,
    ) {
        for ((i, record), stored) in self.pending.iter().zip(outcomes) {
            let mut result = answer(record, stored);
            // The store refuses by code only; the field it is about follows from the code.
            if result.field.is_none() {
                let list = result.kind.as_str();
                result.field = result
                    .code
                    .as_deref()
                    .and_then(stored_refusal_field)
                    .map(|field| format!("{list}s[{i}].{field}"));
            }
            self.answers[*i] = Some(result);
        }
    }

    /// Every answer, in request order.
    pub fn into_results(self) -> impl Iterator<Item = RecordResult> {
        self.answers.into_iter().flatten()
    }
}

/// The field a refusal by the store is about, by its code.
fn stored_refusal_field(code: &str) -> Option<&'static str> {
    match code {
        "unknown_household" => Some("household_id"),
        "unknown_village" => Some("village"),
        "bad_revision" => Some("base_revision"),
        _ => None,
    }
}

pub fn rejected(
    kind: RecordKindDto,
    id: Uuid,
    code: ErrorCode,
    field: String,
    message: String,
) -> RecordResult {
    RecordResult {
        kind,
        id,
        status: RecordStatus::Rejected,
        code: Some(code.as_str().to_owned()),
        message: Some(message),
        field: Some(field),
        flags: Vec::new(),
        revision: None,
        conflict_id: None,
    }
}

pub fn out_of_scope(kind: RecordKindDto, id: Uuid, field: String, village: AreaCode) -> RecordResult {
    rejected(
        kind,
        id,
        ErrorCode::OutOfScope,
        field,
        format!("Desa {village} di luar wilayah tugas Anda (village outside your scope)"),
    )
}

/// The answer to a record the store took; only an accepted one carries its GPS flags.
pub fn from_outcome(kind: RecordKindDto, id: Uuid, outcome: Outcome, flags: &[GpsFlag]) -> RecordResult {
    let (status, code, message) = match outcome {
        Outcome::Accepted => (RecordStatus::Accepted, None, None),
        Outcome::Duplicate => (RecordStatus::Duplicate, None, None),
        Outcome::Conflict => (
            RecordStatus::Conflict,
            Some(ErrorCode::Conflict.as_str().to_owned()),
            Some(
                "Id ini sudah tersimpan dengan isi berbeda (id already stored with other content)".to_owned(),
            ),
        ),
        Outcome::Rejected { code, message } => (RecordStatus::Rejected, Some(code), Some(message)),
        Outcome::Merged => (RecordStatus::Merged, None, None),
    };
    let flags = if status == RecordStatus::Accepted {
        flags.iter().map(|f| flag_name(*f).to_owned()).collect()
    } else {
        Vec::new()
    };
    RecordResult { kind, id, status, code, message, field: None, flags, revision: None, conflict_id: None }
}

fn flag_name(flag: GpsFlag) -> &'static str {
    match flag {
        GpsFlag::OutsideVillage => "outside_village",
        GpsFlag::FarFromHousehold => "far_from_household",
    }
}
