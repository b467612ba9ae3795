//! Test support for hotline, one crate for every test suite and benchmark: stand up a city (an
//! authority, enrolled people and their devices), build what they do, forge what a modified
//! app would send, start a hub and talk to it raw, run the `hotline` binary.
//!
//! * [`city`] (re-exported at the root): the city, its people and devices, requests, actions,
//!   photos.
//! * [`store`]: rows and records for the store's own tests.
//! * [`workflow`]: scripted events folded without any device, for the rules' tests.
//! * [`cli`]: the `hotline` binary in a folder of its own.
//! * [`link`]: a hub in memory and a whole sync over it, bytes on the wire.
//! * [`hub`] (feature `hub`): a hub in-process, raw signed requests, forged changes, a scene.
//! * [`browser`]: headless Chromium (Debian's) on a local HTML file: the DOM after its scripts
//!   ran, and a screenshot.
//! * [`postgres`]: a throwaway PostgreSQL cluster (Debian's binaries, a Unix socket in a
//!   temporary folder) for the hub's storage tests.
//!
//! Test support fails loudly: a set-up that does not work is a broken test, so this crate
//! unwraps and panics where library code never may.

pub mod browser;
pub mod city;
pub mod cli;
#[cfg(feature = "hub")]
pub mod hub;
pub mod link;
pub mod postgres;
pub mod store;
pub mod workflow;

pub use city::*;
