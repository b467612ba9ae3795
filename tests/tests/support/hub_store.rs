//! The hub of the convergence properties, on either storage: the embedded SQLite store (the
//! default) or — with `HOTLINE_TEST_HUB=postgres` — a throwaway PostgreSQL cluster behind two
//! hub instances with pools of their own, which the devices reach alternately (two hub
//! processes on one database behind a load balancer). The checks read the hub through the
//! storage's read side, the same on both.

use chrono::{DateTime, Utc};
use hotline_core::device::check_stored_change;
use hotline_core::doc::{self, OrderDoc};
use hotline_core::identity::TrustStore;
use hotline_core::model::OrderId;
use hotline_core::policy::{HolidayCalendar, Policy};
use hotline_core::store::{IndexRow, RefusalRecord, Store, StoredChange};
use hotline_core::sync::wire::{SignedRequest, SyncResponse};
use hotline_core::sync::{
    Directory, HubReads, SqliteHub, SyncError, prepare, serve, serve_prepared,
};
use hotline_core::workflow::{OrderState, fold};
use hotline_hub::postgres::PgStore;
use hotline_testkit::postgres::PgCluster;

/// Which storage this run's hubs use.
pub fn on_postgres() -> bool {
    std::env::var("HOTLINE_TEST_HUB").is_ok_and(|v| v == "postgres")
}

/// Two hub instances on one PostgreSQL database. Fields drop in order: the pools before the
/// cluster they connect to.
pub struct PgHubs {
    hubs: [PgStore; 2],
    /// Which instance serves the next request.
    turn: usize,
    _cluster: PgCluster,
}

pub enum Storage {
    Sqlite {
        hub: Box<SqliteHub>,
        path: std::path::PathBuf,
    },
    Postgres(Box<PgHubs>),
}

pub struct HubStore {
    pub storage: Storage,
    trust: TrustStore,
    catalogues: hotline_core::catalogue::CatalogueSet,
    policy: Policy,
    calendar: HolidayCalendar,
}

impl HubStore {
    pub fn new(kit: &hotline_testkit::City, path: std::path::PathBuf) -> HubStore {
        let policy = kit.authority.policy().unwrap();
        let trust = kit.trust_store();
        let storage = if on_postgres() {
            let cluster = PgCluster::start();
            let root = kit.authority.root_public().to_hex();
            let open = || PgStore::open(&cluster.conn_str("postgres"), &root, policy.clone(), 2);
            let hubs = [open().unwrap(), open().unwrap()];
            Storage::Postgres(Box::new(PgHubs {
                hubs,
                turn: 0,
                _cluster: cluster,
            }))
        } else {
            Storage::Sqlite {
                hub: Box::new(kit.hub_store(&path)),
                path,
            }
        };
        HubStore {
            storage,
            trust,
            catalogues: kit.catalogue_set(),
            policy,
            calendar: HolidayCalendar::national().unwrap(),
        }
    }

    /// One sync round at the hub (on PostgreSQL, at the instance whose turn it is).
    pub fn serve(
        &mut self,
        dir: &Directory,
        req: &SignedRequest,
        now: DateTime<Utc>,
    ) -> Result<SyncResponse, SyncError> {
        match &mut self.storage {
            Storage::Sqlite { hub, .. } => Ok(serve(hub, dir, req, now)?.0),
            Storage::Postgres(pg) => {
                let prepared = prepare(&self.trust, req, now)?;
                let hub = &pg.hubs[pg.turn % pg.hubs.len()];
                pg.turn += 1;
                let mut session = hub.session(&self.trust, &self.catalogues).unwrap();
                Ok(serve_prepared(&mut session, dir, prepared, now)?.0)
            }
        }
    }

    /// Runs `f` on the hub's read side.
    pub fn read<R>(&self, f: impl FnOnce(&mut dyn HubReads) -> R) -> R {
        match &self.storage {
            Storage::Sqlite { path, .. } => f(&mut Store::open_read_only(path).unwrap()),
            Storage::Postgres(pg) => {
                f(&mut pg.hubs[0].session(&self.trust, &self.catalogues).unwrap())
            }
        }
    }

    /// Every change in the hub's log, in log order.
    pub fn changes(&self) -> Vec<StoredChange> {
        self.read(|r| {
            let mut out = Vec::new();
            let mut cursor = 0;
            loop {
                let batch = r.changes_after(cursor, 1_000).unwrap();
                let Some(last) = batch.last() else {
                    return out;
                };
                cursor = last.seq;
                out.extend(batch.into_iter().map(|l| l.change));
            }
        })
    }

    /// Every order the hub holds changes of, in id order.
    pub fn orders(&self) -> Vec<OrderId> {
        let mut orders: Vec<OrderId> = self.changes().into_iter().map(|c| c.order).collect();
        orders.sort();
        orders.dedup();
        orders
    }

    /// The order's stored changes, oldest first.
    pub fn export(&self, order: &OrderId) -> Vec<StoredChange> {
        self.read(|r| r.changes_for(order).unwrap())
    }

    pub fn index_row(&self, order: &OrderId) -> Option<IndexRow> {
        self.read(|r| r.order_row(order).unwrap())
    }

    /// The order folded from the hub's changes, each checked against its hash and signer.
    pub fn state(&self, order: &OrderId) -> OrderState {
        let changes = self
            .export(order)
            .iter()
            .map(|s| check_stored_change(&self.trust, s).unwrap())
            .collect();
        let d = OrderDoc::from_changes(order, doc::actor_for_device(b"checks"), changes).unwrap();
        fold(&d.events().unwrap(), &self.policy, &self.calendar)
    }

    pub fn refusals(&self, limit: u32) -> Vec<RefusalRecord> {
        self.read(|r| r.refusals(limit).unwrap())
    }

    pub fn peer_has_order(&self, cert: &str, order: &OrderId) -> bool {
        self.read(|r| r.peer_has_order(cert, order, i64::MAX).unwrap())
    }
}
