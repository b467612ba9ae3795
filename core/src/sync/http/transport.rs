//! One HTTP call to the hub, made robust for a township's link: a per-request timeout, and on a
//! dropped connection, a timeout or a 5xx the same bytes are sent again after an exponential
//! back-off with jitter (every request is idempotent, so a retry stores nothing twice). A 4xx is
//! the hub's answer, not a network fault, and is returned at once.

use std::time::Duration;

use rand_core::{OsRng, RngCore};
use reqwest::StatusCode;

use super::cancel::CancelToken;
use super::messages::{
    CHALLENGE_HEADER, CHALLENGE_PATH, CONTENT_TYPE_POSTCARD, Challenge, ErrorBody, ErrorDetail,
    HEALTH_PATH, Health,
};
use super::report::Traffic;
use crate::device::DeviceError;
use crate::model::Timestamp;

/// How the client talks to the hub. The defaults suit a phone on a poor mobile link.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Longest wait for one request's whole answer.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Tries per request, the first included.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled each time, up to `max_backoff`, with jitter.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Rounds after which a sync that still has more to do gives up (a hub that never says
    /// "done" must not keep a phone busy forever).
    pub max_rounds: u32,
    /// Whether photos travel too (after the changes).
    pub blobs: bool,
    /// The device's clock for this sync; `None` reads the system clock. For tests and
    /// reproducible demos (`hotline sync --now`).
    pub now: Option<Timestamp>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_attempts: 6,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(15),
            max_rounds: 10_000,
            blobs: true,
            now: None,
        }
    }
}

/// A success answer, and the challenge the hub handed out with it for the next request.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) body: Vec<u8>,
    pub(super) challenge: Option<Vec<u8>>,
}

/// Why a call did not produce a success answer.
#[derive(Debug)]
pub(super) enum CallError {
    /// The hub answered with a refusal (4xx, or a 5xx after every retry).
    Hub {
        status: u16,
        detail: ErrorDetail,
        /// A fresh challenge came with the refusal.
        challenge: Option<Vec<u8>>,
    },
    /// No usable answer after every try.
    Unreachable(String),
    Cancelled,
    /// The device failed while preparing the request (signing, the store).
    Local(Box<crate::sync::SyncError>),
}

#[derive(Debug, Clone)]
pub(super) struct Transport {
    http: reqwest::Client,
    base: reqwest::Url,
    options: HttpOptions,
}

/// Runs `fut` unless the token is cancelled first.
pub(super) async fn cancellable<F: std::future::Future>(
    fut: F,
    cancel: &CancelToken,
) -> Option<F::Output> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => None,
        out = fut => Some(out),
    }
}

/// The wait before retry number `retry` (1 = first retry): exponential, capped, and drawn
/// between half and all of it, so phones cut off together do not come back together.
fn backoff(options: &HttpOptions, retry: u32) -> Duration {
    let exp = options
        .first_backoff
        .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
    let full = exp.min(options.max_backoff);
    let half = full / 2;
    let spread = u64::try_from((full - half).as_millis()).unwrap_or(u64::MAX);
    let jitter = if spread == 0 {
        0
    } else {
        OsRng.next_u64() % (spread + 1)
    };
    half + Duration::from_millis(jitter)
}

/// The hub's JSON error, or one made up from the status when the body is not ours (a proxy's
/// error page).
fn error_detail(status: StatusCode, body: &[u8]) -> ErrorDetail {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => b.error,
        Err(_) => {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            ErrorDetail {
                code: format!("http_{}", status.as_u16()),
                message_zh: format!("服务器返回 HTTP {status}：{text}"),
                message_en: format!("the server answered HTTP {status}: {text}"),
                hub_time: None,
            }
        }
    }
}

/// Statuses worth another try: the hub or a proxy in front of it is overloaded or restarting.
fn transient(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

impl Transport {
    pub(super) fn new(hub_url: &str, options: HttpOptions) -> Result<Self, DeviceError> {
        let trimmed = hub_url.trim().trim_end_matches('/');
        let base = reqwest::Url::parse(trimmed)
            .map_err(|e| DeviceError::bad_input("hub_url", format!("`{hub_url}`: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(DeviceError::bad_input(
                "hub_url",
                format!("`{hub_url}` is not an http:// or https:// address"),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("hotline/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DeviceError::bad_input("hub_url", format!("HTTP client: {e}")))?;
        Ok(Transport {
            http,
            base,
            options,
        })
    }

    pub(super) fn options(&self) -> &HttpOptions {
        &self.options
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str().trim_end_matches('/'))
    }

    /// POSTs postcard bytes; returns the success body and the next challenge.
    pub(super) async fn post(
        &self,
        path: &str,
        body: Vec<u8>,
        traffic: &mut Traffic,
        cancel: &CancelToken,
    ) -> Result<Answer, CallError> {
        let url = self.url(path);
        self.with_retries(traffic, cancel, |t| {
            t.bytes_sent += body.len() as u64;
            self.http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE_POSTCARD)
                .body(body.clone())
        })
        .await
    }

    /// `GET /v1/health`, and the challenge that came with it.
    pub(super) async fn health(
        &self,
        traffic: &mut Traffic,
        cancel: &CancelToken,
    ) -> Result<(Health, Option<Vec<u8>>), CallError> {
        let url = self.url(HEALTH_PATH);
        let answer = self
            .with_retries(traffic, cancel, |_| self.http.get(&url))
            .await?;
        let health = serde_json::from_slice(&answer.body).map_err(|e| {
            CallError::Unreachable(format!(
                "{url} did not answer like a hotline hub (bad health JSON: {e})"
            ))
        })?;
        Ok((health, answer.challenge))
    }

    /// `GET /v1/challenge`: a fresh challenge for the next signed request.
    pub(super) async fn challenge(
        &self,
        traffic: &mut Traffic,
        cancel: &CancelToken,
    ) -> Result<Vec<u8>, CallError> {
        let url = self.url(CHALLENGE_PATH);
        let answer = self
            .with_retries(traffic, cancel, |_| self.http.get(&url))
            .await?;
        serde_json::from_slice::<Challenge>(&answer.body)
            .ok()
            .and_then(|c| hex::decode(c.challenge).ok())
            .ok_or_else(|| CallError::Unreachable(format!("{url} did not answer with a challenge")))
    }

    async fn with_retries(
        &self,
        traffic: &mut Traffic,
        cancel: &CancelToken,
        mut build: impl FnMut(&mut Traffic) -> reqwest::RequestBuilder,
    ) -> Result<Answer, CallError> {
        let attempts = self.options.max_attempts.max(1);
        let mut last = String::new();
        for attempt in 1..=attempts {
            if cancel.is_cancelled() {
                return Err(CallError::Cancelled);
            }
            if attempt > 1 {
                traffic.retries += 1;
            }
            traffic.requests += 1;
            let request = build(traffic);
            let answer = async {
                let resp = request.send().await?;
                let status = resp.status();
                let challenge = resp
                    .headers()
                    .get(CHALLENGE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| hex::decode(v).ok());
                let bytes = resp.bytes().await?;
                Ok::<_, reqwest::Error>((status, challenge, bytes))
            };
            match cancellable(answer, cancel).await {
                None => return Err(CallError::Cancelled),
                Some(Ok((status, challenge, bytes))) => {
                    traffic.bytes_received += bytes.len() as u64;
                    if status.is_success() {
                        return Ok(Answer {
                            body: bytes.to_vec(),
                            challenge,
                        });
                    }
                    let detail = error_detail(status, &bytes);
                    if !transient(status) || attempt == attempts {
                        return Err(CallError::Hub {
                            status: status.as_u16(),
                            detail,
                            challenge,
                        });
                    }
                    last = format!("HTTP {status} [{}]", detail.code);
                }
                Some(Err(e)) => {
                    // A request that could not even be built will not get better.
                    if e.is_builder() {
                        return Err(CallError::Unreachable(e.to_string()));
                    }
                    last = describe(&e);
                }
            }
            if attempt < attempts {
                let wait = backoff(&self.options, attempt);
                if cancellable(tokio::time::sleep(wait), cancel)
                    .await
                    .is_none()
                {
                    return Err(CallError::Cancelled);
                }
            }
        }
        Err(CallError::Unreachable(format!(
            "{} after {attempts} tries: {last}",
            self.base
        )))
    }
}

/// reqwest's message plus its cause (the top level alone says only "error sending request").
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let o = HttpOptions {
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            ..HttpOptions::default()
        };
        for _ in 0..50 {
            let first = backoff(&o, 1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = backoff(&o, 3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = backoff(&o, 30);
            assert!(late >= Duration::from_millis(500) && late <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn hub_urls_are_checked() {
        assert!(Transport::new("http://127.0.0.1:8080/", HttpOptions::default()).is_ok());
        assert!(Transport::new("ftp://hub", HttpOptions::default()).is_err());
        assert!(Transport::new("not a url", HttpOptions::default()).is_err());
    }
}
