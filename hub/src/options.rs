//! How a hub runs: its clock and the limits that keep one misbehaving client from taking the
//! hub from everyone else. The defaults suit a city hub on one machine; ARCHITECTURE.md
//! ("Holding up under attack") explains each and the memory bound they give.

use std::time::Duration;

use crate::clock::Clock;

#[derive(Debug, Clone)]
pub struct HubOptions {
    pub clock: Clock,
    /// Largest request body read (default [`MAX_BODY_BYTES`](hotline_core::sync::http::messages::MAX_BODY_BYTES)).
    pub max_body_bytes: usize,
    /// One line per request on stderr (refusals rate-limited).
    pub log: bool,
    /// Most open connections; beyond it the hub stops accepting until one closes.
    pub max_connections: usize,
    /// A connection that sends no complete request head for this long (slow headers, or idle
    /// between requests) is closed.
    pub header_timeout: Duration,
    /// A request body that sends nothing for this long is abandoned.
    pub body_idle_timeout: Duration,
    /// No request may take longer, body upload included.
    pub request_timeout: Duration,
    /// Requests that carry changes or photo chunks (sync, photo upload) read and process at
    /// once; more wait before their bodies are read, so memory stays bounded.
    pub heavy_requests: usize,
    /// Signed requests per second each certificate may make, and the burst above it.
    pub requests_per_second: u32,
    pub request_burst: u32,
    /// How often orphaned photos, unfinished uploads and old rate-limit state are collected.
    pub collect_every: Duration,
    /// A PostgreSQL connection string (`postgres://…` or libpq `key=value`) to keep the hub's
    /// data in instead of `DIR/store`; the data folder still holds the authority's public part.
    pub database: Option<String>,
    /// Most PostgreSQL connections this process opens.
    pub database_connections: u32,
}

impl Default for HubOptions {
    fn default() -> Self {
        HubOptions {
            clock: Clock::system(),
            max_body_bytes: hotline_core::sync::http::messages::MAX_BODY_BYTES,
            log: false,
            max_connections: 4_096,
            header_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(120),
            heavy_requests: 4,
            requests_per_second: 20,
            request_burst: 200,
            collect_every: Duration::from_secs(3_600),
            database: None,
            database_connections: crate::postgres::DEFAULT_POOL_SIZE,
        }
    }
}
