//! What stands between Automerge and bytes from elsewhere.
//!
//! * **Size before parsing.** A change is at most [`MAX_CHANGE_BYTES`] as sent and
//!   [`MAX_CHANGE_RAW_BYTES`] once inflated. Automerge inflates a compressed change chunk into
//!   memory without a bound, so a 64 KiB deflate bomb would become 64 MiB; the inflated size is
//!   measured here first, streaming into nothing. Only the chunk header is read for that (magic,
//!   checksum, type, LEB128 length — the published Automerge binary format).
//! * **No panic gets out.** Automerge 0.12 can assert on a change that parses but does not fit
//!   the document (see the fuzz corpus, `fuzz/corpus/change_preview`); every call that takes
//!   foreign bytes runs inside [`guarded`], so such a change is a typed refusal, never a crash
//!   of the hub or the CLI.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::DocError;

/// Largest change accepted as it travels (Automerge's compressed form).
pub const MAX_CHANGE_BYTES: usize = 64 * 1024;
/// Largest change once inflated: a record with every text field full is far below it.
pub const MAX_CHANGE_RAW_BYTES: usize = 256 * 1024;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_COMPRESSED: u8 = 2;

/// Refuses change bytes that are too large as sent or once inflated, before Automerge sees them.
pub fn check_change_size(bytes: &[u8]) -> Result<(), DocError> {
    let too_large = |size: usize, max: usize| DocError::TooLarge { size, max };
    if bytes.len() > MAX_CHANGE_BYTES {
        return Err(too_large(bytes.len(), MAX_CHANGE_BYTES));
    }
    if bytes.len() > MAX_CHANGE_RAW_BYTES {
        return Err(too_large(bytes.len(), MAX_CHANGE_RAW_BYTES));
    }
    // Only a compressed chunk can grow; anything else is parsed (and judged) by Automerge.
    if bytes.get(..4) != Some(&MAGIC[..]) || bytes.get(8) != Some(&CHUNK_COMPRESSED) {
        return Ok(());
    }
    let Some((len, used)) = leb128_u64(bytes.get(9..).unwrap_or_default()) else {
        return Ok(());
    };
    let start = 9 + used;
    let data = usize::try_from(len)
        .ok()
        .and_then(|len| bytes.get(start..start.checked_add(len)?));
    let Some(data) = data else {
        return Ok(());
    };
    let limit = MAX_CHANGE_RAW_BYTES as u64;
    let mut inflater = flate2::read::DeflateDecoder::new(data).take(limit + 1);
    let inflated = std::io::copy(&mut inflater, &mut std::io::sink()).unwrap_or(0);
    if inflated > limit {
        return Err(too_large(
            usize::try_from(inflated).unwrap_or(usize::MAX),
            MAX_CHANGE_RAW_BYTES,
        ));
    }
    Ok(())
}

/// An unsigned LEB128 number and how many bytes it took; `None` if it does not end within ten
/// bytes.
fn leb128_u64(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().take(10).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Runs Automerge code on foreign input; a panic inside becomes [`DocError::Automerge`].
pub fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, DocError>) -> Result<T, DocError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        Err(DocError::Automerge(format!(
            "{what} stopped on an internal assertion ({detail})"
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deflate_bomb_is_measured_without_being_kept() {
        use std::io::Write;
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let _ = enc.write_all(&zeros);
        let data = enc.finish().unwrap_or_default();
        assert!(data.len() < MAX_CHANGE_BYTES);
        let mut chunk = MAGIC.to_vec();
        chunk.extend_from_slice(&[0, 0, 0, 0, CHUNK_COMPRESSED]);
        let mut len = data.len() as u64;
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                chunk.push(byte);
                break;
            }
            chunk.push(byte | 0x80);
        }
        chunk.extend_from_slice(&data);
        assert!(matches!(
            check_change_size(&chunk),
            Err(DocError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_panic_becomes_a_refusal() {
        let out: Result<(), DocError> = guarded("test", || {
            let v: Vec<u8> = Vec::new();
            let i = v.len() + 3;
            assert!(v.get(i).is_some(), "boom");
            Ok(())
        });
        assert!(matches!(out, Err(DocError::Automerge(m)) if m.contains("boom")));
    }
}
