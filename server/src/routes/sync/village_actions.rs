//! The village actions of a push (`PushRequest::village_actions`): claims, verification steps and
//! decisions recorded on phones, offline. Each is checked exactly as its REST endpoint checks it
//! (the same builders in `villages.rs` and `verifications.rs`), when it arrives rather than when it
//! was recorded, and applied with its receipt in one store transaction, in request order.
//!
//! A replay is answered from the receipt (`duplicate`, or `conflict` for other content under the
//! id) before any check runs, so an action the server holds is never refused later because the
//! village moved on. Times recorded on the phone date claims and decisions, kept between the step
//! before them and now.

use chrono::{DateTime, Utc};
use odf_mobile_api::{
    ErrorCode, RecordKindDto, RecordResult, RecordStatus, VillageActionDto, VillageActionKind,
};
use odf_store::{
    VerificationRecord, VillageActionOutcome, VillageActionReceipt, VillageEffect, VillageStatusRecord,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::access::{RecordCommunity, allow, verification_in_scope, village_in_scope};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::routes::verifications::decision_input;
use crate::routes::villages::{claim_event, new_verification, trigger_event};

fn result(id: Uuid, status: RecordStatus) -> RecordResult {
    RecordResult {
        kind: RecordKindDto::VillageAction,
        id,
        status,
        code: None,
        message: None,
        field: None,
        flags: Vec::new(),
        revision: None,
        conflict_id: None,
    }
}

fn conflict(id: Uuid) -> RecordResult {
    RecordResult {
        code: Some(ErrorCode::Conflict.as_str().to_owned()),
        message: Some(
            "Id ini sudah tersimpan dengan isi berbeda (id already stored with other content)".to_owned(),
        ),
        ..result(id, RecordStatus::Conflict)
    }
}

fn refused(id: Uuid, index: usize, err: ApiError) -> RecordResult {
    let field = match err.field {
        Some(field) => format!("village_actions[{index}].action.{field}"),
        None => format!("village_actions[{index}]"),
    };
    RecordResult {
        code: Some(err.code.as_str().to_owned()),
        message: Some(err.message),
        field: Some(field),
        ..result(id, RecordStatus::Rejected)
    }
}

fn content_hash(action: &VillageActionDto) -> String {
    let text = serde_json::to_string(action).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Applies every action in order and answers one result each. Only a failure of the server itself
/// (5xx) ends the push early; the actions applied before it are committed and answer `duplicate`
/// when the phone sends them again.
pub async fn apply_all(
    state: &AppState,
    caller: &Caller,
    actions: &[VillageActionDto],
) -> ApiResult<Vec<RecordResult>> {
    let mut results = Vec::with_capacity(actions.len());
    for (index, action) in actions.iter().enumerate() {
        let answer = match apply_one(state, caller, action).await {
            Ok(answer) => answer,
            Err(err) if err.status.is_server_error() => return Err(err),
            Err(err) => refused(action.id, index, err),
        };
        results.push(answer);
    }
    Ok(results)
}

async fn apply_one(state: &AppState, caller: &Caller, action: &VillageActionDto) -> ApiResult<RecordResult> {
    if let Err(problem) = odf_domain::check_record_id("id", action.id) {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            ErrorCode::InvalidId,
            problem.to_string(),
        )
        .field("id"));
    }
    let hash = content_hash(action);
    match state.store().village_action_hash(action.id).await? {
        Some(stored) if stored == hash => return Ok(result(action.id, RecordStatus::Duplicate)),
        Some(_) => return Ok(conflict(action.id)),
        None => {}
    }
    let now = Utc::now();
    // Never in the future, whatever the phone's clock says.
    let recorded_at = action.recorded_at.min(now);
    let effect = effect_of(state, caller, action, recorded_at, now).await?;
    let receipt = VillageActionReceipt {
        id: action.id,
        kind: action.action.name().to_owned(),
        actor: caller.user.username.clone(),
        content_hash: hash,
        recorded_at: action.recorded_at,
    };
    Ok(match state.store().apply_village_action(receipt, effect).await? {
        VillageActionOutcome::Applied => result(action.id, RecordStatus::Accepted),
        VillageActionOutcome::Duplicate => result(action.id, RecordStatus::Duplicate),
        VillageActionOutcome::Conflict => conflict(action.id),
    })
}

/// The latest status change of the village, so a claim is not dated before it.
async fn since(state: &AppState, village: odf_domain::AreaCode) -> ApiResult<Option<DateTime<Utc>>> {
    let statuses: Vec<VillageStatusRecord> = state.store().statuses(Some(village)).await?;
    Ok(statuses.into_iter().find(|s| s.village == village).and_then(|s| s.since))
}

async fn verification(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<VerificationRecord> {
    verification_in_scope(state, caller, &id.to_string()).await.map_err(|e| e.field("verification_id"))
}

async fn effect_of(
    state: &AppState,
    caller: &Caller,
    action: &VillageActionDto,
    recorded_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<VillageEffect> {
    Ok(match &action.action {
        VillageActionKind::Trigger { village, triggered_on, note } => {
            let area = village_in_scope(state, caller, village).await.map_err(|e| e.field("village"))?;
            let event = trigger_event(caller, &area, *triggered_on, note.clone(), now)?;
            VillageEffect::Status { village: area.code, event }
        }
        VillageActionKind::Claim { village, note } => {
            let area = village_in_scope(state, caller, village).await.map_err(|e| e.field("village"))?;
            let at = match since(state, area.code).await? {
                Some(since) => recorded_at.max(since),
                None => recorded_at,
            };
            let event = claim_event(state, caller, &area, note.clone(), at).await?;
            VillageEffect::Status { village: area.code, event }
        }
        VillageActionKind::OpenVerification { village, team, plan } => {
            let area = village_in_scope(state, caller, village).await.map_err(|e| e.field("village"))?;
            VillageEffect::Open(new_verification(state, caller, &area, team, plan, action.id).await?)
        }
        VillageActionKind::Community { verification_id, criteria } => {
            allow::<RecordCommunity>(caller)?;
            let record = verification(state, caller, *verification_id).await?;
            VillageEffect::Community {
                verification_id: record.id,
                criteria: criteria.clone().into(),
                actor: caller.user.username.clone(),
                observed_at: recorded_at,
            }
        }
        VillageActionKind::Decision { verification_id, decision } => {
            let record = verification(state, caller, *verification_id).await?;
            let decided_at = recorded_at.max(record.opened_at);
            let input = decision_input(state, caller, &record, decision.clone(), Some(decided_at)).await?;
            VillageEffect::Decide(Box::new(input))
        }
    })
}
