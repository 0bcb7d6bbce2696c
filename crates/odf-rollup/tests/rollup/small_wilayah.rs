//! Exact numbers on a small hand-made places list: three kabupaten/kota of Sulawesi Tenggara with
//! "Contoh" villages, a kecamatan without villages, and a province without any.

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, AreaKind, Category, Level, Tally, VillageStatus, Wilayah};
use odf_rollup::{
    AreaRef, IgnoreReason, IgnoredRow, InputKind, KksThresholds, KksTier, Measure, Rollup, RollupLevel,
    StatusRow,
};

const PLACES: &str = "kode,nama,level,kind
74,Sulawesi Tenggara,provinsi,provinsi
74.04,Kabupaten Buton,kabupaten,kabupaten
74.04.11,Pasarwajo,kecamatan,kecamatan
74.04.11.1005,Wakoko,desa,kelurahan
74.04.11.2002,Waangu-angu,desa,desa
74.04.11.2003,Contoh Tiga,desa,desa
74.04.11.2004,Contoh Empat,desa,desa
74.04.11.3001,Contoh Adat,desa,desa adat
74.04.12,Contoh Tanpa Desa,kecamatan,kecamatan
74.71,Kota Kendari,kabupaten,kota
74.71.01,Contoh Kendari Satu
74.71.01.1001,Contoh K1
74.71.01.1002,Contoh K2
74.71.01.1003,Contoh K3
74.71.01.1004,Contoh K4
74.71.02,Contoh Kendari Dua
74.71.02.1001,Contoh K5
74.72,Kota Bau-Bau,kabupaten,kota
74.72.01,Contoh Bau-Bau
74.72.01.1001,Contoh B1
74.72.01.1002,Contoh B2
75,Gorontalo,provinsi,provinsi
";

fn code(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn as_of() -> DateTime<Utc> {
    at("2022-06-30T00:00:00Z")
}

/// `houses` houses of `kk` KK each whose latest visit found `category`.
fn houses(houses: i64, kk: u16, category: Option<Category>) -> Tally {
    (0..houses).map(|_| Tally::household(kk, category)).sum()
}

fn places() -> Wilayah {
    let load = Wilayah::from_csv(PLACES);
    assert!(load.errors.is_empty(), "{:?}", load.errors);
    load.wilayah
}

fn tallies() -> Vec<(AreaCode, Tally)> {
    use Category::*;
    vec![
        (code("74.04.11.1005"), houses(10, 1, Some(Aman))),
        // Two rows for one village add up.
        (code("74.04.11.2002"), houses(5, 3, Some(LayakBersama))),
        (code("74.04.11.2002"), houses(5, 1, Some(BabsTerbuka))),
        (code("74.04.11.3001"), houses(4, 1, Some(Aman)) + houses(4, 1, None)),
        (code("74.71.01.1001"), houses(5, 1, Some(Aman))),
        (code("74.71.01.1002"), houses(4, 1, Some(LayakSendiri))),
        (code("74.71.01.1003"), houses(3, 1, Some(Aman))),
        (code("74.71.01.1004"), houses(6, 1, Some(BelumLayak))),
        (code("74.72.01.1001"), houses(12, 1, Some(Aman))),
        (code("74.04.11"), houses(99, 1, Some(Aman))),
        (code("74.04.11.2999"), houses(99, 1, Some(Aman))),
    ]
}

fn statuses() -> Vec<StatusRow> {
    use VillageStatus::*;
    vec![
        (code("74.04.11.1005"), Sbs, Some(at("2022-03-01T00:00:00Z"))),
        (code("74.04.11.2002"), Sbs, Some(at("2022-01-01T00:00:00Z"))),
        (code("74.04.11.2002"), Slipped, Some(at("2022-05-01T00:00:00Z"))),
        (code("74.04.11.2003"), Dipicu, None),
        (code("74.04.11.3001"), Revoked, Some(at("2022-04-01T00:00:00Z"))),
        (code("74.71.01.1001"), Sbs, None),
        (code("74.71.01.1002"), Sbs, None),
        (code("74.71.01.1003"), Sbs, None),
        (code("74.71.01.1004"), KlaimSbs, None),
        (code("74.71.02.1001"), Verifikasi, None),
        (code("74.72.01.1001"), Sbs, None),
        (code("74.72.01.1002"), Sbs, None),
        // Older than the row already given for Wakoko: ignored.
        (code("74.04.11.1005"), Dipicu, Some(at("2021-01-01T00:00:00Z"))),
        (code("75"), Sbs, None),
    ]
}

fn rollup(wilayah: &Wilayah) -> Rollup<'_> {
    Rollup::build(wilayah, tallies(), statuses(), as_of())
}

#[test]
fn every_village_of_the_places_list_counts_including_those_without_data() {
    let wilayah = places();
    let r = rollup(&wilayah);
    let buton = r.area(code("74.04")).unwrap();
    let v = buton.villages;
    assert_eq!((v.total, v.with_data, v.without_data(), v.full_access), (5, 3, 2, 1));
    assert_eq!((v.certified, v.sbs, v.slipped, v.dipicu, v.revoked, v.belum_dipicu), (2, 1, 1, 1, 1, 1));
    assert_eq!((buton.desa_sbs.numerator, buton.desa_sbs.denominator), (2, 5));
    assert_eq!(buton.desa_sbs.percent, Some(40.0));
    let empty = r.area(code("74.04.11.2004")).unwrap();
    assert_eq!(
        empty.village.map(|d| (d.status, d.status_recorded)),
        Some((VillageStatus::BelumDipicu, false))
    );
    assert_eq!(empty.villages.total, 1);

    let sultra = r.area(code("74")).unwrap();
    assert_eq!((sultra.villages.total, sultra.villages.with_data, sultra.villages.certified), (12, 8, 7));
    assert_eq!(r.national().villages, sultra.villages);
}

#[test]
fn kelurahan_and_desa_adat_count_as_villages() {
    let wilayah = places();
    let r = rollup(&wilayah);
    let wakoko = r.area(code("74.04.11.1005")).unwrap();
    assert_eq!((wakoko.level, wakoko.kind), (RollupLevel::Desa, Some(AreaKind::Kelurahan)));
    assert_eq!((wakoko.villages.total, wakoko.villages.certified), (1, 1));
    let adat = r.area(code("74.04.11.3001")).unwrap();
    assert_eq!(adat.kind, Some(AreaKind::DesaAdat));
    assert_eq!((adat.villages.total, adat.villages.revoked, adat.villages.certified), (1, 1, 0));
    assert_eq!(r.area(code("74.71")).unwrap().kind, Some(AreaKind::Kota));
}

#[test]
fn exact_household_sums_at_every_level() {
    let wilayah = places();
    let r = rollup(&wilayah);
    let buton = r.area(code("74.04")).unwrap();
    let h = buton.households;
    assert_eq!((h.houses, h.kk, h.kk_visited, h.kk_never_visited), (28, 38, 34, 4));
    assert_eq!((h.kk_access, h.kk_babs), (29, 5));
    assert_eq!(
        (h.kk_by_category.aman, h.kk_by_category.layak_bersama, h.kk_by_category.babs_terbuka),
        (14, 15, 5)
    );
    assert_eq!((h.kk_by_legacy.jsp, h.kk_by_legacy.sharing, h.kk_by_legacy.babs), (14, 15, 5));
    assert_eq!((buton.kk_akses.numerator, buton.kk_akses.denominator), (29, 38));

    let kendari = r.area(code("74.71")).unwrap();
    assert_eq!((kendari.tally.kk, kendari.tally.kk_access), (18, 18));
    assert_eq!(kendari.households.kk_by_legacy.jssp, 10);
    let sultra = r.area(code("74")).unwrap();
    assert_eq!((sultra.tally.kk, sultra.tally.kk_access), (38 + 18 + 12, 29 + 18 + 12));
    assert_eq!(r.national().tally, sultra.tally);
    // The two ignored rows (a kecamatan code, an unknown village) added nothing.
    assert_eq!(sultra.tally.houses, 28 + 18 + 12);
}

#[test]
fn percent_is_none_when_the_denominator_is_zero() {
    let wilayah = places();
    let r = rollup(&wilayah);
    for empty in ["74.04.12", "75"] {
        let area = r.area(code(empty)).unwrap();
        assert_eq!((area.kk_akses.denominator, area.kk_akses.percent), (0, None), "{empty}");
        assert_eq!((area.desa_sbs.denominator, area.desa_sbs.percent), (0, None), "{empty}");
    }
    // A known village that is not certified is 0% desa SBS; without households it has no % KK akses.
    let no_data = r.area(code("74.04.11.2004")).unwrap();
    assert_eq!(no_data.desa_sbs.percent, Some(0.0));
    assert_eq!(no_data.kk_akses.percent, None);
}

#[test]
fn a_kabupaten_is_sbs_only_when_every_village_is_certified_and_its_tier_follows_the_odf_share() {
    let wilayah = places();
    let r = rollup(&wilayah);
    let judged = |c: &str| r.area(code(c)).unwrap().kabupaten.unwrap();
    let buton = judged("74.04");
    assert!(!buton.sbs);
    assert_eq!(buton.kks_tier, None);
    let kendari = judged("74.71");
    assert_eq!(r.area(code("74.71")).unwrap().desa_sbs.percent, Some(60.0));
    assert!(!kendari.sbs);
    assert_eq!(kendari.kks_tier, Some(KksTier::Padapa));
    let baubau = judged("74.72");
    assert!(baubau.sbs);
    assert_eq!(baubau.kks_tier, Some(KksTier::Wistara));
    // Only kabupaten/kota carry the judgement.
    assert!(r.area(code("74")).unwrap().kabupaten.is_none());
    assert!(r.area(code("74.04.11")).unwrap().kabupaten.is_none());
    assert!(r.national().kabupaten.is_none());
}

#[test]
fn configured_thresholds_change_the_tier_and_nothing_else() {
    let wilayah = places();
    let before = rollup(&wilayah).area(code("74.04")).unwrap();
    let strict = KksThresholds::new(30.0, 40.0, 95.0).unwrap();
    let r = rollup(&wilayah).with_kks_thresholds(strict);
    assert_eq!(r.kks_thresholds(), strict);
    let after = r.area(code("74.04")).unwrap();
    assert_eq!(after.kabupaten.unwrap().kks_tier, Some(KksTier::Wiwerda));
    assert_eq!((after.villages, after.tally), (before.villages, before.tally));
}

#[test]
fn a_slipped_village_stays_certified_and_is_reported_at_risk() {
    let wilayah = places();
    let r = rollup(&wilayah);
    let village = r.area(code("74.04.11.2002")).unwrap();
    let detail = village.village.unwrap();
    assert_eq!((detail.status, detail.since), (VillageStatus::Slipped, Some(at("2022-05-01T00:00:00Z"))));
    assert_eq!((village.villages.certified, village.villages.at_risk()), (1, 1));
    assert_eq!(r.area(code("74")).unwrap().villages.at_risk(), 1);
}

#[test]
fn ignored_rows_are_reported_and_the_latest_status_wins() {
    let wilayah = places();
    let r = rollup(&wilayah);
    let ignored = |c: &str, input, reason| IgnoredRow { code: code(c), input, reason };
    assert_eq!(
        r.ignored(),
        &[
            ignored("74.04.11", InputKind::Tally, IgnoreReason::NotAVillage),
            ignored("74.04.11.2999", InputKind::Tally, IgnoreReason::UnknownArea),
            ignored("74.04.11.2002", InputKind::Status, IgnoreReason::OlderStatus),
            ignored("74.04.11.1005", InputKind::Status, IgnoreReason::OlderStatus),
            ignored("75", InputKind::Status, IgnoreReason::NotAVillage),
        ]
    );
    let wakoko = r.area(code("74.04.11.1005")).unwrap().village.unwrap();
    assert_eq!(wakoko.status, VillageStatus::Sbs);
}

#[test]
fn children_come_in_code_order_and_rankings_put_no_data_last() {
    let wilayah = places();
    let r = rollup(&wilayah);
    let codes = |list: Vec<odf_rollup::AreaFigures<'_>>| -> Vec<String> {
        list.iter().map(|a| a.code.map(|c| c.to_string()).unwrap_or_default()).collect()
    };
    assert_eq!(codes(r.children(AreaRef::Nasional)), ["74", "75"]);
    assert_eq!(codes(r.children(code("74"))), ["74.04", "74.71", "74.72"]);
    assert_eq!(codes(r.children(code("74.04.11"))).len(), 5);
    assert!(r.children(code("74.04.11.1005")).is_empty());
    assert!(r.children(code("76")).is_empty());

    assert_eq!(codes(r.ranking(code("74"), Measure::DesaSbs)), ["74.72", "74.71", "74.04"]);
    // Kendari and Bau-Bau tie at 100%: code order.
    assert_eq!(codes(r.ranking(code("74"), Measure::KkAkses)), ["74.71", "74.72", "74.04"]);
    assert_eq!(codes(r.ranking(code("74.04"), Measure::DesaSbs)), ["74.04.11", "74.04.12"]);
    assert_eq!(codes(r.ranking(AreaRef::Nasional, Measure::KkAkses)), ["74", "75"]);
}

#[test]
fn within_lists_every_area_of_a_level_and_get_answers_for_the_nation() {
    let wilayah = places();
    let r = rollup(&wilayah);
    assert_eq!(r.within(AreaRef::Nasional, Level::Kabupaten).len(), 3);
    assert_eq!(r.within(code("74.71"), Level::Desa).len(), 5);
    assert_eq!(r.within(code("74.71"), Level::Kabupaten).len(), 1);
    assert!(r.within(code("99"), Level::Desa).is_empty());
    let nation = r.get(AreaRef::Nasional).unwrap();
    assert_eq!((nation.code, nation.name, nation.level), (None, "Indonesia", RollupLevel::Nasional));
    assert_eq!("nasional".parse::<AreaRef>().unwrap(), AreaRef::Nasional);
    assert_eq!("74.04".parse::<AreaRef>().unwrap(), AreaRef::Code(code("74.04")));
    assert!("74.4".parse::<AreaRef>().is_err());
    assert!(r.get(code("76")).is_none());
}

#[test]
fn figures_serialise_with_stable_snake_case_names() {
    let wilayah = places();
    let r = rollup(&wilayah);
    let kendari = serde_json::to_value(r.area(code("74.71")).unwrap()).unwrap();
    assert_eq!(kendari["code"], "74.71");
    assert_eq!(kendari["name"], "Kota Kendari");
    assert_eq!((kendari["level"].as_str(), kendari["kind"].as_str()), (Some("kabupaten"), Some("kota")));
    assert_eq!(kendari["as_of"], "2022-06-30T00:00:00.000000Z"); // the one wire format: six digits
    let desa_sbs = &kendari["desa_sbs"];
    assert_eq!(desa_sbs["measure"], "desa_sbs");
    assert_eq!(desa_sbs["label"], "% desa SBS");
    assert_eq!((desa_sbs["numerator"].as_i64(), desa_sbs["denominator"].as_i64()), (Some(3), Some(5)));
    assert_eq!(desa_sbs["percent"].as_f64(), Some(60.0));
    assert_eq!(kendari["kk_akses"]["label"], "% KK akses");
    assert_eq!(kendari["kabupaten"]["kks_tier"], "padapa");
    assert_eq!(kendari["villages"]["klaim_sbs"], 1);
    assert_eq!(kendari["households"]["kk_by_category"]["belum_layak"], 6);
    assert_eq!(kendari["households"]["kk_by_legacy"]["jssp"], 10);
    assert!(kendari["village"].is_null());
    assert!(kendari.get("tally").is_none());

    let nation = serde_json::to_value(r.national()).unwrap();
    assert!(nation["code"].is_null());
    assert_eq!(nation["level"], "nasional");
    let empty = serde_json::to_value(r.area(code("75")).unwrap()).unwrap();
    assert!(empty["desa_sbs"]["percent"].is_null());
    let village = serde_json::to_value(r.area(code("74.04.11.2002")).unwrap()).unwrap();
    assert_eq!(village["village"]["status"], "slipped");
    assert_eq!(village["village"]["since"], "2022-05-01T00:00:00.000000Z");
}

#[test]
fn an_empty_places_list_gives_an_empty_nation() {
    let wilayah = Wilayah::default();
    let r = Rollup::build(&wilayah, Vec::new(), Vec::new(), as_of());
    let nation = r.national();
    assert_eq!((nation.villages.total, nation.kk_akses.percent, nation.desa_sbs.percent), (0, None, None));
    assert!(r.children(AreaRef::Nasional).is_empty());
    assert!(format!("{r:?}").contains("areas: 0"));
}

#[test]
fn a_roll_up_within_an_area_gives_that_area_and_everything_under_it_the_full_figures() {
    let wilayah = places();
    let full = rollup(&wilayah);
    for area in wilayah.iter().map(|p| p.code) {
        let within = Rollup::build_within(&wilayah, Some(area), tallies(), statuses(), as_of());
        let mut under = vec![area];
        under.extend(wilayah.descendants(area).iter().map(|p| p.code));
        for code in under {
            let (a, b) = (full.area(code).unwrap(), within.area(code).unwrap());
            assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::to_value(&b).unwrap(), "{code}");
            let (a, b) = (full.children(code), within.children(code));
            assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::to_value(&b).unwrap(), "{code}");
        }
    }
    let nation = Rollup::build_within(&wilayah, None, tallies(), statuses(), as_of());
    assert_eq!(
        serde_json::to_value(nation.national()).unwrap(),
        serde_json::to_value(full.national()).unwrap()
    );
}
