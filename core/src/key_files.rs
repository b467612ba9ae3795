//! Keys kept in files: the edge where private keys meet the disk (the CLI, the hub's desk
//! tools, tests). Phones keep theirs in the Keystore / Keychain behind the same traits
//! ([`KeyCustody`], [`SealingCustody`]); nothing else in the core touches a key file.
//!
//! One small text file per key:
//!
//! ```text
//! hotline-key v1 ed25519     (a signing key; `hotline-key v1 sm2` in a city of the SM suite)
//! secret <64 hex digits>                        or   hotline-key v1 x25519-sealing
//! public <64 hex digits>     (130 for an SM2 key: its uncompressed point)
//! ```
//!
//! The public line is redundant on purpose: a file whose secret was damaged (a flipped bit, a
//! truncated copy) no longer matches it and is reported as corrupt instead of silently becoming
//! a different, unenrolled key. On Unix a key file is created with mode 0600 and refused when
//! group or others can read it, as ssh does. A key file is never overwritten.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand_core::CryptoRngCore;

use crate::error::{IoAt, PathIoError};
use crate::identity::{
    CryptoSuite, IdentityError, KeyCustody, MemoryKeyCustody, PublicKeyBytes, SealingCustody,
    SealingKeypair, SealingPublicKey, SignatureBytes,
};

const SIGNING_HEADER: &str = "hotline-key v1 ed25519";
const SM2_SIGNING_HEADER: &str = "hotline-key v1 sm2";
const SEALING_HEADER: &str = "hotline-key v1 x25519-sealing";
const SM2_SEALING_HEADER: &str = "hotline-key v1 sm2-sealing";

fn signing_header(suite: CryptoSuite) -> &'static str {
    match suite {
        CryptoSuite::Ed25519 => SIGNING_HEADER,
        CryptoSuite::Sm => SM2_SIGNING_HEADER,
    }
}

/// A signing key in a file (the format above), of either suite.
pub struct FileKeyCustody {
    path: PathBuf,
    key: MemoryKeyCustody,
}

impl FileKeyCustody {
    /// Generates a new ed25519 key into `path`. Never overwrites: an existing file is an
    /// error, since replacing an enrolled key locks the device out.
    pub fn create(path: &Path, rng: &mut impl CryptoRngCore) -> Result<Self, IdentityError> {
        Self::create_in(CryptoSuite::Ed25519, path, rng)
    }

    /// [`Self::create`] for a key of `suite`.
    pub fn create_in(
        suite: CryptoSuite,
        path: &Path,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, IdentityError> {
        Self::store(path, MemoryKeyCustody::generate_in(suite, rng))
    }

    /// Writes an ed25519 key the city generated at enrolment into `path` (same format and
    /// rules as [`Self::create`]); the credential that carried it should be deleted afterwards.
    pub fn import(path: &Path, secret: &[u8; 32]) -> Result<Self, IdentityError> {
        Self::import_in(CryptoSuite::Ed25519, path, secret)
    }

    /// [`Self::import`] for a key of `suite`.
    pub fn import_in(
        suite: CryptoSuite,
        path: &Path,
        secret: &[u8; 32],
    ) -> Result<Self, IdentityError> {
        Self::store(path, MemoryKeyCustody::from_secret(suite, secret)?)
    }

    fn store(path: &Path, key: MemoryKeyCustody) -> Result<Self, IdentityError> {
        let public = key.public_key();
        write_key_file(
            path,
            signing_header(public.suite()),
            &key.secret_bytes(),
            public.as_bytes(),
        )?;
        Ok(Self {
            path: path.to_path_buf(),
            key,
        })
    }

    /// Opens an existing key file, of either suite (its header says which).
    pub fn open(path: &Path) -> Result<Self, IdentityError> {
        let (header, secret, public) = read_key_file(path, &[SIGNING_HEADER, SM2_SIGNING_HEADER])?;
        let suite = if header == SM2_SIGNING_HEADER {
            CryptoSuite::Sm
        } else {
            CryptoSuite::Ed25519
        };
        let key = MemoryKeyCustody::from_secret(suite, &secret)
            .map_err(|_| corrupt(path, "the secret is not a key of its algorithm"))?;
        if key.public_key().as_bytes() != public.as_slice() {
            return Err(corrupt(
                path,
                "the public key does not match the secret key",
            ));
        }
        Ok(Self {
            path: path.to_path_buf(),
            key,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KeyCustody for FileKeyCustody {
    fn public_key(&self) -> PublicKeyBytes {
        self.key.public_key()
    }

    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError> {
        self.key.sign(message)
    }
}

impl fmt::Debug for FileKeyCustody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileKeyCustody")
            .field("path", &self.path)
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

/// A sealing key (X25519, or SM2) in a file: the platform's or a handling unit's, which opens citizens'
/// contact details sealed to it.
pub struct FileSealingCustody {
    path: PathBuf,
    key: SealingKeypair,
}

impl FileSealingCustody {
    /// Writes an X25519 sealing secret (from an enrolment credential) into `path`.
    pub fn import(path: &Path, secret: [u8; 32]) -> Result<Self, IdentityError> {
        Self::import_keypair(path, &SealingKeypair::from_secret_bytes(secret))
    }

    /// Writes a sealing key pair of either suite into `path` (its header says which).
    pub fn import_keypair(path: &Path, keypair: &SealingKeypair) -> Result<Self, IdentityError> {
        let header = match keypair.suite() {
            CryptoSuite::Ed25519 => SEALING_HEADER,
            CryptoSuite::Sm => SM2_SEALING_HEADER,
        };
        let secret = zeroize::Zeroizing::new(keypair.to_secret_bytes());
        write_key_file(path, header, &secret, keypair.public_key().as_bytes())?;
        Ok(Self {
            path: path.to_path_buf(),
            key: SealingKeypair::from_secret(keypair.suite(), *secret)?,
        })
    }

    /// Opens an existing sealing key file.
    pub fn open(path: &Path) -> Result<Self, IdentityError> {
        let (header, secret, public) = read_key_file(path, &[SEALING_HEADER, SM2_SEALING_HEADER])?;
        let suite = if header == SM2_SEALING_HEADER {
            CryptoSuite::Sm
        } else {
            CryptoSuite::Ed25519
        };
        let key = SealingKeypair::from_secret(suite, secret)
            .map_err(|_| corrupt(path, "the secret is not a key of its algorithm"))?;
        if key.public_key().as_bytes() != public.as_slice() {
            return Err(corrupt(
                path,
                "the public key does not match the secret key",
            ));
        }
        Ok(Self {
            path: path.to_path_buf(),
            key,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl SealingCustody for FileSealingCustody {
    fn public_key(&self) -> SealingPublicKey {
        self.key.public_key()
    }

    fn unseal(&self, sealed_box: &[u8]) -> Result<Vec<u8>, IdentityError> {
        self.key.unseal(sealed_box)
    }
}

impl fmt::Debug for FileSealingCustody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileSealingCustody")
            .field("path", &self.path)
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

fn corrupt(path: &Path, reason: &str) -> IdentityError {
    IdentityError::KeyFileCorrupt {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn write_key_file(
    path: &Path,
    header: &str,
    secret: &[u8; 32],
    public: &[u8],
) -> Result<(), IdentityError> {
    let text = format!(
        "{header}\nsecret {}\npublic {}\n",
        hex::encode(secret),
        hex::encode(public)
    );
    let mut file = new_private_file(path)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .at(path)?;
    Ok(())
}

/// The header (one of `headers`), secret and public halves a key file holds, checked for its
/// shape.
fn read_key_file<'h>(
    path: &Path,
    headers: &[&'h str],
) -> Result<(&'h str, [u8; 32], Vec<u8>), IdentityError> {
    check_permissions(path)?;
    let bytes = fs::read(path).at(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| corrupt(path, "not a text file"))?;
    let mut lines = text.lines();
    let first = lines.next();
    let Some(header) = headers.iter().copied().find(|h| first == Some(*h)) else {
        return Err(corrupt(
            path,
            &format!("missing the `{}` header", headers.join("` or `")),
        ));
    };
    let secret = hex_field(lines.next(), "secret").map_err(|r| corrupt(path, r))?;
    let public = hex_line(lines.next(), "public").map_err(|r| corrupt(path, r))?;
    if lines.any(|l| !l.trim().is_empty()) {
        return Err(corrupt(path, "unexpected lines after the public key"));
    }
    Ok((header, secret, public))
}

fn line_value<'a>(line: Option<&'a str>, name: &str) -> Result<&'a str, &'static str> {
    line.and_then(|l| l.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix(' '))
        .map(str::trim)
        .ok_or("missing or misplaced key line")
}

fn hex_field(line: Option<&str>, name: &str) -> Result<[u8; 32], &'static str> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(line_value(line, name)?, &mut out)
        .map_err(|_| "a key line is not 64 hex digits")?;
    Ok(out)
}

/// A public key line: 32 bytes (ed25519, X25519) or 65 (an SM2 point).
fn hex_line(line: Option<&str>, name: &str) -> Result<Vec<u8>, &'static str> {
    hex::decode(line_value(line, name)?)
        .ok()
        .filter(|b| b.len() == 32 || b.len() == 65)
        .ok_or("a key line is not 64 or 130 hex digits")
}

fn new_private_file(path: &Path) -> Result<fs::File, IdentityError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            IdentityError::KeyFileExists {
                path: path.display().to_string(),
            }
        } else {
            PathIoError::new(path, e).into()
        }
    })
}

#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), IdentityError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).at(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(IdentityError::KeyFilePermissions {
            path: path.display().to_string(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path) -> Result<(), IdentityError> {
    Ok(())
}
