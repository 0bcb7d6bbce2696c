//! GPS points and the checks made on them: inside Indonesia, inside a village boundary, and how far a
//! visit was recorded from the household's registered point.

use geo::{Contains, Coord, Distance, Haversine, LineString, MultiPolygon, Point, Polygon};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Indonesia's extent with a small margin (Sabang to Merauke, Miangas to Rote), WGS84 degrees.
pub const INDONESIA_LAT: (f64, f64) = (-11.5, 6.5);
pub const INDONESIA_LNG: (f64, f64) = (94.5, 141.5);

/// A validated WGS84 point inside Indonesia's bounding box.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPoint", into = "RawPoint")]
pub struct GeoPoint {
    lat: f64,
    lng: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct RawPoint {
    lat: f64,
    lng: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum GpsError {
    #[error("koordinat ({lat}, {lng}) di luar wilayah Indonesia (outside Indonesia's bounding box)")]
    OutsideIndonesia { lat: f64, lng: f64 },
    #[error("koordinat bukan angka yang sah (coordinates are not finite numbers)")]
    NotFinite,
}

impl GeoPoint {
    pub fn new(lat: f64, lng: f64) -> Result<GeoPoint, GpsError> {
        if !lat.is_finite() || !lng.is_finite() {
            return Err(GpsError::NotFinite);
        }
        let inside = (INDONESIA_LAT.0..=INDONESIA_LAT.1).contains(&lat)
            && (INDONESIA_LNG.0..=INDONESIA_LNG.1).contains(&lng);
        if !inside {
            return Err(GpsError::OutsideIndonesia { lat, lng });
        }
        Ok(GeoPoint { lat, lng })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lng(self) -> f64 {
        self.lng
    }

    /// As a `geo` point (x = longitude, y = latitude).
    pub fn to_point(self) -> Point<f64> {
        Point::new(self.lng, self.lat)
    }

    /// Great-circle distance in metres.
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        Haversine.distance(self.to_point(), other.to_point())
    }
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = GpsError;
    fn try_from(raw: RawPoint) -> Result<Self, Self::Error> {
        GeoPoint::new(raw.lat, raw.lng)
    }
}

impl From<GeoPoint> for RawPoint {
    fn from(point: GeoPoint) -> Self {
        RawPoint { lat: point.lat, lng: point.lng }
    }
}

/// A village boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary(pub MultiPolygon<f64>);

impl Boundary {
    pub fn contains(&self, point: GeoPoint) -> bool {
        self.0.contains(&point.to_point())
    }

    /// The boundary in a GeoJSON geometry (a Polygon or MultiPolygon), or why it is not one; the one
    /// reading of boundaries for the server's import, its GPS checks and the phone. Converted here
    /// rather than by `geojson`'s conversion, which indexes each position without checking its length
    /// and panics on `[0.0]` (found by the fuzz suite, issue 17).
    pub fn from_geojson(geometry: &geojson::Geometry) -> Result<Boundary, String> {
        let polygons: Vec<&geojson::PolygonType> = match &geometry.value {
            geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
            geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
            _ => {
                return Err(
                    "geometri harus Polygon atau MultiPolygon (geometry must be a Polygon or MultiPolygon)"
                        .to_owned(),
                );
            }
        };
        let ring = |positions: &Vec<geojson::Position>| -> Result<LineString<f64>, String> {
            let points = positions.iter().map(|position| match position.as_slice() {
                [x, y, ..] => Ok(Coord { x: *x, y: *y }),
                _ => {
                    Err("titik dengan kurang dari dua koordinat (a position with fewer than two coordinates)"
                        .to_owned())
                }
            });
            points.collect::<Result<Vec<_>, String>>().map(LineString)
        };
        let mut shape = Vec::with_capacity(polygons.len());
        for rings in polygons {
            let mut rings = rings.iter().map(ring);
            let exterior = rings.next().transpose()?.unwrap_or_else(|| LineString(Vec::new()));
            shape.push(Polygon::new(exterior, rings.collect::<Result<_, _>>()?));
        }
        Ok(Boundary(MultiPolygon(shape)))
    }
}

/// What the GPS checks found about one visit; anything but `Ok` is stored but flagged for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpsFlag {
    OutsideVillage,
    FarFromHousehold,
}

/// How far (metres) a visit may be from the household's registered point before it is flagged.
pub const DEFAULT_MAX_DISTANCE_M: f64 = 200.0;

/// Checks a visit point against the village boundary (when known) and the household's registered
/// point (when known).
pub fn check_visit_point(
    point: GeoPoint,
    boundary: Option<&Boundary>,
    registered: Option<GeoPoint>,
    max_distance_m: f64,
) -> Vec<GpsFlag> {
    let mut flags = Vec::new();
    if boundary.is_some_and(|b| !b.contains(point)) {
        flags.push(GpsFlag::OutsideVillage);
    }
    if registered.is_some_and(|home| home.distance_m(point) > max_distance_m) {
        flags.push(GpsFlag::FarFromHousehold);
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn square(lng: f64, lat: f64, size: f64) -> Boundary {
        let ring = LineString::from(vec![
            (lng, lat),
            (lng + size, lat),
            (lng + size, lat + size),
            (lng, lat + size),
            (lng, lat),
        ]);
        Boundary(MultiPolygon(vec![Polygon::new(ring, vec![])]))
    }

    #[test]
    fn points_outside_indonesia_are_invalid() {
        assert!(GeoPoint::new(-5.46, 122.62).is_ok()); // Pasarwajo, Buton
        assert!(matches!(GeoPoint::new(51.5, -0.12), Err(GpsError::OutsideIndonesia { .. })));
        assert!(matches!(GeoPoint::new(-5.0, 150.0), Err(GpsError::OutsideIndonesia { .. })));
        assert_eq!(GeoPoint::new(f64::NAN, 120.0), Err(GpsError::NotFinite));
        assert!(serde_json::from_str::<GeoPoint>(r#"{"lat": 40.0, "lng": 120.0}"#).is_err());
    }

    #[test]
    fn a_point_inside_the_village_polygon_is_not_flagged() {
        let village = square(122.60, -5.50, 0.05);
        let inside = GeoPoint::new(-5.47, 122.62).unwrap();
        let outside = GeoPoint::new(-5.40, 122.62).unwrap();
        assert!(village.contains(inside));
        assert!(!village.contains(outside));
        assert!(check_visit_point(inside, Some(&village), None, DEFAULT_MAX_DISTANCE_M).is_empty());
        assert_eq!(
            check_visit_point(outside, Some(&village), None, DEFAULT_MAX_DISTANCE_M),
            vec![GpsFlag::OutsideVillage]
        );
    }

    #[test]
    fn distance_from_the_registered_point_is_in_metres() {
        let home = GeoPoint::new(-5.47, 122.62).unwrap();
        // 0.001 degree of latitude is about 111 metres.
        let near = GeoPoint::new(-5.471, 122.62).unwrap();
        let far = GeoPoint::new(-5.475, 122.62).unwrap();
        let d = home.distance_m(near);
        assert!((105.0..118.0).contains(&d), "{d}");
        assert!(check_visit_point(near, None, Some(home), DEFAULT_MAX_DISTANCE_M).is_empty());
        assert_eq!(
            check_visit_point(far, None, Some(home), DEFAULT_MAX_DISTANCE_M),
            vec![GpsFlag::FarFromHousehold]
        );
    }
}
