//! Photos travel apart from changes, in chunks, resumable after a cut and deduplicated by hash:
//! a 20 MB photo over a township's patchy link restarts where it stopped, not from zero.

use crate::error::IoAt;
use serde::{Deserialize, Serialize};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use super::SyncError;
use crate::store::Store;
use crate::store::check_blob_hash;

/// Bytes per chunk: small enough to retry cheaply on a bad link.
pub const CHUNK_BYTES: usize = 256 * 1024;
pub use crate::limits::MAX_BLOB_BYTES;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobChunk {
    pub sha256: String,
    pub media_type: String,
    pub offset: u64,
    pub total: u64,
    pub data: Vec<u8>,
}

/// How much of a blob a node holds after a chunk: resume from `held`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobHeld {
    pub held: u64,
    pub complete: bool,
}

fn partial_path(store: &Store, sha: &str) -> PathBuf {
    store
        .dir()
        .join(crate::store::PARTIAL_DIR)
        // A file name without the `sm3:` colon, which some file systems refuse.
        .join(format!("{}.part", sha.replace(':', "-")))
}

/// A blob is taken only as a record this node holds describes it: referenced by a stored
/// change, of the size and media type the signed record gives, and (from its first bytes) of
/// that type. So nobody can park files the city never asked for, nor swap a photo's kind.
fn check_against_records(store: &Store, chunk: &BlobChunk) -> Result<(), SyncError> {
    check_chunk(&store.blob_refs(&chunk.sha256)?, chunk)
}

/// [`receive`]'s check of a chunk against the records that reference its photo (`refs`), for
/// any store that keeps them.
pub fn check_chunk(refs: &[crate::store::BlobRef], chunk: &BlobChunk) -> Result<(), SyncError> {
    let sha256 = chunk.sha256.clone();
    if chunk.total > MAX_BLOB_BYTES {
        return Err(SyncError::BlobTooLarge {
            size: chunk.total,
            max: MAX_BLOB_BYTES,
        });
    }
    if refs.is_empty() {
        return Err(SyncError::BlobNotReferenced { sha256 });
    }
    let Some(r) = refs
        .iter()
        .find(|r| r.size == chunk.total && r.media_type == chunk.media_type)
    else {
        return Err(SyncError::BlobMismatch { sha256 });
    };
    if chunk.offset == 0 {
        let head = &chunk.data[..chunk.data.len().min(crate::limits::SNIFF_BYTES)];
        if crate::limits::sniff_media_type(head) != Some(r.media_type.as_str()) {
            return Err(SyncError::BlobMediaType { sha256 });
        }
    }
    Ok(())
}

/// What this node holds of a blob.
pub fn held(store: &Store, sha256: &str) -> Result<BlobHeld, SyncError> {
    check_blob_hash(sha256)?;
    if let Some(info) = store.blob_info(sha256)? {
        return Ok(BlobHeld {
            held: info.size,
            complete: true,
        });
    }
    let len = std::fs::metadata(partial_path(store, sha256)).map_or(0, |m| m.len());
    Ok(BlobHeld {
        held: len,
        complete: false,
    })
}

/// Takes one chunk. A chunk that does not start where the held part ends is ignored (the
/// answer says where to resume); the last chunk is checked against the hash before the blob is
/// kept, and a mismatch discards the partial upload.
pub fn receive(store: &Store, chunk: &BlobChunk) -> Result<BlobHeld, SyncError> {
    let now = held(store, &chunk.sha256)?;
    if now.complete {
        return Ok(now);
    }
    check_against_records(store, chunk)?;
    let end = chunk.offset.saturating_add(chunk.data.len() as u64);
    if chunk.offset != now.held || end > chunk.total {
        return Ok(now);
    }
    let path = partial_path(store, &chunk.sha256);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).at(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .at(&path)?;
    file.write_all(&chunk.data)
        .and_then(|()| file.sync_data())
        .at(&path)?;
    drop(file);
    if end < chunk.total {
        return Ok(BlobHeld {
            held: end,
            complete: false,
        });
    }
    let mut file = std::fs::File::open(&path).at(&path)?;
    let stored = store.put_blob_expecting(&chunk.sha256, &mut file, &chunk.media_type);
    let _ = std::fs::remove_file(&path);
    let info = stored?;
    Ok(BlobHeld {
        held: info.size,
        complete: true,
    })
}

/// One chunk of a blob this node holds, from `offset`.
pub fn read_chunk(store: &Store, sha256: &str, offset: u64) -> Result<BlobChunk, SyncError> {
    check_blob_hash(sha256)?;
    let info = store.blob_info(sha256)?.ok_or_else(|| {
        SyncError::Device(
            crate::store::StoreError::BlobMissing {
                sha256: sha256.to_string(),
            }
            .into(),
        )
    })?;
    let mut file = store.open_blob(sha256)?;
    let path = PathBuf::from(sha256);
    file.seek(SeekFrom::Start(offset.min(info.size)))
        .at(&path)?;
    let mut data = Vec::with_capacity(CHUNK_BYTES);
    file.take(CHUNK_BYTES as u64)
        .read_to_end(&mut data)
        .at(&path)?;
    Ok(BlobChunk {
        sha256: sha256.to_string(),
        media_type: info.media_type,
        offset,
        total: info.size,
        data,
    })
}
