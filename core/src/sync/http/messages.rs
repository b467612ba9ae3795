//! What travels over HTTP between a device and the hub, besides the sync round itself
//! ([`SyncRequest`](super::super::wire::SyncRequest) / [`SyncResponse`](super::super::wire::SyncResponse)):
//! the endpoints, the photo-transfer messages, the health answer and the error body.

use serde::{Deserialize, Serialize};

use super::super::SyncError;
use super::super::blobs::BlobChunk;
use crate::Coded;
use crate::error::ErrorCode;

/// One sync round: `SignedRequest` (body: `SyncRequest`) in, `SyncResponse` out.
pub const SYNC_PATH: &str = "/v1/sync";
/// Which of these photos does the hub hold, and how much of each: [`HeldQuery`] in,
/// `Vec<BlobHeld>` out (same order).
pub const BLOBS_HELD_PATH: &str = "/v1/blobs/held";
/// One chunk of a photo, device to hub: [`PutChunk`] in, `BlobHeld` out.
pub const BLOBS_PUT_PATH: &str = "/v1/blobs/put";
/// One chunk of a photo, hub to device: [`GetChunk`] in, `BlobChunk` out.
pub const BLOBS_GET_PATH: &str = "/v1/blobs/get";
/// `GET`: [`Health`] as JSON. Needs no signature.
pub const HEALTH_PATH: &str = "/v1/health";
/// `GET`: a fresh challenge ([`Challenge`] as JSON) for the next signed request. Needs no
/// signature. Every answer of the hub also carries one in [`CHALLENGE_HEADER`].
pub const CHALLENGE_PATH: &str = "/v1/challenge";
/// The response header with a fresh challenge (hex) for the next signed request.
pub const CHALLENGE_HEADER: &str = "hotline-challenge";
/// A citizen's receipt lookup, answered from the hub's index (status and next deadline only).
pub const STATUS_PATH: &str = "/v1/status";

/// Largest request body the hub reads. A round pushes at most
/// [`MAX_PUSH_BYTES`](super::super::MAX_PUSH_BYTES) of changes (plus the one that crosses it,
/// at most [`MAX_CHANGE_BYTES`](crate::limits::MAX_CHANGE_BYTES)) and a photo chunk is
/// 256 KiB, so this leaves room for signatures, order ids and framing, and no more.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Most photos one [`HeldQuery`] may ask about.
pub const MAX_HELD_QUERY: usize = 256;

pub const CONTENT_TYPE_POSTCARD: &str = "application/octet-stream";
pub const CONTENT_TYPE_JSON: &str = "application/json";

/// How much of each photo the hub holds (to resume an upload, or skip it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldQuery {
    #[serde(deserialize_with = "super::super::wire::at_most::<_, _, MAX_HELD_QUERY>")]
    pub sha256: Vec<String>,
}

impl HeldQuery {
    pub fn new(sha256: Vec<String>) -> Self {
        HeldQuery { sha256 }
    }

    pub fn check(&self) -> Result<(), SyncError> {
        if self.sha256.len() > MAX_HELD_QUERY {
            return Err(SyncError::Malformed(format!(
                "{} photos asked about at once, at most {MAX_HELD_QUERY}",
                self.sha256.len()
            )));
        }
        Ok(())
    }
}

/// One chunk of a photo the device uploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutChunk {
    pub chunk: BlobChunk,
}

impl PutChunk {
    pub fn new(chunk: BlobChunk) -> Self {
        PutChunk { chunk }
    }
}

/// One chunk of a photo the device downloads. It names the order that references the photo:
/// the hub hands a photo out only to someone who may see an order that references it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetChunk {
    pub order: String,
    pub sha256: String,
    pub offset: u64,
}

impl GetChunk {
    pub fn new(order: &str, sha256: &str, offset: u64) -> Self {
        GetChunk {
            order: order.to_string(),
            sha256: sha256.to_string(),
            offset,
        }
    }
}

/// `GET /v1/health`: the hub is up, which node it is (devices name it by this id, so a new
/// address does not reset their cursors), which protocol it speaks, and its clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub node_id: String,
    pub protocol: u8,
    /// The hub's clock (Unix ms).
    pub time: i64,
}

/// A refused request, as JSON: `{"error": {"code": …, "message_zh": …, "message_en": …}}` —
/// the same shape as the CLI's errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
    /// The hub's clock when it refused (Unix ms): says "expired" relative to what.
    #[serde(default)]
    pub hub_time: Option<i64>,
}

impl ErrorDetail {
    /// The code as a typed value; `None` for a code this version does not know (a newer hub)
    /// or a made-up one (a proxy's error page).
    pub fn typed_code(&self) -> Option<ErrorCode> {
        ErrorCode::parse(&self.code)
    }
}

impl ErrorBody {
    pub fn from_coded(e: &dyn Coded, hub_time: Option<i64>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: e.code().to_string(),
                message_zh: e.message_zh(),
                message_en: e.message_en(),
                hub_time,
            },
        }
    }
}

/// A receipt-code lookup from a kiosk or any enrolled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusQuery {
    pub receipt: String,
}

impl StatusQuery {
    pub fn new(receipt: &str) -> Self {
        StatusQuery {
            receipt: receipt.to_string(),
        }
    }
}

/// `GET /v1/challenge`: a challenge (hex) for the next signed request, and when it goes stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub challenge: String,
    /// Unix ms after which the hub refuses it.
    pub expires_at: i64,
}
