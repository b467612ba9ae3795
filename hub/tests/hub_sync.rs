//! Devices syncing with a running hub over loopback HTTP: records and photos reach who may see
//! them, enrolments made while the hub runs are picked up, uploads resume, the client retries
//! until the hub is up and stops when cancelled.

use hotline_core::Coded;
use hotline_core::device::{Device, PhotoInput, PhotoSource};
use hotline_core::model::{GpsFix, OrderId, Role};
use hotline_core::sync::blobs::{BlobChunk, BlobHeld, CHUNK_BYTES};
use hotline_core::sync::http::messages::{GetChunk, PutChunk};
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient, SyncPhase};
use hotline_core::sync::{SyncError, wire};
use hotline_hub::{Clock, HubOptions, start_with};
use hotline_testkit::hub::*;
use hotline_testkit::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn photo(bytes: &[u8]) -> PhotoInput {
    PhotoInput {
        source: PhotoSource::Bytes(jpeg(bytes)),
        media_type: "image/jpeg".into(),
        captured_at: Some(t(MORNING)),
        gps: Some(GpsFix::manual(42.95, 89.18)),
    }
}

fn sha_of(device: &Device, order: &OrderId) -> String {
    device.store().blobs_of_order(order).unwrap()[0].clone()
}

#[tokio::test]
async fn records_and_photos_reach_who_may_see_them() {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let mut staff_b = city.device("staff-b", Role::Staff, UNIT_B);
    let hub = city.hub().await;

    let mut req = request("路灯不亮，夜里很危险");
    req.photos = vec![photo(b"a photo of the dark street")];
    let order = kiosk.submit(None, req, t(MORNING)).unwrap().order;
    let sha = sha_of(&kiosk, &order);
    let r = sync(&hub, &mut kiosk).await;
    assert_eq!((r.progress.pushed, r.blobs_pushed), (1, 1));
    assert_eq!(r.hub, hub.node_id());
    assert!(hub.inspect(|d| d.store().has_blob(&sha).unwrap()).unwrap());

    // The center's desk is a device like any other.
    let r = sync(&hub, &mut desk).await;
    assert_eq!((r.progress.pulled, r.blobs_pulled), (1, 1));
    assert!(desk.store().has_blob(&sha).unwrap());
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    sync(&hub, &mut desk).await;

    let r = sync(&hub, &mut staff_a).await;
    assert_eq!(r.blobs_pulled, 1);
    assert!(staff_a.store().has_blob(&sha).unwrap());
    assert_eq!(
        staff_a
            .contact(None, &order, "回访 callback", chrono::Utc::now())
            .unwrap()
            .phone
            .as_deref(),
        Some("13912345678")
    );
    let r = sync(&hub, &mut staff_b).await;
    assert_eq!((r.progress.pulled, r.blobs_pulled), (0, 0));
    assert!(staff_b.show(&order).is_err());

    // Unit A signs for it on site with a photo; the desk sees both.
    staff_a.act(None, &order, sign_for(), t(LATER)).unwrap();
    let view = staff_a
        .add_evidence(
            None,
            &order,
            vec![photo(b"the lamp, repaired")],
            Some(GpsFix::manual(42.95, 89.18)),
            "现场核实".into(),
            t(LATER),
        )
        .unwrap();
    let evidence = view.state.site_evidence[0].content.photos[0].sha256.clone();
    let r = sync(&hub, &mut staff_a).await;
    assert_eq!((r.progress.pushed, r.blobs_pushed), (2, 1));
    let r = sync(&hub, &mut desk).await;
    assert_eq!((r.progress.pulled, r.blobs_pulled), (2, 1));
    assert!(desk.store().has_blob(&evidence).unwrap());
    assert_eq!(
        desk.show(&order).unwrap().state,
        hub.inspect(|d| d.show(&order).unwrap().state).unwrap()
    );
    // The hub stamped when it received each change with its own clock.
    let last = desk.export_changes(&order).unwrap().pop().unwrap();
    let received = hub
        .inspect(|d| d.store().received_at(&last.hash).unwrap())
        .unwrap();
    assert_eq!(received, Some(t(HUB_NOW).timestamp_millis()));

    // An idle sync costs a few hundred bytes, health check included.
    let r = sync(&hub, &mut desk).await;
    assert_eq!((r.progress.pushed, r.progress.pulled), (0, 0));
    assert!(
        r.bytes_sent + r.bytes_received < 400,
        "idle sync cost {} + {} bytes",
        r.bytes_sent,
        r.bytes_received
    );
    assert_eq!(r.phase, SyncPhase::Done);
}

#[tokio::test]
async fn a_photo_goes_only_to_who_may_see_an_order_referencing_it() {
    let mut s = scene().await;
    // A photo added by unit A to the order.
    let sha = s.with_photo(b"evidence").await;
    let get_body = |order: &str| wire::encode(&GetChunk::new(order, &sha, 0)).unwrap();
    let get = async |who: &Device, order: &str| {
        signed(&s.hub, who, "/v1/blobs/get", get_body(order)).await
    };
    // Unit B has no business with the order.
    let (status, err) = post_raw(&s.hub, "/v1/blobs/get", get(&s.staff_b, &s.order.0).await)
        .await
        .unwrap_err();
    assert_eq!((status, err.error.code.as_str()), (403, "blob_not_visible"));
    // Naming an order that does not reference the photo does not help.
    let other = s
        .kiosk
        .submit(None, request("另一件事"), t(MORNING))
        .unwrap()
        .order;
    sync(&s.hub, &mut s.kiosk).await;
    let (status, _) = post_raw(&s.hub, "/v1/blobs/get", get(&s.kiosk, &other.0).await)
        .await
        .unwrap_err();
    assert_eq!(status, 403);
    // The center may.
    let chunk: BlobChunk = wire::decode(
        &post_raw(&s.hub, "/v1/blobs/get", get(&s.desk, &s.order.0).await)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(chunk.data, jpeg(b"evidence"));
    // A body signed for one endpoint is refused at another.
    let (status, err) = post_raw(&s.hub, "/v1/blobs/held", get(&s.desk, &s.order.0).await)
        .await
        .unwrap_err();
    assert_eq!(
        (status, err.error.code.as_str()),
        (401, "sync_bad_request_signature")
    );
}

#[tokio::test]
async fn an_interrupted_upload_resumes_where_it_stopped() {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let hub = city.hub().await;
    let big: Vec<u8> = (0..(CHUNK_BYTES * 3 + 1000))
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    let mut req = request("占道经营");
    req.photos = vec![photo(&big)];
    let order = kiosk.submit(None, req, t(MORNING)).unwrap().order;
    let sha = sha_of(&kiosk, &order);
    // The record reaches the hub (a hub takes only photos a record it holds describes)…
    HubClient::new(
        &hub.url(),
        HttpOptions {
            blobs: false,
            ..quick()
        },
    )
    .unwrap()
    .sync(&mut kiosk, None, &mut |_| {}, &CancelToken::new())
    .await
    .unwrap();
    // …then the first two chunks of its photo, before the link dropped.
    for i in 0..2u64 {
        let chunk =
            hotline_core::sync::blobs::read_chunk(kiosk.store(), &sha, i * CHUNK_BYTES as u64)
                .unwrap();
        let body = wire::encode(&PutChunk::new(chunk)).unwrap();
        let signed = signed(&hub, &kiosk, "/v1/blobs/put", body).await;
        let held: BlobHeld =
            wire::decode(&post_raw(&hub, "/v1/blobs/put", signed).await.unwrap()).unwrap();
        assert_eq!(held.held, (i + 1) * CHUNK_BYTES as u64);
    }
    let r = sync(&hub, &mut kiosk).await;
    assert_eq!(r.blobs_pushed, 1);
    let sent = usize::try_from(r.bytes_sent).unwrap();
    assert!(
        sent < big.len() / 2,
        "sent {sent} bytes for the last half of a {} byte photo",
        big.len()
    );
    assert!(hub.inspect(|d| d.store().has_blob(&sha).unwrap()).unwrap());
    hub.inspect(|d| d.store().verify_blob(&sha).unwrap())
        .unwrap();
}

#[tokio::test]
async fn people_enrolled_while_the_hub_runs_are_known_at_once() {
    let mut s = scene().await;
    // A second phone for unit A, enrolled after the hub started.
    let mut late = s.city.device("staff-a2", Role::Staff, UNIT_A);
    let r = sync(&s.hub, &mut late).await;
    assert_eq!(
        r.progress.pulled, 3,
        "unit A's order: submitted, registered, dispatched"
    );
    late.act(None, &s.order, sign_for(), t(LATER)).unwrap();
    let r = sync(&s.hub, &mut late).await;
    assert_eq!((r.progress.pushed, r.progress.refused_by_hub), (1, 0));
    // The desk learns of the new certificate and takes the change.
    let r = sync(&s.hub, &mut s.desk).await;
    assert_eq!((r.progress.pulled, r.progress.refused_here), (1, 0));
    assert_eq!(
        s.desk.show(&s.order).unwrap().state.status.as_str(),
        "in_handling"
    );
}

#[tokio::test]
async fn a_device_shared_behind_a_lock_syncs_between_other_calls() {
    let s = scene().await;
    let shared = Arc::new(Mutex::new(s.staff_a));
    let client = HubClient::new(&s.hub.url(), quick()).unwrap();
    let mut seen = Vec::new();
    let r = client
        .sync(
            Arc::clone(&shared),
            None,
            &mut |r| seen.push(r.phase),
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(r.phase, SyncPhase::Done);
    assert!(seen.contains(&SyncPhase::Exchanging));
    assert!(shared.lock().unwrap().show(&s.order).is_ok());
}

#[tokio::test]
async fn the_client_retries_until_the_hub_is_up() {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    kiosk.submit(None, request("噪音扰民"), t(MORNING)).unwrap();
    // A free loopback port nobody listens on yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let data = city.data();
    let starter = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let options = HubOptions {
            clock: Clock::fixed(t(HUB_NOW)),
            ..HubOptions::default()
        };
        start_with(&data, &addr, options).await.unwrap()
    });
    // Attempts enough for a loaded CI machine to finish starting the hub (≈ 12 s): the test is
    // about retrying until it answers, not about how fast it starts.
    let options = HttpOptions {
        max_attempts: 40,
        first_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(300),
        ..quick()
    };
    let r = HubClient::new(&format!("http://127.0.0.1:{port}"), options)
        .unwrap()
        .sync(&mut kiosk, None, &mut |_| {}, &CancelToken::new())
        .await
        .unwrap();
    assert!(r.retries > 0);
    assert_eq!(r.progress.pushed, 1);
    let hub = starter.await.unwrap();
    assert_eq!(hub_change_count(&hub), 1);
    hub.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_hub_or_a_cancel_ends_the_sync_with_a_typed_error() {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = HttpOptions {
        max_attempts: 2,
        ..quick()
    };
    let client = HubClient::new(&format!("http://127.0.0.1:{port}"), options).unwrap();
    let err = client
        .sync(&mut kiosk, None, &mut |_| {}, &CancelToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "sync_transport");

    // Cancelled while waiting to retry: it stops at once, not after the back-off.
    let slow = HttpOptions {
        max_attempts: 10,
        first_backoff: Duration::from_secs(30),
        ..quick()
    };
    let client = HubClient::new(&format!("http://127.0.0.1:{port}"), slow).unwrap();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        canceller.cancel();
    });
    let started = Instant::now();
    let err = client
        .sync(&mut kiosk, None, &mut |_| {}, &cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Cancelled), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let err = HubClient::new("ftp://hub", HttpOptions::default()).unwrap_err();
    assert_eq!(err.code().as_str(), "bad_input");
}

#[tokio::test]
async fn a_restarted_hub_keeps_its_records_and_its_name() {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let hub = city.hub().await;
    let node = hub.node_id().to_string();
    kiosk.submit(None, request("井盖缺失"), t(MORNING)).unwrap();
    sync(&hub, &mut kiosk).await;
    hub.shutdown().await.unwrap();

    let hub = city.hub().await;
    assert_eq!(hub.node_id(), node);
    assert_eq!(hub_change_count(&hub), 1);
    // The kiosk's cursors still hold: nothing to send again.
    let r = sync(&hub, &mut kiosk).await;
    assert_eq!((r.progress.pushed, r.progress.pulled), (0, 0));
    let health = reqwest::get(format!("{}/v1/health", hub.url()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let health: serde_json::Value = serde_json::from_slice(&health).unwrap();
    assert_eq!(health["node_id"], node.as_str());
    let resp = reqwest::get(format!("{}/v2/nothing", hub.url()))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test]
async fn a_photo_not_at_the_hub_yet_is_fetched_at_a_later_sync() {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let hub = city.hub().await;
    let mut req = request("垃圾清运不及时");
    req.photos = vec![photo(b"a full bin")];
    let order = kiosk.submit(None, req, t(MORNING)).unwrap().order;
    let sha = sha_of(&kiosk, &order);
    // The kiosk's link only carried the changes.
    let changes_only = HttpOptions {
        blobs: false,
        ..quick()
    };
    HubClient::new(&hub.url(), changes_only)
        .unwrap()
        .sync(&mut kiosk, None, &mut |_| {}, &CancelToken::new())
        .await
        .unwrap();
    let r = sync(&hub, &mut desk).await;
    assert_eq!((r.progress.pulled, r.blobs_waiting), (1, 1));
    assert!(!desk.store().has_blob(&sha).unwrap());
    // The photo reaches the hub later; the desk's next sync, with no new change, fetches it.
    sync(&hub, &mut kiosk).await;
    let r = sync(&hub, &mut desk).await;
    assert_eq!(
        (r.progress.pulled, r.blobs_pulled, r.blobs_waiting),
        (0, 1, 0)
    );
    desk.store().verify_blob(&sha).unwrap();
    // And never uploads it back.
    let r = sync(&hub, &mut desk).await;
    assert_eq!((r.blobs_pushed, r.blobs_pulled), (0, 0));
}

/// A pull reads on a connection of its own: while the store's writer is held (another round's
/// long ingest), a device that pushes nothing still gets what is new for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_does_not_wait_for_the_stores_writer() {
    let Scene {
        hub,
        mut desk,
        mut staff_a,
        order,
        ..
    } = scene().await;
    staff_a.act(None, &order, sign_for(), t(LATER)).unwrap();
    sync(&hub, &mut staff_a).await;
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let hub = &hub;
    let pulled = tokio::task::block_in_place(|| {
        std::thread::scope(|sc| {
            sc.spawn(move || {
                hub.inspect(|_| {
                    locked_tx.send(()).unwrap();
                    release_rx.recv().ok();
                })
            });
            locked_rx.recv().unwrap();
            let pulled = tokio::runtime::Handle::current().block_on(tokio::time::timeout(
                Duration::from_secs(10),
                sync(hub, &mut desk),
            ));
            release_tx.send(()).unwrap();
            pulled
        })
    });
    assert!(pulled.is_ok(), "the desk's pull waited for the writer");
    assert_eq!(
        desk.show(&order).unwrap().state.status.as_str(),
        "in_handling",
        "the desk has unit A's sign-for"
    );
}
