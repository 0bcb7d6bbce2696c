//! Numbers, percentages and dates as the pages print them: Indonesian style (`1.234`, `45,2 %`,
//! `29 November 2026`) or English (`1,234`, `45.2 %`, `29 November 2026`). The SVG map and trend get
//! their labels from here too, so a figure reads the same everywhere on a page.

use chrono::{Datelike, NaiveDate};
use odf_domain::timestamp::INDONESIAN_MONTHS;

use crate::labels::Lang;

/// `num/den` as a percentage with one decimal (`45,2 %` with a decimal comma), or `–` when the
/// denominator is zero: no data is not 0 %. Rounded down, as the SVG map's titles are, so an area
/// short of complete never reads `100,0 %`.
pub fn percent_text(num: u64, den: u64, lang_decimal_comma: bool) -> String {
    if den == 0 {
        return "–".to_owned();
    }
    let tenths = u128::from(num.min(den)) * 1000 / u128::from(den);
    let (whole, tenth) = (tenths / 10, tenths % 10);
    let sep = if lang_decimal_comma { ',' } else { '.' };
    format!("{whole}{sep}{tenth} %")
}

/// The percentage as a number for sorting and colouring (`None` without a denominator).
pub fn percent_value(num: i64, den: i64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    (den > 0).then(|| num as f64 * 100.0 / den as f64)
}

/// A count with thousands separators: `12.345` (id) or `12,345` (en).
pub fn number_text(n: i64, lang: Lang) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(month0: u32, lang: Lang) -> &'static str {
    let names = match lang {
        Lang::Id => &INDONESIAN_MONTHS,
        Lang::En => &MONTHS_EN,
    };
    names.get(month0 as usize).copied().unwrap_or("")
}

/// `29 November 2026`.
pub fn date_text(day: NaiveDate, lang: Lang) -> String {
    format!("{} {} {}", day.day(), month_name(day.month0(), lang), day.year())
}

/// `Nov 2026` style month for the trend's axis: `2026-03` → `Mar 2026`.
pub fn month_text(period: &str, lang: Lang) -> String {
    let parsed = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d");
    match parsed {
        Ok(first) => {
            let name = month_name(first.month0(), lang);
            format!("{} {}", name.get(..3).unwrap_or(name), first.year())
        }
        Err(_) => period.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_have_one_decimal_in_the_languages_style_and_no_data_is_a_dash() {
        assert_eq!(percent_text(123, 272, true), "45,2 %");
        assert_eq!(percent_text(123, 272, false), "45.2 %");
        assert_eq!(percent_text(2, 3, true), "66,6 %");
        assert_eq!(percent_text(9_999, 10_000, true), "99,9 %");
        assert_eq!(percent_text(0, 5, true), "0,0 %");
        assert_eq!(percent_text(5, 5, true), "100,0 %");
        assert_eq!(percent_text(0, 0, true), "–");
    }

    #[test]
    fn numbers_and_dates_read_as_in_indonesia_or_in_english() {
        assert_eq!(number_text(1_234_567, Lang::Id), "1.234.567");
        assert_eq!(number_text(1_234, Lang::En), "1,234");
        assert_eq!(number_text(999, Lang::Id), "999");
        assert_eq!(number_text(-1_000, Lang::Id), "-1.000");
        let day = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap_or_default();
        assert_eq!(date_text(day, Lang::Id), "17 Agustus 2026");
        assert_eq!(date_text(day, Lang::En), "17 August 2026");
        assert_eq!(month_text("2026-05", Lang::Id), "Mei 2026");
        assert_eq!(month_text("2026-05", Lang::En), "May 2026");
    }
}
