//! The city's enrolment authority: the root key that certifies devices, the platform's sealing
//! key, each unit's sealing key, and the list of what it has issued and revoked.
//!
//! Kept in a folder (`hotline hub init --data DIR`): `root.key` (0600 key file), `keys.json`
//! (0600: platform and unit sealing secrets), `authority.json` (policy, issued certificates,
//! revocation list). The hub runs on it; tests and benchmarks use it to stand up a city.

use crate::error::IoAt;
use chrono::Duration;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::api_key::ApiKeyRecord;
use crate::catalogue::{
    Catalogue, CatalogueIssueError, CatalogueSet, SignedCatalogue, default_catalogue,
};
use crate::device::{Credential, DeviceError};
use crate::identity::{
    Certificate, CertificateBody, CertificateId, KeyCustody, RevocationList, SealingKeypair,
    SealingPublicKey,
};
use crate::key_files::FileKeyCustody;
use crate::model::{PersonId, Role, Timestamp, UnitId};
use crate::policy::Policy;

/// The unit id of the hotline center itself (dispatchers, callback agents, kiosks).
pub const CENTER_UNIT: &str = "center";

/// What one enrolment asks for.
#[derive(Debug, Clone)]
pub struct EnrolRequest {
    pub role: Role,
    pub unit: UnitId,
    pub person: PersonId,
    pub display_name: String,
    /// Division code prefix the person works in.
    pub area: String,
    pub not_before: Timestamp,
    pub valid_days: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Ledger {
    policy: Option<Policy>,
    issued: Vec<Certificate>,
    revocations: Option<RevocationList>,
    /// The public half of the keys, so the hub never has to read a secret (absent in
    /// `authority.json` files written before it existed; the next enrolment writes it).
    #[serde(default)]
    public: Option<PublicKeys>,
    /// Sub-units registered with the center's approval (Turpan), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sub_units: Vec<SubUnitRecord>,
    /// Every catalogue version issued, oldest first (absent in ledgers written before
    /// catalogues; `hotline catalogue issue` adds one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    catalogues: Vec<SignedCatalogue>,
    /// Keys issued to the city platform's systems for the hub's APIs (only their digests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    api_keys: Vec<ApiKeyRecord>,
}

/// Turpan: a sub-unit a unit registered with the center's approval. Its staff are enrolled in
/// it like any unit's, and receive the orders their unit passes on to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubUnitRecord {
    /// `unit/sub-unit`.
    pub unit: UnitId,
    pub parent: UnitId,
    /// The center's approval (批复), as recorded.
    pub approval: String,
    pub approved_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PublicKeys {
    root: crate::identity::PublicKeyBytes,
    platform: SealingPublicKey,
    units: BTreeMap<UnitId, SealingPublicKey>,
}

/// What the hub needs of the authority: everything public, and no secret. Read from
/// `authority.json` alone, so the hub's process never opens `root.key` or `keys.json`.
#[derive(Debug, Clone)]
pub struct PublicAuthority {
    pub root: crate::identity::PublicKeyBytes,
    pub platform: SealingPublicKey,
    pub units: BTreeMap<UnitId, SealingPublicKey>,
    pub policy: Policy,
    pub issued: Vec<Certificate>,
    pub revocations: Option<RevocationList>,
    /// Every catalogue version issued, oldest first.
    pub catalogues: Vec<SignedCatalogue>,
    /// Keys issued for the hub's APIs, revoked ones included.
    pub api_keys: Vec<ApiKeyRecord>,
}

impl PublicAuthority {
    /// Every catalogue version, each verified against the root (a damaged or forged entry in
    /// `authority.json` is an error, not a silently shorter list).
    pub fn catalogue_set(&self) -> Result<CatalogueSet, DeviceError> {
        let mut set = CatalogueSet::new();
        for signed in &self.catalogues {
            set.insert(signed.open(&self.root)?);
        }
        Ok(set)
    }

    /// Reads `dir/authority.json`. A ledger written before it carried the public keys is read
    /// through the whole authority once (which rewrites it with them).
    pub fn open(dir: &Path) -> Result<PublicAuthority, DeviceError> {
        let ledger = read_ledger(dir)?;
        let policy = ledger
            .policy
            .clone()
            .ok_or_else(|| DeviceError::AuthorityCorrupt {
                file: "authority.json".into(),
                reason: "it holds no policy".into(),
            })?;
        let public = match ledger.public {
            Some(p) => p,
            None => {
                let full = Authority::open(dir)?;
                full.save()?;
                full.public_keys()
            }
        };
        Ok(PublicAuthority {
            root: public.root,
            platform: public.platform,
            units: public.units,
            policy,
            issued: ledger.issued,
            revocations: ledger.revocations,
            catalogues: ledger.catalogues,
            api_keys: ledger.api_keys,
        })
    }
}

fn read_ledger(dir: &Path) -> Result<Ledger, DeviceError> {
    let ledger_path = dir.join("authority.json");
    serde_json::from_slice(&std::fs::read(&ledger_path).at(&ledger_path)?).map_err(|e| {
        DeviceError::AuthorityCorrupt {
            file: "authority.json".into(),
            reason: e.to_string(),
        }
    })
}

/// `keys.json` (0600): the secret halves of the sealing keys, which open citizens' contact
/// details. Named for what they are (earlier files said `platform` / `units`).
#[derive(Serialize, Deserialize, Default)]
struct SealingSecrets {
    #[serde(alias = "platform")]
    platform_sealing_secret: String,
    #[serde(alias = "units")]
    unit_sealing_secrets: BTreeMap<UnitId, String>,
}

pub struct Authority {
    dir: PathBuf,
    root: FileKeyCustody,
    platform: SealingKeypair,
    units: BTreeMap<UnitId, SealingKeypair>,
    ledger: Ledger,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn keypair_from_hex(h: &str) -> Result<SealingKeypair, DeviceError> {
    SealingKeypair::from_secret_hex(h).map_err(|e| DeviceError::AuthorityCorrupt {
        file: "keys.json".into(),
        reason: format!("a sealing key: {e}"),
    })
}

impl Authority {
    /// Creates a new city in `dir`, with the default category tree issued as catalogue
    /// version 1; refuses to overwrite an existing root key.
    pub fn create(dir: &Path, policy: Policy) -> Result<Authority, DeviceError> {
        Self::create_at(dir, policy, chrono::Utc::now())
    }

    /// [`Authority::create`] with the catalogue dated `now` (tests and demos run on a clock
    /// of their own).
    pub fn create_at(dir: &Path, policy: Policy, now: Timestamp) -> Result<Authority, DeviceError> {
        Self::create_in(crate::identity::CryptoSuite::Ed25519, dir, policy, now)
    }

    /// [`Authority::create_at`] for a city of `suite`: its root key, and every device key it
    /// enrols, are of that suite.
    pub fn create_in(
        suite: crate::identity::CryptoSuite,
        dir: &Path,
        policy: Policy,
        now: Timestamp,
    ) -> Result<Authority, DeviceError> {
        std::fs::create_dir_all(dir).at(dir)?;
        let root = FileKeyCustody::create_in(suite, &dir.join("root.key"), &mut OsRng)?;
        let mut this = Authority {
            dir: dir.to_path_buf(),
            root,
            platform: SealingKeypair::generate_in(suite, &mut OsRng),
            units: BTreeMap::new(),
            ledger: Ledger {
                policy: Some(policy),
                ..Ledger::default()
            },
        };
        this.issue_catalogue(&default_catalogue()?, now)?;
        Ok(this)
    }

    /// Signs `catalogue` as the next version and keeps it; devices receive it with their next
    /// sync. The file's own rules are checked first.
    pub fn issue_catalogue(
        &mut self,
        catalogue: &Catalogue,
        now: Timestamp,
    ) -> Result<SignedCatalogue, DeviceError> {
        let version = self.ledger.catalogues.last().map_or(1, |c| c.version + 1);
        // Never dated before the version it supersedes: amendments are ordered against it.
        let issued_at = self
            .ledger
            .catalogues
            .last()
            .map_or(now, |c| c.issued_at.max(now));
        let signed = SignedCatalogue::issue(version, issued_at, catalogue, &self.root).map_err(
            |e| match e {
                CatalogueIssueError::Catalogue(e) => DeviceError::Catalogue(e),
                CatalogueIssueError::Key(e) => DeviceError::Identity(e),
            },
        )?;
        self.ledger.catalogues.push(signed.clone());
        self.save()?;
        Ok(signed)
    }

    /// Every catalogue version issued, oldest first.
    pub fn catalogues(&self) -> &[SignedCatalogue] {
        &self.ledger.catalogues
    }

    pub fn open(dir: &Path) -> Result<Authority, DeviceError> {
        let root = FileKeyCustody::open(&dir.join("root.key"))?;
        let keys_path = dir.join("keys.json");
        let keys: SealingSecrets =
            serde_json::from_slice(&std::fs::read(&keys_path).at(&keys_path)?).map_err(|e| {
                DeviceError::AuthorityCorrupt {
                    file: "keys.json".into(),
                    reason: e.to_string(),
                }
            })?;
        let ledger = read_ledger(dir)?;
        let mut units = BTreeMap::new();
        for (u, h) in &keys.unit_sealing_secrets {
            units.insert(u.clone(), keypair_from_hex(h)?);
        }
        Ok(Authority {
            dir: dir.to_path_buf(),
            root,
            platform: keypair_from_hex(&keys.platform_sealing_secret)?,
            units,
            ledger,
        })
    }

    fn save(&self) -> Result<(), DeviceError> {
        let keys = SealingSecrets {
            platform_sealing_secret: self.platform.to_secret_hex(),
            unit_sealing_secrets: self
                .units
                .iter()
                .map(|(u, k)| (u.clone(), k.to_secret_hex()))
                .collect(),
        };
        write_atomic(&self.dir.join("keys.json"), &keys, true)?;
        let ledger = Ledger {
            public: Some(self.public_keys()),
            ..self.ledger.clone()
        };
        write_atomic(&self.dir.join("authority.json"), &ledger, false)
    }

    fn public_keys(&self) -> PublicKeys {
        PublicKeys {
            root: self.root.public_key(),
            platform: self.platform.public_key(),
            units: self.unit_directory(),
        }
    }

    /// The city's suite: its root key's.
    pub fn suite(&self) -> crate::identity::CryptoSuite {
        self.root.public_key().suite()
    }

    pub fn root_public(&self) -> crate::identity::PublicKeyBytes {
        self.root.public_key()
    }
    pub fn root(&self) -> &dyn KeyCustody {
        &self.root
    }
    pub fn platform_public(&self) -> SealingPublicKey {
        self.platform.public_key()
    }
    pub fn platform(&self) -> &SealingKeypair {
        &self.platform
    }
    pub fn policy(&self) -> Result<Policy, DeviceError> {
        self.ledger
            .policy
            .clone()
            .ok_or_else(|| DeviceError::AuthorityCorrupt {
                file: "authority.json".into(),
                reason: "it holds no policy".into(),
            })
    }
    pub fn issued(&self) -> &[Certificate] {
        &self.ledger.issued
    }
    pub fn revocations(&self) -> Option<&RevocationList> {
        self.ledger.revocations.as_ref()
    }
    pub fn unit_directory(&self) -> BTreeMap<UnitId, SealingPublicKey> {
        self.units
            .iter()
            .map(|(u, k)| (u.clone(), k.public_key()))
            .collect()
    }

    /// Registers a sub-unit with the center's approval (Turpan): it gets a sealing key like any
    /// unit, and people may then be enrolled in it. Registering it again returns the record.
    pub fn register_sub_unit(
        &mut self,
        unit: &UnitId,
        approval: &str,
        now: Timestamp,
    ) -> Result<SubUnitRecord, DeviceError> {
        if let Some(r) = self.ledger.sub_units.iter().find(|r| &r.unit == unit) {
            return Ok(r.clone());
        }
        let parent = unit
            .parent()
            .filter(|p| self.units.contains_key(p))
            .ok_or_else(|| DeviceError::UnknownParentUnit {
                unit: unit.0.clone(),
            })?;
        if approval.trim().is_empty() {
            return Err(DeviceError::BadInput {
                field: "approval",
                reason: "the center's approval is required / 须注明中心批复".into(),
            });
        }
        let record = SubUnitRecord {
            unit: unit.clone(),
            parent,
            approval: approval.to_string(),
            approved_at: now,
        };
        let suite = self.suite();
        self.units
            .insert(unit.clone(), SealingKeypair::generate_in(suite, &mut OsRng));
        self.ledger.sub_units.push(record.clone());
        self.save()?;
        Ok(record)
    }

    /// The sub-units registered so far.
    pub fn sub_units(&self) -> &[SubUnitRecord] {
        &self.ledger.sub_units
    }

    /// Issues a certificate for a new device key and packs everything the device needs.
    /// With `device_key` the device generated its key itself (Keystore, Keychain) and the
    /// credential carries no secret.
    pub fn enrol(
        &mut self,
        req: &EnrolRequest,
        device_key: Option<crate::identity::PublicKeyBytes>,
        now: Timestamp,
    ) -> Result<Credential, DeviceError> {
        if req.unit.parent().is_some() && !self.ledger.sub_units.iter().any(|r| r.unit == req.unit)
        {
            return Err(DeviceError::SubUnitNotRegistered {
                unit: req.unit.0.clone(),
            });
        }
        let (public, secret) = match device_key {
            Some(k) => (k, None),
            None => {
                let custody =
                    crate::identity::MemoryKeyCustody::generate_in(self.suite(), &mut OsRng);
                let secret = hex::encode(custody.secret_bytes().as_slice());
                (custody.public_key(), Some(secret))
            }
        };
        let mut id = [0u8; 8];
        OsRng.fill_bytes(&mut id);
        let body = CertificateBody {
            id: CertificateId::new(format!("cert-{}", hex::encode(id))),
            device_key: public,
            person: req.person.clone(),
            display_name: req.display_name.clone(),
            role: req.role,
            unit: req.unit.clone(),
            area: req.area.clone(),
            not_before: req.not_before,
            not_after: req.not_before + Duration::days(req.valid_days),
            issued_at: now,
        };
        let certificate = Certificate::issue(body, &self.root)?;
        let suite = self.suite();
        let unit_secret = if req.role.is_unit_role() {
            let key = self
                .units
                .entry(req.unit.clone())
                .or_insert_with(|| SealingKeypair::generate_in(suite, &mut OsRng));
            Some(key.to_secret_hex())
        } else {
            None
        };
        let center_desk = req.role.is_center_desk();
        self.ledger.issued.push(certificate.clone());
        self.save()?;
        Ok(Credential {
            certificate,
            root_public: self.root.public_key(),
            platform_sealing: self.platform.public_key(),
            policy: self.policy()?,
            device_secret: secret,
            unit_sealing_secret: unit_secret,
            platform_sealing_secret: center_desk.then(|| self.platform.to_secret_hex()),
            unit_directory: if center_desk {
                self.unit_directory()
            } else {
                BTreeMap::new()
            },
            known_certificates: self.ledger.issued.clone(),
            catalogue: self.ledger.catalogues.last().cloned(),
        })
    }

    /// Issues a key for the hub's APIs to `system`, reading as the enrolled certificate
    /// `cert`; returns the record and the token, which is shown this once and kept nowhere.
    pub fn issue_api_key(
        &mut self,
        system: &str,
        cert: &CertificateId,
        now: Timestamp,
    ) -> Result<(ApiKeyRecord, String), DeviceError> {
        let system = system.trim();
        if system.is_empty() || system.chars().count() > crate::api_key::MAX_SYSTEM_NAME_CHARS {
            return Err(DeviceError::ApiKeySystemName {
                max: crate::api_key::MAX_SYSTEM_NAME_CHARS,
            });
        }
        if !self.ledger.issued.iter().any(|c| &c.body.id == cert) {
            return Err(
                crate::identity::IdentityError::UnknownCertificate { id: cert.clone() }.into(),
            );
        }
        let (token, digest) = crate::api_key::new_token(&mut OsRng);
        // Webhooks and revocation name a key by its id: never two alike.
        let mut id = crate::api_key::new_key_id(&mut OsRng);
        while self.ledger.api_keys.iter().any(|k| k.id == id) {
            id = crate::api_key::new_key_id(&mut OsRng);
        }
        let record = ApiKeyRecord {
            id,
            system: system.to_string(),
            cert: cert.clone(),
            token_sha256: digest,
            issued_at: now,
            revoked_at: None,
        };
        self.ledger.api_keys.push(record.clone());
        self.save()?;
        Ok((record, token))
    }

    /// Revokes an API key by its id; the hub refuses its token from its next reload.
    pub fn revoke_api_key(
        &mut self,
        id: &str,
        now: Timestamp,
    ) -> Result<ApiKeyRecord, DeviceError> {
        let record = self
            .ledger
            .api_keys
            .iter_mut()
            .find(|k| k.id == id)
            .ok_or_else(|| DeviceError::UnknownApiKey(id.to_string()))?;
        record.revoked_at.get_or_insert(now);
        let out = record.clone();
        self.save()?;
        Ok(out)
    }

    /// Every API key issued, revoked ones included.
    pub fn api_keys(&self) -> &[ApiKeyRecord] {
        &self.ledger.api_keys
    }

    /// Revokes certificates; returns the new root-signed list (sequence + 1).
    pub fn revoke(
        &mut self,
        ids: &[CertificateId],
        now: Timestamp,
    ) -> Result<RevocationList, DeviceError> {
        let (seq, mut all) = match &self.ledger.revocations {
            Some(l) => (l.sequence + 1, l.revoked.clone()),
            None => (1, Default::default()),
        };
        all.extend(ids.iter().cloned());
        let list = RevocationList::issue(seq, now, all, &self.root)?;
        self.ledger.revocations = Some(list.clone());
        self.save()?;
        Ok(list)
    }
}

/// Writes through a temporary file and a rename, so a crash leaves the old or the new file,
/// never half of one.
fn write_atomic<T: Serialize>(path: &Path, value: &T, private: bool) -> Result<(), DeviceError> {
    use std::io::Write;
    let bytes =
        serde_json::to_vec_pretty(value).map_err(DeviceError::encode("an authority file"))?;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(&tmp).at(&tmp)?;
    f.write_all(&bytes).and_then(|()| f.sync_all()).at(&tmp)?;
    Ok(std::fs::rename(&tmp, path).at(path)?)
}
