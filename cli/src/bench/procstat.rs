//! What the kernel says about the hub process: its memory now and at its peak, its CPU time,
//! and a reset of the peak so that each scenario reports its own. Read from `/proc` between
//! scenarios, never inside a timed loop.

use std::path::Path;
use std::sync::OnceLock;

/// A `Vm…:` line of `/proc/PID/status`, in KiB (`key` with its colon, e.g. `"VmRSS:"`).
pub fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Resident memory now (VmRSS), KiB.
pub fn rss_kb(pid: u32) -> Option<u64> {
    status_kb(pid, "VmRSS:")
}

/// Resident memory at its peak since start or since [`reset_peak`] (VmHWM), KiB.
pub fn peak_kb(pid: u32) -> Option<u64> {
    status_kb(pid, "VmHWM:")
}

/// Starts a new peak: `5` in `clear_refs` resets VmHWM to the current resident size.
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), b"5").is_ok()
}

/// Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`; 100 where it cannot be
/// asked, which is what Linux uses on every common architecture).
fn ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// CPU seconds the process has used, user plus system, all its threads (utime + stime).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields are counted after its last ')'.
    // After it come field 3 (state) onwards, so utime (14) and stime (15) are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / ticks_per_second())
}

/// What one scenario cost the hub: CPU seconds and its peak memory, from a mark taken at the
/// scenario's start (which also resets the peak).
pub struct Mark {
    pid: u32,
    cpu: Option<f64>,
}

impl Mark {
    pub fn start(pid: u32) -> Mark {
        reset_peak(pid);
        Mark {
            pid,
            cpu: cpu_seconds(pid),
        }
    }

    /// CPU seconds since the mark.
    pub fn cpu_s(&self) -> Option<f64> {
        Some(cpu_seconds(self.pid)? - self.cpu?)
    }

    /// Peak resident memory since the mark, KiB.
    pub fn peak_kb(&self) -> Option<u64> {
        peak_kb(self.pid)
    }
}

/// Bytes of the files under `path`.
pub fn dir_bytes(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_bytes(&p)
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
