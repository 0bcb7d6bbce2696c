//! "Progress of Stop BABS in Sulawesi Tenggara has only reached 71%": 71% of what? On a hand-made
//! Sulawesi Tenggara (four real kabupaten/kota, "Contoh" kecamatan and villages under codes 81 and up,
//! which real kecamatan there do not use), one measure is exactly 71.00% and the other is not, and
//! each figure says which it is.

use chrono::DateTime;
use odf_domain::{AreaCode, Category, Tally, VillageStatus, Wilayah};
use odf_rollup::{Figure, Measure, Rollup, StatusRow};

const PLACES: &str = "kode,nama,level,kind
74,Sulawesi Tenggara,provinsi,provinsi
74.01,Kabupaten Kolaka,kabupaten,kabupaten
74.01.81,Contoh Kolaka,kecamatan,kecamatan
74.01.81.2001,Contoh Kolaka Satu,desa,desa
74.01.81.2002,Contoh Kolaka Dua,desa,desa
74.01.81.2003,Contoh Kolaka Tiga,desa,desa
74.02,Kabupaten Konawe,kabupaten,kabupaten
74.02.81,Contoh Konawe,kecamatan,kecamatan
74.02.81.2001,Contoh Konawe Satu,desa,desa
74.02.81.2002,Contoh Konawe Dua,desa,desa
74.02.81.2003,Contoh Konawe Tiga,desa,desa
74.04,Kabupaten Buton,kabupaten,kabupaten
74.04.81,Contoh Buton,kecamatan,kecamatan
74.04.81.2001,Contoh Buton Satu,desa,desa
74.04.81.2002,Contoh Buton Dua,desa,desa
74.04.81.2003,Contoh Buton Tiga,desa,desa
74.71,Kota Kendari,kabupaten,kota
74.71.81,Contoh Kendari,kecamatan,kecamatan
74.71.81.1001,Contoh Kendari Satu,desa,kelurahan
74.71.81.1002,Contoh Kendari Dua,desa,kelurahan
74.71.81.1003,Contoh Kendari Tiga,desa,kelurahan
";

fn code(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

/// A village of 200 one-KK houses, `with_access` of them using a latrine, the rest defecating in
/// the open.
fn village(with_access: i64) -> Tally {
    let access: Tally = (0..with_access).map(|_| Tally::household(1, Some(Category::LayakSendiri))).sum();
    let babs: Tally = (with_access..200).map(|_| Tally::household(1, Some(Category::BabsTerbuka))).sum();
    access + babs
}

#[test]
fn sulawesi_tenggara_reaches_71_percent_on_one_measure_and_another_figure_on_the_other() {
    let load = Wilayah::from_csv(PLACES);
    assert!(load.errors.is_empty(), "{:?}", load.errors);
    let as_of = DateTime::parse_from_rfc3339("2022-06-30T00:00:00Z").unwrap().to_utc();

    // Ten villages with data, 2,000 KK, 1,420 with access; two villages (Kendari Dua and Tiga)
    // have no data yet and still count among the 12 villages.
    let access = [
        ("74.01.81.2001", 200),
        ("74.01.81.2002", 200),
        ("74.01.81.2003", 120),
        ("74.02.81.2001", 200),
        ("74.02.81.2002", 100),
        ("74.02.81.2003", 50),
        ("74.04.81.2001", 200),
        ("74.04.81.2002", 100),
        ("74.04.81.2003", 50),
        ("74.71.81.1001", 200),
    ];
    let tallies = access.map(|(c, with_access)| (code(c), village(with_access)));
    // Five certified: four SBS, and one that slipped (still certified, at risk).
    let statuses: Vec<StatusRow> = vec![
        (code("74.01.81.2001"), VillageStatus::Sbs, Some(as_of)),
        (code("74.01.81.2002"), VillageStatus::Sbs, Some(as_of)),
        (code("74.01.81.2003"), VillageStatus::Slipped, Some(as_of)),
        (code("74.02.81.2001"), VillageStatus::Sbs, Some(as_of)),
        (code("74.71.81.1001"), VillageStatus::Sbs, Some(as_of)),
        (code("74.04.81.2001"), VillageStatus::KlaimSbs, Some(as_of)),
    ];
    let rollup = Rollup::build(&load.wilayah, tallies, statuses, as_of);
    let sultra = rollup.area(code("74")).unwrap();
    assert_eq!(sultra.name, "Sulawesi Tenggara");

    let kk_akses = sultra.figure(Measure::KkAkses);
    assert_eq!(
        *kk_akses,
        Figure {
            measure: Measure::KkAkses,
            label: "% KK akses",
            numerator: 1_420,
            denominator: 2_000,
            percent: Some(71.0),
            as_of,
        }
    );
    let desa_sbs = sultra.figure(Measure::DesaSbs);
    assert_eq!(
        (desa_sbs.measure, desa_sbs.label, desa_sbs.numerator, desa_sbs.denominator, desa_sbs.as_of),
        (Measure::DesaSbs, "% desa SBS", 5, 12, as_of)
    );
    let percent = desa_sbs.percent.unwrap();
    assert!((percent - 41.666_666).abs() < 1e-4, "{percent}");
    assert_ne!(kk_akses.percent, desa_sbs.percent);

    assert_eq!(kk_akses.to_string(), "% KK akses: 71,00% (1.420 dari 2.000, per 2022-06-30)");
    assert_eq!(desa_sbs.to_string(), "% desa SBS: 41,67% (5 dari 12, per 2022-06-30)");
    assert_eq!((sultra.villages.with_data, sultra.villages.at_risk()), (10, 1));

    // Kolaka: every village certified (one slipped), so it is SBS; the others are not.
    let sbs: Vec<(String, bool)> = rollup
        .children(code("74"))
        .iter()
        .map(|k| (k.name.to_owned(), k.kabupaten.is_some_and(|j| j.sbs)))
        .collect();
    assert_eq!(
        sbs,
        [
            ("Kabupaten Kolaka".to_owned(), true),
            ("Kabupaten Konawe".to_owned(), false),
            ("Kabupaten Buton".to_owned(), false),
            ("Kota Kendari".to_owned(), false),
        ]
    );
}
