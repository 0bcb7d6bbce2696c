//! ODF certificates ([`Certificates`]): issuing one on Lulus (next number of the kabupaten and
//! year, signed, stored in the deciding transaction), reading them back, and revoking them. Every
//! signed field has its own column and the signed certificate is rebuilt from the columns, so a column
//! changed behind the server's back breaks the signature.

use chrono::{Datelike, NaiveDate};
use odf_certificate::{Certificate, CertificateNumber, SignedCertificate};
use odf_domain::{Level, TransitionError};

use super::audit::append_audit_in;
use super::*;

#[async_trait]
impl Certificates for ThisStore {
    async fn certificate(&self, id: Uuid) -> Result<Option<CertificateRecord>> {
        self.snapshot(async |tx| load(tx, id).await).await
    }

    async fn certificates(&self, under: Option<AreaCode>) -> Result<Vec<CertificateRecord>> {
        self.snapshot(async |tx| list(tx, under).await).await
    }

    async fn revoke_certificate(&self, id: Uuid, actor: &str, reason: &str) -> Result<CertificateRecord> {
        self.write(async |tx| revoke(tx, id, actor, reason, stored_now()).await).await
    }
}

const CERTIFICATE_COLUMNS: &str = "id, number, village_code, village_name, kecamatan_name, kabupaten_name, \
     issued_on, issued_at, issuer_name, issuer_role, team, verification_id, data_hash, public_key, signature, \
     revoked_at, revoked_by, revoke_reason";

/// A certificate row; one that no longer reads back (a column changed behind the server's back) is
/// `Corrupt`, which callers can tell apart from the database failing.
fn certificate_from_row(row: &DbRow) -> Result<CertificateRecord> {
    read_certificate(row).map_err(|err| match err {
        StoreError::Database(sqlx::Error::ColumnDecode { index, source }) => {
            StoreError::corrupt(format!("piagam, kolom {index}: {source}"))
        }
        StoreError::Database(sqlx::Error::Decode(source)) => StoreError::corrupt(format!("piagam: {source}")),
        other => other,
    })
}

fn read_certificate(row: &DbRow) -> Result<CertificateRecord> {
    let number: String = row.try_get("number")?;
    let village: String = row.try_get("village_code")?;
    let issued_on: String = row.try_get("issued_on")?;
    let team: String = row.try_get("team")?;
    let certificate = Certificate {
        id: row.try_get("id")?,
        number: CertificateNumber::parse(&number).map_err(StoreError::corrupt)?,
        village_code: code_of(&village)?,
        village_name: row.try_get("village_name")?,
        kecamatan_name: row.try_get("kecamatan_name")?,
        kabupaten_name: row.try_get("kabupaten_name")?,
        issued_on: NaiveDate::parse_from_str(&issued_on, "%Y-%m-%d").map_err(StoreError::corrupt)?,
        issuer_name: row.try_get("issuer_name")?,
        issuer_role: row.try_get("issuer_role")?,
        team: parse_json(&team)?,
        verification_id: row.try_get("verification_id")?,
        data_hash: row.try_get("data_hash")?,
    };
    let revocation = match row.try_get::<Option<DateTime<Utc>>, _>("revoked_at")? {
        Some(at) => Some(Revocation {
            at,
            by: row.try_get::<Option<String>, _>("revoked_by")?.unwrap_or_default(),
            reason: row.try_get::<Option<String>, _>("revoke_reason")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(CertificateRecord {
        signed: SignedCertificate {
            certificate,
            public_key: row.try_get("public_key")?,
            signature: row.try_get("signature")?,
        },
        issued_at: row.try_get("issued_at")?,
        revocation,
    })
}

async fn load(tx: &mut Tx, id: Uuid) -> Result<Option<CertificateRecord>> {
    let row = sqlx::query(&format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    row.map(|row| certificate_from_row(&row)).transpose()
}

async fn list(tx: &mut Tx, under: Option<AreaCode>) -> Result<Vec<CertificateRecord>> {
    let mut query = QueryBuilder::new(format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE 1 = 1"));
    push_area_range(&mut query, "village_code", under);
    query.push(" ORDER BY issued_at, id");
    let rows = query.build().fetch_all(&mut *tx).await?;
    // One damaged row must not hide a village's other certificates (or its whole history): it is
    // logged and left out; reading it by id answers that it is corrupt.
    let mut certificates = Vec::with_capacity(rows.len());
    for row in &rows {
        match certificate_from_row(row) {
            Ok(certificate) => certificates.push(certificate),
            Err(StoreError::Corrupt(what)) => tracing::error!(%what, "corrupt certificate row left out"),
            Err(err) => return Err(err),
        }
    }
    Ok(certificates)
}

/// A certificate's entry on the change feed: the signed certificate and whether it is revoked, so
/// phones can show it and check its signature offline.
async fn announce(tx: &mut Tx, record: &CertificateRecord, now: DateTime<Utc>) -> Result<()> {
    let pending = PendingChange {
        kind: ChangeKind::Certificate,
        entity_id: record.id().to_string(),
        area: record.signed.certificate.village_code,
        payload: json_of(record),
    };
    insert_changes(tx, &[pending], now).await
}

/// The next sequence number of a kabupaten and year. Writers are serialised (see `sqlite.rs` and
/// `postgres.rs`), so read-then-write cannot hand one number out twice; the unique constraints on
/// `certificates` would refuse it anyway.
async fn next_sequence(tx: &mut Tx, kabupaten: AreaCode, year: i32) -> Result<u32> {
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT last_sequence FROM certificate_sequences WHERE kabupaten_code = $1 AND year = $2",
    )
    .bind(kabupaten.to_string())
    .bind(i64::from(year))
    .fetch_optional(&mut *tx)
    .await?;
    let next = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO certificate_sequences (kabupaten_code, year, last_sequence) VALUES ($1, $2, $3) \
         ON CONFLICT (kabupaten_code, year) DO UPDATE SET last_sequence = excluded.last_sequence",
    )
    .bind(kabupaten.to_string())
    .bind(i64::from(year))
    .bind(next)
    .execute(&mut *tx)
    .await?;
    u32::try_from(next).map_err(StoreError::corrupt)
}

async fn area_name(tx: &mut Tx, code: AreaCode) -> Result<String> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM areas WHERE code = $1")
        .bind(code.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    name.ok_or(StoreError::UnknownVillage(code))
}

/// Issues the certificate of a Lulus decision, in the deciding transaction. It is issued when the
/// decision was made (`issued_at`, which an offline decision sets in the past), and dated with
/// that moment's date in the village's time zone, so date and time always agree.
pub(super) async fn issue(
    tx: &mut Tx,
    verification: &VerificationRecord,
    data_hash: &str,
    actor: &str,
    mut issue: CertificateIssue,
    (issued_at, now): (DateTime<Utc>, DateTime<Utc>),
) -> Result<CertificateRecord> {
    let village = verification.village;
    issue.issued_on = village.local_date(issued_at);
    let (Some(kecamatan), Some(kabupaten)) =
        (village.at_level(Level::Kecamatan), village.at_level(Level::Kabupaten))
    else {
        return Err(StoreError::UnknownVillage(village));
    };
    let year = issue.issued_on.year();
    let sequence = next_sequence(tx, kabupaten, year).await?;
    let number = CertificateNumber::new(kabupaten, year, sequence)
        .map_err(|e| StoreError::certificate(e.code(), &e))?;
    let certificate = Certificate {
        id: issue.id,
        number,
        village_code: village,
        village_name: area_name(tx, village).await?,
        kecamatan_name: area_name(tx, kecamatan).await?,
        kabupaten_name: area_name(tx, kabupaten).await?,
        issued_on: issue.issued_on,
        issuer_name: issue.issuer_name.trim().to_owned(),
        issuer_role: issue.issuer_role.trim().to_owned(),
        team: verification.team.clone(),
        verification_id: verification.id,
        data_hash: data_hash.to_owned(),
    };
    certificate.validate().map_err(|e| StoreError::certificate(e.code(), &e))?;
    let signed = issue.signer.sign(&certificate);
    let c = &signed.certificate;
    sqlx::query(&format!(
        "INSERT INTO certificates ({CERTIFICATE_COLUMNS}, kabupaten_code, year, sequence) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL, NULL, NULL, $16, $17, $18)"
    ))
    .bind(c.id)
    .bind(c.number.to_string())
    .bind(village.to_string())
    .bind(&c.village_name)
    .bind(&c.kecamatan_name)
    .bind(&c.kabupaten_name)
    .bind(c.issued_on.format("%Y-%m-%d").to_string())
    .bind(issued_at)
    .bind(&c.issuer_name)
    .bind(&c.issuer_role)
    .bind(json_of(&c.team))
    .bind(c.verification_id)
    .bind(&c.data_hash)
    .bind(&signed.public_key)
    .bind(&signed.signature)
    .bind(kabupaten.to_string())
    .bind(i64::from(year))
    .bind(i64::from(sequence))
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({
        "certificate_id": c.id, "number": c.number, "verification_id": c.verification_id,
        "data_hash": c.data_hash, "issued_on": c.issued_on, "public_key": signed.public_key,
    });
    append_audit_in(
        tx,
        NewAuditEntry {
            actor: actor.to_owned(),
            action: "certificate.issue".to_owned(),
            area: Some(village),
            details,
        },
        now,
    )
    .await?;
    let record = CertificateRecord { signed, issued_at, revocation: None };
    announce(tx, &record, now).await?;
    Ok(record)
}

async fn mark_revoked(
    tx: &mut Tx,
    record: &CertificateRecord,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<CertificateRecord> {
    let id = record.id();
    sqlx::query("UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE id = $4")
        .bind(now)
        .bind(actor)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let details = serde_json::json!({
        "certificate_id": id, "number": record.signed.certificate.number, "reason": reason,
    });
    let village = record.signed.certificate.village_code;
    append_audit_in(
        tx,
        NewAuditEntry {
            actor: actor.to_owned(),
            action: "certificate.revoke".to_owned(),
            area: Some(village),
            details,
        },
        now,
    )
    .await?;
    let revoked =
        load(tx, id).await?.ok_or_else(|| StoreError::corrupt("certificate vanished while revoking"))?;
    announce(tx, &revoked, now).await?;
    Ok(revoked)
}

/// Revokes the village's certificates still in force, without a status change: the decision that
/// replaces them moves the village itself.
pub(super) async fn revoke_in_force(
    tx: &mut Tx,
    village: AreaCode,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows = sqlx::query(&format!(
        "SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE village_code = $1 AND revoked_at IS NULL"
    ))
    .bind(village.to_string())
    .fetch_all(&mut *tx)
    .await?;
    for row in &rows {
        mark_revoked(tx, &certificate_from_row(row)?, actor, reason, now).await?;
    }
    Ok(())
}

/// Revokes a certificate and moves its village to `revoked` through the status machine.
async fn revoke(
    tx: &mut Tx,
    id: Uuid,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<CertificateRecord> {
    let record = load(tx, id)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "piagam (certificate)", key: id.to_string() })?;
    if record.is_revoked() {
        return Err(StoreError::CertificateRevoked(id));
    }
    if reason.trim().is_empty() {
        return Err(TransitionError::ReasonRequired(EventKind::Revoke).into());
    }
    // Printed on the public check page: the shared rule for free text.
    odf_domain::check_text("reason", reason.trim(), odf_domain::input::MAX_FREE_TEXT)
        .map_err(TransitionError::from)?;
    let village = record.signed.certificate.village_code;
    let event = StatusEvent {
        kind: EventKind::Revoke,
        actor: actor.to_owned(),
        at: now,
        reason: Some(format!("piagam {} dicabut: {reason}", record.signed.certificate.number)),
    };
    status::apply_in(tx, village, event).await?;
    mark_revoked(tx, &record, actor, reason.trim(), now).await
}
