//! One conformance suite for the hub's storage, run against both backends: the embedded SQLite
//! store and PostgreSQL (a throwaway cluster per test). Each case is written once against the
//! `HubStorage` / `HubReads` traits; `conformance!` instantiates every case per backend, so a
//! backend that answers differently from the other fails by name.

use hotline_core::device::{Device, ImportOutcome, WireChange, verify_incoming};
use hotline_core::identity::TrustStore;
use hotline_core::model::{OrderId, Role};
use hotline_core::store::RefusalRecord;
use hotline_core::sync::{HubStorage, may_see};
use hotline_core::workflow::Status;
use hotline_hub::postgres::PgStore;
use hotline_testkit::hub::{MORNING, forged_change};
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::{City, UNIT_A, UNIT_B, register_and_dispatch, request, sign_for, t};

/// A fresh, empty hub storage for one city.
trait Backend {
    fn with<R>(&mut self, f: impl FnOnce(&mut dyn HubStorage) -> R) -> R;
}

struct Sqlite(Device);

impl Backend for Sqlite {
    fn with<R>(&mut self, f: impl FnOnce(&mut dyn HubStorage) -> R) -> R {
        f(&mut self.0)
    }
}

// Fields drop in order: the pool before the cluster it connects to.
struct Postgres {
    store: PgStore,
    trust: TrustStore,
    _cluster: PgCluster,
}

impl Backend for Postgres {
    fn with<R>(&mut self, f: impl FnOnce(&mut dyn HubStorage) -> R) -> R {
        f(&mut self.store.session(&self.trust).unwrap())
    }
}

fn trust_of(city: &City) -> TrustStore {
    let mut trust = TrustStore::new(city.authority.root_public()).unwrap();
    for c in city.authority.issued() {
        trust.add_certificate(c.clone()).unwrap();
    }
    trust
}

fn sqlite(city: &mut City) -> Sqlite {
    let dir = city.dir("hub-store");
    Sqlite(city.hub_device(&dir))
}

fn postgres(city: &mut City) -> Postgres {
    let cluster = PgCluster::start();
    let store = PgStore::open(
        &cluster.conn_str("postgres"),
        &hex::encode(city.authority.root_public().0),
        city.authority.policy().unwrap(),
        4,
    )
    .unwrap();
    Postgres {
        store,
        trust: trust_of(city),
        _cluster: cluster,
    }
}

/// A kiosk's complaint, registered and dispatched to unit A by the desk — made on the devices,
/// not yet at the hub: the kiosk's changes, then the desk's.
struct Made {
    city: City,
    order: OrderId,
    receipt: String,
    kiosk: Vec<WireChange>,
    desk: Vec<WireChange>,
}

fn made() -> Made {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    city.device("staff-a", Role::Staff, UNIT_A);
    city.device("staff-b", Role::Staff, UNIT_B);
    let submitted = kiosk
        .submit(None, request("小区门口积水严重"), t(MORNING))
        .unwrap();
    let order = submitted.order.clone();
    let from_kiosk: Vec<WireChange> = kiosk
        .export_changes(&order)
        .unwrap()
        .iter()
        .map(WireChange::from)
        .collect();
    desk.import_batch(&from_kiosk, None, t(MORNING)).unwrap();
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    let all: Vec<WireChange> = desk
        .export_changes(&order)
        .unwrap()
        .iter()
        .map(WireChange::from)
        .collect();
    let from_desk = all[from_kiosk.len()..].to_vec();
    Made {
        city,
        order,
        receipt: submitted.receipt,
        kiosk: from_kiosk,
        desk: from_desk,
    }
}

fn ingest(
    s: &mut dyn HubStorage,
    trust: &TrustStore,
    peer: &str,
    changes: &[WireChange],
) -> Vec<Result<ImportOutcome, String>> {
    let checked = verify_incoming(trust, changes);
    s.ingest(changes, checked, peer, t("2026-03-02T12:00:00+08:00"))
        .unwrap()
        .into_iter()
        .map(|o| o.map_err(|e| hotline_core::Coded::code(&e).to_string()))
        .collect()
}

fn cert(city: &City, name: &str) -> hotline_core::identity::Certificate {
    let d = Device::open(&city.dir(name)).unwrap();
    d.identity(None).unwrap().certificate.clone()
}

// --- the cases ------------------------------------------------------------------------------

/// What a round accepts is logged in arrival order, each change once, under rising positions,
/// and indexed: the receipt finds the order, the index names its lead unit.
fn accepted_changes_are_logged_in_order_and_indexed<B: Backend>(b: &mut B, m: &Made) {
    let trust = trust_of(&m.city);
    b.with(|s| {
        let kiosk = ingest(s, &trust, "kiosk-1", &m.kiosk);
        assert!(
            kiosk.iter().all(|o| *o == Ok(ImportOutcome::Applied)),
            "{kiosk:?}"
        );
        let desk = ingest(s, &trust, "desk", &m.desk);
        assert!(
            desk.iter().all(|o| *o == Ok(ImportOutcome::Applied)),
            "{desk:?}"
        );

        let log = s.reads().changes_after(0, 1_000).unwrap();
        let hashes: Vec<String> = log.iter().map(|l| l.change.hash.clone()).collect();
        let expected: Vec<String> = m
            .kiosk
            .iter()
            .chain(&m.desk)
            .map(hotline_testkit::hub::hash_of)
            .collect();
        assert_eq!(
            hashes, expected,
            "the log holds each change once, in arrival order"
        );
        assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(log[0].source.as_deref(), Some("kiosk-1"));
        assert_eq!(log.last().unwrap().source.as_deref(), Some("desk"));
        // The cursor moves on: after the first position, the rest.
        let rest = s.reads().changes_after(log[0].seq, 1_000).unwrap();
        assert_eq!(rest.len(), log.len() - 1);
        let two = s.reads().changes_after(0, 2).unwrap();
        assert_eq!(two.len(), 2);

        let for_order = s.reads().changes_for(&m.order).unwrap();
        assert_eq!(
            for_order.iter().map(|c| c.hash.clone()).collect::<Vec<_>>(),
            expected
        );
        let (owner, signer) = s.reads().change_owner(&expected[0]).unwrap().unwrap();
        assert_eq!(owner, m.order);
        assert_eq!(signer, m.kiosk[0].cert);
        assert!(s.reads().change_owner(&"0".repeat(64)).unwrap().is_none());

        let row = s.reads().order_row(&m.order).unwrap().unwrap();
        assert_eq!(row.lead_unit.as_deref(), Some(UNIT_A));
        assert_eq!(row.status, Status::Dispatched);
        let by_receipt = s.reads().order_by_receipt(&m.receipt).unwrap().unwrap();
        assert_eq!(by_receipt, row);
        assert!(s.reads().order_by_receipt("ZZZZZZZZ").unwrap().is_none());
        let status = hotline_core::device::receipt_status(s.reads(), &m.receipt).unwrap();
        assert_eq!(status.status, Status::Dispatched);
    });
}

/// A change the hub already holds is not stored again, whoever sends it.
fn a_change_held_is_not_stored_twice<B: Backend>(b: &mut B, m: &Made) {
    let trust = trust_of(&m.city);
    b.with(|s| {
        ingest(s, &trust, "kiosk-1", &m.kiosk);
        let again = ingest(s, &trust, "desk", &m.kiosk);
        assert!(
            again.iter().all(|o| *o == Ok(ImportOutcome::AlreadyHad)),
            "{again:?}"
        );
        assert_eq!(
            s.reads().changes_after(0, 1_000).unwrap().len(),
            m.kiosk.len()
        );
        // The same change twice in one round: once.
        let twice = [m.desk[0].clone(), m.desk[0].clone()];
        let out = ingest(s, &trust, "desk", &twice);
        assert_eq!(
            out,
            vec![Ok(ImportOutcome::Applied), Ok(ImportOutcome::AlreadyHad)]
        );
    });
}

/// A refused change is not stored, the rest of its round is; the refusal log keeps what it is
/// told, newest first.
fn refused_changes_store_nothing_and_are_logged<B: Backend>(b: &mut B, m: &Made) {
    let trust = trust_of(&m.city);
    let kiosk = Device::open(&m.city.dir("kiosk-1")).unwrap();
    // Staff of unit B, never dispatched to, signs for the order.
    let forged = forged_change(
        &m.city,
        &kiosk,
        &m.order,
        "staff-b",
        "staff-b",
        t(MORNING),
        sign_for(),
    );
    b.with(|s| {
        ingest(s, &trust, "kiosk-1", &m.kiosk);
        let out = ingest(s, &trust, "desk", &[forged.clone(), m.desk[0].clone()]);
        assert!(out[0].is_err(), "{out:?}");
        assert_eq!(out[1], Ok(ImportOutcome::Applied));
        let hash = hotline_testkit::hub::hash_of(&forged);
        assert!(s.reads().change_owner(&hash).unwrap().is_none());

        let row = |code: &str| RefusalRecord {
            at: 1,
            peer: Some("desk".into()),
            order: Some(m.order.0.clone()),
            hash: Some(hash.clone()),
            code: code.into(),
            message_zh: "拒收".into(),
            message_en: "refused".into(),
        };
        s.log_refusals(&[row("first"), row("second")]).unwrap();
        s.log_refusals(&[]).unwrap();
        let logged = s.reads().refusals(10).unwrap();
        assert_eq!(
            logged.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            ["second", "first"]
        );
        assert_eq!(logged[0], row("second"));
        assert_eq!(s.reads().refusals(1).unwrap().len(), 1);
    });
}

/// What a peer holds: "some of it" until an answer that moved its cursor sent it whole; a
/// later, higher cursor never undoes an earlier one.
fn what_a_peer_holds<B: Backend>(b: &mut B, _m: &Made) {
    let a = OrderId::new("order-a");
    let c = OrderId::new("order-c");
    b.with(|s| {
        s.mark_peer_orders("phone", &[a.clone(), c.clone()], i64::MAX)
            .unwrap();
        assert_eq!(
            s.reads().peer_orders_not_whole("phone", 0, 10).unwrap(),
            vec![a.clone(), c.clone()]
        );
        assert_eq!(
            s.reads().peer_orders_not_whole("phone", 0, 1).unwrap(),
            vec![a.clone()]
        );
        assert!(!s.reads().peer_has_order("phone", &a, 100).unwrap());
        s.mark_peer_orders("phone", std::slice::from_ref(&a), 5)
            .unwrap();
        assert!(s.reads().peer_has_order("phone", &a, 5).unwrap());
        assert!(!s.reads().peer_has_order("phone", &a, 4).unwrap());
        assert!(!s.reads().peer_has_order("other", &a, 100).unwrap());
        s.mark_peer_orders("phone", std::slice::from_ref(&a), 9)
            .unwrap();
        assert!(s.reads().peer_has_order("phone", &a, 5).unwrap());
        assert_eq!(
            s.reads().peer_orders_not_whole("phone", 5, 10).unwrap(),
            vec![c.clone()]
        );
        s.mark_peer_orders("phone", &[], 1).unwrap();
    });
}

/// Who may see the order follows the index the same way on both: the center and the lead unit
/// yes, another unit and a kiosk no; a photo's references name its order.
fn visibility_follows_the_index<B: Backend>(b: &mut B, m: &Made) {
    let trust = trust_of(&m.city);
    b.with(|s| {
        ingest(s, &trust, "kiosk-1", &m.kiosk);
        ingest(s, &trust, "desk", &m.desk);
        let see = |s: &mut dyn HubStorage, name: &str| {
            may_see(s.reads(), &cert(&m.city, name), &m.order).unwrap()
        };
        assert!(see(s, "desk"));
        assert!(see(s, "staff-a"));
        assert!(!see(s, "staff-b"));
        assert!(!see(s, "kiosk-1"));
        assert!(s.reads().blob_refs(&"a".repeat(64)).unwrap().is_empty());
    });
}

macro_rules! conformance {
    ($backend:ident: $($case:ident),* $(,)?) => {
        mod $backend {
            $(
                #[test]
                fn $case() {
                    let mut m = super::made();
                    let mut b = super::$backend(&mut m.city);
                    super::$case(&mut b, &m);
                }
            )*
        }
    };
}

conformance!(sqlite:
    accepted_changes_are_logged_in_order_and_indexed,
    a_change_held_is_not_stored_twice,
    refused_changes_store_nothing_and_are_logged,
    what_a_peer_holds,
    visibility_follows_the_index,
);
conformance!(postgres:
    accepted_changes_are_logged_in_order_and_indexed,
    a_change_held_is_not_stored_twice,
    refused_changes_store_nothing_and_are_logged,
    what_a_peer_holds,
    visibility_follows_the_index,
);
