//! Inbox queries on the order index: unit (lead or co-unit), status, overdue, due soon, sort,
//! limit.

use hotline_core::store::{InboxQuery, IndexRow, Store};
use hotline_core::workflow::{DeadlineKind, Status};
use hotline_testkit::store::{action, row};

struct Spec {
    id: &'static str,
    lead: Option<&'static str>,
    co: &'static [&'static str],
    status: Status,
    handling_due: Option<i64>,
    next_due: Option<i64>,
    terminal: bool,
}

const SPECS: &[Spec] = &[
    Spec {
        id: "A",
        lead: Some("u1"),
        co: &["u2"],
        status: Status::Dispatched,
        handling_due: Some(1000),
        next_due: Some(500),
        terminal: false,
    },
    Spec {
        id: "B",
        lead: Some("u2"),
        co: &[],
        status: Status::InHandling,
        handling_due: Some(2000),
        next_due: Some(2000),
        terminal: false,
    },
    Spec {
        id: "C",
        lead: Some("u1"),
        co: &["u3", "u2"],
        status: Status::InHandling,
        handling_due: Some(800),
        next_due: None,
        terminal: false,
    },
    Spec {
        id: "D",
        lead: Some("u3"),
        co: &[],
        status: Status::Closed,
        handling_due: Some(100),
        next_due: None,
        terminal: true,
    },
    Spec {
        id: "E",
        lead: None,
        co: &[],
        status: Status::Registered,
        handling_due: None,
        next_due: Some(300),
        terminal: false,
    },
    Spec {
        id: "F",
        lead: Some("u1"),
        co: &[],
        status: Status::InHandling,
        handling_due: Some(5000),
        next_due: Some(5000),
        terminal: false,
    },
];

fn index_row(s: &Spec) -> IndexRow {
    let mut r = row(s.id);
    r.lead_unit = s.lead.map(String::from);
    r.co_units = s.co.iter().map(|u| u.to_string()).collect();
    r.status = s.status;
    r.handling_due = s.handling_due;
    r.next_due = s.next_due;
    r.next_due_kind = s.next_due.map(|_| DeadlineKind::Handling);
    r.terminal = s.terminal;
    r
}

fn filled() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    // Inserted out of order so the sort cannot come from insertion order.
    for s in SPECS.iter().rev() {
        let mut rec = action(s.id, &[&format!("hash-{}", s.id)]);
        rec.index = index_row(s);
        store.record(&rec).unwrap();
    }
    (dir, store)
}

fn ids(store: &Store, q: InboxQuery) -> Vec<String> {
    store
        .inbox(&q)
        .unwrap()
        .into_iter()
        .map(|r| r.order.0)
        .collect()
}

#[test]
fn default_lists_open_orders_by_next_deadline_nulls_last() {
    let (_d, store) = filled();
    assert_eq!(
        ids(&store, InboxQuery::default()),
        ["E", "A", "B", "F", "C"]
    );
    let all = InboxQuery {
        include_terminal: true,
        ..Default::default()
    };
    assert_eq!(ids(&store, all), ["E", "A", "B", "F", "C", "D"]);
    // Rows come back whole, co-units in their order.
    let rows = store.inbox(&InboxQuery::default()).unwrap();
    assert_eq!(rows[4], index_row(&SPECS[2]));
}

#[test]
fn by_unit_matches_lead_or_co_unit() {
    let (_d, store) = filled();
    let q = |u: &str| InboxQuery {
        unit: Some(u.into()),
        ..Default::default()
    };
    assert_eq!(ids(&store, q("u2")), ["A", "B", "C"]);
    assert_eq!(ids(&store, q("u1")), ["A", "F", "C"]);
    assert_eq!(ids(&store, q("u3")), ["C"]);
    assert_eq!(
        ids(
            &store,
            InboxQuery {
                include_terminal: true,
                ..q("u3")
            }
        ),
        ["C", "D"]
    );
    assert!(ids(&store, q("nobody")).is_empty());
}

#[test]
fn by_status_set() {
    let (_d, store) = filled();
    let q = |s: &[Status]| InboxQuery {
        statuses: s.to_vec(),
        include_terminal: true,
        ..Default::default()
    };
    assert_eq!(ids(&store, q(&[Status::InHandling])), ["B", "F", "C"]);
    assert_eq!(
        ids(&store, q(&[Status::Registered, Status::Closed])),
        ["E", "D"]
    );
    assert!(ids(&store, q(&[Status::Dissatisfied])).is_empty());
}

#[test]
fn overdue_never_includes_terminal_orders() {
    let (_d, store) = filled();
    let q = InboxQuery {
        overdue_at: Some(1500),
        ..Default::default()
    };
    assert_eq!(ids(&store, q.clone()), ["A", "C"]);
    // D's handling deadline passed too, but it is closed.
    assert_eq!(
        ids(
            &store,
            InboxQuery {
                include_terminal: true,
                ..q
            }
        ),
        ["A", "C"]
    );
    // Strictly before: due at 1000 is not overdue at 1000.
    assert_eq!(
        ids(
            &store,
            InboxQuery {
                overdue_at: Some(1000),
                ..Default::default()
            }
        ),
        ["C"]
    );
    assert!(
        ids(
            &store,
            InboxQuery {
                overdue_at: Some(0),
                ..Default::default()
            }
        )
        .is_empty()
    );
}

#[test]
fn due_before_an_instant() {
    let (_d, store) = filled();
    assert_eq!(
        ids(
            &store,
            InboxQuery {
                due_before: Some(2000),
                ..Default::default()
            }
        ),
        ["E", "A"]
    );
    assert_eq!(
        ids(
            &store,
            InboxQuery {
                due_before: Some(2001),
                ..Default::default()
            }
        ),
        ["E", "A", "B"]
    );
}

#[test]
fn filters_combine_and_limit_cuts_after_sorting() {
    let (_d, store) = filled();
    let q = InboxQuery {
        unit: Some("u1".into()),
        statuses: vec![Status::InHandling],
        overdue_at: Some(1500),
        ..Default::default()
    };
    assert_eq!(ids(&store, q), ["C"]);
    assert_eq!(
        ids(
            &store,
            InboxQuery {
                limit: 2,
                ..Default::default()
            }
        ),
        ["E", "A"]
    );
    assert_eq!(
        ids(
            &store,
            InboxQuery {
                unit: Some("u2".into()),
                limit: 1,
                ..Default::default()
            }
        ),
        ["A"]
    );
}

#[test]
fn equal_deadlines_sort_by_order_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    for id in ["z", "m", "a"] {
        let mut rec = action(id, &[id]);
        rec.index.next_due = Some(42);
        store.record(&rec).unwrap();
    }
    assert_eq!(ids(&store, InboxQuery::default()), ["a", "m", "z"]);
}

#[test]
fn rerecording_replaces_unit_membership() {
    let (_d, mut store) = filled();
    let mut rec = action("A", &["hash-A2"]);
    rec.index = index_row(&SPECS[0]);
    rec.index.co_units = vec![];
    rec.index.lead_unit = Some("u9".into());
    store.record(&rec).unwrap();
    let q = |u: &str| InboxQuery {
        unit: Some(u.into()),
        ..Default::default()
    };
    assert_eq!(ids(&store, q("u2")), ["B", "C"]);
    assert_eq!(ids(&store, q("u1")), ["F", "C"]);
    assert_eq!(ids(&store, q("u9")), ["A"]);
    assert_eq!(store.order_count().unwrap(), 6);
}
