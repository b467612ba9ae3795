//! The machine's limit for the hub's core work on a batch of signed changes: verify every
//! signature (in batches over the machine's cores, as the hub does) and apply every change to
//! its order's Automerge document — nothing else (no SQLite, no workflow, no HTTP).

use automerge::{Automerge, Change};
use hotline_core::error::ErrorCode;
use hotline_core::identity::{
    BatchItem, CertificateId, PublicKeyBytes, SignatureBytes, change_message, verify_batch,
};
use hotline_core::store::Store;
use std::collections::HashMap;
use std::time::Instant;

use crate::output::CliError;

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::new(
        ErrorCode::BenchLimit,
        format!("基准测试失败：{e}"),
        format!("benchmark failed: {e}"),
    )
}

/// Changes per second for the changes after `after_seq` in `store`.
pub fn verify_and_apply_rate(store: &Store, after_seq: i64) -> Result<f64, CliError> {
    let mut logged = Vec::new();
    let mut seq = after_seq;
    loop {
        let batch = store.changes_after(seq, 4096)?;
        let Some(last) = batch.last() else { break };
        seq = last.seq;
        logged.extend(batch.into_iter().map(|l| l.change));
    }
    let mut keys: HashMap<String, PublicKeyBytes> = HashMap::new();
    for (id, body) in store.certificates()? {
        let cert: hotline_core::identity::Certificate =
            serde_json::from_slice(&body).map_err(fail)?;
        keys.insert(id, cert.body.device_key);
    }
    let prepared: Vec<(Vec<u8>, SignatureBytes, PublicKeyBytes)> = logged
        .iter()
        .filter_map(|c| {
            let sig = SignatureBytes::from_tagged_bytes(&c.signature)?;
            let key = *keys.get(&c.cert_id)?;
            Some((
                change_message(&CertificateId::new(c.cert_id.clone()), &c.bytes),
                sig,
                key,
            ))
        })
        .collect();
    let t = Instant::now();
    let items: Vec<BatchItem<'_>> = prepared
        .iter()
        .map(|(m, s, k)| BatchItem {
            message: m,
            signature: s,
            key: k,
        })
        .collect();
    // Over the machine's cores, as the hub verifies a long push (`verify_incoming`): the
    // limit is the machine's, not one core's (SM2 verifies at a quarter of ed25519's pace,
    // so one core's figure would sit below what the hub does).
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let part = items.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(part)
            .map(|c| scope.spawn(move || verify_batch(c)))
            .collect();
        parts.into_iter().try_for_each(|p| {
            p.join()
                .map_err(|_| fail("a verifying thread failed"))?
                .map_err(fail)
        })
    })?;
    let mut docs: HashMap<&str, Automerge> = HashMap::new();
    for c in &logged {
        let change = Change::from_bytes(c.bytes.clone()).map_err(fail)?;
        docs.entry(c.order.0.as_str())
            .or_default()
            .apply_changes([change])
            .map_err(fail)?;
    }
    let s = t.elapsed().as_secs_f64();
    Ok(logged.len() as f64 / s.max(1e-9))
}
