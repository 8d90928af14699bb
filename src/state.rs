//! What every handler can reach: the pool, the configuration, password hashing and the
//! document store. Its own module, so the pages depend on it and not on the application
//! that serves them.

use std::sync::Arc;

use sqlx::PgPool;

use crate::auth::password::Passwords;
use crate::config::Config;
use crate::storage::{LocalDirStore, Store};

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: PgPool,
    /// The configuration.
    pub config: Arc<Config>,
    /// Password hashing, bounded.
    pub passwords: Passwords,
    /// Where documents' contents are kept.
    pub store: Arc<dyn Store>,
}

impl AppState {
    /// The state for `config` over `db`.
    pub fn new(config: Config, db: PgPool) -> Self {
        let passwords = Passwords::new(config.password_hash_concurrency);
        let store = Arc::new(LocalDirStore::new(config.storage_dir.clone()));
        Self {
            db,
            config: Arc::new(config),
            passwords,
            store,
        }
    }
}
