//! The hub's clock. The hub stamps when it received each change and checks certificates
//! against its own time — never a device's, since devices' clocks lie. Injected, so tests and
//! demos can run the hub "on" a chosen day.

use std::sync::Arc;

use chrono::{Duration, Utc};
use hotline_core::model::Timestamp;

#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Clock").field(&self.now()).finish()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Self {
        Clock(Arc::new(Utc::now))
    }

    /// Starts at `at` and runs in real time from there (`hotline hub serve --now`).
    pub fn starting_at(at: Timestamp) -> Self {
        let offset: Duration = at - Utc::now();
        Clock(Arc::new(move || Utc::now() + offset))
    }

    /// Always `at`.
    pub fn fixed(at: Timestamp) -> Self {
        Clock(Arc::new(move || at))
    }

    /// Any source of time (a test that moves the clock).
    pub fn from_fn(f: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        Clock(Arc::new(f))
    }

    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}
