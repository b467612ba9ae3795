//! Offline bundle files: everything a peer lacks, in one file for a USB stick, so a village with
//! no network still hands its records to the township.
//!
//! ```text
//! "HOTLINE-BUNDLE1\n"
//! frame*   each: u32 little-endian length, then a postcard-encoded Frame
//! ```
//! The last frame is `End` with the SHA-256 of every byte before it. Import reads the file twice:
//! first to check that digest (a truncated or altered file applies nothing), then to apply.
//! Every change is verified like any other arriving change; importing the same bundle again
//! changes nothing.

use crate::error::{IoAt, PathIoError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::SyncError;
use super::blobs::{BlobChunk, CHUNK_BYTES, receive};
use super::wire::{self, Packed};
use crate::device::{Device, ImportOutcome, WireChange};
use crate::identity::{Certificate, RevocationList, SealingPublicKey};
use crate::model::{Timestamp, UnitId};
use crate::store::PeerState;

const MAGIC: &[u8] = b"HOTLINE-BUNDLE1\n";
/// Largest frame accepted on import, so a damaged length cannot ask for gigabytes.
const MAX_FRAME: u32 = 16 * 1024 * 1024;
const CHANGES_PER_FRAME: usize = 256;

#[derive(Debug, Serialize, Deserialize)]
enum Frame {
    Header {
        from: String,
        to: String,
        made_at: i64,
        /// The exporter's log position the bundle goes up to.
        upto: i64,
        /// How far the exporter has got into the recipient's log.
        ack: i64,
    },
    Certificates(Vec<Certificate>),
    Revocations(RevocationList),
    Units(Vec<(UnitId, SealingPublicKey)>),
    Changes {
        certs: Vec<String>,
        changes: Vec<Packed>,
    },
    Blob(BlobChunk),
    End([u8; 32]),
    /// The exporter's newest catalogue (last in the enum: older frames keep their tags).
    Catalogue(crate::catalogue::SignedCatalogue),
    /// Knowledge-base records the exporter holds, a part at a time, before the changes (an
    /// instant answer among them may cite one).
    Knowledge(Vec<crate::kb::SignedKb>),
}

/// Knowledge-base records per bundle frame.
const KB_PER_FRAME: u32 = 256;

/// What an export or import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    pub from: String,
    pub to: String,
    pub changes: u64,
    pub applied: u64,
    pub already_had: u64,
    pub refused: Vec<(String, String)>,
    pub blobs: u64,
    pub bytes: u64,
    /// Knowledge-base records new here.
    #[serde(default)]
    pub kb_records: u64,
}

struct HashingWriter<W: Write> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.bytes += bytes.len() as u64;
        self.inner.write_all(bytes)
    }
    fn frame(&mut self, f: &Frame) -> Result<(), SyncError> {
        let body = wire::encode(f)?;
        let len = u32::try_from(body.len())
            .map_err(|_| SyncError::Malformed("frame too large".into()))?;
        self.put(&len.to_le_bytes())
            .and_then(|()| self.put(&body))
            .at(Path::new("bundle"))
            .map_err(SyncError::from)
    }
}

/// Writes everything `peer` (a node id) is not known to have into `out`.
pub fn export(
    device: &Device,
    peer: &str,
    out: &Path,
    now: Timestamp,
) -> Result<BundleReport, SyncError> {
    let me = device.node_id()?;
    let state = device.store().peer_state(peer)?;
    let tmp = out.with_extension("partial");
    let file = std::fs::File::create(&tmp).at(&tmp)?;
    let mut w = HashingWriter {
        inner: BufWriter::new(file),
        hash: Sha256::new(),
        bytes: 0,
    };
    w.put(MAGIC).at(&tmp)?;
    let upto = device.store().last_change_seq()?;
    w.frame(&Frame::Header {
        from: me.clone(),
        to: peer.to_string(),
        made_at: now.timestamp_millis(),
        upto,
        ack: state.received_upto,
    })?;
    w.frame(&Frame::Certificates(
        device.trust().certificates().cloned().collect(),
    ))?;
    if let Some(r) = device.trust().revocations() {
        w.frame(&Frame::Revocations(r.clone()))?;
    }
    w.frame(&Frame::Units(
        device
            .unit_directory()
            .iter()
            .map(|(u, k)| (u.clone(), *k))
            .collect(),
    ))?;
    // Before the changes: an intake in them may name this version.
    if let Some(c) = device.signed_catalogue()? {
        w.frame(&Frame::Catalogue(c))?;
    }
    // The whole knowledge base (it is small, and every device may hold it).
    let mut kb_cursor = 0;
    loop {
        let part = device
            .store()
            .kb_records_after(kb_cursor, KB_PER_FRAME, usize::MAX)?;
        let Some(last) = part.last() else { break };
        kb_cursor = last.seq;
        w.frame(&Frame::Knowledge(
            part.into_iter().map(|l| l.signed).collect(),
        ))?;
    }
    let mut report = BundleReport {
        from: me,
        to: peer.to_string(),
        ..BundleReport::default()
    };
    let mut cursor = state.sent_upto;
    loop {
        let batch = device
            .store()
            .changes_after(cursor, CHANGES_PER_FRAME as u32)?;
        let Some(last) = batch.last() else { break };
        cursor = last.seq;
        let changes: Vec<WireChange> = batch
            .iter()
            .filter(|lc| lc.source.as_deref() != Some(peer))
            .map(|lc| WireChange::from(&lc.change))
            .collect();
        report.changes += changes.len() as u64;
        let (certs, changes) = wire::pack(&changes);
        w.frame(&Frame::Changes { certs, changes })?;
    }
    for sha in device.store().blobs_not_at(peer, u32::MAX)? {
        let mut offset = 0;
        loop {
            let chunk = super::blobs::read_chunk(device.store(), &sha, offset)?;
            let n = chunk.data.len() as u64;
            let total = chunk.total;
            w.frame(&Frame::Blob(chunk))?;
            offset += n;
            if n == 0 || offset >= total {
                break;
            }
        }
        report.blobs += 1;
    }
    let digest: [u8; 32] = w.hash.clone().finalize().into();
    w.frame(&Frame::End(digest))?;
    report.bytes = w.bytes;
    let mut inner = w.inner;
    inner.flush().at(&tmp)?;
    let file = inner.into_inner().map_err(|e| e.into_error()).at(&tmp)?;
    file.sync_all().at(&tmp)?;
    std::fs::rename(&tmp, out).at(out)?;
    Ok(report)
}

/// Reads frames; `on_frame` sees each one, `End` included.
fn read_frames(
    path: &Path,
    mut on_frame: impl FnMut(Frame, &Sha256) -> Result<(), SyncError>,
) -> Result<(), SyncError> {
    let file = std::fs::File::open(path).at(path)?;
    let mut r = BufReader::new(file);
    let mut hash = Sha256::new();
    let mut magic = vec![0u8; MAGIC.len()];
    r.read_exact(&mut magic)
        .map_err(|_| SyncError::BadBundle("not a hotline bundle".into()))?;
    if magic != MAGIC {
        return Err(SyncError::BadBundle("not a hotline bundle".into()));
    }
    hash.update(&magic);
    loop {
        let mut len = [0u8; 4];
        match r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(SyncError::BadBundle(
                    "the file ends before its last frame".into(),
                ));
            }
            Err(e) => return Err(PathIoError::new(path, e).into()),
        }
        let n = u32::from_le_bytes(len);
        if n > MAX_FRAME {
            return Err(SyncError::BadBundle(format!("frame of {n} bytes")));
        }
        let mut body = vec![0u8; n as usize];
        r.read_exact(&mut body)
            .map_err(|_| SyncError::BadBundle("the file ends inside a frame".into()))?;
        let frame: Frame = wire::decode(&body).map_err(|e| SyncError::BadBundle(format!("{e}")))?;
        let is_end = matches!(frame, Frame::End(_));
        on_frame(frame, &hash)?;
        if is_end {
            return Ok(());
        }
        hash.update(len);
        hash.update(&body);
    }
}

/// Verifies the whole file, then applies it: certificates, revocations, unit keys, changes
/// (each verified as on any arrival), photos. Idempotent.
pub fn import(device: &mut Device, path: &Path, now: Timestamp) -> Result<BundleReport, SyncError> {
    // Pass 1: the digest, before anything is applied.
    read_frames(path, |frame, hash| {
        if let Frame::End(d) = frame {
            let got: [u8; 32] = hash.clone().finalize().into();
            if got != d {
                return Err(SyncError::BadBundle("checksum mismatch".into()));
            }
        }
        Ok(())
    })?;
    let mut report = BundleReport::default();
    let mut header: Option<(String, i64, i64)> = None;
    // A kiosk is a public device: a bundle gives it nothing back but the revocation list (it
    // hands its own records over, it does not collect others', nor who works where).
    let kiosk_only = !device.identities().is_empty()
        && device
            .identities()
            .iter()
            .all(|i| i.certificate.body.role == crate::model::Role::Kiosk);
    // A kiosk keeps, of the certificates a bundle carries, only those that signed its
    // knowledge-base records: without them it could not check one.
    let mut carried: Vec<crate::identity::Certificate> = Vec::new();
    read_frames(path, |frame, _| {
        match frame {
            Frame::Header {
                from,
                to,
                upto,
                ack,
                ..
            } => {
                report.from = from.clone();
                report.to = to;
                header = Some((from, upto, ack));
            }
            // A kiosk takes only the revocation list: nothing about the city's people.
            Frame::Certificates(certs) if kiosk_only => carried = certs,
            Frame::Units(_) if kiosk_only => {}
            Frame::Knowledge(records) => {
                if kiosk_only {
                    for r in &records {
                        if let Some(c) = carried.iter().find(|c| c.body.id.0 == r.cert) {
                            let _ = device.add_certificate(c.clone());
                        }
                    }
                }
                let source = header.as_ref().map_or("bundle", |(f, ..)| f.as_str());
                for (r, verdict) in records.iter().zip(device.import_kb(&records, source)?) {
                    match verdict {
                        Ok(crate::store::KbPut::New) => report.kb_records += 1,
                        Ok(crate::store::KbPut::AlreadyHad) => {}
                        // Named by the record's hash, where an order's refusal names the order.
                        Err(e) => report.refused.push((
                            format!("kb:{}", r.hash()),
                            crate::Coded::code(&e).to_string(),
                        )),
                    }
                }
            }
            Frame::Certificates(certs) => {
                for c in certs {
                    // Certificates not signed by this city's root are skipped: changes signed
                    // with them will then be refused one by one, with the reason.
                    let _ = device.add_certificate(c);
                }
            }
            Frame::Revocations(list) => device.accept_revocations(list)?,
            // Kiosks too: the catalogue holds nothing about people.
            Frame::Catalogue(c) => {
                device.accept_catalogue(&c)?;
            }
            Frame::Units(units) => device.update_unit_directory(units.into_iter().collect())?,
            Frame::Changes { .. } | Frame::Blob(_) if kiosk_only => {}
            Frame::Changes { certs, changes } => {
                let changes = wire::unpack(&certs, changes)?;
                report.changes += changes.len() as u64;
                let source = header.as_ref().map(|(f, ..)| f.clone());
                let outcomes = device.import_batch(&changes, source.as_deref(), now)?;
                for (c, o) in changes.iter().zip(outcomes) {
                    match o {
                        Ok(ImportOutcome::Applied) => report.applied += 1,
                        Ok(ImportOutcome::AlreadyHad) => report.already_had += 1,
                        Err(e) => report
                            .refused
                            .push((c.order.0.clone(), crate::Coded::code(&e).to_string())),
                    }
                }
            }
            Frame::Blob(chunk) => {
                let held = match receive(device.store(), &chunk) {
                    Ok(h) => h,
                    // A photo no imported record describes (its record was refused) is left
                    // out, not the whole bundle.
                    Err(
                        e @ (SyncError::BlobNotReferenced { .. }
                        | SyncError::BlobMismatch { .. }
                        | SyncError::BlobMediaType { .. }
                        | SyncError::BlobTooLarge { .. }),
                    ) => {
                        if chunk.offset == 0 {
                            report
                                .refused
                                .push((chunk.sha256.clone(), crate::Coded::code(&e).to_string()));
                        }
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                };
                if held.complete && chunk.offset + chunk.data.len() as u64 >= chunk.total {
                    report.blobs += 1;
                    if let Some((from, ..)) = &header {
                        device.store().mark_peer_blob(from, &chunk.sha256)?;
                    }
                }
            }
            Frame::End(_) => {}
        }
        Ok(())
    })?;
    if let Some((from, upto, ack)) = header {
        let mut s: PeerState = device.store().peer_state(&from)?;
        s.received_upto = s.received_upto.max(upto);
        s.sent_upto = s.sent_upto.max(ack);
        device
            .store()
            .set_peer_state(&from, &s, now.timestamp_millis())?;
    }
    report.bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    Ok(report)
}

/// Bytes per blob chunk in a bundle.
pub const BUNDLE_CHUNK_BYTES: usize = CHUNK_BYTES;
