//! `hotline verify`: re-check everything stored, report every problem, change nothing.

use serde::Serialize;
use std::collections::BTreeSet;

use super::{Device, DeviceError};
use crate::Coded;
use crate::doc;
use crate::identity::CertificateId;

/// One thing that failed a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `change`, `certificate` or `blob`.
    pub kind: &'static str,
    /// The change hash, certificate id or blob hash.
    pub subject: String,
    pub order: Option<String>,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub changes_checked: u64,
    pub certificates_checked: u64,
    pub blobs_checked: u64,
    /// Changes signed with a certificate revoked since: accepted before the revocation, so not
    /// a fault, but worth a look when a key was revoked because it was stolen.
    pub signed_by_revoked: u64,
    /// Photos referenced by changes whose bytes have not reached this device yet.
    pub blobs_pending: u64,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn problem(kind: &'static str, subject: &str, order: Option<&str>, e: &dyn Coded) -> Problem {
    Problem {
        kind,
        subject: subject.to_string(),
        order: order.map(str::to_string),
        code: e.code().to_string(),
        message_zh: e.message_zh(),
        message_en: e.message_en(),
    }
}

pub(super) fn run(device: &Device) -> Result<VerifyReport, DeviceError> {
    let mut report = VerifyReport::default();
    for (id, body) in device.store.certificates()? {
        report.certificates_checked += 1;
        let checked = serde_json::from_slice::<crate::identity::Certificate>(&body)
            .map_err(|e| DeviceError::Corrupt(format!("certificate {id}: {e}")))
            .and_then(|c| {
                c.verify_signature(device.trust.root())?;
                if c.body.id.0 != id {
                    return Err(DeviceError::Corrupt(format!(
                        "certificate {id} stored under another id"
                    )));
                }
                Ok(())
            });
        if let Err(e) = checked {
            report.problems.push(problem("certificate", &id, None, &e));
        }
    }
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    // Per order, in log order: each change is checked against the document built from the
    // changes before it that passed, so one altered change is reported once, and the changes
    // that build on it as depending on a damaged one.
    for order in device.store.change_orders()? {
        let mut doc = doc::OrderDoc::empty(&order, doc::actor_for_device(b"verify"));
        for s in device.store.changes_for(&order)? {
            report.changes_checked += 1;
            let result = (|| -> Result<(), DeviceError> {
                let change = device.check_stored(&s)?;
                let (effect, after) = doc.preview(&change)?;
                let event = effect
                    .events
                    .into_iter()
                    .find(|e| e.id.0 == s.event_id)
                    .ok_or_else(|| {
                        DeviceError::Corrupt(format!("change {} lacks its event", s.hash))
                    })?;
                let cert = device
                    .trust
                    .certificate(&CertificateId::new(s.cert_id.clone()))
                    .ok_or_else(|| {
                        DeviceError::Corrupt(format!("unknown certificate {}", s.cert_id))
                    })?;
                cert.check_actor(&event.actor)?;
                if device.trust.is_revoked(&cert.body.id) {
                    report.signed_by_revoked += 1;
                }
                for a in event.action.attachments() {
                    referenced.insert(a.sha256.clone());
                }
                doc = after;
                Ok(())
            })();
            if let Err(e) = result {
                report
                    .problems
                    .push(problem("change", &s.hash, Some(order.0.as_str()), &e));
            }
        }
    }
    let stored: BTreeSet<String> = device
        .store
        .blobs()?
        .into_iter()
        .map(|b| b.sha256)
        .collect();
    // Photos travel separately from changes, so a referenced photo not received yet is
    // pending, not a fault; a blob this store holds must still match its hash.
    report.blobs_pending = referenced.difference(&stored).count() as u64;
    for sha in &stored {
        report.blobs_checked += 1;
        if let Err(e) = device.store.verify_blob(sha) {
            report.problems.push(problem("blob", sha, None, &e));
        }
    }
    Ok(report)
}
