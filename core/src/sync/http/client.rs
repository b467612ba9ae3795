//! The device's side of a sync over HTTP: ask the hub who it is, run [`SyncClient`] rounds over
//! `POST /v1/sync` until both sides are level, then move the photos.

use super::access::DeviceAccess;
use super::cancel::CancelToken;
use super::messages::{ErrorDetail, Health, SYNC_PATH};
use super::report::{SyncPhase, SyncReport, Traffic};
use super::transport::{CallError, HttpOptions, Transport};
use crate::device::Device;
use crate::error::ErrorCode;
use crate::identity::{Certificate, IdentityError};
use crate::model::Timestamp;
use crate::sync::wire::{self, PROTOCOL, SyncResponse};
use crate::sync::{SyncClient, SyncError, sign_request};

/// A hub at one address, with its connection pool. Cheap to clone; keep one per hub.
#[derive(Debug, Clone)]
pub struct HubClient {
    transport: Transport,
}

/// One sync of one device with one hub, while it runs.
pub(super) struct Session<'a, A> {
    pub(super) transport: &'a Transport,
    pub(super) device: A,
    pub(super) who: Option<String>,
    /// The hub's node id.
    pub(super) hub: String,
    /// The certificate requests are signed with: names it in errors rebuilt from the hub's.
    pub(super) cert: Certificate,
    pub(super) now: Timestamp,
    pub(super) traffic: Traffic,
    pub(super) report: SyncReport,
    pub(super) on_progress: &'a mut (dyn FnMut(&SyncReport) + Send),
    pub(super) cancel: &'a CancelToken,
    /// The challenge for the next signed request, as the hub's last answer gave it.
    pub(super) challenge: Option<Vec<u8>>,
}

/// Tries of one signed request when the hub says its challenge went stale (used by a request
/// whose answer was lost, or outlived by a slow upload): each try signs with a fresh one.
const SIGNING_TRIES: u32 = 3;

impl HubClient {
    /// `hub_url` is the hub's base address, e.g. `https://12345.example.gov.cn` or
    /// `http://127.0.0.1:8080`.
    pub fn new(hub_url: &str, options: HttpOptions) -> Result<Self, SyncError> {
        Ok(HubClient {
            transport: Transport::new(hub_url, options)?,
        })
    }

    /// `GET /v1/health`: whether the hub is up, and which node it is.
    pub async fn health(&self, cancel: &CancelToken) -> Result<Health, SyncError> {
        let mut traffic = Traffic::default();
        self.transport
            .health(&mut traffic, cancel)
            .await
            .map(|(h, _)| h)
            .map_err(health_failed)
    }

    /// Syncs `device` as the person `who` (or the only one enrolled): changes both ways until
    /// level, then photos up (resuming partial uploads) and down (for the orders received).
    /// `on_progress` hears after every round and photo. Returns what was done; an error means
    /// the sync stopped there — what was acknowledged before stays stored on both sides, and
    /// the next sync goes on from there.
    pub async fn sync<A: DeviceAccess>(
        &self,
        mut device: A,
        who: Option<&str>,
        on_progress: &mut (dyn FnMut(&SyncReport) + Send),
        cancel: &CancelToken,
    ) -> Result<SyncReport, SyncError> {
        let now = self
            .transport
            .options()
            .now
            .unwrap_or_else(chrono::Utc::now);
        let mut report = SyncReport::default();
        on_progress(&report);
        let mut traffic = Traffic::default();
        let (health, challenge) = self
            .transport
            .health(&mut traffic, cancel)
            .await
            .map_err(health_failed)?;
        if health.protocol != PROTOCOL {
            return Err(SyncError::Protocol(health.protocol));
        }
        let who_owned = who.map(str::to_string);
        let cert = device
            .with_device(move |d| Ok(d.identity(who_owned.as_deref())?.certificate.clone()))
            .await?;
        report.hub = health.node_id.clone();
        let mut session = Session {
            transport: &self.transport,
            device,
            who: who.map(str::to_string),
            hub: health.node_id,
            cert,
            now,
            traffic,
            report,
            on_progress,
            cancel,
            challenge,
        };
        let start_seq = session
            .device
            .with_device(|d| Ok(d.store().last_change_seq()?))
            .await?;
        session.report.phase = SyncPhase::Exchanging;
        session.tell();
        session.rounds().await?;
        if self.transport.options().blobs {
            session.report.phase = SyncPhase::SendingPhotos;
            session.tell();
            session.push_blobs().await?;
            session.report.phase = SyncPhase::FetchingPhotos;
            session.tell();
            session.pull_blobs(start_seq).await?;
        }
        session.report.phase = SyncPhase::Done;
        session.tell();
        Ok(session.report)
    }
}

impl HubClient {
    /// A receipt lookup answered by the hub: the order's current status and next deadline,
    /// for a kiosk that keeps no records of its own. Signed as `who` on `device`.
    pub async fn receipt_status(
        &self,
        device: &Device,
        who: Option<&str>,
        receipt: &str,
        cancel: &CancelToken,
    ) -> Result<crate::device::ReceiptStatus, SyncError> {
        let code = crate::receipt::parse(receipt).map_err(crate::device::DeviceError::from)?;
        let cert = device.identity(who)?.certificate.clone();
        let body = wire::encode(&super::messages::StatusQuery::new(&code.0))?;
        let mut traffic = super::report::Traffic::default();
        let path = super::messages::STATUS_PATH;
        let mut challenge = None;
        for _ in 0..SIGNING_TRIES {
            let fresh = match challenge.take() {
                Some(c) => c,
                None => match self.transport.challenge(&mut traffic, cancel).await {
                    Ok(c) => c,
                    Err(e) => return Err(call_failed(e, &cert)),
                },
            };
            let signed = wire::encode(&sign_request(device, who, path, &fresh, body.clone())?)?;
            match self
                .transport
                .post(path, signed, &mut traffic, cancel)
                .await
            {
                Ok(answer) => return wire::decode(&answer.body),
                Err(CallError::Hub {
                    detail,
                    challenge: next,
                    ..
                }) if detail.typed_code() == Some(ErrorCode::SyncStaleChallenge) => {
                    challenge = next;
                }
                Err(CallError::Hub { detail, .. })
                    if detail.typed_code() == Some(ErrorCode::UnknownReceipt) =>
                {
                    return Err(crate::device::DeviceError::UnknownReceipt(code.0).into());
                }
                Err(e) => return Err(call_failed(e, &cert)),
            }
        }
        Err(SyncError::StaleChallenge)
    }
}

/// [`HubClient::sync`] with the default options, for a device the caller holds alone.
pub async fn sync_with_hub(
    device: &mut Device,
    hub_url: &str,
    who: Option<&str>,
    on_progress: &mut (dyn FnMut(&SyncReport) + Send),
    cancel: &CancelToken,
) -> Result<SyncReport, SyncError> {
    HubClient::new(hub_url, HttpOptions::default())?
        .sync(device, who, on_progress, cancel)
        .await
}

impl<A: DeviceAccess> Session<'_, A> {
    pub(super) fn tell(&mut self) {
        self.report.absorb(&self.traffic);
        (self.on_progress)(&self.report);
    }

    pub(super) fn check_cancel(&self) -> Result<(), SyncError> {
        if self.cancel.is_cancelled() {
            Err(SyncError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// POSTs `body` to `path` signed as the syncing person over a fresh challenge; when the
    /// hub finds the challenge stale (a retry of a request it already took, a slow upload), signs
    /// again over the one it sent back. A refusal comes back as it was.
    pub(super) async fn post_signed(
        &mut self,
        path: &'static str,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, CallError> {
        let mut last = None;
        for _ in 0..SIGNING_TRIES {
            let challenge = self.next_challenge().await?;
            let (who, b, endpoint) = (self.who.clone(), body.clone(), path.to_string());
            let signed = self
                .device
                .with_device(move |d| {
                    wire::encode(&sign_request(d, who.as_deref(), &endpoint, &challenge, b)?)
                })
                .await
                .map_err(|e| CallError::Local(Box::new(e)))?;
            match self
                .transport
                .post(path, signed, &mut self.traffic, self.cancel)
                .await
            {
                Ok(answer) => {
                    self.challenge = answer.challenge;
                    return Ok(answer.body);
                }
                Err(CallError::Hub {
                    status,
                    detail,
                    challenge,
                }) => {
                    self.challenge = challenge;
                    if detail.typed_code() != Some(ErrorCode::SyncStaleChallenge) {
                        return Err(CallError::Hub {
                            status,
                            detail,
                            challenge: None,
                        });
                    }
                    last = Some((status, detail));
                }
                Err(e) => return Err(e),
            }
        }
        Err(match last {
            Some((status, detail)) => CallError::Hub {
                status,
                detail,
                challenge: None,
            },
            None => CallError::Unreachable("no challenge from the hub".into()),
        })
    }

    /// The challenge the hub's last answer gave, or a fresh one asked for.
    async fn next_challenge(&mut self) -> Result<Vec<u8>, CallError> {
        if let Some(c) = self.challenge.take() {
            return Ok(c);
        }
        let transport = self.transport;
        transport.challenge(&mut self.traffic, self.cancel).await
    }

    pub(super) fn fail(&self, e: CallError) -> SyncError {
        call_failed(e, &self.cert)
    }

    /// Rounds of the sync protocol. A lost answer is retried with the very same request (the
    /// client keeps it pending), which the hub handles idempotently.
    async fn rounds(&mut self) -> Result<(), SyncError> {
        let (hub, who, now) = (self.hub.clone(), self.who.clone(), self.now);
        let mut client = self
            .device
            .with_device(move |d| SyncClient::new(d, &hub, who.as_deref()))
            .await?;
        let max_rounds = self.transport.options().max_rounds;
        for _ in 0..max_rounds {
            self.check_cancel()?;
            let (c, body) = self
                .device
                .with_device(move |d| {
                    let body = client.request_body(d, now)?;
                    Ok((client, body))
                })
                .await?;
            client = c;
            let answer = match self.post_signed(SYNC_PATH, body).await {
                Ok(a) => a,
                Err(e) => return Err(self.fail(e)),
            };
            let resp: SyncResponse = wire::decode(&answer)?;
            let (c, done) = self
                .device
                .with_device(move |d| {
                    let done = client.response(d, resp, now)?;
                    Ok((client, done))
                })
                .await?;
            client = c;
            self.report.progress = client.progress();
            self.tell();
            if done {
                return Ok(());
            }
        }
        Err(SyncError::TooManyRounds(max_rounds))
    }
}

/// A failed call as the typed error it is (the hub's refusal rebuilt where a device can act
/// on it).
fn call_failed(e: CallError, cert: &Certificate) -> SyncError {
    match e {
        CallError::Cancelled => SyncError::Cancelled,
        CallError::Unreachable(m) => SyncError::Transport(m),
        CallError::Local(e) => *e,
        CallError::Hub { status, detail, .. } => refusal(status, detail, cert),
    }
}

/// Before the device is known to the hub, any failure is a transport failure.
fn health_failed(e: CallError) -> SyncError {
    match e {
        CallError::Cancelled => SyncError::Cancelled,
        CallError::Unreachable(m) => SyncError::Transport(m),
        CallError::Local(e) => *e,
        CallError::Hub { status, detail, .. } => SyncError::Transport(format!(
            "the hub's health check failed: HTTP {status} [{}] {}",
            detail.code, detail.message_en
        )),
    }
}

/// The hub's refusal of a whole request as the typed error it was at the hub, where the code
/// is one a device can act on (re-enrol, install a newer revocation list…); otherwise a
/// transport error carrying the hub's code and message.
fn refusal(status: u16, d: ErrorDetail, cert: &Certificate) -> SyncError {
    let id = cert.body.id.clone();
    let hub_time = d.hub_time.and_then(chrono::DateTime::from_timestamp_millis);
    match d.typed_code() {
        Some(ErrorCode::SyncBadRequestSignature) => SyncError::BadRequestSignature,
        Some(ErrorCode::UnknownCertificate) => IdentityError::UnknownCertificate { id }.into(),
        Some(ErrorCode::CertificateRevoked) => IdentityError::CertificateRevoked { id }.into(),
        Some(ErrorCode::CertificateExpired) => IdentityError::CertificateExpired {
            id,
            not_after: cert.body.not_after,
            now: hub_time.unwrap_or(cert.body.not_after),
        }
        .into(),
        Some(ErrorCode::CertificateNotYetValid) => IdentityError::CertificateNotYetValid {
            id,
            not_before: cert.body.not_before,
            now: hub_time.unwrap_or(cert.body.not_before),
        }
        .into(),
        Some(ErrorCode::SyncMalformed) => SyncError::Malformed(d.message_en),
        Some(ErrorCode::SyncProtocol) => SyncError::Protocol(PROTOCOL),
        Some(ErrorCode::SyncStaleChallenge) => SyncError::StaleChallenge,
        _ => SyncError::Transport(format!(
            "the hub refused the request (HTTP {status}, {}): {}",
            d.code, d.message_en
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn assert_send<T: Send>(_: &T) {}

    /// The mobile bindings run a sync from uniffi async functions on a multi-threaded runtime,
    /// so its future must be `Send`, whether the device is lent or shared behind a lock. This
    /// only has to compile.
    #[allow(dead_code)]
    fn sync_futures_are_send(
        client: &HubClient,
        device: &mut Device,
        shared: Arc<Mutex<Device>>,
        cancel: &CancelToken,
    ) {
        let mut quiet = |_: &SyncReport| {};
        assert_send(&client.sync(&mut *device, None, &mut quiet, cancel));
        assert_send(&client.sync(shared, Some("someone"), &mut quiet, cancel));
        assert_send(&sync_with_hub(
            device,
            "http://127.0.0.1:1",
            None,
            &mut quiet,
            cancel,
        ));
    }
}
