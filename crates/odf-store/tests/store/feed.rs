//! The lean change feed (migrations 0010 and 0011): visits and households are pulled from their
//! rows, exactly as phones got them when the feed kept a JSON copy, also for a database written
//! before the migrations.

use chrono::SubsecRound;
use chrono::{DateTime, Duration, TimeZone, Utc};
use odf_domain::{AreaCode, Category, Checklist, GeoPoint, GpsFlag, HouseholdChanges, Scope, Visit};
use odf_store::testing::RawDb;
use odf_store::*;
use serde_json::Value;
use sqlx::Connection;
use uuid::Uuid;

use crate::common::*;
use crate::edits::{edit, push_edits};

/// What a pull hands out, compared whole.
type Pulled = (i64, ChangeKind, String, AreaCode, DateTime<Utc>, Value);

fn pulled(page: &ChangePage) -> Vec<Pulled> {
    page.changes
        .iter()
        .map(|c| (c.seq, c.kind, c.entity_id.clone(), c.area, c.at, c.payload.clone()))
        .collect()
}

async fn pull_all(store: &AnyStore) -> Vec<Pulled> {
    let page = store.changes_since(&Scope::All, 0, 1000).await.unwrap();
    assert!(!page.has_more);
    pulled(&page)
}

/// The tables 0010 and 0011 change, as migrations 0001 to 0009 left them.
const OLD_SQLITE: &str = "
CREATE TABLE visits (
    id BLOB PRIMARY KEY NOT NULL, household_id BLOB NOT NULL REFERENCES households (id),
    village_code TEXT NOT NULL, sanitarian TEXT NOT NULL, visited_at TEXT NOT NULL, category TEXT NOT NULL,
    checklist TEXT NOT NULL, lat REAL, lng REAL, photo_sha256 TEXT, device_id TEXT NOT NULL,
    flags TEXT NOT NULL, content_hash BLOB NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX visits_household ON visits (household_id);
CREATE INDEX visits_village ON visits (village_code, id);
CREATE INDEX visits_by_photo ON visits (photo_sha256, village_code) WHERE photo_sha256 IS NOT NULL;
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, entity_id TEXT NOT NULL,
    area_code TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL);
CREATE INDEX changes_area ON changes (area_code, seq);
";

const OLD_POSTGRES: &str = "
CREATE TABLE visits (
    id UUID PRIMARY KEY NOT NULL, household_id UUID NOT NULL REFERENCES households (id),
    village_code TEXT COLLATE \"C\" NOT NULL, sanitarian TEXT NOT NULL, visited_at TIMESTAMPTZ NOT NULL,
    category TEXT NOT NULL, checklist TEXT NOT NULL, lat DOUBLE PRECISION, lng DOUBLE PRECISION,
    photo_sha256 TEXT, device_id TEXT NOT NULL, flags TEXT NOT NULL, content_hash BYTEA NOT NULL,
    received_at TIMESTAMPTZ NOT NULL);
CREATE INDEX visits_household ON visits (household_id);
CREATE INDEX visits_village ON visits (village_code, id);
CREATE INDEX visits_by_photo ON visits (photo_sha256, village_code) WHERE photo_sha256 IS NOT NULL;
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, entity_id TEXT NOT NULL,
    area_code TEXT COLLATE \"C\" NOT NULL, at TIMESTAMPTZ NOT NULL, payload TEXT NOT NULL);
CREATE INDEX changes_area ON changes (area_code, seq);
";

/// SQL literals in each backend's old representation (what sqlx wrote for these types).
struct Old {
    sqlite: bool,
}

impl Old {
    fn text(&self, text: &str) -> String {
        format!("'{}'", text.replace('\'', "''"))
    }

    fn uuid(&self, id: Uuid) -> String {
        if self.sqlite { format!("X'{}'", id.simple()) } else { format!("'{id}'") }
    }

    fn bytes(&self, bytes: &[u8]) -> String {
        if self.sqlite {
            format!("X'{}'", hex::encode(bytes))
        } else {
            format!("'\\x{}'::bytea", hex::encode(bytes))
        }
    }

    /// sqlx wrote `DateTime<Utc>` to SQLite as RFC 3339 with `+00:00` and as many fraction digits
    /// as needed (0, 3, 6 or 9); PostgreSQL reads the same text as a TIMESTAMPTZ.
    fn time(&self, at: DateTime<Utc>) -> String {
        self.text(&at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
    }

    fn real(&self, value: Option<f64>) -> String {
        value.map_or("NULL".to_owned(), |v| format!("{v:?}"))
    }

    fn visit_row(&self, v: &Visit, village: &str, flags: &[GpsFlag], received_at: DateTime<Utc>) -> String {
        format!(
            "INSERT INTO visits (id, household_id, village_code, sanitarian, visited_at, category, checklist, lat, \
             lng, photo_sha256, device_id, flags, content_hash, received_at) VALUES ({}, {}, {}, {}, {}, {}, {}, \
             {}, {}, {}, {}, {}, {}, {});\n",
            self.uuid(v.id),
            self.uuid(v.household_id),
            self.text(village),
            self.text(&v.sanitarian),
            self.time(v.visited_at),
            self.text(v.category.as_str()),
            self.text(&serde_json::to_string(&v.checklist).unwrap()),
            self.real(v.gps.map(GeoPoint::lat)),
            self.real(v.gps.map(GeoPoint::lng)),
            v.photo_sha256.as_deref().map_or("NULL".to_owned(), |p| self.text(p)),
            self.text(&v.device_id),
            self.text(&serde_json::to_string(flags).unwrap()),
            self.bytes(&[7; 32]),
            self.time(received_at),
        )
    }

    fn change_row(&self, kind: &str, entity: &str, area: &str, at: DateTime<Utc>, payload: &Value) -> String {
        format!(
            "INSERT INTO changes (kind, entity_id, area_code, at, payload) VALUES ({}, {}, {}, {}, {});\n",
            self.text(kind),
            self.text(entity),
            self.text(area),
            self.time(at),
            self.text(&payload.to_string())
        )
    }
}

fn household_payload(h: &odf_domain::Household, revision: i64) -> Value {
    let mut payload = serde_json::to_value(h).unwrap();
    payload["revision"] = revision.into();
    payload
}

async fn seqs(raw: &RawDb, sqlite: bool) -> Vec<i64> {
    let sql = "SELECT seq FROM changes ORDER BY seq";
    if sqlite {
        let mut conn = sqlx::SqliteConnection::connect(raw.url()).await.unwrap();
        sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::PgConnection::connect(raw.url()).await.unwrap();
        sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
    }
}

pub(crate) async fn a_database_written_before_the_lean_feed_pulls_the_same_changes(
    store: AnyStore,
    raw: RawDb,
) {
    let sqlite = store.backend_name() == "sqlite";
    let old = Old { sqlite };
    with_demo_places(&store).await;
    let (home, edited) = (household(VILLAGE_A, 2), household(VILLAGE_B, 1));
    store.ingest(batch(&[home.clone(), edited.clone()], &[])).await.unwrap();
    let renamed =
        HouseholdChanges { head_name: Some("Wa Ode Baru".to_owned()), ..HouseholdChanges::default() };
    push_edits(&store, &[edit(&edited, 1, 0, renamed)]).await;
    let edited_now = store.household(edited.id).await.unwrap().unwrap();
    assert_eq!(edited_now.revision, 2);

    // The tables as 0009 left them, the place names the import wrote kept.
    let keep = "CREATE TABLE kept AS SELECT seq, kind, entity_id, area_code, at, payload FROM changes \
                WHERE kind = 'place';\nDROP TABLE visits;\nDROP TABLE changes;\n";
    raw.execute(&format!("{keep}{}", if sqlite { OLD_SQLITE } else { OLD_POSTGRES })).await;
    raw.execute(
        "INSERT INTO changes (seq, kind, entity_id, area_code, at, payload) \
         SELECT seq, kind, entity_id, area_code, at, payload FROM kept ORDER BY seq; DROP TABLE kept;",
    )
    .await;
    if !sqlite {
        raw.execute("SELECT setval('changes_seq_seq', (SELECT MAX(seq) FROM changes))").await;
    }

    // Visits of every shape: checklist answers yes, no and not asked; with and without GPS, photo
    // and flags; times with 0, 3 and 6 fraction digits.
    let base = Utc.with_ymd_and_hms(2026, 11, 2, 7, 30, 0).unwrap();
    let mut visits = Vec::new();
    for (i, micros) in [0_i64, 123_000, 654_321, 1].into_iter().enumerate() {
        let days = i64::try_from(i).unwrap();
        let mut v = visit(&home, Category::ALL[i % Category::ALL.len()], days);
        v.visited_at = base - Duration::days(days) + Duration::microseconds(micros);
        v.checklist = Checklist {
            closed_toilet: Some(true),
            safe_from_well: Some(false),
            strong_slab: None,
            child_faeces_safe: Some(i % 2 == 0),
            ..Checklist::default()
        };
        if i % 2 == 1 {
            v.gps = Some(GeoPoint::new(-5.591_234_567, 122.712_345_678).unwrap());
            v.photo_sha256 = Some(format!("{i:02x}").repeat(32));
        }
        visits.push(v);
    }
    let received =
        |i: usize| base + Duration::hours(1) + Duration::microseconds(i64::try_from(i).unwrap() * 1_001);
    let flags = [GpsFlag::OutsideVillage, GpsFlag::FarFromHousehold];
    let mut sql = String::new();
    sql += &old.change_row("household", &home.id.to_string(), VILLAGE_A, base, &household_payload(&home, 1));
    sql +=
        &old.change_row("household", &edited.id.to_string(), VILLAGE_B, base, &household_payload(&edited, 1));
    for (i, v) in visits.iter().enumerate() {
        let flagged: &[GpsFlag] = if i == 1 { &flags } else { &[] };
        sql += &old.visit_row(v, VILLAGE_A, flagged, received(i));
        sql += &old.change_row(
            "visit",
            &v.id.to_string(),
            VILLAGE_A,
            received(i),
            &serde_json::to_value(v).unwrap(),
        );
    }
    let later = base + Duration::hours(2);
    sql += &old.change_row(
        "household",
        &edited.id.to_string(),
        VILLAGE_B,
        later,
        &household_payload(&edited_now.household, 2),
    );
    raw.execute(&sql).await;
    let before_seqs = seqs(&raw, sqlite).await;

    // What the old feed held, as a pull handed it out.
    let mut expected: Vec<(ChangeKind, String, String, DateTime<Utc>, Value)> = Vec::new();
    let place_count = before_seqs.len() - 3 - visits.len();
    expected.push((
        ChangeKind::Household,
        home.id.to_string(),
        VILLAGE_A.into(),
        base,
        household_payload(&home, 1),
    ));
    expected.push((
        ChangeKind::Household,
        edited.id.to_string(),
        VILLAGE_B.into(),
        base,
        household_payload(&edited, 1),
    ));
    for (i, v) in visits.iter().enumerate() {
        expected.push((
            ChangeKind::Visit,
            v.id.to_string(),
            VILLAGE_A.into(),
            received(i),
            serde_json::to_value(v).unwrap(),
        ));
    }
    expected.push((
        ChangeKind::Household,
        edited.id.to_string(),
        VILLAGE_B.into(),
        later,
        household_payload(&edited_now.household, 2),
    ));

    // 0014 too: the code writes visits as it left them.
    let (visits_sql, changes_sql, lean_sql) = if sqlite {
        (
            include_str!("../../migrations/sqlite/0010_compact_visits.sql"),
            include_str!("../../migrations/sqlite/0011_lean_change_feed.sql"),
            include_str!("../../migrations/sqlite/0014_lean_visits.sql"),
        )
    } else {
        (
            include_str!("../../migrations/postgres/0010_compact_visits.sql"),
            include_str!("../../migrations/postgres/0011_lean_change_feed.sql"),
            include_str!("../../migrations/postgres/0014_lean_visits.sql"),
        )
    };
    raw.execute(visits_sql).await;
    raw.execute(changes_sql).await;
    raw.execute(lean_sql).await;

    let after = pull_all(&store).await;
    assert_eq!(after.iter().map(|c| c.0).collect::<Vec<_>>(), before_seqs, "every seq kept");
    let ours: Vec<_> = after[place_count..]
        .iter()
        .map(|(_, kind, id, area, at, payload)| (*kind, id.clone(), area.to_string(), *at, payload.clone()))
        .collect();
    assert_eq!(ours, expected);
    assert!(after[..place_count].iter().all(|c| c.1 == ChangeKind::Place));

    // The converted rows name their row; the superseded household keeps its copy.
    assert_eq!(stored_payloads(&raw, sqlite).await, place_count + 1);

    // The visits read back as they were written, the photo is found by its hash.
    let stored = store.visits_of(home.id).await.unwrap();
    let mut written = visits.clone();
    written.sort_by_key(|v| (v.visited_at, v.id));
    assert_eq!(stored.iter().map(|s| s.visit.clone()).collect::<Vec<_>>(), written);
    assert_eq!(stored.iter().find(|s| s.visit.id == visits[1].id).unwrap().flags, flags);
    assert_eq!(stored[0].received_at, received(3));
    let photo = visits[1].photo_sha256.clone().unwrap();
    assert_eq!(store.photo_villages(&photo).await.unwrap(), [code(VILLAGE_A)]);
    assert!(store.photo_villages(&"ab".repeat(32)).await.unwrap().is_empty());

    // New changes follow the old ones, never reusing a seq.
    let next = visit(&home, Category::Aman, 0);
    store.ingest(batch(&[], std::slice::from_ref(&next))).await.unwrap();
    let page = store.changes_since(&Scope::All, *before_seqs.last().unwrap(), 10).await.unwrap();
    assert_eq!(page.changes.len(), 1);
    assert!(page.changes[0].seq > *before_seqs.last().unwrap());
    assert_eq!(page.changes[0].entity_id, next.id.to_string());
}

/// Rows of `changes` that still carry a JSON payload.
async fn stored_payloads(raw: &RawDb, sqlite: bool) -> usize {
    let sql = "SELECT COUNT(*) FROM changes WHERE payload IS NOT NULL";
    let count: i64 = if sqlite {
        let mut conn = sqlx::SqliteConnection::connect(raw.url()).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::PgConnection::connect(raw.url()).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    };
    usize::try_from(count).unwrap()
}

pub(crate) async fn feed_entries_keep_what_they_announced_when_a_household_is_edited(
    store: AnyStore,
    raw: RawDb,
) {
    let sqlite = store.backend_name() == "sqlite";
    with_demo_places(&store).await;
    let home = household(VILLAGE_A, 1);
    let mut seen = visit(&home, Category::LayakSendiri, 2);
    seen.gps = Some(GeoPoint::new(-5.59, 122.71).unwrap());
    seen.photo_sha256 = Some("0f".repeat(32));
    store.ingest(batch(std::slice::from_ref(&home), std::slice::from_ref(&seen))).await.unwrap();
    let first = pull_all(&store).await;
    let places = stored_payloads(&raw, sqlite).await;
    let ours = &first[first.len() - 2..];
    assert_eq!(ours[0].5, household_payload(&home, 1));
    let mut normalized = seen.clone();
    normalized.visited_at = seen.visited_at.trunc_subsecs(6);
    assert_eq!(ours[1].5, serde_json::to_value(&normalized).unwrap());
    assert_eq!(stored_payloads(&raw, sqlite).await, places, "visit and household not copied");

    // Two edits: each older entry keeps the revision it announced.
    let name = |n: &str| HouseholdChanges { head_name: Some(n.to_owned()), ..HouseholdChanges::default() };
    push_edits(&store, &[edit(&home, 1, 0, name("Satu"))]).await;
    push_edits(&store, &[edit(&home, 2, 1, name("Dua"))]).await;
    let all = pull_all(&store).await;
    assert_eq!(&all[..first.len()], first.as_slice());
    let revisions: Vec<(i64, String)> = all
        .iter()
        .filter(|c| c.1 == ChangeKind::Household)
        .map(|c| (c.5["revision"].as_i64().unwrap(), c.5["head_name"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(revisions, [(1, home.head_name.clone()), (2, "Satu".to_owned()), (3, "Dua".to_owned())]);
    assert_eq!(stored_payloads(&raw, sqlite).await, places + 2, "only the superseded entries hold a copy");
}
