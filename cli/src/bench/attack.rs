//! `hotline bench attack`: the hub's answers to a citizen while it is attacked, and its memory
//! under the memory attacks of issue 8 — measured against a hub in its own process, with a
//! baseline taken in the same run.
//!
//! 1. Status lookups (challenge + signed lookup, what a kiosk does) with nothing else going on.
//! 2. The same while a device pushes requests of thousands of garbage changes back to back and
//!    1,000 idle connections are held open (re-opened whenever the hub closes one).
//! 3. The hub's peak memory after 40 concurrent bodies of the largest size it reads, and
//!    signed requests stuffed with as many tiny certificate strings as fit in one.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use hotline_core::device::{Device, SubmitRequest};
use hotline_core::error::ErrorCode;
use hotline_core::model::{Channel, Location, RequestKind, Urgency};
use hotline_core::sync::http::messages::{Challenge, MAX_BODY_BYTES, SYNC_PATH};
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient};
use hotline_core::sync::sign_request;
use hotline_core::sync::wire::{self, PROTOCOL, Packed, SyncRequest};
use serde_json::{Value, json};

use super::lookup::timed_lookups;
use super::procstat::status_kb as proc_status_kb;
use super::stats::percentile;
use super::{HubProcess, fail};
use crate::output::CliError;

/// The citizen's kiosk, and the attacker's enrolled device (any enrolled device will do).
pub(super) struct Attack<'a> {
    pub hub: &'a HubProcess,
    pub kiosk: Device,
    pub attacker: Device,
    pub lookups: usize,
    pub idle: usize,
}

fn url(hub: SocketAddr, path: &str) -> String {
    format!("http://{hub}{path}")
}

async fn challenge(http: &reqwest::Client, hub: SocketAddr) -> Option<Vec<u8>> {
    let c: Challenge = http
        .get(url(hub, "/v1/challenge"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    hex::decode(c.challenge).ok()
}

/// A sync request of `n` changes that are not changes, signed as the kiosk.
fn garbage_body(n: u32) -> Vec<u8> {
    let push = (0..n)
        .map(|i| Packed {
            order: format!("wo-{i}"),
            cert: 0,
            signature: vec![0; 64],
            bytes: i.to_le_bytes().repeat(4),
        })
        .collect();
    wire::encode(&SyncRequest {
        protocol: PROTOCOL,
        at: 0,
        received_upto: 0,
        certs_known: 0,
        revocation_seq: 0,
        push_upto: 0,
        certs: vec!["x".into()],
        push,
        max_pull: 0,
        resend: Vec::new(),
        catalogue_version: 0,
        kb_received: 0,
        kb_push_upto: 0,
        kb_push: Vec::new(),
        access_push: Vec::new(),
    })
    .unwrap_or_default()
}

/// A sync request whose certificate table is as many tiny strings as fit the body limit.
fn tiny_strings_body() -> Vec<u8> {
    let certs = vec![String::from("c"); MAX_BODY_BYTES / 2 - 1024];
    wire::encode(&SyncRequest {
        protocol: PROTOCOL,
        at: 0,
        received_upto: 0,
        certs_known: 0,
        revocation_seq: 0,
        push_upto: 0,
        certs,
        push: Vec::new(),
        max_pull: 0,
        resend: Vec::new(),
        catalogue_version: 0,
        kb_received: 0,
        kb_push_upto: 0,
        kb_push: Vec::new(),
        access_push: Vec::new(),
    })
    .unwrap_or_default()
}

impl Attack<'_> {
    /// The kiosk's lookups of one receipt, sorted.
    async fn lookups(&self, receipt: &str) -> Result<Vec<f64>, CliError> {
        let n = self.lookups;
        let mut ms = timed_lookups(self.hub.addr, &self.kiosk, &[receipt.to_string()], |i| {
            i < n
        })
        .await?;
        ms.sort_by(f64::total_cmp);
        Ok(ms)
    }

    pub(super) async fn run(&mut self, put: &mut dyn FnMut(&str, Value)) -> Result<(), CliError> {
        let now = Utc::now();
        let submitted = self.kiosk.submit(
            None,
            SubmitRequest {
                kind: RequestKind::Complaint,
                urgency: Urgency::Normal,
                channel: Channel::Kiosk,
                text: "夜间施工噪音扰民".into(),
                location: Location {
                    address: "古城路8号".into(),
                    division_code: None,
                    gps: None,
                },
                contact: None,
                confidential: false,
                origin: hotline_core::model::Origin::Local,
                emergency_category: None,
                photos: Vec::new(),
                category: None,
            },
            now,
        )?;
        HubClient::new(&format!("http://{}", self.hub.addr), HttpOptions::default())?
            .sync(&mut self.kiosk, None, &mut |_| {}, &CancelToken::new())
            .await?;

        // 1. Baseline.
        let quiet = self.lookups(&submitted.receipt).await?;
        put("status_lookups", json!(quiet.len()));
        put(
            "status_quiet_p50_ms",
            json!((percentile(&quiet, 0.5) * 100.0).round() / 100.0),
        );
        put(
            "status_quiet_p99_ms",
            json!((percentile(&quiet, 0.99) * 100.0).round() / 100.0),
        );

        // 2. Under attack.
        let stop = Arc::new(AtomicBool::new(false));
        let held = Arc::new(AtomicU64::new(0));
        let mut idle = Vec::new();
        for _ in 0..self.idle {
            let (addr, stop, held) = (self.hub.addr, Arc::clone(&stop), Arc::clone(&held));
            idle.push(tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                while !stop.load(Ordering::Relaxed) {
                    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    held.fetch_add(1, Ordering::Relaxed);
                    let mut buf = [0u8; 16];
                    // Sends nothing; waits until the hub gives up on it, then comes back.
                    tokio::select! {
                        _ = s.read(&mut buf) => {}
                        () = async { while !stop.load(Ordering::Relaxed) {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        } } => {}
                    }
                    held.fetch_sub(1, Ordering::Relaxed);
                }
            }));
        }
        let garbage = Arc::new(garbage_body(5_000));
        let sent = Arc::new(AtomicU64::new(0));
        // Requests the hub looked into and refused whole, as against those its rate stopped.
        let refused_whole = Arc::new(AtomicU64::new(0));
        let mut pushers = Vec::new();
        let signer = Device::open(self.attacker.store().dir())?;
        let signer = Arc::new(std::sync::Mutex::new(signer));
        for _ in 0..2 {
            let (stop, sent, refused_whole, garbage, signer) = (
                Arc::clone(&stop),
                Arc::clone(&sent),
                Arc::clone(&refused_whole),
                Arc::clone(&garbage),
                Arc::clone(&signer),
            );
            let target = url(self.hub.addr, SYNC_PATH);
            let hub = self.hub.addr;
            pushers.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                while !stop.load(Ordering::Relaxed) {
                    let Some(ch) = challenge(&http, hub).await else {
                        continue;
                    };
                    let body = {
                        let Ok(d) = signer.lock() else { break };
                        sign_request(&d, None, SYNC_PATH, &ch, garbage.to_vec())
                            .ok()
                            .and_then(|r| wire::encode(&r).ok())
                    };
                    let Some(body) = body else { break };
                    if let Ok(r) = http.post(&target).body(body).send().await
                        && r.status().as_u16() == 422
                    {
                        refused_whole.fetch_add(1, Ordering::Relaxed);
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        // Let the attack settle: every idle connection open, garbage flowing.
        let settle = Instant::now();
        while held.load(Ordering::Relaxed) < self.idle as u64 * 9 / 10
            && settle.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let attacked = self.lookups(&submitted.receipt).await?;
        put("idle_connections_held", json!(held.load(Ordering::Relaxed)));
        put("garbage_requests_sent", json!(sent.load(Ordering::Relaxed)));
        put(
            "garbage_requests_read_and_refused_whole",
            json!(refused_whole.load(Ordering::Relaxed)),
        );
        put("garbage_changes_per_request", json!(5_000));
        put(
            "status_attack_p50_ms",
            json!((percentile(&attacked, 0.5) * 100.0).round() / 100.0),
        );
        put(
            "status_attack_p99_ms",
            json!((percentile(&attacked, 0.99) * 100.0).round() / 100.0),
        );
        stop.store(true, Ordering::Relaxed);
        for t in pushers.into_iter().chain(idle) {
            let _ = t.await;
        }

        // 3. Memory.
        let pid = self.hub.child.id();
        put(
            "hub_vmhwm_kb_before_memory_attacks",
            json!(proc_status_kb(pid, "VmHWM:")),
        );
        let http = reqwest::Client::new();
        let big = vec![0u8; MAX_BODY_BYTES];
        let mut bodies = Vec::new();
        for _ in 0..40 {
            let (http, target, big) = (http.clone(), url(self.hub.addr, SYNC_PATH), big.clone());
            bodies.push(tokio::spawn(async move {
                let _ = http.post(target).body(big).send().await;
            }));
        }
        for b in bodies {
            let _ = b.await;
        }
        put(
            "hub_vmhwm_kb_after_40_largest_bodies",
            json!(proc_status_kb(pid, "VmHWM:")),
        );
        // The attacker's rate allowance refills first, so these bodies are read, not refused
        // at the door.
        tokio::time::sleep(Duration::from_secs(11)).await;
        let stuffed = tiny_strings_body();
        let mut sends = Vec::new();
        for _ in 0..8 {
            let Some(ch) = challenge(&http, self.hub.addr).await else {
                return Err(fail(ErrorCode::Bench, "no challenge from the hub"));
            };
            let req = wire::encode(&sign_request(
                &self.attacker,
                None,
                SYNC_PATH,
                &ch,
                stuffed.clone(),
            )?)?;
            let (http, target) = (http.clone(), url(self.hub.addr, SYNC_PATH));
            sends.push(tokio::spawn(async move {
                http.post(target)
                    .body(req)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            }));
        }
        let mut statuses = Vec::new();
        for s in sends {
            statuses.push(s.await.unwrap_or(0));
        }
        put("tiny_string_bodies_statuses", json!(statuses));
        put(
            "hub_vmhwm_kb_after_tiny_string_bodies",
            json!(proc_status_kb(pid, "VmHWM:")),
        );
        put("hub_vmrss_kb_at_end", json!(proc_status_kb(pid, "VmRSS:")));
        Ok(())
    }
}
