//! What the admin commands of `odf-server` do, as library functions (the CLI, the demo and the tests
//! call the same code). Every change made here is written to the audit log.

use std::path::Path;

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, AreaRef, Place, Role, Wilayah};
use odf_store::{
    AnyStore, AreaBoundary, AreasPreview, DatabaseUrl, ImportReport, NewAuditEntry, NewSession, NewUser,
    RecountReport, SessionKind, StoreError, UserRecord, parse_boundaries,
};
use serde_json::json;
use thiserror::Error;

use crate::auth::{hash_password, new_token};

#[derive(Debug, Error)]
pub enum CommandError {
    #[error("tidak dapat membaca {path}: {source} (cannot read file)")]
    Read { path: String, source: std::io::Error },
    #[error("{0}")]
    Invalid(String),
    /// The database could not be opened; `url` has its password hidden.
    #[error("basis data {url}: {source} (cannot open the database)")]
    Open { url: String, source: StoreError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type CommandResult<T> = Result<T, CommandError>;

/// An error and its causes on one line, each cause left out when the message before it already
/// says it (many errors here repeat their cause in their own message).
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let said = inner.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = inner.source();
    }
    text
}

/// Opens the database at `url` (migrating it, as every command and the server do on start).
pub async fn open_store(url: &str) -> CommandResult<AnyStore> {
    let url = DatabaseUrl::parse(url)?;
    tracing::info!(database = %url, "opening database");
    AnyStore::open(&url).await.map_err(|source| CommandError::Open { url: url.redacted(), source })
}

fn read(path: &Path) -> CommandResult<String> {
    std::fs::read_to_string(path)
        .map_err(|source| CommandError::Read { path: path.display().to_string(), source })
}

/// What an areas import did, with the CSV rows that were refused.
#[derive(Debug)]
pub struct AreasImport {
    pub report: ImportReport,
    pub row_errors: Vec<String>,
}

/// Why a row inside the file is left out: it lies outside the importer's area.
fn outside(code: AreaCode, within: AreaRef) -> String {
    format!("{code}: di luar wilayah {within} (outside your area, not imported)")
}

/// The places of a `kode,nama[,level,kind]` CSV (Kemendagri codes) at or under `within`, and what
/// was wrong with the other rows (malformed, orphans, duplicates, outside the area).
fn read_areas_csv(text: &str, within: AreaRef) -> (Vec<Place>, Vec<String>) {
    let load = Wilayah::from_csv(text);
    let mut row_errors: Vec<String> = load.errors.iter().map(ToString::to_string).collect();
    let mut places = Vec::with_capacity(load.wilayah.len());
    for place in load.wilayah.iter() {
        if within.contains(place.code.into()) {
            places.push(place.clone());
        } else {
            row_errors.push(outside(place.code, within));
        }
    }
    (places, row_errors)
}

/// What importing the CSV at or under `within` would change now, writing nothing (the web's
/// preview; the import itself is [`import_areas_within`]).
pub async fn preview_areas_csv(
    store: &AnyStore,
    text: &str,
    within: AreaRef,
) -> CommandResult<(AreasPreview, Vec<String>)> {
    let (places, row_errors) = read_areas_csv(text, within);
    Ok((store.preview_areas(&places).await?, row_errors))
}

/// Imports a `kode,nama[,level,kind]` CSV (Kemendagri codes). Bad rows are reported and skipped;
/// good rows are imported idempotently.
pub async fn import_areas_csv(store: &AnyStore, text: &str, actor: &str) -> CommandResult<AreasImport> {
    import_areas_within(store, text, AreaRef::Nasional, actor).await
}

/// [`import_areas_csv`] for an admin of `within`: rows outside it are reported, not imported.
pub async fn import_areas_within(
    store: &AnyStore,
    text: &str,
    within: AreaRef,
    actor: &str,
) -> CommandResult<AreasImport> {
    let (places, row_errors) = read_areas_csv(text, within);
    let report = store.import_areas(&places).await?;
    audit(
        store,
        actor,
        "areas.import",
        within.code(),
        json!({ "inserted": report.inserted, "updated": report.updated, "rejected_rows": row_errors.len() }),
    )
    .await?;
    Ok(AreasImport { report, row_errors })
}

pub async fn import_areas_file(store: &AnyStore, path: &Path, actor: &str) -> CommandResult<AreasImport> {
    import_areas_csv(store, &read(path)?, actor).await
}

/// The boundaries of a GeoJSON FeatureCollection (features with a `kode` property) at or under
/// `within`, and a problem per other feature.
fn read_boundaries(text: &str, within: AreaRef) -> CommandResult<(Vec<AreaBoundary>, Vec<String>)> {
    let (boundaries, problems) =
        parse_boundaries(text).map_err(|err| CommandError::Invalid(err.to_string()))?;
    let mut row_errors: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let (inside, others): (Vec<_>, Vec<_>) =
        boundaries.into_iter().partition(|b| within.contains(b.code.into()));
    row_errors.extend(others.iter().map(|b| outside(b.code, within)));
    Ok((inside, row_errors))
}

/// What importing the boundaries at or under `within` would change now, writing nothing.
pub async fn preview_boundaries_geojson(
    store: &AnyStore,
    text: &str,
    within: AreaRef,
) -> CommandResult<AreasImport> {
    let (boundaries, row_errors) = read_boundaries(text, within)?;
    Ok(AreasImport { report: store.preview_boundaries(&boundaries).await?, row_errors })
}

/// Imports a GeoJSON FeatureCollection of boundaries (features with a `kode` property).
pub async fn import_boundaries_geojson(
    store: &AnyStore,
    text: &str,
    actor: &str,
) -> CommandResult<AreasImport> {
    import_boundaries_within(store, text, AreaRef::Nasional, actor).await
}

/// [`import_boundaries_geojson`] for an admin of `within`: features outside it are reported, not
/// imported.
pub async fn import_boundaries_within(
    store: &AnyStore,
    text: &str,
    within: AreaRef,
    actor: &str,
) -> CommandResult<AreasImport> {
    let (boundaries, row_errors) = read_boundaries(text, within)?;
    let report = store.import_boundaries(&boundaries).await?;
    audit(
        store,
        actor,
        "boundaries.import",
        within.code(),
        json!({ "inserted": report.inserted, "updated": report.updated }),
    )
    .await?;
    Ok(AreasImport { report, row_errors })
}

pub async fn import_boundaries_file(
    store: &AnyStore,
    path: &Path,
    actor: &str,
) -> CommandResult<AreasImport> {
    import_boundaries_geojson(store, &read(path)?, actor).await
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct UserSpec {
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    /// An area code, or the whole country (viewers and admins only).
    pub area: AreaRef,
    pub villages: Vec<AreaCode>,
    pub password: String,
}

/// Creates a user after checking that the area and assigned villages exist and fit together.
pub async fn add_user(store: &AnyStore, spec: UserSpec, actor: &str) -> CommandResult<UserRecord> {
    let username = spec.username.trim().to_owned();
    let valid_name = !username.is_empty()
        && username.len() <= 64
        && username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !valid_name {
        return Err(CommandError::Invalid(format!(
            "nama pengguna {username:?} harus 1-64 huruf, angka, titik, garis bawah atau tanda hubung \
             (username must be 1-64 letters, digits, '.', '_' or '-')"
        )));
    }
    if spec.password.chars().count() < 8 {
        return Err(CommandError::Invalid(
            "kata sandi minimal 8 karakter (password needs 8+ characters)".to_owned(),
        ));
    }
    match spec.area {
        // The whole country is for those who read it (Kemenkes) or run a national deployment:
        // sanitarians work in villages and verifiers in their kecamatan, so a national one would
        // be a typing slip with the power to record or certify anywhere.
        AreaRef::Nasional if !matches!(spec.role, Role::Viewer | Role::Admin) => {
            return Err(CommandError::Invalid(format!(
                "cakupan nasional hanya untuk peran viewer dan admin, bukan {} (only viewers and \
                 admins can cover the whole country)",
                spec.role.as_str()
            )));
        }
        AreaRef::Nasional => {}
        AreaRef::Code(code) => {
            if store.area(code).await?.is_none() {
                return Err(CommandError::Invalid(format!(
                    "wilayah {code} belum diimpor (area not imported yet)"
                )));
            }
        }
    }
    for village in &spec.villages {
        let inside = spec.area.contains((*village).into());
        if !village.is_village() || !inside || store.area(*village).await?.is_none() {
            return Err(CommandError::Invalid(format!(
                "{village} bukan desa/kelurahan terdaftar di {} (not a registered village in the area)",
                spec.area
            )));
        }
    }
    let password = spec.password;
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|err| CommandError::Invalid(err.to_string()))?
        .map_err(CommandError::Invalid)?;
    let user = store
        .create_user(NewUser {
            display_name: spec.display_name.unwrap_or_else(|| username.clone()),
            username,
            password_hash,
            role: spec.role,
            area: spec.area,
            villages: spec.villages,
        })
        .await?;
    let details =
        json!({ "username": user.username, "role": user.role, "area": user.area, "villages": user.villages });
    audit(store, actor, "user.create", user.area.code(), details).await?;
    Ok(user)
}

pub async fn set_disabled(
    store: &AnyStore,
    username: &str,
    disabled: bool,
    actor: &str,
) -> CommandResult<()> {
    store.set_user_disabled(username, disabled).await?;
    let action = if disabled { "user.disable" } else { "user.enable" };
    audit(store, actor, action, None, json!({ "username": username })).await?;
    Ok(())
}

/// Gives `username` a new random password (returned, to be shown once) and ends their logins.
pub async fn reset_password(store: &AnyStore, username: &str, actor: &str) -> CommandResult<String> {
    let user = store
        .user_by_username(username)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "pengguna (user)", key: username.to_owned() })?;
    let password = crate::auth::random_password().map_err(CommandError::Invalid)?;
    let hashed = password.clone();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&hashed))
        .await
        .map_err(|err| CommandError::Invalid(err.to_string()))?
        .map_err(CommandError::Invalid)?;
    store.set_user_password(&user.username, &password_hash).await?;
    audit(store, actor, "user.password_reset", user.area.code(), json!({ "username": user.username }))
        .await?;
    Ok(password)
}

/// A read-only token for a dashboard, belonging to `username`, valid for `days`.
pub async fn create_viewer_token(
    store: &AnyStore,
    username: &str,
    days: i64,
    actor: &str,
) -> CommandResult<(String, DateTime<Utc>)> {
    let user = store
        .user_by_username(username)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "pengguna (user)", key: username.to_owned() })?;
    if !(1..=3650).contains(&days) {
        return Err(CommandError::Invalid("masa berlaku 1-3650 hari (days must be 1-3650)".to_owned()));
    }
    let (token, token_hash) = new_token().map_err(CommandError::Invalid)?;
    let expires_at = Utc::now() + chrono::Duration::days(days);
    store
        .create_session(NewSession { token_hash, user_id: user.id, kind: SessionKind::Viewer, expires_at })
        .await?;
    audit(
        store,
        actor,
        "token.create",
        user.area.code(),
        json!({ "username": username, "expires_at": expires_at }),
    )
    .await?;
    Ok((token, expires_at))
}

/// What a backup or restore made, for the person at the terminal.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub path: std::path::PathBuf,
    pub bytes: u64,
    /// Visits in the copy.
    pub visits: i64,
}

/// A consistent copy of the SQLite database at `target` (a new file), taken while the server runs,
/// then checked whole.
pub async fn backup(store: &AnyStore, target: &Path, actor: &str) -> CommandResult<BackupReport> {
    store.backup_to(target).await?;
    let bytes = std::fs::metadata(target)
        .map_err(|source| CommandError::Read { path: target.display().to_string(), source })?
        .len();
    let visits = odf_store::SqliteStore::check_backup(target).await?;
    audit(store, actor, "backup", None, json!({ "file": target.display().to_string(), "bytes": bytes }))
        .await?;
    Ok(BackupReport { path: target.to_path_buf(), bytes, visits })
}

/// A new SQLite database at `target_url` from a backup file, checked whole first; the target must
/// not exist. The restored database's tallies are recounted and its audit chain checked, and both
/// results are returned for the operator to see.
pub async fn restore(
    backup: &Path,
    target_url: &str,
) -> CommandResult<(BackupReport, RecountReport, odf_store::AuditCheck)> {
    let url = DatabaseUrl::parse(target_url)?;
    let Some(path) = url.sqlite_path().filter(|p| !p.is_empty()) else {
        return Err(StoreError::Backup(
            "pemulihan hanya untuk SQLite; PostgreSQL dipulihkan dengan pg_restore (restore is for SQLite; use pg_restore)"
                .to_owned(),
        )
        .into());
    };
    let target = Path::new(path);
    let store = odf_store::SqliteStore::restore(backup, target).await?;
    let store = AnyStore::new(store);
    let result = async {
        let bytes = std::fs::metadata(target)
            .map_err(|source| CommandError::Read { path: target.display().to_string(), source })?
            .len();
        let recount = store.recount().await?;
        let audit_check = store.verify_audit_chain().await?;
        let visits = store.visit_count().await?;
        Ok((BackupReport { path: target.to_path_buf(), bytes, visits }, recount, audit_check))
    }
    .await;
    store.close().await;
    result
}

pub async fn recount(store: &AnyStore) -> CommandResult<RecountReport> {
    Ok(store.recount().await?)
}

async fn audit(
    store: &AnyStore,
    actor: &str,
    action: &str,
    area: Option<AreaCode>,
    details: serde_json::Value,
) -> CommandResult<()> {
    store
        .append_audit(NewAuditEntry { actor: actor.to_owned(), action: action.to_owned(), area, details })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_names_each_cause_once() {
        let read = CommandError::Read {
            path: "areas.csv".to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        };
        // The message already holds its cause: it is not repeated.
        assert_eq!(describe(&read), read.to_string());
        let wrapped = std::io::Error::other(read);
        assert_eq!(describe(&wrapped), "tidak dapat membaca areas.csv: no such file (cannot read file)");
    }
}
