//! The city hub of the 12345 hotline: the platform side that every kiosk, township phone and
//! the center's own desk sync with.
//!
//! Ingest, per request: verify the request's signer (known, unrevoked, valid certificate;
//! signature) → verify each change (batch signature verification) → its certificate, validity
//! at the instant it claims, revocation → authorise the action by role, unit and area in the
//! state its author had seen → apply each order's accepted changes in one batch → persist
//! (SQLite, `synchronous=FULL`) → acknowledge. A refused change is never stored as applied; the
//! device gets its typed reason and the hub logs it. The hub stamps when it received each
//! change with its own clock. All of that is the core's `serve` and `Device::import_batch`; this
//! crate is the HTTP server around them, the single writer, and the link to the enrolment
//! authority (new certificates and revocations are picked up while running).
//!
//! Data folder: an authority folder from `hotline hub init` (`root.key`, `keys.json`,
//! `authority.json`) plus `store/`, the hub's own store, set up on first start.
//!
//! Endpoints (bodies postcard, errors JSON with a code and both languages):
//! `POST /v1/sync`, `POST /v1/blobs/held`, `POST /v1/blobs/put`, `POST /v1/blobs/get`,
//! `GET /v1/health`.
// Product code never unwraps, expects or panics on anything it is given: a bad input is a
// typed error. Declared here, at the crate root, so test code needs no allowances.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod api;
mod authority_watch;
mod blob_routes;
pub mod center;
mod clock;
mod errors;
mod log;
mod options;
pub mod postgres;
mod rate;
mod readers;
mod routes;
mod server;
mod state;

pub use api::{OPENAPI_PATH, SERVICES_DIR};
pub use clock::Clock;
pub use errors::HubError;
pub use options::HubOptions;
pub use server::{RunningHub, shutdown_signal, start, start_with};
pub use state::STORE_DIR;
