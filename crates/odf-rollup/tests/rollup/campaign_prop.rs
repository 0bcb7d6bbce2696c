//! For random campaigns (a random places tree, random tally and status rows, with duplicates and
//! unknown codes), every area's figures equal a brute-force recount that loops over every village
//! and asks `area.contains(village)`.

use chrono::{DateTime, Duration, Utc};
use odf_domain::{AreaCode, Category, Level, Tally, VillageStatus, Wilayah};
use odf_rollup::{AreaFigures, AreaRef, Measure, Rollup, RollupLevel, StatusRow};
use proptest::prelude::*;

/// A village path: province, kabupaten (71 is a kota), kecamatan, village (leading digit 1 kelurahan,
/// 2 desa, 3 desa adat).
fn village_path() -> impl Strategy<Value = (u8, u8, u8, u16)> {
    (1u8..=3, prop::sample::select(vec![1u8, 2, 71]), 1u8..=3, 1u16..=3, 1u16..=4)
        .prop_map(|(p, k, c, lead, d)| (p, k, c, lead * 1000 + d))
}

fn any_status() -> impl Strategy<Value = VillageStatus> {
    prop::sample::select(VillageStatus::ALL.to_vec())
}

fn any_category() -> impl Strategy<Value = Option<Category>> {
    prop::option::of(prop::sample::select(Category::ALL.to_vec()))
}

#[derive(Debug, Clone)]
struct Campaign {
    villages: Vec<(u8, u8, u8, u16)>,
    /// Non-village places that may have no villages under them: (p, k, c, depth 1-3).
    extra: Vec<(u8, u8, u8, usize)>,
    /// (which village, KK of one household, its latest category); index past the end = unknown code.
    tallies: Vec<(usize, u16, Option<Category>)>,
    statuses: Vec<(usize, VillageStatus, Option<i64>)>,
}

fn campaign() -> impl Strategy<Value = Campaign> {
    (
        prop::collection::vec(village_path(), 1..30),
        prop::collection::vec((1u8..=4, 1u8..=3, 1u8..=4, 1usize..=3), 0..6),
        prop::collection::vec((0usize..40, 1u16..4, any_category()), 0..100),
        prop::collection::vec((0usize..40, any_status(), prop::option::of(0i64..5)), 0..50),
    )
        .prop_map(|(villages, extra, tallies, statuses)| Campaign { villages, extra, tallies, statuses })
}

fn wilayah_of(c: &Campaign) -> Wilayah {
    let mut lines = vec!["kode,nama".to_owned()];
    for &(p, k, cc, d) in &c.villages {
        lines.push(format!("{p:02},P{p}"));
        lines.push(format!("{p:02}.{k:02},K{k}"));
        lines.push(format!("{p:02}.{k:02}.{cc:02},C{cc}"));
        lines.push(format!("{p:02}.{k:02}.{cc:02}.{d:04},D{d}"));
    }
    for &(p, k, cc, depth) in &c.extra {
        let parts = [format!("{p:02}"), format!("{k:02}"), format!("{cc:02}")];
        for n in 1..=depth {
            lines.push(format!("{},X", parts[..n].join(".")));
        }
    }
    // Repeated rows come back as duplicate errors; the first of each is kept.
    Wilayah::from_csv(&lines.join("\n")).wilayah
}

/// The code a tally or status row names: one of the campaign's villages, or an unknown one.
fn row_code(c: &Campaign, pick: usize) -> AreaCode {
    let (p, k, cc, d) = c.villages.get(pick).copied().unwrap_or((9, 9, 9, 2009));
    AreaCode::parse(&format!("{p:02}.{k:02}.{cc:02}.{d:04}")).unwrap()
}

fn as_of() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-31T00:00:00Z").unwrap().to_utc()
}

fn inputs(c: &Campaign) -> (Vec<(AreaCode, Tally)>, Vec<StatusRow>) {
    let tallies =
        c.tallies.iter().map(|&(pick, kk, cat)| (row_code(c, pick), Tally::household(kk, cat))).collect();
    let statuses = c
        .statuses
        .iter()
        .map(|&(pick, status, day)| (row_code(c, pick), status, day.map(|d| as_of() - Duration::days(d))))
        .collect();
    (tallies, statuses)
}

/// What one area should show, counted the slow way.
#[derive(Debug, Default, PartialEq)]
struct Brute {
    tally: Tally,
    total: u32,
    with_data: u32,
    full_access: u32,
    certified: u32,
    by_status: [u32; 7],
}

fn brute(wilayah: &Wilayah, tallies: &[(AreaCode, Tally)], statuses: &[StatusRow], area: AreaRef) -> Brute {
    let inside = |code: AreaCode| match area {
        AreaRef::Nasional => true,
        AreaRef::Code(a) => a.contains(code),
    };
    let mut b = Brute::default();
    for village in wilayah.iter().filter(|p| p.code.is_village() && inside(p.code)) {
        let tally: Tally = tallies.iter().filter(|(c, _)| *c == village.code).map(|(_, t)| *t).sum();
        // The latest `since` wins, a later row on a tie; no row means belum_dipicu.
        let status = statuses
            .iter()
            .enumerate()
            .filter(|(_, (c, _, _))| *c == village.code)
            .max_by_key(|(i, (_, _, since))| (*since, *i))
            .map_or(VillageStatus::BelumDipicu, |(_, (_, s, _))| *s);
        b.tally += tally;
        b.total += 1;
        b.with_data += u32::from(tally.kk > 0);
        b.full_access += u32::from(tally.kk > 0 && tally.kk_access == tally.kk);
        b.certified += u32::from(matches!(status, VillageStatus::Sbs | VillageStatus::Slipped));
        let position = VillageStatus::ALL.iter().position(|s| *s == status).unwrap();
        b.by_status[position] += 1;
    }
    b
}

fn check(figures: &AreaFigures<'_>, expected: &Brute) -> Result<(), TestCaseError> {
    prop_assert_eq!(figures.tally, expected.tally);
    let v = &figures.villages;
    prop_assert_eq!(
        (v.total, v.with_data, v.full_access, v.certified),
        (expected.total, expected.with_data, expected.full_access, expected.certified)
    );
    for (i, status) in VillageStatus::ALL.into_iter().enumerate() {
        prop_assert_eq!(v.with_status(status), expected.by_status[i], "{}", status);
    }
    let kk = &figures.kk_akses;
    prop_assert_eq!(
        (kk.measure, kk.numerator, kk.denominator),
        (Measure::KkAkses, expected.tally.kk_access, expected.tally.kk)
    );
    prop_assert_eq!(kk.percent, expected.tally.kk_akses().percent());
    let sbs = &figures.desa_sbs;
    prop_assert_eq!(
        (sbs.measure, i64::from(expected.certified), i64::from(expected.total)),
        (Measure::DesaSbs, sbs.numerator, sbs.denominator)
    );
    prop_assert_eq!(sbs.percent.is_none(), expected.total == 0);
    prop_assert_eq!((kk.as_of, sbs.as_of), (as_of(), as_of()));
    match figures.kabupaten {
        Some(k) => {
            prop_assert_eq!(figures.level, RollupLevel::Kabupaten);
            prop_assert_eq!(k.sbs, expected.total > 0 && expected.certified == expected.total);
        }
        None => prop_assert_ne!(figures.level, RollupLevel::Kabupaten),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_area_equals_a_brute_force_recount(c in campaign()) {
        let wilayah = wilayah_of(&c);
        let (tallies, statuses) = inputs(&c);
        let rollup = Rollup::build(&wilayah, tallies.iter().copied(), statuses.iter().copied(), as_of());

        check(&rollup.national(), &brute(&wilayah, &tallies, &statuses, AreaRef::Nasional))?;
        for place in wilayah.iter() {
            let figures = rollup.area(place.code).unwrap();
            prop_assert_eq!((figures.code, figures.name), (Some(place.code), place.name.as_str()));
            check(&figures, &brute(&wilayah, &tallies, &statuses, AreaRef::Code(place.code)))?;

            let children: Vec<_> = rollup.children(place.code).iter().filter_map(|f| f.code).collect();
            let expected: Vec<_> =
                wilayah.iter().filter(|q| q.code.parent() == Some(place.code)).map(|q| q.code).collect();
            prop_assert_eq!(children, expected);
        }
        let provinces: Vec<_> = rollup.children(AreaRef::Nasional).iter().filter_map(|f| f.code).collect();
        let expected: Vec<_> = wilayah.at_level(Level::Provinsi).map(|p| p.code).collect();
        prop_assert_eq!(provinces, expected);

        // Rankings: percents never rise, areas without data come last.
        for at in std::iter::once(AreaRef::Nasional).chain(wilayah.iter().map(|p| AreaRef::Code(p.code))) {
            for measure in Measure::ALL {
                let ranked: Vec<Option<f64>> =
                    rollup.ranking(at, measure).iter().map(|f| f.figure(measure).percent).collect();
                for pair in ranked.windows(2) {
                    let ordered = match (pair[0], pair[1]) {
                        (Some(a), Some(b)) => a >= b,
                        (Some(_), None) | (None, None) => true,
                        (None, Some(_)) => false,
                    };
                    prop_assert!(ordered, "{:?}", ranked);
                }
            }
        }
    }
}
