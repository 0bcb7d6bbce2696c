//! Village status ([`Statuses`]): every change goes through the domain's status machine
//! (`VillageState::check`), so a verification, a decision, a slip or a revocation can only move a
//! village along an allowed edge, and each one leaves a status_history row, an audit entry and a
//! change-feed entry. Slip detection during ingest and the notifications it writes are here too.

use odf_domain::Level;

use super::audit::append_audit_in;
use super::*;

fn status_change_from_row(row: &DbRow) -> Result<StatusChange> {
    let kind: String = row.try_get("event")?;
    Ok(StatusChange {
        from: status_of(&row.try_get::<String, _>("from_status")?)?,
        to: status_of(&row.try_get::<String, _>("to_status")?)?,
        event: StatusEvent {
            kind: EventKind::parse(&kind).ok_or_else(|| StoreError::corrupt(format!("event {kind}")))?,
            actor: row.try_get("actor")?,
            at: row.try_get("at")?,
            reason: row.try_get("reason")?,
        },
    })
}

#[async_trait]
impl Statuses for ThisStore {
    async fn village_state(&self, village: AreaCode) -> Result<VillageState> {
        let rows = sqlx::query(
            "SELECT from_status, to_status, event, actor, at, reason FROM status_history \
             WHERE village_code = $1 ORDER BY id",
        )
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await?;
        let history = rows.iter().map(status_change_from_row).collect::<Result<Vec<_>>>()?;
        let status = history.last().map_or(VillageStatus::default(), |c| c.to);
        Ok(VillageState { status, history })
    }

    async fn apply_status_event(&self, village: AreaCode, event: StatusEvent) -> Result<StatusChange> {
        self.write(async |tx| apply_in(tx, village, event).await).await
    }

    async fn statuses(&self, under: Option<AreaCode>) -> Result<Vec<VillageStatusRecord>> {
        let select = "SELECT village_code, status, since FROM village_status WHERE 1 = 1".to_owned();
        let rows = self.village_rows(select, under).await?;
        rows.iter()
            .map(|(village, row)| {
                Ok(VillageStatusRecord {
                    village: *village,
                    status: status_of(&row.try_get::<String, _>("status")?)?,
                    since: row.try_get("since")?,
                })
            })
            .collect()
    }

    async fn notifications(
        &self,
        under: Option<AreaCode>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        let mut query = QueryBuilder::new(
            "SELECT seq, kind, village_code, kecamatan_code, at, message, details FROM notifications WHERE seq > ",
        );
        query.push_bind(after);
        push_area_range(&mut query, "village_code", under);
        query.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit.clamp(1, MAX_PAGE)));
        let rows = query.build().fetch_all(self.reader()).await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let village: String = row.try_get("village_code")?;
                let kecamatan: String = row.try_get("kecamatan_code")?;
                let details: String = row.try_get("details")?;
                Ok(Notification {
                    seq: row.try_get("seq")?,
                    kind: NotificationKind::parse(&kind)
                        .ok_or_else(|| StoreError::corrupt(format!("notification kind {kind}")))?,
                    village: code_of(&village)?,
                    kecamatan: code_of(&kecamatan)?,
                    at: row.try_get("at")?,
                    message: row.try_get("message")?,
                    details: parse_json(&details)?,
                })
            })
            .collect()
    }
}

/// Validates `event` with the status machine against the village's last change and records it.
pub(super) async fn apply_in(tx: &mut Tx, village: AreaCode, event: StatusEvent) -> Result<StatusChange> {
    let mut event = event;
    event.at = plan::normalize_time(event.at);
    let is_known: Option<String> = sqlx::query_scalar("SELECT code FROM areas WHERE code = $1")
        .bind(village.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    if is_known.is_none() || !village.is_village() {
        return Err(StoreError::UnknownVillage(village));
    }
    let last = sqlx::query(
        "SELECT from_status, to_status, event, actor, at, reason FROM status_history \
         WHERE village_code = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(village.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let last = last.map(|row| status_change_from_row(&row)).transpose()?;
    let state = VillageState {
        status: last.as_ref().map_or(VillageStatus::default(), |c| c.to),
        history: last.into_iter().collect(),
    };
    let change = state.check(&event)?;
    sqlx::query(
        "INSERT INTO status_history (village_code, from_status, to_status, event, actor, at, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(village.to_string())
    .bind(change.from.as_str())
    .bind(change.to.as_str())
    .bind(change.event.kind.as_str())
    .bind(&change.event.actor)
    .bind(change.event.at)
    .bind(&change.event.reason)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO village_status (village_code, status, since) VALUES ($1, $2, $3) \
         ON CONFLICT (village_code) DO UPDATE SET status = excluded.status, since = excluded.since",
    )
    .bind(village.to_string())
    .bind(change.to.as_str())
    .bind(change.event.at)
    .execute(&mut *tx)
    .await?;
    // Timestamps in the one wire format (`odf_domain::timestamp`), as the API shows them.
    let at = odf_domain::timestamp::format(change.event.at);
    let details = serde_json::json!({
        "from": change.from, "to": change.to, "reason": change.event.reason, "at": at,
    });
    let action = format!("village_status.{}", change.event.kind.as_str());
    append_audit_in(
        tx,
        NewAuditEntry { actor: change.event.actor.clone(), action, area: Some(village), details },
        Utc::now(),
    )
    .await?;
    let payload = serde_json::json!({ "village": village, "status": change.to, "since": at });
    let pending = PendingChange {
        kind: ChangeKind::VillageStatus,
        entity_id: village.to_string(),
        area: village,
        payload: json_of(&payload),
    };
    insert_changes(tx, &[pending], plan::normalize_time(Utc::now())).await?;
    Ok(change)
}

/// Slip detection for the batches of a group, in queue order, after their records are written:
/// each village where a visit of a batch became a household's latest, found no access, and was made
/// after the village became `sbs` is marked `slipped` by `system` (dated at the batch's earliest
/// such visit) and its kecamatan's verifiers are notified. Only the latest visit counts, as in the
/// tallies: a BABS visit followed in the same batch by a later visit finding access is a
/// correction. The candidates are the planner's, per batch (`plan::BatchDecisions`), so a group
/// slips exactly the villages, with exactly the dates, that its batches written one by one would.
pub(super) async fn detect_slips(
    tx: &mut Tx,
    batches: &[Vec<(AreaCode, Visit)>],
    now: DateTime<Utc>,
) -> Result<()> {
    // One lookup for every candidate village of the group (not one per village or per batch):
    // most pushes find none of them ODF.
    let mut candidates: Vec<String> =
        batches.iter().flatten().map(|(village, _)| village.to_string()).collect();
    if candidates.is_empty() {
        return Ok(());
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut sbs_since: BTreeMap<AreaCode, DateTime<Utc>> = BTreeMap::new();
    for row in
        fetch_in(tx, "SELECT village_code, status, since FROM village_status", "village_code", &candidates)
            .await?
    {
        if status_of(&row.try_get::<String, _>("status")?)? == VillageStatus::Sbs {
            sbs_since.insert(code_of(&row.try_get::<String, _>("village_code")?)?, row.try_get("since")?);
        }
    }
    for (village, visit) in batches.iter().flatten() {
        match sbs_since.get(village) {
            Some(since) if visit.visited_at >= *since => {}
            _ => continue,
        }
        // Slipped now: a later batch of the group finds the village no longer `sbs`.
        sbs_since.remove(village);
        let date = visit.visited_at.format("%Y-%m-%d");
        let reason = format!(
            "kunjungan {} ke rumah tangga {} tanggal {date} menemukan {} (open defecation found after ODF)",
            visit.id,
            visit.household_id,
            visit.category.label()
        );
        // Dated when the open defecation was seen (a phone may sync days later), but never after the
        // server's clock: a fast phone clock must not block the next status change.
        let event = StatusEvent {
            kind: EventKind::SlipDetected,
            actor: "system".to_owned(),
            at: visit.visited_at.min(now),
            reason: Some(reason),
        };
        apply_in(tx, *village, event).await?;
        notify_slip(tx, *village, visit, now).await?;
    }
    Ok(())
}

async fn notify_slip(tx: &mut Tx, village: AreaCode, visit: &Visit, now: DateTime<Utc>) -> Result<()> {
    let kecamatan = village.at_level(Level::Kecamatan).unwrap_or(village);
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM areas WHERE code = $1")
        .bind(village.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    let name = name.unwrap_or_else(|| village.to_string());
    let message = format!(
        "Desa {name} ({village}) tergelincir: kunjungan tanggal {} oleh {} menemukan {}; \
         verifikasi ulang atau cabut piagamnya (certified village slipped back)",
        visit.visited_at.format("%Y-%m-%d"),
        visit.sanitarian,
        visit.category.label()
    );
    let details = serde_json::json!({
        "village_name": name,
        "visit_id": visit.id,
        "household_id": visit.household_id,
        "visited_at": visit.visited_at,
        "sanitarian": visit.sanitarian,
        "category": visit.category,
    });
    sqlx::query(
        "INSERT INTO notifications (kind, village_code, kecamatan_code, at, message, details) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(NotificationKind::VillageSlipped.as_str())
    .bind(village.to_string())
    .bind(kecamatan.to_string())
    .bind(plan::normalize_time(now))
    .bind(&message)
    .bind(json_of(&details))
    .execute(&mut *tx)
    .await?;
    Ok(())
}
