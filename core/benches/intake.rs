//! Intake cost: a bare Automerge document holding an order vs. a kiosk's `Device::submit`
//! (create + seal + sign + store + index, one SQLite transaction with `synchronous=FULL`).
//!
//! `cargo bench -p hotline-core --bench intake -- --warm-up-time 1 --measurement-time 3`
//!
//! Orders come from `shared/bench/work-orders-1000.jsonl`, read unchanged at run time. The
//! submit variant runs with the store on the normal disk (cargo's target tmp dir) and in
//! `/dev/shm` (tmpfs: fsync is free there, so the difference is the cost of durability).
//! After criterion, a plain interleaved loop measures medians and prints the ratios
//! intake/bare, plus a breakdown of where a submit's time goes.

mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjType, ROOT};
use criterion::{Criterion, SamplingMode, Throughput};
use rand_core::{OsRng, RngCore};
use tempfile::TempDir;

use common::{BenchOrder, base_time, load_orders, median_us, submit_request};
use hotline_core::authority::CENTER_UNIT;
use hotline_core::device::{Credential, Device, SubmitRequest};
use hotline_core::doc::{self, OrderDoc};
use hotline_core::identity::{ContactDetails, MemoryKeyCustody, SealingPublicKey, SignedEnvelope};
use hotline_core::model::{Action, Actor, Event, EventId, OrderDetails, OrderId, Role, Timestamp};
use hotline_core::policy::{HolidayCalendar, Policy};
use hotline_core::store::{ActionRecord, IndexRow, Store, StoredChange};
use hotline_core::workflow::{OrderState, deadlines, decide, fold};
use hotline_testkit::City;

const SHM: &str = "/dev/shm";

/// (a1) One change putting the order as one JSON string (as the order schema stores events).
fn bare_json(o: &BenchOrder) -> Vec<u8> {
    let json = serde_json::to_string(o).expect("json");
    let mut doc = Automerge::new();
    let r = doc.transact(|tx| -> Result<(), AutomergeError> {
        tx.put(ROOT, "order_id", o.id.as_str())?;
        tx.put(ROOT, "order", json.as_str())?;
        Ok(())
    });
    if let Err(f) = r {
        panic!("automerge: {}", f.error);
    }
    doc.save()
}

/// (a2) One change putting each field as its own scalar in a map.
fn bare_fields(o: &BenchOrder) -> Vec<u8> {
    let mut doc = Automerge::new();
    let r = doc.transact(|tx| -> Result<(), AutomergeError> {
        let m = tx.put_object(ROOT, "order", ObjType::Map)?;
        tx.put(&m, "id", o.id.as_str())?;
        tx.put(&m, "kind", o.kind.as_str())?;
        tx.put(&m, "urgency", o.urgency.as_str())?;
        tx.put(&m, "channel", o.channel.as_str())?;
        tx.put(&m, "text", o.text.as_str())?;
        tx.put(&m, "address", o.address.as_str())?;
        tx.put(&m, "division_code", o.division_code.as_str())?;
        tx.put(&m, "lat", o.lat)?;
        tx.put(&m, "lon", o.lon)?;
        tx.put(&m, "confidential", o.confidential)?;
        Ok(())
    });
    if let Err(f) = r {
        panic!("automerge: {}", f.error);
    }
    doc.save()
}

/// An enrolled kiosk whose store lives under `parent`.
struct Kiosk {
    device: Device,
    credential: Credential,
    platform: SealingPublicKey,
    store_dir: TempDir,
    _city: City,
    next: usize,
}

impl Kiosk {
    fn new(parent: &Path) -> Kiosk {
        std::fs::create_dir_all(parent).expect("parent dir");
        let store_dir = tempfile::Builder::new()
            .prefix("store-")
            .tempdir_in(parent)
            .expect("tempdir");
        let now = base_time();
        let mut city = City::new("puyang");
        let credential = city.credential(Role::Kiosk, CENTER_UNIT, "kiosk-01");
        let device = Device::init(store_dir.path(), &credential, now).expect("device init");
        Kiosk {
            device,
            credential,
            platform: city.authority.platform_public(),
            store_dir,
            _city: city,
            next: 0,
        }
    }

    fn submit(&mut self, reqs: &[SubmitRequest], now: Timestamp) {
        let req = reqs[self.next % reqs.len()].clone();
        self.next += 1;
        black_box(self.device.submit(None, req, now).expect("submit"));
    }
}

fn criterion_groups(
    c: &mut Criterion,
    orders: &[BenchOrder],
    reqs: &[SubmitRequest],
    disk: &mut Kiosk,
    mut shm: Option<&mut Kiosk>,
) {
    let now = base_time();

    let mut g = c.benchmark_group("order_create");
    g.throughput(Throughput::Elements(1));
    // Flat: a disk submit takes milliseconds, linear sampling would need thousands.
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(50);
    let mut i = 0usize;
    g.bench_function("bare_automerge_json", |b| {
        b.iter(|| {
            i += 1;
            black_box(bare_json(&orders[i % orders.len()]))
        });
    });
    g.bench_function("bare_automerge_fields", |b| {
        b.iter(|| {
            i += 1;
            black_box(bare_fields(&orders[i % orders.len()]))
        });
    });
    g.bench_function("hotline_submit_disk", |b| b.iter(|| disk.submit(reqs, now)));
    if let Some(shm) = shm.as_mut() {
        g.bench_function("hotline_submit_tmpfs", |b| b.iter(|| shm.submit(reqs, now)));
    }
    g.finish();
}

/// A directory on the normal disk (cargo's per-target tmp dir).
fn bench_tmp() -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("intake-bench")
}

/// One timed call.
fn time<T>(f: impl FnOnce() -> T) -> Duration {
    let t = Instant::now();
    black_box(f());
    t.elapsed()
}

/// The pieces of a submit, each measured on its own through the public API.
struct Parts {
    actor: Actor,
    doc_actor: automerge::ActorId,
    custody: MemoryKeyCustody,
    credential: Credential,
    platform: SealingPublicKey,
    policy: Policy,
    calendar: HolidayCalendar,
    record_disk: Store,
    record_shm: Option<Store>,
    n: u64,
}

impl Parts {
    fn new(k: &Kiosk, disk_dir: &Path, shm_dir: Option<&Path>) -> Parts {
        let c = &k.credential;
        let secret: [u8; 32] = hex::decode(c.device_secret.as_ref().expect("secret"))
            .expect("hex")
            .try_into()
            .expect("32 bytes");
        let b = &c.certificate.body;
        Parts {
            actor: Actor {
                person: b.person.clone(),
                role: b.role,
                unit: b.unit.clone(),
            },
            doc_actor: doc::actor_for_device(b.device_key.as_bytes()),
            custody: MemoryKeyCustody::from_secret_bytes(&secret),
            credential: c.clone(),
            platform: k.platform,
            policy: k.device.policy().clone(),
            calendar: HolidayCalendar::national().expect("calendar"),
            record_disk: Store::open(disk_dir).expect("store"),
            record_shm: shm_dir.map(|d| Store::open(d).expect("store")),
            n: 0,
        }
    }

    fn event(&mut self, req: &SubmitRequest, now: Timestamp) -> (OrderId, Event) {
        self.n += 1;
        let order = OrderId::new(format!("wo-part-{:08}", self.n));
        let details = OrderDetails {
            id: order.clone(),
            receipt: hotline_core::receipt::generate(&mut OsRng),
            kind: req.kind,
            urgency: req.urgency,
            channel: req.channel,
            text: req.text.clone(),
            location: req.location.clone(),
            confidential: req.confidential,
            attachments: Vec::new(),
            origin: hotline_core::model::Origin::Local,
            emergency_category: None,
            attributes: Default::default(),
            category: None,
            split_from: None,
            intake_match: None,
        };
        let event = Event {
            id: EventId::new(format!("ev-part-{:08}", self.n)),
            actor: self.actor.clone(),
            at: now,
            after: Vec::new(),
            action: Action::Submit { details },
        };
        (order, event)
    }

    fn seal(&self, contact: &ContactDetails) -> Vec<u8> {
        contact
            .seal_to(&self.platform, &mut OsRng)
            .expect("seal")
            .into_bytes()
    }

    /// Keys spread like the real ones (random order ids, receipts and change hashes), so the
    /// B-tree inserts land where a submit's do, not always on the right-most page.
    fn record(store: &mut Store, n: u64, bytes: &[u8], sealed: &[u8], now: Timestamp) {
        use sha2::{Digest, Sha256};
        let h = hex::encode(Sha256::digest(n.to_le_bytes()));
        let order = OrderId::new(format!("wo-{}", &h[..20]));
        let at = now.timestamp_millis();
        store
            .record(&ActionRecord {
                order: order.clone(),
                changes: vec![StoredChange {
                    order: order.clone(),
                    hash: h.clone(),
                    event_id: format!("ev-{}", &h[20..44]),
                    cert_id: "cert-bench".into(),
                    signature: vec![7u8; 64],
                    bytes: bytes.to_vec(),
                }],
                index: IndexRow {
                    separate_units: Vec::new(),
                    category: None,
                    amendments: Vec::new(),
                    merged_into: None,
                    split_into: Vec::new(),
                    sub_units: Vec::new(),
                    notices: None,
                    intake: None,
                    order,
                    receipt: h[44..54].to_uppercase(),
                    kind: hotline_core::model::RequestKind::Complaint,
                    urgency: hotline_core::model::Urgency::Normal,
                    status: hotline_core::workflow::Status::Submitted,
                    confidential: false,
                    lead_unit: None,
                    co_units: Vec::new(),
                    handling_due: None,
                    response_due: None,
                    next_due: Some(at + 86_400_000),
                    next_due_kind: Some(hotline_core::workflow::DeadlineKind::Dispatch),
                    deadline_error: None,
                    terminal: false,
                    updated_at: at,
                    division_code: None,
                    origin: Default::default(),
                    not_accepted: None,
                },
                sealed_contacts: vec![("platform".into(), sealed.to_vec())],
                attachments: Vec::new(),
            })
            .expect("record");
    }
}

/// `warm` untimed calls, then `n` timed ones appended to `out`.
fn block(out: &mut Vec<Duration>, warm: usize, n: usize, mut f: impl FnMut()) {
    for _ in 0..warm {
        f();
    }
    for _ in 0..n {
        out.push(time(&mut f));
    }
}

#[derive(Default)]
struct Samples {
    bare_json: Vec<Duration>,
    bare_fields: Vec<Duration>,
    intake_disk: Vec<Duration>,
    intake_tmpfs: Vec<Duration>,
    seal: Vec<Duration>,
    doc_create: Vec<Duration>,
    sign: Vec<Duration>,
    events_fold: Vec<Duration>,
    rules: Vec<Duration>,
    ids: Vec<Duration>,
    record_disk: Vec<Duration>,
    record_tmpfs: Vec<Duration>,
}

/// Medians from plain `Instant` loops: each variant runs as a block of consecutive calls after
/// its own warm-up (so its caches are as hot as in criterion), and the blocks take turns over
/// several passes so a burst of load from other processes on this shared machine does not land
/// on one variant only.
fn summary(
    orders: &[BenchOrder],
    reqs: &[SubmitRequest],
    iterations: usize,
    disk: &mut Kiosk,
    mut shm: Option<&mut Kiosk>,
) {
    const PASSES: usize = 3;
    let now = base_time();
    let tmp = bench_tmp();
    let rec_disk = tempfile::Builder::new()
        .prefix("record-")
        .tempdir_in(&tmp)
        .expect("tempdir");
    let rec_shm = shm.as_ref().map(|_| {
        tempfile::Builder::new()
            .prefix("record-")
            .tempdir_in(SHM)
            .expect("tempdir")
    });
    let mut parts = Parts::new(disk, rec_disk.path(), rec_shm.as_ref().map(TempDir::path));
    let mut s = Samples::default();
    let per_pass = iterations.div_ceil(PASSES);
    let warm = (per_pass / 5).max(2);

    // Inputs of the breakdown, prepared outside the timed calls.
    let contacts: Vec<ContactDetails> = reqs
        .iter()
        .map(|r| r.contact.clone().expect("contact"))
        .collect();
    let sealed = parts.seal(&contacts[0]);
    let copies = vec![("platform".to_string(), sealed.clone())];
    let (order, event) = parts.event(&reqs[0], now);
    let (order_doc, change) =
        OrderDoc::create(&order, parts.doc_actor.clone(), &event, &copies).expect("create");
    let change_bytes = change.raw_bytes().to_vec();
    let o = &orders[0];
    println!("bytes_bare_json_save={}", bare_json(o).len());
    println!("bytes_bare_fields_save={}", bare_fields(o).len());
    println!(
        "bytes_intake_change={} (uncompressed change chunk, incl. sealed contact {} B)",
        change_bytes.len(),
        sealed.len()
    );

    let mut k = 0usize;
    for _ in 0..PASSES {
        block(&mut s.bare_json, warm, per_pass, || {
            k += 1;
            black_box(bare_json(&orders[k % orders.len()]));
        });
        block(&mut s.bare_fields, warm, per_pass, || {
            k += 1;
            black_box(bare_fields(&orders[k % orders.len()]));
        });
        block(&mut s.intake_disk, warm, per_pass, || {
            disk.submit(reqs, now)
        });
        if let Some(shm) = shm.as_mut() {
            block(&mut s.intake_tmpfs, warm, per_pass, || {
                shm.submit(reqs, now)
            });
        }

        block(&mut s.seal, warm, per_pass, || {
            k += 1;
            black_box(parts.seal(&contacts[k % contacts.len()]));
        });
        let events: Vec<(OrderId, Event)> = (0..warm + per_pass)
            .map(|i| parts.event(&reqs[i % reqs.len()], now))
            .collect();
        let mut next = events.iter();
        block(&mut s.doc_create, warm, per_pass, || {
            let (order, event) = next.next().expect("enough events");
            black_box(
                OrderDoc::create(order, parts.doc_actor.clone(), event, &copies).expect("create"),
            );
        });
        block(&mut s.sign, warm, per_pass, || {
            black_box(
                SignedEnvelope::sign(
                    change_bytes.clone(),
                    &parts.credential.certificate,
                    &parts.custody,
                )
                .expect("sign"),
            );
        });
        block(&mut s.events_fold, warm, per_pass, || {
            let events = order_doc.events().expect("events");
            black_box(fold(&events, &parts.policy, &parts.calendar));
        });
        block(&mut s.rules, warm, per_pass, || {
            let before = OrderState::new();
            decide(
                &before,
                &parts.actor,
                &event.action,
                now,
                &parts.policy,
                &parts.calendar,
            )
            .expect("decide");
            let events = order_doc.events().expect("events");
            let state = fold(&events, &parts.policy, &parts.calendar);
            black_box(deadlines(&state, &parts.policy, &parts.calendar).expect("deadlines"));
        });
        block(&mut s.ids, warm, per_pass, || {
            let mut order = [0u8; 10];
            let mut ev = [0u8; 12];
            OsRng.fill_bytes(&mut order);
            OsRng.fill_bytes(&mut ev);
            black_box((
                hex::encode(order),
                hex::encode(ev),
                hotline_core::receipt::generate(&mut OsRng),
            ));
        });
        block(&mut s.record_disk, warm, per_pass, || {
            parts.n += 1;
            Parts::record(&mut parts.record_disk, parts.n, &change_bytes, &sealed, now);
        });
        if let Some(store) = parts.record_shm.as_mut() {
            block(&mut s.record_tmpfs, warm, per_pass, || {
                parts.n += 1;
                Parts::record(store, parts.n, &change_bytes, &sealed, now);
            });
        }
    }

    let bare = median_us(&mut s.bare_json);
    let bare_f = median_us(&mut s.bare_fields);
    let disk_us = median_us(&mut s.intake_disk);
    println!(
        "summary_iterations={} per variant ({PASSES} passes of {per_pass}, each after {warm} warm-up calls)",
        s.bare_json.len()
    );
    println!("median_bare_automerge_json_us={bare:.1}");
    println!("median_bare_automerge_fields_us={bare_f:.1}");
    println!("median_intake_disk_us={disk_us:.1}");
    if shm.is_some() {
        let tmpfs_us = median_us(&mut s.intake_tmpfs);
        println!("median_intake_tmpfs_us={tmpfs_us:.1}");
        println!("intake_ratio_disk={:.2}", disk_us / bare);
        println!("intake_ratio_tmpfs={:.2}", tmpfs_us / bare);
        println!("intake_ratio_disk_vs_fields={:.2}", disk_us / bare_f);
        println!("intake_ratio_tmpfs_vs_fields={:.2}", tmpfs_us / bare_f);
    } else {
        println!("intake_ratio_disk={:.2}", disk_us / bare);
        println!("intake_ratio_tmpfs=n/a ({SHM} missing)");
        println!("intake_ratio_disk_vs_fields={:.2}", disk_us / bare_f);
    }
    println!("target_ratio=1.5");
    println!("breakdown_seal_contact_us={:.1}", median_us(&mut s.seal));
    println!(
        "breakdown_orderdoc_create_us={:.1}",
        median_us(&mut s.doc_create)
    );
    println!("breakdown_sign_us={:.1}", median_us(&mut s.sign));
    println!(
        "breakdown_events_parse_fold_us={:.1}",
        median_us(&mut s.events_fold)
    );
    println!(
        "breakdown_decide_fold_deadlines_us={:.1}",
        median_us(&mut s.rules)
    );
    println!(
        "breakdown_random_ids_receipt_us={:.1}",
        median_us(&mut s.ids)
    );
    println!(
        "breakdown_store_record_disk_us={:.1}",
        median_us(&mut s.record_disk)
    );
    if shm.is_some() {
        println!(
            "breakdown_store_record_tmpfs_us={:.1}",
            median_us(&mut s.record_tmpfs)
        );
    }
    let count = |k: &Kiosk| k.device.store().order_count().unwrap_or(0);
    println!("orders_in_store_disk={}", count(disk));
    if let Some(k) = &shm {
        println!("orders_in_store_tmpfs={}", count(k));
    }
}

fn main() {
    let loaded = load_orders();
    println!("orders_source={}", loaded.source);
    if loaded.synthesised {
        println!("NOTE: bench file absent, orders were SYNTHESISED");
    }
    let orders = loaded.orders;
    let reqs: Vec<SubmitRequest> = orders
        .iter()
        .enumerate()
        .map(|(i, o)| submit_request(o, i))
        .collect();

    let args: Vec<String> = std::env::args().collect();
    let listing = args.iter().any(|a| a == "--list");
    let testing = args.iter().any(|a| a == "--test");

    let mut disk = Kiosk::new(&bench_tmp());
    let mut shm = Path::new(SHM).is_dir().then(|| Kiosk::new(Path::new(SHM)));
    println!("store_disk={}", disk.store_dir.path().display());
    if let Some(k) = &shm {
        println!("store_tmpfs={}", k.store_dir.path().display());
    } else {
        println!("store_tmpfs=n/a ({SHM} missing)");
    }

    let mut c = Criterion::default().configure_from_args();
    criterion_groups(&mut c, &orders, &reqs, &mut disk, shm.as_mut());
    c.final_summary();

    if !listing {
        let iterations = if testing { 3 } else { 300 };
        summary(&orders, &reqs, iterations, &mut disk, shm.as_mut());
    }
}
