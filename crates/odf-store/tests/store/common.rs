//! Helpers shared by the store's tests: the demo places, households, visits and batches.

use chrono::{Duration, TimeZone, Utc};
use odf_domain::{AreaCode, Category, Checklist, EventKind, Household, Place, StatusEvent, Visit};
use odf_store::*;
use uuid::Uuid;

pub(crate) fn code(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

pub(crate) const VILLAGE_A: &str = "74.04.81.2001";

pub(crate) const VILLAGE_B: &str = "74.04.81.2002";

pub(crate) const VILLAGE_C: &str = "74.04.82.2001";

pub(crate) const KELURAHAN: &str = "74.71.81.1001";

pub(crate) async fn with_demo_places(store: &AnyStore) {
    let places: Vec<Place> = odf_fixtures::demo_wilayah().iter().cloned().collect();
    store.import_areas(&places).await.unwrap();
}

pub(crate) fn household(village: &str, kk: u16) -> Household {
    Household {
        id: Uuid::now_v7(),
        village: code(village),
        head_name: "La Ode Hamid".to_owned(),
        kk_count: kk,
        dusun: Some("Dusun I".to_owned()),
        rw: Some("002".to_owned()),
        rt: None,
        gps: Some(odf_domain::GeoPoint::new(-5.59, 122.71).unwrap()),
    }
}

pub(crate) fn visit(h: &Household, category: Category, days_ago: i64) -> Visit {
    Visit {
        id: Uuid::now_v7(),
        household_id: h.id,
        sanitarian: "sanitarian1".to_owned(),
        // A fixed time with nanoseconds: the store keeps microseconds on both backends.
        visited_at: Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap() - Duration::days(days_ago)
            + Duration::nanoseconds(123_456_789),
        category,
        checklist: Checklist { closed_toilet: Some(true), ..Checklist::default() },
        gps: None,
        photo_sha256: None,
        device_id: "hp-01".to_owned(),
    }
}

pub(crate) fn batch(households: &[Household], visits: &[Visit]) -> IngestBatch {
    IngestBatch {
        received_from: "sanitarian1".to_owned(),
        households: households.to_vec(),
        visits: visits.iter().cloned().map(FlaggedVisit::from).collect(),
        edits: vec![],
        device: None,
    }
}

pub(crate) fn statuses(outcomes: &[RecordOutcome]) -> Vec<Outcome> {
    outcomes.iter().map(|o| o.outcome.clone()).collect()
}

pub(crate) fn event(kind: EventKind, minutes: i64, reason: Option<&str>) -> StatusEvent {
    StatusEvent {
        kind,
        actor: "verifikator".to_owned(),
        at: Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + Duration::minutes(minutes),
        reason: reason.map(str::to_owned),
    }
}
