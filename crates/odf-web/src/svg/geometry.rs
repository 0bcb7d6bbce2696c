//! From lon/lat boundaries to short SVG path data.
//!
//! Steps, per shape: project (equirectangular, longitudes shrunk by the cosine of the middle
//! latitude, so a province near the equator or at 8° S keeps its shape) and fit into the view; simplify
//! in pixel space with `geo`'s Ramer-Douglas-Peucker, so the tolerance is a fraction of a pixel
//! whatever the extent (a country or one kecamatan); round to 0.1 px; drop islands smaller than a
//! few pixels; write relative path commands. A province's 2,283 villages come to a few hundred
//! kilobytes instead of the 5.7 MB of their GeoJSON.
//!
//! Neighbours are simplified independently, so shared borders may not match to the tenth of a pixel;
//! the border stroke hides that at this scale.

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect, Simplify};

/// The projection and fit of one drawing: lon/lat → view pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    min_lon: f64,
    max_lat: f64,
    /// cos(middle latitude): degrees of longitude are that much shorter than degrees of latitude.
    shrink: f64,
    scale: f64,
    offset_x: f64,
    offset_y: f64,
    /// Height of the fitted drawing including margins, in view pixels.
    pub(crate) height: f64,
}

impl Frame {
    /// Fits the union of `geometries`' extents into `width` × at most `max_height`, with `margin` on
    /// every side. `None` when there is nothing to draw.
    pub(crate) fn fit<'a>(
        geometries: impl Iterator<Item = &'a MultiPolygon<f64>>,
        width: f64,
        max_height: f64,
        margin: f64,
    ) -> Option<Self> {
        let extent = geometries.filter_map(BoundingRect::bounding_rect).reduce(|a, b| {
            Rect::new(
                Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        })?;
        let middle_lat = (extent.min().y + extent.max().y) / 2.0;
        // Near a pole the cosine vanishes; no Indonesian area is there, but stay finite.
        let shrink = middle_lat.to_radians().cos().max(0.05);
        let projected_width = extent.width() * shrink;
        let projected_height = extent.height();
        let inner_width = width - 2.0 * margin;
        let inner_height = max_height - 2.0 * margin;
        let scale = match (projected_width > 0.0, projected_height > 0.0) {
            (true, true) => (inner_width / projected_width).min(inner_height / projected_height),
            (true, false) => inner_width / projected_width,
            (false, true) => inner_height / projected_height,
            (false, false) => 1.0,
        };
        let drawn_width = projected_width * scale;
        let drawn_height = projected_height * scale;
        Some(Self {
            min_lon: extent.min().x,
            max_lat: extent.max().y,
            shrink,
            scale,
            offset_x: (width - drawn_width) / 2.0,
            offset_y: margin,
            height: drawn_height + 2.0 * margin,
        })
    }

    /// How many polygons of `geometries` span at least 4 view pixels: the ones whose detail is
    /// drawn (smaller islands are dots either way).
    pub(crate) fn visible_parts<'a>(&self, geometries: impl Iterator<Item = &'a MultiPolygon<f64>>) -> usize {
        let min_degrees = 4.0 / self.scale;
        geometries
            .flat_map(|g| g.iter())
            .filter_map(|p| p.exterior().bounding_rect())
            .filter(|r| r.width() * self.shrink >= min_degrees || r.height() >= min_degrees)
            .count()
    }

    fn project(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.offset_x + (c.x - self.min_lon) * self.shrink * self.scale,
            y: self.offset_y + (self.max_lat - c.y) * self.scale,
        }
    }

    fn project_ring(&self, ring: &LineString<f64>) -> LineString<f64> {
        ring.coords().map(|c| self.project(*c)).collect()
    }

    fn project_polygon(&self, polygon: &Polygon<f64>) -> Polygon<f64> {
        Polygon::new(
            self.project_ring(polygon.exterior()),
            polygon.interiors().iter().map(|r| self.project_ring(r)).collect(),
        )
    }
}

/// A ring in tenths of a view pixel, without the closing repeat of its first point.
type Ring = Vec<(i64, i64)>;

/// SVG path data (`d`) for one shape, or `None` when it has no geometry at all. A shape that
/// simplification would erase entirely is still drawn (unsimplified, or as a dot), so every child
/// with a boundary gets a visible, clickable path.
pub(crate) fn path_data(frame: &Frame, geometry: &MultiPolygon<f64>, tolerance: f64) -> Option<String> {
    if geometry.0.iter().all(|p| p.exterior().0.is_empty()) {
        return None;
    }
    let projected: MultiPolygon<f64> = geometry.iter().map(|p| frame.project_polygon(p)).collect();
    let mut polygons: Vec<Vec<Ring>> =
        projected.simplify(tolerance).iter().filter_map(rounded_polygon).collect();
    // Islands below a few square pixels are invisible dots that cost bytes; the shape's largest
    // part always stays.
    let smallest_kept = 4.0 * tolerance * tolerance * 100.0;
    if let Some(largest) = polygons.iter().map(|p| area(&p[0])).reduce(f64::max) {
        polygons.retain(|p| {
            let a = area(&p[0]);
            a >= smallest_kept || a >= largest
        });
    }
    if polygons.is_empty() {
        polygons.push(fallback(&projected));
    }
    let mut d = String::new();
    let mut cursor = (0, 0);
    for ring in polygons.iter().flatten() {
        write_ring(&mut d, ring, &mut cursor);
    }
    Some(d)
}

/// The shape's largest part unsimplified, or a small square at it when even that rounds to a
/// point (a village smaller than a tenth of a pixel).
fn fallback(projected: &MultiPolygon<f64>) -> Vec<Ring> {
    let largest = projected
        .iter()
        .filter_map(|p| rounded_ring(p.exterior()))
        .max_by(|a, b| area(a).total_cmp(&area(b)));
    if let Some(ring) = largest {
        return vec![ring];
    }
    let (x, y) = projected
        .iter()
        .flat_map(|p| p.exterior().coords())
        .next()
        .map_or((0, 0), |c| (tenths(c.x), tenths(c.y)));
    vec![vec![(x - 5, y - 5), (x + 5, y - 5), (x + 5, y + 5), (x - 5, y + 5)]]
}

/// Exterior first, then holes; `None` when the exterior collapses.
fn rounded_polygon(polygon: &Polygon<f64>) -> Option<Vec<Ring>> {
    let exterior = rounded_ring(polygon.exterior())?;
    let mut rings = vec![exterior];
    rings.extend(polygon.interiors().iter().filter_map(rounded_ring));
    Some(rings)
}

/// Rounds to tenths and drops repeated points; `None` when fewer than 3 distinct points are left
/// or they enclose nothing.
fn rounded_ring(ring: &LineString<f64>) -> Option<Ring> {
    let mut out: Ring = Vec::with_capacity(ring.0.len());
    for c in ring.coords() {
        let p = (tenths(c.x), tenths(c.y));
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    (out.len() >= 3 && area(&out) > 0.0).then_some(out)
}

#[allow(clippy::cast_possible_truncation)] // view coordinates are a few thousand pixels at most
fn tenths(v: f64) -> i64 {
    (v * 10.0).round() as i64
}

/// Unsigned area in square tenths of a pixel (shoelace).
#[allow(clippy::cast_precision_loss)] // exact below 2^53, far above any view
fn area(ring: &Ring) -> f64 {
    let n = ring.len();
    let twice: i64 = (0..n)
        .map(|i| {
            let (x1, y1) = ring[i];
            let (x2, y2) = ring[(i + 1) % n];
            x1 * y2 - x2 * y1
        })
        .sum();
    twice.unsigned_abs() as f64 / 2.0
}

/// Appends `m dx dy dx dy … z`: all relative, so most numbers are one or two digits. After `z` the
/// current point is the ring's start, which is where the next `m` is measured from.
fn write_ring(d: &mut String, ring: &Ring, cursor: &mut (i64, i64)) {
    let Some(&start) = ring.first() else { return };
    d.push('m');
    let mut previous = *cursor;
    let mut first = true;
    for &(x, y) in ring {
        write_number(d, x - previous.0, first);
        write_number(d, y - previous.1, false);
        first = false;
        previous = (x, y);
    }
    d.push('z');
    *cursor = start;
}

/// A number of tenths the short way: `15` → `1.5`, `-5` → `-.5`, `20` → `2`. A space separates it
/// from the previous number unless its minus sign already does.
fn write_number(d: &mut String, value: i64, after_command: bool) {
    if value < 0 {
        d.push('-');
    } else if !after_command {
        d.push(' ');
    }
    let magnitude = value.unsigned_abs();
    let (whole, tenth) = (magnitude / 10, magnitude % 10);
    if whole > 0 || tenth == 0 {
        d.push_str(&whole.to_string());
    }
    if tenth > 0 {
        d.push('.');
        d.push(char::from(b'0' + u8::try_from(tenth).unwrap_or(0)));
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn numbers_are_written_in_tenths_without_needless_characters() {
        let mut d = String::new();
        for (v, first) in [(15, true), (-5, false), (20, false), (0, false), (-130, false)] {
            write_number(&mut d, v, first);
        }
        assert_eq!(d, "1.5-.5 2 0-13");
    }

    #[test]
    fn rings_are_relative_and_closed() {
        let mut d = String::new();
        let mut cursor = (0, 0);
        write_ring(&mut d, &vec![(10, 10), (30, 10), (30, 30)], &mut cursor);
        write_ring(&mut d, &vec![(50, 50), (60, 50), (60, 60)], &mut cursor);
        assert_eq!(d, "m1 1 2 0 0 2zm4 4 1 0 0 1z");
    }
}
