//! Photos: asked about, uploaded and downloaded in chunks, each request signed like a sync
//! round and taken in the same way ([`signed`](crate::routes::signed)).
//!
//! * `held`: anyone enrolled may ask which photos the hub holds (answered from a read-only
//!   connection).
//! * `put`: a chunk is taken only for a photo that a record the hub holds references, of the
//!   size and media type that signed record gives, its first bytes of that type
//!   (`blobs::receive`): nobody can park files the city never asked for.
//! * `get`: the request names an order; the photo must be referenced by it (the index, no
//!   document folded) and the person must be allowed to see it — the same rule
//!   (`sync::may_see`) that decides what a sync sends them (a kiosk: nothing).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use hotline_core::model::OrderId;
use hotline_core::store::check_blob_hash;
use hotline_core::sync::blobs::BlobHeld;
use hotline_core::sync::http::messages::{
    BLOBS_GET_PATH, BLOBS_HELD_PATH, BLOBS_PUT_PATH, GetChunk, HeldQuery, PutChunk,
};
use hotline_core::sync::{may_see, wire};

use crate::errors::HubError;
use crate::routes::{Weight, signed};
use crate::state::Hub;

pub async fn held(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    signed(hub, BLOBS_HELD_PATH, Weight::Light, body, |hub, a| {
        let q: HeldQuery = wire::decode(&a.body)?;
        q.check()?;
        let held = q
            .sha256
            .iter()
            .map(|sha| hub.blob_held(&a.view, sha))
            .collect::<Result<Vec<BlobHeld>, HubError>>()?;
        Ok(wire::encode(&held)?)
    })
    .await
}

pub async fn put(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    signed(hub, BLOBS_PUT_PATH, Weight::Heavy, body, |hub, a| {
        let p: PutChunk = wire::decode(&a.body)?;
        let held = hub.blob_receive(&a.view, &p.chunk, a.now.timestamp_millis())?;
        Ok(wire::encode(&held)?)
    })
    .await
}

pub async fn get(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    signed(hub, BLOBS_GET_PATH, Weight::Light, body, |hub, a| {
        let g: GetChunk = wire::decode(&a.body)?;
        check_blob_hash(&g.sha256)?;
        let order = OrderId::new(g.order.clone());
        let visible = hub.with_reads(&a.view, |store| {
            // The same rule that decides what a sync sends this person; and the same answer
            // whether the order is unknown or does not reference the photo, so a refusal does
            // not tell which orders exist.
            let referenced = store.blob_refs(&g.sha256)?.iter().any(|r| r.order == order);
            Ok(referenced && may_see(store, &a.cert, &order)?)
        })?;
        if !visible {
            return Err(HubError::BlobNotVisible);
        }
        let chunk = hub.blob_chunk(&a.view, &g.sha256, g.offset)?;
        Ok(wire::encode(&chunk)?)
    })
    .await
}
