//! `HotlineDevice`: one kiosk, phone or desk. Each method wraps the core `Device` method of the
//! same name (`overdue` is `inbox` with an overdue filter, `import_changes` is `import_change`
//! per change), run on tokio's blocking pool (SQLite and signing block) under one lock, so an
//! app can call from any thread and never blocks its UI thread.

use hotline_core::error::ErrorCode;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use hotline_core::Coded;
use hotline_core::device::{Credential, Device, ImportOutcome, ReceiptStatus, Submitted};
use hotline_core::identity::{Certificate, ContactDetails, RevocationList, SealingPublicKey};
use hotline_core::model::{GpsFix, OrderId, UnitId};

use crate::custody::{ForeignCustody, ForeignSealing, SealingKeyCustody};
use crate::views::{EnrolledPerson, InboxRow, OrderView, VerifyResult};
use crate::{
    CancelHandle, DeviceKeyCustody, HotlineError, InboxFilter, KnowledgeBase, KnowledgeItem,
    OrderChangeListener, PhotoInput, ProgressListener, SignedChange, SiteSupervisionInput,
    SubmitRequest, Timestamp, WorkflowAction,
};

/// What a bulk import did. Refused changes are listed and skipped; the rest are stored.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportSummary {
    pub applied: u64,
    pub already_had: u64,
    pub refused: Vec<ImportRefusal>,
}

/// One change an import refused, with the core's reason.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportRefusal {
    /// Its position in the list given to `import_changes`.
    pub index: u64,
    pub hash: String,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(uniffi::Object)]
pub struct HotlineDevice {
    /// Shared with the sync (the core's `DeviceAccess` takes the lock per step).
    pub(crate) device: Arc<Mutex<Device>>,
    listener: Mutex<Option<Arc<dyn OrderChangeListener>>>,
    knowledge: Mutex<Option<Arc<dyn KnowledgeBase>>>,
}

impl std::fmt::Debug for HotlineDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HotlineDevice").finish_non_exhaustive()
    }
}

fn json<T: serde::de::DeserializeOwned>(
    field: &'static str,
    text: &str,
) -> Result<T, HotlineError> {
    serde_json::from_str(text).map_err(|e| HotlineError::bad_input(field, e.to_string()))
}

/// The device lock. Blocking: call it on the blocking pool.
pub(crate) fn lock_device(device: &Mutex<Device>) -> Result<MutexGuard<'_, Device>, HotlineError> {
    // A poisoned lock means an earlier call crashed mid-way; the store is transactional, but
    // this in-memory device may not be, so it must be reopened.
    device
        .lock()
        .map_err(|_| HotlineError::internal(ErrorCode::DevicePoisoned, "an earlier call crashed"))
}

/// Runs store work off the caller's thread: tokio's blocking pool, under the device lock.
async fn blocking<T, F>(device: Arc<Mutex<Device>>, work: F) -> Result<T, HotlineError>
where
    T: Send + 'static,
    F: FnOnce(&mut Device) -> Result<T, HotlineError> + Send + 'static,
{
    tokio::task::spawn_blocking(move || work(&mut *lock_device(&device)?))
        .await
        .map_err(|e| HotlineError::internal(ErrorCode::WorkerFailed, e))?
}

fn open_device(
    dir: PathBuf,
    custody: Option<Arc<dyn DeviceKeyCustody>>,
    sealing: Option<Vec<Arc<dyn SealingKeyCustody>>>,
) -> Result<Device, HotlineError> {
    let signing: Option<Arc<dyn hotline_core::identity::KeyCustody>> = match custody {
        Some(app) => Some(Arc::new(ForeignCustody::new(app)?)),
        None => None,
    };
    let sealing = sealing
        .unwrap_or_default()
        .into_iter()
        .map(|app| {
            ForeignSealing::new(app)
                .map(|s| Arc::new(s) as Arc<dyn hotline_core::identity::SealingCustody>)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Device::open_with_custodies(&dir, signing, sealing)?)
}

impl HotlineDevice {
    fn wrap(device: Device) -> Arc<Self> {
        Arc::new(Self {
            device: Arc::new(Mutex::new(device)),
            listener: Mutex::new(None),
            knowledge: Mutex::new(None),
        })
    }

    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, HotlineError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Device) -> Result<T, HotlineError> + Send + 'static,
    {
        blocking(self.device.clone(), work).await
    }

    /// Tells the change listener which orders changed: after the device lock is released (so
    /// it may call back into the device), on a worker thread like the progress listener (never
    /// on the caller's, possibly UI, thread), and before the call that changed them returns.
    pub(crate) async fn changed(&self, orders: Vec<OrderId>) {
        if orders.is_empty() {
            return;
        }
        let Some(listener) = self.listener.lock().ok().and_then(|l| l.clone()) else {
            return;
        };
        // A failing listener must not turn stored work into an error.
        let _ = tokio::task::spawn_blocking(move || listener.on_orders_changed(orders)).await;
    }

    async fn act_and_tell<F>(&self, order: OrderId, work: F) -> Result<OrderView, HotlineError>
    where
        F: FnOnce(&mut Device, &OrderId) -> Result<hotline_core::device::OrderView, HotlineError>
            + Send
            + 'static,
    {
        let id = order.clone();
        let view = self.run(move |d| work(d, &id)).await?;
        self.changed(vec![order]).await;
        Ok(view.into())
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl HotlineDevice {
    /// Opens a store set up by `set_up`. With `custody`, the person enrolled for its public key
    /// signs through it (Android Keystore, iOS Keychain); people whose key the city generated
    /// sign with the key file kept in the store. With `sealing`, the sealing keys the app keeps
    /// open citizens' contact details instead of key files in the store.
    #[uniffi::constructor(default(custody = None, sealing = None))]
    pub async fn open(
        store_path: String,
        custody: Option<Arc<dyn DeviceKeyCustody>>,
        sealing: Option<Vec<Arc<dyn SealingKeyCustody>>>,
    ) -> Result<Arc<Self>, HotlineError> {
        let dir = PathBuf::from(store_path);
        let device = tokio::task::spawn_blocking(move || open_device(dir, custody, sealing))
            .await
            .map_err(|e| HotlineError::internal(ErrorCode::WorkerFailed, e))??;
        Ok(Self::wrap(device))
    }

    /// Sets up a store (or adds a person to it) from an enrolment credential (JSON, as the
    /// city issues it), then opens it as `open` does. (The core's `Device::init`; not named
    /// `init`, which Swift reserves for initialisers.)
    #[uniffi::constructor(default(custody = None))]
    pub async fn set_up(
        store_path: String,
        credential_json: String,
        now: Timestamp,
        custody: Option<Arc<dyn DeviceKeyCustody>>,
    ) -> Result<Arc<Self>, HotlineError> {
        let dir = PathBuf::from(store_path);
        let device = tokio::task::spawn_blocking(move || {
            let credential: Credential = json("credential", &credential_json)?;
            drop(Device::init(&dir, &credential, now)?);
            open_device(dir, custody, None)
        })
        .await
        .map_err(|e| HotlineError::internal(ErrorCode::WorkerFailed, e))??;
        Ok(Self::wrap(device))
    }

    /// The people enrolled on this device (a shared phone may have several: pass `who`).
    pub async fn identities(&self) -> Result<Vec<EnrolledPerson>, HotlineError> {
        self.run(|d| Ok(d.identities().iter().map(EnrolledPerson::from).collect()))
            .await
    }

    // ── kiosk ────────────────────────────────────────────────────────────────────────────

    /// A citizen's request: checked, contact sealed to the platform, photos stored, signed.
    #[uniffi::method(default(who = None))]
    pub async fn submit(
        &self,
        request: SubmitRequest,
        now: Timestamp,
        who: Option<String>,
    ) -> Result<Submitted, HotlineError> {
        let submitted = self
            .run(move |d| Ok(d.submit(who.as_deref(), request.into(), now)?))
            .await?;
        self.changed(vec![submitted.order.clone()]).await;
        Ok(submitted)
    }

    /// The version of the newest catalogue this device holds; 0 before the first sync.
    pub async fn catalogue_version(&self) -> Result<u64, HotlineError> {
        self.run(|d| Ok(d.catalogues().latest_version())).await
    }

    /// The categories right below `parent` (the top level for `None`), each with its whole
    /// intake form, from the newest catalogue.
    pub async fn categories(
        &self,
        parent: Option<String>,
    ) -> Result<Vec<crate::catalogue::CategoryInfo>, HotlineError> {
        self.run(move |d| {
            let catalogue = &d.catalogue()?.catalogue;
            Ok(catalogue
                .children(parent.as_deref())
                .into_iter()
                .filter_map(|c| crate::catalogue::category_info(catalogue, &c.code))
                .collect())
        })
        .await
    }

    /// One category with its whole intake form.
    pub async fn category(
        &self,
        code: String,
    ) -> Result<crate::catalogue::CategoryInfo, HotlineError> {
        self.run(move |d| {
            let issued = d.catalogue()?;
            crate::catalogue::category_info(&issued.catalogue, &code).ok_or_else(|| {
                hotline_core::catalogue::CatalogueError::UnknownCategory {
                    code: code.clone(),
                    version: issued.version,
                }
                .into()
            })
        })
        .await
    }

    /// Whom the dispatch catalogue (with the approved returns' amendments held here) proposes
    /// for the order; `None` without a category or an entry for it.
    pub async fn dispatch_proposal(
        &self,
        order: OrderId,
    ) -> Result<Option<crate::catalogue::DispatchProposal>, HotlineError> {
        self.run(move |d| Ok(d.dispatch_proposal(&order)?.map(Into::into)))
            .await
    }

    /// What a citizen sees for a receipt code: status and next deadline, nothing personal.
    pub async fn status(&self, receipt: String) -> Result<ReceiptStatus, HotlineError> {
        self.run(move |d| Ok(d.status(&receipt)?)).await
    }

    /// Plugs in the knowledge base the kiosk searches (see `knowledge.rs`); `None` removes it.
    pub fn set_knowledge_base(&self, knowledge_base: Option<Arc<dyn KnowledgeBase>>) {
        if let Ok(mut kb) = self.knowledge.lock() {
            *kb = knowledge_base;
        }
    }

    /// Searches the knowledge base: the app's own when one is plugged in, else the city's
    /// signed one this device holds (`kb_search` gives versions and every field).
    pub async fn search_knowledge(
        &self,
        query: String,
        limit: u32,
    ) -> Result<Vec<KnowledgeItem>, HotlineError> {
        let kb = self.knowledge.lock().ok().and_then(|k| k.clone());
        match kb {
            None => {
                self.run(move |d| {
                    Ok(d.kb_search(&query, limit, chrono::Utc::now())?
                        .into_iter()
                        .map(|h| KnowledgeItem {
                            id: h.item.id,
                            title: h.item.title,
                            answer: h.item.answer,
                        })
                        .collect())
                })
                .await
            }
            Some(kb) => tokio::task::spawn_blocking(move || kb.search(query, limit))
                .await
                .map_err(|e| HotlineError::internal(ErrorCode::WorkerFailed, e))?,
        }
    }

    // ── staff, unit heads, the center ────────────────────────────────────────────────────

    /// Orders matching the filter (open ones unless `include_terminal`).
    #[uniffi::method(default(filter))]
    pub async fn inbox(&self, filter: InboxFilter) -> Result<Vec<InboxRow>, HotlineError> {
        let query = filter.query(None);
        self.run(move |d| Ok(d.inbox(&query)?.into_iter().map(Into::into).collect()))
            .await
    }

    /// Orders past their handling deadline at `at`, within the filter.
    #[uniffi::method(default(filter))]
    pub async fn overdue(
        &self,
        at: Timestamp,
        filter: InboxFilter,
    ) -> Result<Vec<InboxRow>, HotlineError> {
        let query = filter.query(Some(at));
        self.run(move |d| Ok(d.inbox(&query)?.into_iter().map(Into::into).collect()))
            .await
    }

    /// The order with its deadlines, call log, evidence and history.
    pub async fn show(&self, order: OrderId) -> Result<OrderView, HotlineError> {
        let view = self.run(move |d| Ok(d.show(&order)?)).await?;
        Ok(view.into())
    }

    /// Any workflow action (register, dispatch, sign for, call log entry, reply, …).
    #[uniffi::method(default(who = None))]
    pub async fn act(
        &self,
        order: OrderId,
        action: WorkflowAction,
        now: Timestamp,
        who: Option<String>,
    ) -> Result<OrderView, HotlineError> {
        self.act_and_tell(order, move |d, o| {
            Ok(d.act(who.as_deref(), o, action.into(), now)?)
        })
        .await
    }

    /// 并单: merges `duplicate` into `into` (both held here); the duplicate's citizen follows
    /// `into` by their own receipt and is called back on it. Returns `into` as it now stands.
    #[uniffi::method(default(note = "", who = None))]
    pub async fn merge(
        &self,
        duplicate: OrderId,
        into: OrderId,
        now: Timestamp,
        note: String,
        who: Option<String>,
    ) -> Result<OrderView, HotlineError> {
        let target = into.clone();
        let changed = vec![duplicate.clone()];
        let view = self
            .act_and_tell(target, move |d, into| {
                Ok(d.merge(who.as_deref(), &duplicate, into, &note, now)?)
            })
            .await?;
        self.changed(changed).await;
        Ok(view)
    }

    /// 拆单: splits `order` into one new order per part; returns the parts' ids and receipts.
    #[uniffi::method(default(note = "", who = None))]
    pub async fn split(
        &self,
        order: OrderId,
        parts: Vec<crate::catalogue::SplitPartInput>,
        now: Timestamp,
        note: String,
        who: Option<String>,
    ) -> Result<Vec<Submitted>, HotlineError> {
        let original = order.clone();
        let made = self
            .run(move |d| {
                let parts = parts.into_iter().map(Into::into).collect();
                Ok(d.split(who.as_deref(), &original, parts, &note, now)?)
            })
            .await?;
        let mut changed: Vec<OrderId> = made.iter().map(|m| m.order.clone()).collect();
        changed.push(order);
        self.changed(changed).await;
        Ok(made)
    }

    /// On-site verification photos with their GPS fixes (现场核实).
    #[uniffi::method(default(gps = None, note = "", who = None))]
    pub async fn add_evidence(
        &self,
        order: OrderId,
        photos: Vec<PhotoInput>,
        now: Timestamp,
        gps: Option<GpsFix>,
        note: String,
        who: Option<String>,
    ) -> Result<OrderView, HotlineError> {
        self.act_and_tell(order, move |d, o| {
            let photos = photos.into_iter().map(Into::into).collect();
            Ok(d.add_evidence(who.as_deref(), o, photos, gps, note, now)?)
        })
        .await
    }

    /// The citizen's contact details, for someone entitled to them on this order, for a stated
    /// purpose: the opening is entered (signed) in this person's access log before the details
    /// are returned, and syncs to the hub (`access_purpose_required` without a purpose).
    #[uniffi::method(default(who = None))]
    pub async fn contact(
        &self,
        order: OrderId,
        purpose: String,
        who: Option<String>,
    ) -> Result<ContactDetails, HotlineError> {
        self.run(move |d| Ok(d.contact(who.as_deref(), &order, &purpose, chrono::Utc::now())?))
            .await
    }

    // ── supervisor ───────────────────────────────────────────────────────────────────────

    /// The on-site supervision form (现场督办情况表) with its photos.
    #[uniffi::method(default(who = None))]
    pub async fn site_supervision(
        &self,
        order: OrderId,
        form: SiteSupervisionInput,
        now: Timestamp,
        who: Option<String>,
    ) -> Result<OrderView, HotlineError> {
        self.act_and_tell(order, move |d, o| {
            Ok(d.site_supervision(who.as_deref(), o, form.into(), now)?)
        })
        .await
    }

    // ── moving signed changes between devices by hand (`sync` does it with the hub) ──────

    /// Every signed change of an order, as stored.
    pub async fn export_changes(&self, order: OrderId) -> Result<Vec<SignedChange>, HotlineError> {
        self.run(move |d| Ok(d.export_changes(&order)?)).await
    }

    /// One change from elsewhere: verified, authorised, stored; or refused and nothing written.
    pub async fn import_change(
        &self,
        change: SignedChange,
        now: Timestamp,
    ) -> Result<ImportOutcome, HotlineError> {
        let order = change.order.clone();
        let outcome = self
            .run(move |d| Ok(d.import_change(&change, now)?))
            .await?;
        if outcome == ImportOutcome::Applied {
            self.changed(vec![order]).await;
        }
        Ok(outcome)
    }

    /// Many changes, one at a time, each stored as it passes: progress after each, a cancel
    /// stops between two (what was stored stays), refused ones are listed and skipped.
    #[uniffi::method(default(progress = None, cancel = None))]
    pub async fn import_changes(
        &self,
        changes: Vec<SignedChange>,
        now: Timestamp,
        progress: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<ImportSummary, HotlineError> {
        let (summary, touched, was_cancelled) = self
            .run(move |d| Ok(import_all(d, changes, now, progress, cancel)))
            .await?;
        self.changed(touched).await;
        if was_cancelled {
            return Err(HotlineError::cancelled());
        }
        Ok(summary)
    }

    /// Re-checks every stored change, certificate and photo; changes nothing. A cancel returns
    /// at once (the check itself, read-only, finishes in the background).
    #[uniffi::method(default(cancel = None))]
    pub async fn verify(
        &self,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<VerifyResult, HotlineError> {
        let work = self.run(|d| Ok(VerifyResult::from(d.verify()?)));
        match cancel {
            None => work.await,
            Some(handle) => {
                if handle.is_cancelled() {
                    return Err(HotlineError::cancelled());
                }
                tokio::select! {
                    result = work => result,
                    () = handle.cancelled() => Err(HotlineError::cancelled()),
                }
            }
        }
    }

    // ── what the city distributes ────────────────────────────────────────────────────────

    /// Trusts another enrolled device's certificate (JSON; signed by this city's root).
    pub async fn add_certificate(&self, certificate_json: String) -> Result<(), HotlineError> {
        self.run(move |d| {
            let cert: Certificate = json("certificate", &certificate_json)?;
            Ok(d.add_certificate(cert)?)
        })
        .await
    }

    /// Installs a newer root-signed revocation list (JSON).
    pub async fn set_revocations(&self, revocation_list_json: String) -> Result<(), HotlineError> {
        self.run(move |d| {
            let list: RevocationList = json("revocation_list", &revocation_list_json)?;
            Ok(d.set_revocations(list)?)
        })
        .await
    }

    /// Adds or replaces units' sealing keys (JSON map unit → key, as the city distributes it).
    pub async fn update_unit_directory(&self, directory_json: String) -> Result<(), HotlineError> {
        self.run(move |d| {
            let units: BTreeMap<UnitId, SealingPublicKey> =
                json("unit_directory", &directory_json)?;
            Ok(d.update_unit_directory(units)?)
        })
        .await
    }

    // ── sync ─────────────────────────────────────────────────────────────────────────────
    // `sync`, `receipt_status`, `node_id`, `export_bundle` and `import_bundle` are in sync.rs
    // (the same object; uniffi merges the impl blocks).

    /// Registers the listener told about changed orders; `None` removes it.
    pub fn set_change_listener(&self, listener: Option<Arc<dyn OrderChangeListener>>) {
        if let Ok(mut l) = self.listener.lock() {
            *l = listener;
        }
    }
}

/// The body of `import_changes`, under the device lock: returns the summary, the orders that
/// changed, and whether it stopped for a cancel.
fn import_all(
    d: &mut Device,
    changes: Vec<SignedChange>,
    now: Timestamp,
    progress: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> (ImportSummary, Vec<OrderId>, bool) {
    let total = changes.len() as u64;
    let mut summary = ImportSummary {
        applied: 0,
        already_had: 0,
        refused: Vec::new(),
    };
    let mut touched: Vec<OrderId> = Vec::new();
    let cancelled = || cancel.as_ref().is_some_and(|c| c.is_cancelled());
    // Checked before each change, and once up front so an empty list still honours a cancel.
    if cancelled() {
        return (summary, touched, true);
    }
    for (i, change) in changes.into_iter().enumerate() {
        if i > 0 && cancelled() {
            return (summary, touched, true);
        }
        match d.import_change(&change, now) {
            Ok(ImportOutcome::Applied) => {
                summary.applied += 1;
                if !touched.contains(&change.order) {
                    touched.push(change.order);
                }
            }
            Ok(ImportOutcome::AlreadyHad) => summary.already_had += 1,
            Err(e) => summary.refused.push(ImportRefusal {
                index: i as u64,
                hash: change.hash,
                code: e.code().to_string(),
                message_zh: e.message_zh(),
                message_en: e.message_en(),
            }),
        }
        if let Some(p) = &progress {
            // Progress is informational; a failing listener does not stop the import.
            let _ = p.on_progress(i as u64 + 1, total);
        }
    }
    (summary, touched, false)
}
