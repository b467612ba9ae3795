//! One conformance suite for the hub's storage, run against both backends: the embedded SQLite
//! store and PostgreSQL (a throwaway cluster per test). Each case is written once against the
//! `HubStorage` / `HubReads` traits; `conformance!` instantiates every case per backend, so a
//! backend that answers differently from the other fails by name.

use hotline_core::device::{Checked, DeviceError, Outcome};
use hotline_core::device::{Device, ImportOutcome, WireChange, verify_incoming};
use hotline_core::identity::TrustStore;
use hotline_core::kb::{KbError, VerifiedKb};
use hotline_core::model::Timestamp;
use hotline_core::model::{OrderId, Role};
use hotline_core::store::{
    BlobRef, IndexRow, LoggedChange, RefusalRecord, StoreError, StoredChange, area_scope,
    peer_scope, unit_scope,
};
use hotline_core::store::{KbPut, LoggedKb};
use hotline_core::sync::{HubReads, HubStorage, SqliteHub, may_see, prepare_body, serve_prepared};
use hotline_core::workflow::Status;
use hotline_hub::postgres::PgStore;
use hotline_testkit::hub::{MORNING, forged_change, sync_body};
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::{
    City, UNIT_A, UNIT_B, cert_id, copy_order, register_and_dispatch, request, sign_for, t,
};

/// A fresh, empty hub storage for one city.
trait Backend {
    fn with<R>(&mut self, f: impl FnOnce(&mut dyn HubStorage) -> R) -> R;
}

struct Sqlite(SqliteHub);

impl Backend for Sqlite {
    fn with<R>(&mut self, f: impl FnOnce(&mut dyn HubStorage) -> R) -> R {
        f(&mut self.0)
    }
}

// Fields drop in order: the pool before the cluster it connects to.
struct Postgres {
    store: PgStore,
    trust: TrustStore,
    catalogues: hotline_core::catalogue::CatalogueSet,
    _cluster: PgCluster,
}

impl Backend for Postgres {
    fn with<R>(&mut self, f: impl FnOnce(&mut dyn HubStorage) -> R) -> R {
        f(&mut self.store.session(&self.trust, &self.catalogues).unwrap())
    }
}

fn sqlite(city: &mut City) -> Sqlite {
    let dir = city.dir("hub-store");
    Sqlite(city.hub_store(&dir))
}

fn postgres(city: &mut City) -> Postgres {
    let cluster = PgCluster::start();
    let store = PgStore::open(
        &cluster.conn_str("postgres"),
        &city.authority.root_public().to_hex(),
        city.authority.policy().unwrap(),
        4,
    )
    .unwrap();
    Postgres {
        store,
        trust: city.trust_store(),
        catalogues: city.catalogue_set(),
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
    let trust = m.city.trust_store();
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
        // The center's walk: ids page by page, a page's changes at once, per order in order.
        let ids = s.reads().order_ids_after("", 10).unwrap();
        assert_eq!(ids, std::slice::from_ref(&m.order));
        assert!(
            s.reads()
                .order_ids_after(&m.order.0, 10)
                .unwrap()
                .is_empty()
        );
        let none = OrderId::new("wo-none");
        let paged = s
            .reads()
            .changes_for_orders(&[none.clone(), m.order.clone(), none])
            .unwrap();
        assert_eq!(paged.len(), 3);
        assert!(paged[0].is_empty() && paged[2].is_empty());
        assert_eq!(paged[1], for_order);
        assert!(
            !s.reads().all_from(&m.order, "kiosk-1").unwrap(),
            "the desk's too"
        );
        assert!(!s.reads().all_from(&m.order, "desk").unwrap());
        assert!(s.reads().all_from(&OrderId::new("none"), "desk").unwrap());
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
    let trust = m.city.trust_store();
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
    let trust = m.city.trust_store();
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
    let trust = m.city.trust_store();
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

/// The pull partitions: a change is listed under the scopes its order is in once it is
/// written (its units, its area at every level, peers following it), read back by position
/// within bounds; scopes only grow.
fn changes_are_listed_under_their_orders_scopes<B: Backend>(b: &mut B, m: &Made) {
    let trust = m.city.trust_store();
    let relay = peer_scope("township-phone");
    b.with(|s| {
        ingest(s, &trust, "kiosk-1", &m.kiosk);
        s.follow_orders(&relay, std::slice::from_ref(&m.order))
            .unwrap();
        ingest(s, &trust, "desk", &m.desk);
        let log = s.reads().changes_after(0, 1_000).unwrap();
        let seqs: Vec<i64> = log.iter().map(|l| l.seq).collect();
        let head = s.reads().log_head().unwrap();
        assert_eq!(Some(&head), seqs.last());
        let desk_seqs = seqs[m.kiosk.len()..].to_vec();
        let at = |s: &mut dyn HubStorage, scope: &str, after: i64, upto: i64, limit: u32| {
            s.reads()
                .scope_positions(scope, after, upto, limit)
                .unwrap()
        };
        // Dispatched to unit A by the desk's changes: those are unit A's, the kiosk's are not.
        assert_eq!(at(s, &unit_scope(UNIT_A), 0, head, 100), desk_seqs);
        assert_eq!(at(s, &relay, 0, head, 100), desk_seqs);
        assert!(at(s, &unit_scope(UNIT_B), 0, head, 100).is_empty());
        // The order's area from its first change, at every level.
        for prefix in ["41", "4109", "410902", "410902001"] {
            assert_eq!(at(s, &area_scope(prefix), 0, head, 100), seqs, "{prefix}");
        }
        assert!(at(s, &area_scope(""), 0, head, 100).is_empty());
        assert_eq!(at(s, &area_scope("4109"), 0, head, 2), seqs[..2]);
        assert_eq!(at(s, &area_scope("4109"), seqs[0], seqs[1], 100), [seqs[1]]);
        assert!(
            s.reads()
                .order_in_scopes(&m.order, &[unit_scope(UNIT_B), unit_scope(UNIT_A)])
                .unwrap()
        );
        assert!(
            !s.reads()
                .order_in_scopes(&m.order, &[unit_scope(UNIT_B)])
                .unwrap()
        );
        let picked = s.reads().changes_at(&[seqs[2], seqs[0]]).unwrap();
        assert_eq!(
            picked.iter().map(|l| l.seq).collect::<Vec<_>>(),
            [seqs[2], seqs[0]]
        );
        assert_eq!(picked[1].change.hash, log[0].change.hash);
    });
}

/// Counts the log entries a sync round reads (by position or by partition).
struct Counting<'a> {
    inner: &'a mut dyn HubStorage,
    scanned: usize,
}

impl HubReads for Counting<'_> {
    fn order_row(&mut self, order: &OrderId) -> Result<Option<IndexRow>, StoreError> {
        self.inner.reads().order_row(order)
    }
    fn order_by_receipt(&mut self, receipt: &str) -> Result<Option<IndexRow>, StoreError> {
        self.inner.reads().order_by_receipt(receipt)
    }
    fn changes_for(&mut self, order: &OrderId) -> Result<Vec<StoredChange>, StoreError> {
        self.inner.reads().changes_for(order)
    }
    fn order_ids_after(&mut self, after: &str, limit: u32) -> Result<Vec<OrderId>, StoreError> {
        self.inner.reads().order_ids_after(after, limit)
    }
    fn changes_for_orders(
        &mut self,
        orders: &[OrderId],
    ) -> Result<Vec<Vec<StoredChange>>, StoreError> {
        self.inner.reads().changes_for_orders(orders)
    }
    fn changes_after(&mut self, seq: i64, limit: u32) -> Result<Vec<LoggedChange>, StoreError> {
        let out = self.inner.reads().changes_after(seq, limit)?;
        self.scanned += out.len();
        Ok(out)
    }
    fn change_owner(&mut self, hash: &str) -> Result<Option<(OrderId, String)>, StoreError> {
        self.inner.reads().change_owner(hash)
    }
    fn all_from(&mut self, order: &OrderId, source: &str) -> Result<bool, StoreError> {
        self.inner.reads().all_from(order, source)
    }
    fn peer_has_order(&mut self, p: &str, o: &OrderId, c: i64) -> Result<bool, StoreError> {
        self.inner.reads().peer_has_order(p, o, c)
    }
    fn peer_orders_not_whole(
        &mut self,
        p: &str,
        c: i64,
        l: u32,
    ) -> Result<Vec<OrderId>, StoreError> {
        self.inner.reads().peer_orders_not_whole(p, c, l)
    }
    fn blob_refs(&mut self, sha256: &str) -> Result<Vec<BlobRef>, StoreError> {
        self.inner.reads().blob_refs(sha256)
    }
    fn refusals(&mut self, limit: u32) -> Result<Vec<RefusalRecord>, StoreError> {
        self.inner.reads().refusals(limit)
    }
    fn log_head(&mut self) -> Result<i64, StoreError> {
        self.inner.reads().log_head()
    }
    fn scope_positions(&mut self, s: &str, a: i64, u: i64, l: u32) -> Result<Vec<i64>, StoreError> {
        self.inner.reads().scope_positions(s, a, u, l)
    }
    fn changes_at(&mut self, seqs: &[i64]) -> Result<Vec<LoggedChange>, StoreError> {
        let out = self.inner.reads().changes_at(seqs)?;
        self.scanned += out.len();
        Ok(out)
    }
    fn order_in_scopes(&mut self, o: &OrderId, scopes: &[String]) -> Result<bool, StoreError> {
        self.inner.reads().order_in_scopes(o, scopes)
    }
    fn access_entries(
        &mut self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<hotline_core::audit::SignedAccess>, StoreError> {
        self.inner.reads().access_entries(offset, limit)
    }
    fn order_listed_before(
        &mut self,
        o: &OrderId,
        scopes: &[String],
        before: i64,
    ) -> Result<bool, StoreError> {
        self.inner.reads().order_listed_before(o, scopes, before)
    }
    fn kb_after(&mut self, seq: i64, max: usize) -> Result<Vec<LoggedKb>, StoreError> {
        self.inner.reads().kb_after(seq, max)
    }
    fn kb_version_held(&mut self, item: &str, version: u32) -> Result<bool, StoreError> {
        self.inner.reads().kb_version_held(item, version)
    }
}

impl HubStorage for Counting<'_> {
    fn reads(&mut self) -> &mut dyn HubReads {
        self
    }
    fn ingest_kb(
        &mut self,
        records: &[VerifiedKb],
        peer: &str,
    ) -> Result<Vec<Result<KbPut, KbError>>, StoreError> {
        self.inner.ingest_kb(records, peer)
    }
    fn ingest_access(
        &mut self,
        entries: &[hotline_core::audit::VerifiedAccess],
        peer: &str,
        received_at: i64,
    ) -> Result<u64, StoreError> {
        self.inner.ingest_access(entries, peer, received_at)
    }
    fn ingest(
        &mut self,
        incoming: &[WireChange],
        checked: Vec<Checked>,
        peer: &str,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, DeviceError> {
        self.inner.ingest(incoming, checked, peer, now)
    }
    fn mark_peer_orders(&mut self, p: &str, o: &[OrderId], c: i64) -> Result<(), StoreError> {
        self.inner.mark_peer_orders(p, o, c)
    }
    fn log_refusals(&mut self, rows: &[RefusalRecord]) -> Result<(), StoreError> {
        self.inner.log_refusals(rows)
    }
    fn follow_orders(&mut self, scope: &str, orders: &[OrderId]) -> Result<(), StoreError> {
        self.inner.follow_orders(scope, orders)
    }
}

/// One first sync of `name` (cursor 0, pushing nothing): the changes it pulled and the log
/// entries the hub read to find them.
fn first_pull(s: &mut dyn HubStorage, m: &Made, name: &str) -> (usize, usize, bool) {
    let trust = m.city.trust_store();
    let body = sync_body(0, Vec::new(), Vec::new(), Vec::new(), u32::MAX);
    let prepared = prepare_body(&trust, cert(&m.city, name), &body).unwrap();
    let mut counting = Counting {
        inner: s,
        scanned: 0,
    };
    let (resp, served) = serve_prepared(
        &mut counting,
        &m.city.directory(),
        prepared,
        t("2026-03-02T12:00:00+08:00"),
    )
    .unwrap();
    (served.pulled as usize, counting.scanned, resp.more)
}

/// A unit's first sync costs its own orders, not the city's: unit B's staff, with one order of
/// their own among many of unit A's, reads that order's changes and nothing else of the log;
/// the center reads the whole log; a kiosk reads nothing.
fn a_units_first_sync_reads_its_own_partition<B: Backend>(b: &mut B, m: &Made) {
    let trust = m.city.trust_store();
    let mut kiosk = Device::open(&m.city.dir("kiosk-1")).unwrap();
    let mut desk = Device::open(&m.city.dir("desk")).unwrap();
    let mut all = Vec::new();
    let mut unit_b_changes = 0;
    for i in 0..12 {
        let unit = if i == 7 { UNIT_B } else { UNIT_A };
        let order = kiosk
            .submit(None, request(&format!("第{i}件：路灯不亮")), t(MORNING))
            .unwrap()
            .order;
        copy_order(&kiosk, &mut desk, &order, t(MORNING));
        register_and_dispatch(&mut desk, &order, unit, t(MORNING));
        let changes: Vec<WireChange> = desk
            .export_changes(&order)
            .unwrap()
            .iter()
            .map(WireChange::from)
            .collect();
        if unit == UNIT_B {
            unit_b_changes = changes.len();
        }
        all.extend(changes);
    }
    let desk_id = cert_id(&desk);
    b.with(|s| {
        let out = ingest(s, &trust, &desk_id, &all);
        assert!(out.iter().all(|o| *o == Ok(ImportOutcome::Applied)));
        let (pulled, scanned, more) = first_pull(s, m, "staff-b");
        assert!(!more);
        assert_eq!(
            pulled, unit_b_changes,
            "unit B receives its one order whole"
        );
        assert!(
            scanned <= unit_b_changes,
            "unit B's pull read {scanned} log entries for its {unit_b_changes} changes"
        );
        let (pulled, scanned, _) = first_pull(s, m, "desk");
        assert_eq!((pulled, scanned), (0, all.len()), "the desk's own changes");
        let (pulled, _, _) = first_pull(s, m, "staff-a");
        assert_eq!(pulled, all.len() - unit_b_changes);
        assert_eq!(first_pull(s, m, "kiosk-1"), (0, 0, false));
    });
}

/// Knowledge-base records: each stored once, in arrival order, pulled by position; another
/// unit's record for an item is refused, as is a notice for an item not held; a version held
/// is found (an instant answer names one).
fn knowledge_records_are_logged_once_and_pulled_in_order<B: Backend>(b: &mut B, m: &Made) {
    let trust = m.city.trust_store();
    let now = t(MORNING);
    let mut staff_a = Device::open(&m.city.dir("staff-a")).unwrap();
    let mut staff_b = Device::open(&m.city.dir("staff-b")).unwrap();
    let draft = |id: &str, title: &str| hotline_core::device::KbDraft {
        id: id.into(),
        title: title.into(),
        answer: "到窗口办理".into(),
        ..Default::default()
    };
    for (id, title) in [("kb-a1", "居住证办理"), ("kb-a2", "身份证补领")] {
        staff_a.kb_publish(None, draft(id, title), now).unwrap();
    }
    let mut update = draft("kb-a1", "居住证办理（新规）");
    update.expected_version = Some(1);
    staff_a.kb_publish(None, update, now).unwrap();
    staff_b
        .kb_publish(None, draft("kb-a1", "抢注"), now)
        .unwrap();
    let records = |d: &Device| -> Vec<VerifiedKb> {
        d.store()
            .kb_records_after(0, 100, usize::MAX)
            .unwrap()
            .iter()
            .map(|l| l.signed.verify(&trust).unwrap())
            .collect()
    };
    let from_a = records(&staff_a);
    let from_b = records(&staff_b);
    b.with(|s| {
        let put = s.ingest_kb(&from_a, "staff-a").unwrap();
        assert!(put.iter().all(|p| matches!(p, Ok(KbPut::New))), "{put:?}");
        let again = s.ingest_kb(&from_a[..1], "staff-a").unwrap();
        assert!(matches!(again[0], Ok(KbPut::AlreadyHad)));
        let taken = s.ingest_kb(&from_b, "staff-b").unwrap();
        assert!(
            matches!(taken[0], Err(KbError::OwnerMismatch { .. })),
            "{taken:?}"
        );

        let pulled = s.reads().kb_after(0, usize::MAX).unwrap();
        let hashes: Vec<String> = pulled.iter().map(|l| l.signed.hash()).collect();
        let sent: Vec<String> = from_a.iter().map(|v| v.hash.clone()).collect();
        assert_eq!(hashes, sent, "in arrival order, each once");
        assert!(pulled.windows(2).all(|w| w[0].seq < w[1].seq));
        assert!(
            pulled
                .iter()
                .all(|l| l.source.as_deref() == Some("staff-a"))
        );
        let rest = s.reads().kb_after(pulled[0].seq, usize::MAX).unwrap();
        assert_eq!(rest.len(), 2);
        // A byte budget still yields one record, never none.
        assert_eq!(s.reads().kb_after(0, 1).unwrap().len(), 1);
        assert!(s.reads().kb_version_held("kb-a1", 2).unwrap());
        assert!(!s.reads().kb_version_held("kb-a1", 3).unwrap());
        assert!(!s.reads().kb_version_held("kb-zz", 1).unwrap());
        // Any number an answer may name, none past what a store's column holds.
        assert!(!s.reads().kb_version_held("kb-a1", u32::MAX).unwrap());
    });
    // A notice about an item the hub never received.
    let mut desk = Device::open(&m.city.dir("desk")).unwrap();
    desk.kb_publish(None, draft("kb-c1", "低保"), now).unwrap();
    desk.kb_policy_changed(
        None,
        "kb-c1",
        "2026-03-01".parse().unwrap(),
        String::new(),
        now,
    )
    .unwrap();
    let notice = records(&desk).pop().unwrap();
    b.with(|s| {
        let put = s.ingest_kb(&[notice], "desk").unwrap();
        assert!(matches!(put[0], Err(KbError::Unknown { .. })), "{put:?}");
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
    knowledge_records_are_logged_once_and_pulled_in_order,
    changes_are_listed_under_their_orders_scopes,
    a_units_first_sync_reads_its_own_partition,
    a_change_held_is_not_stored_twice,
    refused_changes_store_nothing_and_are_logged,
    what_a_peer_holds,
    visibility_follows_the_index,
);
conformance!(postgres:
    accepted_changes_are_logged_in_order_and_indexed,
    knowledge_records_are_logged_once_and_pulled_in_order,
    changes_are_listed_under_their_orders_scopes,
    a_units_first_sync_reads_its_own_partition,
    a_change_held_is_not_stored_twice,
    refused_changes_store_nothing_and_are_logged,
    what_a_peer_holds,
    visibility_follows_the_index,
);
