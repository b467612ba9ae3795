//! A small city for the convergence properties: enrolled people on their devices, an in-process
//! hub, an in-memory link that drops, duplicates, truncates and delays messages, USB sticks that
//! carry bundle files, and the checks that every copy of every order ends up the same.
//!
//! Everything goes through the sans-IO API of `hotline_core::sync`: requests and responses are
//! encoded to bytes with `wire::encode`, the bytes are what the faulty link carries, and the
//! other end decodes them (a truncated message fails to decode and counts as lost).
#![allow(dead_code)]

mod hub_store;
pub use hub_store::HubStore;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use hotline_core::Coded;
use hotline_core::device::{Credential, Device, ImportOutcome, SubmitRequest, WireChange};
use hotline_core::identity::ContactDetails;
use hotline_core::model::{
    Action, CaseInfo, Channel, ContactMethod, ExtensionRequest, GpsFix, Location,
    NotAcceptedReason, OrderId, ReplyContent, RequestKind, ReturnRequest, Role, Satisfaction,
    SiteSupervisionForm, SupervisionForm, SupervisionTrigger, UnitId, Urgency,
};
use hotline_core::store::{PeerState, StoredChange};
use hotline_core::sync::bundle::{self, BundleReport};
use hotline_core::sync::wire::{self, SignedRequest, SyncResponse};
use hotline_core::sync::{Directory, SyncClient};
use hotline_core::workflow::{OrderState, Status};
use proptest::prelude::*;
use proptest::sample::Index;

pub use hotline_testkit::{UNIT_A, UNIT_B};
pub const CENTER: &str = "center";
/// The name devices give the hub (the `source` of what they pull from it).
pub const HUB: &str = "hub";
/// A kiosk stops taking requests after this many (unless told otherwise: `World::kiosk_orders`),
/// so a case stays small and its orders get far.
pub const MAX_ORDERS_PER_KIOSK: usize = 3;
/// Rounds one full sync may take before the test calls it stuck.
pub const MAX_ROUNDS: usize = 40;

pub fn base() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc)
}

/// Step `i` of a schedule happens `i` minutes after the base time (inside the known calendar
/// and every time limit of the Turpan rules).
pub fn at(minute: usize) -> DateTime<Utc> {
    base() + Duration::minutes(i64::try_from(minute).unwrap())
}

// ---------------------------------------------------------------------------------------------
// The city and its people.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub id: &'static str,
    pub role: Role,
    pub unit: &'static str,
}

pub const fn person(id: &'static str, role: Role, unit: &'static str) -> Person {
    Person { id, role, unit }
}

/// One device: who is enrolled on it, and whether it ever talks to the hub.
#[derive(Debug, Clone)]
pub struct PeerSpec {
    pub name: &'static str,
    pub persons: Vec<Person>,
    pub talks_to_hub: bool,
}

/// The city of the shared test kit (its authority and folder), who is on which device, and
/// every credential issued.
pub struct City {
    pub kit: hotline_testkit::City,
    pub specs: Vec<PeerSpec>,
    /// Per peer, per person: the credential.
    pub creds: Vec<Vec<Credential>>,
    dirs: usize,
}

impl City {
    /// Enrols everyone in `specs` (in order, so people enrolled early learn of the later ones
    /// only through sync or bundles).
    pub fn new(specs: Vec<PeerSpec>) -> City {
        let mut kit = hotline_testkit::City::turpan();
        let creds = specs
            .iter()
            .map(|s| {
                s.persons
                    .iter()
                    .map(|p| kit.credential(p.role, p.unit, p.id))
                    .collect()
            })
            .collect();
        City {
            kit,
            specs,
            creds,
            dirs: 0,
        }
    }

    pub fn fresh_dir(&mut self, name: &str) -> PathBuf {
        self.dirs += 1;
        self.kit.dir(&format!("{}-{name}", self.dirs))
    }
}

// ---------------------------------------------------------------------------------------------
// The hub.

pub struct Hub {
    pub store: HubStore,
    pub dir: Directory,
}

impl Hub {
    pub fn new(city: &mut City) -> Hub {
        let path = city.fresh_dir("hub");
        Hub {
            store: HubStore::new(&city.kit, path),
            dir: city.kit.directory(),
        }
    }

    /// The hub's side of the link: bytes in, bytes out. `None` when the request does not
    /// decode or is refused as a whole — which only a damaged message may cause.
    fn serve_bytes(&mut self, bytes: &[u8], intact: bool, now: DateTime<Utc>) -> Option<Vec<u8>> {
        let req: SignedRequest = match wire::decode(bytes) {
            Ok(r) => r,
            Err(e) => {
                assert!(!intact, "an intact request failed to decode: {e}");
                return None;
            }
        };
        // Schedules deliver a record at any step, even one before the step that made it (an
        // order the real world cannot produce). The hub's clock runs ahead of the steps so it
        // never sees a record from its own future; its clock decides nothing else here.
        let now = now + Duration::hours(2);
        match self.store.serve(&self.dir, &req, now) {
            Ok(resp) => Some(wire::encode(&resp).unwrap()),
            Err(e) => {
                assert!(!intact, "the hub refused an intact request: {e}");
                None
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Devices.

pub struct Peer {
    pub spec: PeerSpec,
    pub device: Device,
    pub online: bool,
    /// Minutes the device's clock is off by (records carry its time).
    pub skew: i64,
}

/// A change some device wrote (not received): what must reach the hub exactly once.
#[derive(Debug, Clone)]
pub struct Created {
    pub peer: usize,
    pub person: usize,
    pub change: StoredChange,
}

/// A message held back by the link, delivered later (after other devices' rounds).
#[derive(Debug, Clone)]
pub enum InFlight {
    ToHub { actor: usize, bytes: Vec<u8> },
    ToDevice { actor: usize, bytes: Vec<u8> },
}

/// What the link does to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Deliver,
    Drop,
    /// Delivered twice.
    Duplicate,
    /// Bytes cut off: the other end cannot decode it.
    Truncate(u16),
    /// Held back, delivered by a later `Late` step (or when the links heal).
    Delay,
}

pub fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::Deliver),
        1 => Just(Fault::Drop),
        1 => Just(Fault::Duplicate),
        1 => any::<u16>().prop_map(Fault::Truncate),
        1 => Just(Fault::Delay),
    ]
}

/// One attempt at a round: what happens to the request, to the response, and whether the
/// client keeps its pending request for a resend (or gives up on it: `reset_pending`).
pub type Round = (Fault, Fault, bool);

pub fn round() -> impl Strategy<Value = Round> {
    (fault(), fault(), any::<bool>())
}

/// A schedule step that moves bytes, never makes records.
#[derive(Debug, Clone)]
pub enum NetStep {
    /// An actor (a person on a device) syncs for a few rounds, if the device is online.
    Sync { actor: usize, rounds: Vec<Round> },
    /// A device goes offline or comes back.
    Toggle { peer: usize },
    /// A held-back message arrives.
    Late { pick: Index, fault: Fault },
    /// The app on a device restarts: the store is opened again, sync sessions start afresh
    /// (a pending request is forgotten).
    Restart { peer: usize },
}

pub fn net_step(actors: usize, peers: usize) -> impl Strategy<Value = NetStep> {
    prop_oneof![
        6 => (0..actors, prop::collection::vec(round(), 1..4))
            .prop_map(|(actor, rounds)| NetStep::Sync { actor, rounds }),
        1 => (0..peers).prop_map(|peer| NetStep::Toggle { peer }),
        2 => (any::<Index>(), fault()).prop_map(|(pick, fault)| NetStep::Late { pick, fault }),
        1 => (0..peers).prop_map(|peer| NetStep::Restart { peer }),
    ]
}

/// A file on a USB stick.
#[derive(Debug, Clone)]
pub struct Stick {
    pub path: PathBuf,
    pub from: usize,
    pub to: usize,
}

pub struct World {
    /// How many requests a kiosk takes at most.
    pub kiosk_orders: usize,
    pub hub: Hub,
    pub peers: Vec<Peer>,
    /// (peer, person) of each actor, in a fixed order.
    pub actors: Vec<(usize, usize)>,
    /// One sync session per actor on a device that talks to the hub.
    pub clients: Vec<Option<SyncClient>>,
    pub in_flight: VecDeque<InFlight>,
    pub created: Vec<Created>,
    pub sticks: Vec<Stick>,
    pub stick_dir: PathBuf,
    /// What happened, to read when a case fails.
    pub trace: Vec<String>,
}

impl World {
    /// Fresh stores for everyone in `city` (the same people and keys each time it is called).
    pub fn new(city: &mut City) -> World {
        let hub = Hub::new(city);
        let start = DateTime::parse_from_rfc3339("2026-03-01T09:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let mut peers = Vec::new();
        let mut actors = Vec::new();
        let mut clients = Vec::new();
        for (pi, spec) in city.specs.clone().into_iter().enumerate() {
            let dir = city.fresh_dir(spec.name);
            let mut device = None;
            for cred in &city.creds[pi] {
                // A shared device: each person is added to the same store.
                drop(device.take());
                device = Some(Device::init(&dir, cred, start).unwrap());
            }
            let device = device.unwrap();
            for (i, p) in spec.persons.iter().enumerate() {
                actors.push((pi, i));
                clients.push(
                    spec.talks_to_hub
                        .then(|| SyncClient::new(&device, HUB, Some(p.id)).unwrap()),
                );
            }
            peers.push(Peer {
                spec,
                device,
                online: true,
                skew: 0,
            });
        }
        let stick_dir = city.fresh_dir("stick");
        std::fs::create_dir_all(&stick_dir).unwrap();
        World {
            kiosk_orders: MAX_ORDERS_PER_KIOSK,
            hub,
            peers,
            actors,
            clients,
            in_flight: VecDeque::new(),
            created: Vec::new(),
            sticks: Vec::new(),
            stick_dir,
            trace: Vec::new(),
        }
    }

    pub fn person(&self, actor: usize) -> Person {
        let (p, i) = self.actors[actor];
        self.peers[p].spec.persons[i]
    }

    fn note(&mut self, s: String) {
        self.trace.push(s);
    }

    /// Sets how far each device's clock is off, in minutes.
    pub fn set_skews(&mut self, skews: &[i64]) {
        for (p, s) in self.peers.iter_mut().zip(skews) {
            p.skew = *s;
        }
    }

    pub fn trace_text(&self) -> String {
        let mut out = String::new();
        for (i, t) in self.trace.iter().enumerate() {
            let _ = writeln!(out, "  {i:3} {t}");
        }
        out
    }

    // -- records ----------------------------------------------------------------------------

    /// The actor takes a workflow action that looks valid on its own copy of some order (or, at
    /// a kiosk, takes a new request). Refused actions write nothing.
    pub fn act(&mut self, actor: usize, order_sel: usize, action_sel: usize, now: DateTime<Utc>) {
        self.act_inner(actor, None, order_sel, action_sel, now);
    }

    /// As [`World::act`], on the given order.
    pub fn act_on(&mut self, actor: usize, order: &OrderId, action_sel: usize, now: DateTime<Utc>) {
        self.act_inner(actor, Some(order), 0, action_sel, now);
    }

    fn act_inner(
        &mut self,
        actor: usize,
        only: Option<&OrderId>,
        order_sel: usize,
        action_sel: usize,
        now: DateTime<Utc>,
    ) {
        let (pi, ii) = self.actors[actor];
        let who = self.peers[pi].spec.persons[ii];
        // The device's own clock, which may be off.
        let now = now + Duration::minutes(self.peers[pi].skew);
        let dev = &mut self.peers[pi].device;
        let before = dev.store().last_change_seq().unwrap();
        let (what, result) = if who.role == Role::Kiosk {
            if dev.store().change_orders().unwrap().len() >= self.kiosk_orders {
                return;
            }
            let req = request(action_sel);
            let kind = format!("submit {:?}", req.kind);
            (kind, dev.submit(Some(who.id), req, now).map(|s| s.order))
        } else {
            let mut options = Vec::new();
            for o in dev.store().change_orders().unwrap() {
                if only.is_some_and(|only| *only != o) {
                    continue;
                }
                let state = dev.show(&o).unwrap().state;
                let c = candidates(&who, &state, now);
                if !c.is_empty() {
                    options.push((o, c));
                }
            }
            if options.is_empty() {
                return;
            }
            let (order, cands) = &options[order_sel % options.len()];
            let action = cands[action_sel % cands.len()].clone();
            let what = format!("{} on {}", action.name(), short(&order.0));
            (
                what,
                dev.act(Some(who.id), order, action, now)
                    .map(|_| order.clone()),
            )
        };
        match result {
            Ok(_) => {
                let new = dev.store().changes_after(before, 64).unwrap();
                assert_eq!(new.len(), 1, "one action writes one change");
                for lc in new {
                    assert!(lc.source.is_none(), "a change made here has no source");
                    self.created.push(Created {
                        peer: pi,
                        person: ii,
                        change: lc.change,
                    });
                }
                self.note(format!("{} {what}", who.id));
            }
            Err(e) => {
                assert_eq!(
                    dev.store().last_change_seq().unwrap(),
                    before,
                    "a refused action wrote something"
                );
                self.note(format!("{} {what}: refused {}", who.id, e.code()));
            }
        }
    }

    /// Puts a change written in another run into its author's store (with whatever of its causal
    /// past the store lacks), as if the author had just written it.
    pub fn reveal(&mut self, c: &Created, pool: &[Created], now: DateTime<Utc>) {
        let by_hash: HashMap<&str, &Created> =
            pool.iter().map(|c| (c.change.hash.as_str(), c)).collect();
        let dev = &mut self.peers[c.peer].device;
        // The causal past by the changes' own dependencies.
        let mut need: BTreeSet<&str> = BTreeSet::new();
        let mut stack = vec![c.change.hash.as_str()];
        while let Some(h) = stack.pop() {
            if !need.insert(h) {
                continue;
            }
            let change = hotline_core::doc::decode_change(&by_hash[h].change.bytes, None).unwrap();
            for d in change.deps() {
                let d = d.to_string();
                let (k, _) = by_hash
                    .get_key_value(d.as_str())
                    .expect("dependency in the pool");
                stack.push(*k);
            }
        }
        // In the order they were written, which respects causality.
        let batch: Vec<WireChange> = pool
            .iter()
            .filter(|p| need.contains(p.change.hash.as_str()))
            .filter(|p| !dev.store().has_change(&p.change.hash).unwrap())
            .map(|p| WireChange::from(&p.change))
            .collect();
        // It had synced to see those changes, so it knows who signed them.
        for w in &batch {
            if let Some(cert) = self
                .hub
                .dir
                .certificates
                .iter()
                .find(|c| c.body.id.0 == w.cert)
            {
                dev.add_certificate(cert.clone()).unwrap();
            }
        }
        let n = batch.len();
        let outcomes = dev.import_batch(&batch, None, now).unwrap();
        for o in outcomes {
            assert!(
                matches!(o, Ok(ImportOutcome::Applied)),
                "revealing a change: {o:?}"
            );
        }
        self.created.push(c.clone());
        let who = self.peers[c.peer].spec.persons[c.person].id;
        self.note(format!(
            "{who} reveals {} on {} (+{} of its past)",
            short(&c.change.hash),
            short(&c.change.order.0),
            n.saturating_sub(1)
        ));
    }

    // -- the faulty link --------------------------------------------------------------------

    pub fn net(&mut self, step: &NetStep, now: DateTime<Utc>) {
        match step {
            NetStep::Sync { actor, rounds } => {
                for r in rounds {
                    if self.round(*actor, *r, now) {
                        break;
                    }
                }
            }
            NetStep::Toggle { peer } => {
                let p = &mut self.peers[*peer];
                p.online = !p.online;
                let s = format!(
                    "{} goes {}",
                    p.spec.name,
                    if p.online { "online" } else { "offline" }
                );
                self.note(s);
            }
            NetStep::Late { pick, fault } => {
                if self.in_flight.is_empty() {
                    return;
                }
                let i = pick.index(self.in_flight.len());
                let m = self.in_flight.remove(i).unwrap();
                self.late(m, *fault, now);
            }
            NetStep::Restart { peer } => self.restart(*peer),
        }
    }

    /// The device's app restarts: its store is opened again from disk and its sync sessions
    /// start over.
    pub fn restart(&mut self, peer: usize) {
        let dir = self.peers[peer].device.store().dir().to_path_buf();
        let reopened = Device::open(&dir).unwrap();
        self.peers[peer].device = reopened;
        for (a, (pi, ii)) in self.actors.iter().enumerate() {
            if *pi == peer && self.clients[a].is_some() {
                let who = self.peers[peer].spec.persons[*ii].id;
                self.clients[a] =
                    Some(SyncClient::new(&self.peers[peer].device, HUB, Some(who)).unwrap());
            }
        }
        let s = format!("{} restarts", self.peers[peer].spec.name);
        self.note(s);
    }

    /// One round of `actor` over the faulty link. Returns whether the client says it is done.
    pub fn round(
        &mut self,
        actor: usize,
        (req_fault, resp_fault, keep): Round,
        now: DateTime<Utc>,
    ) -> bool {
        let (pi, _) = self.actors[actor];
        if !self.peers[pi].online || self.clients[actor].is_none() {
            return false;
        }
        let who = self.person(actor).id;
        let client = self.clients[actor].as_mut().unwrap();
        let req = client.request(&self.peers[pi].device, now).unwrap();
        let bytes = wire::encode(&req).unwrap();
        let responses: Vec<Vec<u8>> = match req_fault {
            Fault::Deliver => self
                .hub
                .serve_bytes(&bytes, true, now)
                .into_iter()
                .collect(),
            Fault::Duplicate => {
                let a = self.hub.serve_bytes(&bytes, true, now);
                let b = self.hub.serve_bytes(&bytes, true, now);
                a.into_iter().chain(b).collect()
            }
            Fault::Drop => Vec::new(),
            Fault::Truncate(cut) => {
                let short = truncate(&bytes, cut);
                self.hub
                    .serve_bytes(&short, false, now)
                    .into_iter()
                    .collect()
            }
            Fault::Delay => {
                self.in_flight.push_back(InFlight::ToHub { actor, bytes });
                Vec::new()
            }
        };
        let mut done = false;
        let mut answered = false;
        for resp in responses {
            let copies = match resp_fault {
                Fault::Deliver => vec![resp],
                Fault::Duplicate => vec![resp.clone(), resp],
                Fault::Drop => Vec::new(),
                Fault::Truncate(cut) => {
                    let short = truncate(&resp, cut);
                    assert!(
                        wire::decode::<SyncResponse>(&short).is_err(),
                        "a truncated response decoded"
                    );
                    Vec::new()
                }
                Fault::Delay => {
                    self.in_flight
                        .push_back(InFlight::ToDevice { actor, bytes: resp });
                    Vec::new()
                }
            };
            for c in copies {
                done = self.deliver(actor, &c, now);
                answered = true;
            }
        }
        if !answered && !keep {
            self.clients[actor].as_mut().unwrap().reset_pending();
        }
        self.note(format!(
            "{who} round: request {req_fault:?}, response {resp_fault:?}{}{}",
            if !answered && !keep { ", gives up" } else { "" },
            if done { ", done" } else { "" }
        ));
        done
    }

    /// A response reaches the device (decoded there).
    fn deliver(&mut self, actor: usize, bytes: &[u8], now: DateTime<Utc>) -> bool {
        let (pi, _) = self.actors[actor];
        let resp: SyncResponse = wire::decode(bytes).unwrap();
        let client = self.clients[actor].as_mut().unwrap();
        let before = client.progress();
        let done = client
            .response(&mut self.peers[pi].device, resp, now)
            .unwrap();
        let after = client.progress();
        if after.refused_here > before.refused_here || after.refused_by_hub > before.refused_by_hub
        {
            let refusals = self.peers[pi].device.store().refusals(8).unwrap();
            let codes: Vec<String> = refusals
                .iter()
                .take(usize::try_from(after.refused_here - before.refused_here).unwrap_or(8))
                .map(|r| format!("{} on {}", r.code, short(r.order.as_deref().unwrap_or("?"))))
                .collect();
            let who = self.person(actor).id;
            self.note(format!(
                "{who} takes a response: {} refused here {codes:?}, {} refused by the hub",
                after.refused_here - before.refused_here,
                after.refused_by_hub - before.refused_by_hub
            ));
        }
        done
    }

    /// A held-back message arrives now; if it is a request, `fault` is what happens to the
    /// response (which cannot be held back again: it is lost instead).
    fn late(&mut self, m: InFlight, fault: Fault, now: DateTime<Utc>) {
        match m {
            InFlight::ToHub { actor, bytes } => {
                let resp = self.hub.serve_bytes(&bytes, true, now);
                let (pi, _) = self.actors[actor];
                let online = self.peers[pi].online;
                let who = self.person(actor).id;
                self.note(format!(
                    "{who}'s late request reaches the hub, response {fault:?}"
                ));
                if let Some(resp) = resp
                    && online
                {
                    match fault {
                        Fault::Deliver => {
                            self.deliver(actor, &resp, now);
                        }
                        Fault::Duplicate => {
                            self.deliver(actor, &resp, now);
                            self.deliver(actor, &resp, now);
                        }
                        _ => {}
                    }
                }
            }
            InFlight::ToDevice { actor, bytes } => {
                let (pi, _) = self.actors[actor];
                let who = self.person(actor).id;
                let arrives = self.peers[pi].online
                    && matches!(fault, Fault::Deliver | Fault::Duplicate | Fault::Delay);
                self.note(format!(
                    "late response to {who} {}",
                    if arrives { "arrives" } else { "is lost" }
                ));
                if arrives {
                    self.deliver(actor, &bytes, now);
                    if fault == Fault::Duplicate {
                        self.deliver(actor, &bytes, now);
                    }
                }
            }
        }
    }

    /// A whole sync over a healed link.
    pub fn full_sync(&mut self, actor: usize, now: DateTime<Utc>) {
        for _ in 0..MAX_ROUNDS {
            if self.round(actor, (Fault::Deliver, Fault::Deliver, true), now) {
                return;
            }
        }
        panic!(
            "{}'s sync did not finish in {MAX_ROUNDS} rounds\n{}",
            self.person(actor).id,
            self.trace_text()
        );
    }

    // -- bundles ----------------------------------------------------------------------------

    pub fn export(&mut self, from: usize, to: usize, now: DateTime<Utc>) -> usize {
        let peer_id = self.peers[to].device.node_id().unwrap();
        let k = self.sticks.len();
        let path = self.stick_dir.join(format!(
            "{k}-{}-to-{}.bundle",
            self.peers[from].spec.name, self.peers[to].spec.name
        ));
        let report = bundle::export(&self.peers[from].device, &peer_id, &path, now).unwrap();
        self.sticks.push(Stick { path, from, to });
        let s = format!(
            "bundle {k}: {} -> {} ({} changes)",
            self.peers[from].spec.name, self.peers[to].spec.name, report.changes
        );
        self.note(s);
        k
    }

    pub fn import(&mut self, k: usize, now: DateTime<Utc>) -> BundleReport {
        let s = self.sticks[k].clone();
        let report = bundle::import(&mut self.peers[s.to].device, &s.path, now)
            .unwrap_or_else(|e| panic!("importing bundle {k}: {e}\n{}", self.trace_text()));
        let line = format!(
            "{} imports bundle {k}: {} applied, {} already had, refused {:?}",
            self.peers[s.to].spec.name, report.applied, report.already_had, report.refused
        );
        self.note(line);
        assert!(
            report.refused.is_empty(),
            "bundle {k} had refused changes: {:?}\n{}",
            report.refused,
            self.trace_text()
        );
        report
    }

    /// A copy of bundle `k` cut short is refused as damaged and changes nothing.
    pub fn import_truncated(&mut self, k: usize, cut: u16, now: DateTime<Utc>) {
        let bytes = std::fs::read(&self.sticks[k].path).unwrap();
        let short = truncate(&bytes, cut);
        let what = format!("cut to {} of {} bytes", short.len(), bytes.len());
        self.import_damaged(k, &short, &what, now);
    }

    /// A copy of bundle `k` with one byte changed is refused as damaged and changes nothing.
    pub fn import_flipped(&mut self, k: usize, at: u16, now: DateTime<Utc>) {
        let mut bytes = std::fs::read(&self.sticks[k].path).unwrap();
        let i = usize::from(at) % bytes.len();
        bytes[i] ^= 0x20;
        let what = format!("with byte {i} of {} changed", bytes.len());
        self.import_damaged(k, &bytes, &what, now);
    }

    fn import_damaged(&mut self, k: usize, damaged: &[u8], what: &str, now: DateTime<Utc>) {
        let s = self.sticks[k].clone();
        let path = s.path.with_extension("damaged");
        std::fs::write(&path, damaged).unwrap();
        let before = snapshot(&self.peers[s.to].device, &self.peer_names());
        let err = bundle::import(&mut self.peers[s.to].device, &path, now)
            .expect_err("a truncated bundle was accepted");
        assert_eq!(err.code().as_str(), "bundle_damaged", "{err}");
        let after = snapshot(&self.peers[s.to].device, &self.peer_names());
        assert!(before == after, "a damaged bundle changed the store");
        let line = format!("{} refuses bundle {k} {what}", self.peers[s.to].spec.name);
        self.note(line);
    }

    /// One line about the case, printed with `HOTLINE_TEST_STATS=1` to see what schedules reach.
    pub fn stats(&self, label: &str) {
        if std::env::var_os("HOTLINE_TEST_STATS").is_none() {
            return;
        }
        let states = hub_states(self);
        let statuses: Vec<&str> = states.values().map(|s| s.status.as_str()).collect();
        let refused_in_fold = states
            .values()
            .flat_map(|s| &s.history)
            .filter(|h| h.outcome.refusal_code().is_some())
            .count();
        let refused_acts = self
            .trace
            .iter()
            .filter(|t| t.contains(": refused"))
            .count();
        let faults = self
            .trace
            .iter()
            .filter(|t| {
                t.contains("Drop")
                    || t.contains("Truncate")
                    || t.contains("Delay")
                    || t.contains("Duplicate")
            })
            .count();
        eprintln!(
            "{label}: {} changes, {refused_acts} refused actions, {refused_in_fold} lost races, \
             {faults} faulty rounds, statuses {statuses:?}",
            self.created.len()
        );
    }

    pub fn fail(&self, msg: &str) -> ! {
        let refusals: Vec<String> = self
            .hub
            .store
            .refusals(20)
            .into_iter()
            .map(|r| {
                format!(
                    "{} {} on {}: {}",
                    short(r.hash.as_deref().unwrap_or("?")),
                    r.code,
                    short(r.order.as_deref().unwrap_or("?")),
                    r.message_en
                )
            })
            .collect();
        panic!(
            "{msg}\nrefused at the hub: {refusals:#?}\ntrace:\n{}",
            self.trace_text()
        )
    }

    fn peer_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .peers
            .iter()
            .map(|p| p.device.node_id().unwrap())
            .collect();
        for (a, (pi, ii)) in self.actors.iter().enumerate() {
            if self.clients[a].is_some() {
                let cert = &self.peers[*pi].device.identities()[*ii]
                    .certificate
                    .body
                    .id
                    .0;
                names.push(format!("{HUB}/{cert}"));
            }
        }
        names
    }

    // -- healing and the checks -------------------------------------------------------------

    /// Every device back online; whatever the link still held arrives (stale by now).
    pub fn heal_links(&mut self, now: DateTime<Utc>) {
        for p in &mut self.peers {
            p.online = true;
        }
        while let Some(m) = self.in_flight.pop_front() {
            self.late(m, Fault::Deliver, now);
        }
    }

    /// How much every node holds: unchanged over a whole pass means quiescent.
    pub fn fingerprint(&self) -> Vec<u64> {
        std::iter::once(self.hub.store.changes().len() as u64)
            .chain(
                self.peers
                    .iter()
                    .map(|p| p.device.store().change_count().unwrap()),
            )
            .collect()
    }

    /// Syncs every hub-talking actor until nothing moves any more, with `extra` run in every
    /// pass too (bundle exchanges).
    pub fn settle(&mut self, mut minute: usize, mut extra: impl FnMut(&mut World, DateTime<Utc>)) {
        let mut prev = None;
        for _ in 0..10 {
            minute += 1;
            let now = at(minute);
            extra(self, now);
            for a in 0..self.actors.len() {
                if self.clients[a].is_some() {
                    self.full_sync(a, now);
                }
            }
            let fp = self.fingerprint();
            if prev.as_ref() == Some(&fp) {
                return;
            }
            prev = Some(fp);
        }
        panic!("the city did not settle\n{}", self.trace_text());
    }

    /// The properties, once everything has settled:
    /// (a) every copy of an order folds to the hub's state, and each device holds what it may see;
    /// (b) every change written anywhere is at the hub exactly once, and each copy of an order
    ///     holds its whole history;
    /// (c) no event appears twice in any history.
    pub fn check_converged(&self) {
        let hub_states = self.check_hub();
        self.check_devices(&hub_states);
    }

    /// (b) and (c) at the hub: every change written anywhere is there exactly once, and every
    /// order's history holds each of its events once. Returns the hub's states.
    pub fn check_hub(&self) -> BTreeMap<OrderId, OrderState> {
        let hub = &self.hub.store;

        // (b) nothing lost, nothing doubled at the hub.
        let created: BTreeSet<&str> = self
            .created
            .iter()
            .map(|c| c.change.hash.as_str())
            .collect();
        if created.len() != self.created.len() {
            self.fail("a change was written twice");
        }
        let mut at_hub: BTreeMap<String, usize> = BTreeMap::new();
        for c in hub.changes() {
            *at_hub.entry(c.hash).or_default() += 1;
        }
        if let Some((h, n)) = at_hub.iter().find(|(_, n)| **n != 1) {
            self.fail(&format!("change {h} is at the hub {n} times"));
        }
        let missing: Vec<&&str> = created
            .iter()
            .filter(|h| !at_hub.contains_key(**h))
            .collect();
        if !missing.is_empty() {
            let detail: Vec<String> = self
                .created
                .iter()
                .filter(|c| missing.contains(&&c.change.hash.as_str()))
                .map(|c| {
                    format!(
                        "{} by {} on {}",
                        short(&c.change.hash),
                        self.peers[c.peer].spec.persons[c.person].id,
                        short(&c.change.order.0)
                    )
                })
                .collect();
            self.fail(&format!("changes never reached the hub: {detail:?}"));
        }
        if at_hub.len() != created.len() {
            self.fail(&format!(
                "the hub holds {} changes, {} were written",
                at_hub.len(),
                created.len()
            ));
        }

        let hub_orders = hub.orders();
        let mut hub_states: BTreeMap<OrderId, OrderState> = BTreeMap::new();
        for o in &hub_orders {
            let state = hub.state(o);
            check_history("hub", o, &state, hub.export(o), hub.index_row(o))
                .unwrap_or_else(|e| self.fail(&e));
            hub_states.insert(o.clone(), state);
        }
        hub_states
    }

    /// (a), (b) and (c) on the devices: each holds what it may see, and every order it holds
    /// it holds whole, folding it as the hub does.
    pub fn check_devices(&self, hub_states: &BTreeMap<OrderId, OrderState>) {
        let hub = &self.hub.store;
        for p in &self.peers {
            let dev = &p.device;
            let name = p.spec.name;
            // Everything a device holds folds as at the hub, with the same history — but a
            // kiosk, to which neither the hub nor a bundle gives anything back, keeps what it
            // submitted as it was.
            let follows = p.spec.persons.iter().any(|p| p.role != Role::Kiosk);
            let held: BTreeSet<OrderId> =
                dev.store().change_orders().unwrap().into_iter().collect();
            for o in &held {
                let Some(expected) = hub_states.get(o) else {
                    self.fail(&format!("{name} holds {o}, which the hub never got"));
                };
                if !follows {
                    continue;
                }
                let state = dev.show(o).unwrap().state;
                check_history(
                    name,
                    o,
                    &state,
                    dev.export_changes(o).unwrap(),
                    dev.store().order_row(o).unwrap(),
                )
                .unwrap_or_else(|e| self.fail(&e));
                let mine: BTreeSet<String> = dev
                    .export_changes(o)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.hash)
                    .collect();
                let theirs: BTreeSet<String> = hub.export(o).into_iter().map(|c| c.hash).collect();
                if mine != theirs {
                    let lacks: Vec<String> = theirs.difference(&mine).map(|h| short(h)).collect();
                    let extra: Vec<String> = mine.difference(&theirs).map(|h| short(h)).collect();
                    // What the device refused, and what the hub thinks each person on it holds.
                    let refused_here: Vec<String> = dev
                        .store()
                        .refusals(20)
                        .unwrap()
                        .into_iter()
                        .map(|r| format!("{} {}", short(r.hash.as_deref().unwrap_or("?")), r.code))
                        .collect();
                    let held: Vec<(String, bool)> = dev
                        .identities()
                        .iter()
                        .map(|i| {
                            let cert = i.certificate.body.id.0.clone();
                            let has = hub.peer_has_order(&cert, o);
                            (cert, has)
                        })
                        .collect();
                    self.fail(&format!(
                        "{name}'s copy of {o} lacks {lacks:?} and has extra {extra:?} \
                         (status here {}, at the hub {}); refused here {refused_here:?}; \
                         held at the hub {held:?}",
                        state.status, expected.status
                    ));
                }
                if &state != expected {
                    self.fail(&format!(
                        "{name} folds {o} to {} (lead {:?}), the hub to {} (lead {:?})",
                        state.status, state.lead_unit, expected.status, expected.lead_unit
                    ));
                }
            }
            // And it holds what it may see.
            for person in &p.spec.persons {
                let may_see: Vec<&OrderId> = hub_states
                    .iter()
                    .filter(|(_, s)| sees(person, s, p.spec.talks_to_hub))
                    .map(|(o, _)| o)
                    .collect();
                for o in may_see {
                    if !held.contains(o) {
                        self.fail(&format!(
                            "{name} ({}, {:?} of {}) lacks {o} (status {}, lead {:?}, co {:?})",
                            person.id,
                            person.role,
                            person.unit,
                            hub_states[o].status,
                            hub_states[o].lead_unit,
                            hub_states[o].co_units
                        ));
                    }
                }
            }
        }
    }
}

/// Whether a person must hold an order once everything has settled: the center sees every
/// order; a unit the orders it now leads or co-handles. (Anyone may hold more: what it wrote,
/// what it once handled.) A device off the network sees what its township passes on, checked
/// by the bundle tests themselves.
fn sees(p: &Person, s: &OrderState, talks_to_hub: bool) -> bool {
    if !talks_to_hub {
        return false;
    }
    match p.role {
        Role::Dispatcher
        | Role::Intake
        | Role::Callback
        | Role::Auditor
        | Role::Supervisor
        | Role::CenterService => true,
        Role::Staff | Role::UnitHead | Role::DeputyHead => s.is_handling_unit(&UnitId::new(p.unit)),
        Role::Kiosk => false,
    }
}

/// (c) and the history half of (b): each stored change is one distinct event of the history,
/// none waits for a missing predecessor, and the order's index row says what the fold says.
fn check_history(
    name: &str,
    o: &OrderId,
    state: &OrderState,
    changes: Vec<StoredChange>,
    row: Option<hotline_core::store::IndexRow>,
) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    for h in &state.history {
        if !ids.insert(h.event.id.0.clone()) {
            return Err(format!(
                "{name}: event {} twice in the history of {o}",
                h.event.id
            ));
        }
        if let hotline_core::workflow::Outcome::Waiting { missing } = &h.outcome {
            return Err(format!(
                "{name}: event {} of {o} still waits for {missing:?}",
                h.event.id
            ));
        }
    }
    let events: BTreeSet<String> = changes.iter().map(|c| c.event_id.clone()).collect();
    if events.len() != changes.len() {
        return Err(format!(
            "{name}: two stored changes of {o} carry the same event"
        ));
    }
    if events != ids {
        return Err(format!(
            "{name}: the history of {o} has {} events, the store {} changes",
            ids.len(),
            changes.len()
        ));
    }
    let row = row.ok_or_else(|| format!("{name}: no index row for {o}"))?;
    let lead = state.lead_unit.as_ref().map(|u| u.0.clone());
    let co: Vec<String> = state.co_units.iter().map(|u| u.0.clone()).collect();
    if row.status != state.status || row.lead_unit != lead || row.co_units != co {
        return Err(format!(
            "{name}: index row of {o} says {} / {:?} / {:?}, the fold {} / {lead:?} / {co:?}",
            row.status, row.lead_unit, row.co_units, state.status
        ));
    }
    Ok(())
}

/// What an import, damaged or not, could change on a device.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    seq: i64,
    changes: u64,
    certs: usize,
    units: usize,
    peers: Vec<PeerState>,
    states: Vec<(OrderId, OrderState)>,
}

pub fn snapshot(dev: &Device, peers: &[String]) -> Snapshot {
    Snapshot {
        seq: dev.store().last_change_seq().unwrap(),
        changes: dev.store().change_count().unwrap(),
        certs: dev.trust().certificates().count(),
        units: dev.unit_directory().len(),
        peers: peers
            .iter()
            .map(|p| dev.store().peer_state(p).unwrap())
            .collect(),
        states: dev
            .store()
            .change_orders()
            .unwrap()
            .into_iter()
            .map(|o| {
                let s = dev.show(&o).unwrap().state;
                (o, s)
            })
            .collect(),
    }
}

/// The hub's every order and its state, to compare two runs.
pub fn hub_states(w: &World) -> BTreeMap<OrderId, OrderState> {
    let hub = &w.hub.store;
    hub.orders()
        .into_iter()
        .map(|o| {
            let s = hub.state(&o);
            (o, s)
        })
        .collect()
}

pub fn truncate(bytes: &[u8], cut: u16) -> Vec<u8> {
    // Keep fewer bytes than there are: at least one is cut.
    let keep = usize::from(cut) % bytes.len().max(1);
    bytes[..keep].to_vec()
}

pub fn short(s: &str) -> String {
    s.chars().take(10).collect()
}

// ---------------------------------------------------------------------------------------------
// What people do.

/// A citizen's request at a kiosk; `sel` varies its kind and confidentiality.
pub fn request(sel: usize) -> SubmitRequest {
    let kinds = [
        RequestKind::Complaint,
        RequestKind::Inquiry,
        RequestKind::Help,
        RequestKind::Report,
        RequestKind::Suggestion,
    ];
    SubmitRequest {
        kind: kinds[sel % kinds.len()],
        urgency: Urgency::Normal,
        channel: Channel::Kiosk,
        text: format!("路灯不亮 #{sel}"),
        location: Location {
            address: "濮阳市华龙区古城路1号".into(),
            division_code: Some("410902001".into()),
            gps: Some(GpsFix::manual(35.76, 115.03)),
        },
        contact: Some(ContactDetails {
            name: Some("王秀英".into()),
            phone: Some("13912345678".into()),
            id_number: None,
        }),
        confidential: sel % 7 == 3,
        origin: hotline_core::model::Origin::Local,
        emergency_category: None,
        photos: Vec::new(),
        category: None,
    }
}

fn dispatch(lead: &str, co: Option<&str>) -> Action {
    Action::Dispatch {
        separate_units: Vec::new(),
        statutory_limit: None,
        lead: UnitId::new(lead),
        co_units: co.into_iter().map(UnitId::new).collect(),
        leader_approval: false,
        note: "请核实处理".into(),
        duty_report: None,
        coordination: None,
        override_reason: None,
    }
}

fn reply(unit: &str, now: DateTime<Utc>) -> Action {
    Action::Reply(ReplyContent {
        responsible_leader: None,
        handled_at: now,
        unit: UnitId::new(unit),
        handler: "李明".into(),
        result: "已修复路灯".into(),
        legal_basis: "《城市道路照明设施管理规定》".into(),
        citizen_informed_how: "电话".into(),
        case: Some(CaseInfo::NotFiled {
            reason: "不涉及违法行为".into(),
        }),
    })
}

/// Actions that look valid for `who` on an order in `s` as this device sees it (the device's
/// copy may be stale, so some are refused, or lose a race at the fold).
pub fn candidates(who: &Person, s: &OrderState, now: DateTime<Utc>) -> Vec<Action> {
    use Status::*;
    let note = |t: &str| t.to_string();
    let mut v = Vec::new();
    let inquiry = s
        .details
        .as_ref()
        .is_some_and(|d| d.kind == RequestKind::Inquiry);
    match who.role {
        Role::Dispatcher => match s.status {
            Submitted => {
                let register = Action::Register {
                    note: String::new(),
                };
                v.extend(std::iter::repeat_n(register, 6));
                v.extend([Action::NotAccept {
                    reason: NotAcceptedReason::NotGovernmentDuty,
                    basis: note("不属于政府职责"),
                    earlier_order: None,
                    stated_reason: None,
                }]);
                if inquiry {
                    v.push(Action::InstantAnswer {
                        kb_item: note("kb-17"),
                        answer: note("请拨打供电服务热线"),
                        kb_version: None,
                    });
                }
            }
            Registered => {
                v.extend([
                    dispatch(UNIT_A, None),
                    dispatch(UNIT_B, None),
                    dispatch(UNIT_A, Some(UNIT_B)),
                    dispatch(UNIT_B, Some(UNIT_A)),
                ]);
            }
            ReturnRequested => v.extend([
                Action::DecideReturn {
                    add_co_units: Vec::new(),
                    approve: true,
                    note: String::new(),
                    amend_catalogue: None,
                },
                Action::DecideReturn {
                    add_co_units: Vec::new(),
                    approve: false,
                    note: note("属于你单位职责"),
                    amend_catalogue: None,
                },
                // Linshu 二(三): partly justified — the unit keeps it, another unit assists.
                Action::DecideReturn {
                    add_co_units: vec![UnitId::new(
                        if s.lead_unit.as_ref().is_some_and(|u| u.0 == UNIT_A) {
                            UNIT_B
                        } else {
                            UNIT_A
                        },
                    )],
                    approve: false,
                    note: note("部分属于你单位职责"),
                    amend_catalogue: None,
                },
            ]),
            ExtensionRequested => v.extend([
                Action::DecideExtension {
                    approve: true,
                    note: String::new(),
                },
                Action::DecideExtension {
                    approve: false,
                    note: note("理由不充分"),
                },
            ]),
            UnderReview => v.extend([
                Action::Review {
                    approve: true,
                    note: String::new(),
                },
                Action::Review {
                    approve: true,
                    note: String::new(),
                },
                Action::Review {
                    approve: false,
                    note: note("答复不完整"),
                },
            ]),
            Dissatisfied => v.push(Action::Reopen {
                reason: note("群众不满意"),
            }),
            Dispatched | InHandling => v.push(Action::Supervise {
                trigger: SupervisionTrigger::HotIssue,
                form: SupervisionForm::Daily,
                note: note("请加快办理"),
            }),
            _ => {}
        },
        Role::Callback => {
            if s.status == AwaitingCallback {
                v.extend([
                    Action::Callback {
                        service_rating: None,
                        unit_contacted: None,
                        rating: Satisfaction::Satisfied,
                        note: note("满意"),
                    },
                    Action::Callback {
                        service_rating: None,
                        unit_contacted: None,
                        rating: Satisfaction::Dissatisfied,
                        note: note("路灯仍不亮"),
                    },
                    Action::CallbackUnreached {
                        note: note("无人接听"),
                    },
                ]);
            }
        }
        Role::Staff | Role::UnitHead | Role::DeputyHead => {
            let unit = UnitId::new(who.unit);
            let lead = s.lead_unit.as_ref() == Some(&unit);
            let contact = Action::Contact {
                method: ContactMethod::Phone,
                reached: true,
                note: note("已电话联系"),
            };
            let duty = Action::DutyStatement {
                text: note("已按职责处理"),
                non_compliant: false,
            };
            match s.status {
                Dispatched if lead => v.extend([
                    Action::SignFor {
                        note: note("已签收"),
                    },
                    Action::SignFor {
                        note: note("已签收"),
                    },
                    Action::SignFor {
                        note: note("已签收"),
                    },
                    Action::RequestReturn(ReturnRequest {
                        reason: note("不属于本单位职责"),
                        basis: note("三定方案"),
                        leader_opinion: note("同意退回"),
                        suggestion: note("建议转城管局"),
                        phone: note("0995-1234567"),
                        called_center: true,
                    }),
                ]),
                InHandling if lead => v.extend([
                    reply(who.unit, now),
                    reply(who.unit, now),
                    Action::RequestExtension(ExtensionRequest {
                        statutory_limit: None,
                        working_days: 5,
                        explanation: note("需协调多部门"),
                    }),
                    contact,
                    duty,
                    Action::InterimProgress {
                        note: note("已协调施工单位"),
                    },
                    Action::DelayNotice {
                        reason: note("需等待配件"),
                    },
                ]),
                ExtensionRequested if lead => v.extend([reply(who.unit, now), contact]),
                _ if s.co_units.contains(&unit) && s.status.is_after_dispatch() => {
                    v.extend([
                        contact,
                        duty,
                        Action::CoUnitOpinion {
                            text: note("本单位已配合排查"),
                        },
                    ]);
                }
                _ => {}
            }
        }
        Role::Supervisor => {
            if s.status.is_after_dispatch() {
                v.push(Action::SiteSupervision(SiteSupervisionForm {
                    place: note("古城路"),
                    held_at: now,
                    people_present: vec![note("张三")],
                    findings: note("路灯已修复"),
                    action_taken: note("拍照留存"),
                    photos: Vec::new(),
                    gps: None,
                }));
            }
            if !s.status.is_final() && s.status != NotSubmitted {
                v.push(Action::Supervise {
                    trigger: SupervisionTrigger::LeaderAssigned,
                    form: SupervisionForm::OnSite,
                    note: note("现场督办"),
                });
            }
        }
        // Refused unless the order is overdue at that moment: the fold checks it again.
        Role::CenterService => {
            if s.status.is_handling_clock_running() {
                v.push(Action::Supervise {
                    trigger: SupervisionTrigger::Overdue,
                    form: SupervisionForm::Daily,
                    note: note("系统自动督办"),
                });
            }
        }
        Role::Kiosk | Role::Intake | Role::Auditor => {}
    }
    v
}
