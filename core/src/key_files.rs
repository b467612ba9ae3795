//! Keys kept in files: the edge where private keys meet the disk (the CLI, the hub's desk
//! tools, tests). Phones keep theirs in the Keystore / Keychain behind the same traits
//! ([`KeyCustody`], [`SealingCustody`]); nothing else in the core touches a key file.
//!
//! One small text file per key:
//!
//! ```text
//! hotline-key v1 ed25519            (a signing key)   or   hotline-key v1 x25519-sealing
//! secret <64 hex digits>
//! public <64 hex digits>
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

use ed25519_dalek::{Signer, SigningKey};
use rand_core::CryptoRngCore;

use crate::error::{IoAt, PathIoError};
use crate::identity::{
    IdentityError, KeyCustody, PublicKeyBytes, SealingCustody, SealingKeypair, SealingPublicKey,
    SignatureBytes,
};

const SIGNING_HEADER: &str = "hotline-key v1 ed25519";
const SEALING_HEADER: &str = "hotline-key v1 x25519-sealing";

/// An ed25519 signing key in a file (the format above).
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
        write_key_file(
            path,
            SIGNING_HEADER,
            &key.to_bytes(),
            &key.verifying_key().to_bytes(),
        )?;
        Ok(Self {
            path: path.to_path_buf(),
            key,
        })
    }

    /// Opens an existing key file.
    pub fn open(path: &Path) -> Result<Self, IdentityError> {
        let (secret, public) = read_key_file(path, SIGNING_HEADER)?;
        let key = SigningKey::from_bytes(&secret);
        if key.verifying_key().to_bytes() != public {
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

/// An X25519 sealing key in a file: the platform's or a handling unit's, which opens citizens'
/// contact details sealed to it.
pub struct FileSealingCustody {
    path: PathBuf,
    key: SealingKeypair,
}

impl FileSealingCustody {
    /// Writes a sealing secret (from an enrolment credential) into `path`.
    pub fn import(path: &Path, secret: [u8; 32]) -> Result<Self, IdentityError> {
        let key = SealingKeypair::from_secret_bytes(secret);
        write_key_file(path, SEALING_HEADER, &secret, &key.public_key().0)?;
        Ok(Self {
            path: path.to_path_buf(),
            key,
        })
    }

    /// Opens an existing sealing key file.
    pub fn open(path: &Path) -> Result<Self, IdentityError> {
        let (secret, public) = read_key_file(path, SEALING_HEADER)?;
        let key = SealingKeypair::from_secret_bytes(secret);
        if key.public_key().0 != public {
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
    public: &[u8; 32],
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

/// The secret and public halves a key file holds, checked for its header and shape.
fn read_key_file(path: &Path, header: &str) -> Result<([u8; 32], [u8; 32]), IdentityError> {
    check_permissions(path)?;
    let bytes = fs::read(path).at(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| corrupt(path, "not a text file"))?;
    let mut lines = text.lines();
    if lines.next() != Some(header) {
        return Err(corrupt(path, &format!("missing the `{header}` header")));
    }
    let secret = hex_field(lines.next(), "secret").map_err(|r| corrupt(path, r))?;
    let public = hex_field(lines.next(), "public").map_err(|r| corrupt(path, r))?;
    if lines.any(|l| !l.trim().is_empty()) {
        return Err(corrupt(path, "unexpected lines after the public key"));
    }
    Ok((secret, public))
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
