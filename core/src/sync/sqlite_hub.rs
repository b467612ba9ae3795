//! The city hub on the embedded SQLite store (the default): a store that holds no person of
//! its own, keeps the pull partitions, and takes what devices push at the hub's clock. Only this
//! type serves ([`serve`](super::serve)): a phone's [`Device`] cannot be handed to the hub's
//! code, and a hub's store is always opened with its partitions kept.

use std::path::Path;

use crate::device::{Arrival, Checked, Device, DeviceError, Outcome, WireChange};
use crate::identity::{PublicKeyBytes, SealingPublicKey};
use crate::model::{OrderId, Timestamp};
use crate::policy::Policy;
use crate::store::{RefusalRecord, StoreError};

use super::storage::{HubReads, HubStorage};

#[derive(Debug)]
pub struct SqliteHub {
    device: Device,
}

impl SqliteHub {
    /// Sets up the hub's store in `dir` for a city — its root key, the platform's sealing key,
    /// its policy — and opens it. Refuses a store of another city (`other_city`).
    pub fn init(
        dir: &Path,
        root_public: PublicKeyBytes,
        platform_sealing: SealingPublicKey,
        policy: &Policy,
    ) -> Result<SqliteHub, DeviceError> {
        Device::init_node(dir, root_public, platform_sealing, policy)?;
        SqliteHub::open(dir)
    }

    /// Opens a hub's store, building its pull partitions once if the store is from before them.
    pub fn open(dir: &Path) -> Result<SqliteHub, DeviceError> {
        let mut device = Device::open(dir)?;
        device.store_mut().enable_pull_partitions()?;
        Ok(SqliteHub { device })
    }

    /// The store as a node without persons reads it: orders, verification, trust.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// For taking in the authority's certificates, revocations and unit keys.
    pub fn device_mut(&mut self) -> &mut Device {
        &mut self.device
    }
}

impl HubStorage for SqliteHub {
    fn reads(&mut self) -> &mut dyn HubReads {
        self.device.store_mut()
    }
    fn ingest_access(
        &mut self,
        entries: &[crate::audit::VerifiedAccess],
        peer: &str,
        received_at: i64,
    ) -> Result<u64, StoreError> {
        self.device
            .store()
            .ingest_access(entries, Some(peer), received_at)
    }
    fn ingest_kb(
        &mut self,
        records: &[crate::kb::VerifiedKb],
        peer: &str,
    ) -> Result<Vec<Result<crate::store::KbPut, crate::kb::KbError>>, StoreError> {
        let store = self.device.store_mut();
        records
            .iter()
            .map(|r| store.put_kb(r, Some(peer)))
            .collect()
    }
    fn ingest(
        &mut self,
        incoming: &[WireChange],
        checked: Vec<Checked>,
        peer: &str,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, DeviceError> {
        self.device
            .import_verified(incoming, checked, Some(peer), Arrival::AtHub, now)
    }
    fn mark_peer_orders(
        &mut self,
        peer: &str,
        orders: &[OrderId],
        sent_cursor: i64,
    ) -> Result<(), StoreError> {
        self.device
            .store_mut()
            .mark_peer_orders(peer, orders, sent_cursor)
    }
    fn log_refusals(&mut self, rows: &[RefusalRecord]) -> Result<(), StoreError> {
        self.device.store().log_refusals(rows)
    }
    fn follow_orders(&mut self, scope: &str, orders: &[OrderId]) -> Result<(), StoreError> {
        self.device.store_mut().follow_orders(scope, orders)
    }
}
