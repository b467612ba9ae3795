//! The hub's one writer: its store (a [`Device`] set up with `init_hub`, holding no person of
//! its own) and the directory it hands out, behind one lock. Every request does its store work
//! under that lock on tokio's blocking pool; the network side never waits on it.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use hotline_core::authority::Authority;
use hotline_core::device::Device;
use hotline_core::store::DB_FILE;
use hotline_core::sync::Directory;

use crate::authority_watch::{self, Stamp};
use crate::clock::Clock;
use crate::errors::HubError;

/// The hub's store folder inside its data folder.
pub const STORE_DIR: &str = "store";

/// How a hub runs.
#[derive(Debug, Clone)]
pub struct HubOptions {
    pub clock: Clock,
    /// Largest request body read (default 16 MiB).
    pub max_body_bytes: usize,
    /// One line per request on stderr.
    pub log: bool,
}

impl Default for HubOptions {
    fn default() -> Self {
        HubOptions {
            clock: Clock::system(),
            max_body_bytes: hotline_core::sync::http::messages::MAX_BODY_BYTES,
            log: false,
        }
    }
}

pub struct Hub {
    pub(crate) data_dir: PathBuf,
    pub(crate) node_id: String,
    pub(crate) options: HubOptions,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("data_dir", &self.data_dir)
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) device: Device,
    pub(crate) directory: Directory,
    stamp: Option<Stamp>,
}

fn not_a_hub(dir: &Path, reason: impl std::fmt::Display) -> HubError {
    HubError::NotAHub {
        dir: dir.display().to_string(),
        reason: reason.to_string(),
    }
}

impl Hub {
    /// Opens the hub on an authority folder, setting up its store on first start.
    pub(crate) fn open(data_dir: &Path, options: HubOptions) -> Result<Hub, HubError> {
        let stamp = authority_watch::stamp(data_dir);
        let authority = Authority::open(data_dir)
            .map_err(|e| not_a_hub(data_dir, hotline_core::Coded::message_en(&e)))?;
        let store_dir = data_dir.join(STORE_DIR);
        let mut device = if store_dir.join(DB_FILE).exists() {
            Device::open(&store_dir)?
        } else {
            Device::init_hub(
                &store_dir,
                authority.root_public(),
                authority.platform_public(),
                &authority.policy()?,
            )?
        };
        if *device.trust().root() != authority.root_public() {
            return Err(not_a_hub(
                data_dir,
                "its store belongs to another city (root keys differ)",
            ));
        }
        let directory = authority_watch::apply(&mut device, &authority)?;
        let node_id = device.node_id()?;
        Ok(Hub {
            data_dir: data_dir.to_path_buf(),
            node_id,
            options,
            inner: Mutex::new(Inner {
                device,
                directory,
                stamp,
            }),
        })
    }

    /// The store and directory, current with the authority folder. Blocking: call it from
    /// the blocking pool.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // Poisoned only if a request panicked mid-way. The store is transactional and the
        // document cache checks itself against it, so the hub may go on.
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.refresh(&self.data_dir, self.options.log);
        inner
    }
}

impl Inner {
    fn refresh(&mut self, data_dir: &Path, log: bool) {
        let now = authority_watch::stamp(data_dir);
        if now == self.stamp {
            return;
        }
        // Stamped before reading: a write landing meanwhile is picked up by the next request.
        match Authority::open(data_dir)
            .map_err(HubError::from)
            .and_then(|a| authority_watch::apply(&mut self.device, &a))
        {
            Ok(directory) => {
                if log {
                    eprintln!(
                        "[hub] authority reloaded: {} certificate(s), revocation list #{}",
                        directory.certificates.len(),
                        directory.revocations.as_ref().map_or(0, |r| r.sequence)
                    );
                }
                self.directory = directory;
                self.stamp = now;
            }
            // Keep serving with what was loaded; say so loudly, since a revocation may be
            // waiting in the file. The next request tries again.
            Err(e) => eprintln!(
                "[hub] cannot reload {}: {e}",
                data_dir.join(authority_watch::LEDGER_FILE).display()
            ),
        }
    }
}
