//! Webhooks: the live event feed pushed to a subscriber's URL. A webhook belongs to an API key
//! (it sees what the key's certificate may see) and is configured by the operator in the hub's
//! data folder — `DATA/webhooks.json` (0600: it holds each webhook's signing secret), written
//! by `hotline hub webhook` — never by an API caller, so nobody can point the hub at an address
//! of their choosing.
//!
//! Delivery: pages of the feed in order, one request at a time per webhook, the cursor moved
//! (and kept in `DATA/webhooks-state.json`) only once the receiver answered 2xx; a failure
//! (an error status, a refused connection, no answer within 10 s) is retried with exponential
//! back-off from 1 s to 5 min. At least once, in order per order, as the feed itself.
//!
//! Each request carries `hotline-webhook: <key id>` and `hotline-signature: t=<Unix seconds>,
//! v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the receiver recomputes it with its secret and
//! refuses a stale `t` (a replay).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::time::Instant;

use super::feed::page_for;
use crate::errors::HubError;
use crate::state::Hub;

/// The operator's webhook configuration in the hub's data folder.
pub const WEBHOOKS_FILE: &str = "webhooks.json";
/// How far each webhook has been delivered.
const STATE_FILE: &str = "webhooks-state.json";
/// Events one delivery carries at most.
const PAGE: usize = 100;
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the loop looks for work without a wake-up.
const LOOK_EVERY: Duration = Duration::from_secs(2);

/// One configured webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// The API key whose view it delivers (`key-…`).
    pub key: String,
    pub url: String,
    /// `whsec_` and 64 hex digits.
    pub secret: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct WebhookFile {
    webhooks: Vec<Webhook>,
}

fn read_json<T: Default + for<'de> Deserialize<'de>>(path: &Path) -> Result<T, HubError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| HubError::Internal(format!("{} is not valid: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(HubError::Internal(format!(
            "reading {}: {e}",
            path.display()
        ))),
    }
}

/// Writes through a temporary file and a rename; 0600 (the secrets).
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), HubError> {
    let bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| HubError::Internal(format!("encoding {}: {e}", path.display())))?;
    let tmp = path.with_extension("tmp");
    let io = |e: std::io::Error| HubError::Internal(format!("writing {}: {e}", path.display()));
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// The webhooks configured in `data_dir`.
pub fn list(data_dir: &Path) -> Result<Vec<Webhook>, HubError> {
    Ok(read_json::<WebhookFile>(&data_dir.join(WEBHOOKS_FILE))?.webhooks)
}

/// Adds (or replaces) the webhook of API key `key` at `url`, with a new secret, returned once.
pub fn add(data_dir: &Path, key: &str, url: &str) -> Result<Webhook, HubError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| hotline_core::device::DeviceError::bad_input("url", e.to_string()))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
        return Err(hotline_core::device::DeviceError::bad_input(
            "url",
            "a webhook URL is http(s)://host/… (https outside a closed network)",
        )
        .into());
    }
    let mut secret = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut secret);
    let hook = Webhook {
        key: key.to_string(),
        url: url.to_string(),
        secret: format!("whsec_{}", hex::encode(secret)),
    };
    let path = data_dir.join(WEBHOOKS_FILE);
    let mut file: WebhookFile = read_json(&path)?;
    file.webhooks.retain(|w| w.key != key);
    file.webhooks.push(hook.clone());
    write_json(&path, &file)?;
    Ok(hook)
}

/// Removes the webhook of `key`; whether there was one.
pub fn remove(data_dir: &Path, key: &str) -> Result<bool, HubError> {
    let path = data_dir.join(WEBHOOKS_FILE);
    let mut file: WebhookFile = read_json(&path)?;
    let before = file.webhooks.len();
    file.webhooks.retain(|w| w.key != key);
    write_json(&path, &file)?;
    Ok(file.webhooks.len() < before)
}

/// The signature header's value for `body` at Unix second `t`.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Where each webhook stands.
struct Backoff {
    next: Instant,
    delay: Duration,
}

fn state_path(data_dir: &Path) -> PathBuf {
    data_dir.join(STATE_FILE)
}

/// The delivery loop, until `stop`.
pub(crate) async fn deliver(hub: Arc<Hub>, mut stop: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(DELIVERY_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            hub.log.always(format_args!("webhooks disabled: {e}"));
            return;
        }
    };
    let mut waits: HashMap<String, Backoff> = HashMap::new();
    let mut changed = hub.changed.subscribe();
    loop {
        let hooks = list(&hub.data_dir).unwrap_or_else(|e| {
            hub.log.always(format_args!("webhooks: {e}"));
            Vec::new()
        });
        let mut cursors: BTreeMap<String, i64> =
            read_json(&state_path(&hub.data_dir)).unwrap_or_default();
        let mut busy = false;
        for hook in hooks {
            if waits
                .get(&hook.key)
                .is_some_and(|b| b.next > Instant::now())
            {
                continue;
            }
            let after = cursors.get(&hook.key).copied().unwrap_or(0);
            match deliver_once(&hub, &client, &hook, after).await {
                Ok(Some(cursor)) => {
                    waits.remove(&hook.key);
                    if cursor != after {
                        busy = true;
                        cursors.insert(hook.key.clone(), cursor);
                        if let Err(e) = write_json(&state_path(&hub.data_dir), &cursors) {
                            hub.log.always(format_args!("webhooks: {e}"));
                        }
                    }
                }
                Ok(None) => {}
                Err(why) => {
                    let delay = waits
                        .get(&hook.key)
                        .map_or(FIRST_BACKOFF, |b| (b.delay * 2).min(MAX_BACKOFF));
                    hub.log.request(format_args!(
                        "webhook {} failed ({why}); again in {} s",
                        hook.key,
                        delay.as_secs()
                    ));
                    waits.insert(
                        hook.key.clone(),
                        Backoff {
                            next: Instant::now() + delay,
                            delay,
                        },
                    );
                }
            }
        }
        if busy {
            continue;
        }
        let soonest = waits
            .values()
            .map(|b| b.next)
            .min()
            .map_or(LOOK_EVERY, |n| n.saturating_duration_since(Instant::now()))
            .min(LOOK_EVERY);
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::timeout(soonest, changed.changed()) => {}
        }
    }
}

/// One page to one webhook: `Ok(Some(cursor))` delivered (or nothing to deliver), `Ok(None)`
/// nothing it may deliver now (its key revoked or unknown), `Err` a failure to retry.
async fn deliver_once(
    hub: &Arc<Hub>,
    client: &reqwest::Client,
    hook: &Webhook,
    after: i64,
) -> Result<Option<i64>, String> {
    let key = hook.key.clone();
    let page = super::blocking(hub, move |hub| {
        let view = hub.view();
        let Some(record) = view
            .api_keys
            .values()
            .find(|k| k.id == key && k.revoked_at.is_none())
        else {
            return Ok(None);
        };
        let now = hub.options.clock.now();
        let Ok(cert) = view.trust.check_certificate(&record.cert, now) else {
            return Ok(None);
        };
        match page_for(hub, &view, &cert.clone(), after, PAGE) {
            Ok(p) => Ok(Some(p)),
            Err(HubError::NotPermitted { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    let Some(page) = page else {
        return Ok(None);
    };
    if page.events.is_empty() {
        return Ok(Some(page.cursor));
    }
    let body = serde_json::to_vec(&page).map_err(|e| e.to_string())?;
    let t = chrono::Utc::now().timestamp();
    let answer = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("hotline-webhook", &hook.key)
        .header("hotline-signature", signature(&hook.secret, t, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if answer.status().is_success() {
        Ok(Some(page.cursor))
    } else {
        Err(format!("HTTP {}", answer.status().as_u16()))
    }
}
