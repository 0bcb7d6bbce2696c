//! The choropleth: one `<a href><title/><path data-code class="shape …"/></a>` per child, grouped
//! by colour class so the fill is written once per class rather than once per shape (that and the
//! relative path data keep a province of 2,283 villages small), then the legend.
//!
//! A child whose geometry is empty cannot be drawn and gets no element; [`undrawable_codes`] names
//! them so the page can say so (the children table still lists them).

use std::fmt::Write as _;

use super::geometry::{Frame, path_data};
use super::{MapLabels, MapShape, NumberStyle, escape, escape_into, palette};

/// View width; the height follows the area's shape (at most [`MAX_MAP_HEIGHT`]) plus the legend.
const WIDTH: f64 = 800.0;
const MAX_MAP_HEIGHT: f64 = 600.0;
const MARGIN: f64 = 4.0;
const LEGEND_HEIGHT: f64 = 64.0;

/// The whole `<svg id="map">…</svg>`, numbers in Indonesian style.
pub fn choropleth(shapes: &[MapShape], labels: &MapLabels<'_>) -> String {
    choropleth_in(shapes, labels, NumberStyle::Indonesian)
}

/// Codes of the children that [`choropleth`] cannot draw (no boundary stored).
pub fn undrawable_codes(shapes: &[MapShape]) -> Vec<&str> {
    shapes
        .iter()
        .filter(|s| s.geometry.0.iter().all(|p| p.exterior().0.is_empty()))
        .map(|s| s.code.as_str())
        .collect()
}

/// [`choropleth`] with the number style of the page's language.
pub fn choropleth_in(shapes: &[MapShape], labels: &MapLabels<'_>, style: NumberStyle) -> String {
    let frame = Frame::fit(shapes.iter().map(|s| &s.geometry), WIDTH, MAX_MAP_HEIGHT, MARGIN);
    let map_height = frame.map_or(0.0, |f| f.height.ceil());
    // Detail follows how many visible polygons share the view, not how many children: a page may
    // draw a child from its own children's boundaries, hundreds of polygons under one code.
    let parts = frame.map_or(0, |f| f.visible_parts(shapes.iter().map(|s| &s.geometry)));
    let tolerance = tolerance(parts);

    // One bucket of markup per colour class, the last one for no data.
    let mut classes: Vec<String> = vec![String::new(); palette::STEPS.len() + 1];
    if let Some(frame) = &frame {
        for shape in shapes {
            let Some(d) = path_data(frame, &shape.geometry, tolerance) else { continue };
            let step = shape.value.and_then(|v| palette::step(v.numerator, v.denominator));
            let bucket = step.unwrap_or(palette::STEPS.len());
            write_shape(&mut classes[bucket], shape, step, &d, style, labels);
        }
    }

    let height = map_height + LEGEND_HEIGHT;
    let mut svg = String::with_capacity(classes.iter().map(String::len).sum::<usize>() + 4096);
    let _ = write!(
        svg,
        r#"<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="map-title" font-family="system-ui,sans-serif">"#
    );
    let _ = write!(svg, r#"<title id="map-title">{}</title>"#, escape(labels.title));
    write_no_data_pattern(&mut svg);
    let stroke_width = if parts > 200 { 0.2 } else { 0.6 };
    let _ = write!(
        svg,
        r#"<g class="shapes" stroke="{}" stroke-width="{stroke_width}" stroke-linejoin="round" fill-rule="evenodd">"#,
        palette::BORDER
    );
    for (i, markup) in classes.iter().enumerate() {
        if markup.is_empty() {
            continue;
        }
        match palette::STEPS.get(i) {
            Some(fill) => {
                let _ = write!(svg, r#"<g class="step s{i}" fill="{fill}">"#);
            }
            None => svg.push_str(r#"<g class="step no-data" fill="url(#map-no-data)">"#),
        }
        svg.push_str(markup);
        svg.push_str("</g>");
    }
    svg.push_str("</g>");
    write_legend(&mut svg, map_height, labels);
    svg.push_str("</svg>");
    svg
}

/// Simplification tolerance in view pixels. A few large polygons (a province's kabupaten) keep
/// half-pixel detail; many small ones (villages) are each a few pixels wide, so detail below a pixel
/// or two cannot be seen but would multiply the bytes.
fn tolerance(visible_parts: usize) -> f64 {
    match visible_parts {
        0..=100 => 0.5,
        101..=500 => 0.8,
        _ => 1.2,
    }
}

fn write_shape(
    out: &mut String,
    shape: &MapShape,
    step: Option<usize>,
    d: &str,
    style: NumberStyle,
    labels: &MapLabels<'_>,
) {
    out.push_str(r#"<a href=""#);
    escape_into(out, &shape.href);
    out.push_str(r#""><title>"#);
    escape_into(out, &shape.name);
    out.push_str(": ");
    let figure = shape.value.and_then(|v| style.figure(v.numerator, v.denominator));
    escape_into(out, figure.as_deref().unwrap_or(labels.no_data));
    out.push_str(r#"</title><path data-code=""#);
    escape_into(out, &shape.code);
    match step {
        Some(i) => {
            let _ = write!(out, r#"" class="shape s{i}" d=""#);
        }
        None => out.push_str(r#"" class="shape no-data" d=""#),
    }
    out.push_str(d);
    out.push_str(r#""/></a>"#);
}

/// Grey diagonal hatching: reads as "nothing here" in colour and in greyscale, unlike any class.
fn write_no_data_pattern(svg: &mut String) {
    let _ = write!(
        svg,
        r#"<defs><pattern id="map-no-data" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{}"/><path d="M0 0v6" stroke="{}" stroke-width="2.5"/></pattern></defs>"#,
        palette::NO_DATA_BACKGROUND,
        palette::NO_DATA_LINE
    );
}

fn write_legend(svg: &mut String, top: f64, labels: &MapLabels<'_>) {
    const SWATCH_WIDTH: usize = 64;
    const GAP: usize = 4;
    let _ = write!(
        svg,
        r#"<g class="legend" transform="translate({MARGIN} {top})" font-size="13" fill="{}">"#,
        palette::INK
    );
    let _ = write!(svg, r#"<text x="0" y="16" font-weight="bold">{}</text>"#, escape(labels.measure));
    for (i, fill) in palette::STEPS.iter().enumerate() {
        let x = i * (SWATCH_WIDTH + GAP);
        let (low, high) = (i * 20, (i + 1) * 20);
        let _ = write!(
            svg,
            r#"<rect class="swatch" data-step="{i}" x="{x}" y="24" width="{SWATCH_WIDTH}" height="14" fill="{fill}" stroke="{}"/><text x="{x}" y="56">{low}–{high} %</text>"#,
            palette::INK
        );
    }
    let x = palette::STEPS.len() * (SWATCH_WIDTH + GAP) + 3 * GAP;
    let _ = write!(
        svg,
        r#"<rect class="swatch" data-step="no-data" x="{x}" y="24" width="{SWATCH_WIDTH}" height="14" fill="url(#map-no-data)" stroke="{}"/><text x="{x}" y="56">{}</text>"#,
        palette::INK,
        escape(labels.no_data)
    );
    svg.push_str("</g>");
}
