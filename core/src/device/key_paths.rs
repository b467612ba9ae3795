//! Where a device keeps its people's keys: one file per signing key and per sealing key, and
//! the move of sealing secrets from a credential (or an older store's JSON) into them.

use super::*;

pub(super) fn keys_dir(dir: &Path) -> PathBuf {
    dir.join("keys")
}

pub(super) fn key_path(dir: &Path, cert: &CertificateId) -> PathBuf {
    keys_dir(dir).join(format!("{}.key", cert.0))
}

/// Where a person's sealing key is kept: `KIND` is `unit` or `platform`.
fn sealing_key_path(dir: &Path, cert: &CertificateId, kind: &str) -> PathBuf {
    keys_dir(dir).join(format!("{}.{kind}-sealing.key", cert.0))
}

/// Where stores made before sealing keys had files of their own kept both secrets, as hex in
/// one JSON file; moved into key files the first time the store opens.
pub(super) fn legacy_sealing_path(dir: &Path, cert: &CertificateId) -> PathBuf {
    keys_dir(dir).join(format!("{}.sealing.json", cert.0))
}

/// Sealing secrets as a credential carries them (hex), into key files.
pub(super) fn import_sealing_secrets(
    dir: &Path,
    id: &CertificateId,
    secrets: &SealingSecrets,
) -> Result<(), DeviceError> {
    for (kind, secret) in [("unit", &secrets.unit), ("platform", &secrets.platform)] {
        let Some(keypair) = sealing_keypair(secret)? else {
            continue;
        };
        let path = sealing_key_path(dir, id, kind);
        if !path.exists() {
            FileSealingCustody::import_keypair(&path, &keypair)?;
        }
    }
    Ok(())
}

/// A person's sealing key of `kind`, from its key file if there is one.
pub(super) fn sealing_custody(
    dir: &Path,
    id: &CertificateId,
    kind: &str,
    writable: bool,
) -> Result<Option<Arc<dyn SealingCustody>>, DeviceError> {
    let path = sealing_key_path(dir, id, kind);
    if !path.exists() {
        return Ok(None);
    }
    match FileSealingCustody::open(&path) {
        Ok(c) => Ok(Some(Arc::new(c))),
        // Read-only, a key this user may not read opens nothing anyway.
        Err(_) if !writable => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn sealing_keypair(
    hex_secret: &Option<String>,
) -> Result<Option<SealingKeypair>, DeviceError> {
    hex_secret
        .as_deref()
        .map(|h| {
            SealingKeypair::from_secret_hex(h)
                .map_err(|_| DeviceError::Corrupt("sealing key".into()))
        })
        .transpose()
}

pub(super) fn read_private_json<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
) -> Result<T, DeviceError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| DeviceError::Corrupt(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(PathIoError::new(path, e).into()),
    }
}
