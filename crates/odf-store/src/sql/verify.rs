//! ODF verifications ([`Verifications`]): opening one (the sample is drawn in the same transaction
//! as the village's move to `verifikasi`), the community criteria, the verification visits, and the
//! decision with the data it was based on; certificates are in `certs.rs`. The rules (team, sample,
//! suggestion, decision, hash) are the domain's; this module loads what they need and writes what they
//! decide.
//!
//! Village actions pushed from phones apply the same functions as the REST methods, in the same
//! transaction as their receipt in `village_actions`, so a push replayed after a lost answer finds the
//! receipt and changes nothing.

use std::collections::HashSet;

use odf_domain::{
    CommunityCriteria, Decision, HouseholdUnits, Outcome, Sample, certified_data_hash, draw_sample,
    suggest_decision,
};

use super::audit::append_audit_in;
use super::ingest::{VISIT_COLUMNS, visit_from_row};
use super::*;

#[async_trait]
impl Verifications for ThisStore {
    async fn open_verification(&self, new: NewVerification) -> Result<VerificationRecord> {
        self.write(async |tx| open(tx, new, stored_now()).await).await
    }

    async fn verification(&self, id: Uuid) -> Result<Option<VerificationRecord>> {
        self.snapshot(async |tx| load(tx, id).await).await
    }

    async fn verifications_of(&self, village: AreaCode) -> Result<Vec<VerificationRecord>> {
        self.snapshot(async |tx| of_village(tx, village).await).await
    }

    async fn record_community(
        &self,
        id: Uuid,
        criteria: CommunityCriteria,
        actor: &str,
    ) -> Result<VerificationRecord> {
        self.write(async |tx| {
            let now = stored_now();
            record_community(tx, id, criteria, actor, now, now).await
        })
        .await
    }

    async fn verification_visits(&self, id: Uuid) -> Result<Vec<Visit>> {
        self.snapshot(async |tx| verification_visits(tx, id).await).await
    }

    async fn decide_verification(&self, input: DecisionInput) -> Result<DecisionOutcome> {
        self.write(async |tx| decide(tx, input, stored_now()).await).await
    }

    async fn certified_data(&self, verification_id: Uuid) -> Result<CertifiedData> {
        self.snapshot(async |tx| certified_data(tx, verification_id).await).await
    }

    async fn village_action_hash(&self, id: Uuid) -> Result<Option<String>> {
        self.snapshot(async |tx| receipt_hash(tx, id).await).await
    }

    async fn apply_village_action(
        &self,
        receipt: VillageActionReceipt,
        effect: VillageEffect,
    ) -> Result<VillageActionOutcome> {
        self.write(async |tx| apply_action(tx, receipt, effect, stored_now()).await).await
    }
}

const VERIFICATION_SELECT: &str = "SELECT v.id, v.village_code, v.opened_by, v.opened_at, v.team, v.sample, \
     v.community, v.community_by, v.community_at, v.decision, v.decided_by, v.decided_at, v.data_hash, \
     c.id AS certificate_id FROM verifications v LEFT JOIN certificates c ON c.verification_id = v.id";

fn verification_from_row(row: &DbRow) -> Result<VerificationRecord> {
    let village: String = row.try_get("village_code")?;
    let team: String = row.try_get("team")?;
    let sample: String = row.try_get("sample")?;
    let community = match row.try_get::<Option<String>, _>("community")? {
        Some(text) => Some(CommunityRecord {
            criteria: parse_json(&text)?,
            recorded_by: row.try_get::<Option<String>, _>("community_by")?.unwrap_or_default(),
            recorded_at: row
                .try_get::<Option<DateTime<Utc>>, _>("community_at")?
                .ok_or_else(|| StoreError::corrupt("community criteria without a time"))?,
        }),
        None => None,
    };
    let decision = match row.try_get::<Option<String>, _>("decision")? {
        Some(text) => Some(DecisionRecord {
            decision: parse_json(&text)?,
            decided_by: row.try_get::<Option<String>, _>("decided_by")?.unwrap_or_default(),
            decided_at: row
                .try_get::<Option<DateTime<Utc>>, _>("decided_at")?
                .ok_or_else(|| StoreError::corrupt("decision without a time"))?,
            data_hash: row.try_get::<Option<String>, _>("data_hash")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(VerificationRecord {
        id: row.try_get("id")?,
        village: code_of(&village)?,
        opened_by: row.try_get("opened_by")?,
        opened_at: row.try_get("opened_at")?,
        team: parse_json(&team)?,
        sample: parse_json(&sample)?,
        community,
        decision,
        certificate_id: row.try_get("certificate_id")?,
    })
}

async fn load(tx: &mut Tx, id: Uuid) -> Result<Option<VerificationRecord>> {
    let row = sqlx::query(&format!("{VERIFICATION_SELECT} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    row.map(|row| verification_from_row(&row)).transpose()
}

async fn load_existing(tx: &mut Tx, id: Uuid) -> Result<VerificationRecord> {
    load(tx, id)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "verifikasi (verification)", key: id.to_string() })
}

async fn of_village(tx: &mut Tx, village: AreaCode) -> Result<Vec<VerificationRecord>> {
    let rows =
        sqlx::query(&format!("{VERIFICATION_SELECT} WHERE v.village_code = $1 ORDER BY v.opened_at, v.id"))
            .bind(village.to_string())
            .fetch_all(&mut *tx)
            .await?;
    rows.iter().map(verification_from_row).collect()
}

/// A verification's entry on the change feed: the record itself, so a team member's phone has the
/// sample to visit.
async fn announce(tx: &mut Tx, record: &VerificationRecord, now: DateTime<Utc>) -> Result<()> {
    let pending = PendingChange {
        kind: ChangeKind::Verification,
        entity_id: record.id.to_string(),
        area: record.village,
        payload: json_of(record),
    };
    insert_changes(tx, &[pending], now).await
}

async fn open(tx: &mut Tx, new: NewVerification, now: DateTime<Utc>) -> Result<VerificationRecord> {
    let event = StatusEvent {
        kind: EventKind::StartVerification,
        actor: new.opened_by.clone(),
        at: now,
        reason: None,
    };
    status::apply_in(tx, new.village, event).await?;
    let rows = sqlx::query("SELECT id, dusun, rw, rt FROM households WHERE village_code = $1")
        .bind(new.village.to_string())
        .fetch_all(&mut *tx)
        .await?;
    let units = rows
        .iter()
        .map(|row| {
            Ok(HouseholdUnits {
                id: row.try_get("id")?,
                dusun: row.try_get("dusun")?,
                rw: row.try_get("rw")?,
                rt: row.try_get("rt")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let sample: Sample = draw_sample(units, new.plan, new.seed)?;
    sqlx::query(
        "INSERT INTO verifications (id, village_code, opened_by, opened_at, team, seed, sample) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.id)
    .bind(new.village.to_string())
    .bind(&new.opened_by)
    .bind(now)
    .bind(json_of(&new.team))
    .bind(new.seed.to_string())
    .bind(json_of(&sample))
    .execute(&mut *tx)
    .await?;
    let team: Vec<&str> = new.team.iter().map(|m| m.username.as_str()).collect();
    let details = serde_json::json!({
        "verification_id": new.id, "team": team, "plan": sample.plan, "seed": sample.seed.to_string(),
        "units": sample.units, "households": sample.household_ids.len(),
    });
    append_audit_in(
        tx,
        NewAuditEntry {
            actor: new.opened_by.clone(),
            action: "verification.open".to_owned(),
            area: Some(new.village),
            details,
        },
        now,
    )
    .await?;
    let record = load_existing(tx, new.id).await?;
    announce(tx, &record, now).await?;
    Ok(record)
}

/// Records the criteria as observed at `observed_at` (kept between the opening and now: a phone
/// records them offline and syncs later).
async fn record_community(
    tx: &mut Tx,
    id: Uuid,
    criteria: CommunityCriteria,
    actor: &str,
    observed_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<VerificationRecord> {
    criteria.validate().map_err(odf_domain::VerificationError::from)?;
    let record = load_existing(tx, id).await?;
    if !record.is_open() {
        return Err(StoreError::VerificationDecided(id));
    }
    let observed_at = plan::normalize_time(observed_at).clamp(record.opened_at, now);
    sqlx::query(
        "UPDATE verifications SET community = $1, community_by = $2, community_at = $3 WHERE id = $4",
    )
    .bind(json_of(&criteria))
    .bind(actor)
    .bind(observed_at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({ "verification_id": id, "criteria": criteria });
    append_audit_in(
        tx,
        NewAuditEntry {
            actor: actor.to_owned(),
            action: "verification.community".to_owned(),
            area: Some(record.village),
            details,
        },
        now,
    )
    .await?;
    let record = load_existing(tx, id).await?;
    announce(tx, &record, now).await?;
    Ok(record)
}

async fn visits_by_id(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<Visit>> {
    let rows = fetch_in(tx, &format!("SELECT {VISIT_COLUMNS} FROM visits"), "id", ids).await?;
    rows.iter().map(|row| visit_from_row(row).map(|v| v.visit)).collect()
}

/// Visits to sampled households by team members (usernames compared as the team rules do) made
/// since the verification opened and by `until`: the rule for an open verification.
async fn visits_by_rule(
    tx: &mut Tx,
    record: &VerificationRecord,
    until: DateTime<Utc>,
) -> Result<Vec<Visit>> {
    let team: HashSet<String> = record.team.iter().map(|m| m.username.trim().to_lowercase()).collect();
    let rows = sqlx::query(&format!(
        "SELECT {VISIT_COLUMNS} FROM visits WHERE village_code = $1 AND visited_at >= $2 AND visited_at <= $3 \
         ORDER BY visited_at, id"
    ))
    .bind(record.village.to_string())
    .bind(micros_of(record.opened_at))
    .bind(micros_of(until))
    .fetch_all(&mut *tx)
    .await?;
    let mut visits = Vec::new();
    for row in &rows {
        let visit = visit_from_row(row)?.visit;
        if record.sample.contains(visit.household_id)
            && team.contains(&visit.sanitarian.trim().to_lowercase())
        {
            visits.push(visit);
        }
    }
    Ok(visits)
}

/// The certified data rows of a decided verification: (household, kind, visit).
async fn data_rows(tx: &mut Tx, id: Uuid) -> Result<Vec<(Uuid, String, Option<Uuid>)>> {
    let rows =
        sqlx::query("SELECT household_id, kind, visit_id FROM verification_data WHERE verification_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("household_id")?, row.try_get("kind")?, row.try_get("visit_id")?)))
        .collect()
}

async fn verification_visits(tx: &mut Tx, id: Uuid) -> Result<Vec<Visit>> {
    let record = load_existing(tx, id).await?;
    if record.is_open() {
        // Visits may be dated a little ahead of the server's clock (phone clocks drift); a day covers
        // any skew the push accepts.
        return visits_by_rule(tx, &record, Utc::now() + chrono::Duration::days(1)).await;
    }
    let ids: Vec<Uuid> = data_rows(tx, id)
        .await?
        .into_iter()
        .filter(|(_, kind, _)| kind == "verification")
        .filter_map(|(_, _, v)| v)
        .collect();
    let mut visits = visits_by_id(tx, &ids).await?;
    visits.sort_by_key(|v| (v.visited_at, v.id));
    Ok(visits)
}

async fn certified_data(tx: &mut Tx, id: Uuid) -> Result<CertifiedData> {
    let rows = data_rows(tx, id).await?;
    let mut household_ids = Vec::new();
    let (mut latest_ids, mut verification_ids) = (Vec::new(), Vec::new());
    for (household, kind, visit) in rows {
        match kind.as_str() {
            "latest" => {
                household_ids.push(household);
                latest_ids.extend(visit);
            }
            "verification" => verification_ids.extend(visit),
            other => return Err(StoreError::corrupt(format!("verification data kind {other}"))),
        }
    }
    let latest = visits_by_id(tx, &latest_ids).await?;
    let verification = visits_by_id(tx, &verification_ids).await?;
    let missing_visits = latest_ids.len() + verification_ids.len() - latest.len() - verification.len();
    Ok(CertifiedData { household_ids, latest, verification, missing_visits })
}

/// Records the decision and everything it brings (see `Store::decide_verification`).
async fn decide(tx: &mut Tx, input: DecisionInput, now: DateTime<Utc>) -> Result<DecisionOutcome> {
    let id = input.verification_id;
    let record = load_existing(tx, id).await?;
    if !record.is_open() {
        return Err(StoreError::VerificationDecided(id));
    }
    let community = record.community.clone().ok_or(StoreError::CommunityNotRecorded(id))?;
    let decided_at = input.decided_at.map_or(now, |at| plan::normalize_time(at).clamp(record.opened_at, now));
    let verification_visits = visits_by_rule(tx, &record, decided_at).await?;
    let suggestion = suggest_decision(&record.sample, &verification_visits, &community.criteria);
    let decision = Decision::new(input.outcome, input.reasons, suggestion)?;

    // The latest visit of every household of the village, as the tallies see it now.
    let rows = sqlx::query(
        "SELECT h.id, l.visit_id FROM households h LEFT JOIN household_latest l ON l.household_id = h.id \
         WHERE h.village_code = $1 ORDER BY h.id",
    )
    .bind(record.village.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let latest_rows: Vec<(Uuid, Option<Uuid>)> =
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("visit_id")?))).collect::<Result<_>>()?;
    let latest_ids: Vec<Uuid> = latest_rows.iter().filter_map(|(_, v)| *v).collect();
    let latest_visits = visits_by_id(tx, &latest_ids).await?;
    let data_hash =
        certified_data_hash(latest_rows.iter().map(|(h, _)| *h), &latest_visits, &verification_visits);

    status::apply_in(tx, record.village, decision.status_event(&input.actor, decided_at)).await?;
    sqlx::query(
        "UPDATE verifications SET result = $1, decision = $2, decided_by = $3, decided_at = $4, data_hash = $5 \
         WHERE id = $6",
    )
    .bind(decision.outcome.as_str())
    .bind(json_of(&decision))
    .bind(&input.actor)
    .bind(decided_at)
    .bind(&data_hash)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let mut data: Vec<(Uuid, &str, Option<Uuid>)> =
        latest_rows.iter().map(|(household, visit)| (*household, "latest", *visit)).collect();
    data.extend(verification_visits.iter().map(|v| (v.household_id, "verification", Some(v.id))));
    for chunk in data.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(
            "INSERT INTO verification_data (verification_id, household_id, kind, visit_id) ",
        );
        query.push_values(chunk, |mut row, (household, kind, visit)| {
            row.push_bind(id).push_bind(*household).push_bind(*kind).push_bind(*visit);
        });
        query.build().execute(&mut *tx).await?;
    }

    let superseded = match decision.outcome {
        Outcome::Lulus => "digantikan oleh piagam hasil verifikasi ulang (superseded by re-verification)",
        Outcome::Gagal => "verifikasi ulang Gagal (re-verification failed)",
    };
    certs::revoke_in_force(tx, record.village, &input.actor, superseded, now).await?;
    let details = serde_json::json!({
        "verification_id": id, "outcome": decision.outcome, "reasons": decision.reasons,
        "suggestion": decision.suggestion, "data_hash": data_hash,
    });
    append_audit_in(
        tx,
        NewAuditEntry {
            actor: input.actor.clone(),
            action: "verification.decide".to_owned(),
            area: Some(record.village),
            details,
        },
        now,
    )
    .await?;
    let certificate = match decision.outcome {
        Outcome::Lulus => Some(
            certs::issue(tx, &record, &data_hash, &input.actor, input.certificate, (decided_at, now)).await?,
        ),
        Outcome::Gagal => None,
    };
    let verification = load_existing(tx, id).await?;
    announce(tx, &verification, now).await?;
    Ok(DecisionOutcome { verification, certificate })
}

/// The stored content hash of an action, if it was applied.
async fn receipt_hash(tx: &mut Tx, id: Uuid) -> Result<Option<String>> {
    let hash: Option<String> = sqlx::query_scalar("SELECT content_hash FROM village_actions WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(hash)
}

async fn apply_action(
    tx: &mut Tx,
    receipt: VillageActionReceipt,
    effect: VillageEffect,
    now: DateTime<Utc>,
) -> Result<VillageActionOutcome> {
    if let Some(stored) = receipt_hash(tx, receipt.id).await? {
        return Ok(if stored == receipt.content_hash {
            VillageActionOutcome::Duplicate
        } else {
            VillageActionOutcome::Conflict
        });
    }
    match effect {
        VillageEffect::Status { village, event } => {
            status::apply_in(tx, village, event).await?;
        }
        VillageEffect::Open(new) => {
            open(tx, new, now).await?;
        }
        VillageEffect::Community { verification_id, criteria, actor, observed_at } => {
            record_community(tx, verification_id, criteria, &actor, observed_at, now).await?;
        }
        VillageEffect::Decide(input) => {
            decide(tx, *input, now).await?;
        }
    }
    sqlx::query(
        "INSERT INTO village_actions (id, kind, actor, content_hash, recorded_at, applied_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(receipt.id)
    .bind(&receipt.kind)
    .bind(&receipt.actor)
    .bind(&receipt.content_hash)
    .bind(plan::normalize_time(receipt.recorded_at))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(VillageActionOutcome::Applied)
}
