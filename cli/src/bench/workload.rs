//! The shared benchmark workload (`shared/bench/work-orders-1000.jsonl`, used unchanged): one
//! line becomes one submission (one change) at the line's `created_at`; its `edit` becomes one
//! workflow event (one change) at the edit's own time, with its note. What the hotline's model
//! does not take from a line is listed in [`MAPPING`].

use chrono::{DateTime, Utc};
use hotline_core::device::SubmitRequest;
use hotline_core::error::ErrorCode;
use hotline_core::model::{Channel, GpsFix, Location, RequestKind, Urgency};
use serde::Deserialize;
use std::path::{Path, PathBuf};

use super::peer_changes;
use crate::output::CliError;

#[derive(Deserialize)]
struct Line {
    kind: String,
    urgency: String,
    channel: String,
    address: String,
    division_code: String,
    lat: f64,
    lon: f64,
    confidential: bool,
    description: String,
    created_at: i64,
    edit: serde_json::Value,
}

#[derive(Deserialize)]
struct Edit {
    event: EditEvent,
}

#[derive(Deserialize)]
struct EditEvent {
    at: i64,
    note: String,
}

/// One benchmark order: the request and when it was made, the note of its one edit and when.
pub struct BenchOrder {
    pub request: SubmitRequest,
    pub created_at: DateTime<Utc>,
    pub edit_note: String,
    pub edit_at: DateTime<Utc>,
    /// The peer's bytes for the order: its line as given (the edit left out), and its edit.
    pub peer_order_json_bytes: usize,
    pub peer_edit_json_bytes: usize,
    /// The same two as the peer's Automerge changes, encoded (`peer_changes`).
    pub peer_order_change_bytes: usize,
    pub peer_edit_change_bytes: usize,
}

/// How each field of a line reaches the hotline, for the report: comparable where carried,
/// and why not where the model has no place for it.
pub const MAPPING: &[(&str, &str)] = &[
    (
        "kind, urgency, channel, description, address, division_code, lat, lon, confidential",
        "carried: the submission's request (kind `request` is 求助 help; `urgent` and `emergency` are both 紧急 emergency, of category utility outage)",
    ),
    ("created_at", "carried: the submission's time"),
    (
        "edit",
        "carried as one action (受理 register) with the edit's note, at the edit's time; its status `in_progress` is what the workflow derives, not a field",
    ),
    (
        "id, receipt_code",
        "not carried: the device that takes a request draws its id and an unguessable receipt code",
    ),
    (
        "status, due_at",
        "not carried: derived from the signed events and the city's policy",
    ),
    (
        "lead_unit, co_unit",
        "not carried: set by a dispatch action (转办) of the center",
    ),
    (
        "events (10)",
        "not carried: in the hotline each is a signed action of its own certified person, checked by the workflow, not a list inside one change; the file's cannot be replayed so — 150 of its 250 actors act in two roles (staff-0000 is the operator of `received` in some orders and the handler of the edit in others) and a handler acts for up to 37 lead units, while a person's certificate holds one role and one unit; every order is `dispatched` while its history runs to a callback and a supervisor's note, and the edit then sets `in_progress` on what the hotline holds closed. Both sides' change bytes are printed under change_bytes: the peer's encoded as Automerge changes made as its README says",
    ),
];

fn millis(ms: i64) -> Result<DateTime<Utc>, CliError> {
    DateTime::<Utc>::from_timestamp_millis(ms).ok_or_else(|| {
        CliError::new(
            ErrorCode::BadInput,
            format!("基准数据的时间无效：{ms}"),
            format!("benchmark time out of range: {ms}"),
        )
    })
}

/// Where the file is looked for when `--orders-file` is not given: the shared folder beside the
/// checkout, from the working directory or from the source tree.
pub fn default_path() -> PathBuf {
    let candidates = [
        PathBuf::from("../shared/bench/work-orders-1000.jsonl"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/work-orders-1000.jsonl"),
    ];
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .unwrap_or_else(|| candidates[0].clone())
}

fn kind(s: &str) -> RequestKind {
    // The peer workload says "request" for what the hotline calls help (求助).
    match s {
        "request" => RequestKind::Help,
        other => RequestKind::parse(other).unwrap_or(RequestKind::Inquiry),
    }
}

pub fn load(path: &Path) -> Result<Vec<BenchOrder>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::new(
            ErrorCode::FileNotFound,
            format!("无法读取基准数据 {}：{e}", path.display()),
            format!("cannot read the benchmark orders {}: {e}", path.display()),
        )
    })?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let bad = |e: serde_json::Error| {
                CliError::new(
                    ErrorCode::BadInput,
                    format!("基准数据第 {} 行无效：{e}", i + 1),
                    format!("benchmark line {} is invalid: {e}", i + 1),
                )
            };
            let raw: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(l).map_err(bad)?;
            let (peer_order_change_bytes, peer_edit_change_bytes) = peer_changes::encoded(&raw)?;
            let line: Line = serde_json::from_value(serde_json::Value::Object(raw)).map_err(bad)?;
            let edit_text = serde_json::to_string(&line.edit).map_err(bad)?;
            let edit: Edit = serde_json::from_value(line.edit).map_err(bad)?;
            Ok(BenchOrder {
                created_at: millis(line.created_at)?,
                edit_at: millis(edit.event.at)?,
                // The line less `,"edit":` and the edit's own bytes.
                peer_order_json_bytes: l
                    .len()
                    .saturating_sub(edit_text.len() + r#","edit":"#.len()),
                peer_edit_json_bytes: edit_text.len(),
                peer_order_change_bytes,
                peer_edit_change_bytes,
                request: SubmitRequest {
                    kind: kind(&line.kind),
                    urgency: if line.urgency == "normal" {
                        Urgency::Normal
                    } else {
                        Urgency::Emergency
                    },
                    channel: Channel::parse(&line.channel).unwrap_or(Channel::Phone),
                    text: line.description,
                    location: Location {
                        address: line.address,
                        division_code: Some(line.division_code),
                        gps: Some(GpsFix::manual(line.lat, line.lon)),
                    },
                    contact: None,
                    confidential: line.confidential,
                    origin: hotline_core::model::Origin::Local,
                    // The bench file names no kind of emergency: take the commonest.
                    emergency_category: (line.urgency != "normal")
                        .then_some(hotline_core::model::EmergencyCategory::UtilityOutage),
                    photos: Vec::new(),
                    category: None,
                },
                edit_note: edit.event.note,
            })
        })
        .collect()
}
