//! What `hotline audit` and the hub's audit endpoint show: the entries that match, each
//! verified and its signer read off the certificate, and what is wrong — entries whose
//! signature no longer holds (altered where they are kept) and breaks in a signer's chain.

use serde::Serialize;

use super::chain::{ChainProblem, check_chains};
use super::entry::{AccessVia, SignedAccess, VerifiedAccess};
use crate::Coded;
use crate::identity::TrustStore;
use crate::model::{Role, Timestamp};

/// Which entries to list (all when empty).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub order: Option<String>,
    /// A person id (as enrolled).
    pub person: Option<String>,
    pub period: Option<crate::center::Period>,
}

/// One entry as listed.
#[derive(Debug, Clone, Serialize)]
pub struct AuditLine {
    pub at: Timestamp,
    pub order: String,
    pub person: String,
    pub role: Role,
    pub unit: String,
    pub purpose: String,
    #[serde(flatten)]
    pub via: AccessVia,
    pub cert: String,
    pub seq: u64,
    pub hash: String,
    /// The signer's certificate was revoked since.
    pub revoked: bool,
}

/// An entry kept whose signature does not hold.
#[derive(Debug, Clone, Serialize)]
pub struct Unverified {
    pub cert: String,
    pub hash: String,
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditReport {
    pub entries: Vec<AuditLine>,
    /// Breaks in every signer's chain (never filtered: a missing entry's order is unknown).
    pub problems: Vec<ChainProblem>,
    /// Entries that no longer verify: altered where they were kept (never filtered).
    pub altered: Vec<Unverified>,
}

impl AuditReport {
    /// Whether everything listed is whole.
    pub fn intact(&self) -> bool {
        self.problems.is_empty() && self.altered.is_empty()
    }
}

fn wanted(v: &VerifiedAccess, f: &AuditFilter) -> bool {
    f.order.as_ref().is_none_or(|o| &v.entry.order.0 == o)
        && f.person.as_ref().is_none_or(|p| &v.person == p)
        && f.period.as_ref().is_none_or(|p| p.contains(v.entry.at))
}

/// Verifies every entry of `all` against `trust`, checks every signer's chain, and lists what
/// `filter` selects, oldest first.
pub fn report(all: &[SignedAccess], trust: &TrustStore, filter: &AuditFilter) -> AuditReport {
    let mut verified = Vec::with_capacity(all.len());
    let mut altered = Vec::new();
    for s in all {
        match s.verify(trust) {
            Ok(v) => verified.push(v),
            Err(e) => altered.push(Unverified {
                cert: s.cert.chars().take(128).collect(),
                hash: s.hash(),
                code: e.code().as_str(),
                message_zh: e.message_zh(),
                message_en: e.message_en(),
            }),
        }
    }
    let selected: Vec<&VerifiedAccess> = verified.iter().filter(|v| wanted(v, filter)).collect();
    // Every break of every chain, whatever the filter: a deleted entry cannot be tied to the
    // order or month it was about, so a filtered view must not hide it.
    let problems = check_chains(&verified);
    let mut entries: Vec<AuditLine> = selected
        .into_iter()
        .map(|v| AuditLine {
            at: v.entry.at,
            order: v.entry.order.0.clone(),
            person: v.person.clone(),
            role: v.role,
            unit: v.unit.clone(),
            purpose: v.entry.purpose.clone(),
            via: v.entry.via.clone(),
            cert: v.entry.cert.clone(),
            seq: v.entry.seq,
            hash: v.hash.clone(),
            revoked: v.revoked,
        })
        .collect();
    entries.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then(a.cert.cmp(&b.cert))
            .then(a.seq.cmp(&b.seq))
    });
    AuditReport {
        entries,
        problems,
        altered,
    }
}

/// Every entry `page` hands out, page by page (a store's or a hub's read side).
pub fn read_all<E>(
    mut page: impl FnMut(u64, u32) -> Result<Vec<SignedAccess>, E>,
) -> Result<Vec<SignedAccess>, E> {
    const PAGE: u32 = 1000;
    let mut all = Vec::new();
    loop {
        let part = page(all.len() as u64, PAGE)?;
        let n = part.len();
        all.extend(part);
        if n < PAGE as usize {
            return Ok(all);
        }
    }
}
