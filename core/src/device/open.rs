//! Opening a store: setting up a device or a hub from a credential, opening it with its key custody, and the once-only upgrades of an older store on its first writable open.

use super::*;

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
                // The key is of the algorithm its certificate names.
                let suite = credential.certificate.body.device_key.suite();
                FileKeyCustody::import_in(suite, &path, &bytes)?;
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
        let mut device = Device::open(dir)?;
        if let Some(catalogue) = &credential.catalogue {
            device.accept_catalogue(catalogue)?;
        }
        Ok(device)
    }

    /// Sets up a store that holds no person of its own (the city hub's, see
    /// [`SqliteHub`](crate::sync::SqliteHub)): it verifies and stores what devices send, and
    /// signs nothing.
    pub(crate) fn init_node(
        dir: &Path,
        root_public: PublicKeyBytes,
        platform_sealing: SealingPublicKey,
        policy: &Policy,
    ) -> Result<(), DeviceError> {
        let store = Store::open(dir)?;
        match json_meta::<PublicKeyBytes>(&store, META_ROOT)? {
            Some(root) if root != root_public => return Err(DeviceError::OtherCity),
            _ => set_json_meta(&store, META_ROOT, &root_public)?,
        }
        set_json_meta(&store, META_PLATFORM, &platform_sealing)?;
        set_json_meta(&store, META_POLICY, policy)?;
        drop(store);
        Ok(())
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

    pub(super) fn open_inner(
        dir: &Path,
        custody: Option<Arc<dyn KeyCustody>>,
    ) -> Result<Device, DeviceError> {
        // Opening must not conjure an empty store out of a mistyped path.
        if !dir.join(crate::store::DB_FILE).exists() {
            return Err(DeviceError::NotInitialised);
        }
        Self::with_store(dir, Store::open(dir)?, custody, true)
    }

    pub(super) fn with_store(
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
            catalogues: crate::catalogue::CatalogueSet::new(),
            identities,
            cache: RefCell::new(DocCache::new(DOC_CACHE_CAPACITY, DOC_CACHE_BYTES)),
            read_only: !writable,
        };
        device.load_catalogues()?;
        if writable && !device.store.blob_refs_complete()? {
            device.index_blob_refs()?;
        }
        if writable && !device.store.index_v6_complete()? {
            device.rebuild_index_v6()?;
        }
        Ok(device)
    }

    /// Refuses a change to a store opened read-only, before anything is attempted.
    pub(super) fn check_writable(&self) -> Result<(), DeviceError> {
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
    pub(super) fn index_blob_refs(&mut self) -> Result<(), DeviceError> {
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
    pub(super) fn rebuild_index_v6(&mut self) -> Result<(), DeviceError> {
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
}
