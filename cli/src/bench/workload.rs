//! The shared benchmark workload (`shared/bench/work-orders-1000.jsonl`, used unchanged): one
//! line becomes one submission (one change); its `edit` becomes one workflow event (one change).

use hotline_core::device::SubmitRequest;
use hotline_core::error::ErrorCode;
use hotline_core::model::{Channel, GpsFix, Location, RequestKind, Urgency};
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
    edit: Edit,
}

#[derive(Deserialize)]
struct Edit {
    event: EditEvent,
}

#[derive(Deserialize)]
struct EditEvent {
    note: String,
}

/// One benchmark order: the request, and the note of its one edit.
pub struct BenchOrder {
    pub request: SubmitRequest,
    pub edit_note: String,
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
            let line: Line = serde_json::from_str(l).map_err(|e| {
                CliError::new(
                    ErrorCode::BadInput,
                    format!("基准数据第 {} 行无效：{e}", i + 1),
                    format!("benchmark line {} is invalid: {e}", i + 1),
                )
            })?;
            Ok(BenchOrder {
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
                },
                edit_note: line.edit.event.note,
            })
        })
        .collect()
}
