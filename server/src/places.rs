//! The places tree (wilayah) held in memory for roll-ups. Loading the national list takes a moment,
//! so it is kept and reloaded when older than [`PLACES_TTL`]: places imported by the CLI (another
//! process) show up in the coverage API within that time. Also the two reads every current roll-up
//! starts from, shared by the coverage API, the demo report and the coverage benchmark.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use odf_domain::{AreaCode, Place, Wilayah};
use odf_rollup::Rollup;
use odf_store::{AnyStore, StoreError};
use tokio::sync::Mutex;

pub const PLACES_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct PlacesCache {
    loaded: Mutex<Option<(Instant, Arc<Wilayah>)>>,
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

    /// Forgets the tree, so the next request reloads it (after an import in this process).
    pub async fn invalidate(&self) {
        *self.loaded.lock().await = None;
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
