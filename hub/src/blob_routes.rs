//! Photos: asked about, uploaded and downloaded in chunks, each request signed like a sync
//! round and checked with `authenticate` (known, unrevoked, valid certificate; signature).
//!
//! Who may do what — kept simple on purpose:
//! * `held` and `put`: anyone enrolled. What is uploaded is kept only if its bytes match the
//!   hash it is stored under, and at most `MAX_BLOB_BYTES` per photo.
//! * `get`: the request names an order that references the photo, and the person may see that
//!   order — the same rule (`sync::may_see`) that decides what a sync sends them (a kiosk: none).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use hotline_core::model::OrderId;
use hotline_core::store::check_blob_hash;
use hotline_core::sync::blobs::{self, BlobHeld};
use hotline_core::sync::http::messages::{GetChunk, HeldQuery, PutChunk};
use hotline_core::sync::wire::{self, SignedRequest};
use hotline_core::sync::{SyncError, authenticate, may_see};

use crate::errors::HubError;
use crate::routes::{handle, log_refused};
use crate::state::Hub;

/// Checks the request's signer, then runs `work` with the hub's device and the signer's
/// certificate.
pub(crate) fn authenticated<F>(
    hub: &Hub,
    what: &str,
    req: &SignedRequest,
    work: F,
) -> Result<Vec<u8>, HubError>
where
    F: FnOnce(
        &hotline_core::device::Device,
        &hotline_core::identity::Certificate,
    ) -> Result<Vec<u8>, HubError>,
{
    let now = hub.options.clock.now();
    let inner = hub.lock();
    let result = authenticate(&inner.device, req, now)
        .map_err(HubError::from)
        .and_then(|cert| work(&inner.device, &cert));
    if let Err(e) = &result {
        log_refused(hub, what, &req.cert, e);
    }
    result
}

pub async fn held(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    handle(hub, body, |hub, req| {
        authenticated(hub, "blobs/held", &req, |device, _| {
            let q: HeldQuery = wire::decode(&req.body)?;
            q.check()?;
            let held = q
                .sha256
                .iter()
                .map(|sha| blobs::held(device, sha))
                .collect::<Result<Vec<BlobHeld>, SyncError>>()?;
            Ok(wire::encode(&held)?)
        })
    })
    .await
}

pub async fn put(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    handle(hub, body, |hub, req| {
        authenticated(hub, "blobs/put", &req, |device, _| {
            let p: PutChunk = wire::decode(&req.body)?;
            p.check()?;
            let held = blobs::receive(device, &p.chunk)?;
            Ok(wire::encode(&held)?)
        })
    })
    .await
}

pub async fn get(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    handle(hub, body, |hub, req| {
        authenticated(hub, "blobs/get", &req, |device, cert| {
            let g: GetChunk = wire::decode(&req.body)?;
            g.check()?;
            check_blob_hash(&g.sha256)?;
            let order = OrderId::new(g.order.clone());
            // The same rule that decides what a sync sends this person.
            if !may_see(device, cert, &order)? {
                return Err(HubError::BlobNotVisible);
            }
            // Same answer whether the order is unknown or does not reference the photo: a
            // refusal must not tell which orders exist.
            let referenced = blobs::attachments_of(device, &order)
                .map(|refs| refs.iter().any(|r| r.sha256 == g.sha256))
                .unwrap_or(false);
            if !referenced {
                return Err(HubError::BlobNotVisible);
            }
            let chunk = blobs::read_chunk(device, &g.sha256, g.offset)?;
            Ok(wire::encode(&chunk)?)
        })
    })
    .await
}
