//! The hotline center's reads over a hub's storage — its SQLite store or its PostgreSQL
//! database — through the same read side that serves sync: one pass over every order, each
//! change verified against the city's trust before it counts.

use std::path::Path;

use hotline_core::center::{CenterError, OrderLog};
use hotline_core::identity::TrustStore;
use hotline_core::policy::{HolidayCalendar, Policy};

use crate::errors::HubError;
use crate::options::HubOptions;
use crate::state::Hub;

/// What a center computation is given: the orders, whom the city trusts, its policy and the
/// holiday calendar the hub counts deadlines with.
pub struct CenterReads<'a> {
    pub log: &'a mut dyn OrderLog,
    pub trust: &'a TrustStore,
    pub policy: &'a Policy,
    pub calendar: &'a HolidayCalendar,
}

impl std::fmt::Debug for CenterReads<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CenterReads").finish_non_exhaustive()
    }
}

/// Opens the hub in `data_dir` (on PostgreSQL when `database` is given) and runs `f` on a read
/// connection. Blocking.
pub fn with_orders<R>(
    data_dir: &Path,
    database: Option<String>,
    f: impl FnOnce(CenterReads<'_>) -> Result<R, CenterError>,
) -> Result<R, HubError> {
    let options = HubOptions {
        database,
        // One connection reads; nothing else runs in this process.
        database_connections: 1,
        ..HubOptions::default()
    };
    let hub = Hub::open(data_dir, options)?;
    let view = hub.view();
    // The policy the city's authority publishes: what both backends judge changes by.
    let policy = hotline_core::authority::PublicAuthority::open(data_dir)?.policy;
    let calendar = HolidayCalendar::national().map_err(hotline_core::device::DeviceError::from)?;
    hub.with_reads(&view, |reads| {
        let mut log: &mut dyn hotline_core::sync::HubReads = reads;
        Ok(f(CenterReads {
            log: &mut log,
            trust: &view.trust,
            policy: &policy,
            calendar: &calendar,
        })?)
    })
}

/// Every access-audit entry the hub in `data_dir` holds (on PostgreSQL when `database` is
/// given), with whom the city trusts to verify them. Blocking.
pub fn access_log(
    data_dir: &Path,
    database: Option<String>,
) -> Result<(Vec<hotline_core::audit::SignedAccess>, TrustStore), HubError> {
    let options = HubOptions {
        database,
        database_connections: 1,
        ..HubOptions::default()
    };
    let hub = Hub::open(data_dir, options)?;
    let view = hub.view();
    let all = hub.with_reads(&view, |reads| {
        Ok(hotline_core::audit::read_all(|o, n| {
            reads.access_entries(o, n)
        })?)
    })?;
    Ok((all, view.trust.clone()))
}
