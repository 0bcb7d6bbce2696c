//! The visits export's row encoders (CSV and NDJSON), written straight into the page's buffer.
//!
//! An export is millions of rows, so a row allocates nothing of its own: ids, timestamps and
//! numbers are formatted on the stack, text is escaped into the buffer, and the village code
//! (rows come in village order) is formatted once per village. The output is byte for byte what
//! `serde_json` and the `to_string` of each value wrote before; `tests/api/export.rs` holds it.

use std::io::Write as _;

use odf_domain::{AreaCode, GpsFlag};
use odf_store::ExportRow;

use crate::routes::coverage::Lang;
use crate::routes::export::push_csv_field;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Ndjson,
}

/// The columns, Indonesian and English names, and whether only admins get them.
const COLUMNS: [(&str, &str, bool); 26] = [
    ("id_kunjungan", "visit_id", false),
    ("id_rumah_tangga", "household_id", false),
    ("kode_desa", "village_code", false),
    ("dusun", "dusun", false),
    ("rw", "rw", false),
    ("rt", "rt", false),
    ("nama_kepala_keluarga", "head_name", true),
    ("jumlah_kk", "kk_count", false),
    ("petugas", "sanitarian", true),
    ("waktu_kunjungan", "visited_at", false),
    ("kategori", "category", false),
    ("kode_stbm", "legacy_code", false),
    ("akses", "has_access", false),
    ("kloset_tertutup", "closed_toilet", false),
    ("aman_dari_sumur", "safe_from_well", false),
    ("lantai_kuat", "strong_slab", false),
    ("tinja_anak_aman", "child_faeces_safe", false),
    ("semua_anggota_memakai", "all_members_use", false),
    ("air_dan_sabun", "water_and_soap", false),
    ("tidak_ada_tinja_sekitar", "no_faeces_around", false),
    ("lintang", "lat", true),
    ("bujur", "lng", true),
    ("foto_sha256", "photo_sha256", false),
    ("perangkat", "device_id", true),
    ("tanda_gps", "gps_flags", false),
    ("diterima", "received_at", false),
];

/// The checklist's keys in NDJSON, in `Checklist`'s field order (what its `Serialize` wrote).
const CHECKLIST_KEYS: [&str; 7] = [
    "closed_toilet",
    "safe_from_well",
    "strong_slab",
    "child_faeces_safe",
    "all_members_use",
    "water_and_soap",
    "no_faeces_around",
];

fn flag_text(flag: GpsFlag) -> &'static str {
    match flag {
        GpsFlag::OutsideVillage => "outside_village",
        GpsFlag::FarFromHousehold => "far_from_household",
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Encoder {
    pub format: Format,
    /// Head of family, sanitarian, device and GPS: admins only.
    pub personal: bool,
    pub lang: Lang,
    /// The last row's village and its code as text.
    village: Option<(AreaCode, String)>,
}

impl Encoder {
    pub fn new(format: Format, personal: bool, lang: Lang) -> Self {
        Self { format, personal, lang, village: None }
    }

    pub fn header(&self, out: &mut Vec<u8>) {
        if self.format == Format::Ndjson {
            return;
        }
        let names: Vec<&str> = COLUMNS
            .iter()
            .filter(|(_, _, personal)| self.personal || !personal)
            .map(|(id, en, _)| if self.lang == Lang::En { *en } else { *id })
            .collect();
        out.extend_from_slice(names.join(",").as_bytes());
        out.push(b'\n');
    }

    pub fn row(&mut self, out: &mut Vec<u8>, row: &ExportRow<'_>) {
        if self.village.as_ref().is_none_or(|(code, _)| *code != row.village) {
            self.village = Some((row.village, row.village.to_string()));
        }
        match self.format {
            Format::Csv => self.csv_row(out, row),
            Format::Ndjson => self.json_line(out, row),
        }
    }

    fn village_text(&self) -> &str {
        self.village.as_ref().map_or("", |(_, text)| text)
    }

    fn json_line(&self, out: &mut Vec<u8>, row: &ExportRow<'_>) {
        let visit = row;
        let mut uuid = uuid::Uuid::encode_buffer();
        out.extend_from_slice(b"{\"visit_id\":\"");
        out.extend_from_slice(visit.id.as_hyphenated().encode_lower(&mut uuid).as_bytes());
        out.extend_from_slice(b"\",\"household_id\":\"");
        out.extend_from_slice(visit.household_id.as_hyphenated().encode_lower(&mut uuid).as_bytes());
        out.extend_from_slice(b"\",\"village_code\":\"");
        out.extend_from_slice(self.village_text().as_bytes());
        out.push(b'"');
        let text_key = |out: &mut Vec<u8>, key: &str, text: Option<&str>| {
            if let Some(text) = text {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(key.as_bytes());
                out.extend_from_slice(b"\":");
                json_str(out, text);
            }
        };
        text_key(out, "dusun", row.dusun);
        text_key(out, "rw", row.rw);
        text_key(out, "rt", row.rt);
        text_key(out, "head_name", self.personal.then_some(row.head_name));
        out.extend_from_slice(b",\"kk_count\":");
        out.extend_from_slice(itoa::Buffer::new().format(row.kk_count).as_bytes());
        text_key(out, "sanitarian", self.personal.then_some(visit.sanitarian));
        out.extend_from_slice(b",\"visited_at\":\"");
        odf_domain::timestamp::push(visit.visited_at, out);
        out.extend_from_slice(b"\",\"category\":\"");
        out.extend_from_slice(visit.category.as_str().as_bytes());
        out.extend_from_slice(b"\",\"legacy_code\":\"");
        out.extend_from_slice(visit.category.legacy().as_str().as_bytes());
        out.extend_from_slice(if visit.category.has_access() {
            b"\",\"has_access\":true,\"checklist\":{"
        } else {
            b"\",\"has_access\":false,\"checklist\":{"
        });
        for (i, (key, answer)) in CHECKLIST_KEYS.iter().zip(answers(row)).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(match answer {
                Some(true) => b"\":true",
                Some(false) => b"\":false",
                None => b"\":null",
            });
        }
        out.push(b'}');
        if let Some(point) = visit.gps.filter(|_| self.personal) {
            out.extend_from_slice(b",\"lat\":");
            json_f64(out, point.lat());
            out.extend_from_slice(b",\"lng\":");
            json_f64(out, point.lng());
        }
        text_key(out, "photo_sha256", visit.photo_sha256);
        text_key(out, "device_id", self.personal.then_some(visit.device_id));
        out.extend_from_slice(b",\"gps_flags\":[");
        for (i, flag) in row.flags.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(flag_text(*flag).as_bytes());
            out.push(b'"');
        }
        out.extend_from_slice(b"],\"received_at\":\"");
        odf_domain::timestamp::push(row.received_at, out);
        out.extend_from_slice(b"\"}\n");
    }

    fn csv_row(&self, out: &mut Vec<u8>, row: &ExportRow<'_>) {
        let visit = row;
        let personal = self.personal;
        let mut uuid = uuid::Uuid::encode_buffer();
        out.extend_from_slice(visit.id.as_hyphenated().encode_lower(&mut uuid).as_bytes());
        out.push(b',');
        out.extend_from_slice(visit.household_id.as_hyphenated().encode_lower(&mut uuid).as_bytes());
        out.push(b',');
        out.extend_from_slice(self.village_text().as_bytes());
        let text = |out: &mut Vec<u8>, text: &str, shown: bool| {
            if shown {
                out.push(b',');
                push_csv_field(out, text);
            }
        };
        text(out, row.dusun.unwrap_or_default(), true);
        text(out, row.rw.unwrap_or_default(), true);
        text(out, row.rt.unwrap_or_default(), true);
        text(out, row.head_name, personal);
        out.push(b',');
        out.extend_from_slice(itoa::Buffer::new().format(row.kk_count).as_bytes());
        text(out, visit.sanitarian, personal);
        out.push(b',');
        odf_domain::timestamp::push(visit.visited_at, out);
        out.push(b',');
        out.extend_from_slice(visit.category.as_str().as_bytes());
        out.push(b',');
        out.extend_from_slice(visit.category.legacy().as_str().as_bytes());
        out.extend_from_slice(if visit.category.has_access() { b",1" } else { b",0" });
        for answer in answers(row) {
            out.extend_from_slice(match answer {
                Some(true) => b",1",
                Some(false) => b",0",
                None => b",",
            });
        }
        if personal {
            out.push(b',');
            if let Some(point) = visit.gps {
                display_f64(out, point.lat());
                out.push(b',');
                display_f64(out, point.lng());
            } else {
                out.push(b',');
            }
        }
        text(out, visit.photo_sha256.unwrap_or_default(), true);
        text(out, visit.device_id, personal);
        out.push(b',');
        for (i, flag) in row.flags.iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            out.extend_from_slice(flag_text(*flag).as_bytes());
        }
        out.push(b',');
        odf_domain::timestamp::push(row.received_at, out);
        out.push(b'\n');
    }
}

fn answers(row: &ExportRow<'_>) -> [Option<bool>; 7] {
    let c = &row.checklist;
    [
        c.closed_toilet,
        c.safe_from_well,
        c.strong_slab,
        c.child_faeces_safe,
        c.all_members_use,
        c.water_and_soap,
        c.no_faeces_around,
    ]
}

/// `value` as its `Display` writes it (what `to_string` wrote before: never an exponent), by way
/// of `serde_json`'s shortest form (ryu), which is the same digits but for a trailing `.0` and an
/// exponent on very small or large values. `core::fmt` took a tenth of a CSV row's time.
fn display_f64(out: &mut Vec<u8>, value: f64) {
    let start = out.len();
    let _ = serde_json::to_writer(&mut *out, &value);
    let written = &out[start..];
    if written.ends_with(b".0") {
        out.truncate(out.len() - 2);
    } else if !value.is_finite() || written.contains(&b'e') {
        out.truncate(start);
        let _ = write!(out, "{value}");
    }
}

/// A JSON string as `serde_json` escapes it, written without an intermediate `String`.
fn json_str(out: &mut Vec<u8>, text: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// A number as `serde_json` writes it (`null` for what JSON cannot hold).
fn json_f64(out: &mut Vec<u8>, value: f64) {
    let _ = serde_json::to_writer(&mut *out, &value);
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use odf_domain::{Category, Checklist, GeoPoint, Visit};
    use odf_store::ExportVisit;
    use serde::Serialize;

    use super::*;

    /// What the NDJSON line was before the encoder wrote it by hand (`serde_json` of this).
    #[derive(Serialize)]
    struct Line<'a> {
        visit_id: uuid::Uuid,
        household_id: uuid::Uuid,
        village_code: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        dusun: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        rw: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        rt: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        head_name: Option<&'a str>,
        kk_count: u16,
        #[serde(skip_serializing_if = "Option::is_none")]
        sanitarian: Option<&'a str>,
        visited_at: String,
        category: &'static str,
        legacy_code: &'static str,
        has_access: bool,
        checklist: &'a Checklist,
        #[serde(skip_serializing_if = "Option::is_none")]
        lat: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        lng: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        photo_sha256: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        device_id: Option<&'a str>,
        gps_flags: Vec<&'static str>,
        received_at: String,
    }

    fn serde_line(row: &ExportVisit, personal: bool) -> String {
        let visit = &row.visit;
        let gps = visit.gps.filter(|_| personal);
        let line = Line {
            visit_id: visit.id,
            household_id: visit.household_id,
            village_code: row.village.to_string(),
            dusun: row.dusun.as_deref(),
            rw: row.rw.as_deref(),
            rt: row.rt.as_deref(),
            head_name: personal.then_some(row.head_name.as_str()),
            kk_count: row.kk_count,
            sanitarian: personal.then_some(visit.sanitarian.as_str()),
            visited_at: odf_domain::timestamp::format(visit.visited_at),
            category: visit.category.as_str(),
            legacy_code: visit.category.legacy().as_str(),
            has_access: visit.category.has_access(),
            checklist: &visit.checklist,
            lat: gps.map(|p| p.lat()),
            lng: gps.map(|p| p.lng()),
            photo_sha256: visit.photo_sha256.as_deref(),
            device_id: personal.then_some(visit.device_id.as_str()),
            gps_flags: row.flags.iter().map(|f| flag_text(*f)).collect(),
            received_at: odf_domain::timestamp::format(row.received_at),
        };
        serde_json::to_string(&line).unwrap() + "\n"
    }

    fn rows() -> Vec<ExportVisit> {
        let at =
            Utc.with_ymd_and_hms(2026, 5, 4, 1, 2, 3).unwrap() + chrono::Duration::nanoseconds(45_678_901);
        let full = ExportVisit {
            visit: Visit {
                id: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
                household_id: uuid::Uuid::from_u128(0xfedc_ba98_7654_3210_fedc_ba98_7654_3210),
                sanitarian: "san \"a\", ok".to_owned(),
                visited_at: at,
                category: Category::LayakBersama,
                checklist: Checklist {
                    closed_toilet: Some(true),
                    strong_slab: Some(false),
                    ..Checklist::default()
                },
                gps: Some(GeoPoint::new(-5.3, 122.912_345_678_9).unwrap()),
                photo_sha256: Some("ab".repeat(32)),
                device_id: "=hp\nb".to_owned(),
            },
            village: "74.04.01.2001".parse().unwrap(),
            flags: vec![GpsFlag::OutsideVillage, GpsFlag::FarFromHousehold],
            received_at: at + chrono::Duration::seconds(90),
            head_name: "Ibu Ṣiti \u{1}".to_owned(),
            kk_count: 12,
            dusun: Some("Dusun I".to_owned()),
            rw: Some("-2".to_owned()),
            rt: None,
        };
        let mut bare = full.clone();
        bare.visit.gps = None;
        bare.visit.photo_sha256 = None;
        bare.visit.category = Category::BabsTerbuka;
        bare.flags.clear();
        bare.dusun = None;
        bare.village = "74.04.02.2005".parse().unwrap();
        vec![full, bare.clone(), bare]
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -5.0,
            -5.3,
            122.912_345_678_9,
            90.0,
            -180.0,
            0.1,
            1e-4,
            1e-5,
            1e-7,
            -3.000_000_000_000_1,
            1e15,
            1e16,
            1e21,
            123_456.789,
            f64::MIN_POSITIVE,
            f64::MAX,
        ];
        for value in values {
            let mut out = b"x".to_vec();
            display_f64(&mut out, value);
            assert_eq!(String::from_utf8(out).unwrap(), format!("x{value}"), "{value:e}");
        }
    }

    #[test]
    fn ndjson_lines_are_what_serde_json_wrote() {
        for personal in [true, false] {
            let mut encoder = Encoder::new(Format::Ndjson, personal, Lang::En);
            for row in rows() {
                let mut out = Vec::new();
                encoder.row(&mut out, &row.as_row());
                assert_eq!(String::from_utf8(out).unwrap(), serde_line(&row, personal));
            }
        }
    }

    #[test]
    fn csv_rows_quote_text_and_leave_out_personal_columns() {
        let [full, bare, _] = <[ExportVisit; 3]>::try_from(rows()).unwrap();
        let (v, r) = (
            odf_domain::timestamp::format(full.visit.visited_at),
            odf_domain::timestamp::format(full.received_at),
        );
        let (id, hh) = (full.visit.id, full.visit.household_id);
        let legacy = |c: Category| c.legacy().as_str();
        let mut admin = Encoder::new(Format::Csv, true, Lang::Id);
        let mut out = Vec::new();
        admin.row(&mut out, &full.as_row());
        admin.row(&mut out, &bare.as_row());
        let sha = "ab".repeat(32);
        let expected = format!(
            "{id},{hh},74.04.01.2001,Dusun I,'-2,,Ibu Ṣiti \u{1},12,\"san \"\"a\"\", ok\",{v},layak_bersama,{},1,1,,0,,,,,\
             -5.3,122.9123456789,{sha},\"'=hp\nb\",outside_village;far_from_household,{r}\n\
             {id},{hh},74.04.02.2005,,'-2,,Ibu Ṣiti \u{1},12,\"san \"\"a\"\", ok\",{v},babs_terbuka,{},0,1,,0,,,,,\
             ,,,\"'=hp\nb\",,{r}\n",
            legacy(Category::LayakBersama),
            legacy(Category::BabsTerbuka),
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        let mut viewer = Encoder::new(Format::Csv, false, Lang::Id);
        let mut out = Vec::new();
        viewer.row(&mut out, &full.as_row());
        let expected = format!(
            "{id},{hh},74.04.01.2001,Dusun I,'-2,,12,{v},layak_bersama,{},1,1,,0,,,,,{sha},\
             outside_village;far_from_household,{r}\n",
            legacy(Category::LayakBersama),
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
