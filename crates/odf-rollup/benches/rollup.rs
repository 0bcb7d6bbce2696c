//! Times the national roll-up over the real places list (`../shared/data/wilayah.csv`) with
//! synthetic tallies and statuses for every village, and the queries a dashboard makes.
//! `cargo bench -p odf-rollup --bench rollup`; prints SKIPPED when the places list is absent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use odf_domain::verification::SplitMix64;
use odf_domain::{AreaCode, Level, Tally, VillageStatus, Wilayah};
use odf_rollup::{AreaRef, Measure, Rollup, StatusRow};

const WILAYAH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/wilayah.csv");
const RUNS: usize = 5;

/// A number below `n` from the domain's SplitMix64: deterministic, so every run measures the same
/// campaign.
fn below(rng: &mut SplitMix64, n: u32) -> i64 {
    i64::try_from(rng.below(u64::from(n))).unwrap_or(0)
}

/// A plausible village: 50-450 houses, up to 30% more KK than houses, 60-100% of KK visited, the
/// visited KK spread over the six ladder rungs.
fn synthetic_tally(rng: &mut SplitMix64) -> Tally {
    let houses = 50 + below(rng, 400);
    let kk = houses + houses * below(rng, 30) / 100;
    let kk_visited = kk * (60 + below(rng, 41)) / 100;
    let mut kk_by_category = [0; 6];
    let mut left = kk_visited;
    for slot in kk_by_category.iter_mut().take(5) {
        *slot = left * below(rng, 60) / 100;
        left -= *slot;
    }
    kk_by_category[5] = left;
    // The first four rungs (aman .. belum_layak) count as access.
    let kk_access = kk_by_category[..4].iter().sum();
    Tally { houses, kk, kk_visited, kk_access, kk_by_category }
}

fn synthetic_status(rng: &mut SplitMix64) -> Option<VillageStatus> {
    match below(rng, 100) {
        0..35 => Some(VillageStatus::Sbs),
        35..40 => Some(VillageStatus::Slipped),
        40..42 => Some(VillageStatus::Revoked),
        42..50 => Some(VillageStatus::Verifikasi),
        50..55 => Some(VillageStatus::KlaimSbs),
        55..80 => Some(VillageStatus::Dipicu),
        _ => None,
    }
}

/// The fastest of `RUNS` runs, and the last result.
fn best_of<T>(mut run: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = black_box(run());
        best = best.min(start.elapsed());
        last = Some(out);
    }
    (best, last.unwrap())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let text = match std::fs::read_to_string(WILAYAH) {
        Ok(text) => text,
        Err(err) => {
            println!("SKIPPED: {WILAYAH} not readable ({err}); the roll-up benchmark needs ../shared/data");
            return;
        }
    };
    let (load_time, load) = best_of(|| Wilayah::from_csv(&text));
    let wilayah = load.wilayah;
    let counts = wilayah.level_counts();
    println!(
        "places list: {} provinsi, {} kabupaten/kota, {} kecamatan, {} desa/kelurahan, loaded in {}",
        counts.provinsi,
        counts.kabupaten,
        counts.kecamatan,
        counts.desa,
        ms(load_time)
    );

    let mut rng = SplitMix64::new(0x5EED_0DF0_2022_0074);
    let mut tallies: Vec<(AreaCode, Tally)> = Vec::with_capacity(counts.desa);
    let mut statuses: Vec<StatusRow> = Vec::with_capacity(counts.desa);
    for village in wilayah.at_level(Level::Desa) {
        tallies.push((village.code, synthetic_tally(&mut rng)));
        if let Some(status) = synthetic_status(&mut rng) {
            statuses.push((village.code, status, None));
        }
    }
    let as_of: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z").unwrap().to_utc();

    let build = || Rollup::build(&wilayah, tallies.iter().copied(), statuses.iter().copied(), as_of);
    let (build_time, rollup) = best_of(build);
    println!(
        "national roll-up over {} villages built in {} (inputs in code order: {} tally rows, {} status rows)",
        rollup.national().villages.total,
        ms(build_time),
        tallies.len(),
        statuses.len()
    );

    // The same inputs in random order (Fisher-Yates), as an unsorted source would give them.
    let mut shuffled = tallies.clone();
    for i in (1..shuffled.len()).rev() {
        let j = usize::try_from(rng.below(i as u64 + 1)).unwrap();
        shuffled.swap(i, j);
    }
    let (shuffled_time, _) =
        best_of(|| Rollup::build(&wilayah, shuffled.iter().copied(), statuses.iter().copied(), as_of));
    println!("national roll-up built in {} with tally rows in random order", ms(shuffled_time));

    let (national_time, ranked) =
        best_of(|| (rollup.national(), rollup.ranking(AreaRef::Nasional, Measure::DesaSbs)));
    println!(
        "national query (nation + {} provinsi ranked by % desa SBS) in {}; {}",
        ranked.1.len(),
        us(national_time),
        ranked.0.desa_sbs
    );

    let sultra = AreaCode::parse("74").unwrap();
    let (province_time, province) =
        best_of(|| (rollup.area(sultra), rollup.ranking(sultra, Measure::DesaSbs)));
    let json = serde_json::to_string(&province).unwrap();
    println!(
        "province 74 query (province + {} kabupaten/kota ranked) in {}; {} bytes of JSON",
        province.1.len(),
        us(province_time),
        json.len()
    );

    let buton = AreaCode::parse("74.04").unwrap();
    let (kabupaten_time, kabupaten) =
        best_of(|| (rollup.area(buton), rollup.children(buton), rollup.within(buton, Level::Desa)));
    println!(
        "kabupaten 74.04 query (kabupaten + {} kecamatan + {} villages) in {}",
        kabupaten.1.len(),
        kabupaten.2.len(),
        us(kabupaten_time)
    );

    let (all_kabupaten_time, all) = best_of(|| rollup.within(AreaRef::Nasional, Level::Kabupaten));
    println!("all {} kabupaten/kota of the nation in {}", all.len(), us(all_kabupaten_time));
}
