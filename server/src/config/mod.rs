//! The server's settings, from one TOML file (`--config FILE` or `ODF_CONFIG`), `ODF_*` environment
//! variables and command-line flags. The strongest source wins: flags, then the environment, then
//! the file, then the defaults. `docs/odf-server.example.toml` documents every key with its
//! variable and default.
//!
//! Values are checked when the settings are resolved, so a server never starts with a team size it
//! cannot use or a negative window. [`Settings::to_toml`] prints the effective settings (`odf-server
//! config`) with the database password hidden; what it prints is itself a valid config file.

mod layer;
#[cfg(test)]
mod tests;

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::Duration;

use odf_domain::TeamRules;
use odf_domain::verification::MIN_TEAM;
use odf_store::DatabaseUrl;
use thiserror::Error;

pub use layer::{
    ConfigLayer, Dhis2Layer, ENV_VARS, LoginLayer, PhotosLayer, SessionLayer, SyncLayer, TimeoutsLayer,
    VerificationLayer, VisitsLayer, WebLayer, env_var,
};

use crate::ServerConfig;
use crate::routes::export::Dhis2Mapping;

/// The database when none is configured: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://odf.db";
/// The listen address when none is configured.
pub const DEFAULT_BIND: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
/// The photos' folder inside the data directory when `photos.dir` is not set.
pub const PHOTOS_SUBDIR: &str = "photos";
/// The variable naming the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "ODF_CONFIG";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("tidak dapat membaca berkas konfigurasi {path}: {source} (cannot read the config file)")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("berkas konfigurasi {path} tidak sah (invalid config file): {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{var}={value:?}: {message}")]
    Env { var: String, value: String, message: String },
    #[error("{setting}: {message}")]
    Invalid { setting: String, message: String },
}

/// Everything `odf-server` needs to run: where the data is, where to listen, and the server's own
/// settings ([`ServerConfig`], with `data_dir` always set).
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    pub server: ServerConfig,
}

/// A setting's name in errors: the file key and its variable, so either can be found and fixed.
fn setting(key: &str) -> String {
    format!("{key} ({})", env_var(key))
}

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { setting: setting(key), message: message.into() }
}

/// `value` (or `default` when unset) when it lies in `range`, else an error naming the setting.
fn ranged(
    key: &str,
    value: Option<i64>,
    default: i64,
    range: RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    let value = value.unwrap_or(default);
    if range.contains(&value) {
        return Ok(value);
    }
    let (low, high) = (range.start(), range.end());
    Err(invalid(key, format!("{value} di luar batas {low}..{high} (must be between {low} and {high})")))
}

/// A whole count (records, bytes, failures) that has passed [`ranged`].
fn count(
    key: &str,
    value: Option<i64>,
    default: usize,
    range: RangeInclusive<i64>,
) -> Result<usize, ConfigError> {
    let default = i64::try_from(default).unwrap_or(i64::MAX);
    let value = ranged(key, value, default, range)?;
    usize::try_from(value).map_err(|err| invalid(key, err.to_string()))
}

fn text(key: &str, value: Option<String>, default: String) -> Result<String, ConfigError> {
    let value = value.unwrap_or(default);
    if value.trim().is_empty() {
        return Err(invalid(key, "tidak boleh kosong (must not be empty)"));
    }
    Ok(value)
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            bind: DEFAULT_BIND,
            server: ServerConfig {
                data_dir: Some(crate::keys::default_data_dir(DEFAULT_DATABASE_URL)),
                photo_dir: Some(crate::keys::default_data_dir(DEFAULT_DATABASE_URL).join(PHOTOS_SUBDIR)),
                ..ServerConfig::default()
            },
        }
    }
}

impl Settings {
    /// The settings from `flags` over the `ODF_*` variables (read through `env`) over the config
    /// file (`file`, else the one `ODF_CONFIG` names, else none) over the defaults.
    pub fn load(
        file: Option<&Path>,
        flags: ConfigLayer,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let from_env = ConfigLayer::from_env(&env)?;
        let path = file
            .map(Path::to_path_buf)
            .or_else(|| env(CONFIG_ENV).filter(|p| !p.trim().is_empty()).map(PathBuf::from));
        let from_file = match path {
            Some(path) => read_file(&path)?,
            None => ConfigLayer::default(),
        };
        Settings::resolve(flags.or(from_env).or(from_file))
    }

    /// Fills what `layer` leaves unset with the defaults and checks every value.
    pub fn resolve(layer: ConfigLayer) -> Result<Settings, ConfigError> {
        let defaults = ServerConfig::default();
        let database_url = text("database_url", layer.database_url, DEFAULT_DATABASE_URL.to_owned())?;
        // The parse error names the problem; the URL itself is not repeated, it may hold a password.
        DatabaseUrl::parse(&database_url).map_err(|err| invalid("database_url", err.to_string()))?;
        let public_url = text("public_url", layer.public_url, defaults.public_url.clone())?;
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(invalid(
                "public_url",
                format!(
                    "{public_url:?} harus diawali http:// atau https:// (must start with http:// or https://)"
                ),
            ));
        }
        let data_dir = match layer.data_dir {
            Some(dir) if dir.as_os_str().is_empty() => {
                return Err(invalid("data_dir", "tidak boleh kosong (must not be empty)"));
            }
            Some(dir) => dir,
            None => crate::keys::default_data_dir(&database_url),
        };

        // Upper bounds keep every duration far inside what chrono can hold.
        let ttl_days =
            ranged("session.ttl_days", layer.session.ttl_days, defaults.session_ttl.num_days(), 1..=3650)?;
        let login_window = defaults.login_window.as_secs() / 60;
        let window_minutes = ranged(
            "login.window_minutes",
            layer.login.window_minutes,
            i64::try_from(login_window).unwrap_or(i64::MAX),
            1..=7 * 24 * 60,
        )?;
        let clock_skew = ranged(
            "visits.clock_skew_minutes",
            layer.visits.clock_skew_minutes,
            defaults.clock_skew.num_minutes(),
            0..=24 * 60,
        )?;
        let claim_window = ranged(
            "verification.claim_window_days",
            layer.verification.claim_window_days,
            defaults.claim_window.num_days(),
            1..=3650,
        )?;
        let gps_max_distance_m = layer.visits.gps_max_distance_m.unwrap_or(defaults.gps_max_distance_m);
        if !(gps_max_distance_m.is_finite() && gps_max_distance_m > 0.0) {
            return Err(invalid(
                "visits.gps_max_distance_m",
                format!(
                    "{gps_max_distance_m} harus lebih dari 0 meter (must be a positive distance in metres)"
                ),
            ));
        }
        let max_team = count(
            "verification.max_team_size",
            layer.verification.max_team_size,
            defaults.team_rules.max_size,
            1..=99,
        )?;
        if max_team < MIN_TEAM || max_team % 2 == 0 {
            return Err(invalid(
                "verification.max_team_size",
                format!(
                    "{max_team}: ukuran tim terbesar harus ganjil dan minimal {MIN_TEAM} \
                     (the largest team must be an odd number, at least {MIN_TEAM})"
                ),
            ));
        }
        let dhis2 = Dhis2Mapping {
            kk: text("dhis2.kk", layer.dhis2.kk, defaults.dhis2.kk.clone())?,
            kk_access: text("dhis2.kk_access", layer.dhis2.kk_access, defaults.dhis2.kk_access.clone())?,
            villages: text("dhis2.villages", layer.dhis2.villages, defaults.dhis2.villages.clone())?,
            villages_sbs: text(
                "dhis2.villages_sbs",
                layer.dhis2.villages_sbs,
                defaults.dhis2.villages_sbs.clone(),
            )?,
            org_unit_prefix: layer
                .dhis2
                .org_unit_prefix
                .unwrap_or_else(|| defaults.dhis2.org_unit_prefix.clone()),
        };

        let seconds = |key: &'static str, set: Option<i64>, default: Duration| {
            let default = i64::try_from(default.as_secs()).unwrap_or(i64::MAX);
            ranged(key, set, default, 1..=3600).map(|s| Duration::from_secs(s.unsigned_abs()))
        };
        let header_timeout =
            seconds("timeouts.header_seconds", layer.timeouts.header_seconds, defaults.header_timeout)?;
        let body_timeout =
            seconds("timeouts.body_seconds", layer.timeouts.body_seconds, defaults.body_timeout)?;

        let web_public_area = match layer.web.public_area.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                odf_domain::AreaCode::parse(text)
                    .map_err(|err| invalid("web.public_area", format!("{text:?}: {err}")))?,
            ),
        };

        let photo_dir = match layer.photos.dir {
            Some(dir) if dir.as_os_str().is_empty() => {
                return Err(invalid("photos.dir", "tidak boleh kosong (must not be empty)"));
            }
            Some(dir) => dir,
            None => data_dir.join(PHOTOS_SUBDIR),
        };
        let default_photo_bytes = i64::try_from(defaults.max_photo_bytes).unwrap_or(i64::MAX);
        // At least 64 KiB (a small JPEG); at most 100 MiB, which no phone photo needs.
        let max_photo_bytes =
            ranged("photos.max_bytes", layer.photos.max_bytes, default_photo_bytes, 65_536..=100 << 20)?;

        let server = ServerConfig {
            photo_dir: Some(photo_dir),
            max_photo_bytes: max_photo_bytes.unsigned_abs(),
            web_public_area,
            header_timeout,
            body_timeout,
            session_ttl: chrono::Duration::days(ttl_days),
            clock_skew: chrono::Duration::minutes(clock_skew),
            gps_max_distance_m,
            max_push_records: count(
                "sync.max_push_records",
                layer.sync.max_push_records,
                defaults.max_push_records,
                1..=1_000_000,
            )?,
            // Below 64 KiB a single household with its visits might not fit.
            max_push_bytes: count(
                "sync.max_push_bytes",
                layer.sync.max_push_bytes,
                defaults.max_push_bytes,
                65_536..=1 << 30,
            )?,
            login_max_failures: count(
                "login.max_failures",
                layer.login.max_failures,
                defaults.login_max_failures,
                1..=1000,
            )?,
            login_window: Duration::from_secs(u64::try_from(window_minutes).unwrap_or(0) * 60),
            // Each check holds ~19 MB while it runs: 64 at once is already over 1 GB.
            login_max_concurrent: count(
                "login.max_concurrent",
                layer.login.max_concurrent,
                defaults.login_max_concurrent,
                1..=64,
            )?,
            dhis2,
            data_dir: Some(data_dir),
            public_url,
            claim_window: chrono::Duration::days(claim_window),
            team_rules: TeamRules { max_size: max_team },
        };
        let bind = layer.bind.unwrap_or(DEFAULT_BIND);
        Ok(Settings { database_url, bind, server })
    }

    /// Every setting as a layer, the password included (the caller decides what to show).
    fn layer(&self) -> ConfigLayer {
        let c = &self.server;
        let whole = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        ConfigLayer {
            database_url: Some(self.database_url.clone()),
            bind: Some(self.bind),
            public_url: Some(c.public_url.clone()),
            data_dir: c.data_dir.clone(),
            session: SessionLayer { ttl_days: Some(c.session_ttl.num_days()) },
            login: LoginLayer {
                max_failures: Some(whole(c.login_max_failures)),
                window_minutes: Some(i64::try_from(c.login_window.as_secs() / 60).unwrap_or(i64::MAX)),
                max_concurrent: Some(whole(c.login_max_concurrent)),
            },
            sync: SyncLayer {
                max_push_records: Some(whole(c.max_push_records)),
                max_push_bytes: Some(whole(c.max_push_bytes)),
            },
            visits: VisitsLayer {
                clock_skew_minutes: Some(c.clock_skew.num_minutes()),
                gps_max_distance_m: Some(c.gps_max_distance_m),
            },
            verification: VerificationLayer {
                claim_window_days: Some(c.claim_window.num_days()),
                max_team_size: Some(whole(c.team_rules.max_size)),
            },
            dhis2: Dhis2Layer {
                kk: Some(c.dhis2.kk.clone()),
                kk_access: Some(c.dhis2.kk_access.clone()),
                villages: Some(c.dhis2.villages.clone()),
                villages_sbs: Some(c.dhis2.villages_sbs.clone()),
                org_unit_prefix: Some(c.dhis2.org_unit_prefix.clone()),
            },
            timeouts: TimeoutsLayer {
                header_seconds: Some(i64::try_from(c.header_timeout.as_secs()).unwrap_or(i64::MAX)),
                body_seconds: Some(i64::try_from(c.body_timeout.as_secs()).unwrap_or(i64::MAX)),
            },
            web: WebLayer {
                // Printed even when off (as ""), so `odf-server config` shows the setting exists.
                public_area: Some(c.web_public_area.map(|a| a.to_string()).unwrap_or_default()),
            },
            photos: PhotosLayer {
                dir: c.photo_dir.clone(),
                max_bytes: Some(i64::try_from(c.max_photo_bytes).unwrap_or(i64::MAX)),
            },
        }
    }

    /// The effective settings as a config file, the database password replaced by `***`.
    pub fn to_toml(&self) -> String {
        let mut layer = self.layer();
        layer.database_url = Some(match DatabaseUrl::parse(&self.database_url) {
            Ok(url) => url.redacted(),
            // Resolved settings always parse; if not, show nothing rather than a secret.
            Err(_) => "***".to_owned(),
        });
        let body = toml::to_string(&layer).unwrap_or_else(|err| format!("# (cannot print: {err})\n"));
        format!(
            "# odf-server: pengaturan yang berlaku (effective settings).\n\
             # Urutan (precedence): flag > variabel ODF_* > berkas --config > bawaan (defaults).\n{body}"
        )
    }
}

/// Reads and parses a config file.
pub fn read_file(path: &Path) -> Result<ConfigLayer, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
    ConfigLayer::from_toml(&text)
        .map_err(|err| ConfigError::Parse { path: path.to_path_buf(), message: err.to_string() })
}
