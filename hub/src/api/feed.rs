//! The live event feed (`GET /api/v1/events`, long-poll JSON, and `/api/v1/events/stream`,
//! server-sent events): every event the caller may see, in log order, from a cursor — see
//! `hotline_core::sync::feed` for what a page holds.
//!
//! The contract: at least once, in order per order. An event's `id` is its change's hash; the
//! cursor is a log position. A long-poll answer carries the cursor to ask from next; on the
//! stream each event's SSE id is the position to resume from (`Last-Event-ID`) so that nothing
//! after it is lost — for an order's earlier history sent in one group it is the position
//! before the group, so a reconnect mid-group receives the group again (same ids).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use hotline_core::center::verified_events;
use hotline_core::model::{Event, OrderId};
use hotline_core::sync::feed::{FeedPage, feed_page};
use serde::Serialize;

use super::auth::{bearer, caller};
use super::params::Params;
use super::{blocking, city_time, json_or_error};
use crate::errors::HubError;
use crate::state::Hub;

/// Longest a long-poll waits for something new.
const MAX_WAIT_S: i64 = 30;
/// How often a waiting poll or stream looks at the log even without a wake-up (changes taken
/// in by another hub process on the same PostgreSQL database wake nobody here).
const LOOK_EVERY: Duration = Duration::from_secs(2);
/// Entries a page carries by default.
const DEFAULT_LIMIT: i64 = 100;

/// One event delivered.
#[derive(Debug, Serialize)]
pub(crate) struct FeedEvent {
    /// The change's hash: the same however often the event is delivered.
    id: String,
    order: String,
    /// The log position it was delivered at (for an order's history that entered the caller's
    /// view at once, the position where it entered).
    position: i64,
    /// The certificate that signed it.
    cert: String,
    /// The event as its author signed it (its `at` is the author's clock).
    event: Event,
}

#[derive(Debug, Serialize)]
pub(crate) struct FeedAnswer {
    pub(crate) events: Vec<FeedEvent>,
    /// Ask from here next.
    pub(crate) cursor: i64,
    at: Option<String>,
}

fn cursor_of(raw: Option<&str>) -> Result<i64, HubError> {
    match raw {
        None => Ok(0),
        Some(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| HubError::BadCursor(s.chars().take(40).collect())),
    }
}

/// One page for `token`'s caller after `after`, each entry's event read from its order's
/// verified changes. Blocking.
/// `charge`: the request's first look pays the certificate's rate; its later ones (a wait, a
/// stream) check the key again without paying.
fn page(
    hub: &Hub,
    token: Option<&str>,
    after: i64,
    limit: usize,
    charge: bool,
) -> Result<FeedAnswer, HubError> {
    let view = hub.view();
    let who = if charge {
        caller(hub, &view, token)?
    } else {
        super::auth::key_holder(hub, &view, token)?
    };
    page_for(hub, &view, &who.cert, after, limit)
}

/// One page of what `cert` may see after `after` (the caller checked who it is). Blocking.
pub(crate) fn page_for(
    hub: &Hub,
    view: &crate::state::View,
    cert: &hotline_core::identity::Certificate,
    after: i64,
    limit: usize,
) -> Result<FeedAnswer, HubError> {
    if hotline_core::sync::PullScope::of(cert) == hotline_core::sync::PullScope::Nothing {
        return Err(HubError::NotPermitted {
            zh: "订阅工单事件（其身份为自助终端或受理服务，不得读取任何工单）",
            en: "subscribe to order events (its identity is a kiosk's or an intake service's, which reads none)",
        });
    }
    hub.with_reads(view, |reads| {
        let FeedPage { entries, cursor } = feed_page(reads, cert, after, limit)?;
        let mut by_order: HashMap<OrderId, HashMap<String, Event>> = HashMap::new();
        let mut events = Vec::with_capacity(entries.len());
        for e in entries {
            let order = e.change.order.clone();
            if !by_order.contains_key(&order) {
                let stored = reads.changes_for(&order)?;
                // An order whose history no longer verifies (a signer the city no longer
                // knows) is passed over, said in the log: it must not hold the feed up.
                let verified = match verified_events(&view.trust, &order, &stored) {
                    Ok(v) => v,
                    Err(e) => {
                        hub.log.always(format_args!(
                            "feed: order {} does not verify ({}): its events are not delivered",
                            order.0,
                            hotline_core::Coded::message_en(&e)
                        ));
                        Vec::new()
                    }
                };
                by_order.insert(
                    order.clone(),
                    verified
                        .into_iter()
                        .map(|ev| (ev.id.0.clone(), ev))
                        .collect(),
                );
            }
            // A change that is not an event of its order (it cannot verify) is not delivered.
            let Some(event) = by_order
                .get(&order)
                .and_then(|m| m.get(&e.change.event_id))
                .cloned()
            else {
                continue;
            };
            events.push(FeedEvent {
                id: e.change.hash,
                order: order.0,
                position: e.seq,
                cert: e.change.cert_id,
                event,
            });
        }
        Ok(FeedAnswer {
            events,
            cursor,
            at: city_time(hub.options.clock.now().timestamp_millis()),
        })
    })
}

/// Waits for news from this process's ingest, or [`LOOK_EVERY`], whichever comes first.
async fn nudge(rx: &mut tokio::sync::watch::Receiver<u64>) {
    let _ = tokio::time::timeout(LOOK_EVERY, rx.changed()).await;
}

/// `GET /api/v1/events?after=&limit=&wait=`: a page; with `wait` (seconds, ≤ 30) an empty page
/// waits that long for something new before answering.
pub(crate) async fn poll(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let parsed = Params::parse(query.as_deref()).and_then(|p| {
        Ok((
            cursor_of(p.get("after"))?,
            p.number("limit", 1, hotline_core::sync::feed::MAX_FEED_PAGE as i64)?
                .unwrap_or(DEFAULT_LIMIT) as usize,
            p.number("wait", 0, MAX_WAIT_S)?.unwrap_or(0),
        ))
    });
    let (after, limit, wait) = match parsed {
        Ok(v) => v,
        Err(e) => return json_or_error::<()>(&hub, Err(e)),
    };
    let token = bearer(&headers);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait as u64);
    let mut rx = hub.changed.subscribe();
    let mut charge = true;
    loop {
        let t = token.clone();
        let result = blocking(&hub, move |hub| {
            page(hub, t.as_deref(), after, limit, charge)
        })
        .await;
        charge = false;
        let done = match &result {
            Ok(a) => !a.events.is_empty() || tokio::time::Instant::now() >= deadline,
            Err(_) => true,
        };
        if done {
            return json_or_error(&hub, result);
        }
        tokio::select! {
            () = nudge(&mut rx) => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// The SSE events of one page: each event's SSE id is where to resume so nothing after it is
/// lost (see the module's doc); a cursor past the last event moves the resume point on.
fn sse_events(answer: &FeedAnswer, before: i64) -> Vec<SseEvent> {
    let mut out = Vec::with_capacity(answer.events.len() + 1);
    let mut last = before;
    for (i, e) in answer.events.iter().enumerate() {
        let group_goes_on = answer
            .events
            .get(i + 1)
            .is_some_and(|n| n.position == e.position);
        let resume = if group_goes_on {
            e.position - 1
        } else {
            e.position
        };
        last = last.max(resume);
        if let Ok(data) = serde_json::to_string(e) {
            out.push(
                SseEvent::default()
                    .event("order_event")
                    .id(resume.to_string())
                    .data(data),
            );
        }
    }
    if answer.cursor > last {
        out.push(
            SseEvent::default()
                .event("cursor")
                .id(answer.cursor.to_string())
                .data(answer.cursor.to_string()),
        );
    }
    out
}

/// `GET /api/v1/events/stream?after=` (or `Last-Event-ID`): the feed as server-sent events,
/// until the subscriber goes away. A refused key is refused before the stream starts.
pub(crate) async fn stream(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let parsed = Params::parse(query.as_deref())
        .and_then(|p| cursor_of(resume.as_deref().or(p.get("after"))));
    let after = match parsed {
        Ok(a) => a,
        Err(e) => return json_or_error::<()>(&hub, Err(e)),
    };
    let token = bearer(&headers);
    // The first page before answering, so a bad key is a typed 401/403, not a broken stream.
    let t = token.clone();
    let first = match blocking(&hub, move |hub| {
        page(hub, t.as_deref(), after, DEFAULT_LIMIT as usize, true)
    })
    .await
    {
        Ok(a) => a,
        Err(e) => return json_or_error::<()>(&hub, Err(e)),
    };
    let rx = hub.changed.subscribe();
    let state = (hub, token, after, Some(first), rx);
    let events =
        futures_util::stream::unfold(state, |(hub, token, cursor, ready, mut rx)| async move {
            let mut cursor = cursor;
            let mut ready = ready;
            loop {
                let answer = match ready.take() {
                    Some(a) => a,
                    None => {
                        let t = token.clone();
                        let from = cursor;
                        match blocking(&hub, move |hub| {
                            page(hub, t.as_deref(), from, DEFAULT_LIMIT as usize, false)
                        })
                        .await
                        {
                            Ok(a) => a,
                            // The key was revoked meanwhile, or the storage went away: the stream
                            // ends; the subscriber reconnects from its last id.
                            Err(_) => return None,
                        }
                    }
                };
                let out = sse_events(&answer, cursor);
                let moved = answer.cursor > cursor;
                cursor = cursor.max(answer.cursor);
                if !out.is_empty() {
                    let items: Vec<Result<SseEvent, Infallible>> =
                        out.into_iter().map(Ok).collect();
                    return Some((
                        futures_util::stream::iter(items),
                        (hub, token, cursor, None, rx),
                    ));
                }
                if !moved {
                    nudge(&mut rx).await;
                }
            }
        });
    let flat = futures_util::StreamExt::flatten(events);
    Sse::new(flat)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
