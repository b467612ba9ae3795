//! The access audit log end to end: a phone opening a citizen's contact is an entry at the hub
//! after its next sync; a system reading it through the API is an entry at once, signed by its
//! reader service identity; a deleted entry shows as a gap, an entry altered where it is kept
//! as one that no longer verifies, a rewritten one as a fork; a peer's forged entry is refused.

use hotline_core::audit::{
    AccessEntry, AccessVia, AuditFilter, ChainProblem, SignedAccess, read_all, report,
};
use hotline_core::device::Device;
use hotline_core::identity::CertificateId;
use hotline_core::key_files::FileKeyCustody;
use hotline_core::model::Role;
use hotline_hub::{RunningHub, SERVICES_DIR};
use hotline_testkit::hub::*;
use hotline_testkit::*;
use serde_json::Value;

async fn get(hub: &RunningHub, path: &str, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}{path}", hub.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

fn hub_report(s: &Scene, filter: &AuditFilter) -> hotline_core::audit::AuditReport {
    let (all, trust) = hotline_hub::center::access_log(&s.city.data(), None).unwrap();
    report(&all, &trust, filter)
}

fn everything() -> AuditFilter {
    AuditFilter::default()
}

#[tokio::test]
async fn a_phone_reading_a_contact_is_on_record_at_the_hub_after_its_next_sync() {
    let mut s = scene().await;
    let c = s
        .staff_a
        .contact(
            None,
            &s.order,
            "电话回访核实 / calling back to check",
            t(LATER),
        )
        .unwrap();
    assert_eq!(c.phone.as_deref(), Some("13912345678"));
    // No purpose, no contact — and nothing entered.
    let e = s
        .staff_a
        .contact(None, &s.order, "  ", t(LATER))
        .unwrap_err();
    assert_eq!(
        hotline_core::Coded::code(&e).as_str(),
        "access_purpose_required"
    );
    // A refused opening is no entry either.
    assert!(s.staff_b.contact(None, &s.order, "回访", t(LATER)).is_err());
    assert!(
        hub_report(&s, &everything()).entries.is_empty(),
        "not synced yet"
    );

    sync(&s.hub, &mut s.staff_a).await;
    let r = hub_report(&s, &everything());
    assert!(r.intact(), "{r:?}");
    assert_eq!(r.entries.len(), 1);
    let e = &r.entries[0];
    assert_eq!(
        (e.person.as_str(), e.role, e.unit.as_str()),
        ("staff-a", Role::Staff, UNIT_A)
    );
    assert_eq!(e.order, s.order.0);
    assert_eq!(e.purpose, "电话回访核实 / calling back to check");
    assert_eq!(e.via, AccessVia::Device);
    assert_eq!((e.seq, e.at), (1, t(LATER)));
    // Synced once: a second sync sends nothing again.
    let again = sync(&s.hub, &mut s.staff_a).await;
    assert_eq!(again.progress.refused_by_hub, 0);
    assert_eq!(hub_report(&s, &everything()).entries.len(), 1);

    // The auditor's view through the API, by order, person and month.
    let auditor = s.city.device("auditor", Role::Auditor, "center");
    let key = s
        .city
        .authority
        .issue_api_key(
            "纪检监察",
            &CertificateId::new(cert_id(&auditor)),
            t(HUB_NOW),
        )
        .unwrap()
        .1;
    let (st, body) = get(&s.hub, &format!("/api/v1/audit?order={}", s.order.0), &key).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["entries"][0]["person"], "staff-a");
    assert_eq!(body["entries"][0]["via"], "device");
    assert_eq!(body["problems"].as_array().unwrap().len(), 0);
    let (_, body) = get(&s.hub, "/api/v1/audit?person=desk", &key).await;
    assert_eq!(body["entries"].as_array().unwrap().len(), 0);
    let (_, body) = get(&s.hub, "/api/v1/audit?month=2026-03", &key).await;
    assert_eq!(body["entries"].as_array().unwrap().len(), 1);
    let (_, body) = get(&s.hub, "/api/v1/audit?month=2026-04", &key).await;
    assert_eq!(body["entries"].as_array().unwrap().len(), 0);
    let a_key = s
        .city
        .authority
        .issue_api_key(
            "unit a",
            &CertificateId::new(cert_id(&s.staff_a)),
            t(HUB_NOW),
        )
        .unwrap()
        .1;
    let (st, body) = get(&s.hub, "/api/v1/audit", &a_key).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (403, Some("api_not_permitted"))
    );
}

/// A reader service identity for `system` (the center's callback desk, or `unit`'s staff)
/// with its store where the hub keeps it, and its key.
fn reader(s: &mut Scene, system: &str, role: Role, unit: &str) -> String {
    let cred = s.city.credential(role, unit, &format!("reader-{system}"));
    let cert = cred.certificate.body.id.clone();
    Device::init(
        &s.city.data().join(SERVICES_DIR).join(&cert.0),
        &cred,
        t(MORNING),
    )
    .unwrap();
    s.city
        .authority
        .issue_api_key(system, &cert, t(HUB_NOW))
        .unwrap()
        .1
}

#[tokio::test]
async fn an_api_read_of_a_contact_is_on_record_at_the_hub_at_once() {
    let mut s = scene().await;
    let callback = reader(&mut s, "回访系统", Role::Callback, "center");
    let unit_b = reader(&mut s, "unit-b-system", Role::Staff, UNIT_B);
    let plain = s
        .city
        .authority
        .issue_api_key("desk", &CertificateId::new(cert_id(&s.desk)), t(HUB_NOW))
        .unwrap()
        .1;
    let path = format!(
        "/api/v1/orders/{}/contact?purpose=%E5%9B%9E%E8%AE%BF",
        s.order.0
    );
    let (st, body) = get(&s.hub, &path, &callback).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        (body["phone"].as_str(), body["name"].as_str()),
        (Some("13912345678"), Some("王秀英"))
    );
    let r = hub_report(&s, &everything());
    assert!(r.intact(), "{r:?}");
    assert_eq!(r.entries.len(), 1);
    assert_eq!(r.entries[0].purpose, "回访");
    assert_eq!(
        r.entries[0].via,
        AccessVia::Api {
            system: "回访系统".into()
        }
    );
    assert_eq!(r.entries[0].person, "reader-回访系统");
    assert_eq!(r.entries[0].role, Role::Callback);
    // A second read is the next link of the same chain.
    get(&s.hub, &path, &callback).await;
    let r = hub_report(&s, &everything());
    assert!(r.intact(), "{r:?}");
    assert_eq!(r.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);

    // Refused, and nothing entered: no purpose; a key with no reader service; a unit that may
    // not see the order (as unknown as a missing one).
    let bare = format!("/api/v1/orders/{}/contact", s.order.0);
    let (st, body) = get(&s.hub, &bare, &callback).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (400, Some("access_purpose_required"))
    );
    let (st, body) = get(&s.hub, &path, &plain).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (403, Some("api_not_permitted"))
    );
    let (st, body) = get(&s.hub, &path, &unit_b).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (404, Some("unknown_order"))
    );
    assert_eq!(hub_report(&s, &everything()).entries.len(), 2);
}

#[tokio::test]
async fn a_deleted_entry_is_a_gap_and_an_altered_one_does_not_verify() {
    let mut s = scene().await;
    for purpose in ["回访一", "回访二", "回访三"] {
        s.staff_a
            .contact(None, &s.order, purpose, t(LATER))
            .unwrap();
    }
    // Someone with the phone in hand deletes the second entry before it syncs.
    let db = s.city.dir("staff-a").join(hotline_core::store::DB_FILE);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let deleted = conn
        .execute("DELETE FROM access_log WHERE seq = 2", [])
        .unwrap();
    assert_eq!(deleted, 1);
    drop(conn);
    sync(&s.hub, &mut s.staff_a).await;
    let r = hub_report(&s, &everything());
    assert_eq!(r.entries.len(), 2);
    let cert = cert_id(&s.staff_a);
    assert_eq!(
        r.problems,
        [ChainProblem::Gap {
            cert: cert.clone(),
            after: 1,
            next: 3
        }]
    );
    // Asked about the order, the gap shows too (it is the signer's chain).
    let by_order = hub_report(
        &s,
        &AuditFilter {
            order: Some(s.order.0.clone()),
            ..AuditFilter::default()
        },
    );
    assert!(!by_order.intact());
    // So does a view that lists none of the signer's entries: a missing entry's order and
    // month are unknown.
    let other_month = hub_report(
        &s,
        &AuditFilter {
            period: Some(hotline_core::center::Period::month("2026-07").unwrap()),
            ..AuditFilter::default()
        },
    );
    assert!(other_month.entries.is_empty());
    assert_eq!(other_month.problems.len(), 1);

    // At the hub, someone edits an entry's purpose in the database.
    let hub_db = s
        .city
        .data()
        .join("store")
        .join(hotline_core::store::DB_FILE);
    let conn = rusqlite::Connection::open(&hub_db).unwrap();
    let payload: Vec<u8> = conn
        .query_row("SELECT payload FROM access_log WHERE seq = 3", [], |r| {
            r.get(0)
        })
        .unwrap();
    let edited = String::from_utf8(payload)
        .unwrap()
        .replace("回访三", "例行检查");
    conn.execute(
        "UPDATE access_log SET payload = ?1 WHERE seq = 3",
        [edited.into_bytes()],
    )
    .unwrap();
    drop(conn);
    let r = hub_report(&s, &everything());
    assert_eq!(r.altered.len(), 1, "{r:?}");
    assert_eq!(r.altered[0].code, "bad_signature");
    assert_eq!(
        r.entries.len(),
        1,
        "the altered entry is not listed as if it held"
    );
}

#[tokio::test]
async fn a_rewritten_entry_forks_the_chain_and_a_forged_one_is_refused() {
    let mut s = scene().await;
    for purpose in ["回访一", "回访二", "回访三"] {
        s.staff_a
            .contact(None, &s.order, purpose, t(LATER))
            .unwrap();
    }
    sync(&s.hub, &mut s.staff_a).await;
    let cert = cert_id(&s.staff_a);
    let identity = s.staff_a.identity(None).unwrap().certificate.clone();
    let custody = FileKeyCustody::open(
        &s.city
            .dir("staff-a")
            .join("keys")
            .join(format!("{cert}.key")),
    )
    .unwrap();
    // The phone's owner re-signs entry 2 with another purpose (their own key: it verifies).
    let first = read_all(|o, n| s.staff_a.store().access_entries(o, n)).unwrap();
    let rewritten = AccessEntry {
        cert: cert.clone(),
        seq: 2,
        prev: first[0].hash(),
        at: t(LATER),
        order: s.order.clone(),
        purpose: "例行检查".into(),
        via: AccessVia::Device,
    };
    let forged_by_owner = SignedAccess::sign(&rewritten, &identity, &custody).unwrap();
    // Someone else claims to be staff A: same entry, a signature that is not A's.
    let mut forged = forged_by_owner.clone();
    forged.payload = String::from_utf8(forged.payload)
        .unwrap()
        .replace("例行检查", "随便看看")
        .into_bytes();
    // Both pushed by unit B's phone, relaying (a device may carry another's entries).
    let trust = s.city.trust_store();
    let pushed = [forged_by_owner.clone(), forged];
    let (refused, _) = push_access(&s, &pushed).await;
    assert_eq!(
        refused,
        ["bad_signature"],
        "the forged one is refused, by its place"
    );
    let (all, _) = hotline_hub::center::access_log(&s.city.data(), None).unwrap();
    let r = report(&all, &trust, &AuditFilter::default());
    assert_eq!(
        r.problems,
        [ChainProblem::Forked {
            cert: cert.clone(),
            seq: 2
        }]
    );
    assert_eq!(r.entries.len(), 4);
    assert!(r.altered.is_empty(), "what is stored all verifies: {r:?}");
}

/// Pushes `entries` in a sync request signed by unit B's phone; returns the refused entries'
/// codes and the response.
async fn push_access(
    s: &Scene,
    entries: &[SignedAccess],
) -> (Vec<String>, hotline_core::sync::wire::SyncResponse) {
    use hotline_core::sync::wire;
    let mut body: wire::SyncRequest =
        wire::decode(&sync_body(0, Vec::new(), Vec::new(), Vec::new(), 0)).unwrap();
    body.access_push = entries.to_vec();
    let path = hotline_core::sync::http::messages::SYNC_PATH;
    let req = signed(&s.hub, &s.staff_b, path, wire::encode(&body).unwrap()).await;
    let bytes = post_raw(&s.hub, path, req).await.unwrap();
    let resp: wire::SyncResponse = wire::decode(&bytes).unwrap();
    (
        resp.access_refused.iter().map(|r| r.code.clone()).collect(),
        resp,
    )
}

#[tokio::test]
async fn a_peer_pushing_garbage_or_too_many_entries_is_refused() {
    let s = scene().await;
    // Garbage by the hundred: each refused by its place, none kept.
    let garbage: Vec<SignedAccess> = (0..256)
        .map(|i| SignedAccess {
            cert: if i % 2 == 0 {
                cert_id(&s.staff_a)
            } else {
                "x".repeat(200)
            },
            signature: vec![7; 64],
            payload: format!("{{\"cert\":\"{i}\"").into_bytes(),
        })
        .collect();
    let (refused, _) = push_access(&s, &garbage).await;
    assert_eq!(refused.len(), 256);
    assert!(
        refused.iter().all(|c| c == "access_entry_invalid"),
        "{refused:?}"
    );
    // An entry signed for real with a purpose past its limit.
    let identity = s.staff_a.identity(None).unwrap().certificate.clone();
    let cert = cert_id(&s.staff_a);
    let custody = FileKeyCustody::open(
        &s.city
            .dir("staff-a")
            .join("keys")
            .join(format!("{cert}.key")),
    )
    .unwrap();
    let long = AccessEntry {
        cert: cert.clone(),
        seq: 1,
        prev: String::new(),
        at: t(LATER),
        order: s.order.clone(),
        purpose: "查".repeat(201),
        via: AccessVia::Device,
    };
    assert!(
        SignedAccess::sign(&long, &identity, &custody).is_err(),
        "the signer refuses it"
    );
    let payload = serde_json::to_vec(&long).unwrap();
    let signature = {
        use hotline_core::identity::KeyCustody;
        custody
            .sign(&hotline_core::identity::access_message(
                &CertificateId::new(cert.clone()),
                &payload,
            ))
            .unwrap()
            .to_tagged_bytes()
    };
    let (refused, _) = push_access(
        &s,
        &[SignedAccess {
            cert: cert.clone(),
            signature,
            payload,
        }],
    )
    .await;
    assert_eq!(refused, ["access_purpose_required"]);
    // More than a request may carry: the whole request is refused before anything is read.
    let too_many = vec![garbage[0].clone(); 257];
    use hotline_core::sync::wire;
    let mut body: wire::SyncRequest =
        wire::decode(&sync_body(0, Vec::new(), Vec::new(), Vec::new(), 0)).unwrap();
    body.access_push = too_many;
    let path = hotline_core::sync::http::messages::SYNC_PATH;
    let req = signed(&s.hub, &s.staff_b, path, wire::encode(&body).unwrap()).await;
    let (status, err) = post_raw(&s.hub, path, req).await.unwrap_err();
    assert_eq!((status, err.error.code.as_str()), (400, "sync_malformed"));
    let (all, _) = hotline_hub::center::access_log(&s.city.data(), None).unwrap();
    assert!(all.is_empty(), "nothing kept");
}

#[tokio::test]
async fn on_postgresql_too_a_phones_entries_reach_the_hubs_log_and_a_gap_shows() {
    let cluster = hotline_testkit::postgres::PgCluster::start();
    let url = cluster.conn_str("postgres");
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let hub = city.hub_on(Some(url.clone())).await;
    let order = kiosk
        .submit(None, request("路灯不亮"), t(MORNING))
        .unwrap()
        .order;
    sync(&hub, &mut kiosk).await;
    sync(&hub, &mut desk).await;
    for purpose in ["回访一", "回访二", "回访三"] {
        desk.contact(None, &order, purpose, t(LATER)).unwrap();
    }
    let conn =
        rusqlite::Connection::open(city.dir("desk").join(hotline_core::store::DB_FILE)).unwrap();
    assert_eq!(
        conn.execute("DELETE FROM access_log WHERE seq = 2", [])
            .unwrap(),
        1
    );
    drop(conn);
    sync(&hub, &mut desk).await;
    let data = city.data();
    let (all, trust) =
        tokio::task::spawn_blocking(move || hotline_hub::center::access_log(&data, Some(url)))
            .await
            .unwrap()
            .unwrap();
    let r = report(&all, &trust, &AuditFilter::default());
    assert_eq!(
        r.entries
            .iter()
            .map(|e| e.purpose.as_str())
            .collect::<Vec<_>>(),
        ["回访一", "回访三"]
    );
    assert_eq!(
        r.problems,
        [ChainProblem::Gap {
            cert: cert_id(&desk),
            after: 1,
            next: 3
        }]
    );
}
