//! Checking each signer's chain of access entries: numbered 1, 2, 3… with each naming the hash
//! of the one before. What does not fit is reported, never repaired.

use std::collections::BTreeMap;

use serde::Serialize;

use super::entry::VerifiedAccess;

/// Something wrong with a signer's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChainProblem {
    /// Entries `after`+1 to `next`-1 are missing (deleted, or not synced yet while later ones
    /// were).
    Gap { cert: String, after: u64, next: u64 },
    /// Entry `seq` does not name the entry before it: one of the two was rewritten.
    Altered { cert: String, seq: u64 },
    /// Two different entries claim place `seq`.
    Forked { cert: String, seq: u64 },
}

/// The problems in `entries` (any order, any signers).
pub fn check_chains(entries: &[VerifiedAccess]) -> Vec<ChainProblem> {
    let mut by_signer: BTreeMap<&str, BTreeMap<u64, Vec<&VerifiedAccess>>> = BTreeMap::new();
    for e in entries {
        by_signer
            .entry(e.entry.cert.as_str())
            .or_default()
            .entry(e.entry.seq)
            .or_default()
            .push(e);
    }
    let mut out = Vec::new();
    for (cert, chain) in by_signer {
        let mut last: Option<(u64, Vec<&VerifiedAccess>)> = None;
        let mut expected = 1u64;
        for (seq, mut here) in chain {
            here.sort_by(|a, b| a.hash.cmp(&b.hash));
            here.dedup_by(|a, b| a.hash == b.hash);
            if here.len() > 1 {
                out.push(ChainProblem::Forked {
                    cert: cert.to_string(),
                    seq,
                });
            }
            if seq > expected {
                out.push(ChainProblem::Gap {
                    cert: cert.to_string(),
                    after: expected.saturating_sub(1),
                    next: seq,
                });
            } else if let Some((prev_seq, prev)) = &last
                && *prev_seq + 1 == seq
                && !here
                    .iter()
                    .any(|e| prev.iter().any(|p| p.hash == e.entry.prev))
            {
                out.push(ChainProblem::Altered {
                    cert: cert.to_string(),
                    seq,
                });
            }
            expected = seq.saturating_add(1);
            last = Some((seq, here));
        }
    }
    out
}
