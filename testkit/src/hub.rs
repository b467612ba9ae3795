//! A hub started in-process on a loopback port over a [`City`]'s authority, an HTTP client, raw
//! requests as an attacker would build them, and a scene: a kiosk's complaint dispatched to
//! unit A through the hub.

use chrono::{DateTime, Utc};
use hotline_core::device::{Device, WireChange};
use hotline_core::doc::{OrderDoc, actor_for_device, decode_change};
use hotline_core::identity::SignedEnvelope;
use hotline_core::key_files::FileKeyCustody;
use hotline_core::model::{Action, Event, EventId, OrderId, Role};
use hotline_core::sync::http::messages::ErrorBody;
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient, SyncReport};
use hotline_core::sync::sign_request;
use hotline_core::sync::wire::{self, PROTOCOL, Packed, SignedRequest, SyncRequest, SyncResponse};
use hotline_hub::{Clock, HubOptions, RunningHub, start_with};
use std::path::PathBuf;
use std::time::Duration;

use crate::city::{City, UNIT_A, UNIT_B, register_and_dispatch, request, t};

/// The day the hub's clock shows.
pub const HUB_NOW: &str = "2026-03-02T12:00:00+08:00";
/// When the devices act.
pub const MORNING: &str = "2026-03-02T09:00:00+08:00";
pub const LATER: &str = "2026-03-02T11:00:00+08:00";

impl City {
    /// The hub's data folder (the authority's).
    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("hub")
    }

    /// Starts the hub on a free loopback port, its clock fixed at [`HUB_NOW`].
    pub async fn hub(&self) -> RunningHub {
        self.hub_on(None).await
    }

    /// [`City::hub`] keeping its data in PostgreSQL at `database` (`None`: its SQLite store).
    pub async fn hub_on(&self, database: Option<String>) -> RunningHub {
        let options = HubOptions {
            clock: Clock::fixed(t(HUB_NOW)),
            log: std::env::var_os("HOTLINE_TEST_HUB_LOG").is_some(),
            database,
            ..HubOptions::default()
        };
        start_with(&self.data(), "127.0.0.1:0", options)
            .await
            .unwrap()
    }
}

/// Client options for tests: quick retries, the devices' clock at [`LATER`].
pub fn quick() -> HttpOptions {
    HttpOptions {
        first_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        request_timeout: Duration::from_secs(20),
        now: Some(t(LATER)),
        ..HttpOptions::default()
    }
}

/// A whole sync over HTTP.
pub async fn sync(hub: &RunningHub, device: &mut Device) -> SyncReport {
    try_sync(hub, device).await.unwrap()
}

pub async fn try_sync(
    hub: &RunningHub,
    device: &mut Device,
) -> Result<SyncReport, hotline_core::sync::SyncError> {
    HubClient::new(&hub.url(), quick())
        .unwrap()
        .sync(device, None, &mut |_| {}, &CancelToken::new())
        .await
}

/// A change written straight into a copy of `order` (as `source` holds it) and signed with the
/// key file of `signer`'s device, claiming `actor_of`'s identity — what a modified app could
/// send: the workflow's checks on the device are bypassed.
pub fn forged_change(
    city: &City,
    source: &Device,
    order: &OrderId,
    signer: &str,
    actor_of: &str,
    at: DateTime<Utc>,
    action: Action,
) -> WireChange {
    forged_change_sealed(city, source, order, signer, actor_of, at, action, &[])
}

/// [`forged_change`] carrying sealed contact copies of the forger's choosing.
#[allow(clippy::too_many_arguments)]
pub fn forged_change_sealed(
    city: &City,
    source: &Device,
    order: &OrderId,
    signer: &str,
    actor_of: &str,
    at: DateTime<Utc>,
    action: Action,
    sealed: &[(String, Vec<u8>)],
) -> WireChange {
    let signer_dev = Device::open(&city.dir(signer)).unwrap();
    let identity = signer_dev.identity(None).unwrap();
    let claimed = Device::open(&city.dir(actor_of)).unwrap();
    let actor = claimed.identity(None).unwrap().actor();
    let changes = source
        .export_changes(order)
        .unwrap()
        .iter()
        .map(|c| decode_change(&c.bytes, Some(&c.hash)).unwrap())
        .collect();
    let key = identity.certificate.body.device_key;
    let mut doc = OrderDoc::from_changes(order, actor_for_device(key.as_bytes()), changes).unwrap();
    let event = Event {
        id: EventId::new(format!("ev-forged-{}", at.timestamp_millis())),
        actor,
        at,
        after: doc.event_heads().unwrap(),
        action,
    };
    let change = doc.append(&event, sealed).unwrap();
    let custody = FileKeyCustody::open(
        &city
            .dir(signer)
            .join("keys")
            .join(format!("{}.key", identity.certificate.body.id)),
    )
    .unwrap();
    let env =
        SignedEnvelope::sign(change.raw_bytes().to_vec(), &identity.certificate, &custody).unwrap();
    WireChange {
        order: order.clone(),
        cert: env.signer.0.clone(),
        signature: env.signature.to_tagged_bytes(),
        bytes: env.payload,
    }
}

/// Any bytes signed as a change by the person on `signer`'s device, filed under `order`: what a
/// device that got hold of an enrolled key could send.
pub fn signed_bytes(city: &City, signer: &str, order: &OrderId, bytes: Vec<u8>) -> WireChange {
    let dev = Device::open(&city.dir(signer)).unwrap();
    let identity = dev.identity(None).unwrap();
    let custody = FileKeyCustody::open(
        &city
            .dir(signer)
            .join("keys")
            .join(format!("{}.key", identity.certificate.body.id)),
    )
    .unwrap();
    let env = SignedEnvelope::sign(bytes, &identity.certificate, &custody).unwrap();
    WireChange {
        order: order.clone(),
        cert: env.signer.0.clone(),
        signature: env.signature.to_tagged_bytes(),
        bytes: env.payload,
    }
}

/// A submission made without the device's checks (any text, any photo list), signed by
/// `signer`: the first change of a new order.
pub fn forged_submit(
    city: &City,
    signer: &str,
    order: &OrderId,
    details: hotline_core::model::OrderDetails,
    at: DateTime<Utc>,
) -> WireChange {
    let dev = Device::open(&city.dir(signer)).unwrap();
    let identity = dev.identity(None).unwrap();
    let event = Event {
        id: EventId::new(format!("ev-forged-submit-{}", at.timestamp_millis())),
        actor: identity.actor(),
        at,
        after: Vec::new(),
        action: Action::Submit { details },
    };
    let (_, change) = OrderDoc::create(
        order,
        actor_for_device(identity.certificate.body.device_key.as_bytes()),
        &event,
        &[],
    )
    .unwrap();
    let mut change = change;
    signed_bytes(city, signer, order, change.bytes().to_vec())
}

/// The hash the hub files a change under.
pub fn hash_of(c: &WireChange) -> String {
    decode_change(&c.bytes, None).unwrap().hash().to_string()
}

/// A fresh challenge from the hub, as a device gets one before its first signed request.
pub async fn challenge(hub: &RunningHub) -> Vec<u8> {
    let resp = reqwest::get(format!("{}/v1/challenge", hub.url()))
        .await
        .unwrap();
    let c: hotline_core::sync::http::messages::Challenge = resp.json().await.unwrap();
    hex::decode(c.challenge).unwrap()
}

/// `body` signed for `endpoint` by the person on `who`, over a fresh challenge, encoded.
pub async fn signed(hub: &RunningHub, who: &Device, endpoint: &str, body: Vec<u8>) -> Vec<u8> {
    let ch = challenge(hub).await;
    wire::encode(&sign_request(who, None, endpoint, &ch, body).unwrap()).unwrap()
}

/// A sync request pushing `changes` and pulling nothing, signed by the person on `relay` over a
/// fresh challenge from `hub`.
pub async fn push_request(
    hub: &RunningHub,
    relay: &Device,
    changes: &[WireChange],
) -> SignedRequest {
    let ch = challenge(hub).await;
    push_request_with(relay, &ch, changes)
}

/// [`push_request`] over a given challenge.
pub fn push_request_with(
    relay: &Device,
    challenge: &[u8],
    changes: &[WireChange],
) -> SignedRequest {
    let mut certs: Vec<String> = Vec::new();
    let push = changes
        .iter()
        .map(|c| {
            let idx = certs.iter().position(|x| *x == c.cert).unwrap_or_else(|| {
                certs.push(c.cert.clone());
                certs.len() - 1
            });
            Packed {
                order: c.order.0.clone(),
                cert: u32::try_from(idx).unwrap(),
                signature: c.signature.clone(),
                bytes: c.bytes.clone(),
            }
        })
        .collect();
    let body = sync_body(0, certs, push, Vec::new(), 0);
    sign_request(relay, None, "/v1/sync", challenge, body).unwrap()
}

/// The encoded body of a sync round at [`LATER`] from a device whose cursor into the hub's log
/// stands at `received_upto` and that claims to know nothing else (its other cursors at zero):
/// what it pushes, what orders it asks to have resent, how much it pulls.
pub fn sync_body(
    received_upto: i64,
    certs: Vec<String>,
    push: Vec<Packed>,
    resend: Vec<String>,
    max_pull: u32,
) -> Vec<u8> {
    wire::encode(&SyncRequest {
        protocol: PROTOCOL,
        at: t(LATER).timestamp_millis(),
        received_upto,
        certs_known: 0,
        revocation_seq: 0,
        push_upto: 0,
        certs,
        push,
        max_pull,
        resend,
        catalogue_version: 0,
        kb_received: 0,
        kb_push_upto: 0,
        kb_push: Vec::new(),
        access_push: Vec::new(),
    })
    .unwrap()
}

/// What the hub answered to raw bytes at `path`: the decoded body, or the status and error.
pub async fn post_raw(
    hub: &RunningHub,
    path: &str,
    body: Vec<u8>,
) -> Result<Vec<u8>, (u16, ErrorBody)> {
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", hub.url()))
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap().to_vec();
    if status == 200 {
        Ok(bytes)
    } else {
        let err: ErrorBody = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("HTTP {status} without a JSON error ({e})"));
        Err((status, err))
    }
}

/// Pushes `changes` relayed by `relay` through `POST /v1/sync`.
pub async fn push(
    hub: &RunningHub,
    relay: &Device,
    changes: &[WireChange],
) -> Result<SyncResponse, (u16, ErrorBody)> {
    let req = push_request(hub, relay, changes).await;
    let bytes = post_raw(hub, "/v1/sync", wire::encode(&req).unwrap()).await?;
    Ok(wire::decode(&bytes).unwrap())
}

/// The one refusal code of a one-change push.
pub async fn refusal_of(hub: &RunningHub, relay: &Device, change: &WireChange) -> String {
    let resp = push(hub, relay, std::slice::from_ref(change))
        .await
        .unwrap();
    assert_eq!(resp.refused.len(), 1, "expected a refusal, got {resp:?}");
    resp.refused[0].code.clone()
}

/// Whether the hub stored a change with this hash.
pub fn hub_has(hub: &RunningHub, hash: &str) -> bool {
    hub.inspect_reads(|r| Ok(r.change_owner(hash)?.is_some()))
        .unwrap()
}

/// How many changes the hub's log holds.
pub fn hub_change_count(hub: &RunningHub) -> u64 {
    hub.inspect_reads(|r| Ok(r.changes_after(0, u32::MAX)?.len() as u64))
        .unwrap()
}

/// The codes in the hub's refusal log, newest first.
pub fn hub_refusal_codes(hub: &RunningHub) -> Vec<String> {
    hub.inspect_reads(|r| Ok(r.refusals(100)?.into_iter().map(|r| r.code).collect()))
        .unwrap()
}

/// A kiosk's complaint, registered and dispatched to unit A by the center's desk — all through
/// the hub over HTTP; unit A's phone has it, unit B's does not.
#[derive(Debug)]
pub struct Scene {
    pub city: City,
    pub hub: RunningHub,
    pub kiosk: Device,
    pub desk: Device,
    pub staff_a: Device,
    pub staff_b: Device,
    pub order: OrderId,
}

impl Scene {
    /// Unit A signs for the order and adds a photo of `content`, synced to the hub; returns the
    /// photo's hash.
    pub async fn with_photo(&mut self, content: &[u8]) -> String {
        self.staff_a
            .act(None, &self.order, crate::city::sign_for(), t(LATER))
            .unwrap();
        let view = self
            .staff_a
            .add_evidence(
                None,
                &self.order,
                vec![crate::city::photo(content, t(LATER))],
                None,
                "现场".into(),
                t(LATER),
            )
            .unwrap();
        sync(&self.hub, &mut self.staff_a).await;
        view.state.site_evidence[0].content.photos[0].sha256.clone()
    }
}

pub async fn scene() -> Scene {
    scene_under("turpan").await
}

/// [`scene`] in a city under another preset.
pub async fn scene_under(preset: &str) -> Scene {
    let mut city = City::new(preset);
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let mut staff_b = city.device("staff-b", Role::Staff, UNIT_B);
    let hub = city.hub().await;
    let order = kiosk
        .submit(None, request("小区门口积水严重"), t(MORNING))
        .unwrap()
        .order;
    sync(&hub, &mut kiosk).await;
    sync(&hub, &mut desk).await;
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    sync(&hub, &mut desk).await;
    sync(&hub, &mut staff_a).await;
    sync(&hub, &mut staff_b).await;
    assert!(staff_a.show(&order).is_ok());
    assert!(staff_b.show(&order).is_err());
    Scene {
        city,
        hub,
        kiosk,
        desk,
        staff_a,
        staff_b,
        order,
    }
}
