//! TEMPORARY stand-in for `crate::svg` (the SVG helper's module, WEB.md's API) until its branch is
//! merged: the same types and functions, drawn plainly. Removed at the merge.

use std::fmt::Write as _;

use geo::{BoundingRect, MultiPolygon};

#[derive(Debug, Clone)]
pub struct MapShape {
    pub code: String,
    pub name: String,
    pub href: String,
    pub geometry: MultiPolygon<f64>,
    pub value: Option<MapValue>,
}

#[derive(Debug, Clone, Copy)]
pub struct MapValue {
    pub numerator: u64,
    pub denominator: u64,
}

#[derive(Debug)]
pub struct MapLabels<'a> {
    pub title: &'a str,
    pub measure: &'a str,
    pub no_data: &'a str,
}

#[derive(Debug, Clone)]
pub struct TrendPoint {
    pub month: String,
    pub kk_akses: Option<(u64, u64)>,
    pub desa_sbs: Option<(u64, u64)>,
}

#[derive(Debug)]
pub struct TrendLabels<'a> {
    pub title: &'a str,
    pub kk_akses: &'a str,
    pub desa_sbs: &'a str,
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STEPS: [&str; 5] = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];

pub fn choropleth(shapes: &[MapShape], labels: &MapLabels<'_>) -> String {
    let rects: Vec<_> = shapes.iter().filter_map(|s| s.geometry.bounding_rect()).collect();
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for r in &rects {
        x0 = x0.min(r.min().x);
        y0 = y0.min(r.min().y);
        x1 = x1.max(r.max().x);
        y1 = y1.max(r.max().y);
    }
    let scale =
        if rects.is_empty() { 1.0 } else { 760.0 / (x1 - x0).max((y1 - y0) * 760.0 / 520.0).max(1e-9) };
    let mut out = format!(
        "<svg id=\"map\" role=\"img\" aria-labelledby=\"map-title\" viewBox=\"0 0 800 600\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"map-title\">{} — {}</title>",
        esc(labels.title),
        esc(labels.measure)
    );
    out.push_str("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#888\" stroke-width=\"2\"/></pattern></defs>");
    for shape in shapes {
        let mut d = String::new();
        for polygon in &shape.geometry.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for (i, c) in ring.coords().enumerate() {
                    let (x, y) = (20.0 + (c.x - x0) * scale, 20.0 + (y1 - c.y) * scale);
                    let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
        }
        let (class, fill, text) = match shape.value {
            Some(v) if v.denominator > 0 => {
                #[allow(
                    clippy::cast_precision_loss,
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss
                )]
                let step = ((v.numerator as f64 / v.denominator as f64) * 5.0).floor().min(4.0) as usize;
                let text = crate::format::percent_text(v.numerator, v.denominator, true);
                (
                    "shape",
                    STEPS.get(step).copied().unwrap_or("#ccc").to_owned(),
                    format!("{text} ({}/{})", v.numerator, v.denominator),
                )
            }
            _ => ("shape no-data", "url(#hatch)".to_owned(), labels.no_data.to_owned()),
        };
        let _ = write!(
            out,
            "<a href=\"{}\"><path data-code=\"{}\" class=\"{class}\" fill=\"{fill}\" d=\"{d}\"><title>{}: {}</title></path></a>",
            esc(&shape.href),
            esc(&shape.code),
            esc(&shape.name),
            esc(&text)
        );
    }
    out.push_str("<g class=\"legend\">");
    for (i, colour) in STEPS.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"570\" width=\"40\" height=\"14\" fill=\"{colour}\"/><text x=\"{}\" y=\"566\" font-size=\"11\">{}%</text>",
            20 + i * 44,
            20 + i * 44,
            i * 20
        );
    }
    let _ = write!(
        out,
        "<rect x=\"250\" y=\"570\" width=\"40\" height=\"14\" fill=\"url(#hatch)\" stroke=\"#888\"/><text x=\"296\" y=\"582\" font-size=\"11\">{}</text></g></svg>",
        esc(labels.no_data)
    );
    out
}

pub fn trend(points: &[TrendPoint], labels: &TrendLabels<'_>) -> String {
    let mut out = format!(
        "<svg id=\"trend\" role=\"img\" aria-labelledby=\"trend-title\" viewBox=\"0 0 800 300\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"trend-title\">{}</title>",
        esc(labels.title)
    );
    let n = points.len().max(2) - 1;
    for (series, colour, name) in [(0, "#2c7fb8", labels.kk_akses), (1, "#d95f02", labels.desa_sbs)] {
        let mut d = String::new();
        for (i, p) in points.iter().enumerate() {
            let value = if series == 0 { p.kk_akses } else { p.desa_sbs };
            if let Some((num, den)) = value.filter(|(_, den)| *den > 0) {
                #[allow(clippy::cast_precision_loss)]
                let (x, y) = (40.0 + 740.0 * i as f64 / n as f64, 260.0 - 240.0 * num as f64 / den as f64);
                let _ = write!(d, "{}{x:.1},{y:.1}", if d.is_empty() { "M" } else { "L" });
            }
        }
        let _ = write!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"3\"><title>{}</title></path>",
            esc(name)
        );
    }
    out.push_str("</svg>");
    out
}
