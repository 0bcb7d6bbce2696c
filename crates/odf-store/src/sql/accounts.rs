//! Users and their sessions ([`Accounts`]). Session tokens are stored only as SHA-256 hashes.

use super::*;

const USER_COLUMNS: &str =
    "id, username, display_name, password_hash, role, area, villages, disabled, created_at";

fn user_from_row(row: &DbRow) -> Result<UserRecord> {
    let role: String = row.try_get("role")?;
    let area: String = row.try_get("area")?;
    let villages: String = row.try_get("villages")?;
    let villages: Vec<String> = parse_json(&villages)?;
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("role {role}")))?,
        // "nasional" for an account covering the whole country: the column is free text already,
        // so both databases store it without a migration.
        area: area.parse().map_err(|_| StoreError::corrupt(format!("user area {area}")))?,
        villages: villages.iter().map(|v| code_of(v)).collect::<Result<_>>()?,
        disabled: row.try_get("disabled")?,
        created_at: row.try_get("created_at")?,
    })
}

/// A `sessions` row whose columns are named `{prefix}user_id`, `{prefix}kind` and so on (prefixed
/// where the session is joined with its user, whose columns keep their own names).
fn session_from_row(row: &DbRow, prefix: &str) -> Result<SessionRecord> {
    let column = |name: &str| format!("{prefix}{name}");
    let kind: String = row.try_get(column("kind").as_str())?;
    Ok(SessionRecord {
        user_id: row.try_get(column("user_id").as_str())?,
        kind: SessionKind::parse(&kind).ok_or_else(|| StoreError::corrupt(format!("session kind {kind}")))?,
        created_at: row.try_get(column("created_at").as_str())?,
        expires_at: row.try_get(column("expires_at").as_str())?,
        revoked_at: row.try_get(column("revoked_at").as_str())?,
    })
}

#[async_trait]
impl Accounts for ThisStore {
    async fn create_user(&self, user: NewUser) -> Result<UserRecord> {
        let record = UserRecord {
            id: Uuid::now_v7(),
            username: user.username,
            display_name: user.display_name,
            password_hash: user.password_hash,
            role: user.role,
            area: user.area,
            villages: user.villages,
            disabled: false,
            created_at: stored_now(),
        };
        let villages: Vec<String> = record.villages.iter().map(ToString::to_string).collect();
        self.write(async |tx| {
            let inserted = sqlx::query(&format!(
                "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ))
            .bind(record.id)
            .bind(&record.username)
            .bind(&record.display_name)
            .bind(&record.password_hash)
            .bind(record.role.as_str())
            .bind(record.area.to_string())
            .bind(json_of(&villages))
            .bind(record.disabled)
            .bind(record.created_at)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                    Err(StoreError::UsernameTaken(record.username.clone()))
                }
                other => other.map(drop).map_err(StoreError::from),
            }
        })
        .await?;
        Ok(record)
    }

    async fn user(&self, id: Uuid) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.reader())
            .await?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    async fn list_users(&self) -> Result<Vec<UserRecord>> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY username"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<()> {
        self.write(async |tx| {
            let done = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
                .bind(disabled)
                .bind(username)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound { what: "pengguna (user)", key: username.to_owned() });
            }
            // Disabling ends every session for good, so enabling later does not revive a token that
            // was handed out (or stolen) before: the user logs in again.
            if disabled {
                sqlx::query(
                    "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL \
                     AND user_id = (SELECT id FROM users WHERE username = $2)",
                )
                .bind(stored_now())
                .bind(username)
                .execute(&mut *tx)
                .await?;
            }
            Ok(())
        })
        .await
    }

    async fn set_user_password(&self, username: &str, password_hash: &str) -> Result<()> {
        self.write(async |tx| {
            let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
                .bind(password_hash)
                .bind(username)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound { what: "pengguna (user)", key: username.to_owned() });
            }
            sqlx::query(
                "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND kind = $2 \
                 AND user_id = (SELECT id FROM users WHERE username = $3)",
            )
            .bind(stored_now())
            .bind(SessionKind::Login.as_str())
            .bind(username)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
        .await
    }

    async fn create_session(&self, session: NewSession) -> Result<()> {
        self.write(async |tx| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(session.token_hash.to_vec())
            .bind(session.user_id)
            .bind(session.kind.as_str())
            .bind(stored_now())
            .bind(plan::normalize_time(session.expires_at))
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
        .await
    }

    async fn session(&self, token_hash: [u8; 32]) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT user_id, kind, created_at, expires_at, revoked_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash.to_vec())
        .fetch_optional(self.reader())
        .await?;
        row.map(|row| session_from_row(&row, "")).transpose()
    }

    async fn session_user(&self, token_hash: [u8; 32]) -> Result<Option<(SessionRecord, UserRecord)>> {
        // The user's columns by their own names, the session's under `session_`-prefixed ones.
        let row = sqlx::query(
            "SELECT s.user_id AS session_user_id, s.kind AS session_kind, s.created_at AS session_created_at, \
             s.expires_at AS session_expires_at, s.revoked_at AS session_revoked_at, \
             u.id, u.username, u.display_name, u.password_hash, u.role, u.area, u.villages, u.disabled, \
             u.created_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash.to_vec())
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((session_from_row(&row, "session_")?, user_from_row(&row)?)))
    }

    async fn revoke_session(&self, token_hash: [u8; 32]) -> Result<bool> {
        self.write(async |tx| {
            let done = sqlx::query(
                "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
            )
            .bind(stored_now())
            .bind(token_hash.to_vec())
            .execute(&mut *tx)
            .await?;
            Ok(done.rows_affected() > 0)
        })
        .await
    }

    async fn create_keyed_session(&self, session: NewSession, key: LoginKey) -> Result<KeyedSession> {
        self.write(async |tx| {
            let now = stored_now();
            // A key of an older, revoked or expired session is given up, so that it opens a new one.
            let earlier = sqlx::query(
                "SELECT token_hash, created_at, expires_at, revoked_at FROM sessions \
                 WHERE user_id = $1 AND login_key_hash = $2",
            )
            .bind(session.user_id)
            .bind(key.key_hash.to_vec())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = earlier {
                let created_at: DateTime<Utc> = row.try_get("created_at")?;
                let expires_at: DateTime<Utc> = row.try_get("expires_at")?;
                let revoked_at: Option<DateTime<Utc>> = row.try_get("revoked_at")?;
                if created_at < key.not_before || revoked_at.is_some() || expires_at <= now {
                    let token_hash: Vec<u8> = row.try_get("token_hash")?;
                    sqlx::query("UPDATE sessions SET login_key_hash = NULL WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            // Writes run one at a time (`write`), so a live session under the key was seen above;
            // the unique index still keeps the key to one row should that ever change.
            sqlx::query(
                "INSERT INTO sessions \
                 (token_hash, user_id, kind, created_at, expires_at, login_key_hash, token_salt) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(session.token_hash.to_vec())
            .bind(session.user_id)
            .bind(session.kind.as_str())
            .bind(now)
            .bind(plan::normalize_time(session.expires_at))
            .bind(key.key_hash.to_vec())
            .bind(key.token_salt.to_vec())
            .execute(&mut *tx)
            .await?;
            let row = sqlx::query(
                "SELECT token_hash, token_salt, expires_at FROM sessions \
                 WHERE user_id = $1 AND login_key_hash = $2",
            )
            .bind(session.user_id)
            .bind(key.key_hash.to_vec())
            .fetch_one(&mut *tx)
            .await?;
            let bytes = |column: &str| -> Result<[u8; 32]> {
                let value: Option<Vec<u8>> = row.try_get(column)?;
                value
                    .and_then(|v| <[u8; 32]>::try_from(v).ok())
                    .ok_or_else(|| StoreError::corrupt(format!("sessions.{column}")))
            };
            let token_hash = bytes("token_hash")?;
            Ok(KeyedSession {
                created: token_hash == session.token_hash,
                token_hash,
                token_salt: bytes("token_salt")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .await
    }
}
