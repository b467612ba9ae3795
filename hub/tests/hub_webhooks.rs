//! Webhooks: the event feed pushed to a subscriber that fails now and then. Every event
//! arrives, in order per order, repeats only of the same event (at least once); every request
//! is signed with the webhook's secret; a failure is retried until it is taken.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hotline_core::identity::CertificateId;
use hotline_hub::api::webhooks;
use hotline_testkit::hub::*;
use hotline_testkit::*;
use serde_json::Value;

#[derive(Default)]
struct Received {
    /// Every body as it arrived, answered 2xx or not.
    bodies: Vec<Value>,
    /// Requests answered with an error.
    failed: u32,
    bad_signatures: u32,
    calls: u32,
}

struct Receiver {
    secret: String,
    got: Mutex<Received>,
}

async fn take(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let sig = headers["hotline-signature"].to_str().unwrap().to_string();
    let t: i64 = sig
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .unwrap()
        .parse()
        .unwrap();
    let mut got = r.got.lock().unwrap();
    got.calls += 1;
    if webhooks::signature(&r.secret, t, &body) != sig || headers["hotline-webhook"].is_empty() {
        got.bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    got.bodies.push(serde_json::from_slice(&body).unwrap());
    // Every third request fails after the body was read: the hub must send that page again.
    if got.calls % 3 == 1 {
        got.failed += 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::OK
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

#[tokio::test]
async fn a_failing_subscriber_receives_every_event_signed_in_order() {
    let mut s = scene().await;
    let key = s
        .city
        .authority
        .issue_api_key(
            "unit-a webhook",
            &CertificateId::new(cert_id(&s.staff_a)),
            t(HUB_NOW),
        )
        .unwrap()
        .0;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let hook = webhooks::add(&s.city.data(), &key.id, &url).unwrap();
    assert!(hook.secret.starts_with("whsec_"));
    let receiver = Arc::new(Receiver {
        secret: hook.secret.clone(),
        got: Mutex::new(Received::default()),
    });
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(take))
        .with_state(Arc::clone(&receiver));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // More work while it runs: orders for unit A (which it sees, history first) and unit B.
    for (i, unit) in [UNIT_A, UNIT_B, UNIT_A, UNIT_A].into_iter().enumerate() {
        let o = s
            .kiosk
            .submit(None, request(&format!("第{i}件：路灯不亮")), t(MORNING))
            .unwrap()
            .order;
        sync(&s.hub, &mut s.kiosk).await;
        sync(&s.hub, &mut s.desk).await;
        register_and_dispatch(&mut s.desk, &o, unit, t(MORNING));
        sync(&s.hub, &mut s.desk).await;
    }
    s.staff_a.act(None, &s.order, sign_for(), t(LATER)).unwrap();
    sync(&s.hub, &mut s.staff_a).await;

    // What unit A's key may see, read in one go.
    let token_key = s
        .city
        .authority
        .issue_api_key(
            "reader",
            &CertificateId::new(cert_id(&s.staff_a)),
            t(HUB_NOW),
        )
        .unwrap()
        .1;
    let clean: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/events?limit=500", s.hub.url()))
        .bearer_auth(&token_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let clean = clean["events"].as_array().unwrap().clone();
    let want: HashSet<String> = clean
        .iter()
        .map(|e| e["id"].as_str().unwrap().into())
        .collect();
    assert_eq!(
        per_order(&clean).len(),
        4,
        "the scene's order and three of unit A's"
    );

    let mut delivered: Vec<Value> = Vec::new();
    for _ in 0..300 {
        delivered = receiver
            .got
            .lock()
            .unwrap()
            .bodies
            .iter()
            .flat_map(|b| b["events"].as_array().unwrap().clone())
            .collect();
        let have: HashSet<String> = delivered
            .iter()
            .map(|e| e["id"].as_str().unwrap().into())
            .collect();
        if have == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let have: HashSet<String> = delivered
        .iter()
        .map(|e| e["id"].as_str().unwrap().into())
        .collect();
    assert_eq!(have, want, "every event unit A may see, and nothing else");
    assert_eq!(
        per_order(&delivered),
        per_order(&clean),
        "in order per order"
    );
    let (bad, failed) = {
        let got = receiver.got.lock().unwrap();
        (got.bad_signatures, got.failed)
    };
    assert_eq!(bad, 0);
    assert!(failed > 0, "the subscriber failed at least once");
    assert!(
        delivered.len() > want.len(),
        "a failed page came again: at least once"
    );
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    for e in &delivered {
        let prev = by_id.insert(e["id"].as_str().unwrap(), e);
        assert!(
            prev.is_none_or(|p| p["event"] == e["event"]),
            "a repeat is the same event"
        );
    }

    // Removed: nothing more goes out, though unit A receives another order.
    assert!(webhooks::remove(&s.city.data(), &key.id).unwrap());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let calls = receiver.got.lock().unwrap().calls;
    let o = s
        .kiosk
        .submit(None, request("又一件"), t(MORNING))
        .unwrap()
        .order;
    sync(&s.hub, &mut s.kiosk).await;
    sync(&s.hub, &mut s.desk).await;
    register_and_dispatch(&mut s.desk, &o, UNIT_A, t(MORNING));
    sync(&s.hub, &mut s.desk).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(receiver.got.lock().unwrap().calls, calls);
}
