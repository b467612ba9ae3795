//! Instants on the command line: RFC 3339 in, +08:00 local time out.

use chrono::{DateTime, Utc};
use hotline_core::error::ErrorCode;
use hotline_core::model::Timestamp;
use hotline_core::policy::to_local;

use crate::output::CliError;

/// Reads an RFC 3339 instant (any offset) as UTC.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, CliError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            CliError::new(
                ErrorCode::BadTime,
                format!("时间“{s}”不是 RFC 3339 格式（例如 2026-02-13T10:00:00+08:00）：{e}"),
                format!("`{s}` is not an RFC 3339 time (e.g. 2026-02-13T10:00:00+08:00): {e}"),
            )
        })
}

/// `--now`, or the clock.
pub fn now_or_clock(now: Option<&str>) -> Result<Timestamp, CliError> {
    now.map_or_else(|| Ok(Utc::now()), parse_time)
}

/// Local (+08:00) time for people: `2026-03-02 22:00 +08:00`.
pub fn local(t: Timestamp) -> String {
    to_local(t).format("%Y-%m-%d %H:%M %:z").to_string()
}

/// Local (+08:00) time for machines: RFC 3339 with the +08:00 offset.
pub fn local_rfc3339(t: Timestamp) -> String {
    to_local(t).to_rfc3339()
}

/// An index-row instant (Unix milliseconds).
pub fn from_millis(ms: i64) -> Option<Timestamp> {
    DateTime::from_timestamp_millis(ms)
}
