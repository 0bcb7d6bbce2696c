//! The places tree (wilayah) held in memory for roll-ups. Loading the national list takes a moment,
//! so it is kept and reloaded when older than [`PLACES_TTL`]: places imported by the CLI (another
//! process) show up in the coverage API within that time. Also the two reads every current roll-up
//! starts from, shared by the coverage API, the demo report and the coverage benchmark.
//!
//! Beside the tree, the parsed village boundaries the GPS checks of pushes need ([`BoundaryCache`]):
//! reading and parsing a village's GeoJSON on every push cost more than the push's own write.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use odf_domain::{AreaCode, Boundary, Place, Wilayah};
use odf_rollup::Rollup;
use odf_store::{AnyStore, StoreError, boundary_from_geojson};
use tokio::sync::Mutex;

pub const PLACES_TTL: Duration = Duration::from_secs(60);

/// Villages whose parsed boundaries are kept at most: a kabupaten's villages many times over, yet
/// bounded whatever the size of the imported list (a national one has 83,762). When full, the
/// cache starts again empty: simpler than an LRU, and refilled within a few pushes.
pub const MAX_CACHED_BOUNDARIES: usize = 4_000;

#[derive(Debug, Default)]
pub struct PlacesCache {
    loaded: Mutex<Option<(Instant, Arc<Wilayah>)>>,
    boundaries: BoundaryCache,
}

impl PlacesCache {
    /// The places tree, loading it when missing or stale. Concurrent callers wait for one load.
    pub async fn get(&self, store: &AnyStore) -> Result<Arc<Wilayah>, StoreError> {
        let mut loaded = self.loaded.lock().await;
        if let Some((at, wilayah)) = loaded.as_ref()
            && at.elapsed() < PLACES_TTL
        {
            return Ok(wilayah.clone());
        }
        let wilayah = Arc::new(load_wilayah(store).await?);
        *loaded = Some((Instant::now(), wilayah.clone()));
        Ok(wilayah)
    }

    /// Forgets the tree and the boundaries, so the next request reloads them (after an import in
    /// this process).
    pub async fn invalidate(&self) {
        self.boundaries.clear();
        *self.loaded.lock().await = None;
    }

    /// The parsed boundaries of those of `villages` that have one (see [`BoundaryCache`]).
    pub async fn boundaries(
        &self,
        store: &AnyStore,
        villages: &[AreaCode],
    ) -> Result<HashMap<AreaCode, Arc<Boundary>>, StoreError> {
        self.boundaries.get(store, villages).await
    }
}

/// Parsed village boundaries by code, `None` for a village without one (so it is not asked for
/// again). Like the tree, entries are dropped after [`PLACES_TTL`] (boundaries imported by the CLI
/// show up within that time) and at once by [`PlacesCache::invalidate`].
#[derive(Debug, Default)]
pub struct BoundaryCache {
    inner: std::sync::Mutex<Boundaries>,
}

#[derive(Debug, Default)]
struct Boundaries {
    since: Option<Instant>,
    /// Bumped by every clear: a load that started before a clear must not store what it read.
    generation: u64,
    shapes: HashMap<AreaCode, Option<Arc<Boundary>>>,
}

impl BoundaryCache {
    fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.shapes.clear();
        inner.since = None;
        inner.generation += 1;
    }

    /// The boundaries of `villages`, reading only the ones not cached, in one store call.
    pub async fn get(
        &self,
        store: &AnyStore,
        villages: &[AreaCode],
    ) -> Result<HashMap<AreaCode, Arc<Boundary>>, StoreError> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        let generation = {
            let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if inner.since.is_some_and(|since| since.elapsed() >= PLACES_TTL) {
                inner.shapes.clear();
                inner.since = None;
            }
            for village in villages {
                match inner.shapes.get(village) {
                    Some(Some(shape)) => {
                        found.insert(*village, shape.clone());
                    }
                    Some(None) => {}
                    None => missing.push(*village),
                }
            }
            inner.generation
        };
        if missing.is_empty() {
            return Ok(found);
        }
        missing.sort_unstable();
        missing.dedup();
        let mut loaded: HashMap<AreaCode, Option<Arc<Boundary>>> =
            missing.iter().map(|village| (*village, None)).collect();
        for (code, geometry) in store.boundaries_of(&missing).await? {
            if let Some(shape) = boundary_from_geojson(&geometry) {
                loaded.insert(code, Some(Arc::new(shape)));
            }
        }
        found.extend(loaded.iter().filter_map(|(code, shape)| Some((*code, shape.clone()?))));
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.generation == generation {
            if inner.shapes.len() + loaded.len() > MAX_CACHED_BOUNDARIES {
                inner.shapes.clear();
                inner.since = None;
            }
            inner.since.get_or_insert_with(Instant::now);
            inner.shapes.extend(loaded);
        }
        Ok(found)
    }
}

/// The places tree as the store holds it.
pub async fn load_wilayah(store: &AnyStore) -> Result<Wilayah, StoreError> {
    let places: Vec<Place> = store
        .areas(None)
        .await?
        .into_iter()
        .map(|area| Place { code: area.code, name: area.name, kind: area.kind })
        .collect();
    Ok(Wilayah::from_places(places).wilayah)
}

/// Today's roll-up of everything at or under `under` (the nation for `None`), from the store's
/// village tallies and statuses: never a scan of raw visits.
pub async fn current_rollup<'w>(
    store: &AnyStore,
    wilayah: &'w Wilayah,
    under: Option<AreaCode>,
) -> Result<Rollup<'w>, StoreError> {
    let tallies = store.tallies(under).await?;
    let statuses = store.statuses(under).await?.into_iter().map(|s| (s.village, s.status, s.since));
    // Only the area's subtree: the cost follows the places shown, not the whole country.
    Ok(Rollup::build_within(wilayah, under, tallies, statuses, Utc::now()))
}
