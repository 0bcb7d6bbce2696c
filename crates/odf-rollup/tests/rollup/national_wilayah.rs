//! The roll-up over the real national places list from `../shared/data/wilayah.csv`, when present.

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, Category, Level, Tally, VillageStatus, Wilayah};
use odf_rollup::{AreaRef, Rollup, RollupLevel, StatusRow};

const WILAYAH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/wilayah.csv");

#[test]
fn the_national_roll_up_counts_every_village_at_every_level() {
    let text = match std::fs::read_to_string(WILAYAH) {
        Ok(text) => text,
        Err(err) => {
            println!(
                "SKIPPED: {WILAYAH} not readable ({err}); the national roll-up test needs ../shared/data"
            );
            return;
        }
    };
    let load = Wilayah::from_csv(&text);
    assert!(load.errors.is_empty(), "first problems: {:?}", &load.errors[..load.errors.len().min(5)]);
    let wilayah = load.wilayah;

    // Synthetic inputs: every village has households; every third is SBS.
    let villages: Vec<AreaCode> = wilayah.at_level(Level::Desa).map(|p| p.code).collect();
    let tallies: Vec<(AreaCode, Tally)> = villages
        .iter()
        .enumerate()
        .map(|(i, &code)| {
            let kk = u16::try_from(1 + i % 4).unwrap();
            let category = if i % 5 == 0 { Category::BabsTerbuka } else { Category::Aman };
            (code, Tally::household(kk, Some(category)))
        })
        .collect();
    let statuses: Vec<StatusRow> =
        villages.iter().step_by(3).map(|&code| (code, VillageStatus::Sbs, None)).collect();
    let as_of: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z").unwrap().to_utc();
    let rollup = Rollup::build(&wilayah, tallies.iter().copied(), statuses.iter().copied(), as_of);
    assert!(rollup.ignored().is_empty());

    let nation = rollup.national();
    assert_eq!(nation.level, RollupLevel::Nasional);
    assert_eq!((nation.villages.total, nation.villages.with_data), (83_762, 83_762));
    assert_eq!(nation.villages.certified, 27_921); // ceil(83,762 / 3)
    assert_eq!(nation.villages.belum_dipicu, 83_762 - 27_921);
    assert_eq!(nation.tally, tallies.iter().map(|(_, t)| *t).sum::<Tally>());
    assert_eq!((nation.desa_sbs.numerator, nation.desa_sbs.denominator), (27_921, 83_762));

    let provinces = rollup.children(AreaRef::Nasional);
    assert_eq!(provinces.len(), 38);
    let sum: u32 = provinces.iter().map(|p| p.villages.total).sum();
    assert_eq!(sum, 83_762);
    assert_eq!(rollup.within(AreaRef::Nasional, Level::Kabupaten).len(), 514);
    assert_eq!(rollup.within(AreaRef::Nasional, Level::Kecamatan).len(), 7_285);

    let sultra = rollup.area(AreaCode::parse("74").unwrap()).unwrap();
    assert_eq!(sultra.name, "Sulawesi Tenggara");
    assert_eq!(sultra.villages.total, 2_285);
    let kabupaten = rollup.children(AreaCode::parse("74").unwrap());
    assert_eq!(kabupaten.len(), 17);
    assert_eq!(kabupaten.iter().map(|k| k.villages.total).sum::<u32>(), 2_285);
    assert!(kabupaten.iter().all(|k| k.kabupaten.is_some()));
    let kecamatan: usize = kabupaten.iter().map(|k| rollup.children(k.code.unwrap()).len()).sum();
    assert_eq!(kecamatan, 221);
}
