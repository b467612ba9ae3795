//! Names of content by its digest: a photo (or any blob) is named by the hash of its bytes, and
//! the signed record that attaches it carries that name — so the photo's integrity rests on
//! the signature *and* on the digest. A city of the `sm` suite therefore names its photos by
//! SM3 (GB/T 39786 asks integrity of important data to use the national algorithms), a city of
//! the `ed25519` suite by SHA-256 as before.
//!
//! A name says its algorithm, like keys and signatures do: 64 lowercase hex digits alone are
//! SHA-256 (every name made before suites existed reads unchanged), `sm3:` then 64 lowercase
//! hex digits is SM3.

use sha2::Digest as _;

use super::CryptoSuite;

/// The hash a content name is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentDigest {
    Sha256,
    Sm3,
}

const SM3_PREFIX: &str = "sm3:";

impl ContentDigest {
    /// The digest the suite names content with.
    pub fn of_suite(suite: CryptoSuite) -> ContentDigest {
        match suite {
            CryptoSuite::Ed25519 => ContentDigest::Sha256,
            CryptoSuite::Sm => ContentDigest::Sm3,
        }
    }

    /// The suite whose names use this digest.
    pub fn suite(self) -> CryptoSuite {
        match self {
            ContentDigest::Sha256 => CryptoSuite::Ed25519,
            ContentDigest::Sm3 => CryptoSuite::Sm,
        }
    }

    /// A hasher to stream content through.
    pub fn hasher(self) -> ContentHasher {
        match self {
            ContentDigest::Sha256 => ContentHasher::Sha256(sha2::Sha256::new()),
            ContentDigest::Sm3 => ContentHasher::Sm3(<sm3::Sm3 as sm3::Digest>::new()),
        }
    }

    /// The name of `bytes` held in memory.
    pub fn name_of(self, bytes: &[u8]) -> String {
        let mut h = self.hasher();
        h.update(bytes);
        h.finish()
    }

    /// The name of a content whose digest is `digest`.
    fn name(self, digest: &[u8]) -> String {
        match self {
            ContentDigest::Sha256 => hex::encode(digest),
            ContentDigest::Sm3 => format!("{SM3_PREFIX}{}", hex::encode(digest)),
        }
    }
}

/// A content name read: its digest and the 64 hex digits of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentName<'a> {
    pub digest: ContentDigest,
    pub hex: &'a str,
}

impl<'a> ContentName<'a> {
    /// `None` for anything but a well-formed name (64 lowercase hex digits, bare or after
    /// `sm3:`): callers build file paths from names, so nothing else may pass.
    pub fn parse(s: &'a str) -> Option<ContentName<'a>> {
        let (digest, hex) = match s.strip_prefix(SM3_PREFIX) {
            Some(rest) => (ContentDigest::Sm3, rest),
            None => (ContentDigest::Sha256, s),
        };
        let well_formed =
            hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        well_formed.then_some(ContentName { digest, hex })
    }
}

/// A digest being computed over streamed content.
#[derive(Debug, Clone)]
pub enum ContentHasher {
    Sha256(sha2::Sha256),
    Sm3(sm3::Sm3),
}

impl ContentHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            ContentHasher::Sha256(h) => h.update(bytes),
            ContentHasher::Sm3(h) => sm3::Digest::update(h, bytes),
        }
    }

    /// The content's name.
    pub fn finish(self) -> String {
        match self {
            ContentHasher::Sha256(h) => ContentDigest::Sha256.name(&h.finalize()),
            ContentHasher::Sm3(h) => ContentDigest::Sm3.name(&sm3::Digest::finalize(h)),
        }
    }
}
