//! Server-made SVG for the dashboard: the choropleth map of an area's children and the monthly trend
//! of both measures. Pure string building, no I/O: the web handlers (and later the phone UI) pass in
//! what they read from the store and put the returned `<svg>` into the page.
//!
//! Both drawings print every number they colour (a `<title>` per shape and per point), use a
//! colour-blind-safe palette and, for the trend, a dash pattern per measure, so colour is never the
//! only cue. Every caller-supplied string is XML-escaped here.
//!
//! Number style: [`choropleth`] and [`trend`] print numbers the Indonesian way (`45,2 %`, `1.234`);
//! [`choropleth_in`] and [`trend_in`] take the style, for the English page.

mod geometry;
mod map;
mod palette;
mod trend;

#[cfg(test)]
mod tests;

pub use map::{choropleth, choropleth_in, undrawable_codes};
pub use trend::{trend, trend_in};

/// One child area on the map.
#[derive(Debug, Clone)]
pub struct MapShape {
    /// The child's code, e.g. `74.01`; becomes `data-code`.
    pub code: String,
    pub name: String,
    /// Where clicking the shape goes (the child's page).
    pub href: String,
    /// Boundary in lon/lat (WGS84), as stored. An empty one cannot be drawn: see [`undrawable_codes`].
    pub geometry: geo::MultiPolygon<f64>,
    /// `None` = no data (no households, no villages): hatched, never a colour of the scale.
    pub value: Option<MapValue>,
}

/// A measure as its parts: percent = numerator / denominator. A zero denominator is drawn as no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapValue {
    pub numerator: u64,
    pub denominator: u64,
}

/// Ready-made (translated) texts for the map.
#[derive(Debug, Clone, Copy)]
pub struct MapLabels<'a> {
    /// Accessible name of the whole map, e.g. "Peta % KK akses, Kabupaten Buton".
    pub title: &'a str,
    /// The measure, e.g. "% KK akses"; heads the legend.
    pub measure: &'a str,
    /// The no-data swatch's text, e.g. "tidak ada data".
    pub no_data: &'a str,
}

/// One month of the trend; `None` where the month has no figure (drawn as a gap, not as 0 %).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// (numerator, denominator) of % KK akses.
    pub kk_akses: Option<(u64, u64)>,
    /// (numerator, denominator) of % desa SBS.
    pub desa_sbs: Option<(u64, u64)>,
}

/// Ready-made (translated) texts for the trend chart.
#[derive(Debug, Clone, Copy)]
pub struct TrendLabels<'a> {
    pub title: &'a str,
    pub kk_akses: &'a str,
    pub desa_sbs: &'a str,
}

/// How numbers are printed inside the drawings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberStyle {
    /// Bahasa Indonesia: `45,2 %`, `1.234`.
    #[default]
    Indonesian,
    /// English: `45.2 %`, `1,234`.
    English,
}

impl NumberStyle {
    fn decimal(self) -> char {
        match self {
            Self::Indonesian => ',',
            Self::English => '.',
        }
    }

    fn thousands(self) -> char {
        match self {
            Self::Indonesian => '.',
            Self::English => ',',
        }
    }

    /// `1234567` → `1.234.567` (Indonesian).
    fn count(self, n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(self.thousands());
            }
            out.push(c);
        }
        out
    }

    /// Percent with one decimal, rounded down so that an area short of complete never reads
    /// "100,0 %" (the goal is 100 %, and 99.96 % has not reached it). `None` for a zero denominator.
    fn percent(self, numerator: u64, denominator: u64) -> Option<String> {
        if denominator == 0 {
            return None;
        }
        let tenths = u128::from(numerator.min(denominator)) * 1000 / u128::from(denominator);
        Some(format!("{}{}{} %", tenths / 10, self.decimal(), tenths % 10))
    }

    /// `45,2 % (123/272)`: the percent with its parts, as every title prints it.
    fn figure(self, numerator: u64, denominator: u64) -> Option<String> {
        let percent = self.percent(numerator, denominator)?;
        Some(format!("{percent} ({}/{})", self.count(numerator), self.count(denominator)))
    }
}

/// Escapes text for XML character data and for attribute values in double quotes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0 at all; drop them rather than emit a
            // document the browser refuses.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}
