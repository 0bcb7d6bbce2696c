//! The visits export's row encoders (CSV and NDJSON), written straight into the page's buffer.
//!
//! An export is millions of rows, so a row allocates nothing of its own: ids, timestamps and
//! numbers are formatted on the stack, text is escaped into the buffer, and the village code
//! (rows come in village order) is formatted once per village. The output is byte for byte what
//! `serde_json` and the `to_string` of each value wrote before; `tests/api/export.rs` holds it.

use std::io::Write as _;

use odf_domain::{AreaCode, GpsFlag};
use odf_store::ExportVisit;

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
    /// One CSV text cell, escaped before it is copied into the buffer.
    cell: String,
}

impl Encoder {
    pub fn new(format: Format, personal: bool, lang: Lang) -> Self {
        Self { format, personal, lang, village: None, cell: String::new() }
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

    pub fn row(&mut self, out: &mut Vec<u8>, row: &ExportVisit) {
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

    fn json_line(&self, out: &mut Vec<u8>, row: &ExportVisit) {
        let visit = &row.visit;
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
        text_key(out, "dusun", row.dusun.as_deref());
        text_key(out, "rw", row.rw.as_deref());
        text_key(out, "rt", row.rt.as_deref());
        text_key(out, "head_name", self.personal.then_some(row.head_name.as_str()));
        out.extend_from_slice(b",\"kk_count\":");
        out.extend_from_slice(itoa::Buffer::new().format(row.kk_count).as_bytes());
        text_key(out, "sanitarian", self.personal.then_some(visit.sanitarian.as_str()));
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
        text_key(out, "photo_sha256", visit.photo_sha256.as_deref());
        text_key(out, "device_id", self.personal.then_some(visit.device_id.as_str()));
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

    fn csv_row(&mut self, out: &mut Vec<u8>, row: &ExportVisit) {
        let visit = &row.visit;
        let personal = self.personal;
        let mut uuid = uuid::Uuid::encode_buffer();
        out.extend_from_slice(visit.id.as_hyphenated().encode_lower(&mut uuid).as_bytes());
        out.push(b',');
        out.extend_from_slice(visit.household_id.as_hyphenated().encode_lower(&mut uuid).as_bytes());
        out.push(b',');
        out.extend_from_slice(self.village_text().as_bytes());
        let cell = &mut self.cell;
        let mut text = |out: &mut Vec<u8>, text: &str, shown: bool| {
            if shown {
                out.push(b',');
                cell.clear();
                push_csv_field(cell, text);
                out.extend_from_slice(cell.as_bytes());
            }
        };
        text(out, row.dusun.as_deref().unwrap_or_default(), true);
        text(out, row.rw.as_deref().unwrap_or_default(), true);
        text(out, row.rt.as_deref().unwrap_or_default(), true);
        text(out, &row.head_name, personal);
        out.push(b',');
        out.extend_from_slice(itoa::Buffer::new().format(row.kk_count).as_bytes());
        text(out, &visit.sanitarian, personal);
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
                // `Display` of f64, as `to_string` wrote it (never an exponent).
                let _ = write!(out, "{},{}", point.lat(), point.lng());
            } else {
                out.push(b',');
            }
        }
        text(out, visit.photo_sha256.as_deref().unwrap_or_default(), true);
        text(out, &visit.device_id, personal);
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

fn answers(row: &ExportVisit) -> [Option<bool>; 7] {
    let c = &row.visit.checklist;
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

/// A JSON string as `serde_json` escapes it, written without an intermediate `String`.
fn json_str(out: &mut Vec<u8>, text: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// A number as `serde_json` writes it (`null` for what JSON cannot hold).
fn json_f64(out: &mut Vec<u8>, value: f64) {
    let _ = serde_json::to_writer(&mut *out, &value);
}
