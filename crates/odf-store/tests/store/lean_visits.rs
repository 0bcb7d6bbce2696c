//! Visits without a stored content hash and the feed's numeric area index (migration 0014): a
//! visit sent again is still told duplicate or conflict, and the pull hands out the same pages,
//! also for visits written before the migration.

use chrono::SubsecRound;
use odf_domain::{Category, GeoPoint, Scope, Visit};
use odf_store::testing::RawDb;
use odf_store::*;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::common::*;

/// `visits` and the feed's area index as migrations 0010 to 0013 left them; `{uuid}`, `{real}`,
/// `{bytes}` and `{collate}` stand for each backend's types, `{zero}` for a placeholder hash.
const OLD_FORM: &str = "
CREATE TABLE visits_old (
    id {uuid} PRIMARY KEY NOT NULL, household_id {uuid} NOT NULL REFERENCES households (id),
    village_code TEXT {collate} NOT NULL, sanitarian TEXT NOT NULL, visited_at BIGINT NOT NULL,
    category INTEGER NOT NULL, checklist INTEGER NOT NULL, lat {real}, lng {real}, photo_sha256 {bytes},
    device_id TEXT NOT NULL, flags TEXT NOT NULL, content_hash {bytes} NOT NULL, received_at BIGINT NOT NULL);
INSERT INTO visits_old (id, household_id, village_code, sanitarian, visited_at, category, checklist, lat, lng,
    photo_sha256, device_id, flags, content_hash, received_at)
SELECT id, household_id, village_code, sanitarian, visited_at, category, checklist, lat, lng, photo_sha256,
    device_id, flags, {zero}, received_at FROM visits;
DROP TABLE visits;
ALTER TABLE visits_old RENAME TO visits;
CREATE INDEX visits_household ON visits (household_id);
CREATE INDEX visits_village ON visits (village_code, id);
CREATE INDEX visits_by_photo_prefix ON visits (substr(photo_sha256, 1, 4)) WHERE photo_sha256 IS NOT NULL;
DROP INDEX changes_area;
CREATE INDEX changes_area ON changes (area_code, seq);
";

/// The hash the store kept before 0014: SHA-256 of the visit's JSON, its time cut to microseconds.
fn old_hash(visit: &Visit) -> Vec<u8> {
    let mut stored = visit.clone();
    stored.visited_at = visit.visited_at.trunc_subsecs(6);
    Sha256::digest(serde_json::to_vec(&stored).unwrap()).to_vec()
}

fn hash_update(sqlite: bool, id: Uuid, hash: &[u8]) -> String {
    if sqlite {
        format!("UPDATE visits SET content_hash = X'{}' WHERE id = X'{}';\n", hex::encode(hash), id.simple())
    } else {
        format!("UPDATE visits SET content_hash = '\\x{}'::bytea WHERE id = '{id}';\n", hex::encode(hash))
    }
}

async fn pulls(store: &AnyStore) -> Vec<(i64, String, serde_json::Value)> {
    let mut all = Vec::new();
    let scopes = [
        Scope::All,
        Scope::Areas(vec![code(VILLAGE_A)]),
        Scope::Areas(vec![code("74.04.81"), code(VILLAGE_C)]),
        Scope::Areas(vec![code("74")]),
        Scope::Areas(vec![code(VILLAGE_B)]),
    ];
    for scope in &scopes {
        let page = store.changes_since(scope, 0, 1000).await.unwrap();
        assert!(!page.has_more);
        all.extend(page.changes.into_iter().map(|c| (c.seq, c.entity_id, c.payload)));
        all.push((-1, String::new(), serde_json::Value::Null));
    }
    all
}

pub(crate) async fn a_database_written_before_the_lean_visits_answers_resent_visits_the_same(
    store: AnyStore,
    raw: RawDb,
) {
    let sqlite = store.backend_name() == "sqlite";
    with_demo_places(&store).await;
    let (home, other) = (household(VILLAGE_A, 2), household(VILLAGE_C, 1));
    let mut visits = vec![visit(&home, Category::Aman, 3), visit(&home, Category::BabsTerbuka, 1)];
    visits[1].gps = Some(GeoPoint::new(-5.591_234_567, 122.712_345_678).unwrap());
    visits[1].photo_sha256 = Some("0f".repeat(32));
    visits.push(visit(&other, Category::LayakBersama, 2));
    let first = store.ingest(batch(&[home.clone(), other.clone()], &visits)).await.unwrap();
    assert!(first.iter().all(|o| o.outcome == Outcome::Accepted));
    let pulled = pulls(&store).await;
    let history = store.visits_of(home.id).await.unwrap();
    assert_eq!(history.len(), 2);

    // The form 0013 left, each row with the hash the store kept then.
    let (uuid, real, bytes, collate, zero) = if sqlite {
        ("BLOB", "REAL", "BLOB", "", "X'00'")
    } else {
        ("UUID", "DOUBLE PRECISION", "BYTEA", "COLLATE \"C\"", "'\\x00'::bytea")
    };
    let old = OLD_FORM
        .replace("{uuid}", uuid)
        .replace("{real}", real)
        .replace("{bytes}", bytes)
        .replace("{collate}", collate)
        .replace("{zero}", zero);
    let mut sql = old;
    for v in &visits {
        sql += &hash_update(sqlite, v.id, &old_hash(v));
    }
    raw.execute(&sql).await;
    assert_eq!(pulls(&store).await, pulled, "the old form, read by the new code");

    let lean = if sqlite {
        include_str!("../../migrations/sqlite/0014_lean_visits.sql")
    } else {
        include_str!("../../migrations/postgres/0014_lean_visits.sql")
    };
    raw.execute(lean).await;

    assert_eq!(pulls(&store).await, pulled, "the same pages after the migration");
    assert_eq!(store.visits_of(home.id).await.unwrap(), history);
    assert_eq!(store.photo_villages(&"0f".repeat(32)).await.unwrap(), [code(VILLAGE_A)]);

    // Sent again: the same visits are duplicates, a changed one a conflict that changes nothing.
    let again = store.ingest(batch(&[], &visits)).await.unwrap();
    assert_eq!(statuses(&again), vec![Outcome::Duplicate; 3]);
    let mut changed = visits[1].clone();
    changed.category = Category::Aman;
    let mut moved = visits[0].clone();
    moved.photo_sha256 = Some("ab".repeat(32));
    let fresh = visit(&home, Category::LayakSendiri, 0);
    let answers = store.ingest(batch(&[], &[changed, moved, fresh.clone(), fresh])).await.unwrap();
    assert_eq!(
        statuses(&answers),
        vec![Outcome::Conflict, Outcome::Conflict, Outcome::Accepted, Outcome::Duplicate]
    );
    assert_eq!(store.visits_of(home.id).await.unwrap()[..2], history[..]);
    assert_eq!(store.visit_count().await.unwrap(), 4);
}
