//! Coverage exports: flat rows for CSV and map properties, the old STBM recap, and DHIS2
//! `dataValueSets`. Column names say which measure a number belongs to.

use chrono::NaiveDate;
use odf_domain::{AreaCode, Level};
use odf_rollup::{AreaFigures, AreaRef, Rollup};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::routes::coverage::Lang;
use crate::routes::coverage_types::{DataValue, DataValueSet};

/// Which DHIS2 data elements receive the counts, and how area codes become org unit ids.
#[derive(Debug, Clone, Deserialize)]
pub struct Dhis2Mapping {
    pub kk: String,
    pub kk_access: String,
    pub villages: String,
    pub villages_sbs: String,
    /// Prepended to the Kemendagri code to form the org unit id (empty: the code itself).
    pub org_unit_prefix: String,
}

impl Default for Dhis2Mapping {
    fn default() -> Self {
        Dhis2Mapping {
            kk: "ODF_KK_TERDAFTAR".to_owned(),
            kk_access: "ODF_KK_AKSES".to_owned(),
            villages: "ODF_DESA".to_owned(),
            villages_sbs: "ODF_DESA_SBS".to_owned(),
            org_unit_prefix: String::new(),
        }
    }
}

fn percent(value: Option<f64>) -> String {
    value.map(|p| format!("{p:.2}")).unwrap_or_default()
}

fn code_text(figures: &AreaFigures<'_>) -> String {
    figures.code.map_or_else(|| "nasional".to_owned(), |c| c.to_string())
}

/// Map properties for one area: counts and both measures, each with its parts and date (`day`, the
/// requested area's local day, the same on every row).
pub fn flat_properties(f: &AreaFigures<'_>, day: NaiveDate) -> Value {
    json!({
        "kode": code_text(f),
        "nama": f.name,
        "tingkat": f.level.as_str(),
        "kk_akses_persen": f.kk_akses.percent,
        "kk_akses_pembilang": f.kk_akses.numerator,
        "kk_akses_penyebut": f.kk_akses.denominator,
        "desa_sbs_persen": f.desa_sbs.percent,
        "desa_sbs_pembilang": f.desa_sbs.numerator,
        "desa_sbs_penyebut": f.desa_sbs.denominator,
        "status_desa": f.village.as_ref().map(|v| v.status.as_str()),
        "per_tanggal": day.to_string(),
    })
}

const HEADER_ID: &str = "kode,nama,tingkat,kk_terdaftar,kk_dikunjungi,kk_akses,persen_kk_akses,\
                         desa_total,desa_sbs,persen_desa_sbs,desa_berisiko,status_desa,per_tanggal";
const HEADER_EN: &str = "code,name,level,kk_registered,kk_visited,kk_with_access,pct_kk_akses,\
                         villages_total,villages_sbs,pct_desa_sbs,villages_at_risk,village_status,as_of";

/// A text cell, quoted when needed. A cell that a spreadsheet would read as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return, as in `=HYPERLINK(...)` in a place name) gets a
/// leading apostrophe, so it is shown as text and never evaluated.
fn csv_field(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 2);
    push_csv_field(&mut out, text);
    // Text in, text out: the bytes added are ASCII quotes and apostrophes.
    String::from_utf8(out).unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

/// Appends `text` to `out` as [`csv_field`] writes it, without a new string per cell (the visits
/// export writes hundreds of thousands of rows a second).
pub(crate) fn push_csv_field(out: &mut Vec<u8>, text: &str) {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if quoted {
        out.push(b'"');
    }
    if formula {
        out.push(b'\'');
    }
    if quoted {
        for part in text.split_inclusive('"') {
            out.extend_from_slice(part.as_bytes());
            if part.ends_with('"') {
                out.push(b'"');
            }
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// One row per area: % KK akses and % desa SBS with their numerators and denominators.
pub fn coverage_csv(rows: &[&AreaFigures<'_>], lang: Lang, day: NaiveDate) -> String {
    let mut out = String::from(if lang == Lang::En { HEADER_EN } else { HEADER_ID });
    out.push('\n');
    for f in rows {
        let line = [
            code_text(f),
            csv_field(f.name),
            f.level.as_str().to_owned(),
            f.kk_akses.denominator.to_string(),
            f.households.kk_visited.to_string(),
            f.kk_akses.numerator.to_string(),
            percent(f.kk_akses.percent),
            f.desa_sbs.denominator.to_string(),
            f.desa_sbs.numerator.to_string(),
            percent(f.desa_sbs.percent),
            f.villages.at_risk().to_string(),
            f.village.as_ref().map(|v| v.status.as_str().to_owned()).unwrap_or_default(),
            day.to_string(),
        ];
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// The per-village layout of the old STBM monitoring recap: KK per legacy code.
pub fn stbm_recap_csv(rollup: &Rollup<'_>, villages: &[AreaFigures<'_>], day: NaiveDate) -> String {
    let mut out = String::from(
        "kode_desa,nama_desa,kecamatan,jumlah_kk,jsp,jssp,sharing,babs,belum_dikunjungi,persen_kk_akses,status_sbs,per_tanggal\n",
    );
    let wilayah = rollup.wilayah();
    for f in villages {
        let Some(code) = f.code else { continue };
        let kecamatan = code.at_level(Level::Kecamatan).and_then(|k| wilayah.name(k)).unwrap_or_default();
        let legacy = &f.households.kk_by_legacy;
        let line = [
            code.to_string(),
            csv_field(f.name),
            csv_field(kecamatan),
            f.households.kk.to_string(),
            legacy.jsp.to_string(),
            legacy.jssp.to_string(),
            legacy.sharing.to_string(),
            legacy.babs.to_string(),
            f.households.kk_never_visited.to_string(),
            percent(f.kk_akses.percent),
            f.village.as_ref().map(|v| v.status.as_str().to_owned()).unwrap_or_default(),
            day.to_string(),
        ];
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// Village-level values only: DHIS2 sums them up its own org unit hierarchy, so sending higher
/// levels too would count everything twice.
pub fn dhis2_data_value_sets(
    rollup: &Rollup<'_>,
    area: AreaRef,
    period: &str,
    day: NaiveDate,
    mapping: &Dhis2Mapping,
) -> DataValueSet {
    let org_unit = |code: AreaCode| format!("{}{code}", mapping.org_unit_prefix);
    let mut values = Vec::new();
    for f in rollup.within(area, Level::Desa) {
        let Some(code) = f.code else { continue };
        let certified = i64::from(f.villages.certified);
        for (element, value) in [
            (&mapping.kk, f.households.kk),
            (&mapping.kk_access, f.households.kk_access),
            (&mapping.villages, 1),
            (&mapping.villages_sbs, certified),
        ] {
            values.push(DataValue {
                data_element: element.clone(),
                period: period.to_owned(),
                org_unit: org_unit(code),
                value: value.to_string(),
            });
        }
    }
    DataValueSet { period: period.to_owned(), complete_date: day.to_string(), data_values: values }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formula_cells_are_exported_as_text() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for cell in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_field(cell).trim_start_matches('"').starts_with('\''), "{cell:?}");
        }
        assert_eq!(csv_field("Desa Wakaokili"), "Desa Wakaokili");
        assert_eq!(csv_field("Kel. A, B"), "\"Kel. A, B\"");
    }
}
