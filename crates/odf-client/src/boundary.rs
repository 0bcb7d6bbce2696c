//! Village boundaries as pulled: a GeoJSON geometry object (Polygon or MultiPolygon) turned into the
//! domain's [`Boundary`] for the GPS checks made before saving.

use odf_domain::Boundary;

/// The boundary in a GeoJSON geometry value, or why it is not one.
pub fn from_geojson(value: &serde_json::Value) -> Result<Boundary, String> {
    let geometry =
        serde_json::from_value::<geojson::Geometry>(value.clone()).map_err(|err| err.to_string())?;
    Boundary::from_geojson(&geometry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use odf_domain::GeoPoint;

    #[test]
    fn a_polygon_geometry_becomes_a_boundary_and_a_point_does_not() {
        let square = serde_json::json!({
            "type": "Polygon",
            "coordinates": [[[122.60, -5.50], [122.62, -5.50], [122.62, -5.48], [122.60, -5.48], [122.60, -5.50]]]
        });
        let boundary = from_geojson(&square).unwrap();
        assert!(boundary.contains(GeoPoint::new(-5.49, 122.61).unwrap()));
        assert!(!boundary.contains(GeoPoint::new(-5.40, 122.61).unwrap()));
        assert!(from_geojson(&serde_json::json!({"type": "Point", "coordinates": [122.6, -5.5]})).is_err());
        assert!(from_geojson(&serde_json::json!({"type": "Nonsense"})).is_err());
        let short = serde_json::json!({"type": "Polygon", "coordinates": [[[122.6], [122.6, -5.5]]]});
        assert!(from_geojson(&short).is_err(), "a position of one coordinate is refused, not a panic");
    }
}
