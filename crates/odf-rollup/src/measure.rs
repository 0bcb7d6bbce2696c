//! The two measures, the labelled [`Figure`] every percentage is shown as, and the KKS award tiers.
//!
//! - **% KK akses** ([`Measure::KkAkses`]): KK (family units) whose latest visit found access ÷ all
//!   registered KK of the area.
//! - **% desa SBS** ([`Measure::DesaSbs`]): certified (ODF) villages ÷ **all** villages of the area
//!   in the places list, including those with no data yet.
//!
//! Sulawesi Tenggara in June 2022 had 89.42% on the first and 42.03% on the second, which is why a
//! figure never travels without its measure, numerator, denominator and date.

use std::fmt;

use chrono::{DateTime, Utc};
use odf_domain::Ratio;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which percentage a figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Measure {
    /// % KK akses: KK with access ÷ registered KK.
    KkAkses,
    /// % desa SBS: certified villages ÷ all villages.
    DesaSbs,
}

impl Measure {
    pub const ALL: [Measure; 2] = [Measure::KkAkses, Measure::DesaSbs];

    /// The stable machine name, as serialised (`kk_akses`, `desa_sbs`).
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::KkAkses => "kk_akses",
            Measure::DesaSbs => "desa_sbs",
        }
    }

    /// The label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Measure::KkAkses => "% KK akses",
            Measure::DesaSbs => "% desa SBS",
        }
    }

    /// Reads a machine name, e.g. from a query parameter.
    pub fn parse(text: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One percentage with what it is made of and the date it is for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    pub measure: Measure,
    /// [`Measure::label`], carried along so that a dashboard cannot show the number without it.
    pub label: &'static str,
    /// % KK akses: KK with access (JSP or JSSP: aman, layak sendiri, layak bersama). % desa SBS:
    /// certified villages (sbs and slipped).
    pub numerator: i64,
    /// % KK akses: registered KK; at a past date only the households known by then (registered on
    /// the server or visited by the end of that day), so a later jump can be households newly
    /// registered, not new ones built. % desa SBS: every village of the area, with or without data.
    pub denominator: i64,
    /// `None` when the denominator is zero: "no data", never 0%.
    pub percent: Option<f64>,
    #[serde(with = "odf_domain::timestamp")]
    pub as_of: DateTime<Utc>,
}

impl Figure {
    pub fn new(measure: Measure, ratio: Ratio, as_of: DateTime<Utc>) -> Figure {
        Figure {
            measure,
            label: measure.label(),
            numerator: ratio.numerator,
            denominator: ratio.denominator,
            percent: ratio.percent(),
            as_of,
        }
    }

    pub fn ratio(&self) -> Ratio {
        Ratio { numerator: self.numerator, denominator: self.denominator }
    }
}

/// Indonesian number style, for reports and logs: `% KK akses: 71,00% (1.420 dari 2.000, per
/// 2022-06-30)`, or `belum ada data` (no data yet) for a zero denominator.
impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.label)?;
        match self.percent {
            Some(percent) => write!(f, "{}%", format!("{percent:.2}").replace('.', ","))?,
            None => f.write_str("belum ada data")?,
        }
        write!(
            f,
            " ({} dari {}, per {})",
            grouped(self.numerator),
            grouped(self.denominator),
            self.as_of.format("%Y-%m-%d")
        )
    }
}

/// `1420000` → `1.420.000`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out
}

/// The Kabupaten/Kota Sehat (KKS) award tier a kabupaten/kota reaches by its % desa SBS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KksTier {
    Padapa,
    Wiwerda,
    Wistara,
}

impl KksTier {
    pub fn as_str(self) -> &'static str {
        match self {
            KksTier::Padapa => "padapa",
            KksTier::Wiwerda => "wiwerda",
            KksTier::Wistara => "wistara",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KksTier::Padapa => "Padapa",
            KksTier::Wiwerda => "Wiwerda",
            KksTier::Wistara => "Wistara",
        }
    }
}

/// The lowest % desa SBS for each KKS tier.
///
/// Source: the project's domain notes (`../shared/DOMAIN.md`): "KKS award tiers read the ODF share:
/// Padapa, Wiwerda, Wistara (from about 60-80%, 80-90%, up to 100%)". The source gives approximate
/// bands, so the defaults are approximate too and configurable: Padapa from 60%, Wiwerda from 80%,
/// Wistara from 90%. A kabupaten/kota below the Padapa threshold reaches no tier. Check the current
/// KKS regulation before relying on these numbers for an award.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KksThresholds {
    padapa: f64,
    wiwerda: f64,
    wistara: f64,
}

impl KksThresholds {
    /// Padapa >= 60%, Wiwerda >= 80%, Wistara >= 90% (approximate; see the type's documentation).
    pub const DEFAULT: KksThresholds = KksThresholds { padapa: 60.0, wiwerda: 80.0, wistara: 90.0 };

    /// Thresholds in percent; they must rise strictly and lie in (0, 100].
    pub fn new(padapa: f64, wiwerda: f64, wistara: f64) -> Result<KksThresholds, ThresholdError> {
        // Written so that NaN fails every comparison and is rejected.
        let ok = padapa > 0.0 && padapa < wiwerda && wiwerda < wistara && wistara <= 100.0;
        if ok {
            Ok(KksThresholds { padapa, wiwerda, wistara })
        } else {
            Err(ThresholdError { padapa, wiwerda, wistara })
        }
    }

    pub fn padapa(&self) -> f64 {
        self.padapa
    }

    pub fn wiwerda(&self) -> f64 {
        self.wiwerda
    }

    pub fn wistara(&self) -> f64 {
        self.wistara
    }

    /// The highest tier whose threshold `percent` reaches; `None` below Padapa or without data.
    pub fn tier(&self, percent: Option<f64>) -> Option<KksTier> {
        let percent = percent?;
        if percent >= self.wistara {
            Some(KksTier::Wistara)
        } else if percent >= self.wiwerda {
            Some(KksTier::Wiwerda)
        } else if percent >= self.padapa {
            Some(KksTier::Padapa)
        } else {
            None
        }
    }
}

impl Default for KksThresholds {
    fn default() -> Self {
        KksThresholds::DEFAULT
    }
}

/// Thresholds that do not rise strictly within (0, 100].
#[derive(Debug, Clone, Copy, PartialEq, Error)]
#[error(
    "ambang KKS harus naik: 0 < Padapa ({padapa}) < Wiwerda ({wiwerda}) < Wistara ({wistara}) <= 100 (KKS thresholds must rise within 0-100)"
)]
pub struct ThresholdError {
    pub padapa: f64,
    pub wiwerda: f64,
    pub wistara: f64,
}

impl ThresholdError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        "kks_thresholds_invalid"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_round_trip_and_serialise_as_their_machine_names() {
        for measure in Measure::ALL {
            assert_eq!(Measure::parse(measure.as_str()), Some(measure));
            assert_eq!(serde_json::to_string(&measure).unwrap(), format!("\"{measure}\""));
        }
        assert_eq!(Measure::KkAkses.label(), "% KK akses");
        assert_eq!(Measure::DesaSbs.label(), "% desa SBS");
    }

    #[test]
    fn a_figure_prints_its_label_parts_and_date_in_indonesian_style() {
        let as_of = DateTime::parse_from_rfc3339("2022-06-30T00:00:00Z").unwrap().to_utc();
        let figure =
            Figure::new(Measure::KkAkses, Ratio { numerator: 1_420_000, denominator: 2_000_000 }, as_of);
        assert_eq!(figure.to_string(), "% KK akses: 71,00% (1.420.000 dari 2.000.000, per 2022-06-30)");
        let empty = Figure::new(Measure::DesaSbs, Ratio { numerator: 0, denominator: 0 }, as_of);
        assert_eq!(empty.to_string(), "% desa SBS: belum ada data (0 dari 0, per 2022-06-30)");
        assert_eq!(grouped(-1234), "-1.234");
        assert_eq!(grouped(999), "999");
    }

    #[test]
    fn tiers_start_at_their_thresholds() {
        let t = KksThresholds::default();
        assert_eq!(t.tier(None), None);
        assert_eq!(t.tier(Some(59.99)), None);
        assert_eq!(t.tier(Some(60.0)), Some(KksTier::Padapa));
        assert_eq!(t.tier(Some(80.0)), Some(KksTier::Wiwerda));
        assert_eq!(t.tier(Some(89.99)), Some(KksTier::Wiwerda));
        assert_eq!(t.tier(Some(90.0)), Some(KksTier::Wistara));
        assert_eq!(t.tier(Some(100.0)), Some(KksTier::Wistara));
    }

    #[test]
    fn thresholds_must_rise_within_0_and_100() {
        assert!(KksThresholds::new(50.0, 70.0, 100.0).is_ok());
        for (p, w, s) in [(80.0, 60.0, 90.0), (0.0, 50.0, 90.0), (60.0, 80.0, 101.0), (60.0, 60.0, 90.0)] {
            assert_eq!(KksThresholds::new(p, w, s).unwrap_err().code(), "kks_thresholds_invalid");
        }
        assert!(KksThresholds::new(f64::NAN, 80.0, 90.0).is_err());
    }
}
