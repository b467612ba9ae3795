//! The hub's state: one writer (a [`Device`] set up with `init_hub`, holding no person of its
//! own) behind a lock, read-only connections for lookups that must never wait for it, and a
//! snapshot of whom the city trusts, which every request is authenticated against before it
//! comes near the writer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use hotline_core::authority::PublicAuthority;
use hotline_core::device::Device;
use hotline_core::identity::TrustStore;
use hotline_core::store::DB_FILE;
use hotline_core::sync::{Directory, Freshness};

use crate::authority_watch::{self, Stamp};
use crate::errors::HubError;
use crate::log::Log;
use crate::options::HubOptions;
use crate::rate::RateLimits;
use crate::readers::Readers;

/// The hub's store folder inside its data folder.
pub const STORE_DIR: &str = "store";

pub struct Hub {
    pub(crate) data_dir: PathBuf,
    pub(crate) node_id: String,
    pub(crate) options: HubOptions,
    writer: Mutex<Writer>,
    view: RwLock<Arc<View>>,
    stamp: Mutex<Option<Stamp>>,
    pub(crate) readers: Readers,
    pub(crate) freshness: Freshness,
    pub(crate) rate: RateLimits,
    /// Permits for requests that carry changes or photo chunks (see [`HubOptions`]).
    pub(crate) heavy: tokio::sync::Semaphore,
    pub(crate) log: Log,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("data_dir", &self.data_dir)
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}

/// What writes: the hub's store.
pub(crate) struct Writer {
    pub(crate) device: Device,
}

/// Whom the city trusts and what the hub hands out, as of the last authority reload: read by
/// every request without any lock but this snapshot's.
pub(crate) struct View {
    pub(crate) trust: TrustStore,
    pub(crate) directory: Directory,
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
        let authority = PublicAuthority::open(data_dir)
            .map_err(|e| not_a_hub(data_dir, hotline_core::Coded::message_en(&e)))?;
        let store_dir = data_dir.join(STORE_DIR);
        let mut device = if store_dir.join(DB_FILE).exists() {
            Device::open(&store_dir)?
        } else {
            Device::init_hub(
                &store_dir,
                authority.root,
                authority.platform,
                &authority.policy,
            )?
        };
        if *device.trust().root() != authority.root {
            return Err(not_a_hub(
                data_dir,
                "its store belongs to another city (root keys differ)",
            ));
        }
        let directory = authority_watch::apply(&mut device, &authority)?;
        let node_id = device.node_id()?;
        let view = View {
            trust: device.trust().clone(),
            directory,
        };
        Ok(Hub {
            data_dir: data_dir.to_path_buf(),
            node_id,
            readers: Readers::new(&store_dir),
            freshness: Freshness::new(),
            rate: RateLimits::new(options.requests_per_second, options.request_burst),
            heavy: tokio::sync::Semaphore::new(options.heavy_requests.max(1)),
            log: Log::new(options.log),
            options,
            writer: Mutex::new(Writer { device }),
            view: RwLock::new(Arc::new(view)),
            stamp: Mutex::new(stamp),
        })
    }

    /// The store, to write. Blocking: call it from the blocking pool.
    pub(crate) fn writer(&self) -> MutexGuard<'_, Writer> {
        // Poisoned only if a request panicked mid-way. The store is transactional and the
        // document cache checks itself against it, so the hub may go on.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The trust and directory snapshot, current with the authority folder.
    pub(crate) fn view(&self) -> Arc<View> {
        self.refresh();
        Arc::clone(&self.view.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Takes in new certificates and revocations when `authority.json` changed (a cheap `stat`
    /// per request otherwise). Blocking.
    fn refresh(&self) {
        let now = authority_watch::stamp(&self.data_dir);
        let mut stamp = self.stamp.lock().unwrap_or_else(PoisonError::into_inner);
        if *stamp == now {
            return;
        }
        // Stamped before reading: a write landing meanwhile is picked up by the next request.
        let mut writer = self.writer();
        match PublicAuthority::open(&self.data_dir)
            .map_err(HubError::from)
            .and_then(|a| authority_watch::apply(&mut writer.device, &a))
        {
            Ok(directory) => {
                self.log.always(format_args!(
                    "authority reloaded: {} certificate(s), revocation list #{}",
                    directory.certificates.len(),
                    directory.revocations.as_ref().map_or(0, |r| r.sequence)
                ));
                let view = View {
                    trust: writer.device.trust().clone(),
                    directory,
                };
                *self.view.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(view);
                *stamp = now;
            }
            // Keep serving with what was loaded; say so loudly, since a revocation may be
            // waiting in the file. The next request tries again.
            Err(e) => eprintln!(
                "[hub] cannot reload {}: {e}",
                self.data_dir.join(authority_watch::LEDGER_FILE).display()
            ),
        }
    }
}
