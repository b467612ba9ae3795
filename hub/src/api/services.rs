//! The hub's service identities: enrolled by the authority for an integrating system, each
//! with its own store in `DATA/services/<certificate>/` (`hotline hub api-key --intake` or
//! `--reader` sets one up), so that what the hub does for the system is signed by that
//! system's identity — never by the hub — and checked like any device's work:
//!
//! - an intake service (role kiosk) records what a city web or WeChat front end submits through
//!   Open311; the signed change enters the hub's storage through the same sync path as any
//!   device's, so nothing is written that a device could not have written;
//! - a reader service (a callback agent of the center, or staff of a unit) opens a citizen's
//!   contact for the system through the API, by the same rule a phone opens it, and the opening
//!   is an entry of that identity's signed access-audit chain, taken into the hub's log at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use hotline_core::device::{Device, SubmitRequest, Submitted};
use hotline_core::model::Timestamp;
use hotline_core::sync::wire::SignedRequest;
use hotline_core::sync::{SyncClient, prepare, serve_prepared};

use crate::errors::HubError;
use crate::state::{Hub, View};

/// Where the service identities' stores live in the hub's data folder.
pub const SERVICES_DIR: &str = "services";

/// Rounds one submission's sync may take (one pushes it; the rest are the knowledge base a
/// kiosk-role identity also receives).
const MAX_ROUNDS: usize = 64;

/// The service identities' devices, opened on first use.
#[derive(Debug)]
pub(crate) struct ServiceStores {
    dir: PathBuf,
    open: Mutex<HashMap<String, Arc<Mutex<Device>>>>,
}

impl ServiceStores {
    pub(crate) fn open(data_dir: &Path) -> Result<ServiceStores, HubError> {
        Ok(ServiceStores {
            dir: data_dir.join(SERVICES_DIR),
            open: Mutex::new(HashMap::new()),
        })
    }

    /// The store of the service identity `cert`, if the hub has one. Blocking.
    pub(crate) fn device(&self, cert: &str) -> Result<Arc<Mutex<Device>>, HubError> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(d) = open.get(cert) {
            return Ok(Arc::clone(d));
        }
        // Certificate ids are `cert-` and hex (the authority makes them): nothing else is a
        // folder name here.
        let plain = cert.starts_with("cert-")
            && cert.len() <= 64
            && cert[5..].chars().all(|c| c.is_ascii_hexdigit());
        let dir = self.dir.join(cert);
        if !plain || !dir.join(hotline_core::store::DB_FILE).exists() {
            return Err(HubError::IntakeNotEnabled);
        }
        let device = Arc::new(Mutex::new(Device::open(&dir)?));
        open.insert(cert.to_string(), Arc::clone(&device));
        Ok(device)
    }
}

/// Submits `req` as the service identity `cert` and takes the signed change into the hub's
/// storage. Blocking.
pub(crate) fn submit(
    hub: &Hub,
    view: &View,
    cert: &str,
    req: SubmitRequest,
    now: Timestamp,
) -> Result<Submitted, HubError> {
    let device = hub.services.device(cert)?;
    let mut dev = device.lock().unwrap_or_else(PoisonError::into_inner);
    // Only an intake service submits (a reader's identity is a callback desk or a unit's).
    if dev.identity(None)?.certificate.body.role != hotline_core::model::Role::Kiosk {
        return Err(HubError::IntakeNotEnabled);
    }
    let submitted = dev.submit(None, req, now)?;
    let mut client = SyncClient::new(&dev, "hub", None)?;
    for _ in 0..MAX_ROUNDS {
        let request: SignedRequest = client.request(&dev, now)?;
        let prepared = prepare(&view.trust, &request, now)?;
        let (response, _) = hub.with_storage(view, |s| {
            Ok(serve_prepared(s, &view.directory, prepared, now)?)
        })?;
        if client.response(&mut dev, response, now)? {
            hub.changed.send_modify(|n| *n = n.wrapping_add(1));
            // The hub's own checks refused it (a limit, a revoked service): say why.
            let held = hub.with_reads(view, |r| Ok(r.order_row(&submitted.order)?.is_some()))?;
            if !held {
                let why = hub.with_reads(view, |r| Ok(r.refusals(64)?))?;
                let found = why
                    .into_iter()
                    .find(|r| r.order.as_deref() == Some(submitted.order.0.as_str()));
                return Err(match found {
                    Some(r) => HubError::Refused {
                        code: hotline_core::error::ErrorCode::parse(&r.code)
                            .unwrap_or(hotline_core::error::ErrorCode::HubInternal),
                        zh: r.message_zh,
                        en: r.message_en,
                    },
                    None => HubError::Internal("the hub did not keep the request".into()),
                });
            }
            return Ok(submitted);
        }
    }
    Err(HubError::Internal(
        "the intake service's sync did not finish".into(),
    ))
}

/// Opens `order`'s sealed contact as the reader service identity `cert` for `system`, for the
/// stated purpose; the access entry is in the hub's log before the details are returned.
/// Blocking.
pub(crate) fn open_contact(
    hub: &Hub,
    view: &View,
    cert: &str,
    system: &str,
    order: &hotline_core::model::OrderId,
    purpose: &str,
    now: Timestamp,
) -> Result<hotline_core::identity::ContactDetails, HubError> {
    let device = hub
        .services
        .device(cert)
        .map_err(|_| HubError::NotPermitted {
            zh: "查看联系方式（其身份在本平台没有读取服务）",
            en: "open contact details (its identity has no reader service at this hub)",
        })?;
    let mut dev = device.lock().unwrap_or_else(PoisonError::into_inner);
    // Whom the city trusts now, so the order's changes verify on the service's store too.
    for c in &view.directory.certificates {
        if dev.trust().certificate(&c.body.id).is_none() {
            dev.add_certificate(c.clone())?;
        }
    }
    if let Some(list) = &view.directory.revocations {
        dev.accept_revocations(list.clone())?;
    }
    let changes: Vec<hotline_core::device::WireChange> = hub.with_reads(view, |r| {
        Ok(r.changes_for(order)?
            .iter()
            .map(hotline_core::device::WireChange::from)
            .collect())
    })?;
    dev.import_batch(&changes, Some("hub"), now)?;
    let via = hotline_core::audit::AccessVia::Api {
        system: system.to_string(),
    };
    let details = dev.contact_via(None, order, purpose, via, now)?;
    // Into the hub's log now, every entry still pending (this one is the newest): the read is
    // not answered before it is on record there.
    loop {
        let pending = dev.store().access_unpushed(256)?;
        if pending.is_empty() {
            return Ok(details);
        }
        let verified = pending
            .iter()
            .map(|a| a.verify(&view.trust))
            .collect::<Result<Vec<_>, _>>()
            .map_err(hotline_core::device::DeviceError::from)?;
        hub.with_storage(view, |s| {
            Ok(s.ingest_access(&verified, cert, now.timestamp_millis())?)
        })?;
        dev.store().mark_access_pushed(&pending)?;
    }
}
