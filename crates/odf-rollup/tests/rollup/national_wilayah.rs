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

/// Per-level sums by area (`None`: the nation) and recorded statuses counted per child.
type Summed = (Vec<(Option<AreaCode>, odf_rollup::LevelSums)>, Vec<(AreaCode, VillageStatus, u32)>);

/// What a store's per-level rows hold for these village inputs: each area's summed tally with its
/// villages with data and with full access, and its children's recorded statuses.
fn level_sums(tallies: &[(AreaCode, Tally)], statuses: &[StatusRow], at: AreaRef) -> Summed {
    use std::collections::BTreeMap;
    let child_of = |village: AreaCode| match at {
        AreaRef::Nasional => village.at_level(Level::Provinsi),
        AreaRef::Code(code) => {
            let depth = Level::ALL.iter().position(|l| *l == code.level()).unwrap();
            village.at_level(Level::ALL[depth + 1]).filter(|c| code.contains(*c))
        }
    };
    let mut sums: BTreeMap<Option<AreaCode>, odf_rollup::LevelSums> = BTreeMap::new();
    for (village, tally) in tallies {
        let Some(child) = child_of(*village) else { continue };
        for key in [Some(child), at.code()] {
            let s = sums.entry(key).or_default();
            s.tally += *tally;
            s.with_data += u32::from(tally.kk > 0);
            s.full_access += u32::from(tally.is_full_access());
        }
    }
    let mut counted: Vec<(AreaCode, VillageStatus, u32)> = Vec::new();
    for (village, status, _) in statuses {
        let Some(child) = child_of(*village) else { continue };
        match counted.iter_mut().find(|(c, s, _)| (*c, *s) == (child, *status)) {
            Some((_, _, n)) => *n += 1,
            None => counted.push((child, *status, 1)),
        }
    }
    (sums.into_iter().collect(), counted)
}

#[test]
fn per_level_sums_give_the_same_area_and_children_as_every_village() {
    let Ok(text) = std::fs::read_to_string(WILAYAH) else {
        println!("SKIPPED: {WILAYAH} not readable; the per-level roll-up test needs ../shared/data");
        return;
    };
    let wilayah = Wilayah::from_csv(&text).wilayah;
    // Every kind of village: no data, a zero tally, full access, partial access; every status,
    // a recorded `belum_dipicu` among them, and villages without a status row.
    let villages: Vec<AreaCode> = wilayah.at_level(Level::Desa).map(|p| p.code).collect();
    let tallies: Vec<(AreaCode, Tally)> = villages
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 7 != 0)
        .map(|(i, &code)| {
            let tally = match i % 4 {
                0 => Tally::default(),
                1 => Tally::household(3, Some(Category::Aman)),
                2 => Tally::household(2, Some(Category::BabsTerbuka)) + Tally::household(1, None),
                _ => Tally::household(1, Some(Category::LayakBersama)),
            };
            (code, tally)
        })
        .collect();
    let statuses: Vec<StatusRow> = villages
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(i, &code)| (code, VillageStatus::ALL[i % VillageStatus::ALL.len()], None))
        .collect();
    let as_of: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z").unwrap().to_utc();
    let full = Rollup::build(&wilayah, tallies.iter().copied(), statuses.iter().copied(), as_of);
    for at in [
        AreaRef::Nasional,
        AreaRef::Code(AreaCode::parse("74").unwrap()),
        AreaRef::Code(AreaCode::parse("74.04").unwrap()),
    ] {
        let (sums, recorded) = level_sums(&tallies, &statuses, at);
        let summed = Rollup::from_sums(&wilayah, at, sums, recorded, as_of);
        assert_eq!(summed.get(at), full.get(at), "{at:?}");
        assert_eq!(summed.children(at), full.children(at), "{at:?}");
        assert_eq!(
            summed.ranking(at, odf_rollup::Measure::DesaSbs),
            full.ranking(at, odf_rollup::Measure::DesaSbs)
        );
    }
}
