//! The audit log ([`AuditLog`]): append-only, each entry's SHA-256 covering its fields and the
//! previous entry's hash, so changing or removing an entry breaks the chain from there on. Other
//! modules append in their own transaction with `append_audit_in`.

use super::*;

const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait]
impl AuditLog for ThisStore {
    async fn append_audit(&self, entry: NewAuditEntry) -> Result<AuditEntry> {
        self.write(async |tx| append_audit_in(tx, entry, Utc::now()).await).await
    }

    async fn audit_entries(&self, area: Option<AreaCode>, after: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut query = QueryBuilder::new(
            "SELECT seq, at, actor, action, area_code, details, prev_hash, hash FROM audit_log WHERE seq > ",
        );
        query.push_bind(after);
        push_area_range(&mut query, "area_code", area);
        query.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit.clamp(1, MAX_PAGE)));
        let rows = query.build().fetch_all(self.reader()).await?;
        rows.iter().map(|row| audit_from_row(row).map(|(entry, _)| entry)).collect()
    }

    async fn verify_audit_chain(&self) -> Result<AuditCheck> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, area_code, details, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(self.reader())
        .await?;
        let mut expected_prev = GENESIS_HASH.to_owned();
        for row in &rows {
            let (entry, details) = audit_from_row(row)?;
            let hash =
                audit_hash(&entry.prev_hash, entry.at, &entry.actor, &entry.action, entry.area, &details);
            if entry.prev_hash != expected_prev || hash != entry.hash {
                return Ok(AuditCheck { entries: rows.len(), first_broken: Some(entry.seq) });
            }
            expected_prev = entry.hash;
        }
        Ok(AuditCheck { entries: rows.len(), first_broken: None })
    }
}

/// The hash of an audit entry: SHA-256 over the previous hash and the entry's fields, one per line.
fn audit_hash(
    prev_hash: &str,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    area: Option<AreaCode>,
    details: &str,
) -> String {
    let area = area.map(|a| a.to_string()).unwrap_or_default();
    let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let text = format!("{prev_hash}\n{at}\n{actor}\n{action}\n{area}\n{details}");
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub(super) async fn append_audit_in(
    tx: &mut Tx,
    entry: NewAuditEntry,
    now: DateTime<Utc>,
) -> Result<AuditEntry> {
    let at = plan::normalize_time(now);
    let prev: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?;
    let prev_hash = prev.unwrap_or_else(|| GENESIS_HASH.to_owned());
    let details = json_of(&entry.details);
    let hash = audit_hash(&prev_hash, at, &entry.actor, &entry.action, entry.area, &details);
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor, action, area_code, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
    )
    .bind(at)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(entry.area.map(|a| a.to_string()))
    .bind(&details)
    .bind(&prev_hash)
    .bind(&hash)
    .fetch_one(&mut *tx)
    .await?;
    Ok(AuditEntry {
        seq,
        at,
        actor: entry.actor,
        action: entry.action,
        area: entry.area,
        details: entry.details,
        prev_hash,
        hash,
    })
}

fn audit_from_row(row: &DbRow) -> Result<(AuditEntry, String)> {
    let area: Option<String> = row.try_get("area_code")?;
    let details: String = row.try_get("details")?;
    let entry = AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        area: area.as_deref().map(code_of).transpose()?,
        details: parse_json(&details)?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    };
    Ok((entry, details))
}
