//! The device side of a sync: build a request, take the response. No sockets here — a
//! transport (HTTP, a test link that drops and reorders) carries the bytes.
//!
//! Every round is idempotent: if a request or its response is lost, sending the same request
//! again stores nothing twice (changes are deduplicated by hash) and the cursors only move
//! forward, so a cut link costs a retry, never a record.

use serde::Serialize;

use super::http::messages::SYNC_PATH;
use super::wire::{self, PROTOCOL, SignedRequest, SyncRequest, SyncResponse};
use super::{SyncError, auth};
use crate::Coded;
use crate::device::{Device, WireChange};
use crate::error::ErrorCode;
use crate::model::Timestamp;
use crate::store::{PeerState, RefusalRecord};

/// Bytes of changes a device sends in one request.
pub const MAX_PUSH_BYTES: usize = 512 * 1024;
/// Bytes of changes a device asks for in one response.
pub const MAX_PULL_BYTES: u32 = 512 * 1024;

/// What a sync has done so far, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub round: u32,
    pub pushed: u64,
    pub pulled: u64,
    pub refused_by_hub: u64,
    pub refused_here: u64,
    /// Changes of this device the hub has not acknowledged yet.
    pub to_push: u64,
    pub done: bool,
}

/// One sync session of one enrolled person with one hub.
#[derive(Debug)]
pub struct SyncClient {
    hub: String,
    who: Option<String>,
    peer_key: String,
    /// What the last request pushed, to name refused changes.
    last_push: Vec<WireChange>,
    /// The access entries the pending request pushed.
    last_access: Vec<crate::audit::SignedAccess>,
    /// The last request's body, sent again (freshly signed) after a failure.
    pending: Option<Vec<u8>>,
    /// The hub's challenge for the next request (empty for in-process links).
    challenge: Vec<u8>,
    push_left: bool,
    progress: Progress,
}

impl SyncClient {
    /// `hub` names the hub (its changes are never pushed back to it); `who` picks the person on
    /// a shared device.
    pub fn new(device: &Device, hub: &str, who: Option<&str>) -> Result<Self, SyncError> {
        let cert = device.identity(who)?.certificate.body.id.0.clone();
        Ok(SyncClient {
            hub: hub.to_string(),
            who: who.map(str::to_string),
            peer_key: format!("{hub}/{cert}"),
            last_push: Vec::new(),
            last_access: Vec::new(),
            pending: None,
            challenge: Vec::new(),
            push_left: true,
            progress: Progress::default(),
        })
    }

    pub fn progress(&self) -> Progress {
        self.progress
    }

    pub fn is_done(&self) -> bool {
        self.progress.done
    }

    /// The challenge the hub handed out for the next request ([`super::Freshness`]).
    pub fn set_challenge(&mut self, challenge: Vec<u8>) {
        self.challenge = challenge;
    }

    /// The request to send now, signed over the current challenge: the unanswered round again,
    /// or a new one.
    pub fn request(&mut self, device: &Device, now: Timestamp) -> Result<SignedRequest, SyncError> {
        let body = self.request_body(device, now)?;
        auth::sign_request(
            device,
            self.who.as_deref(),
            SYNC_PATH,
            &self.challenge,
            body,
        )
    }

    /// The body of the request to send now (the unanswered one again, or a new round), for a
    /// transport that signs each attempt itself.
    pub fn request_body(&mut self, device: &Device, now: Timestamp) -> Result<Vec<u8>, SyncError> {
        if let Some(body) = &self.pending {
            return Ok(body.clone());
        }
        let state = device.store().peer_state(&self.peer_key)?;
        let mut push = Vec::new();
        let mut bytes = 0usize;
        let mut push_upto = state.sent_upto;
        let mut truncated = false;
        'scan: loop {
            let batch = device.store().changes_after(push_upto, 256)?;
            if batch.is_empty() {
                break;
            }
            for lc in batch {
                if bytes >= MAX_PUSH_BYTES {
                    truncated = true;
                    break 'scan;
                }
                push_upto = lc.seq;
                if lc.source.as_deref() == Some(self.hub.as_str()) {
                    continue;
                }
                bytes +=
                    lc.change.bytes.len() + lc.change.signature.len() + lc.change.order.0.len();
                push.push(WireChange::from(&lc.change));
            }
        }
        let (kb_sent, kb_received) = device.store().kb_peer(&self.peer_key)?;
        let (kb_push, kb_push_upto, kb_left) = self.kb_push(device, kb_sent)?;
        let mut access_push = device
            .store()
            .access_unpushed(wire::MAX_ACCESS_PUSH as u32 + 1)?;
        let access_left = access_push.len() > wire::MAX_ACCESS_PUSH;
        access_push.truncate(wire::MAX_ACCESS_PUSH);
        self.push_left = truncated || kb_left || access_left;
        self.progress.to_push = push.len() as u64;
        let (certs, packed) = wire::pack(&push);
        let body = wire::encode(&SyncRequest {
            protocol: PROTOCOL,
            at: now.timestamp_millis(),
            received_upto: state.received_upto,
            certs_known: state.certs_received,
            revocation_seq: device.trust().revocations().map_or(0, |r| r.sequence),
            catalogue_version: device.catalogues().latest_version(),
            push_upto,
            certs,
            push: packed,
            max_pull: MAX_PULL_BYTES,
            resend: self.resend(device)?,
            kb_received,
            kb_push_upto,
            kb_push,
            access_push: access_push.clone(),
        })?;
        self.last_access = access_push;
        self.last_push = push;
        self.pending = Some(body.clone());
        Ok(body)
    }

    /// Takes the hub's answer to the pending request. Returns whether the sync is complete.
    pub fn response(
        &mut self,
        device: &mut Device,
        mut resp: SyncResponse,
        now: Timestamp,
    ) -> Result<bool, SyncError> {
        let mut state: PeerState = device.store().peer_state(&self.peer_key)?;
        let mut refusals: Vec<RefusalRecord> = resp
            .refused
            .iter()
            .map(|r| {
                let pushed = usize::try_from(r.index)
                    .ok()
                    .and_then(|i| self.last_push.get(i));
                RefusalRecord {
                    at: now.timestamp_millis(),
                    peer: Some(self.hub.clone()),
                    order: pushed.map(|c| c.order.0.clone()),
                    hash: pushed.and_then(|c| {
                        crate::doc::decode_change(&c.bytes, None)
                            .ok()
                            .map(|ch| ch.hash().to_string())
                    }),
                    code: r.code.clone(),
                    message_zh: r.message_zh.clone(),
                    message_en: r.message_en.clone(),
                }
            })
            .collect();
        self.progress.refused_by_hub += resp.refused.len() as u64;
        self.progress.pushed +=
            (self.last_push.len() - resp.refused.len().min(self.last_push.len())) as u64;
        state.sent_upto = state.sent_upto.max(resp.acked_upto);
        self.progress.to_push = 0;

        // Certificates and revocations first: the pulled changes may be signed by people
        // enrolled since the last sync.
        for c in std::mem::take(&mut resp.certificates) {
            device.add_certificate(c)?;
        }
        state.certs_received = state.certs_received.max(resp.certs_total);
        if let Some(list) = resp.revocations.take() {
            device.accept_revocations(list)?;
        }
        // Before the changes too: a pulled intake may name this version.
        if let Some(catalogue) = &resp.catalogue {
            device.accept_catalogue(catalogue)?;
        }
        if !resp.units.is_empty() {
            device.update_unit_directory(std::mem::take(&mut resp.units).into_iter().collect())?;
        }
        // Knowledge-base records before the changes: a pulled answer may cite one.
        self.kb_response(device, &resp, &mut refusals, now)?;
        // The hub took every pushed entry but those it refused. A refused one is logged here and
        // not sent again — it would be refused again — unless the hub did not know its signer
        // yet (its trust behind this device's): that one goes again next time.
        let mut again = std::collections::HashSet::new();
        for r in &resp.access_refused {
            if ErrorCode::parse(&r.code) == Some(ErrorCode::UnknownCertificate) {
                again.extend(usize::try_from(r.index).ok());
            }
            self.progress.refused_by_hub += 1;
            refusals.push(RefusalRecord {
                at: now.timestamp_millis(),
                peer: Some(self.hub.clone()),
                order: None,
                hash: usize::try_from(r.index)
                    .ok()
                    .and_then(|i| self.last_access.get(i))
                    .map(|a| a.hash()),
                code: r.code.clone(),
                message_zh: r.message_zh.clone(),
                message_en: r.message_en.clone(),
            });
        }
        let taken: Vec<_> = std::mem::take(&mut self.last_access)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !again.contains(i))
            .map(|(_, a)| a)
            .collect();
        device.store().mark_access_pushed(&taken)?;
        let pulled = wire::unpack(&resp.certs, resp.pull)?;
        let outcomes = device.import_batch(&pulled, Some(&self.hub), now)?;
        // Orders whose history arrived with a gap are asked for whole next round; orders asked
        // for that now arrived without one are done.
        let mut resend: std::collections::BTreeSet<String> =
            self.resend(device)?.into_iter().collect();
        let mut gaps = std::collections::BTreeSet::new();
        for (c, o) in pulled.iter().zip(&outcomes) {
            if matches!(o, Err(e) if e.code() == ErrorCode::ChangeMissingDependency) {
                gaps.insert(c.order.0.clone());
            }
        }
        for c in &pulled {
            if !gaps.contains(&c.order.0) {
                resend.remove(&c.order.0);
            }
        }
        resend.extend(gaps);
        self.set_resend(device, &resend)?;
        for (c, o) in pulled.iter().zip(&outcomes) {
            if let Err(e) = o {
                self.progress.refused_here += 1;
                refusals.push(RefusalRecord {
                    at: now.timestamp_millis(),
                    peer: Some(self.hub.clone()),
                    order: Some(c.order.0.clone()),
                    hash: None,
                    code: e.code().to_string(),
                    message_zh: e.message_zh(),
                    message_en: e.message_en(),
                });
            }
        }
        device.store().log_refusals(&refusals)?;
        self.progress.pulled += outcomes
            .iter()
            .filter(|o| matches!(o, Ok(crate::device::ImportOutcome::Applied)))
            .count() as u64;
        state.received_upto = state.received_upto.max(resp.cursor);
        device
            .store()
            .set_peer_state(&self.peer_key, &state, now.timestamp_millis())?;
        self.pending = None;
        self.progress.round += 1;
        self.progress.done = !resp.more && !resp.kb_more && !self.push_left;
        Ok(self.progress.done)
    }

    /// This device's knowledge-base records the hub lacks (made here or relayed from elsewhere,
    /// never the hub's own back), up to the wire's count and [`MAX_PUSH_BYTES`] / 2: the
    /// records, the log position they go up to, and whether more are left.
    fn kb_push(
        &self,
        device: &Device,
        sent_upto: i64,
    ) -> Result<(Vec<crate::kb::SignedKb>, i64, bool), SyncError> {
        let mut push = Vec::new();
        let (mut upto, mut bytes) = (sent_upto, 0usize);
        loop {
            let batch = device.store().kb_records_after(upto, 256, usize::MAX)?;
            if batch.is_empty() {
                return Ok((push, upto, false));
            }
            for l in batch {
                // The hub's own records: passed over here, never a round of their own.
                if l.source.as_deref() == Some(self.hub.as_str()) {
                    upto = l.seq;
                    continue;
                }
                if push.len() == wire::MAX_KB_PUSH || bytes >= MAX_PUSH_BYTES / 2 {
                    return Ok((push, upto, true));
                }
                bytes += l.signed.payload.len();
                upto = l.seq;
                push.push(l.signed);
            }
        }
    }

    /// Takes the hub's knowledge-base part of an answer: its records (each verified here) and
    /// what it refused of ours, both kept in the refusal log.
    fn kb_response(
        &mut self,
        device: &mut Device,
        resp: &SyncResponse,
        refusals: &mut Vec<RefusalRecord>,
        now: Timestamp,
    ) -> Result<(), SyncError> {
        let refusal = |code: String, zh: String, en: String| RefusalRecord {
            at: now.timestamp_millis(),
            peer: Some(self.hub.clone()),
            order: None,
            hash: None,
            code,
            message_zh: zh,
            message_en: en,
        };
        for r in &resp.kb_refused {
            self.progress.refused_by_hub += 1;
            refusals.push(refusal(
                r.code.clone(),
                r.message_zh.clone(),
                r.message_en.clone(),
            ));
        }
        for verdict in device.import_kb(&resp.kb, &self.hub)? {
            match verdict {
                Ok(crate::store::KbPut::New) => self.progress.pulled += 1,
                Ok(crate::store::KbPut::AlreadyHad) => {}
                Err(e) => {
                    self.progress.refused_here += 1;
                    refusals.push(refusal(
                        e.code().to_string(),
                        e.message_zh(),
                        e.message_en(),
                    ));
                }
            }
        }
        device
            .store()
            .set_kb_peer(&self.peer_key, resp.kb_acked_upto, resp.kb_cursor)?;
        Ok(())
    }

    fn resend_key(&self) -> String {
        format!("sync_resend/{}", self.peer_key)
    }

    /// Orders to ask the hub for whole (kept in the store, so a gap survives a restart).
    fn resend(&self, device: &Device) -> Result<Vec<String>, SyncError> {
        Ok(match device.store().meta_get(&self.resend_key())? {
            Some(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            None => Vec::new(),
        })
    }

    fn set_resend(
        &self,
        device: &Device,
        orders: &std::collections::BTreeSet<String>,
    ) -> Result<(), SyncError> {
        let bytes = serde_json::to_vec(orders).map_err(|e| SyncError::Malformed(e.to_string()))?;
        device.store().meta_set(&self.resend_key(), &bytes)?;
        Ok(())
    }

    /// Forgets the pending request after the transport gave up on it: the next `request`
    /// rebuilds it from the stored cursors (which the lost response may not have advanced).
    pub fn reset_pending(&mut self) {
        self.pending = None;
    }
}
