//! A citizen's receipt lookup as a kiosk makes it (challenge, then the signed `/v1/status`
//! request), timed one by one at a kiosk's pace — the number that must not suffer while the hub
//! is busy.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hotline_core::device::Device;
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient};

use crate::output::CliError;

/// Lookups come at a kiosk's pace, well under the hub's rate per certificate.
pub const LOOKUP_EVERY: Duration = Duration::from_millis(60);

/// Lookups of `receipts` in turn while `more(lookups done)` says so, each timed from asking for
/// a challenge to the answer; milliseconds, in the order made.
pub async fn timed_lookups(
    hub: SocketAddr,
    kiosk: &Device,
    receipts: &[String],
    more: impl Fn(usize) -> bool,
) -> Result<Vec<f64>, CliError> {
    let client = HubClient::new(
        &format!("http://{hub}"),
        HttpOptions {
            max_attempts: 1,
            ..HttpOptions::default()
        },
    )?;
    let cancel = CancelToken::new();
    let mut ms = Vec::new();
    for receipt in receipts.iter().cycle() {
        if !more(ms.len()) {
            break;
        }
        let t = Instant::now();
        client.receipt_status(kiosk, None, receipt, &cancel).await?;
        let took = t.elapsed();
        ms.push(took.as_secs_f64() * 1000.0);
        tokio::time::sleep(LOOKUP_EVERY.saturating_sub(took)).await;
    }
    Ok(ms)
}
