//! Builders shared by the store tests.

use hotline_core::model::OrderId;
use hotline_core::model::{RequestKind, Urgency};
use hotline_core::store::{ActionRecord, IndexRow, StoredChange};
use hotline_core::workflow::Status;

pub fn change(order: &str, hash: &str) -> StoredChange {
    StoredChange {
        order: OrderId::new(order),
        hash: hash.to_string(),
        event_id: format!("ev-{hash}"),
        cert_id: "cert-1".to_string(),
        signature: vec![7; 64],
        bytes: format!("change bytes of {hash}").into_bytes(),
    }
}

pub fn row(order: &str) -> IndexRow {
    IndexRow {
        separate_units: Vec::new(),
        sub_units: Vec::new(),
        notices: None,
        intake: None,
        order: OrderId::new(order),
        receipt: format!("R-{order}"),
        kind: RequestKind::Complaint,
        urgency: Urgency::Normal,
        status: Status::Registered,
        confidential: false,
        lead_unit: None,
        co_units: Vec::new(),
        handling_due: None,
        response_due: None,
        next_due: None,
        next_due_kind: None,
        terminal: false,
        updated_at: 1_700_000_000_000,
        division_code: None,
        origin: Default::default(),
        not_accepted: None,
        deadline_error: None,
        category: None,
        amendments: Vec::new(),
        merged_into: None,
        split_into: Vec::new(),
    }
}

pub fn action(order: &str, hashes: &[&str]) -> ActionRecord {
    ActionRecord {
        order: OrderId::new(order),
        changes: hashes.iter().map(|h| change(order, h)).collect(),
        index: row(order),
        sealed_contacts: Vec::new(),
        attachments: Vec::new(),
    }
}

/// All regular files under `dir`, recursively.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A new store in a folder of its own (removed when the folder is dropped).
pub fn new_store() -> (tempfile::TempDir, hotline_core::store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = hotline_core::store::Store::open(&dir.path().join("store")).unwrap();
    (dir, store)
}

/// The names of the entries directly in `dir`, sorted.
pub fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
