//! The hub's intake services: what a city web or WeChat front end submits through Open311 is
//! recorded as an intake signed by a service identity the authority enrolled for that system
//! (role kiosk: it submits for citizens and reads nothing back), whose store lives in
//! `DATA/services/<certificate>/` (`hotline hub api-key --intake` sets it up). The signed
//! change then enters the hub's storage through the same sync path as any device's — checked,
//! authorised and logged like every other — so nothing is written that a device could not
//! have written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use hotline_core::device::{Device, SubmitRequest, Submitted};
use hotline_core::model::Timestamp;
use hotline_core::sync::wire::SignedRequest;
use hotline_core::sync::{SyncClient, prepare, serve_prepared};

use crate::errors::HubError;
use crate::state::{Hub, View};

/// Where the intake services' stores live in the hub's data folder.
pub const SERVICES_DIR: &str = "services";

/// Rounds one submission's sync may take (one pushes it; the rest are the knowledge base a
/// kiosk-role identity also receives).
const MAX_ROUNDS: usize = 64;

/// The intake services' devices, opened on first use.
#[derive(Debug)]
pub(crate) struct ServiceIntakes {
    dir: PathBuf,
    open: Mutex<HashMap<String, Arc<Mutex<Device>>>>,
}

impl ServiceIntakes {
    pub(crate) fn open(data_dir: &Path) -> Result<ServiceIntakes, HubError> {
        Ok(ServiceIntakes {
            dir: data_dir.join(SERVICES_DIR),
            open: Mutex::new(HashMap::new()),
        })
    }

    /// The store of the service identity `cert`, if the hub has one. Blocking.
    fn device(&self, cert: &str) -> Result<Arc<Mutex<Device>>, HubError> {
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
    let device = hub.intakes.device(cert)?;
    let mut dev = device.lock().unwrap_or_else(PoisonError::into_inner);
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
                let why = hub.with_reads(view, |r| Ok(r.refusals(16)?))?;
                let reason = why
                    .into_iter()
                    .find(|r| r.order.as_deref() == Some(submitted.order.0.as_str()))
                    .map_or_else(|| "refused".to_string(), |r| r.message_en);
                return Err(HubError::BadQuery(format!(
                    "the hub refused the request: {reason}"
                )));
            }
            return Ok(submitted);
        }
    }
    Err(HubError::Internal(
        "the intake service's sync did not finish".into(),
    ))
}
