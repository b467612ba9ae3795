//! The hub's storage on PostgreSQL (`hotline hub serve --database postgres://…`): the change
//! log, the order index, what each peer holds, the refusal log and the photos, in one database
//! that several hub processes share. The authority's public material stays in the data folder.
//!
//! Every call runs on a connection from the pool (r2d2: bounded, with a wait timeout) on the
//! blocking pool, like the SQLite store's work. A lost connection or an unreachable server is
//! `store_unavailable` (503, retryable; nothing committed); r2d2 replaces broken connections, so
//! the hub recovers by itself when the server is back.

mod access;
mod blobs;
mod errors;
mod ingest;
mod knowledge;
pub mod migrate;
mod partitions;
mod reads;
mod rows;
pub mod schema;

use std::time::Duration;

use hotline_core::catalogue::CatalogueSet;
use hotline_core::identity::TrustStore;
use hotline_core::policy::{HolidayCalendar, Policy};
use hotline_core::store::StoreError;
use postgres::NoTls;
use r2d2_postgres::PostgresConnectionManager;
use r2d2_postgres::r2d2::{Pool, PooledConnection};

pub use errors::db;

type Manager = PostgresConnectionManager<NoTls>;

/// How long a request waits for a connection (or a new one to open) before `store_unavailable`.
const CONNECTION_WAIT: Duration = Duration::from_secs(5);

/// Connections per hub process: requests beyond it wait (the hub's own limits keep the wait
/// short); a server's `max_connections` is shared by every hub process.
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// The database of one city's hub.
pub struct PgStore {
    /// `None` only while dropping (see `Drop`).
    pool: Option<Pool<Manager>>,
    policy: Policy,
    calendar: HolidayCalendar,
    /// Where it is, for messages (the URL without its password).
    place: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("place", &self.place)
            .finish_non_exhaustive()
    }
}

/// rust-postgres closes a connection by blocking on its own small runtime, which tokio forbids
/// on a thread that drives async tasks — where a hub may well be dropped. The pool, with its
/// connections, is dropped on a thread of its own.
impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

/// A connection string without a password, for logs and errors.
fn describe(config: &postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    format!(
        "postgres database {} on {}",
        config.get_dbname().unwrap_or("(default)"),
        hosts.join(",")
    )
}

impl PgStore {
    /// Connects (`url`: a `postgres://` URL or a libpq `key=value` string), brings the schema to
    /// the newest version and checks the database belongs to this city (`root`, written on first
    /// use). Errors: `store_unavailable` (cannot connect in time), `store_too_new`,
    /// `store_database`, `store_invalid_input` (a bad URL, or another city's database).
    pub fn open(
        url: &str,
        root_hex: &str,
        policy: Policy,
        pool_size: u32,
    ) -> Result<PgStore, StoreError> {
        let config: postgres::Config =
            url.parse()
                .map_err(|e: postgres::Error| StoreError::InvalidInput {
                    reason: format!("not a PostgreSQL connection string: {e}"),
                })?;
        let place = describe(&config);
        let mut config = config;
        config.connect_timeout(CONNECTION_WAIT);
        config.application_name("hotline-hub");
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(CONNECTION_WAIT)
            .test_on_check_out(false)
            .build_unchecked(Manager::new(config, NoTls));
        let store = PgStore {
            pool: Some(pool),
            policy,
            calendar: HolidayCalendar::national().map_err(|e| StoreError::InvalidInput {
                reason: hotline_core::Coded::message_en(&e),
            })?,
            place,
        };
        let mut conn = store.connection()?;
        schema::migrate(&mut conn, &store.place)?;
        let mut tx = conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO hub_meta (key, value) VALUES ('root', $1) ON CONFLICT (key) DO NOTHING",
            &[&root_hex],
        )
        .map_err(db)?;
        let stored: String = tx
            .query_one("SELECT value FROM hub_meta WHERE key = 'root'", &[])
            .map_err(db)?
            .get(0);
        tx.commit().map_err(db)?;
        if stored != root_hex {
            return Err(StoreError::InvalidInput {
                reason: format!("{} belongs to another city (root keys differ)", store.place),
            });
        }
        Ok(store)
    }

    /// The database, for messages.
    pub fn place(&self) -> &str {
        &self.place
    }

    fn connection(&self) -> Result<PooledConnection<Manager>, StoreError> {
        match &self.pool {
            Some(pool) => pool.get().map_err(errors::pool),
            None => Err(StoreError::Unavailable {
                detail: "the hub is closing its database connections".into(),
            }),
        }
    }

    /// A session for one request: reads, or a sync round's writes, judged with `trust`.
    pub fn session<'a>(
        &'a self,
        trust: &'a TrustStore,
        catalogues: &'a CatalogueSet,
    ) -> Result<PgSession<'a>, StoreError> {
        Ok(PgSession {
            conn: self.connection()?,
            trust,
            catalogues,
            policy: &self.policy,
            calendar: &self.calendar,
        })
    }

    /// The node id devices know this hub's log by: the same for every process on the
    /// database (they serve one log), made on first use.
    pub fn node_id(&self) -> Result<String, StoreError> {
        let mut conn = self.connection()?;
        let fresh = format!("node-{}", hex::encode(rand_bytes()));
        conn.execute(
            "INSERT INTO hub_meta (key, value) VALUES ('node_id', $1) ON CONFLICT (key) DO NOTHING",
            &[&fresh],
        )
        .map_err(db)?;
        Ok(conn
            .query_one("SELECT value FROM hub_meta WHERE key = 'node_id'", &[])
            .map_err(db)?
            .get(0))
    }

    /// The key every process of this hub issues request challenges with (made on first use),
    /// so a device may sign with a challenge from one process and send to another.
    pub fn challenge_key(&self) -> Result<[u8; 32], StoreError> {
        let mut conn = self.connection()?;
        let mut fresh = [0u8; 32];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut fresh);
        conn.execute(
            "INSERT INTO hub_meta (key, value) VALUES ('challenge_key', $1)
             ON CONFLICT (key) DO NOTHING",
            &[&hex::encode(fresh)],
        )
        .map_err(db)?;
        let stored: String = conn
            .query_one(
                "SELECT value FROM hub_meta WHERE key = 'challenge_key'",
                &[],
            )
            .map_err(db)?
            .get(0);
        let mut key = [0u8; 32];
        hex::decode_to_slice(stored, &mut key).map_err(|e| StoreError::Corrupt {
            detail: format!("the stored challenge key does not read back: {e}"),
        })?;
        Ok(key)
    }

    /// Records that a challenge was used; `Ok(false)` if some process already took it.
    pub fn redeem_challenge(&self, id: &[u8; 16], forget_at_ms: i64) -> Result<bool, StoreError> {
        let mut conn = self.connection()?;
        let taken = conn
            .execute(
                "INSERT INTO redeemed_challenges (id, forget_at) VALUES ($1, $2)
                 ON CONFLICT (id) DO NOTHING",
                &[&id.as_slice(), &forget_at_ms],
            )
            .map_err(db)?;
        Ok(taken == 1)
    }

    /// Forgets the redemptions of challenges expired at `now_ms` (the hub's clock, which
    /// stamped them).
    pub fn forget_redeemed(&self, now_ms: i64) -> Result<(), StoreError> {
        self.connection()?
            .execute(
                "DELETE FROM redeemed_challenges WHERE forget_at < $1",
                &[&now_ms],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Sets the node id (a migration from SQLite keeps the original's, so devices' cursors
    /// stay valid). Only before anything is stored.
    pub fn set_node_id(&self, id: &str) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        conn.execute(
            "INSERT INTO hub_meta (key, value) VALUES ('node_id', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&id],
        )
        .map_err(db)?;
        Ok(())
    }

    /// Whether the server answers (for `/v1/health`).
    pub fn ping(&self) -> Result<(), StoreError> {
        self.connection()?.simple_query("SELECT 1").map_err(db)?;
        Ok(())
    }
}

fn rand_bytes() -> [u8; 8] {
    let mut out = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut out);
    out
}

/// One request's connection with the rules it judges by.
pub struct PgSession<'a> {
    conn: PooledConnection<Manager>,
    trust: &'a TrustStore,
    catalogues: &'a CatalogueSet,
    policy: &'a Policy,
    calendar: &'a HolidayCalendar,
}

impl std::fmt::Debug for PgSession<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSession").finish_non_exhaustive()
    }
}
