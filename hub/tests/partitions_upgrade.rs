//! A hub store from before the pull partitions: when the hub opens it, they are built from what
//! it holds (SQLite on open; PostgreSQL by schema migration 3), listing the same changes under
//! the same scopes as a hub that kept them from the start.

use hotline_core::device::{Device, WireChange, verify_incoming};
use hotline_core::identity::TrustStore;
use hotline_core::model::{OrderId, Role};
use hotline_core::store::{META_PULL_PARTITIONS, area_scope, peer_scope, unit_scope};
use hotline_core::sync::{HubStorage, SqliteHub};
use hotline_hub::postgres::PgStore;
use hotline_testkit::hub::MORNING;
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::{City, UNIT_A, UNIT_B, copy_order, register_and_dispatch, request, t};

/// Two orders made at the desk (one each for units A and B), as the hub receives them.
fn orders(city: &mut City) -> Vec<WireChange> {
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut all = Vec::new();
    for unit in [UNIT_A, UNIT_B] {
        let order = kiosk
            .submit(None, request("路灯不亮"), t(MORNING))
            .unwrap()
            .order;
        copy_order(&kiosk, &mut desk, &order, t(MORNING));
        register_and_dispatch(&mut desk, &order, unit, t(MORNING));
        all.extend(
            desk.export_changes(&order)
                .unwrap()
                .iter()
                .map(WireChange::from),
        );
    }
    all
}

/// Ingests `changes` from the desk and has a township phone follow the first order.
fn fill(s: &mut dyn HubStorage, trust: &TrustStore, changes: &[WireChange]) {
    let checked = verify_incoming(trust, changes);
    s.ingest(changes, checked, "desk", t("2026-03-02T12:00:00+08:00"))
        .unwrap();
    s.mark_peer_orders("township", &[changes[0].order.clone()], i64::MAX)
        .unwrap();
    s.follow_orders(&peer_scope("township"), &[changes[0].order.clone()])
        .unwrap();
}

/// What each scope of interest lists, and which of them each order is in.
fn partitions(s: &mut dyn HubStorage, orders: &[OrderId]) -> Partitions {
    let head = s.reads().log_head().unwrap();
    [
        unit_scope(UNIT_A),
        unit_scope(UNIT_B),
        area_scope("4109"),
        area_scope("410902001"),
        area_scope(""),
        peer_scope("township"),
    ]
    .into_iter()
    .map(|scope| {
        let at = s.reads().scope_positions(&scope, 0, head, 1_000).unwrap();
        let within = orders
            .iter()
            .map(|o| {
                s.reads()
                    .order_in_scopes(o, std::slice::from_ref(&scope))
                    .unwrap()
            })
            .collect();
        (scope, at, within)
    })
    .collect()
}

type Partitions = Vec<(String, Vec<i64>, Vec<bool>)>;

/// Built from the index and the holdings: each order in the same scopes as when they were kept,
/// each change listed where it was (and, now, every change under its order's scopes).
fn assert_rebuilt(built: &Partitions, kept: &Partitions) {
    for ((scope, at, within), (_, kept_at, kept_within)) in built.iter().zip(kept) {
        assert_eq!(within, kept_within, "{scope}");
        assert!(
            kept_at.iter().all(|p| at.contains(p)),
            "{scope}: {at:?} lacks some of {kept_at:?}"
        );
    }
}

fn order_ids(changes: &[WireChange]) -> Vec<OrderId> {
    let mut ids: Vec<OrderId> = changes.iter().map(|c| c.order.clone()).collect();
    ids.dedup();
    ids
}

#[test]
fn an_sqlite_hub_store_from_before_the_partitions_gets_them_on_open() {
    let mut city = City::new("turpan");
    let changes = orders(&mut city);
    let ids = order_ids(&changes);
    let trust = city.trust_store();
    let dir = city.dir("hub-store");
    let mut hub = city.hub_store(&dir);
    fill(&mut hub, &trust, &changes);
    let kept = partitions(&mut hub, &ids);
    assert_eq!(
        kept[0].2,
        [true, false],
        "unit A's order is in unit A's scope"
    );
    assert_eq!(
        kept[5].2,
        [true, false],
        "the township follows the first order"
    );
    drop(hub);

    // As a hub store of the previous version left it: no partitions, no flag.
    let conn = rusqlite::Connection::open(dir.join("hotline.db")).unwrap();
    conn.execute_batch(&format!(
        "DELETE FROM scope_log; DELETE FROM order_scopes;
         DELETE FROM meta WHERE key = '{META_PULL_PARTITIONS}';"
    ))
    .unwrap();
    drop(conn);
    assert!(!Device::open(&dir).unwrap().store().keeps_pull_partitions());

    let mut reopened = SqliteHub::open(&dir).unwrap();
    assert!(reopened.device().store().keeps_pull_partitions());
    let built = partitions(&mut reopened, &ids);
    assert_rebuilt(&built, &kept);
    assert_eq!(
        built[4].1,
        Vec::<i64>::new(),
        "no order lacks a division code"
    );
}

#[test]
fn a_postgresql_hub_database_from_before_the_partitions_gets_them_by_migration() {
    let mut city = City::new("turpan");
    let changes = orders(&mut city);
    let ids = order_ids(&changes);
    let trust = city.trust_store();
    let catalogues = city.catalogue_set();
    let cluster = PgCluster::start();
    let url = cluster.conn_str("postgres");
    let root = city.authority.root_public().to_hex();
    let open = || PgStore::open(&url, &root, city.authority.policy().unwrap(), 2).unwrap();
    let store = open();
    let kept = {
        let mut s = store.session(&trust, &catalogues).unwrap();
        fill(&mut s, &trust, &changes);
        partitions(&mut s, &ids)
    };
    drop(store);

    // As schema version 2 left it (the later migrations' tables gone too).
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    client
        .batch_execute(
            "DROP TABLE scope_log; DROP TABLE order_scopes; DROP TABLE kb_log; DROP TABLE kb_owners;
             DROP TABLE access_log;
             DELETE FROM hotline_schema WHERE version >= 3;",
        )
        .unwrap();
    drop(client);

    let store = open();
    let built = partitions(&mut store.session(&trust, &catalogues).unwrap(), &ids);
    assert_rebuilt(&built, &kept);
    drop(store);
}
