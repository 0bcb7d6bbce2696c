//! Database URLs: `sqlite://path/to/file.db` or `postgres://user:password@host/db`. The password
//! never appears in `Debug` or `Display` output.

use std::fmt;

use crate::error::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL whose password is kept out of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    backend: Backend,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<DatabaseUrl, StoreError> {
        let backend = if raw.starts_with("sqlite:") {
            Backend::Sqlite
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            url::Url::parse(raw).map_err(|err| StoreError::InvalidUrl(format!("{err}")))?;
            Backend::Postgres
        } else {
            return Err(StoreError::InvalidUrl(
                "harus diawali sqlite:// atau postgres:// (must start with sqlite:// or postgres://)"
                    .to_owned(),
            ));
        };
        Ok(DatabaseUrl { raw: raw.to_owned(), backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The full URL, password included: only for handing to the driver.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// For SQLite: the file path after `sqlite://` (or `sqlite:`).
    pub fn sqlite_path(&self) -> Option<&str> {
        let rest = self.raw.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        Some(rest.split('?').next().unwrap_or(rest))
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.raw) {
            Ok(mut parsed) if parsed.password().is_some() => {
                // set_password only fails for URLs that cannot have one, which this one has.
                let _ = parsed.set_password(Some("***"));
                parsed.to_string()
            }
            _ => self.raw.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.redacted()).finish()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let url = DatabaseUrl::parse("postgres://odf:s3cret@db.example:5432/odf").unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        assert!(!format!("{url:?}").contains("s3cret"));
        assert!(!url.to_string().contains("s3cret"));
        assert!(url.expose().contains("s3cret"));
    }

    #[test]
    fn sqlite_urls_give_their_path() {
        let url = DatabaseUrl::parse("sqlite://data/odf.db").unwrap();
        assert_eq!(url.sqlite_path(), Some("data/odf.db"));
        assert_eq!(DatabaseUrl::parse("sqlite:odf.db").unwrap().sqlite_path(), Some("odf.db"));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
    }
}
