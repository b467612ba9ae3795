//! A hub store holding many orders, built without HTTP: kiosks make signed requests and each
//! pushes them through the very sync the hub runs — `hotline_core::sync::serve` on the hub's
//! store, every request and answer encoded to bytes and decoded again as on the wire, in rounds
//! of the protocol's size. What it leaves is what HTTP syncs would leave (the same log, index,
//! peer holdings, each change verified and applied as the hub does); only the HTTP and its
//! challenge are skipped. The hub process then opens the store as its own.
//!
//! Two threads: one makes the next kiosk's requests while the other pushes the last kiosk's
//! into the hub. Kiosk stores are scratch (on tmpfs where there is one) and removed once
//! pushed; kiosks receive nothing back, so a push costs the ingest alone.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use chrono::{DateTime, Duration, Utc};
use hotline_core::authority::Authority;
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::identity::Certificate;
use hotline_core::model::{Channel, Role};
use hotline_core::policy::preset;
use hotline_core::sync::wire::{self, SignedRequest, SyncResponse};
use hotline_core::sync::{Directory, SqliteHub, SyncClient, serve};

use super::{center_device, fail, workload};
use crate::output::CliError;

/// Requests one kiosk makes before it pushes them.
const KIOSK_ORDERS: usize = 5_000;

/// An authority folder whose hub store is grown to a given number of orders.
pub struct StoreBuilder {
    pub hub_dir: PathBuf,
    scratch: PathBuf,
    authority: Authority,
    pub orders: Vec<workload::BenchOrder>,
    pub base: DateTime<Utc>,
    /// Orders the hub store holds.
    pub held: usize,
}

/// A kiosk holding requests not pushed yet, with what the hub needs to know it.
struct Made {
    kiosk: Device,
    cert: Certificate,
    directory: Directory,
    count: usize,
}

fn directory(authority: &Authority) -> Directory {
    Directory {
        certificates: authority.issued().to_vec(),
        revocations: authority.revocations().cloned(),
        units: authority.unit_directory(),
        catalogue: None,
    }
}

impl StoreBuilder {
    /// The city in `hub_dir`: created, or opened again (its store keeps what it holds).
    pub fn open(
        hub_dir: &Path,
        scratch: &Path,
        orders: Vec<workload::BenchOrder>,
        base: DateTime<Utc>,
    ) -> Result<StoreBuilder, CliError> {
        let authority = if hub_dir.join("root.key").exists() {
            Authority::open(hub_dir)?
        } else {
            Authority::create(hub_dir, preset("turpan")?)?
        };
        let mut builder = StoreBuilder {
            hub_dir: hub_dir.to_path_buf(),
            scratch: scratch.to_path_buf(),
            authority,
            orders,
            base,
            held: 0,
        };
        let hub = builder.hub_store()?;
        builder.held = usize::try_from(hub.device().store().order_count()?).unwrap_or(usize::MAX);
        Ok(builder)
    }

    /// The hub's store as the hub sets it up on first start, trusting every certificate issued.
    fn hub_store(&self) -> Result<SqliteHub, CliError> {
        let dir = self.hub_dir.join(hotline_hub::STORE_DIR);
        let mut hub = SqliteHub::init(
            &dir,
            self.authority.root_public(),
            self.authority.platform_public(),
            &self.authority.policy()?,
        )?;
        for cert in self.authority.issued() {
            if hub.device().trust().certificate(&cert.body.id).is_none() {
                hub.device_mut().add_certificate(cert.clone())?;
            }
        }
        Ok(hub)
    }

    /// A device of the center enrolled now, its store under the scratch folder (the caller
    /// removes `scratch/person` when done with it).
    pub fn enrol(&mut self, role: Role, person: &str) -> Result<Device, CliError> {
        center_device(
            &mut self.authority,
            role,
            person,
            &self.scratch.join(person),
            self.base,
        )
    }

    /// A credential for `person` in `unit` (valid from 30 days before the base instant).
    pub fn credential(
        &mut self,
        role: Role,
        person: &str,
        unit: &str,
    ) -> Result<hotline_core::device::Credential, CliError> {
        Ok(self.authority.enrol(
            &hotline_core::authority::EnrolRequest {
                role,
                unit: hotline_core::model::UnitId::new(unit),
                person: hotline_core::model::PersonId::new(person),
                display_name: "基准测试".into(),
                area: "4109".into(),
                not_before: self.base - Duration::days(30),
                valid_days: 365,
            },
            None,
            self.base,
        )?)
    }

    /// Pushes everything `device` holds into the hub store, in process, as its first person
    /// (every person's certificate made known to the hub first).
    pub fn push(&mut self, device: Device) -> Result<(), CliError> {
        let mut hub = self.hub_store()?;
        let node = hub.device().node_id()?;
        let certs: Vec<Certificate> = device
            .identities()
            .iter()
            .map(|i| i.certificate.clone())
            .collect();
        let dir = directory(&self.authority);
        push_in_process(&mut hub, &node, device, &certs, &dir)?;
        self.held = usize::try_from(hub.device().store().order_count()?).unwrap_or(usize::MAX);
        Ok(())
    }

    /// Receipts of `n` orders spread evenly over the hub's log, oldest first (no hub process
    /// may have the store open meanwhile).
    pub fn receipts_spread(&self, n: usize) -> Result<Vec<String>, CliError> {
        let hub = self.hub_store()?;
        let store = hub.device().store();
        let last = store.last_change_seq()?;
        let n = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
        let mut receipts = Vec::new();
        for k in 0..n {
            let Some(logged) = store.changes_after(last * k / n, 1)?.pop() else {
                continue;
            };
            if let Some(row) = store.order_row(&logged.change.order)? {
                receipts.push(row.receipt);
            }
        }
        receipts.dedup();
        Ok(receipts)
    }

    /// Grows the hub store to `target` orders (no hub process may have it open meanwhile);
    /// returns how many it held before.
    pub fn grow_to(&mut self, target: usize) -> Result<usize, CliError> {
        let mut hub = self.hub_store()?;
        // The hub process may have taken more orders since (the benches' own pushes).
        self.held = usize::try_from(hub.device().store().order_count()?).unwrap_or(usize::MAX);
        let node = hub.device().node_id()?;
        let plan = kiosk_sizes(self.held, target);
        let (tx, rx) = mpsc::sync_channel::<Result<Made, CliError>>(1);
        let first = self.held;
        let scratch = self.scratch.clone();
        let (authority, orders, base) = (&mut self.authority, &self.orders, self.base);
        std::thread::scope(|s| {
            s.spawn(move || {
                let mut start = first;
                for count in plan {
                    let made = make_kiosk(authority, &scratch, orders, base, start, count);
                    let stop = made.is_err();
                    if tx.send(made).is_err() || stop {
                        return;
                    }
                    start += count;
                }
            });
            for made in rx {
                let made = made?;
                let dir = made.kiosk.store().dir().to_path_buf();
                push_in_process(&mut hub, &node, made.kiosk, &[made.cert], &made.directory)?;
                let _ = std::fs::remove_dir_all(&dir);
                self.held += made.count;
                eprintln!("hub holds {} orders / 平台已存 {} 件", self.held, self.held);
            }
            Ok(first)
        })
    }
}

/// Requests per kiosk to go from `held` orders to `target`.
fn kiosk_sizes(held: usize, target: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut at = held;
    while at < target {
        let n = (target - at).min(KIOSK_ORDERS);
        sizes.push(n);
        at += n;
    }
    sizes
}

/// A new kiosk holding `count` requests from the workload, the first being order `start` of
/// the store.
fn make_kiosk(
    authority: &mut Authority,
    scratch: &Path,
    orders: &[workload::BenchOrder],
    base: DateTime<Utc>,
    start: usize,
    count: usize,
) -> Result<Made, CliError> {
    let person = format!("bench-maker-{start}");
    let dir = scratch.join(&person);
    let _ = std::fs::remove_dir_all(&dir);
    let mut kiosk = center_device(authority, Role::Kiosk, &person, &dir, base)?;
    let cert = kiosk.identity(None)?.certificate.clone();
    for i in 0..count {
        let mut req = orders[(start + i) % orders.len()].request.clone();
        req.channel = Channel::Kiosk;
        let at = base + Duration::milliseconds(i64::try_from(i).unwrap_or(0));
        kiosk.submit(None, req, at)?;
    }
    Ok(Made {
        kiosk,
        cert,
        directory: directory(authority),
        count,
    })
}

/// One whole sync of `kiosk` with `hub`, in process.
fn push_in_process(
    hub: &mut SqliteHub,
    node: &str,
    mut kiosk: Device,
    certs: &[Certificate],
    directory: &Directory,
) -> Result<(), CliError> {
    for cert in certs {
        if hub.device().trust().certificate(&cert.body.id).is_none() {
            hub.device_mut().add_certificate(cert.clone())?;
        }
    }
    // A device shared by several people syncs as the first of them.
    let who = certs.first().map(|c| c.body.person.0.clone());
    let mut client = SyncClient::new(&kiosk, node, who.as_deref())?;
    loop {
        let now = Utc::now();
        let req = client.request(&kiosk, now)?;
        let req: SignedRequest = wire::decode(&wire::encode(&req)?)?;
        let (resp, served) = serve(hub, directory, &req, now)?;
        if served.refused > 0 {
            return Err(fail(
                ErrorCode::Bench,
                format!("the hub refused {} change(s)", served.refused),
            ));
        }
        let resp: SyncResponse = wire::decode(&wire::encode(&resp)?)?;
        if client.response(&mut kiosk, resp, now)? {
            return Ok(());
        }
    }
}
