//! The places tree (wilayah) held in memory for roll-ups. Loading the national list takes a moment,
//! so it is kept and reloaded when older than [`PLACES_TTL`]: places imported by the CLI (another
//! process) show up in the coverage API within that time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use odf_domain::{Place, Wilayah};
use odf_store::{AnyStore, Store, StoreError};
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
        if let Some((at, wilayah)) = loaded.as_ref() {
            if at.elapsed() < PLACES_TTL {
                return Ok(wilayah.clone());
            }
        }
        let places: Vec<Place> = store
            .areas(None)
            .await?
            .into_iter()
            .map(|area| Place { code: area.code, name: area.name, kind: area.kind })
            .collect();
        let wilayah = Arc::new(Wilayah::from_places(places).wilayah);
        *loaded = Some((Instant::now(), wilayah.clone()));
        Ok(wilayah)
    }

    /// Forgets the tree, so the next request reloads it (after an import in this process).
    pub async fn invalidate(&self) {
        *self.loaded.lock().await = None;
    }
}
