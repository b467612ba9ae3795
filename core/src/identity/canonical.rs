//! The bytes that get signed.
//!
//! A hand-rolled length-prefixed encoding instead of serde_json: JSON output depends on the
//! serializer's choices (string escaping, how chrono prints sub-seconds, field renames), and
//! any such change between two app versions would silently break every old signature. Here
//! each field is written explicitly, in a fixed order:
//!
//! * the domain tag first (e.g. `hotline/v1/certificate\0`), so a signature made for one kind
//!   of record can never be replayed as another kind — all tags end in NUL, so none is a
//!   prefix of another;
//! * byte strings and text as a u64 big-endian length, then the bytes (UTF-8 for text), so
//!   no two field sequences encode to the same bytes;
//! * integers as u64 big-endian;
//! * instants as i64 big-endian Unix seconds, then u32 big-endian nanoseconds.

use crate::model::Timestamp;

pub(crate) const CERTIFICATE_DOMAIN: &[u8] = b"hotline/v1/certificate\0";
pub(crate) const REVOCATION_DOMAIN: &[u8] = b"hotline/v1/revocation\0";
pub(crate) const CHANGE_DOMAIN: &[u8] = b"hotline/v1/change\0";
pub(crate) const CATALOGUE_DOMAIN: &[u8] = b"hotline/v1/catalogue\0";
pub(crate) const KNOWLEDGE_DOMAIN: &[u8] = b"hotline/v1/knowledge\0";
pub(crate) const ACCESS_DOMAIN: &[u8] = b"hotline/v1/access\0";

#[derive(Debug)]
pub(crate) struct Canonical {
    buf: Vec<u8>,
}

impl Canonical {
    pub(crate) fn new(domain: &[u8]) -> Self {
        Self {
            buf: domain.to_vec(),
        }
    }

    pub(crate) fn bytes(mut self, bytes: &[u8]) -> Self {
        self.buf
            .extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        self.buf.extend_from_slice(bytes);
        self
    }

    pub(crate) fn text(self, s: &str) -> Self {
        self.bytes(s.as_bytes())
    }

    pub(crate) fn number(mut self, n: u64) -> Self {
        self.buf.extend_from_slice(&n.to_be_bytes());
        self
    }

    pub(crate) fn instant(mut self, t: &Timestamp) -> Self {
        self.buf.extend_from_slice(&t.timestamp().to_be_bytes());
        self.buf
            .extend_from_slice(&t.timestamp_subsec_nanos().to_be_bytes());
        self
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf
    }
}
