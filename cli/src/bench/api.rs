//! `hotline bench api`: the city platform's reads of a hub holding N orders, over loopback
//! HTTP — Open311's public listing (the first call folds each order's history once; later calls
//! read index rows and what was kept), the JSON API's order pages through the whole city, and
//! the event feed read from the start — with the hub's health round trip as the baseline
//! measured in the same run. The hub runs in this process on a clock fixed a day after the
//! workload's base, so the listing's 90-day window holds every order.

use std::time::Instant;

use chrono::Duration;
use clap::Args;
use hotline_core::error::ErrorCode;
use hotline_core::model::Role;
use serde_json::{Value, json};

use super::store_builder::StoreBuilder;
use super::{Workplace, fail, stats, tempfile_dir, workload_at_base};
use crate::output::CliError;

#[derive(Args, Debug)]
pub struct ApiArgs {
    /// Orders the hub holds.
    #[arg(long, default_value_t = 10_000)]
    pub orders: usize,
    /// Timed calls of each read (the baseline too).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    #[command(flatten)]
    pub work: Workplace,
}

pub fn run(args: ApiArgs, put: &mut dyn FnMut(&str, Value)) -> Result<(), CliError> {
    if args.orders == 0 || args.runs == 0 {
        return Err(fail(
            ErrorCode::BadInput,
            "--orders and --runs must be at least 1",
        ));
    }
    let tmp = tempfile_dir(args.work.dir.as_deref())?;
    let (orders, base) = workload_at_base(args.work.orders_file.as_deref())?;
    let hub_dir = tmp.path.join("hub");
    let scratch = tmp.path.join("scratch");
    let mut builder = StoreBuilder::open(&hub_dir, &scratch, orders, base)?;
    let built = Instant::now();
    if builder.held < args.orders {
        builder.grow_to(args.orders)?;
    }
    put(
        "store",
        json!({
            "orders": builder.held,
            "built_s": stats::ms2(built.elapsed().as_secs_f64() * 1000.0) / 1000.0,
        }),
    );
    let cred = builder.credential(Role::Dispatcher, "bench-platform", "center")?;
    let mut authority = hotline_core::authority::Authority::open(&hub_dir)?;
    let (_, token) = authority.issue_api_key("bench", &cred.certificate.body.id, base)?;
    drop(authority);
    let rt = super::runtime()?;
    rt.block_on(async move {
        let options = hotline_hub::HubOptions {
            clock: hotline_hub::Clock::fixed(base + Duration::days(1)),
            // The bench's one client reads as fast as it can.
            requests_per_second: 100_000,
            request_burst: 100_000,
            ..hotline_hub::HubOptions::default()
        };
        let hub = hotline_hub::start_with(&hub_dir, "127.0.0.1:0", options).await?;
        let url = hub.url();
        let client = reqwest::Client::new();
        let get = |path: String, auth: bool| {
            let mut req = client.get(format!("{url}{path}"));
            if auth {
                req = req.bearer_auth(&token);
            }
            async move {
                let resp = req.send().await.map_err(|e| fail(ErrorCode::BenchHub, e))?;
                if !resp.status().is_success() {
                    return Err(fail(
                        ErrorCode::BenchHub,
                        format!("{path}: HTTP {}", resp.status()),
                    ));
                }
                resp.json::<Value>()
                    .await
                    .map_err(|e| fail(ErrorCode::BenchHub, e))
            }
        };
        let timed = |started: Instant| started.elapsed().as_secs_f64() * 1000.0;

        let mut health = Vec::new();
        for _ in 0..args.runs {
            let t = Instant::now();
            get("/v1/health".into(), false).await?;
            health.push(timed(t));
        }
        put("baseline_health_ms", stats::latencies(health));

        let t = Instant::now();
        let first = get("/open311/v2/requests.json".into(), false).await?;
        let cold = timed(t);
        let mut warm = Vec::new();
        for _ in 0..args.runs {
            let t = Instant::now();
            get("/open311/v2/requests.json".into(), false).await?;
            warm.push(timed(t));
        }
        put(
            "open311_requests",
            json!({
                "listed": first.as_array().map_or(0, Vec::len),
                "first_call_ms": stats::ms2(cold),
                "later_calls_ms": stats::latencies(warm),
            }),
        );

        let mut pages = Vec::new();
        let t = Instant::now();
        let mut after = String::new();
        let mut seen = 0usize;
        loop {
            let p = Instant::now();
            let page = get(format!("/api/v1/orders?limit=100&after={after}"), true).await?;
            pages.push(timed(p));
            seen += page["orders"].as_array().map_or(0, Vec::len);
            match page["next"].as_str() {
                Some(n) => after = n.to_string(),
                None => break,
            }
        }
        put(
            "order_pages",
            json!({
                "orders": seen,
                "pages": pages.len(),
                "whole_city_ms": stats::ms2(timed(t)),
                "page_ms": stats::latencies(pages),
            }),
        );

        let t = Instant::now();
        let mut cursor = 0i64;
        let mut events = 0usize;
        loop {
            let page = get(format!("/api/v1/events?after={cursor}&limit=500"), true).await?;
            let n = page["events"].as_array().map_or(0, Vec::len);
            let next = page["cursor"].as_i64().unwrap_or(cursor);
            events += n;
            if n == 0 && next == cursor {
                break;
            }
            cursor = next;
        }
        let ms = timed(t);
        put(
            "event_feed",
            json!({
                "events": events,
                "from_start_ms": stats::ms2(ms),
                "events_per_s": stats::ms2(events as f64 / (ms / 1000.0)),
            }),
        );
        hub.shutdown().await?;
        Ok::<(), CliError>(())
    })
}
