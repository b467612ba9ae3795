//! Sync: how records made offline reach the city hub and come back to the devices that may see
//! them. Sans-IO — [`SyncClient`] and [`serve`] turn messages into messages; transports carry
//! the bytes (the hub's HTTP server and client, offline bundle files, test links).
//!
//! Cost follows what changed, not what is stored: each side remembers, per peer, how far into
//! the other's change log it has got, so an idle round is a few dozen bytes however many orders
//! a device holds, and a change travels as its own bytes, its 64-byte signature and a few bytes
//! of framing.

mod auth;
pub mod blobs;
pub mod bundle;
mod client;
mod errors;
pub mod feed;
mod freshness;
pub mod http;
mod partitions;
mod pull;
mod server;
mod sqlite_hub;
mod storage;
pub mod wire;

pub use auth::{authenticate, sign_request};
pub use client::{MAX_PULL_BYTES, MAX_PUSH_BYTES, Progress, SyncClient};
pub use errors::SyncError;
pub use freshness::{CHALLENGE_BYTES, CHALLENGE_LIFETIME, Freshness};
pub use partitions::{PullScope, merge_positions};
pub use pull::{Pulled, pull};
pub use server::{
    Directory, MAX_LEADING_REFUSALS, PreparedSync, Pushed, Round, Served, may_see, prepare,
    prepare_body, serve, serve_prepared, take_push,
};
pub use sqlite_hub::SqliteHub;
pub use storage::{HubReads, HubStorage};
pub use wire::{MAX_PUSH_CHANGES, MAX_RESEND};
