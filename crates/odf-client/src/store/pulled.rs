//! Verifications and certificates from the change feed: stored as the wire DTOs of
//! `odf_mobile_api::field` (checked when they arrive, so reading them back is a plain decode), and
//! read back for the views. Also village names (`place` changes), kept on the `villages` row.

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, AreaKind};
use odf_mobile_api::{CertificateChangeDto, ChangeDto, PlaceChangeDto, VerificationChangeDto};
use sqlx::SqlitePool;
use uuid::Uuid;

use crate::error::{ClientError, Result};
use crate::store::Tx;

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(ClientError::corrupt)
}

/// Stores a `verification` change. Each change carries the whole verification, and pulls arrive in
/// feed order, so the row is simply replaced. Outer error: the database failed; inner: unreadable.
pub(crate) async fn apply_verification(
    tx: &mut Tx<'_>,
    change: &ChangeDto,
    now: DateTime<Utc>,
) -> Result<Result<(), String>> {
    let dto = match serde_json::from_value::<VerificationChangeDto>(change.data.clone()) {
        Ok(dto) => dto,
        Err(err) => return Ok(Err(err.to_string())),
    };
    let Ok(village) = AreaCode::parse(&dto.village) else {
        return Ok(Err(format!("bad village code {:?}", dto.village)));
    };
    if let Err(problem) = dto.sample.plan.to_domain() {
        return Ok(Err(problem.message));
    }
    sqlx::query(
        "INSERT INTO verifications (id, village, data, pulled_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET village = excluded.village, data = excluded.data, \
         pulled_at = excluded.pulled_at",
    )
    .bind(dto.id.to_string())
    .bind(village.to_string())
    .bind(to_json(&dto)?)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// Stores a `certificate` change (issued, or later revoked), keyed by the certificate id.
pub(crate) async fn apply_certificate(tx: &mut Tx<'_>, change: &ChangeDto) -> Result<Result<(), String>> {
    let dto = match serde_json::from_value::<CertificateChangeDto>(change.data.clone()) {
        Ok(dto) => dto,
        Err(err) => return Ok(Err(err.to_string())),
    };
    let code = &dto.signed.certificate.village_code;
    let Ok(village) = AreaCode::parse(code) else {
        return Ok(Err(format!("bad village code {code:?}")));
    };
    sqlx::query(
        "INSERT INTO certificates (id, area, at, data) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET area = excluded.area, at = excluded.at, data = excluded.data",
    )
    .bind(dto.signed.certificate.id.to_string())
    .bind(village.to_string())
    .bind(change.at)
    .bind(to_json(&dto)?)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// Stores a `place` change: a village's name and its parents' names. Each change carries all of
/// them, so the later one (a rename) simply replaces the earlier.
pub(crate) async fn apply_place(
    tx: &mut Tx<'_>,
    change: &ChangeDto,
    now: DateTime<Utc>,
) -> Result<Result<(), String>> {
    let dto = match serde_json::from_value::<PlaceChangeDto>(change.data.clone()) {
        Ok(dto) => dto,
        Err(err) => return Ok(Err(err.to_string())),
    };
    let Ok(village) = AreaCode::parse(&dto.code) else {
        return Ok(Err(format!("bad village code {:?}", dto.code)));
    };
    if !village.is_village() || dto.name.trim().is_empty() || AreaKind::parse(&dto.kind).is_none() {
        return Ok(Err(format!("not a village's name: {:?} {:?} {:?}", dto.code, dto.name, dto.kind)));
    }
    sqlx::query(
        "INSERT INTO villages (code, name, place_kind, kecamatan, kabupaten, updated_at)          VALUES ($1, $2, $3, $4, $5, $6)          ON CONFLICT (code) DO UPDATE SET name = excluded.name, place_kind = excluded.place_kind,          kecamatan = excluded.kecamatan, kabupaten = excluded.kabupaten, updated_at = excluded.updated_at",
    )
    .bind(village.to_string())
    .bind(dto.name.trim())
    .bind(&dto.kind)
    .bind(dto.kecamatan.as_deref())
    .bind(dto.kabupaten.as_deref())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

fn decode_verification(data: &str) -> Result<VerificationChangeDto> {
    serde_json::from_str(data).map_err(|err| ClientError::corrupt(format!("verification: {err}")))
}

/// Pulled verifications, all or of one village, oldest opening first.
pub(crate) async fn verifications(
    pool: &SqlitePool,
    village: Option<AreaCode>,
) -> Result<Vec<VerificationChangeDto>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT data FROM verifications WHERE $1 IS NULL OR village = $1 ORDER BY village, id",
    )
    .bind(village.map(|v| v.to_string()))
    .fetch_all(pool)
    .await?;
    let mut list: Vec<VerificationChangeDto> =
        rows.iter().map(|data| decode_verification(data)).collect::<Result<_>>()?;
    list.sort_by_key(|v| (v.opened_at, v.id));
    Ok(list)
}

pub(crate) async fn verification(pool: &SqlitePool, id: Uuid) -> Result<Option<VerificationChangeDto>> {
    let row: Option<String> = sqlx::query_scalar("SELECT data FROM verifications WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.map(|data| decode_verification(&data)).transpose()
}

/// Pulled certificates, all or of one village. Rows an older version stored in another shape are
/// passed over (logged), not an error: they were never shown.
pub(crate) async fn certificates(
    pool: &SqlitePool,
    village: Option<AreaCode>,
) -> Result<Vec<CertificateChangeDto>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, data FROM certificates WHERE $1 IS NULL OR area = $1 ORDER BY area, id")
            .bind(village.map(|v| v.to_string()))
            .fetch_all(pool)
            .await?;
    let mut list = Vec::with_capacity(rows.len());
    for (id, data) in rows {
        match serde_json::from_str::<CertificateChangeDto>(&data) {
            Ok(dto) => list.push(dto),
            Err(err) => tracing::warn!(%id, %err, "passed over a stored certificate in an older shape"),
        }
    }
    list.sort_by(|a, b| {
        let key = |c: &CertificateChangeDto| (c.signed.certificate.issued_on, c.signed.certificate.id);
        key(a).cmp(&key(b))
    });
    Ok(list)
}
