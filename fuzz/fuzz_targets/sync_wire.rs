//! Every message a hub or device decodes from the network: each either decodes whole or is a
//! typed refusal, never a panic, never an allocation beyond the input's means.
#![no_main]

use hotline_core::sync::blobs::{BlobChunk, BlobHeld};
use hotline_core::sync::http::messages::{
    Challenge, ErrorBody, GetChunk, Health, HeldQuery, PutChunk, StatusQuery,
};
use hotline_core::sync::wire::{self, SignedRequest, SyncRequest, SyncResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wire::decode::<SignedRequest>(data);
    let _ = wire::decode::<SyncRequest>(data);
    let _ = wire::decode::<SyncResponse>(data);
    let _ = wire::decode::<HeldQuery>(data);
    let _ = wire::decode::<PutChunk>(data);
    let _ = wire::decode::<GetChunk>(data);
    let _ = wire::decode::<StatusQuery>(data);
    let _ = wire::decode::<BlobChunk>(data);
    let _ = wire::decode::<Vec<BlobHeld>>(data);
    let _ = serde_json::from_slice::<ErrorBody>(data);
    let _ = serde_json::from_slice::<Health>(data);
    let _ = serde_json::from_slice::<Challenge>(data);
});
