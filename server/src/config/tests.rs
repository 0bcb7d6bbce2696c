//! The config file parses, the layers stack in the documented order, bad values are refused with the
//! setting named, and what `odf-server config` prints reads back as the same settings.

use std::collections::HashMap;

use super::*;

const EXAMPLE: &str = include_str!("../../../docs/odf-server.example.toml");

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |name| map.get(name).cloned()
}

fn from_toml(text: &str) -> Result<Settings, ConfigError> {
    Settings::resolve(
        ConfigLayer::from_toml(text).map_err(|err| ConfigError::Parse {
            path: PathBuf::from("test.toml"),
            message: err.to_string(),
        })?,
    )
}

fn refused(text: &str) -> String {
    match from_toml(text) {
        Ok(settings) => panic!("accepted {text:?}: {settings:?}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn the_example_file_parses_to_the_defaults_and_names_every_variable() {
    let example = from_toml(EXAMPLE).unwrap();
    assert_eq!(example.to_toml(), Settings::default().to_toml());
    assert_eq!(Settings::resolve(ConfigLayer::default()).unwrap().to_toml(), Settings::default().to_toml());
    for (key, var) in ENV_VARS {
        let field = key.rsplit('.').next().unwrap();
        assert!(EXAMPLE.contains(&format!("\n{field} = ")), "{key} missing from the example");
        assert!(EXAMPLE.contains(var), "{var} missing from the example");
    }
}

#[test]
fn a_file_sets_every_kind_of_value() {
    let settings = from_toml(
        r#"
        database_url = "postgres://odf@db.internal/odf"
        bind = "0.0.0.0:9000"
        public_url = "https://odf.example.id"
        data_dir = "/srv/odf/keys"
        [session]
        ttl_days = 30
        [login]
        max_failures = 3
        window_minutes = 60
        max_concurrent = 4
        [sync]
        max_push_records = 500
        max_push_bytes = 1048576
        [visits]
        clock_skew_minutes = 0
        gps_max_distance_m = 350.5
        [verification]
        claim_window_days = 90
        max_team_size = 7
        [dhis2]
        kk = "a"
        kk_access = "b"
        villages = "c"
        villages_sbs = "d"
        org_unit_prefix = "ID-"
        [timeouts]
        header_seconds = 5
        body_seconds = 120
        [web]
        public_area = "74.04"
        "#,
    )
    .unwrap();
    let c = &settings.server;
    assert_eq!(settings.database_url, "postgres://odf@db.internal/odf");
    assert_eq!(settings.bind.to_string(), "0.0.0.0:9000");
    assert_eq!(c.public_url, "https://odf.example.id");
    assert_eq!(c.data_dir, Some(PathBuf::from("/srv/odf/keys")));
    assert_eq!(c.session_ttl, chrono::Duration::days(30));
    assert_eq!((c.login_max_failures, c.login_window), (3, Duration::from_secs(3600)));
    assert_eq!(c.login_max_concurrent, 4);
    assert_eq!((c.max_push_records, c.max_push_bytes), (500, 1_048_576));
    assert_eq!((c.clock_skew, c.gps_max_distance_m), (chrono::Duration::zero(), 350.5));
    assert_eq!((c.claim_window, c.team_rules.max_size), (chrono::Duration::days(90), 7));
    let d = &c.dhis2;
    assert_eq!(
        [&d.kk, &d.kk_access, &d.villages, &d.villages_sbs, &d.org_unit_prefix],
        ["a", "b", "c", "d", "ID-"]
    );
    assert_eq!((c.header_timeout, c.body_timeout), (Duration::from_secs(5), Duration::from_secs(120)));
    assert_eq!(c.web_public_area.map(|a| a.to_string()).as_deref(), Some("74.04"));
    assert!(settings.to_toml().contains("public_area = \"74.04\""));
}

#[test]
fn the_public_dashboard_area_is_off_by_default_and_set_by_variable() {
    assert_eq!(Settings::default().server.web_public_area, None);
    assert!(Settings::default().to_toml().contains("public_area = \"\""));
    let vars = env(&[("ODF_WEB_PUBLIC_AREA", "74.71")]);
    let settings = Settings::load(None, ConfigLayer::default(), vars).unwrap();
    assert_eq!(settings.server.web_public_area.map(|a| a.to_string()).as_deref(), Some("74.71"));
    assert!(refused("[web]\npublic_area = \"Buton\"").contains("ODF_WEB_PUBLIC_AREA"));
}

#[test]
fn flags_beat_the_environment_which_beats_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odf-server.toml");
    let file = "bind = \"127.0.0.1:1000\"\n\
                [verification]\nmax_team_size = 7\nclaim_window_days = 90\n\
                [session]\nttl_days = 10\n";
    std::fs::write(&path, file).unwrap();
    let vars = env(&[("ODF_MAX_TEAM_SIZE", "9"), ("ODF_SESSION_DAYS", "20"), ("ODF_BIND", "")]);
    let flags = ConfigLayer { session: SessionLayer { ttl_days: Some(30) }, ..ConfigLayer::default() };
    let settings = Settings::load(Some(&path), flags, vars).unwrap();
    // The file alone sets the claim window; the environment overrides its team size; the flag
    // overrides both for the session; an empty variable leaves the file's address alone.
    assert_eq!(settings.server.claim_window, chrono::Duration::days(90));
    assert_eq!(settings.server.team_rules.max_size, 9);
    assert_eq!(settings.server.session_ttl, chrono::Duration::days(30));
    assert_eq!(settings.bind.to_string(), "127.0.0.1:1000");

    // ODF_CONFIG names the file when --config is not given.
    let path_text = path.display().to_string();
    let by_variable = Settings::load(None, ConfigLayer::default(), env(&[(CONFIG_ENV, &path_text)])).unwrap();
    assert_eq!(by_variable.server.team_rules.max_size, 7);
}

#[test]
fn a_missing_or_broken_file_and_bad_variables_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let err = Settings::load(Some(&missing), ConfigLayer::default(), env(&[])).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }) && err.to_string().contains("nope.toml"), "{err}");

    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[verification]\nmax_team = 5\n").unwrap();
    let err = Settings::load(Some(&typo), ConfigLayer::default(), env(&[])).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }) && err.to_string().contains("max_team"), "{err}");

    let err =
        Settings::load(None, ConfigLayer::default(), env(&[("ODF_MAX_TEAM_SIZE", "lima")])).unwrap_err();
    assert!(err.to_string().starts_with("ODF_MAX_TEAM_SIZE=\"lima\""), "{err}");
    let err = Settings::load(None, ConfigLayer::default(), env(&[("ODF_BIND", "localhost")])).unwrap_err();
    assert!(matches!(err, ConfigError::Env { .. }), "{err}");
}

#[test]
fn invalid_values_are_refused_naming_the_setting() {
    let even = refused("[verification]\nmax_team_size = 4");
    assert!(
        even.contains("verification.max_team_size (ODF_MAX_TEAM_SIZE)") && even.contains("ganjil"),
        "{even}"
    );
    assert!(refused("[verification]\nmax_team_size = 1").contains("max_team_size"));
    assert!(refused("[verification]\nmax_team_size = -3").contains("max_team_size"));
    assert!(refused("[verification]\nclaim_window_days = 0").contains("claim_window_days"));
    assert!(refused("[session]\nttl_days = -1").contains("session.ttl_days (ODF_SESSION_DAYS)"));
    assert!(refused("[visits]\nclock_skew_minutes = -5").contains("clock_skew_minutes"));
    assert!(refused("[visits]\ngps_max_distance_m = 0.0").contains("gps_max_distance_m"));
    assert!(refused("[visits]\ngps_max_distance_m = nan").contains("gps_max_distance_m"));
    assert!(refused("[login]\nwindow_minutes = 0").contains("window_minutes"));
    assert!(refused("[login]\nmax_failures = 0").contains("max_failures"));
    assert!(refused("[login]\nmax_concurrent = 0").contains("max_concurrent"));
    assert!(refused("[sync]\nmax_push_bytes = 10").contains("max_push_bytes"));
    assert!(refused("[sync]\nmax_push_records = 0").contains("max_push_records"));
    assert!(refused("[timeouts]\nheader_seconds = 0").contains("timeouts.header_seconds"));
    assert!(refused("[timeouts]\nbody_seconds = 99999").contains("ODF_BODY_TIMEOUT_SECONDS"));
    assert!(refused("[dhis2]\nkk = \" \"").contains("dhis2.kk"));
    assert!(refused("public_url = \"odf.example.id\"").contains("public_url"));
    assert!(refused("data_dir = \"\"").contains("data_dir"));
    let url = refused("database_url = \"mysql://root:hunter2@db/odf\"");
    assert!(url.contains("database_url") && !url.contains("hunter2"), "{url}");
}

#[test]
fn the_printed_settings_read_back_as_the_same_settings_without_the_password() {
    let mut layer = ConfigLayer::from_toml(EXAMPLE).unwrap();
    layer.database_url = Some("postgres://odf:hunter2@db.internal/odf".to_owned());
    layer.verification.max_team_size = Some(7);
    layer.visits.gps_max_distance_m = Some(123.25);
    layer.dhis2.org_unit_prefix = Some("ID-".to_owned());
    let settings = Settings::resolve(layer.clone()).unwrap();
    let printed = settings.to_toml();
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(printed.contains("postgres://odf:***@db.internal/odf"), "{printed}");

    let read_back = ConfigLayer::from_toml(&printed).unwrap();
    // Everything but the hidden password comes back as it was.
    layer.database_url = Some("postgres://odf:***@db.internal/odf".to_owned());
    assert_eq!(read_back, layer);
    assert_eq!(Settings::resolve(read_back).unwrap().to_toml(), printed);
}
