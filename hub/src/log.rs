//! The hub's lines on stderr. Refusals are what an attacker can make by the thousand, so they
//! are limited to a few a second, with a count of what was left out: the log tells what is
//! happening without growing with the attack.

use std::fmt::Arguments;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Refusal lines written per window; the rest are counted.
const REFUSALS_PER_WINDOW: u32 = 20;
const WINDOW: Duration = Duration::from_secs(10);

pub(crate) struct Log {
    enabled: bool,
    window: Mutex<Window>,
}

struct Window {
    started: Instant,
    written: u32,
    left_out: u64,
}

impl Log {
    pub(crate) fn new(enabled: bool) -> Self {
        Log {
            enabled,
            window: Mutex::new(Window {
                started: Instant::now(),
                written: 0,
                left_out: 0,
            }),
        }
    }

    /// A line about the hub itself (start, reload), when logging.
    pub(crate) fn always(&self, line: Arguments<'_>) {
        if self.enabled {
            eprintln!("[hub] {line}");
        }
    }

    /// A line about a request (served or refused), when logging, within the rate.
    pub(crate) fn request(&self, line: Arguments<'_>) {
        if !self.enabled {
            return;
        }
        let mut w = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        if w.started.elapsed() >= WINDOW {
            if w.left_out > 0 {
                eprintln!(
                    "[hub] … {} more request line(s) left out in the last {} s",
                    w.left_out,
                    WINDOW.as_secs()
                );
            }
            *w = Window {
                started: Instant::now(),
                written: 0,
                left_out: 0,
            };
        }
        if w.written < REFUSALS_PER_WINDOW {
            w.written += 1;
            eprintln!("[hub] {line}");
        } else {
            w.left_out += 1;
        }
    }
}
