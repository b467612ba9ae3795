//! Content-addressed blobs (photos, recordings, documents), named by the digest of their bytes
//! ([`ContentName`]: SHA-256 as bare hex in `ed25519` cities, `sm3:`+hex in `sm` cities):
//! `blobs/<2 hex>/<62 hex>` for SHA-256, `blobs/sm3/<2 hex>/<62 hex>` for SM3, plus a `blobs`
//! table row with size and media type (its `sha256` column holds the name, whichever digest).
//!
//! Writes stream through a fixed buffer into a temp file in `blobs/` while hashing, fsync it,
//! then rename it into place (atomic) and fsync the directory; only then is the row inserted.
//! So a crash leaves at worst a stray temp file (swept on the next open) or an unlisted blob
//! file, never a listed blob with partial content.

use crate::error::{IoAt, PathIoError};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{BLOB_DIR, Store, StoreError};
use crate::identity::{ContentDigest, ContentName};

/// What the store knows about one blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobInfo {
    /// The content's name (lowercase hex SHA-256, or `sm3:` and hex SM3).
    pub sha256: String,
    pub size: u64,
    /// As given when the blob was first stored (e.g. `image/jpeg`).
    pub media_type: String,
}

/// Memory used while streaming, whatever the blob size.
const BUFFER_SIZE: usize = 64 * 1024;
/// Temp files start with this; no blob file can (blob files live in the 2-hex subdirectories).
const TEMP_PREFIX: &str = ".tmp-";
/// A temp file older than this belongs to a writer that crashed.
const STALE_TEMP_AGE: Duration = Duration::from_secs(3600);

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Checks that `s` is a content name (64 lowercase hex digits, bare or after `sm3:`) and reads
/// it. Called before any name from outside is used to build a path, so `../../etc/passwd` or
/// `ab/../..` never reach the file system.
pub fn check_blob_hash(s: &str) -> Result<ContentName<'_>, StoreError> {
    ContentName::parse(s).ok_or_else(|| StoreError::BadBlobHash {
        value: s.chars().take(80).collect(),
    })
}

/// The blob's file below the blob folder: SHA-256 names where they always were, SM3 names in
/// a folder of their own (`sm3` is no 2-hex folder, so the two never meet).
fn relative_blob_path(name: ContentName<'_>) -> PathBuf {
    let (head, tail) = name.hex.split_at(2);
    match name.digest {
        ContentDigest::Sha256 => Path::new(head).join(tail),
        ContentDigest::Sm3 => Path::new("sm3").join(head).join(tail),
    }
}

/// Removes a temp file when dropped, unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    renamed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            // Best effort: a leftover is swept at the next open.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Store {
    fn blob_dir(&self) -> PathBuf {
        self.dir.join(BLOB_DIR)
    }

    /// Where the blob's file is (or would be). `bad_blob_hash` for anything but a content name.
    pub fn blob_path(&self, sha256: &str) -> Result<PathBuf, StoreError> {
        let name = check_blob_hash(sha256)?;
        Ok(self.blob_dir().join(relative_blob_path(name)))
    }

    /// Streams `reader` into a new blob named by `digest` (the city's: [`ContentDigest::of_suite`]),
    /// or finds the identical one already stored.
    pub fn put_blob(
        &self,
        reader: &mut dyn Read,
        media_type: &str,
        digest: ContentDigest,
    ) -> Result<BlobInfo, StoreError> {
        let (temp, sha256, size) = self.write_temp(reader, digest)?;
        self.install(temp, &sha256, size, media_type)
    }

    /// Streams `reader` into the blob `sha256` announced in advance (import, sync). If the bytes
    /// hash to something else: `blob_hash_mismatch`, and nothing is kept.
    pub fn put_blob_expecting(
        &self,
        sha256: &str,
        reader: &mut dyn Read,
        media_type: &str,
    ) -> Result<BlobInfo, StoreError> {
        let digest = check_blob_hash(sha256)?.digest;
        let (temp, actual, size) = self.write_temp(reader, digest)?;
        if actual != sha256 {
            // `temp` is dropped here, which deletes the file.
            return Err(StoreError::BlobHashMismatch {
                expected: sha256.to_string(),
                actual,
            });
        }
        self.install(temp, &actual, size, media_type)
    }

    /// Whether the blob is listed and its file is present (not whether its content is intact:
    /// that is [`Store::verify_blob`]).
    pub fn has_blob(&self, sha256: &str) -> Result<bool, StoreError> {
        let path = self.blob_path(sha256)?;
        Ok(self.blob_info(sha256)?.is_some() && path.is_file())
    }

    /// The stored row of a blob.
    pub fn blob_info(&self, sha256: &str) -> Result<Option<BlobInfo>, StoreError> {
        check_blob_hash(sha256)?;
        let row: Option<(String, i64, String)> = self
            .conn
            .query_row(
                "SELECT sha256, size, media_type FROM blobs WHERE sha256 = ?1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(blob_info_from).transpose()
    }

    /// Opens the blob's file for reading. `blob_missing` if it is not there.
    pub fn open_blob(&self, sha256: &str) -> Result<File, StoreError> {
        let path = self.blob_path(sha256)?;
        File::open(&path).map_err(|e| missing_or_io(sha256, &path, e))
    }

    /// Re-hashes the blob's file (streamed): `Ok`, `blob_missing` or `blob_hash_mismatch`.
    pub fn verify_blob(&self, sha256: &str) -> Result<(), StoreError> {
        let digest = check_blob_hash(sha256)?.digest;
        let path = self.blob_path(sha256)?;
        let mut file = File::open(&path).map_err(|e| missing_or_io(sha256, &path, e))?;
        let mut hasher = digest.hasher();
        let mut buf = vec![0u8; BUFFER_SIZE];
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => hasher.update(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(PathIoError::new(&path, e).into()),
            }
        }
        let actual = hasher.finish();
        if actual == sha256 {
            Ok(())
        } else {
            Err(StoreError::BlobHashMismatch {
                expected: sha256.to_string(),
                actual,
            })
        }
    }

    /// Every listed blob, by hash.
    pub fn blobs(&self) -> Result<Vec<BlobInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT sha256, size, media_type FROM blobs ORDER BY sha256")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<(String, i64, String)>, _>>()?;
        rows.into_iter().map(blob_info_from).collect()
    }

    /// Copies `reader` into a fresh temp file through a fixed buffer while hashing, then fsyncs;
    /// the temp file, the content's name by `digest`, its size.
    fn write_temp(
        &self,
        reader: &mut dyn Read,
        digest: ContentDigest,
    ) -> Result<(TempFile, String, u64), StoreError> {
        let dir = self.blob_dir();
        let (mut file, temp) = create_temp(&dir)?;
        let path = temp.path.clone();
        let mut hasher = digest.hasher();
        let mut size: u64 = 0;
        let mut buf = vec![0u8; BUFFER_SIZE];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(StoreError::Io {
                        path: "(blob source)".to_string(),
                        message: e.to_string(),
                    });
                }
            };
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n]).at(&path)?;
            size += n as u64;
        }
        file.sync_all().at(&path)?;
        Ok((temp, hasher.finish(), size))
    }

    /// Renames the verified temp file into its content address and lists it.
    fn install(
        &self,
        mut temp: TempFile,
        sha256: &str,
        size: u64,
        media_type: &str,
    ) -> Result<BlobInfo, StoreError> {
        let dest = self.blob_path(sha256)?;
        let blob_dir = self.blob_dir();
        let parent = dest.parent().unwrap_or(&blob_dir).to_path_buf();
        if !parent.is_dir() {
            std::fs::create_dir_all(&parent).at(&parent)?;
            // Every folder made has its entry in the one above it, up to the blob folder.
            for made in parent.ancestors().skip(1) {
                sync_dir(made)?;
                if made == blob_dir {
                    break;
                }
            }
        }
        // Always rename, even when the blob exists: the new bytes are known to hash right, so a
        // damaged existing copy is healed for free. Same content → same name → dedup.
        std::fs::rename(&temp.path, &dest).at(&dest)?;
        temp.renamed = true;
        sync_dir(&parent)?;

        let size_sql = i64::try_from(size).map_err(|_| StoreError::InvalidInput {
            reason: format!("blob of {size} bytes is too large"),
        })?;
        let stored_at = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.conn.execute(
            "INSERT INTO blobs (sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sha256) DO NOTHING",
            params![sha256, size_sql, media_type, stored_at],
        )?;
        // The first media type given wins; report what is actually stored.
        Ok(self.blob_info(sha256)?.unwrap_or(BlobInfo {
            sha256: sha256.to_string(),
            size,
            media_type: media_type.to_string(),
        }))
    }
}

fn blob_info_from(
    (sha256, size, media_type): (String, i64, String),
) -> Result<BlobInfo, StoreError> {
    let size = u64::try_from(size).map_err(|_| StoreError::Corrupt {
        detail: format!("blob {sha256} has negative size {size}"),
    })?;
    Ok(BlobInfo {
        sha256,
        size,
        media_type,
    })
}

fn missing_or_io(sha256: &str, path: &Path, e: std::io::Error) -> StoreError {
    if e.kind() == ErrorKind::NotFound {
        StoreError::BlobMissing {
            sha256: sha256.to_string(),
        }
    } else {
        PathIoError::new(path, e).into()
    }
}

/// A new, exclusively created temp file in `dir` (pid + counter + time make clashes between
/// processes sharing the store unlikely; `create_new` makes them harmless).
fn create_temp(dir: &Path) -> Result<(File, TempFile), StoreError> {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut attempt = 0u32;
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{TEMP_PREFIX}{}-{n}-{nanos}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => {
                return Ok((
                    f,
                    TempFile {
                        path,
                        renamed: false,
                    },
                ));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
            Err(e) => return Err(PathIoError::new(&path, e).into()),
        }
    }
}

/// Makes a rename or a new directory entry durable: on POSIX the entry lives in the directory,
/// which has to be synced itself.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    Ok(File::open(dir).and_then(|d| d.sync_all()).at(dir)?)
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), StoreError> {
    // Windows cannot open a directory as a file; NTFS journals metadata changes itself.
    Ok(())
}

/// Deletes temp files left by writers that crashed (older than an hour, so a writer in another
/// process that is still streaming is left alone). Best effort: errors are ignored.
pub(super) fn sweep_stale_temp_files(blob_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(blob_dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
