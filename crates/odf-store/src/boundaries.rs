//! Reading village (or any area) boundaries from a GeoJSON FeatureCollection whose features carry a
//! `kode` property, as in `shared/data/boundaries-74-*.geojson` and `fixtures/boundaries-demo.geojson`.

use geo::{Centroid, MultiPolygon};
use odf_domain::{AreaCode, Boundary, GeoPoint};
use thiserror::Error;

use crate::model::AreaBoundary;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BoundaryParseError {
    #[error("bukan GeoJSON FeatureCollection yang sah: {0} (not a valid GeoJSON FeatureCollection)")]
    NotAFeatureCollection(String),
    #[error("fitur ke-{index}: {problem}")]
    Feature { index: usize, problem: String },
}

/// Parses every feature; returns the good boundaries and a problem per bad feature (0-based index).
pub fn parse_boundaries(
    text: &str,
) -> Result<(Vec<AreaBoundary>, Vec<BoundaryParseError>), BoundaryParseError> {
    let collection: geojson::FeatureCollection = text
        .parse()
        .map_err(|err: geojson::Error| BoundaryParseError::NotAFeatureCollection(err.to_string()))?;
    let mut boundaries = Vec::with_capacity(collection.features.len());
    let mut problems = Vec::new();
    for (index, feature) in collection.features.into_iter().enumerate() {
        match parse_feature(feature) {
            Ok(boundary) => boundaries.push(boundary),
            Err(problem) => problems.push(BoundaryParseError::Feature { index, problem }),
        }
    }
    Ok((boundaries, problems))
}

fn parse_feature(feature: geojson::Feature) -> Result<AreaBoundary, String> {
    let code_text = feature
        .property("kode")
        .and_then(|v| v.as_str())
        .ok_or_else(|| "properti 'kode' tidak ada (missing 'kode' property)".to_owned())?;
    let code = AreaCode::parse(code_text).map_err(|err| err.to_string())?;
    let given_centroid = feature.property("centroid").and_then(|v| v.as_array()).cloned();
    let geometry = feature.geometry.ok_or_else(|| format!("{code}: tanpa geometri (no geometry)"))?;
    let shape = to_multipolygon(&geometry).map_err(|err| format!("{code}: {err}"))?;
    let centroid = match given_centroid {
        Some(pair) if pair.len() == 2 => {
            let lng = pair[0].as_f64().unwrap_or(f64::NAN);
            let lat = pair[1].as_f64().unwrap_or(f64::NAN);
            Some(GeoPoint::new(lat, lng).map_err(|err| format!("{code}: centroid: {err}"))?)
        }
        _ => shape.centroid().and_then(|p| GeoPoint::new(p.y(), p.x()).ok()),
    };
    let geometry = serde_json::to_value(&geometry).map_err(|err| err.to_string())?;
    Ok(AreaBoundary { code, geometry, centroid })
}

fn to_multipolygon(geometry: &geojson::Geometry) -> Result<MultiPolygon<f64>, String> {
    Boundary::from_geojson(geometry).map(|boundary| boundary.0)
}

/// Turns a stored GeoJSON geometry back into a boundary for GPS checks.
pub fn boundary_from_geojson(value: &serde_json::Value) -> Option<Boundary> {
    let geometry = serde_json::from_value::<geojson::Geometry>(value.clone()).ok()?;
    Boundary::from_geojson(&geometry).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_boundaries_parse_and_bad_features_are_reported() {
        let (good, bad) = parse_boundaries(odf_fixtures::BOUNDARIES_GEOJSON_FILE).unwrap();
        assert_eq!(good.len(), 40 + 7 + 17);
        assert!(bad.is_empty());
        let village = good.iter().find(|b| b.code.is_village()).unwrap();
        let shape = boundary_from_geojson(&village.geometry).unwrap();
        assert!(shape.contains(village.centroid.unwrap()));

        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"kode":"74.04"},"geometry":{"type":"Point","coordinates":[122.0,-5.0]}},
            {"type":"Feature","properties":{},"geometry":null}]}"#;
        let (good, bad) = parse_boundaries(text).unwrap();
        assert!(good.is_empty());
        assert_eq!(bad.len(), 2);
        assert!(parse_boundaries("{}").is_err());

        // A position of one coordinate is refused, not a panic (it was, inside `geojson`).
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kode":"74.04"},
            "geometry":{"type":"Polygon","coordinates":[[[0.0]]]}}]}"#;
        let (good, bad) = parse_boundaries(text).unwrap();
        assert_eq!((good.len(), bad.len()), (0, 1));
    }
}
