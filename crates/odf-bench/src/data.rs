//! Realistic records, as a phone makes them: UUID v7 ids, a GPS point near the house, every
//! checklist answer, a photo's SHA-256, the device and the sanitarian. Deterministic (SplitMix64)
//! apart from the ids and times.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use odf_domain::verification::SplitMix64;
use odf_domain::{AreaCode, Category, Checklist, GeoPoint, Household, Visit};
use odf_mobile_api::records::{ChecklistDto, GpsDto, VisitDto};
use odf_mobile_api::sync::{DeviceReport, PushRequest};
use odf_store::{DeviceRecord, FlaggedVisit, IngestBatch};
use uuid::Uuid;

use crate::BenchResult;

/// A number below `n` from the stream.
fn pick(rng: &mut SplitMix64, n: usize) -> usize {
    usize::try_from(rng.below(u64::try_from(n).unwrap_or(u64::MAX))).unwrap_or(0)
}

/// `count` households spread over `villages`, each with a registered point.
pub fn households(villages: &[AreaCode], count: usize, seed: u64) -> BenchResult<Vec<Household>> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let jitter = |rng: &mut SplitMix64| f64::from(u32::try_from(rng.below(10_000)).unwrap_or(0)) / 1e6;
        out.push(Household {
            id: Uuid::now_v7(),
            village: villages[i % villages.len()],
            head_name: format!("Kepala Keluarga {i}"),
            kk_count: [1, 1, 2, 3][pick(&mut rng, 4)],
            dusun: Some(format!("Dusun {}", 1 + pick(&mut rng, 4))),
            rw: Some(format!("{:03}", 1 + pick(&mut rng, 5))),
            rt: Some(format!("{:03}", 1 + pick(&mut rng, 9))),
            gps: Some(GeoPoint::new(-4.0 - jitter(&mut rng), 122.5 + jitter(&mut rng))?),
        });
    }
    Ok(out)
}

/// Which households a phone's visits go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Each visit to a household drawn from all of them: every push spread over every village.
    Uniform,
    /// Each push to households of one village, drawn afresh per push: a sanitarian walking a
    /// village and syncing from it.
    Field,
}

impl Pattern {
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Uniform => "uniform",
            Pattern::Field => "field",
        }
    }
}

/// `count` visits to `households`, made by `sanitarian` on `device`, in the last 30 days.
pub fn visits(
    households: &[Household],
    count: usize,
    sanitarian: &str,
    device: &str,
    seed: u64,
) -> Vec<Visit> {
    visits_in(households, Pattern::Uniform, (count, count), sanitarian, device, seed)
}

/// `count` visits to `households` in pushes of `batch`, made by `sanitarian` on `device`, in the
/// last 30 days, the households chosen by `pattern`.
pub fn visits_in(
    households: &[Household],
    pattern: Pattern,
    (count, batch): (usize, usize),
    sanitarian: &str,
    device: &str,
    seed: u64,
) -> Vec<Visit> {
    let mut rng = SplitMix64::new(seed);
    let now = Utc::now();
    let mut by_village: BTreeMap<AreaCode, Vec<&Household>> = BTreeMap::new();
    for household in households {
        by_village.entry(household.village).or_default().push(household);
    }
    let villages: Vec<Vec<&Household>> = by_village.into_values().collect();
    let mut walked: &[&Household] = &[];
    (0..count)
        .map(|i| {
            let home = match pattern {
                Pattern::Uniform => &households[pick(&mut rng, households.len())],
                Pattern::Field => {
                    if i % batch.max(1) == 0 {
                        walked = &villages[pick(&mut rng, villages.len())];
                    }
                    walked[pick(&mut rng, walked.len())]
                }
            };
            let yes = |rng: &mut SplitMix64| Some(rng.below(4) != 0);
            let mut photo = [0u8; 32];
            for byte in &mut photo {
                *byte = u8::try_from(rng.below(256)).unwrap_or(0);
            }
            Visit {
                id: Uuid::now_v7(),
                household_id: home.id,
                sanitarian: sanitarian.to_owned(),
                visited_at: now
                    - Duration::seconds(i64::try_from(60 + rng.below(30 * 24 * 3600)).unwrap_or(60)),
                category: Category::ALL[pick(&mut rng, Category::ALL.len())],
                checklist: Checklist {
                    closed_toilet: yes(&mut rng),
                    safe_from_well: yes(&mut rng),
                    strong_slab: yes(&mut rng),
                    child_faeces_safe: yes(&mut rng),
                    all_members_use: yes(&mut rng),
                    water_and_soap: yes(&mut rng),
                    no_faeces_around: yes(&mut rng),
                },
                gps: home.gps,
                photo_sha256: Some(hex_of(&photo)),
                device_id: device.to_owned(),
            }
        })
        .collect()
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The batch the store ingests in-process for one push.
pub fn batch(visits: &[Visit], phone: &str) -> IngestBatch {
    IngestBatch {
        received_from: phone.to_owned(),
        households: vec![],
        visits: visits.iter().cloned().map(FlaggedVisit::from).collect(),
        edits: vec![],
        device: Some(DeviceRecord {
            device_id: format!("hp-{phone}"),
            username: phone.to_owned(),
            app_version: "bench".to_owned(),
            pending_count: 0,
            oldest_pending_at: None,
            last_sync_at: Utc::now(),
        }),
    }
}

/// The gzipped JSON body a phone sends for the same push.
pub fn push_body(visits: &[Visit], phone: &str) -> BenchResult<Vec<u8>> {
    let mut push = PushRequest::new(DeviceReport {
        device_id: format!("hp-{phone}"),
        app_version: "bench".to_owned(),
        pending_count: u32::try_from(visits.len())?,
        oldest_pending_at: None,
    });
    push.visits = visits
        .iter()
        .map(|v| VisitDto {
            id: v.id,
            household_id: v.household_id,
            sanitarian: v.sanitarian.clone(),
            visited_at: v.visited_at,
            category: v.category.as_str().to_owned(),
            checklist: ChecklistDto {
                closed_toilet: v.checklist.closed_toilet,
                safe_from_well: v.checklist.safe_from_well,
                strong_slab: v.checklist.strong_slab,
                child_faeces_safe: v.checklist.child_faeces_safe,
                all_members_use: v.checklist.all_members_use,
                water_and_soap: v.checklist.water_and_soap,
                no_faeces_around: v.checklist.no_faeces_around,
            },
            gps: v.gps.map(|p| GpsDto { lat: p.lat(), lng: p.lng() }),
            photo_sha256: v.photo_sha256.clone(),
            device_id: v.device_id.clone(),
        })
        .collect();
    let json = serde_json::to_vec(&push)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &json)?;
    Ok(gz.finish()?)
}
