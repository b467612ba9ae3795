//! The hub's state: its storage — the embedded SQLite store (one writer, a [`SqliteHub`]
//! holding no person of its own, behind a lock, with read-only connections
//! for lookups that must never wait for it) or PostgreSQL (a pool; several hub processes may
//! share the database) — and a snapshot of whom the city trusts, which every request is
//! authenticated against before it comes near the storage.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use hotline_core::api_key::ApiKeyRecord;
use hotline_core::authority::PublicAuthority;
use hotline_core::catalogue::CatalogueSet;
use hotline_core::identity::TrustStore;
use hotline_core::model::Timestamp;
use hotline_core::store::{DB_FILE, GarbageReport};
use hotline_core::sync::blobs::{BlobChunk, BlobHeld};
use hotline_core::sync::{Directory, Freshness, HubReads, HubStorage, SqliteHub, SyncError};

use crate::authority_watch::{self, Stamp};
use crate::errors::HubError;
use crate::log::Log;
use crate::options::HubOptions;
use crate::postgres::PgStore;
use crate::rate::RateLimits;
use crate::readers::Readers;

/// The hub's store folder inside its data folder.
pub const STORE_DIR: &str = "store";

pub struct Hub {
    pub(crate) data_dir: PathBuf,
    pub(crate) node_id: String,
    pub(crate) options: HubOptions,
    storage: Storage,
    view: RwLock<Arc<View>>,
    stamp: Mutex<Option<Stamp>>,
    pub(crate) freshness: Freshness,
    pub(crate) rate: RateLimits,
    /// Permits for requests that carry changes or photo chunks (see [`HubOptions`]).
    pub(crate) heavy: tokio::sync::Semaphore,
    pub(crate) log: Log,
    /// The national holiday calendar deadlines are counted with (the APIs' folds).
    pub(crate) calendar: hotline_core::policy::HolidayCalendar,
    /// The intake services' own stores (Open311 submissions), by system.
    pub(crate) services: crate::api::ServiceStores,
    /// Permits for Open311 listings at once (each reads many index rows).
    pub(crate) listings: tokio::sync::Semaphore,
    /// What Open311 shows of each order that only its history holds.
    pub(crate) published: crate::api::Published,
    /// Wakes long-polls and event streams when this process took in changes.
    pub(crate) changed: tokio::sync::watch::Sender<u64>,
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
    pub(crate) hub: SqliteHub,
}

/// Where the hub keeps what it serves. (Both boxed: a device and a policy are large.)
pub(crate) enum Storage {
    /// `DIR/store`: one writer behind a lock; readers on their own connections (WAL).
    Sqlite {
        writer: Box<Mutex<Writer>>,
        readers: Readers,
    },
    /// A PostgreSQL database, shared by every hub process of the city.
    Postgres(Box<PgStore>),
}

/// Whom the city trusts and what the hub hands out, as of the last authority reload: read by
/// every request without any lock but this snapshot's.
pub(crate) struct View {
    pub(crate) trust: TrustStore,
    pub(crate) directory: Directory,
    /// Every catalogue version issued, verified (what a PostgreSQL session judges intakes by;
    /// the SQLite hub's store keeps its own).
    pub(crate) catalogues: CatalogueSet,
    /// The keys issued for the hub's APIs, by their token's digest.
    pub(crate) api_keys: HashMap<String, ApiKeyRecord>,
    /// The policy the authority publishes (what the APIs fold orders by).
    pub(crate) policy: hotline_core::policy::Policy,
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
        let mut freshness = Freshness::new();
        let (storage, node_id, view) = match &options.database {
            None => Self::open_sqlite(data_dir, &authority)?,
            Some(url) => {
                let store = PgStore::open(
                    url,
                    &authority.root.to_hex(),
                    authority.policy.clone(),
                    options.database_connections,
                )?;
                let node_id = store.node_id()?;
                freshness = Freshness::with_key(store.challenge_key()?);
                let view = View {
                    trust: authority_watch::trust_of(&authority)?,
                    directory: authority_watch::directory_of(&authority),
                    catalogues: authority.catalogue_set()?,
                    api_keys: authority_watch::api_keys_of(&authority),
                    policy: authority.policy.clone(),
                };
                (Storage::Postgres(Box::new(store)), node_id, view)
            }
        };
        let calendar = hotline_core::policy::HolidayCalendar::national()
            .map_err(|e| HubError::Device(e.into()))?;
        let services = crate::api::ServiceStores::open(data_dir)?;
        Ok(Hub {
            calendar,
            services,
            changed: tokio::sync::watch::Sender::new(0),
            published: crate::api::Published::default(),
            listings: tokio::sync::Semaphore::new(2),
            data_dir: data_dir.to_path_buf(),
            node_id,
            freshness,
            rate: RateLimits::new(options.requests_per_second, options.request_burst),
            heavy: tokio::sync::Semaphore::new(options.heavy_requests.max(1)),
            log: Log::new(options.log),
            options,
            storage,
            view: RwLock::new(Arc::new(view)),
            stamp: Mutex::new(stamp),
        })
    }

    fn open_sqlite(
        data_dir: &Path,
        authority: &PublicAuthority,
    ) -> Result<(Storage, String, View), HubError> {
        let store_dir = data_dir.join(STORE_DIR);
        let mut hub = if store_dir.join(DB_FILE).exists() {
            SqliteHub::open(&store_dir)?
        } else {
            SqliteHub::init(
                &store_dir,
                authority.root,
                authority.platform,
                &authority.policy,
            )?
        };
        if *hub.device().trust().root() != authority.root {
            return Err(not_a_hub(
                data_dir,
                "its store belongs to another city (root keys differ)",
            ));
        }
        let directory = authority_watch::apply(hub.device_mut(), authority)?;
        let node_id = hub.device().node_id()?;
        let view = View {
            trust: hub.device().trust().clone(),
            directory,
            catalogues: hub.device().catalogues().clone(),
            api_keys: authority_watch::api_keys_of(authority),
            policy: authority.policy.clone(),
        };
        let storage = Storage::Sqlite {
            writer: Box::new(Mutex::new(Writer { hub })),
            readers: Readers::new(&store_dir),
        };
        Ok((storage, node_id, view))
    }

    /// Runs `f` on the storage's write side (a sync round). Blocking: call it from the
    /// blocking pool.
    pub(crate) fn with_storage<R>(
        &self,
        view: &View,
        f: impl FnOnce(&mut dyn HubStorage) -> Result<R, HubError>,
    ) -> Result<R, HubError> {
        match &self.storage {
            Storage::Sqlite { writer, .. } => {
                let mut w = lock(writer);
                f(&mut w.hub)
            }
            Storage::Postgres(pg) => f(&mut pg.session(&view.trust, &view.catalogues)?),
        }
    }

    /// Runs `f` on a read connection that never waits for a writer. Blocking.
    pub(crate) fn with_reads<R>(
        &self,
        view: &View,
        f: impl FnOnce(&mut dyn HubReads) -> Result<R, HubError>,
    ) -> Result<R, HubError> {
        match &self.storage {
            Storage::Sqlite { readers, .. } => readers.with(|store| f(store)),
            Storage::Postgres(pg) => f(&mut pg.session(&view.trust, &view.catalogues)?),
        }
    }

    /// How much of a photo the hub holds. Blocking.
    pub(crate) fn blob_held(&self, view: &View, sha256: &str) -> Result<BlobHeld, HubError> {
        match &self.storage {
            Storage::Sqlite { readers, .. } => {
                readers.with(|store| Ok(hotline_core::sync::blobs::held(store, sha256)?))
            }
            Storage::Postgres(pg) => Ok(pg
                .session(&view.trust, &view.catalogues)?
                .blob_held(sha256)?),
        }
    }

    /// Takes one chunk of a photo upload. Blocking.
    pub(crate) fn blob_receive(
        &self,
        view: &View,
        chunk: &BlobChunk,
        now_ms: i64,
    ) -> Result<BlobHeld, HubError> {
        match &self.storage {
            Storage::Sqlite { writer, .. } => {
                let w = lock(writer);
                Ok(hotline_core::sync::blobs::receive(
                    w.hub.device().store(),
                    chunk,
                )?)
            }
            Storage::Postgres(pg) => Ok(pg
                .session(&view.trust, &view.catalogues)?
                .blob_receive(chunk, now_ms)?),
        }
    }

    /// One chunk of a stored photo (visibility is the caller's). Blocking.
    pub(crate) fn blob_chunk(
        &self,
        view: &View,
        sha256: &str,
        offset: u64,
    ) -> Result<BlobChunk, HubError> {
        match &self.storage {
            Storage::Sqlite { readers, .. } => readers.with(|store| {
                Ok(hotline_core::sync::blobs::read_chunk(
                    store, sha256, offset,
                )?)
            }),
            Storage::Postgres(pg) => Ok(pg
                .session(&view.trust, &view.catalogues)?
                .blob_chunk(sha256, offset)?),
        }
    }

    /// Accepts a request's challenge once, city-wide: in this process's memory on SQLite, in
    /// the database every process shares on PostgreSQL. Blocking.
    pub(crate) fn redeem(&self, challenge: &[u8], now: Timestamp) -> Result<(), HubError> {
        match &self.storage {
            Storage::Sqlite { .. } => Ok(self.freshness.redeem(challenge, now)?),
            Storage::Postgres(pg) => {
                let (id, forget_at) = self.freshness.verify(challenge, now)?;
                if pg.redeem_challenge(&id, forget_at)? {
                    Ok(())
                } else {
                    Err(SyncError::StaleChallenge.into())
                }
            }
        }
    }

    /// Whether the storage is a server that may go away (PostgreSQL), not the embedded store.
    pub(crate) fn storage_is_remote(&self) -> bool {
        matches!(self.storage, Storage::Postgres(_))
    }

    /// Whether the storage answers: the embedded store always does; PostgreSQL is asked.
    /// Blocking.
    pub(crate) fn storage_ready(&self) -> Result<(), HubError> {
        match &self.storage {
            Storage::Sqlite { .. } => Ok(()),
            Storage::Postgres(pg) => Ok(pg.ping()?),
        }
    }

    /// Photos no record references and unfinished uploads older than `grace`. Blocking.
    pub(crate) fn collect_garbage(
        &self,
        now: std::time::SystemTime,
        grace: std::time::Duration,
    ) -> Result<GarbageReport, HubError> {
        match &self.storage {
            Storage::Sqlite { writer, .. } => Ok(lock(writer)
                .hub
                .device()
                .store()
                .collect_garbage(now, grace)?),
            Storage::Postgres(pg) => {
                // Redemptions expire by the clock that stamped them, the hub's (a demo's hub
                // runs from a day in the past): by the wall clock they were all past, and the
                // next collection made every challenge good again.
                pg.forget_redeemed(self.options.clock.now().timestamp_millis())?;
                Ok(pg.collect_garbage(now, grace)?)
            }
        }
    }

    /// The SQLite hub's device (tests); `None` on PostgreSQL.
    pub(crate) fn sqlite_writer(&self) -> Option<MutexGuard<'_, Writer>> {
        match &self.storage {
            Storage::Sqlite { writer, .. } => Some(lock(writer)),
            Storage::Postgres(_) => None,
        }
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
        let reloaded = PublicAuthority::open(&self.data_dir)
            .map_err(HubError::from)
            .and_then(|a| match &self.storage {
                Storage::Sqlite { writer, .. } => {
                    let mut w = lock(writer);
                    let directory = authority_watch::apply(w.hub.device_mut(), &a)?;
                    Ok(View {
                        trust: w.hub.device().trust().clone(),
                        directory,
                        catalogues: w.hub.device().catalogues().clone(),
                        api_keys: authority_watch::api_keys_of(&a),
                        policy: a.policy.clone(),
                    })
                }
                Storage::Postgres(_) => Ok(View {
                    trust: authority_watch::trust_of(&a)?,
                    directory: authority_watch::directory_of(&a),
                    catalogues: a.catalogue_set()?,
                    api_keys: authority_watch::api_keys_of(&a),
                    policy: a.policy.clone(),
                }),
            });
        match reloaded {
            Ok(view) => {
                self.log.always(format_args!(
                    "authority reloaded: {} certificate(s), revocation list #{}",
                    view.directory.certificates.len(),
                    view.directory
                        .revocations
                        .as_ref()
                        .map_or(0, |r| r.sequence)
                ));
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

/// Poisoned only if a request panicked mid-way. The store is transactional and the document
/// cache checks itself against it, so the hub may go on.
fn lock(writer: &Mutex<Writer>) -> MutexGuard<'_, Writer> {
    writer.lock().unwrap_or_else(PoisonError::into_inner)
}
