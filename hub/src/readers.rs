//! Read-only connections to the hub's store, for what must never wait for the writer: a
//! citizen's status lookup, photo downloads and "which photos do you hold". SQLite in WAL mode
//! lets them read while the writer commits; each reads the newest committed state.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use hotline_core::store::Store;

use crate::errors::HubError;

/// Connections kept open between requests; more are opened when needed and closed after.
const KEEP_IDLE: usize = 8;

pub(crate) struct Readers {
    dir: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Readers {
    pub(crate) fn new(dir: &Path) -> Self {
        Readers {
            dir: dir.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on a read-only connection. Blocking: call it from the blocking pool.
    pub(crate) fn with<R>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, HubError>,
    ) -> Result<R, HubError> {
        let taken = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut store = match taken {
            Some(s) => s,
            None => Store::open_read_only(&self.dir)?,
        };
        let out = f(&mut store);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < KEEP_IDLE {
            idle.push(store);
        }
        out
    }
}
