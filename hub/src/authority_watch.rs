//! Keeping the hub's trust and directory in step with the city's enrolment authority while it
//! runs: `hotline hub enroll` and `hotline hub revoke` rewrite `authority.json` (atomically, by
//! rename); the hub notices the file changed before each request and takes in new certificates
//! and the newer revocation list, so a revoked phone is refused from its next request on. Only
//! `authority.json` is read: the hub never opens the root key or the sealing secrets.

use std::path::Path;
use std::time::SystemTime;

use hotline_core::authority::PublicAuthority;
use hotline_core::device::Device;
use hotline_core::identity::TrustStore;
use hotline_core::sync::Directory;

use crate::errors::HubError;

pub const LEDGER_FILE: &str = "authority.json";

/// Identifies one version of `authority.json`: a rename gives a new inode, a rewrite a new
/// mtime or length — any of them means "read it again".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

pub fn stamp(data_dir: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(data_dir.join(LEDGER_FILE)).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
        inode,
    })
}

/// Takes the authority's certificates and revocations into the hub's trust store (persisted in
/// its store), and returns the directory the hub hands out.
pub fn apply(device: &mut Device, authority: &PublicAuthority) -> Result<Directory, HubError> {
    for cert in &authority.issued {
        if device.trust().certificate(&cert.body.id).is_none() {
            device.add_certificate(cert.clone())?;
        }
    }
    if let Some(list) = &authority.revocations {
        device.accept_revocations(list.clone())?;
    }
    for catalogue in &authority.catalogues {
        device.accept_catalogue(catalogue)?;
    }
    Ok(directory_of(authority))
}

/// The directory the hub hands out: every certificate in issue order, the newest revocation
/// list, the units' sealing keys.
pub fn directory_of(authority: &PublicAuthority) -> Directory {
    Directory {
        certificates: authority.issued.clone(),
        revocations: authority.revocations.clone(),
        units: authority.units.clone(),
        catalogue: authority.catalogues.last().cloned(),
    }
}

/// Whom the city trusts, from the authority's public material alone (the PostgreSQL hub keeps
/// no trust store of its own: every process reads the same `authority.json`).
pub fn trust_of(authority: &PublicAuthority) -> Result<TrustStore, HubError> {
    let mut trust = TrustStore::new(authority.root)?;
    for cert in &authority.issued {
        trust.add_certificate(cert.clone())?;
    }
    if let Some(list) = &authority.revocations {
        trust.set_revocations(list.clone())?;
    }
    Ok(trust)
}

/// The API keys the authority issued, by their token's digest.
pub fn api_keys_of(
    authority: &PublicAuthority,
) -> std::collections::HashMap<String, hotline_core::api_key::ApiKeyRecord> {
    authority
        .api_keys
        .iter()
        .map(|k| (k.token_sha256.clone(), k.clone()))
        .collect()
}
