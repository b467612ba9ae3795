//! A kiosk, phone or desk: enrolled identities, the local store, and every user action as one
//! signed change, checked before it is written and written in one transaction.
//!
//! Nothing is applied unchecked. A change made here passes the certificate check (known,
//! unrevoked, valid now) and the workflow's [`decide`] before it is signed and stored; a change
//! read back from the store has its hash and signature checked again; a change received from
//! another device ([`Device::import_change`]) is checked for signature, certificate, revocation,
//! validity at the time it claims, the actor it claims, and the actor's permission in the state
//! the actor had seen (its causal past) — concurrent conflicts are then the fold's business.

mod cache;
mod credential;
mod errors;
mod import;
mod index_row;
mod inputs;
mod verify;

pub use credential::Credential;
pub use errors::DeviceError;
pub use import::{
    Arrival, CLOCK_SKEW, Checked, OFFLINE_GRACE, Verified, WireChange, verify_incoming,
};
pub use inputs::{PhotoInput, PhotoSource, SiteSupervisionInput, SubmitRequest};
pub use verify::{Problem, VerifyReport};

use crate::error::{IoAt, PathIoError};
use ed25519_dalek::Verifier;
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

/// A submitted request as the citizen sees it on the kiosk screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submitted {
    pub order: OrderId,
    pub receipt: String,
}

/// What a receipt-code lookup shows: never anything personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReceiptStatus {
    pub receipt: String,
    pub kind: crate::model::RequestKind,
    pub status: workflow::Status,
    pub status_zh: String,
    pub next_due: Option<Timestamp>,
    pub next_due_kind: Option<workflow::DeadlineKind>,
    pub updated_at: Option<Timestamp>,
    /// When not accepted: the ground and its basis, as the citizen must be told (Turpan
    /// art. 13). Absent from hubs before it existed.
    #[serde(default)]
    pub not_accepted: Option<crate::store::NotAcceptedNotice>,
    /// The handling deadline while the unit works on it: after an approved extension, the
    /// new one.
    #[serde(default)]
    pub handling_due: Option<Timestamp>,
    /// An approved extension of this round (Turpan art. 18: the citizen is told).
    #[serde(default)]
    pub extension: Option<crate::store::ExtensionNotice>,
    /// The unit's delay notice of this round (Puyang).
    #[serde(default)]
    pub delay_notice: Option<crate::store::DelayNoticeText>,
}

/// An order as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderView {
    pub state: OrderState,
    /// `None` when a deadline falls outside the known holiday calendar; `deadline_error` then
    /// says why (a deadline is never guessed).
    pub deadlines: Option<OrderDeadlines>,
    pub deadline_error: Option<crate::error::ErrorCode>,
}

/// What happened to a change received from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ImportOutcome {
    Applied,
    AlreadyHad,
}

#[derive(Debug)]
pub struct Device {
    store: Store,
    trust: TrustStore,
    policy: Policy,
    calendar: HolidayCalendar,
    platform_sealing: SealingPublicKey,
    unit_directory: BTreeMap<UnitId, SealingPublicKey>,
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

fn keys_dir(dir: &Path) -> PathBuf {
    dir.join("keys")
}

fn key_path(dir: &Path, cert: &CertificateId) -> PathBuf {
    keys_dir(dir).join(format!("{}.key", cert.0))
}

/// Where a person's sealing key is kept: `KIND` is `unit` or `platform`.
fn sealing_key_path(dir: &Path, cert: &CertificateId, kind: &str) -> PathBuf {
    keys_dir(dir).join(format!("{}.{kind}-sealing.key", cert.0))
}

/// Where stores made before sealing keys had files of their own kept both secrets, as hex in
/// one JSON file; moved into key files the first time the store opens.
fn legacy_sealing_path(dir: &Path, cert: &CertificateId) -> PathBuf {
    keys_dir(dir).join(format!("{}.sealing.json", cert.0))
}

/// Sealing secrets as a credential carries them (hex), into key files.
fn import_sealing_secrets(
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
            FileSealingCustody::import(&path, keypair.to_secret_bytes())?;
        }
    }
    Ok(())
}

/// A person's sealing key of `kind`, from its key file if there is one.
fn sealing_custody(
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

fn sealing_keypair(hex_secret: &Option<String>) -> Result<Option<SealingKeypair>, DeviceError> {
    hex_secret
        .as_deref()
        .map(|h| {
            let bytes = hex::decode(h)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| DeviceError::Corrupt("sealing key".into()))?;
            Ok(SealingKeypair::from_secret_bytes(bytes))
        })
        .transpose()
}

impl Device {
    /// Sets up (or adds a person to) a store from an enrolment credential, then opens it.
    pub fn init(
        dir: &Path,
        credential: &Credential,
        now: Timestamp,
    ) -> Result<Device, DeviceError> {
        credential
            .certificate
            .verify(&credential.root_public, now)?;
        let store = Store::open(dir)?;
        match json_meta::<PublicKeyBytes>(&store, META_ROOT)? {
            Some(root) if root != credential.root_public => return Err(DeviceError::OtherCity),
            _ => set_json_meta(&store, META_ROOT, &credential.root_public)?,
        }
        set_json_meta(&store, META_PLATFORM, &credential.platform_sealing)?;
        set_json_meta(&store, META_POLICY, &credential.policy)?;
        let mut units: BTreeMap<UnitId, SealingPublicKey> =
            json_meta(&store, META_UNITS)?.unwrap_or_default();
        units.extend(credential.unit_directory.clone());
        // A unit's own key belongs in the directory too, so a dispatcher sharing this device
        // can seal contact details to a unit enrolled after it.
        if let Some(own) = sealing_keypair(&credential.unit_sealing_secret)? {
            units.insert(credential.certificate.body.unit.clone(), own.public_key());
        }
        set_json_meta(&store, META_UNITS, &units)?;
        for cert in std::iter::once(&credential.certificate).chain(&credential.known_certificates) {
            cert.verify_signature(&credential.root_public)?;
            let body = serde_json::to_vec(cert).map_err(DeviceError::encode("a certificate"))?;
            store.put_certificate(&cert.body.id.0, &body)?;
        }
        let id = &credential.certificate.body.id;
        std::fs::create_dir_all(keys_dir(dir)).at(&keys_dir(dir))?;
        if let Some(secret) = &credential.device_secret {
            let bytes = hex::decode(secret)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| DeviceError::bad_input("device_secret", "not 32 hex bytes"))?;
            let path = key_path(dir, id);
            if !path.exists() {
                FileKeyCustody::import(&path, &bytes)?;
            }
        }
        let secrets = SealingSecrets {
            unit: credential.unit_sealing_secret.clone(),
            platform: credential.platform_sealing_secret.clone(),
        };
        import_sealing_secrets(dir, id, &secrets)?;
        let mut ids: Vec<CertificateId> = json_meta(&store, META_IDENTITIES)?.unwrap_or_default();
        if !ids.contains(id) {
            ids.push(id.clone());
        }
        set_json_meta(&store, META_IDENTITIES, &ids)?;
        drop(store);
        Device::open(dir)
    }

    /// Sets up a node that holds no person of its own — the city hub: it verifies and stores
    /// what devices send, and signs nothing.
    pub fn init_hub(
        dir: &Path,
        root_public: PublicKeyBytes,
        platform_sealing: SealingPublicKey,
        policy: &Policy,
    ) -> Result<Device, DeviceError> {
        let store = Store::open(dir)?;
        match json_meta::<PublicKeyBytes>(&store, META_ROOT)? {
            Some(root) if root != root_public => return Err(DeviceError::OtherCity),
            _ => set_json_meta(&store, META_ROOT, &root_public)?,
        }
        set_json_meta(&store, META_PLATFORM, &platform_sealing)?;
        set_json_meta(&store, META_POLICY, policy)?;
        drop(store);
        Device::open(dir)
    }

    /// Opens a set-up store; identities whose key sits in a key file of the store sign with it.
    pub fn open(dir: &Path) -> Result<Device, DeviceError> {
        Self::open_inner(dir, None)
    }

    /// Opens a set-up store whose signing key is held elsewhere (Android Keystore, iOS
    /// Keychain): the identity certified for `custody`'s public key signs through it.
    pub fn open_with_custody(
        dir: &Path,
        custody: Arc<dyn KeyCustody>,
    ) -> Result<Device, DeviceError> {
        Self::open_inner(dir, Some(custody))
    }

    /// [`Device::open_with_custody`] (or key files, without `signing`), and sealing keys held
    /// elsewhere too: each opens for the
    /// enrolled people whose unit's (or, for the center, the platform's) public sealing key it
    /// holds, instead of a key file in the store.
    pub fn open_with_custodies(
        dir: &Path,
        signing: Option<Arc<dyn KeyCustody>>,
        sealing: Vec<Arc<dyn SealingCustody>>,
    ) -> Result<Device, DeviceError> {
        let mut device = Self::open_inner(dir, signing)?;
        for custody in sealing {
            let key = custody.public_key();
            for identity in &mut device.identities {
                let body = &identity.certificate.body;
                if body.role.is_unit_role() && device.unit_directory.get(&body.unit) == Some(&key) {
                    identity.unit_sealing = Some(Arc::clone(&custody));
                }
                if body.role.is_center_desk() && device.platform_sealing == key {
                    identity.platform_sealing = Some(Arc::clone(&custody));
                }
            }
        }
        Ok(device)
    }

    /// Opens a set-up store where it can only be read (a write-protected card, an auditor's
    /// copy): everything that reads works; acting, syncing and importing fail with
    /// `store_read_only`.
    pub fn open_read_only(dir: &Path) -> Result<Device, DeviceError> {
        if !dir.join(crate::store::DB_FILE).exists() {
            return Err(DeviceError::NotInitialised);
        }
        Self::with_store(dir, Store::open_read_only(dir)?, None, false)
    }

    fn open_inner(dir: &Path, custody: Option<Arc<dyn KeyCustody>>) -> Result<Device, DeviceError> {
        // Opening must not conjure an empty store out of a mistyped path.
        if !dir.join(crate::store::DB_FILE).exists() {
            return Err(DeviceError::NotInitialised);
        }
        Self::with_store(dir, Store::open(dir)?, custody, true)
    }

    fn with_store(
        dir: &Path,
        store: Store,
        custody: Option<Arc<dyn KeyCustody>>,
        writable: bool,
    ) -> Result<Device, DeviceError> {
        let root: PublicKeyBytes =
            json_meta(&store, META_ROOT)?.ok_or(DeviceError::NotInitialised)?;
        let platform_sealing: SealingPublicKey =
            json_meta(&store, META_PLATFORM)?.ok_or(DeviceError::NotInitialised)?;
        let policy: Policy = json_meta(&store, META_POLICY)?.ok_or(DeviceError::NotInitialised)?;
        let unit_directory = json_meta(&store, META_UNITS)?.unwrap_or_default();
        let mut trust = TrustStore::new(root)?;
        for (_, body) in store.certificates()? {
            // A certificate that no longer verifies is left out of the trust store, so nothing
            // it signed is believed; `verify` names it instead of the device refusing to open.
            if let Ok(cert) = serde_json::from_slice::<Certificate>(&body) {
                let _ = trust.add_certificate(cert);
            }
        }
        if let Some(body) = store.latest_revocation_list()? {
            let list: RevocationList = serde_json::from_slice(&body)
                .map_err(|e| DeviceError::Corrupt(format!("revocation list: {e}")))?;
            trust.set_revocations(list)?;
        }
        let ids: Vec<CertificateId> = json_meta(&store, META_IDENTITIES)?.unwrap_or_default();
        let mut identities = Vec::new();
        for id in ids {
            let Some(certificate) = trust.certificate(&id).cloned() else {
                continue;
            };
            let signer: Arc<dyn KeyCustody> = match &custody {
                Some(c) if c.public_key() == certificate.body.device_key => c.clone(),
                _ => {
                    let path = key_path(dir, &id);
                    if !path.exists() {
                        continue;
                    }
                    match FileKeyCustody::open(&path) {
                        Ok(k) => Arc::new(k),
                        // Read-only, a key this user may not read signs nothing anyway.
                        Err(_) if !writable => continue,
                        Err(e) => return Err(e.into()),
                    }
                }
            };
            let legacy = legacy_sealing_path(dir, &id);
            if writable && legacy.exists() {
                let secrets: SealingSecrets = read_private_json(&legacy)?;
                import_sealing_secrets(dir, &id, &secrets)?;
                std::fs::remove_file(&legacy).at(&legacy)?;
            }
            identities.push(Identity {
                certificate,
                custody: signer,
                unit_sealing: sealing_custody(dir, &id, "unit", writable)?,
                platform_sealing: sealing_custody(dir, &id, "platform", writable)?,
            });
        }
        let mut device = Device {
            store,
            trust,
            policy,
            calendar: HolidayCalendar::national()?,
            platform_sealing,
            unit_directory,
            identities,
            cache: RefCell::new(DocCache::new(DOC_CACHE_CAPACITY, DOC_CACHE_BYTES)),
            read_only: !writable,
        };
        if writable && !device.store.blob_refs_complete()? {
            device.index_blob_refs()?;
        }
        if writable && !device.store.index_v6_complete()? {
            device.rebuild_index_v6()?;
        }
        Ok(device)
    }

    /// Refuses a change to a store opened read-only, before anything is attempted.
    fn check_writable(&self) -> Result<(), DeviceError> {
        if self.read_only {
            return Err(crate::store::StoreError::ReadOnly {
                detail: self.store.dir().display().to_string(),
            }
            .into());
        }
        Ok(())
    }

    /// Once, for a store made before photos were indexed: every order's references, so the
    /// store can tell which blobs a record describes.
    fn index_blob_refs(&mut self) -> Result<(), DeviceError> {
        for order in self.store.change_orders()? {
            // An order that cannot be rebuilt here has nothing trustworthy to index.
            let Ok((_, state)) = self.load(&order) else {
                continue;
            };
            let refs: Vec<AttachmentRef> = state
                .history
                .iter()
                .flat_map(|h| h.event.action.attachments().iter().cloned())
                .collect();
            self.store.add_blob_refs(&order, &refs)?;
        }
        self.store
            .meta_set(crate::store::META_BLOB_REFS_COMPLETE, &[1])?;
        Ok(())
    }

    /// Once, for a store made before migration 6: every order's index row rebuilt from its
    /// document, so origins and not-accepted notices are there for the old orders too. Each
    /// row keeps the time it was last updated.
    fn rebuild_index_v6(&mut self) -> Result<(), DeviceError> {
        let mut rows = Vec::new();
        for order in self.store.change_orders()? {
            // An order that cannot be rebuilt here keeps the row it has.
            let Ok((_, state)) = self.load(&order) else {
                continue;
            };
            let updated = self
                .store
                .order_row(&order)?
                .and_then(|r| chrono::DateTime::from_timestamp_millis(r.updated_at))
                .unwrap_or_default();
            if let Ok(row) = index_row::build(&order, &state, &self.policy, &self.calendar, updated)
            {
                rows.push(row);
            }
        }
        self.store.rebuild_index_v6(&rows)?;
        Ok(())
    }

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
    pub fn identities(&self) -> &[Identity] {
        &self.identities
    }

    /// The person acting: by person id or certificate id, or the only one enrolled.
    pub fn identity(&self, who: Option<&str>) -> Result<&Identity, DeviceError> {
        match who {
            Some(w) => self
                .identities
                .iter()
                .find(|i| i.certificate.body.person.0 == w || i.certificate.body.id.0 == w)
                .ok_or_else(|| DeviceError::NoSuchIdentity(w.to_string())),
            None => match self.identities.as_slice() {
                [one] => Ok(one),
                // Read-only, people whose keys this user may not read are left out.
                [] if self.read_only => Err(self
                    .check_writable()
                    .err()
                    .unwrap_or(DeviceError::NotInitialised)),
                [] => Err(DeviceError::NotInitialised),
                _ => Err(DeviceError::WhichIdentity),
            },
        }
    }

    /// Trusts another enrolled device's certificate (it must be signed by this city's root).
    pub fn add_certificate(&mut self, cert: Certificate) -> Result<(), DeviceError> {
        cert.verify_signature(self.trust.root())?;
        if self.trust.certificate(&cert.body.id).is_some() {
            return Ok(());
        }
        let body = serde_json::to_vec(&cert).map_err(DeviceError::encode("a certificate"))?;
        self.store.put_certificate(&cert.body.id.0, &body)?;
        self.trust.add_certificate(cert)?;
        Ok(())
    }

    /// Adds or replaces units' sealing keys (the unit directory the city distributes), so a
    /// dispatcher can seal the citizen's contact to units enrolled after it.
    pub fn update_unit_directory(
        &mut self,
        units: BTreeMap<UnitId, SealingPublicKey>,
    ) -> Result<(), DeviceError> {
        self.unit_directory.extend(units);
        set_json_meta(&self.store, META_UNITS, &self.unit_directory)
    }

    /// Installs `list` if it is newer than the one held; an older or equal one is ignored
    /// (lists arrive from several peers in any order).
    pub fn accept_revocations(&mut self, list: RevocationList) -> Result<(), DeviceError> {
        let newer = self
            .trust
            .revocations()
            .is_none_or(|have| list.sequence > have.sequence);
        if newer {
            self.set_revocations(list)?;
        }
        Ok(())
    }

    /// Installs a newer root-signed revocation list.
    pub fn set_revocations(&mut self, list: RevocationList) -> Result<(), DeviceError> {
        list.verify(self.trust.root())?;
        let body = serde_json::to_vec(&list).map_err(DeviceError::encode("a revocation list"))?;
        self.trust.set_revocations(list.clone())?;
        self.store.put_revocation_list(list.sequence, &body)?;
        Ok(())
    }

    /// A citizen's request, from a kiosk or an intake agent. Photos are streamed into the
    /// blob store; contact details are sealed to the platform and never stored readable.
    pub fn submit(
        &mut self,
        who: Option<&str>,
        req: SubmitRequest,
        now: Timestamp,
    ) -> Result<Submitted, DeviceError> {
        self.check_writable()?;
        req.validate()?;
        let identity = self.identity(who)?;
        let device = identity.certificate.body.device_key.fingerprint();
        let sealed = match &req.contact {
            Some(c)
                if [&c.name, &c.phone, &c.id_number]
                    .iter()
                    .any(|f| f.as_deref().is_some_and(|v| !v.trim().is_empty())) =>
            {
                vec![(
                    PLATFORM_RECIPIENT.to_string(),
                    c.seal_to(&self.platform_sealing, &mut OsRng)?.into_bytes(),
                )]
            }
            _ => Vec::new(),
        };
        let mut attachments = Vec::new();
        for photo in req.photos {
            attachments.push(self.store_photo(photo, &device)?);
        }
        let order = OrderId::new(random_id("wo-", 10));
        let receipt = crate::receipt::generate(&mut OsRng);
        let details = OrderDetails {
            id: order.clone(),
            receipt: receipt.clone(),
            kind: req.kind,
            urgency: req.urgency,
            channel: req.channel,
            text: req.text,
            location: req.location,
            confidential: req.confidential,
            attachments,
            origin: req.origin,
            emergency_category: req.emergency_category,
        };
        let who = who.map(str::to_string);
        self.write(
            who.as_deref(),
            &order,
            Action::Submit { details },
            sealed,
            now,
        )?;
        Ok(Submitted {
            order,
            receipt: receipt.0,
        })
    }

    /// Any workflow action on an order, by the person acting on this device.
    pub fn act(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        action: Action,
        now: Timestamp,
    ) -> Result<OrderView, DeviceError> {
        self.check_writable()?;
        let sealed = self.sealed_copies_for(who, order, &action)?;
        let state = self.write(who, order, action, sealed, now)?;
        Ok(self.view(state))
    }

    fn view(&self, state: OrderState) -> OrderView {
        match workflow::deadlines(&state, &self.policy, &self.calendar) {
            Ok(d) => OrderView {
                state,
                deadlines: Some(d),
                deadline_error: None,
            },
            Err(e) => OrderView {
                state,
                deadlines: None,
                deadline_error: Some(crate::Coded::code(&e)),
            },
        }
    }

    /// On-site verification photos, each with its hash, size, type, capture time, GPS fix and
    /// device inside the signed change.
    pub fn add_evidence(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        photos: Vec<PhotoInput>,
        gps: Option<crate::model::GpsFix>,
        note: String,
        now: Timestamp,
    ) -> Result<OrderView, DeviceError> {
        if photos.is_empty() {
            return Err(DeviceError::bad_input(
                "photos",
                "at least one photo is needed",
            ));
        }
        if let Some(g) = &gps
            && !g.is_valid()
        {
            return Err(DeviceError::bad_input(
                "gps",
                "latitude/longitude out of range",
            ));
        }
        let refs = self.store_photos(who, order, photos)?;
        let action = Action::SiteEvidence(crate::model::SiteEvidence {
            photos: refs,
            gps,
            note,
        });
        self.act(who, order, action, now)
    }

    /// The on-site supervision form (现场督办情况表) with its photos.
    pub fn site_supervision(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        input: SiteSupervisionInput,
        now: Timestamp,
    ) -> Result<OrderView, DeviceError> {
        input.validate()?;
        let photos = self.store_photos(who, order, input.photos)?;
        let form = crate::model::SiteSupervisionForm {
            place: input.place,
            held_at: input.held_at,
            people_present: input.people_present,
            findings: input.findings,
            action_taken: input.action_taken,
            photos,
            gps: input.gps,
        };
        self.act(who, order, Action::SiteSupervision(form), now)
    }

    /// Streams photos for an existing order into the blob store, stamped with the device.
    fn store_photos(
        &self,
        who: Option<&str>,
        order: &OrderId,
        photos: Vec<PhotoInput>,
    ) -> Result<Vec<AttachmentRef>, DeviceError> {
        self.check_writable()?;
        let device = self
            .identity(who)?
            .certificate
            .body
            .device_key
            .fingerprint();
        self.load(order)?;
        photos
            .into_iter()
            .map(|p| self.store_photo(p, &device))
            .collect()
    }

    /// Streams one photo into the blob store after checking what the hub will check again:
    /// its size ([`MAX_BLOB_BYTES`](crate::limits::MAX_BLOB_BYTES)) and, from its first bytes,
    /// that it is a photo or clip (the stored media type is the one the bytes show).
    fn store_photo(&self, p: PhotoInput, device: &str) -> Result<AttachmentRef, DeviceError> {
        use crate::limits::{MAX_BLOB_BYTES, SNIFF_BYTES, sniff_media_type};
        use crate::workflow::WorkflowError;
        use std::io::Read;

        if let Some(g) = &p.gps
            && !g.is_valid()
        {
            return Err(DeviceError::bad_input(
                "gps",
                "latitude/longitude out of range",
            ));
        }
        let (mut source, size): (Box<dyn Read>, u64) = match p.source {
            PhotoSource::Path(path) => {
                let file = std::fs::File::open(&path).at(&path)?;
                let size = file.metadata().at(&path)?.len();
                (Box::new(file), size)
            }
            PhotoSource::Bytes(bytes) => {
                let size = bytes.len() as u64;
                (Box::new(std::io::Cursor::new(bytes)), size)
            }
        };
        let too_large = |size| {
            DeviceError::Workflow(WorkflowError::AttachmentTooLarge {
                size,
                max: MAX_BLOB_BYTES,
            })
        };
        if size > MAX_BLOB_BYTES {
            return Err(too_large(size));
        }
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut source)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|e| DeviceError::bad_input("photo", e.to_string()))?;
        let media_type = sniff_media_type(&head).ok_or_else(|| {
            DeviceError::Workflow(WorkflowError::NotAPhoto {
                declared: p.media_type.chars().take(100).collect(),
            })
        })?;
        // A file that grows while it is read still stops at the limit.
        let mut whole = std::io::Cursor::new(head).chain(source.take(MAX_BLOB_BYTES + 1));
        let info = self.store.put_blob(&mut whole, media_type)?;
        if info.size > MAX_BLOB_BYTES {
            return Err(too_large(info.size));
        }
        Ok(AttachmentRef {
            sha256: info.sha256,
            size: info.size,
            media_type: media_type.to_string(),
            captured_at: p.captured_at,
            gps: p.gps,
            device: Some(device.to_string()),
        })
    }

    /// Copies of the citizen's contact sealed on: to the lead unit and any separate units on
    /// dispatch, when this device can open the platform copy; to a sub-unit when the lead unit
    /// passes the order on (Turpan), opened with the unit's key. Never for a confidential order.
    fn sealed_copies_for(
        &self,
        who: Option<&str>,
        order: &OrderId,
        action: &Action,
    ) -> Result<Vec<SealedCopy>, DeviceError> {
        let identity = self.identity(who)?;
        let (targets, opener, from): (Vec<&UnitId>, _, _) = match action {
            Action::Dispatch {
                lead,
                separate_units,
                ..
            } => (
                std::iter::once(lead).chain(separate_units).collect(),
                identity.platform_sealing.as_ref(),
                PLATFORM_RECIPIENT.to_string(),
            ),
            Action::PassOn { sub_unit, .. } => (
                vec![sub_unit],
                identity.unit_sealing.as_ref(),
                unit_recipient(&identity.certificate.body.unit),
            ),
            _ => return Ok(Vec::new()),
        };
        let Some(opener) = opener else {
            return Ok(Vec::new());
        };
        let (doc, state) = self.load(order)?;
        if state.is_confidential() {
            return Ok(Vec::new());
        }
        let sealed = doc.sealed();
        let Some((_, bytes)) = sealed.iter().find(|(r, _)| *r == from) else {
            return Ok(Vec::new());
        };
        let mut copies = Vec::new();
        for to in targets {
            // A unit's copy is written once: records are append-only, and a second dispatch to
            // the same unit would otherwise overwrite it (which every receiver refuses).
            let recipient = unit_recipient(to);
            let Some(to_key) = self.unit_directory.get(to) else {
                continue;
            };
            if sealed.iter().any(|(r, _)| *r == recipient) {
                continue;
            }
            let copy = SealedContact::from_bytes(bytes.clone()).reseal_for_unit(
                opener.as_ref(),
                to_key,
                false,
                &mut OsRng,
            )?;
            copies.push((recipient, copy.into_bytes()));
        }
        Ok(copies)
    }

    /// Checks, signs and stores one action as one change, in one transaction.
    fn write(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        action: Action,
        sealed: Vec<SealedCopy>,
        now: Timestamp,
    ) -> Result<OrderState, DeviceError> {
        let identity = self.identity(who)?;
        self.trust
            .check_certificate(&identity.certificate.body.id, now)?;
        let actor = identity.actor();
        let is_submit = matches!(action, Action::Submit { .. });
        let (doc, state) = if is_submit {
            (None, OrderState::new())
        } else {
            let (d, s) = self.load(order)?;
            (Some(d), s)
        };
        // An event never claims a time before what its author has seen: a phone whose clock
        // is behind stamps its action at the latest time it knows of instead, so every replica
        // (and the hub's back-dating check) agrees on the order of cause and effect.
        let after = match &doc {
            Some(d) => d.event_heads()?,
            None => Vec::new(),
        };
        let at = state
            .history
            .iter()
            .filter(|h| after.contains(&h.event.id))
            .map(|h| h.event.at)
            .max()
            .map_or(now, |seen| seen.max(now));
        decide(&state, &actor, &action, at, &self.policy, &self.calendar)?;
        let event = Event {
            id: EventId::new(random_id("ev-", 12)),
            actor,
            at,
            after,
            action,
        };
        workflow::check_sizes(&event)?;
        let doc_actor = doc::actor_for_device(&identity.certificate.body.device_key.0);
        let (doc, change) = match doc {
            None => OrderDoc::create(order, doc_actor, &event, &sealed)?,
            Some(mut d) => {
                d.set_actor(doc_actor);
                let c = d.append(&event, &sealed)?;
                (d, c)
            }
        };
        // The compressed form (DEFLATE above 256 bytes) is what is signed, stored and sent: the
        // change hash is the same either way, and a record with a long Chinese text shrinks.
        let mut change = change;
        let envelope = SignedEnvelope::sign(
            change.bytes().to_vec(),
            &identity.certificate,
            identity.custody.as_ref(),
        )?;
        let stored = StoredChange {
            order: order.clone(),
            hash: change.hash().to_string(),
            event_id: event.id.0.clone(),
            cert_id: envelope.signer.0.clone(),
            signature: envelope.signature.0.to_vec(),
            bytes: envelope.payload,
        };
        let attachments = event.action.attachments().to_vec();
        self.commit(doc, vec![stored], sealed, attachments, now)
    }

    fn commit(
        &mut self,
        doc: OrderDoc,
        changes: Vec<StoredChange>,
        sealed: Vec<SealedCopy>,
        attachments: Vec<AttachmentRef>,
        now: Timestamp,
    ) -> Result<OrderState, DeviceError> {
        let events = doc.events()?;
        let state = fold(&events, &self.policy, &self.calendar);
        let index = index_row::build(doc.order(), &state, &self.policy, &self.calendar, now)?;
        let record = ActionRecord {
            order: doc.order().clone(),
            changes,
            index,
            sealed_contacts: sealed,
            attachments,
        };
        if let Err(e) = self.store.record(&record) {
            self.cache.borrow_mut().forget(doc.order());
            return Err(e.into());
        }
        let count = self.store.change_count_for(doc.order())?;
        self.cache.borrow_mut().put(doc, count);
        Ok(state)
    }

    /// The order's document rebuilt from its stored changes, each checked against its hash and
    /// its signer's key first.
    fn load(&self, order: &OrderId) -> Result<(OrderDoc, OrderState), DeviceError> {
        let count = self.store.change_count_for(order)?;
        if count == 0 {
            return Err(DeviceError::UnknownOrder(order.0.clone()));
        }
        let cached = self.cache.borrow_mut().get(order, count);
        if let Some(doc) = cached {
            let state = fold(&doc.events()?, &self.policy, &self.calendar);
            return Ok((doc, state));
        }
        let stored = self.store.changes_for(order)?;
        let mut changes = Vec::with_capacity(stored.len());
        for s in &stored {
            changes.push(self.check_stored(s)?);
        }
        let actor = match self.identities.first() {
            Some(i) => doc::actor_for_device(&i.certificate.body.device_key.0),
            None => doc::actor_for_device(b"read-only"),
        };
        let doc = OrderDoc::from_changes(order, actor, changes)?;
        self.cache
            .borrow_mut()
            .put(doc.clone(), stored.len() as u64);
        let state = fold(&doc.events()?, &self.policy, &self.calendar);
        Ok((doc, state))
    }

    /// Hash and signature of a stored change; revocation is not re-applied here, since the
    /// change was accepted before any later revocation (`hotline verify` reports those).
    pub(crate) fn check_stored(&self, s: &StoredChange) -> Result<automerge::Change, DeviceError> {
        let change = doc::decode_change(&s.bytes, Some(&s.hash))?;
        let id = CertificateId::new(s.cert_id.clone());
        let cert = self
            .trust
            .certificate(&id)
            .ok_or_else(|| crate::identity::IdentityError::UnknownCertificate { id: id.clone() })?;
        let key = cert.body.device_key.to_verifying_key()?;
        let sig = ed25519_dalek::Signature::from_slice(&s.signature)
            .map_err(|_| crate::identity::IdentityError::BadSignature { signer: id.clone() })?;
        key.verify(&crate::identity::change_message(&id, &s.bytes), &sig)
            .map_err(|_| crate::identity::IdentityError::BadSignature { signer: id })?;
        Ok(change)
    }

    /// The order with its current deadlines.
    pub fn show(&self, order: &OrderId) -> Result<OrderView, DeviceError> {
        let (_, state) = self.load(order)?;
        Ok(self.view(state))
    }

    /// Inbox, overdue and due-soon lists from the index (documents are not loaded).
    pub fn inbox(&self, q: &InboxQuery) -> Result<Vec<IndexRow>, DeviceError> {
        Ok(self.store.inbox(q)?)
    }

    /// What a citizen sees for a receipt code: status and next deadline, nothing personal.
    pub fn status(&self, receipt: &str) -> Result<ReceiptStatus, DeviceError> {
        receipt_status(&self.store, receipt)
    }

    /// The citizen's contact details, for someone entitled to them on this order: the center
    /// (platform key) always, the lead unit when the order is not confidential.
    pub fn contact(
        &self,
        who: Option<&str>,
        order: &OrderId,
    ) -> Result<ContactDetails, DeviceError> {
        let identity = self.identity(who)?;
        let (doc, state) = self.load(order)?;
        let sealed = doc.sealed();
        let find = |r: &str| sealed.iter().find(|(k, _)| k == r).map(|(_, b)| b.clone());
        if let Some(platform) = &identity.platform_sealing
            && let Some(bytes) = find(PLATFORM_RECIPIENT)
        {
            return Ok(SealedContact::from_bytes(bytes).open_with(platform.as_ref())?);
        }
        let unit = &identity.certificate.body.unit;
        // The lead unit, or a sub-unit it passed the order on to (Turpan), opens its own copy.
        if let Some(key) = &identity.unit_sealing
            && !state.is_confidential()
            && (state.lead_unit.as_ref() == Some(unit)
                || state.sub_units.contains(unit)
                || state.separate_track(unit).is_some())
            && let Some(bytes) = find(&unit_recipient(unit))
        {
            return Ok(SealedContact::from_bytes(bytes).open_with(key.as_ref())?);
        }
        Err(DeviceError::ContactNotVisible)
    }

    /// Every signed change of an order, as stored: what another device or the hub needs.
    pub fn export_changes(&self, order: &OrderId) -> Result<Vec<StoredChange>, DeviceError> {
        Ok(self.store.changes_for(order)?)
    }

    /// Re-checks every stored change (hash, signature, certificate, signer = actor) and every
    /// blob (content still matches its hash). Reports every problem; changes nothing.
    pub fn verify(&self) -> Result<VerifyReport, DeviceError> {
        verify::run(self)
    }
}

/// What a citizen sees for a receipt code, read from a store's index alone (the hub answers it
/// from a read-only connection).
pub fn receipt_status(store: &Store, receipt: &str) -> Result<ReceiptStatus, DeviceError> {
    let code = crate::receipt::parse(receipt)?;
    let row = store
        .order_by_receipt(&code.0)?
        .ok_or_else(|| DeviceError::UnknownReceipt(code.0.clone()))?;
    Ok(ReceiptStatus {
        receipt: row.receipt,
        kind: row.kind,
        status_zh: row.status.zh().to_string(),
        status: row.status,
        next_due: row
            .next_due
            .and_then(chrono::DateTime::from_timestamp_millis),
        next_due_kind: row.next_due_kind,
        updated_at: chrono::DateTime::from_timestamp_millis(row.updated_at),
        not_accepted: row.not_accepted,
        handling_due: row
            .handling_due
            .and_then(chrono::DateTime::from_timestamp_millis),
        extension: row.notices.as_ref().and_then(|n| n.extension.clone()),
        delay_notice: row.notices.and_then(|n| n.delay),
    })
}

fn read_private_json<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
) -> Result<T, DeviceError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| DeviceError::Corrupt(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(PathIoError::new(path, e).into()),
    }
}
