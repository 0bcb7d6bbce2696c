//! The monthly trend of both measures on one 0–100 % scale (the goal is the top line). Each measure
//! has its own colour, dash pattern and marker shape, so the two lines stay apart without colour; each
//! point's `<title>` prints the month, percent and its parts. A month without a figure breaks the
//! line instead of dropping to 0 %.

use std::fmt::Write as _;

use super::{NumberStyle, TrendLabels, TrendPoint, escape, escape_into, palette};

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 40.0;
/// At most this many month labels fit under the axis; beyond it every n-th month is labelled.
const MAX_MONTH_LABELS: usize = 12;

/// The whole `<svg id="trend">…</svg>`, numbers in Indonesian style.
pub fn trend(points: &[TrendPoint], labels: &TrendLabels<'_>) -> String {
    trend_in(points, labels, NumberStyle::Indonesian)
}

/// One measure's look; `key` is also its `data-measure`, as on the page's headline.
struct Series<'a> {
    key: &'static str,
    label: &'a str,
    colour: &'static str,
    dash: Option<&'static str>,
    square: bool,
    pick: fn(&TrendPoint) -> Option<(u64, u64)>,
}

/// [`trend`] with the number style of the page's language.
pub fn trend_in(points: &[TrendPoint], labels: &TrendLabels<'_>, style: NumberStyle) -> String {
    let mut points: Vec<&TrendPoint> = points.iter().collect();
    points.sort_by(|a, b| a.month.cmp(&b.month));
    let series = [
        Series {
            key: "kk_akses",
            label: labels.kk_akses,
            colour: palette::KK_AKSES,
            dash: None,
            square: false,
            pick: |p| p.kk_akses,
        },
        Series {
            key: "desa_sbs",
            label: labels.desa_sbs,
            colour: palette::DESA_SBS,
            dash: Some("7 4"),
            square: true,
            pick: |p| p.desa_sbs,
        },
    ];

    let mut svg = String::with_capacity(4096 + points.len() * 400);
    let _ = write!(
        svg,
        r#"<svg id="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="trend-title" font-family="system-ui,sans-serif" font-size="13">"#
    );
    let _ = write!(svg, r#"<title id="trend-title">{}</title>"#, escape(labels.title));
    let axis = Axis::new(&points);
    write_axes(&mut svg, &points, &axis);
    for s in &series {
        write_series(&mut svg, &points, &axis, s, style);
    }
    write_legend(&mut svg, &series);
    svg.push_str("</svg>");
    svg
}

/// Where each point sits on the x axis, and whether it is the calendar month right after the
/// previous point (else the line breaks there). By calendar month when every label is `YYYY-MM`, so a
/// month the caller left out still shows as a gap; otherwise evenly by position.
struct Axis {
    x: Vec<f64>,
    follows: Vec<bool>,
}

impl Axis {
    #[allow(clippy::cast_precision_loss)] // month counts are tiny
    fn new(points: &[&TrendPoint]) -> Axis {
        let width = WIDTH - LEFT - RIGHT;
        let months: Option<Vec<i64>> = points.iter().map(|p| month_number(&p.month)).collect();
        match months {
            Some(m) if m.len() >= 2 && m.windows(2).all(|w| w[0] < w[1]) => {
                let (first, span) = (m[0], (m[m.len() - 1] - m[0]) as f64);
                Axis {
                    x: m.iter().map(|v| LEFT + width * (v - first) as f64 / span).collect(),
                    follows: std::iter::once(false).chain(m.windows(2).map(|w| w[1] - w[0] == 1)).collect(),
                }
            }
            _ => {
                let n = points.len();
                Axis {
                    x: (0..n)
                        .map(|i| match n {
                            1 => LEFT + width / 2.0,
                            _ => LEFT + width * i as f64 / (n - 1) as f64,
                        })
                        .collect(),
                    follows: (0..n).map(|i| i > 0).collect(),
                }
            }
        }
    }
}

/// `2026-03` → months since year 0; `None` for anything else.
fn month_number(text: &str) -> Option<i64> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let (year, month) = (year.parse::<i64>().ok()?, month.parse::<i64>().ok()?);
    (1..=12).contains(&month).then_some(year * 12 + month - 1)
}

#[allow(clippy::cast_precision_loss)] // counts below 2^53
fn y_of(numerator: u64, denominator: u64) -> f64 {
    let share = numerator.min(denominator) as f64 / denominator as f64;
    HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)
}

fn write_axes(svg: &mut String, points: &[&TrendPoint], axis: &Axis) {
    let _ = write!(svg, r#"<g class="axes" fill="{}">"#, palette::INK);
    for percent in [0_u64, 25, 50, 75, 100] {
        let y = y_of(percent, 100);
        // The 100 % line is the goal: drawn darker than the other grid lines.
        let stroke = if percent == 100 || percent == 0 { palette::INK } else { palette::GRID };
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="{stroke}"/><text x="{}" y="{:.1}" text-anchor="end">{percent} %</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let every = points.len().saturating_sub(1).div_ceil(MAX_MONTH_LABELS - 1).max(1);
    for (i, point) in points.iter().enumerate() {
        let last = points.len() - 1;
        // Always label the latest month; skip a regular label that would crowd it.
        if !(i == last || (i % every == 0 && last - i >= every.div_ceil(2))) {
            continue;
        }
        let x = axis.x[i];
        let _ = write!(
            svg,
            r#"<text class="month" x="{x:.1}" y="{:.1}" text-anchor="middle">"#,
            HEIGHT - BOTTOM + 20.0
        );
        escape_into(svg, &point.month);
        svg.push_str("</text>");
    }
    svg.push_str("</g>");
}

fn write_series(
    svg: &mut String,
    points: &[&TrendPoint],
    axis: &Axis,
    series: &Series<'_>,
    style: NumberStyle,
) {
    let dash = series.dash.map(|d| format!(r#" stroke-dasharray="{d}""#)).unwrap_or_default();
    let _ = write!(
        svg,
        r#"<g class="series" data-measure="{}" stroke="{}" fill="{}">"#,
        series.key, series.colour, series.colour
    );
    // Lines: one polyline per run of consecutive calendar months that have a figure.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |svg: &mut String, run: &mut Vec<(f64, f64)>| {
        if run.len() >= 2 {
            svg.push_str(r#"<polyline fill="none" stroke-width="2.5" points=""#);
            let coords: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            svg.push_str(&coords.join(" "));
            let _ = write!(svg, r#""{dash}/>"#);
        }
        run.clear();
    };
    for (i, point) in points.iter().enumerate() {
        match (series.pick)(point).filter(|&(_, den)| den > 0) {
            Some((num, den)) if axis.follows[i] || run.is_empty() => run.push((axis.x[i], y_of(num, den))),
            Some((num, den)) => {
                flush(svg, &mut run);
                run.push((axis.x[i], y_of(num, den)));
            }
            None => flush(svg, &mut run),
        }
    }
    flush(svg, &mut run);
    // Markers, each with its numbers; a lone month between gaps shows as a marker alone.
    for (i, point) in points.iter().enumerate() {
        let Some((num, den)) = (series.pick)(point) else { continue };
        let Some(figure) = style.figure(num, den) else { continue };
        let (x, y) = (axis.x[i], y_of(num, den));
        let title = format!("{} {}: {figure}", series.label, point.month);
        let _ = write!(svg, r#"<g class="point" data-month=""#);
        escape_into(svg, &point.month);
        svg.push_str(r#""><title>"#);
        escape_into(svg, &title);
        svg.push_str("</title>");
        write_marker(svg, series.square, x, y);
        svg.push_str("</g>");
    }
    svg.push_str("</g>");
}

fn write_marker(svg: &mut String, square: bool, x: f64, y: f64) {
    if square {
        let _ = write!(svg, r#"<rect x="{:.1}" y="{:.1}" width="9" height="9"/>"#, x - 4.5, y - 4.5);
    } else {
        let _ = write!(svg, r#"<circle cx="{x:.1}" cy="{y:.1}" r="5"/>"#);
    }
}

fn write_legend(svg: &mut String, series: &[Series<'_>]) {
    svg.push_str(r#"<g class="legend">"#);
    let mut x = LEFT;
    for s in series {
        let dash = s.dash.map(|d| format!(r#" stroke-dasharray="{d}""#)).unwrap_or_default();
        let _ = write!(
            svg,
            r#"<g data-measure="{}" stroke="{}" fill="{}"><line x1="{x}" x2="{}" y1="16" y2="16" stroke-width="2.5"{dash}/>"#,
            s.key,
            s.colour,
            s.colour,
            x + 36.0
        );
        write_marker(svg, s.square, x + 18.0, 16.0);
        let _ = write!(
            svg,
            r#"<text x="{}" y="21" stroke="none" fill="{}">{}</text></g>"#,
            x + 44.0,
            palette::INK,
            escape(s.label)
        );
        // Labels are short ("% KK akses"); leave room for longer translations.
        x += 60.0 + 8.0 * f64::from(u32::try_from(s.label.chars().count()).unwrap_or(40));
    }
    svg.push_str("</g>");
}
