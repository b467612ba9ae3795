//! A kiosk, phone or desk: enrolled identities, the local store, and every user action as one
//! signed change, checked before it is written and written in one transaction.
//!
//! Nothing is applied unchecked. A change made here passes the certificate check (known,
//! unrevoked, valid now) and the workflow's [`decide`] before it is signed and stored; a change
//! read back from the store has its hash and signature checked again; a change received from
//! another device ([`Device::import_change`]) is checked for signature, certificate, revocation,
//! validity at the time it claims, the actor it claims, and the actor's permission in the state
//! the actor had seen (its causal past) — concurrent conflicts are then the fold's business.

mod admission;
mod cache;
mod catalogue;
mod credential;
mod errors;
mod import;
mod index_row;
mod inputs;
mod intake_match;
mod key_paths;
mod knowledge;
mod merging;
mod open;
mod people;
mod photos;
mod reading;
mod verify;
mod views;
mod writing;

pub use admission::{ImportPlan, Outcome, Rules, StoredOrders, plan_import};
pub use credential::Credential;
pub use errors::DeviceError;
pub use import::{
    Arrival, CLOCK_SKEW, Checked, OFFLINE_GRACE, Verified, WireChange, verify_incoming,
};
pub use inputs::{CategoryChoice, PhotoInput, PhotoSource, SiteSupervisionInput, SubmitRequest};
pub use intake_match::{MatchCandidate, MatchWindow};
use key_paths::{
    import_sealing_secrets, key_path, keys_dir, legacy_sealing_path, read_private_json,
    sealing_custody, sealing_keypair,
};
pub use knowledge::{KbDraft, MAX_KB_HITS};
pub use merging::SplitPart;
pub use reading::check_stored_change;
pub use verify::{Problem, VerifyReport};
pub use views::{ImportOutcome, OrderView, ReceiptPart, ReceiptStatus, Submitted, receipt_status};

use crate::error::{IoAt, PathIoError};
use rand_core::{OsRng, RngCore};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::doc::{self, OrderDoc, SealedCopy};
use crate::identity::{
    Certificate, CertificateId, ContactDetails, KeyCustody, PublicKeyBytes, RevocationList,
    SealedContact, SealingCustody, SealingKeypair, SealingPublicKey, SignedEnvelope, TrustStore,
};
use crate::key_files::{FileKeyCustody, FileSealingCustody};
use crate::model::{
    Action, Actor, AttachmentRef, Event, EventId, OrderDetails, OrderId, Timestamp, UnitId,
};
use crate::policy::{HolidayCalendar, Policy};
use crate::store::{ActionRecord, InboxQuery, IndexRow, Store, StoredChange};
use crate::workflow::{self, OrderDeadlines, OrderState, decide, fold};
use cache::DocCache;
use credential::SealingSecrets;

const META_ROOT: &str = "root_public";
const META_PLATFORM: &str = "platform_sealing";
const META_POLICY: &str = "policy";
const META_UNITS: &str = "unit_directory";
const META_IDENTITIES: &str = "identities";
const META_NODE: &str = "node_id";
/// Recipient id of the copy sealed to the platform.
pub const PLATFORM_RECIPIENT: &str = "platform";

/// Recipient id of the copy sealed to a handling unit.
pub fn unit_recipient(unit: &UnitId) -> String {
    format!("unit:{unit}")
}

/// One person enrolled on this device, with the key that signs for them.
pub struct Identity {
    pub certificate: Certificate,
    custody: Arc<dyn KeyCustody>,
    /// Opens copies sealed to the person's unit (staff, unit heads).
    unit_sealing: Option<Arc<dyn SealingCustody>>,
    /// Opens the platform's copy and re-seals it for units (the center's desk).
    platform_sealing: Option<Arc<dyn SealingCustody>>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("certificate", &self.certificate.body.id)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Signs with this person's device key (sync requests; changes go through `write`).
    pub fn sign(&self, message: &[u8]) -> Result<crate::identity::SignatureBytes, DeviceError> {
        Ok(self.custody.sign(message)?)
    }

    pub fn actor(&self) -> Actor {
        let b = &self.certificate.body;
        Actor {
            person: b.person.clone(),
            role: b.role,
            unit: b.unit.clone(),
        }
    }
}

#[derive(Debug)]
pub struct Device {
    store: Store,
    trust: TrustStore,
    policy: Policy,
    calendar: HolidayCalendar,
    platform_sealing: SealingPublicKey,
    unit_directory: BTreeMap<UnitId, SealingPublicKey>,
    /// Every signed catalogue version received, verified.
    catalogues: crate::catalogue::CatalogueSet,
    identities: Vec<Identity>,
    cache: RefCell<DocCache>,
    /// Opened with [`Device::open_read_only`]: reads only.
    read_only: bool,
}

/// Documents kept loaded: enough for a phone's working set and a hub's burst of ingest, small
/// enough that memory does not grow with the number of stored orders.
pub const DOC_CACHE_CAPACITY: usize = 64;
/// Bytes of (inflated) changes the loaded documents may hold together.
pub const DOC_CACHE_BYTES: usize = 8 * 1024 * 1024;

fn json_meta<T: serde::de::DeserializeOwned>(
    store: &Store,
    key: &str,
) -> Result<Option<T>, DeviceError> {
    match store.meta_get(key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| DeviceError::Corrupt(format!("meta {key}: {e}"))),
    }
}

fn set_json_meta<T: Serialize>(store: &Store, key: &str, value: &T) -> Result<(), DeviceError> {
    let bytes = serde_json::to_vec(value).map_err(DeviceError::encode("a meta value"))?;
    store.meta_set(key, &bytes)?;
    Ok(())
}

fn random_id(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    format!("{prefix}{}", hex::encode(buf))
}

impl Device {
    pub fn store(&self) -> &Store {
        &self.store
    }
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }
    pub fn unit_directory(&self) -> &BTreeMap<UnitId, SealingPublicKey> {
        &self.unit_directory
    }
    /// A stable id for this store, used as its name in offline bundles.
    pub fn node_id(&self) -> Result<String, DeviceError> {
        if let Some(id) = json_meta::<String>(&self.store, META_NODE)? {
            return Ok(id);
        }
        let id = random_id("node-", 8);
        set_json_meta(&self.store, META_NODE, &id)?;
        Ok(id)
    }
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
    pub fn calendar(&self) -> &HolidayCalendar {
        &self.calendar
    }
    /// How many order documents are loaded in memory (bounded by [`DOC_CACHE_CAPACITY`]).
    pub fn cached_documents(&self) -> usize {
        self.cache.borrow().len()
    }
    /// Bytes of changes the loaded documents hold (bounded by [`DOC_CACHE_BYTES`]).
    pub fn cached_bytes(&self) -> usize {
        self.cache.borrow().bytes()
    }
}
