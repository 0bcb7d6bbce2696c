//! [`AnyStore`]: the backend chosen at run time from the database URL's scheme.
//!
//! A cheap-to-clone handle over `Arc<dyn Store>` that derefs to [`Store`], so every store method is
//! called on it directly (`store.ingest(batch).await`). The server holds this one concrete type
//! rather than being generic over a backend: each call boxes one `Send` future (`#[async_trait]`),
//! which costs nothing next to a database round trip and keeps handler futures `Send` in spawned
//! tasks.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::url::{Backend, DatabaseUrl};
use crate::{PgStore, Result, SqliteStore, Store};

#[derive(Clone)]
pub struct AnyStore(Arc<dyn Store>);

impl AnyStore {
    /// Opens the store the URL names (`sqlite://…` or `postgres://…`) and applies migrations.
    pub async fn open(url: &DatabaseUrl) -> Result<AnyStore> {
        Ok(match url.backend() {
            Backend::Sqlite => AnyStore::new(SqliteStore::open(url).await?),
            Backend::Postgres => AnyStore::new(PgStore::open(url).await?),
        })
    }

    /// Wraps an opened backend.
    pub fn new(store: impl Store + 'static) -> AnyStore {
        AnyStore(Arc::new(store))
    }
}

impl Deref for AnyStore {
    type Target = dyn Store;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl fmt::Debug for AnyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AnyStore").field(&self.0.backend_name()).finish()
    }
}
