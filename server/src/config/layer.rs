//! One layer of settings, as the config file spells them: every field optional, so a file, the
//! environment and the command line each give a layer, and the first layer that sets a field wins
//! ([`ConfigLayer::or`]). The same shape, filled in completely, is what `odf-server config` prints.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Settings from one source. Field names are the config file's keys; [`ENV_VARS`] names the
/// environment variable of each.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(default)]
    pub session: SessionLayer,
    #[serde(default)]
    pub login: LoginLayer,
    #[serde(default)]
    pub sync: SyncLayer,
    #[serde(default)]
    pub visits: VisitsLayer,
    #[serde(default)]
    pub verification: VerificationLayer,
    #[serde(default)]
    pub dhis2: Dhis2Layer,
    #[serde(default)]
    pub timeouts: TimeoutsLayer,
    #[serde(default)]
    pub web: WebLayer,
    #[serde(default)]
    pub photos: PhotosLayer,
}

/// `[session]`: login tokens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_days: Option<i64>,
}

/// `[login]`: the limiter against password guessing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_failures: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<i64>,
    /// Password checks at once (each ~19 MB while it runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent: Option<i64>,
}

/// `[sync]`: how much one push may carry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_push_records: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_push_bytes: Option<i64>,
}

/// `[visits]`: checks on what phones record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitsLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew_minutes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gps_max_distance_m: Option<f64>,
}

/// `[verification]`: the rules of claims and verification teams.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_window_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_team_size: Option<i64>,
}

/// `[dhis2]`: the data elements and org unit ids of the DHIS2 export.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dhis2Layer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kk_access: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub villages: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub villages_sbs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_unit_prefix: Option<String>,
}

/// `[timeouts]`: how long a client may take to send a request, so a slow one cannot hold a
/// connection open.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeoutsLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_seconds: Option<i64>,
}

/// `[web]`: the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebLayer {
    /// An area code whose aggregates (and those of everything under it) are public: shown without
    /// sign-in, never with names. Unset (the default): every page needs sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_area: Option<String>,
}

/// `[photos]`: where photo bytes are kept and how large one may be.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotosLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<i64>,
}

/// Every setting's config file key and environment variable.
pub const ENV_VARS: [(&str, &str); 24] = [
    ("database_url", "ODF_DATABASE_URL"),
    ("bind", "ODF_BIND"),
    ("public_url", "ODF_PUBLIC_URL"),
    ("data_dir", "ODF_DATA_DIR"),
    ("session.ttl_days", "ODF_SESSION_DAYS"),
    ("login.max_failures", "ODF_LOGIN_MAX_FAILURES"),
    ("login.window_minutes", "ODF_LOGIN_WINDOW_MINUTES"),
    ("login.max_concurrent", "ODF_LOGIN_MAX_CONCURRENT"),
    ("sync.max_push_records", "ODF_MAX_PUSH_RECORDS"),
    ("sync.max_push_bytes", "ODF_MAX_PUSH_BYTES"),
    ("visits.clock_skew_minutes", "ODF_CLOCK_SKEW_MINUTES"),
    ("visits.gps_max_distance_m", "ODF_GPS_MAX_DISTANCE_M"),
    ("verification.claim_window_days", "ODF_CLAIM_WINDOW_DAYS"),
    ("verification.max_team_size", "ODF_MAX_TEAM_SIZE"),
    ("dhis2.kk", "ODF_DHIS2_KK"),
    ("dhis2.kk_access", "ODF_DHIS2_KK_ACCESS"),
    ("dhis2.villages", "ODF_DHIS2_VILLAGES"),
    ("dhis2.villages_sbs", "ODF_DHIS2_VILLAGES_SBS"),
    ("dhis2.org_unit_prefix", "ODF_DHIS2_ORG_UNIT_PREFIX"),
    ("timeouts.header_seconds", "ODF_HEADER_TIMEOUT_SECONDS"),
    ("timeouts.body_seconds", "ODF_BODY_TIMEOUT_SECONDS"),
    ("web.public_area", "ODF_WEB_PUBLIC_AREA"),
    ("photos.dir", "ODF_PHOTO_DIR"),
    ("photos.max_bytes", "ODF_MAX_PHOTO_BYTES"),
];

/// The environment variable of a config file key (for error messages).
pub fn env_var(key: &str) -> &'static str {
    ENV_VARS.iter().find(|(k, _)| *k == key).map_or("", |(_, var)| var)
}

/// Reads one variable: unset and empty are the same (an empty `ODF_BIND=` sets nothing).
fn value<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
) -> Result<Option<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let var = env_var(key);
    match lookup(var).filter(|v| !v.trim().is_empty()) {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|err: T::Err| ConfigError::Env {
            var: var.to_owned(),
            value: text,
            message: err.to_string(),
        }),
    }
}

impl ConfigLayer {
    /// Parses a config file's text.
    pub fn from_toml(text: &str) -> Result<ConfigLayer, toml::de::Error> {
        toml::from_str(text)
    }

    /// The layer of the `ODF_*` variables, read through `lookup` (`std::env::var` in the binary, a
    /// map in tests).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<ConfigLayer, ConfigError> {
        let get = &lookup;
        Ok(ConfigLayer {
            database_url: value(get, "database_url")?,
            bind: value(get, "bind")?,
            public_url: value(get, "public_url")?,
            data_dir: value(get, "data_dir")?,
            session: SessionLayer { ttl_days: value(get, "session.ttl_days")? },
            login: LoginLayer {
                max_failures: value(get, "login.max_failures")?,
                window_minutes: value(get, "login.window_minutes")?,
                max_concurrent: value(get, "login.max_concurrent")?,
            },
            sync: SyncLayer {
                max_push_records: value(get, "sync.max_push_records")?,
                max_push_bytes: value(get, "sync.max_push_bytes")?,
            },
            visits: VisitsLayer {
                clock_skew_minutes: value(get, "visits.clock_skew_minutes")?,
                gps_max_distance_m: value(get, "visits.gps_max_distance_m")?,
            },
            verification: VerificationLayer {
                claim_window_days: value(get, "verification.claim_window_days")?,
                max_team_size: value(get, "verification.max_team_size")?,
            },
            dhis2: Dhis2Layer {
                kk: value(get, "dhis2.kk")?,
                kk_access: value(get, "dhis2.kk_access")?,
                villages: value(get, "dhis2.villages")?,
                villages_sbs: value(get, "dhis2.villages_sbs")?,
                // An empty variable reads as unset, so only the file can set the prefix back to "".
                org_unit_prefix: value(get, "dhis2.org_unit_prefix")?,
            },
            timeouts: TimeoutsLayer {
                header_seconds: value(get, "timeouts.header_seconds")?,
                body_seconds: value(get, "timeouts.body_seconds")?,
            },
            web: WebLayer { public_area: value(get, "web.public_area")? },
            photos: PhotosLayer {
                dir: value(get, "photos.dir")?,
                max_bytes: value(get, "photos.max_bytes")?,
            },
        })
    }

    /// This layer over `lower`: each field from here when set here, else from `lower`.
    #[must_use]
    pub fn or(self, lower: ConfigLayer) -> ConfigLayer {
        ConfigLayer {
            database_url: self.database_url.or(lower.database_url),
            bind: self.bind.or(lower.bind),
            public_url: self.public_url.or(lower.public_url),
            data_dir: self.data_dir.or(lower.data_dir),
            session: SessionLayer { ttl_days: self.session.ttl_days.or(lower.session.ttl_days) },
            login: LoginLayer {
                max_failures: self.login.max_failures.or(lower.login.max_failures),
                window_minutes: self.login.window_minutes.or(lower.login.window_minutes),
                max_concurrent: self.login.max_concurrent.or(lower.login.max_concurrent),
            },
            sync: SyncLayer {
                max_push_records: self.sync.max_push_records.or(lower.sync.max_push_records),
                max_push_bytes: self.sync.max_push_bytes.or(lower.sync.max_push_bytes),
            },
            visits: VisitsLayer {
                clock_skew_minutes: self.visits.clock_skew_minutes.or(lower.visits.clock_skew_minutes),
                gps_max_distance_m: self.visits.gps_max_distance_m.or(lower.visits.gps_max_distance_m),
            },
            verification: VerificationLayer {
                claim_window_days: self
                    .verification
                    .claim_window_days
                    .or(lower.verification.claim_window_days),
                max_team_size: self.verification.max_team_size.or(lower.verification.max_team_size),
            },
            dhis2: Dhis2Layer {
                kk: self.dhis2.kk.or(lower.dhis2.kk),
                kk_access: self.dhis2.kk_access.or(lower.dhis2.kk_access),
                villages: self.dhis2.villages.or(lower.dhis2.villages),
                villages_sbs: self.dhis2.villages_sbs.or(lower.dhis2.villages_sbs),
                org_unit_prefix: self.dhis2.org_unit_prefix.or(lower.dhis2.org_unit_prefix),
            },
            timeouts: TimeoutsLayer {
                header_seconds: self.timeouts.header_seconds.or(lower.timeouts.header_seconds),
                body_seconds: self.timeouts.body_seconds.or(lower.timeouts.body_seconds),
            },
            web: WebLayer { public_area: self.web.public_area.or(lower.web.public_area) },
            photos: PhotosLayer {
                dir: self.photos.dir.or(lower.photos.dir),
                max_bytes: self.photos.max_bytes.or(lower.photos.max_bytes),
            },
        }
    }
}
