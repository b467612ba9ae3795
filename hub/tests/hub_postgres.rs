//! The hub with its data in PostgreSQL, over loopback HTTP as devices use it: records, photos
//! and receipt lookups behave as on the SQLite hub; two hubs on one database serve one city
//! with devices syncing through either; a database that goes away mid-service gives devices a
//! retryable answer and the hub carries on by itself when it is back; a database it cannot use
//! stops it at start with a typed error.

use hotline_core::Coded;
use hotline_core::device::Device;
use hotline_core::model::{GpsFix, OrderId, Role};
use hotline_core::sync::http::messages::{ErrorBody, SYNC_PATH};
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient};
use hotline_core::sync::{sign_request, wire};
use hotline_hub::postgres::PgStore;
use hotline_testkit::hub::*;
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::*;

fn sha_of(device: &Device, order: &OrderId) -> String {
    device.store().blobs_of_order(order).unwrap()[0].clone()
}

#[tokio::test]
async fn records_photos_and_receipts_on_a_postgres_hub() {
    let cluster = PgCluster::start();
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let mut staff_b = city.device("staff-b", Role::Staff, UNIT_B);
    let hub = city.hub_on(Some(cluster.conn_str("postgres"))).await;

    let mut req = request("路灯不亮，夜里很危险");
    req.photos = vec![photo(b"a photo of the dark street", t(MORNING))];
    let submitted = kiosk.submit(None, req, t(MORNING)).unwrap();
    let order = submitted.order;
    let sha = sha_of(&kiosk, &order);
    let r = sync(&hub, &mut kiosk).await;
    assert_eq!((r.progress.pushed, r.blobs_pushed), (1, 1));
    assert_eq!(r.hub, hub.node_id());

    let r = sync(&hub, &mut desk).await;
    assert_eq!((r.progress.pulled, r.blobs_pulled), (1, 1));
    assert!(desk.store().has_blob(&sha).unwrap());
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    sync(&hub, &mut desk).await;

    let r = sync(&hub, &mut staff_a).await;
    assert_eq!(r.blobs_pulled, 1);
    desk.store().verify_blob(&sha).unwrap();
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

    // A photo larger than one chunk goes up and comes down whole.
    staff_a.act(None, &order, sign_for(), t(LATER)).unwrap();
    let big: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    let view = staff_a
        .add_evidence(
            None,
            &order,
            vec![photo(&big, t(LATER))],
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
    desk.store().verify_blob(&evidence).unwrap();
    assert_eq!(
        desk.show(&order).unwrap().state,
        staff_a.show(&order).unwrap().state
    );

    // The citizen's receipt lookup, from the database.
    let status = HubClient::new(&hub.url(), quick())
        .unwrap()
        .receipt_status(&kiosk, None, &submitted.receipt, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(status.receipt, submitted.receipt);
    assert_eq!(
        status.status_zh,
        desk.show(&order).unwrap().state.status.zh()
    );

    // An idle sync costs what it costs on SQLite.
    let r = sync(&hub, &mut desk).await;
    assert_eq!((r.progress.pushed, r.progress.pulled), (0, 0));
    assert!(r.bytes_sent + r.bytes_received < 400);
    assert_eq!(hub.inspect(|_| ()), None, "no SQLite store behind this hub");
    hub.shutdown().await.unwrap();
}

#[tokio::test]
async fn two_hubs_on_one_database_serve_one_city() {
    let cluster = PgCluster::start();
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let url = cluster.conn_str("postgres");
    let one = city.hub_on(Some(url.clone())).await;
    let two = city.hub_on(Some(url)).await;
    assert_eq!(one.node_id(), two.node_id(), "one log, one name");

    // Behind a load balancer a device signs over a challenge from one process and reaches
    // another: good there, and once only, city-wide.
    let ch = challenge(&one).await;
    let body = sync_body(0, Vec::new(), Vec::new(), Vec::new(), 0);
    let signed_sync =
        wire::encode(&sign_request(&kiosk, None, SYNC_PATH, &ch, body).unwrap()).unwrap();
    let post = |hub: &hotline_hub::RunningHub| {
        reqwest::Client::new()
            .post(format!("{}{SYNC_PATH}", hub.url()))
            .body(signed_sync.clone())
            .send()
    };
    assert_eq!(post(&two).await.unwrap().status(), reqwest::StatusCode::OK);
    let replay = post(&one).await.unwrap();
    let status = replay.status();
    let bytes = replay.bytes().await.unwrap();
    let refused: ErrorBody = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("HTTP {status}: {e}: {}", String::from_utf8_lossy(&bytes)));
    assert_eq!(refused.error.code, "sync_stale_challenge");

    // Requests arrive through either hub; each device alternates between them.
    let mut orders = Vec::new();
    for i in 0..6 {
        let order = kiosk
            .submit(None, request(&format!("第{i}处路灯不亮")), t(MORNING))
            .unwrap()
            .order;
        orders.push(order);
        sync(if i % 2 == 0 { &one } else { &two }, &mut kiosk).await;
    }
    for (i, order) in orders.iter().enumerate() {
        sync(if i % 2 == 0 { &two } else { &one }, &mut desk).await;
        register_and_dispatch(&mut desk, order, UNIT_A, t(MORNING));
    }
    sync(&one, &mut desk).await;
    sync(&two, &mut staff_a).await;
    for order in &orders {
        staff_a.act(None, order, sign_for(), t(LATER)).unwrap();
        sync(&one, &mut staff_a).await;
        sync(&two, &mut desk).await;
    }
    // Nothing lost, nothing doubled: both hubs read one log holding every change once.
    for order in &orders {
        let on_desk = desk.export_changes(order).unwrap();
        assert_eq!(on_desk.len(), staff_a.export_changes(order).unwrap().len());
        assert_eq!(
            desk.show(order).unwrap().state,
            staff_a.show(order).unwrap().state
        );
    }
    let total: usize = orders
        .iter()
        .map(|o| desk.export_changes(o).unwrap().len())
        .sum();
    assert_eq!(hub_change_count(&one) as usize, total);
    assert_eq!(hub_change_count(&two) as usize, total);
    one.shutdown().await.unwrap();
    two.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_database_that_goes_away_gives_retryable_answers_then_the_hub_carries_on() {
    let cluster = PgCluster::start();
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let hub = city.hub_on(Some(cluster.conn_str("postgres"))).await;
    kiosk.submit(None, request("井盖缺失"), t(MORNING)).unwrap();
    sync(&hub, &mut kiosk).await;

    cluster.stop();
    kiosk.submit(None, request("路面塌陷"), t(MORNING)).unwrap();
    let patient = HttpOptions {
        max_attempts: 2,
        ..quick()
    };
    let err = HubClient::new(&hub.url(), patient)
        .unwrap()
        .sync(&mut kiosk, None, &mut |_| {}, &CancelToken::new())
        .await
        .unwrap_err();
    // The device's client hears it from the health check, as a transport failure it retries
    // later (nothing was sent).
    assert!(err.to_string().contains("store_unavailable"), "{err}");
    // The health check says so too.
    assert!(hub_health_is_down(&hub).await);

    cluster.restart();
    let r = sync(&hub, &mut kiosk).await;
    assert_eq!(
        r.progress.pushed, 1,
        "the change waited on the device and went once"
    );
    assert_eq!(hub_change_count(&hub), 2);
    assert!(!hub_health_is_down(&hub).await);
    hub.shutdown().await.unwrap();
}

async fn hub_health_is_down(hub: &hotline_hub::RunningHub) -> bool {
    let resp = reqwest::get(format!("{}/v1/health", hub.url()))
        .await
        .unwrap();
    resp.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE
}

#[test]
fn a_database_the_hub_cannot_use_stops_it_at_start_with_a_typed_error() {
    let city = City::turpan();
    let root = city.authority.root_public().to_hex();
    let policy = city.authority.policy().unwrap();

    // Nobody listening.
    let nowhere = tempfile::tempdir().unwrap();
    let url = format!(
        "host={} user=hotline dbname=postgres",
        nowhere.path().display()
    );
    let err = PgStore::open(&url, &root, policy.clone(), 2).unwrap_err();
    assert_eq!(err.code().as_str(), "store_unavailable");
    // Not a connection string at all.
    let err = PgStore::open("postgres://[", &root, policy.clone(), 2).unwrap_err();
    assert_eq!(err.code().as_str(), "store_invalid_input");

    let cluster = PgCluster::start();
    let url = cluster.conn_str("postgres");
    PgStore::open(&url, &root, policy.clone(), 2).unwrap();
    // Another city's database.
    let other = City::new("puyang");
    let err = PgStore::open(
        &url,
        &other.authority.root_public().to_hex(),
        policy.clone(),
        2,
    )
    .unwrap_err();
    assert_eq!(err.code().as_str(), "store_invalid_input");
    // A schema newer than this hub knows: refused, left as it is.
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    client
        .execute("INSERT INTO hotline_schema (version) VALUES (99)", &[])
        .unwrap();
    let err = PgStore::open(&url, &root, policy, 2).unwrap_err();
    assert_eq!(err.code().as_str(), "store_too_new");
    let versions: i64 = client
        .query_one("SELECT count(*) FROM hotline_schema", &[])
        .unwrap()
        .get(0);
    let known = i64::from(hotline_hub::postgres::schema::latest());
    assert_eq!(versions, known + 1, "nothing was migrated");
}
