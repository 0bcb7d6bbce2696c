//! Areas of the wilayah and their boundaries ([`Places`]). A changed village boundary goes on the
//! change feed, so phones can check visit GPS offline; so does a new or renamed village (a `place`
//! change), so phones show names rather than codes.

use std::collections::{BTreeSet, HashSet};

use odf_domain::Level;

use super::*;

fn area_from_row(row: &DbRow, with_boundary: bool) -> Result<AreaRecord> {
    let code: String = row.try_get("code")?;
    let kind: String = row.try_get("kind")?;
    let parent: Option<String> = row.try_get("parent")?;
    let boundary = if with_boundary {
        row.try_get::<Option<String>, _>("boundary")?.map(|text| parse_json(&text)).transpose()?
    } else {
        None
    };
    Ok(AreaRecord {
        code: code_of(&code)?,
        name: row.try_get("name")?,
        kind: AreaKind::parse(&kind).ok_or_else(|| StoreError::corrupt(format!("area kind {kind}")))?,
        parent: parent.as_deref().map(code_of).transpose()?,
        boundary,
        centroid: point_of(row.try_get("centroid_lat")?, row.try_get("centroid_lng")?)?,
    })
}

/// Sorts what an import must write: unchanged, renamed, new (when the parent is known), or unknown.
fn plan_areas<'p>(
    places: &'p [Place],
    existing: &mut HashMap<String, (String, String)>,
    report: &mut ImportReport,
) -> Vec<&'p Place> {
    let mut sorted: Vec<&Place> = places.iter().collect();
    sorted.sort_by_key(|p| p.code);
    sorted.dedup_by_key(|p| p.code);
    let mut upserts: Vec<&Place> = Vec::new();
    for place in sorted {
        let code = place.code.to_string();
        match existing.get(&code) {
            Some((name, kind)) if *name == place.name && kind == place.kind.as_str() => {
                report.unchanged += 1;
            }
            Some(_) => {
                report.updated += 1;
                existing.insert(code, (place.name.clone(), place.kind.as_str().to_owned()));
                upserts.push(place);
            }
            None => {
                let parent_known = place.code.parent().is_none_or(|p| existing.contains_key(&p.to_string()));
                if parent_known {
                    report.inserted += 1;
                    existing.insert(code, (place.name.clone(), place.kind.as_str().to_owned()));
                    upserts.push(place);
                } else {
                    report.unknown.push(place.code);
                }
            }
        }
    }
    upserts
}

/// Counts one boundary in `report` by what is stored (`None`: no such area); whether to write it.
fn count_boundary(
    stored: Option<&Option<String>>,
    boundary: &AreaBoundary,
    geometry: &str,
    report: &mut ImportReport,
) -> bool {
    match stored {
        None => report.unknown.push(boundary.code),
        Some(Some(stored)) if stored == geometry => report.unchanged += 1,
        Some(Some(_)) => report.updated += 1,
        Some(None) => report.inserted += 1,
    }
    match stored {
        Some(Some(stored)) => stored != geometry,
        Some(None) => true,
        None => false,
    }
}

/// One `place` change per village whose names a phone shows changed: each new or renamed village,
/// and every village under a renamed kecamatan or kabupaten (its payload carries their names).
/// `existing` holds every area's (name, kind) after the import.
fn place_changes(
    upserts: &[&Place],
    existing: &HashMap<String, (String, String)>,
) -> Result<Vec<PendingChange>> {
    let mut villages: BTreeSet<AreaCode> =
        upserts.iter().map(|p| p.code).filter(|c| c.is_village()).collect();
    let parents: HashSet<AreaCode> = upserts
        .iter()
        .map(|p| p.code)
        .filter(|c| matches!(c.level(), Level::Kabupaten | Level::Kecamatan))
        .collect();
    if !parents.is_empty() {
        for text in existing.keys() {
            let code = code_of(text)?;
            if code.is_village() && code.ancestors().iter().any(|a| parents.contains(a)) {
                villages.insert(code);
            }
        }
    }
    let name_of =
        |code: Option<AreaCode>| code.and_then(|c| existing.get(&c.to_string())).map(|(name, _)| name);
    let mut changes = Vec::with_capacity(villages.len());
    for village in villages {
        let code = village.to_string();
        let Some((name, kind)) = existing.get(&code) else { continue };
        let kecamatan = village.parent();
        let payload = serde_json::json!({
            "code": code,
            "name": name,
            "kind": kind,
            "kecamatan": name_of(kecamatan),
            "kabupaten": name_of(kecamatan.and_then(AreaCode::parent)),
        });
        changes.push(PendingChange {
            kind: ChangeKind::Place,
            entity_id: code,
            area: village,
            payload: json_of(&payload),
        });
    }
    Ok(changes)
}

#[async_trait]
impl Places for ThisStore {
    async fn import_areas(&self, places: &[Place]) -> Result<ImportReport> {
        let now = Utc::now();
        self.write(async |tx| {
            let mut existing: HashMap<String, (String, String)> = HashMap::new();
            for row in sqlx::query("SELECT code, name, kind FROM areas").fetch_all(&mut *tx).await? {
                existing.insert(row.try_get("code")?, (row.try_get("name")?, row.try_get("kind")?));
            }
            let mut report = ImportReport::default();
            let upserts = plan_areas(places, &mut existing, &mut report);
            for chunk in upserts.chunks(ROWS_PER_STATEMENT) {
                let mut query =
                    QueryBuilder::new("INSERT INTO areas (code, name, level, kind, parent, updated_at) ");
                query.push_values(chunk, |mut row, place| {
                    row.push_bind(place.code.to_string())
                        .push_bind(place.name.clone())
                        .push_bind(place.level().as_str())
                        .push_bind(place.kind.as_str())
                        .push_bind(place.code.parent().map(|p| p.to_string()))
                        .push_bind(now);
                });
                query.push(
                    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                     updated_at = excluded.updated_at",
                );
                query.build().execute(&mut *tx).await?;
            }
            let changes = place_changes(&upserts, &existing)?;
            append_changes(tx, &changes, now).await?;
            Ok(report)
        })
        .await
    }

    async fn import_boundaries(&self, boundaries: &[AreaBoundary]) -> Result<ImportReport> {
        let now = Utc::now();
        self.write(async |tx| {
            let codes: Vec<String> = boundaries.iter().map(|b| b.code.to_string()).collect();
            let mut existing: HashMap<String, Option<String>> = HashMap::new();
            for row in fetch_in(tx, "SELECT code, boundary FROM areas", "code", &codes).await? {
                existing.insert(row.try_get("code")?, row.try_get("boundary")?);
            }
            let mut report = ImportReport::default();
            let mut changes = Vec::new();
            for boundary in boundaries {
                let code = boundary.code.to_string();
                let geometry = json_of(&boundary.geometry);
                if count_boundary(existing.get(&code), boundary, &geometry, &mut report) {
                    sqlx::query(
                        "UPDATE areas SET boundary = $1, centroid_lat = $2, centroid_lng = $3, \
                         updated_at = $4 WHERE code = $5",
                    )
                    .bind(&geometry)
                    .bind(boundary.centroid.map(GeoPoint::lat))
                    .bind(boundary.centroid.map(GeoPoint::lng))
                    .bind(now)
                    .bind(&code)
                    .execute(&mut *tx)
                    .await?;
                    existing.insert(code.clone(), Some(geometry));
                    if boundary.code.is_village() {
                        let payload = serde_json::json!({
                            "code": code,
                            "geometry": boundary.geometry,
                            "centroid": boundary.centroid,
                        });
                        changes.push(PendingChange {
                            kind: ChangeKind::Boundary,
                            entity_id: code,
                            area: boundary.code,
                            payload: json_of(&payload),
                        });
                    }
                }
            }
            insert_changes(tx, &changes, now).await?;
            Ok(report)
        })
        .await
    }

    async fn preview_areas(&self, places: &[Place]) -> Result<AreasPreview> {
        let mut existing: HashMap<String, (String, String)> = HashMap::new();
        for row in sqlx::query("SELECT code, name, kind FROM areas").fetch_all(self.reader()).await? {
            existing.insert(row.try_get("code")?, (row.try_get("name")?, row.try_get("kind")?));
        }
        let before = existing.clone();
        let mut preview = AreasPreview::default();
        let upserts = plan_areas(places, &mut existing, &mut preview.report);
        for place in upserts {
            match before.get(&place.code.to_string()) {
                Some((name, _)) => preview.renamed.push((place.clone(), name.clone())),
                None => preview.added.push(place.clone()),
            }
        }
        Ok(preview)
    }

    async fn preview_boundaries(&self, boundaries: &[AreaBoundary]) -> Result<ImportReport> {
        let codes: Vec<String> = boundaries.iter().map(|b| b.code.to_string()).collect();
        let rows = self
            .snapshot(async |tx| fetch_in(tx, "SELECT code, boundary FROM areas", "code", &codes).await)
            .await?;
        let mut existing: HashMap<String, Option<String>> = HashMap::new();
        for row in rows {
            existing.insert(row.try_get("code")?, row.try_get("boundary")?);
        }
        let mut report = ImportReport::default();
        for boundary in boundaries {
            let code = boundary.code.to_string();
            let geometry = json_of(&boundary.geometry);
            if count_boundary(existing.get(&code), boundary, &geometry, &mut report) {
                // The import would store it: a later feature with the same code compares with it.
                existing.insert(code, Some(geometry));
            }
        }
        Ok(report)
    }

    async fn area(&self, code: AreaCode) -> Result<Option<AreaRecord>> {
        let row = sqlx::query(
            "SELECT code, name, kind, parent, boundary, centroid_lat, centroid_lng FROM areas WHERE code = $1",
        )
        .bind(code.to_string())
        .fetch_optional(self.reader())
        .await?;
        row.map(|row| area_from_row(&row, true)).transpose()
    }

    async fn areas(&self, under: Option<AreaCode>) -> Result<Vec<AreaRecord>> {
        let mut query = QueryBuilder::new(
            "SELECT code, name, kind, parent, centroid_lat, centroid_lng FROM areas WHERE 1 = 1",
        );
        push_area_range(&mut query, "code", under);
        query.push(" ORDER BY code");
        // Streamed: the national list is ~91,600 rows, and holding them all as rows before
        // converting took ~80 MB at once (SQLite copies each value), where the records take ~15.
        use futures_util::TryStreamExt as _;
        let mut rows = query.build().fetch(self.reader());
        let mut areas = Vec::new();
        while let Some(row) = rows.try_next().await? {
            areas.push(area_from_row(&row, false)?);
        }
        Ok(areas)
    }

    async fn boundaries_of(&self, codes: &[AreaCode]) -> Result<Vec<(AreaCode, serde_json::Value)>> {
        let mut texts: Vec<String> = codes.iter().map(ToString::to_string).collect();
        texts.sort_unstable();
        texts.dedup();
        let rows = self
            .snapshot(async |tx| fetch_in(tx, "SELECT code, boundary FROM areas", "code", &texts).await)
            .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let code: String = row.try_get("code")?;
            if let Some(text) = row.try_get::<Option<String>, _>("boundary")? {
                found.push((code_of(&code)?, parse_json(&text)?));
            }
        }
        found.sort_by_key(|(code, _)| *code);
        Ok(found)
    }
}
