//! The hub's JSON API and live event feed as the city platform's systems use them, over
//! loopback HTTP: keys the authority issues, read exactly as the bound certificate would pull
//! by sync; typed JSON errors; an order's history and evidence without contact details; a
//! feed that hands a unit an order's earlier history when the order reaches it, and that a
//! subscriber disconnecting at random reads whole (at least once, in order per order) — by
//! long-poll and by server-sent events; on SQLite and on PostgreSQL.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use hotline_core::device::Device;
use hotline_core::identity::CertificateId;
use hotline_core::model::{OrderId, Role};
use hotline_hub::RunningHub;
use hotline_testkit::hub::*;
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::*;
use serde_json::Value;

fn key(city: &mut City, dev: &Device, system: &str) -> String {
    city.authority
        .issue_api_key(system, &CertificateId::new(cert_id(dev)), t(HUB_NOW))
        .unwrap()
        .1
}

async fn get(hub: &RunningHub, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", hub.url()));
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

fn ids(page: &Value) -> Vec<String> {
    page["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn orders_are_read_with_the_keys_certificate_scope_and_typed_errors() {
    let mut s = scene().await;
    let photo = s.with_photo(b"the flooded gate").await;
    let desk_key = key(&mut s.city, &s.desk, "市政务服务平台");
    let a_key = key(&mut s.city, &s.staff_a, "unit-a case system");
    let b_key = key(&mut s.city, &s.staff_b, "unit-b case system");
    let kiosk_key = key(&mut s.city, &s.kiosk, "kiosk");
    let order = s.order.0.clone();

    let (st, page) = get(&s.hub, "/api/v1/orders", Some(&desk_key)).await;
    assert_eq!(st, 200, "{page}");
    assert_eq!(ids(&page), vec![order.clone()]);
    assert_eq!(page["orders"][0]["lead_unit"], UNIT_A);
    assert_eq!(page["orders"][0]["status"], "in_handling");
    assert_eq!(page["orders"][0]["status_zh"], "办理中");
    assert!(page["next"].is_null());
    let (_, page) = get(&s.hub, "/api/v1/orders", Some(&a_key)).await;
    assert_eq!(ids(&page), vec![order.clone()]);
    // Unit B's system sees none of unit A's orders, and one it may not see is unknown.
    let (st, page) = get(&s.hub, "/api/v1/orders", Some(&b_key)).await;
    assert_eq!((st, ids(&page)), (200, vec![]));
    let (st, body) = get(&s.hub, &format!("/api/v1/orders/{order}"), Some(&b_key)).await;
    assert_eq!((st, code(&body)), (404, "unknown_order"));
    let (st, body) = get(&s.hub, "/api/v1/orders/no-such-order", Some(&desk_key)).await;
    assert_eq!((st, code(&body)), (404, "unknown_order"));

    // One order: its history in order, its photo's metadata, nothing of the citizen's contact.
    let (st, one) = get(&s.hub, &format!("/api/v1/orders/{order}"), Some(&a_key)).await;
    assert_eq!(st, 200, "{one}");
    let actions: Vec<&str> = one["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "submit",
            "register",
            "dispatch",
            "sign_for",
            "site_evidence"
        ]
    );
    assert!(
        one["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["outcome"] == "applied")
    );
    assert_eq!(one["history"][0]["role"], "kiosk");
    assert_eq!(one["evidence"][0]["name"], photo.as_str());
    assert_eq!(one["evidence"][0]["media_type"], "image/jpeg");
    assert_eq!(one["text"], "小区门口积水严重");
    let text = one.to_string();
    assert!(
        !text.contains("13912345678") && !text.contains("王秀英"),
        "{text}"
    );

    // Who may not read, and why — each a stable code.
    let (st, body) = get(&s.hub, "/api/v1/orders", Some(&kiosk_key)).await;
    assert_eq!((st, code(&body)), (403, "api_not_permitted"));
    let (st, body) = get(&s.hub, "/api/v1/events", Some(&kiosk_key)).await;
    assert_eq!((st, code(&body)), (403, "api_not_permitted"));
    // A path that is not text is a typed refusal, not the router's plain text.
    let (st, body) = get(&s.hub, "/api/v1/orders/%FF", Some(&desk_key)).await;
    assert_eq!((st, code(&body)), (400, "api_query_invalid"));
    let (st, body) = get(&s.hub, "/api/v1/orders", None).await;
    assert_eq!((st, code(&body)), (401, "api_token_missing"));
    assert!(
        body["error"]["message_zh"]
            .as_str()
            .unwrap()
            .contains("密钥")
    );
    let (st, body) = get(&s.hub, "/api/v1/orders", Some("hl_0000")).await;
    assert_eq!((st, code(&body)), (401, "api_token_unknown"));
    let (st, body) = get(&s.hub, "/api/v1/orders?limit=0", Some(&desk_key)).await;
    assert_eq!((st, code(&body)), (400, "api_query_invalid"));
    let (st, body) = get(&s.hub, "/api/v1/orders?status=lost", Some(&desk_key)).await;
    assert_eq!((st, code(&body)), (400, "api_query_invalid"));
    let (st, body) = get(&s.hub, "/api/v1/refusals", Some(&a_key)).await;
    assert_eq!((st, code(&body)), (403, "api_not_permitted"));
    let (st, body) = get(&s.hub, "/api/v1/refusals", Some(&desk_key)).await;
    assert_eq!(st, 200, "{body}");
    let (st, body) = get(&s.hub, "/api/v1/warnings", Some(&desk_key)).await;
    assert_eq!((st, body["orders"].as_u64()), (200, Some(1)), "{body}");
    // The month's assessment, unit A ranked on the order it received.
    let (st, body) = get(
        &s.hub,
        "/api/v1/reports/assessment?month=2026-03&method=linshu",
        Some(&desk_key),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        (body["method"].as_str(), body["orders_read"].as_u64()),
        (Some("linshu"), Some(1))
    );
    assert!(
        body["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["unit"] == UNIT_A),
        "{body}"
    );
    let (st, body) = get(&s.hub, "/api/v1/reports/assessment", Some(&desk_key)).await;
    assert_eq!((st, code(&body)), (400, "api_query_invalid"));
    let (st, body) = get(
        &s.hub,
        "/api/v1/reports/assessment?month=2026-03",
        Some(&a_key),
    )
    .await;
    assert_eq!((st, code(&body)), (403, "api_not_permitted"));

    // A revoked key, and a key whose certificate was revoked, stop at once.
    let id = s
        .city
        .authority
        .api_keys()
        .iter()
        .find(|k| k.system == "unit-a case system")
        .unwrap()
        .id
        .clone();
    s.city.authority.revoke_api_key(&id, t(HUB_NOW)).unwrap();
    let (st, body) = get(&s.hub, "/api/v1/orders", Some(&a_key)).await;
    assert_eq!((st, code(&body)), (403, "api_token_revoked"));
    s.city
        .authority
        .revoke(&[CertificateId::new(cert_id(&s.desk))], t(HUB_NOW))
        .unwrap();
    let (st, body) = get(&s.hub, "/api/v1/orders", Some(&desk_key)).await;
    assert_eq!((st, code(&body)), (403, "certificate_revoked"));
}

#[tokio::test]
async fn the_order_list_pages_by_cursor_and_filters() {
    let mut s = scene().await;
    for i in 0..6 {
        s.kiosk
            .submit(None, request(&format!("第{i}个诉求：路灯不亮")), t(MORNING))
            .unwrap();
    }
    sync(&s.hub, &mut s.kiosk).await;
    let desk_key = key(&mut s.city, &s.desk, "platform");
    let mut seen = Vec::new();
    let mut after = String::new();
    for _ in 0..10 {
        let (st, page) = get(
            &s.hub,
            &format!("/api/v1/orders?limit=3&after={after}"),
            Some(&desk_key),
        )
        .await;
        assert_eq!(st, 200);
        assert!(ids(&page).len() <= 3);
        seen.extend(ids(&page));
        match page["next"].as_str() {
            Some(n) => after = n.to_string(),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (7, 7), "{seen:?}");
    let (_, page) = get(&s.hub, "/api/v1/orders?status=submitted", Some(&desk_key)).await;
    assert_eq!(ids(&page).len(), 6);
    let (_, page) = get(
        &s.hub,
        &format!("/api/v1/orders?unit={UNIT_A}"),
        Some(&desk_key),
    )
    .await;
    assert_eq!(ids(&page), vec![s.order.0.clone()]);
    let (_, page) = get(&s.hub, "/api/v1/orders?kind=inquiry", Some(&desk_key)).await;
    assert_eq!(ids(&page).len(), 0);
}

/// The feed from `after` to its end, by long-poll pages of `limit`.
async fn drain(hub: &RunningHub, token: &str, mut after: i64, limit: u32) -> (Vec<Value>, i64) {
    let mut out = Vec::new();
    loop {
        let (st, page) = get(
            hub,
            &format!("/api/v1/events?after={after}&limit={limit}"),
            Some(token),
        )
        .await;
        assert_eq!(st, 200, "{page}");
        let events = page["events"].as_array().unwrap().clone();
        let cursor = page["cursor"].as_i64().unwrap();
        if events.is_empty() && cursor == after {
            return (out, after);
        }
        out.extend(events);
        after = cursor;
    }
}

fn per_order(events: &[Value]) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for e in events {
        let ids = m.entry(e["order"].as_str().unwrap().into()).or_default();
        let id = e["id"].as_str().unwrap().to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    m
}

async fn a_unit_receives_an_orders_history_when_it_reaches_the_unit(database: Option<String>) {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let staff_b = city.device("staff-b", Role::Staff, UNIT_B);
    let hub = city.hub_on(database).await;
    let a_key = key(&mut city, &staff_a, "unit a");
    let b_key = key(&mut city, &staff_b, "unit b");
    let desk_key = key(&mut city, &desk, "center");

    let order = kiosk
        .submit(None, request("路面塌陷"), t(MORNING))
        .unwrap()
        .order;
    sync(&hub, &mut kiosk).await;
    let (events, a_cursor) = drain(&hub, &a_key, 0, 100).await;
    assert!(events.is_empty(), "not yet unit A's: {events:?}");
    let (events, _) = drain(&hub, &desk_key, 0, 100).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"]["action"]["type"], "submit");
    assert_eq!(events[0]["event"]["actor"]["role"], "kiosk");

    sync(&hub, &mut desk).await;
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    sync(&hub, &mut desk).await;
    // From where unit A's subscriber stood: the submission it could not see before, then the
    // register and the dispatch that brought the order to it — in the order's own order.
    let (events, _) = drain(&hub, &a_key, a_cursor, 100).await;
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["event"]["action"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["submit", "register", "dispatch"]);
    assert!(events.iter().all(|e| e["order"] == order.0.as_str()));
    let (events, _) = drain(&hub, &b_key, 0, 100).await;
    assert!(events.is_empty(), "unit B sees nothing: {events:?}");
    // From the start, unit A's feed is the same: each event once.
    let (from_zero, _) = drain(&hub, &a_key, 0, 1).await;
    assert_eq!(per_order(&from_zero)[&order.0].len(), 3);
    assert_eq!(from_zero.len(), 3);

    let (st, body) = get(&hub, "/api/v1/events?after=-4", Some(&a_key)).await;
    assert_eq!((st, code(&body)), (400, "feed_cursor_invalid"));
}

#[tokio::test]
async fn a_unit_receives_an_orders_history_when_it_reaches_the_unit_on_sqlite() {
    a_unit_receives_an_orders_history_when_it_reaches_the_unit(None).await;
}

#[tokio::test]
async fn a_unit_receives_an_orders_history_when_it_reaches_the_unit_on_postgres() {
    let cluster = PgCluster::start();
    a_unit_receives_an_orders_history_when_it_reaches_the_unit(Some(cluster.conn_str("postgres")))
        .await;
}

/// A small deterministic generator (the test's seeds are its cases).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn a_subscriber_disconnecting_at_random_receives_every_event_in_order() {
    // What the seeds exercised, so the test cannot pass on an empty run.
    let (mut unit_a_orders, mut lost_pages, mut repeats) = (0usize, 0usize, 0usize);
    for seed in [1u64, 7, 42] {
        let mut rng = Lcg(seed);
        let mut city = City::turpan();
        let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
        let mut desk = city.device("desk", Role::Dispatcher, "center");
        let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
        let hub = city.hub().await;
        let subscribers = [
            ("desk", key(&mut city, &desk, "center")),
            ("unit a", key(&mut city, &staff_a, "unit a")),
        ];
        // Each subscriber's stored cursor and what it received.
        let mut cursors = [0i64; 2];
        let mut got: [Vec<Value>; 2] = [Vec::new(), Vec::new()];
        let mut orders: Vec<OrderId> = Vec::new();
        let mut dispatched: HashSet<OrderId> = HashSet::new();
        for step in 0..24 {
            match rng.next(4) {
                0 => {
                    let o = kiosk
                        .submit(None, request(&format!("诉求{step}：噪音扰民")), t(MORNING))
                        .unwrap()
                        .order;
                    orders.push(o);
                    sync(&hub, &mut kiosk).await;
                }
                1 => {
                    sync(&hub, &mut desk).await;
                    if let Some(o) = orders.iter().find(|o| !dispatched.contains(*o)).cloned() {
                        let unit = if rng.next(2) == 0 { UNIT_A } else { UNIT_B };
                        register_and_dispatch(&mut desk, &o, unit, t(MORNING));
                        dispatched.insert(o);
                        sync(&hub, &mut desk).await;
                    }
                }
                2 => {
                    sync(&hub, &mut staff_a).await;
                    let mine: Vec<OrderId> = dispatched
                        .iter()
                        .filter(|o| staff_a.show(o).is_ok_and(|v| v.state.signed_at.is_none()))
                        .cloned()
                        .collect();
                    if let Some(o) = mine.first() {
                        staff_a.act(None, o, sign_for(), t(LATER)).unwrap();
                        sync(&hub, &mut staff_a).await;
                    }
                }
                _ => {}
            }
            // Each subscriber reads a page now and then; some answers are lost on the way (the
            // subscriber keeps what arrived before but not the new cursor).
            for (i, (_, token)) in subscribers.iter().enumerate() {
                if rng.next(2) == 0 {
                    continue;
                }
                let limit = 1 + rng.next(4);
                let (st, page) = get(
                    &hub,
                    &format!("/api/v1/events?after={}&limit={limit}", cursors[i]),
                    Some(token),
                )
                .await;
                assert_eq!(st, 200);
                let lost = rng.next(3) == 0;
                let events = page["events"].as_array().unwrap();
                // A lost answer may still have been half-read: keep a prefix.
                let kept = if lost {
                    rng.next(events.len() as u64 + 1) as usize
                } else {
                    events.len()
                };
                got[i].extend(events[..kept].iter().cloned());
                if lost {
                    lost_pages += 1;
                } else {
                    cursors[i] = page["cursor"].as_i64().unwrap();
                }
            }
        }
        for (i, (name, token)) in subscribers.iter().enumerate() {
            let (rest, _) = drain(&hub, token, cursors[i], 2).await;
            got[i].extend(rest);
            let (clean, _) = drain(&hub, token, 0, 500).await;
            repeats += got[i].len() - clean.len();
            let clean_ids: HashSet<&str> =
                clean.iter().map(|e| e["id"].as_str().unwrap()).collect();
            assert_eq!(
                clean_ids.len(),
                clean.len(),
                "{name}: an uninterrupted read has no repeats"
            );
            let got_ids: HashSet<&str> = got[i].iter().map(|e| e["id"].as_str().unwrap()).collect();
            assert_eq!(
                got_ids, clean_ids,
                "seed {seed}, {name}: every event, none invented"
            );
            // Per order: first arrivals in the order an uninterrupted read gives.
            assert_eq!(
                per_order(&got[i]),
                per_order(&clean),
                "seed {seed}, {name}: order per order"
            );
            // A repeat is the same event with the same id.
            let mut by_id: HashMap<&str, &Value> = HashMap::new();
            for e in &got[i] {
                let prev = by_id.insert(e["id"].as_str().unwrap(), e);
                assert!(prev.is_none_or(|p| p["event"] == e["event"]));
            }
        }
        // The desk sees every change; unit A every change of the orders dispatched to it, each
        // starting with its submission.
        assert_eq!(
            drain(&hub, &subscribers[0].1, 0, 500).await.0.len() as u64,
            hub_change_count(&hub)
        );
        let unit_a = per_order(&drain(&hub, &subscribers[1].1, 0, 500).await.0);
        unit_a_orders += unit_a.len();
        for (order, ids) in unit_a {
            let (_, one) = get(
                &hub,
                &format!("/api/v1/orders/{order}"),
                Some(&subscribers[1].1),
            )
            .await;
            assert_eq!(one["history"].as_array().unwrap().len(), ids.len());
            assert_eq!(one["history"][0]["action"], "submit");
        }
    }
    assert!(
        unit_a_orders > 0 && lost_pages > 0 && repeats > 0,
        "orders at unit A {unit_a_orders}, lost pages {lost_pages}, repeats {repeats}"
    );
}

/// Reads server-sent events until `want` order events arrived or the stream idles; returns
/// them and the last SSE id.
async fn read_stream(
    hub: &RunningHub,
    token: &str,
    last_id: Option<&str>,
    want: usize,
) -> (Vec<Value>, Option<String>) {
    let mut req = reqwest::Client::new()
        .get(format!("{}/api/v1/events/stream", hub.url()))
        .bearer_auth(token);
    if let Some(id) = last_id {
        req = req.header("Last-Event-ID", id);
    }
    let mut resp = req.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut buf = String::new();
    let mut events = Vec::new();
    let mut last = last_id.map(str::to_string);
    while events.len() < want {
        let chunk = match tokio::time::timeout(Duration::from_secs(5), resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            _ => break,
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut kind = "message";
            let mut data = String::new();
            let mut id = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    kind = if v.trim() == "order_event" {
                        "order_event"
                    } else {
                        "other"
                    };
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim().to_string());
                }
            }
            if id.is_some() {
                last = id;
            }
            if kind == "order_event" && events.len() < want {
                events.push(serde_json::from_str(&data).unwrap());
            }
        }
    }
    (events, last)
}

#[tokio::test]
async fn the_event_stream_resumes_from_its_last_id_and_delivers_live() {
    let mut s = scene().await;
    s.with_photo(b"stream").await;
    let desk_key = key(&mut s.city, &s.desk, "center");
    let (all, _) = drain(&s.hub, &desk_key, 0, 500).await;
    assert_eq!(all.len(), 5);
    // Two events, then the subscriber drops; it comes back with the last id it saw.
    let (first, last) = read_stream(&s.hub, &desk_key, None, 2).await;
    assert_eq!(first.len(), 2);
    let (rest, last) = read_stream(&s.hub, &desk_key, last.as_deref(), 3).await;
    let mut ids: Vec<String> = first
        .iter()
        .chain(&rest)
        .map(|e| e["id"].as_str().unwrap().into())
        .collect();
    let want: Vec<String> = all
        .iter()
        .map(|e| e["id"].as_str().unwrap().into())
        .collect();
    assert_eq!(ids, want);
    // Connected and idle: a new request reaches it as it arrives.
    let url = s.hub.url();
    let token = desk_key.clone();
    let reader = tokio::spawn(async move {
        let hub_url = url;
        let mut req = reqwest::Client::new()
            .get(format!("{hub_url}/api/v1/events/stream"))
            .bearer_auth(token);
        if let Some(id) = &last {
            req = req.header("Last-Event-ID", id);
        }
        let mut resp = req.send().await.unwrap();
        let mut text = String::new();
        while !text.contains("order_event") {
            match tokio::time::timeout(Duration::from_secs(10), resp.chunk()).await {
                Ok(Ok(Some(c))) => text.push_str(&String::from_utf8_lossy(&c)),
                _ => break,
            }
        }
        text
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.kiosk
        .submit(None, request("新的诉求：井盖缺失"), t(MORNING))
        .unwrap();
    sync(&s.hub, &mut s.kiosk).await;
    let text = reader.await.unwrap();
    assert!(text.contains("井盖缺失"), "{text}");
    ids.clear();
    // A stream refused before it starts is a typed error, not a broken stream.
    let (st, body) = get(&s.hub, "/api/v1/events/stream", Some("hl_nope")).await;
    assert_eq!((st, code(&body)), (401, "api_token_unknown"));
}
