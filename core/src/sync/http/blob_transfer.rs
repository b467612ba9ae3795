//! Photos over HTTP, after the changes: up, every local photo the hub is not known to hold,
//! resuming from what the hub already has; down, the photos of orders received that are not
//! here yet. A photo the hub does not have yet (its sender is still offline) stays on a
//! persisted wanted list and is asked for again at the next sync.

use std::collections::{BTreeSet, HashSet};

use super::access::DeviceAccess;
use super::client::Session;
use super::messages::{
    BLOBS_GET_PATH, BLOBS_HELD_PATH, BLOBS_PUT_PATH, GetChunk, HeldQuery, PutChunk,
};
use super::transport::CallError;
use crate::device::{Device, DeviceError};
use crate::error::ErrorCode;
use crate::model::OrderId;
use crate::sync::blobs::{self, BlobChunk, BlobHeld};
use crate::sync::{SyncError, wire};

/// Photos asked about per `held` request.
const HELD_BATCH: usize = 64;

/// The store's meta key of the photos still wanted from `hub`: `[(order, sha256)]` as JSON.
fn wanted_key(hub: &str) -> String {
    format!("sync/blobs_wanted/{hub}")
}

fn load_wanted(d: &Device, hub: &str) -> Result<Vec<(String, String)>, SyncError> {
    match d.store().meta_get(&wanted_key(hub))? {
        None => Ok(Vec::new()),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| SyncError::Device(DeviceError::Corrupt(format!("wanted photos: {e}")))),
    }
}

fn save_wanted(d: &Device, hub: &str, wanted: &[(String, String)]) -> Result<(), SyncError> {
    let bytes = serde_json::to_vec(wanted).map_err(DeviceError::encode("the wanted photos"))?;
    d.store().meta_set(&wanted_key(hub), &bytes)?;
    Ok(())
}

/// What became of one photo.
enum Outcome {
    Done,
    /// The hub has no copy yet: ask again next time.
    Waiting,
    /// Refused or broken: counted, not retried in this sync.
    Refused,
}

impl<A: DeviceAccess> Session<'_, A> {
    /// Uploads every local photo the hub is not known to hold.
    pub(super) async fn push_blobs(&mut self) -> Result<(), SyncError> {
        let mut skip: HashSet<String> = HashSet::new();
        loop {
            self.check_cancel()?;
            let (hub, limit) = (self.hub.clone(), skip.len() + HELD_BATCH);
            let listed = self
                .device
                .with_device(move |d| {
                    Ok(d.store()
                        .blobs_not_at(&hub, u32::try_from(limit).unwrap_or(u32::MAX))?)
                })
                .await?;
            let todo: Vec<String> = listed
                .into_iter()
                .filter(|s| !skip.contains(s))
                .take(HELD_BATCH)
                .collect();
            if todo.is_empty() {
                return Ok(());
            }
            let body = wire::encode(&HeldQuery::new(todo.clone()))?;
            let answer = match self.post_signed(BLOBS_HELD_PATH, body).await {
                Ok(a) => a,
                Err(e) => return Err(self.fail(e)),
            };
            let held: Vec<BlobHeld> = wire::decode(&answer)?;
            if held.len() != todo.len() {
                return Err(SyncError::Malformed(format!(
                    "asked about {} photos, the hub answered for {}",
                    todo.len(),
                    held.len()
                )));
            }
            for (sha, h) in todo.into_iter().zip(held) {
                let outcome = if h.complete {
                    Outcome::Done
                } else {
                    self.push_one(&sha, h.held).await?
                };
                match outcome {
                    Outcome::Done => {
                        let (hub, s) = (self.hub.clone(), sha.clone());
                        self.device
                            .with_device(move |d| Ok(d.store().mark_peer_blob(&hub, &s)?))
                            .await?;
                        self.report.blobs_pushed += 1;
                    }
                    Outcome::Waiting | Outcome::Refused => {
                        self.report.blobs_refused += 1;
                        skip.insert(sha);
                    }
                }
                self.tell();
            }
        }
    }

    /// Sends one photo's chunks from `offset` (what the hub already holds).
    async fn push_one(&mut self, sha: &str, mut offset: u64) -> Result<Outcome, SyncError> {
        loop {
            self.check_cancel()?;
            let s = sha.to_string();
            let body = self
                .device
                .with_device(move |d| {
                    let chunk = blobs::read_chunk(d.store(), &s, offset)?;
                    wire::encode(&PutChunk::new(chunk))
                })
                .await?;
            let held: BlobHeld = match self.post_signed(BLOBS_PUT_PATH, body).await {
                Ok(a) => wire::decode(&a)?,
                Err(CallError::Hub { status, .. }) if status < 500 => return Ok(Outcome::Refused),
                Err(e) => return Err(self.fail(e)),
            };
            if held.complete {
                return Ok(Outcome::Done);
            }
            // The hub says where to go on from; if that is not forward, it is stuck.
            if held.held <= offset {
                return Ok(Outcome::Refused);
            }
            offset = held.held;
            self.tell();
        }
    }

    /// Downloads the photos of orders received since `start_seq` (and those still wanted from
    /// earlier syncs) that are not here.
    pub(super) async fn pull_blobs(&mut self, start_seq: i64) -> Result<(), SyncError> {
        let hub = self.hub.clone();
        let mut wanted = self
            .device
            .with_device(move |d| {
                let mut wanted = load_wanted(d, &hub)?;
                let mut orders: BTreeSet<OrderId> = BTreeSet::new();
                let mut seq = start_seq;
                loop {
                    let batch = d.store().changes_after(seq, 256)?;
                    let Some(last) = batch.last() else { break };
                    seq = last.seq;
                    for lc in batch {
                        if lc.source.as_deref() == Some(hub.as_str()) {
                            orders.insert(lc.change.order);
                        }
                    }
                }
                let mut known: HashSet<String> = wanted.iter().map(|(_, s)| s.clone()).collect();
                for order in orders {
                    for sha in d.store().blobs_of_order(&order)? {
                        if !known.contains(&sha) && !d.store().has_blob(&sha)? {
                            known.insert(sha.clone());
                            wanted.push((order.0.clone(), sha));
                        }
                    }
                }
                save_wanted(d, &hub, &wanted)?;
                Ok(wanted)
            })
            .await?;
        let mut still = Vec::new();
        for (order, sha) in std::mem::take(&mut wanted) {
            match self.pull_one(&order, &sha).await? {
                Outcome::Done => self.report.blobs_pulled += 1,
                Outcome::Waiting => {
                    self.report.blobs_waiting += 1;
                    still.push((order, sha));
                }
                Outcome::Refused => self.report.blobs_refused += 1,
            }
            self.tell();
        }
        let hub = self.hub.clone();
        self.device
            .with_device(move |d| save_wanted(d, &hub, &still))
            .await
    }

    /// Fetches one photo chunk by chunk from what is already here (a partial download resumes).
    async fn pull_one(&mut self, order: &str, sha: &str) -> Result<Outcome, SyncError> {
        loop {
            self.check_cancel()?;
            let (o, s) = (order.to_string(), sha.to_string());
            let next = self
                .device
                .with_device(move |d| {
                    let have = blobs::held(d.store(), &s)?;
                    if have.complete {
                        return Ok(None);
                    }
                    let body = wire::encode(&GetChunk::new(&o, &s, have.held))?;
                    Ok(Some((have.held, body)))
                })
                .await?;
            let Some((offset, body)) = next else {
                self.mark_pulled(sha).await?;
                return Ok(Outcome::Done);
            };
            let chunk: BlobChunk = match self.post_signed(BLOBS_GET_PATH, body).await {
                Ok(a) => wire::decode(&a)?,
                Err(CallError::Hub { detail, .. })
                    if detail.typed_code() == Some(ErrorCode::BlobMissing) =>
                {
                    return Ok(Outcome::Waiting);
                }
                Err(CallError::Hub { status, .. }) if status < 500 => return Ok(Outcome::Refused),
                Err(e) => return Err(self.fail(e)),
            };
            if chunk.sha256 != sha || chunk.offset != offset || chunk.data.is_empty() {
                return Ok(Outcome::Refused);
            }
            let got = self
                .device
                .with_device(move |d| Ok(blobs::receive(d.store(), &chunk)))
                .await?;
            match got {
                Ok(h) if h.complete => {
                    self.mark_pulled(sha).await?;
                    return Ok(Outcome::Done);
                }
                Ok(h) if h.held > offset => {}
                // No progress, or the finished photo did not match its hash (the partial copy
                // is discarded by `receive`).
                Ok(_) | Err(_) => return Ok(Outcome::Refused),
            }
            self.tell();
        }
    }

    /// A photo received from the hub is one the hub holds: never upload it back.
    async fn mark_pulled(&mut self, sha: &str) -> Result<(), SyncError> {
        let (hub, s) = (self.hub.clone(), sha.to_string());
        self.device
            .with_device(move |d| Ok(d.store().mark_peer_blob(&hub, &s)?))
            .await
    }
}
