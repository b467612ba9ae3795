//! Shared by `benches/intake.rs` and `examples/store_scale.rs`: the benchmark orders (read from
//! `shared/bench/work-orders-1000.jsonl`, unchanged, at run time) and the helpers to time
//! them. The city they run in comes from `hotline_testkit`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use hotline_core::device::SubmitRequest;
use hotline_core::identity::ContactDetails;
use hotline_core::model::{Channel, GpsFix, Location, RequestKind, Timestamp, Urgency};
use serde::Serialize;

/// Relative to `CARGO_MANIFEST_DIR` (core/).
pub const BENCH_FILE: &str = "../../shared/bench/work-orders-1000.jsonl";

/// What a citizen's request carries, taken from one line of the bench file.
#[derive(Debug, Clone, Serialize)]
pub struct BenchOrder {
    pub id: String,
    pub kind: String,
    pub urgency: String,
    pub channel: String,
    pub text: String,
    pub address: String,
    pub division_code: String,
    pub lat: f64,
    pub lon: f64,
    pub confidential: bool,
    /// Used by the store-scale program to dispatch (not part of a submission).
    #[serde(skip)]
    pub lead_unit: String,
    #[serde(skip)]
    pub co_unit: String,
}

#[derive(Debug)]
pub struct Orders {
    pub orders: Vec<BenchOrder>,
    /// Where they came from, for the output.
    pub source: String,
    pub synthesised: bool,
}

fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The bench file's orders, or 1,000 synthesised look-alikes when the file is absent.
pub fn load_orders() -> Orders {
    let path = manifest_dir().join(BENCH_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let orders: Vec<BenchOrder> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| parse_line(l).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
                .collect();
            assert!(!orders.is_empty(), "{} holds no orders", path.display());
            Orders {
                source: format!("{} ({} orders)", path.display(), orders.len()),
                orders,
                synthesised: false,
            }
        }
        Err(e) => Orders {
            orders: synthesise(1000),
            source: format!(
                "SYNTHESISED 1000 orders ({} not readable: {e})",
                path.display()
            ),
            synthesised: true,
        },
    }
}

fn parse_line(line: &str) -> Result<BenchOrder, String> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let s = |k: &str| -> Result<String, String> {
        v.get(k)
            .and_then(|x| x.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("no string field {k}"))
    };
    let f = |k: &str| -> Result<f64, String> {
        v.get(k)
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| format!("no number field {k}"))
    };
    Ok(BenchOrder {
        id: s("id")?,
        kind: s("kind")?,
        urgency: s("urgency")?,
        channel: s("channel")?,
        text: s("description")?,
        address: s("address")?,
        division_code: s("division_code")?,
        lat: f("lat")?,
        lon: f("lon")?,
        confidential: v
            .get("confidential")
            .and_then(serde_json::Value::as_bool)
            .ok_or("no bool field confidential")?,
        lead_unit: s("lead_unit")?,
        co_unit: s("co_unit")?,
    })
}

/// Orders shaped like the bench file's: 200-character Chinese text, Puyang addresses.
pub fn synthesise(n: usize) -> Vec<BenchOrder> {
    const KINDS: [&str; 5] = ["complaint", "inquiry", "request", "suggestion", "report"];
    const CHANNELS: [&str; 4] = ["phone", "web", "app", "kiosk"];
    const ROADS: [&str; 4] = ["古城路", "黄河路", "京开大道", "人民路"];
    (0..n)
        .map(|i| {
            let road = ROADS[i % ROADS.len()];
            let phrase = format!("{road}夜间施工噪音扰民已持续两周请尽快处理");
            let text: String = phrase.chars().cycle().take(200).collect();
            BenchOrder {
                id: format!("wo-{i:06}"),
                kind: KINDS[i % KINDS.len()].into(),
                urgency: if i % 10 == 0 { "urgent" } else { "normal" }.into(),
                channel: CHANNELS[i % CHANNELS.len()].into(),
                text,
                address: format!("濮阳市华龙区{road}{}号", i % 300 + 1),
                division_code: format!("410902{:03}", i % 200),
                lat: 35.76 + (i % 100) as f64 * 0.001,
                lon: 115.03 + (i % 100) as f64 * 0.001,
                confidential: i % 4 == 0,
                lead_unit: format!("unit-{:03}", i % 37),
                co_unit: format!("unit-{:03}", (i + 7) % 37),
            }
        })
        .collect()
}

/// The bench file's vocabulary mapped onto the model: `request` is 求助 (help), `urgent` is
/// treated as an emergency.
pub fn submit_request(o: &BenchOrder, n: usize) -> SubmitRequest {
    SubmitRequest {
        kind: match o.kind.as_str() {
            "request" => RequestKind::Help,
            k => RequestKind::parse(k).unwrap_or(RequestKind::Inquiry),
        },
        urgency: match o.urgency.as_str() {
            "urgent" | "emergency" => Urgency::Emergency,
            _ => Urgency::Normal,
        },
        channel: Channel::parse(&o.channel).unwrap_or(Channel::Phone),
        text: o.text.clone(),
        location: Location {
            address: o.address.clone(),
            division_code: Some(o.division_code.clone()),
            gps: Some(GpsFix::manual(o.lat, o.lon)),
        },
        contact: Some(ContactDetails {
            name: Some(format!("市民{}", n % 10_000)),
            phone: Some(format!("138{:08}", n % 100_000_000)),
            id_number: None,
        }),
        confidential: o.confidential,
        origin: hotline_core::model::Origin::Local,
        // The bench file names no kind of emergency: take the commonest.
        emergency_category: matches!(o.urgency.as_str(), "urgent" | "emergency")
            .then_some(hotline_core::model::EmergencyCategory::UtilityOutage),
        photos: Vec::new(),
        category: None,
    }
}

/// An instant given in China time (UTC+8).
pub fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid date")
        - chrono::Duration::hours(8)
}

/// Monday 2 March 2026, 09:00 in Puyang: inside the shipped 2026 holiday calendar.
pub fn base_time() -> Timestamp {
    cst(2026, 3, 2, 9, 0)
}

/// Total bytes of the regular files under `dir`, recursively.
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// Median of durations in microseconds (sorts the slice).
pub fn median_us(samples: &mut [std::time::Duration]) -> f64 {
    samples.sort_unstable();
    let n = samples.len();
    if n == 0 {
        return f64::NAN;
    }
    let mid = if n % 2 == 1 {
        samples[n / 2].as_secs_f64()
    } else {
        (samples[n / 2 - 1].as_secs_f64() + samples[n / 2].as_secs_f64()) / 2.0
    };
    mid * 1e6
}
