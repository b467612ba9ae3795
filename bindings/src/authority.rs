//! ADMIN / TEST TOOL — the city's enrolment authority, for tests, demos and a desk that stands
//! up a city. Real devices never hold the root key: they receive a credential (JSON) from the
//! city and pass it to `HotlineDevice.set_up`.

use hotline_core::error::ErrorCode;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hotline_core::authority::{Authority, EnrolRequest};
use hotline_core::identity::{CertificateId, CryptoSuite, PublicKeyBytes};
use hotline_core::model::{PersonId, Role, UnitId};
use hotline_core::policy::preset;

use crate::{HotlineError, Timestamp};

/// Who is being enrolled, in which role and unit, for how long.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EnrolmentRequest {
    pub role: Role,
    /// The handling unit, or `center` for the hotline center's people and kiosks.
    pub unit: UnitId,
    pub person: PersonId,
    pub display_name: String,
    /// Division code prefix the person works in (e.g. `4109`).
    pub area: String,
    pub not_before: Timestamp,
    pub valid_days: i64,
}

#[derive(uniffi::Object)]
pub struct CityAuthority {
    inner: Mutex<Authority>,
}

impl std::fmt::Debug for CityAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CityAuthority").finish_non_exhaustive()
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, HotlineError> {
    serde_json::to_string(value).map_err(|e| HotlineError::internal(ErrorCode::EncodeFailed, e))
}

impl CityAuthority {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Authority) -> Result<T, HotlineError>,
    ) -> Result<T, HotlineError> {
        let mut a = self.inner.lock().map_err(|_| {
            HotlineError::internal(ErrorCode::AuthorityPoisoned, "an earlier call crashed")
        })?;
        f(&mut a)
    }
}

#[uniffi::export]
impl CityAuthority {
    /// Creates a new city in `dir` under a policy preset (`puyang`, `turpan`, `linshu`) with
    /// the algorithms of `crypto` for every key, signature and sealed record it will have.
    #[uniffi::constructor]
    pub fn create(
        dir: String,
        preset_name: String,
        crypto: CryptoSuite,
    ) -> Result<Arc<Self>, HotlineError> {
        let policy = preset(&preset_name)?;
        let inner = Authority::create_in(crypto, &PathBuf::from(dir), policy, chrono::Utc::now())?;
        Ok(Arc::new(Self {
            inner: Mutex::new(inner),
        }))
    }

    #[uniffi::constructor]
    pub fn open(dir: String) -> Result<Arc<Self>, HotlineError> {
        let inner = Authority::open(&PathBuf::from(dir))?;
        Ok(Arc::new(Self {
            inner: Mutex::new(inner),
        }))
    }

    /// Issues a certificate and returns the credential JSON for `HotlineDevice.set_up`. With
    /// `device_key` (32 raw bytes) the app generated its key and the credential carries no
    /// secret; without it the city generates one and the credential carries it.
    #[uniffi::method(default(device_key = None))]
    pub fn enrol(
        &self,
        request: EnrolmentRequest,
        now: Timestamp,
        device_key: Option<Vec<u8>>,
    ) -> Result<String, HotlineError> {
        let key = device_key
            .map(|k| {
                PublicKeyBytes::from_raw(&k).map_err(|_| {
                    HotlineError::bad_input(
                        "device_key",
                        "not a public key (32 bytes for ed25519, 65 for SM2)",
                    )
                })
            })
            .transpose()?;
        let req = EnrolRequest {
            role: request.role,
            unit: request.unit,
            person: request.person,
            display_name: request.display_name,
            area: request.area,
            not_before: request.not_before,
            valid_days: request.valid_days,
        };
        self.with(|a| to_json(&a.enrol(&req, key, now)?))
    }

    /// The city's suite: the kind of key a device enrolled here must hold.
    pub fn crypto_suite(&self) -> Result<CryptoSuite, HotlineError> {
        self.with(|a| Ok(a.suite()))
    }

    /// Revokes certificates; returns the new root-signed revocation list (JSON) to distribute.
    pub fn revoke(
        &self,
        certificate_ids: Vec<String>,
        now: Timestamp,
    ) -> Result<String, HotlineError> {
        let ids: Vec<CertificateId> = certificate_ids
            .into_iter()
            .map(CertificateId::new)
            .collect();
        self.with(|a| to_json(&a.revoke(&ids, now)?))
    }

    /// Every certificate issued so far (JSON each), for `HotlineDevice.add_certificate`.
    pub fn issued_certificates(&self) -> Result<Vec<String>, HotlineError> {
        self.with(|a| a.issued().iter().map(to_json).collect())
    }

    /// Registers a sub-unit (`unit/sub-unit`) with the center's approval (Turpan), so people
    /// may be enrolled in it; returns the record (JSON).
    pub fn register_sub_unit(
        &self,
        unit: UnitId,
        approval: String,
        now: Timestamp,
    ) -> Result<String, HotlineError> {
        self.with(|a| to_json(&a.register_sub_unit(&unit, &approval, now)?))
    }

    /// Signs a catalogue file (TOML: categories, unit classes, dispatch entries) as the city's
    /// next catalogue version and returns its number; devices receive it at their next sync,
    /// and credentials enrolled from now on carry it.
    pub fn issue_catalogue(&self, toml: String, now: Timestamp) -> Result<u64, HotlineError> {
        let catalogue = hotline_core::catalogue::parse_catalogue_toml(&toml)?;
        self.with(|a| Ok(a.issue_catalogue(&catalogue, now)?.version))
    }

    /// The units' sealing keys (JSON), for `HotlineDevice.update_unit_directory`.
    pub fn unit_directory(&self) -> Result<String, HotlineError> {
        self.with(|a| to_json(&a.unit_directory()))
    }
}
