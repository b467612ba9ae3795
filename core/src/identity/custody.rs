//! Where a private signing key lives. The rest of the core only ever asks a custody to sign;
//! it never sees the private key, so a phone can keep it in Android Keystore or the iOS
//! Keychain (behind a foreign implementation of [`KeyCustody`]) and the city root can keep its
//! key offline.

use crate::error::{IoAt, PathIoError};
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey};
use rand_core::CryptoRngCore;

use super::errors::IdentityError;
use super::keys::{PublicKeyBytes, SignatureBytes};

/// Holds one ed25519 private key and signs with it.
pub trait KeyCustody: Send + Sync {
    /// The public half, as certified in the device's enrolment certificate.
    fn public_key(&self) -> PublicKeyBytes;
    /// Signs `message` exactly as given: callers build domain-separated messages.
    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError>;
}

/// A key held in process memory; for tests, and for keys that are generated, used and dropped.
/// The key is wiped from memory when dropped (ed25519-dalek zeroizes `SigningKey`).
pub struct MemoryKeyCustody {
    key: SigningKey,
}

impl MemoryKeyCustody {
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self {
            key: SigningKey::generate(rng),
        }
    }

    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(secret),
        }
    }
}

impl KeyCustody for MemoryKeyCustody {
    fn public_key(&self) -> PublicKeyBytes {
        self.key.verifying_key().into()
    }

    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError> {
        Ok(self.key.sign(message).into())
    }
}

impl fmt::Debug for MemoryKeyCustody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryKeyCustody")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

const FILE_HEADER: &str = "hotline-key v1 ed25519";

/// A key kept in a small text file, for the CLI and tests:
///
/// ```text
/// hotline-key v1 ed25519
/// secret <64 hex digits>
/// public <64 hex digits>
/// ```
///
/// The public line is redundant on purpose: a file whose secret was damaged (a flipped bit, a
/// truncated copy) no longer matches it and is reported as corrupt instead of silently
/// becoming a different, unenrolled key. On Unix the file is created with mode 0600 and is
/// refused when group or others can read it, as ssh does.
pub struct FileKeyCustody {
    path: PathBuf,
    key: SigningKey,
}

impl FileKeyCustody {
    /// Generates a new key into `path`. Never overwrites: an existing file is an error, since
    /// replacing an enrolled key locks the device out.
    pub fn create(path: &Path, rng: &mut impl CryptoRngCore) -> Result<Self, IdentityError> {
        Self::import(path, &SigningKey::generate(rng).to_bytes())
    }

    /// Writes a key the city generated at enrolment into `path` (same format and rules as
    /// [`Self::create`]); the credential that carried it should be deleted afterwards.
    pub fn import(path: &Path, secret: &[u8; 32]) -> Result<Self, IdentityError> {
        let key = SigningKey::from_bytes(secret);
        let text = format!(
            "{FILE_HEADER}\nsecret {}\npublic {}\n",
            hex::encode(key.to_bytes()),
            hex::encode(key.verifying_key().to_bytes())
        );
        let mut file = new_private_file(path)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .at(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            key,
        })
    }

    /// Opens an existing key file.
    pub fn open(path: &Path) -> Result<Self, IdentityError> {
        check_permissions(path)?;
        let bytes = fs::read(path).at(path)?;
        let key = parse_key_file(&bytes).map_err(|reason| IdentityError::KeyFileCorrupt {
            path: path.display().to_string(),
            reason: reason.to_string(),
        })?;
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
        self.key.verifying_key().into()
    }

    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError> {
        Ok(self.key.sign(message).into())
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

fn parse_key_file(bytes: &[u8]) -> Result<SigningKey, &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not a text file")?;
    let mut lines = text.lines();
    if lines.next() != Some(FILE_HEADER) {
        return Err("missing the `hotline-key v1 ed25519` header");
    }
    let secret = hex_field(lines.next(), "secret")?;
    let public = hex_field(lines.next(), "public")?;
    if lines.any(|l| !l.trim().is_empty()) {
        return Err("unexpected lines after the public key");
    }
    let key = SigningKey::from_bytes(&secret);
    if key.verifying_key().to_bytes() != public {
        return Err("the public key does not match the secret key");
    }
    Ok(key)
}

fn hex_field(line: Option<&str>, name: &str) -> Result<[u8; 32], &'static str> {
    let value = line
        .and_then(|l| l.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or("missing or misplaced key line")?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(value.trim(), &mut out).map_err(|_| "a key line is not 64 hex digits")?;
    Ok(out)
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
