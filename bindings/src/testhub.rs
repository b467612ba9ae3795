//! ADMIN / TEST TOOL — a city hub running inside this process, for the Kotlin, Python and Swift
//! test suites and demos: devices sync with it as with the real one (`hotline hub serve`).
//! Apps never use it; a real city runs its hub on a server. Built with the default `test-hub`
//! feature; an app's release build may leave it out (`--no-default-features`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hotline_core::Coded;
use hotline_hub::{Clock, HubError, HubOptions, RunningHub};

use crate::{HotlineError, Timestamp};

/// A hub on `127.0.0.1` and a free port, serving the authority folder it was started on.
#[derive(uniffi::Object)]
pub struct TestHub {
    url: String,
    node_id: String,
    running: Mutex<Option<RunningHub>>,
}

impl std::fmt::Debug for TestHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestHub")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn hub_error(e: HubError) -> HotlineError {
    match e {
        HubError::Sync(e) => e.into(),
        HubError::Device(e) => e.into(),
        other => HotlineError::Internal {
            code: other.code().to_string(),
            message_zh: other.message_zh(),
            message_en: other.message_en(),
        },
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl TestHub {
    /// Starts a hub on the authority folder `authority_dir` (the one `CityAuthority.create`
    /// made; the hub keeps its store in `authority_dir/store` and picks up certificates and
    /// revocations the authority issues while it runs). Its clock is the system's, or starts at
    /// `now` and runs on from there (the hub checks certificates against its own clock).
    #[uniffi::constructor(default(now = None))]
    pub async fn start(
        authority_dir: String,
        now: Option<Timestamp>,
    ) -> Result<Arc<Self>, HotlineError> {
        let options = HubOptions {
            clock: now.map_or_else(Clock::system, Clock::starting_at),
            ..HubOptions::default()
        };
        let hub = hotline_hub::start_with(&PathBuf::from(authority_dir), "127.0.0.1:0", options)
            .await
            .map_err(hub_error)?;
        Ok(Arc::new(Self {
            url: hub.url(),
            node_id: hub.node_id().to_string(),
            running: Mutex::new(Some(hub)),
        }))
    }

    /// `http://127.0.0.1:PORT`, what devices pass to `sync` and `receipt_status`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The hub's node id (a sync reports it as `SyncSummary.hub`).
    pub fn node_id(&self) -> String {
        self.node_id.clone()
    }

    /// Stops accepting connections and lets the requests in flight finish. Stopping again is
    /// harmless; a hub never stopped stops when the object is freed.
    pub async fn stop(&self) -> Result<(), HotlineError> {
        let hub = self.running.lock().ok().and_then(|mut r| r.take());
        match hub {
            Some(hub) => hub.shutdown().await.map_err(hub_error),
            None => Ok(()),
        }
    }
}
