//! Summaries of repeated measurements: percentiles of latencies, medians of runs.

use serde_json::{Value, json};

/// The `p` quantile (0..=1) of `sorted`, nearest rank; 0 when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Rounded to two decimals, for milliseconds.
pub fn ms2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// p50, p99 and max of latencies in milliseconds, and how many there were.
pub fn latencies(mut ms: Vec<f64>) -> Value {
    ms.sort_by(f64::total_cmp);
    json!({
        "n": ms.len(),
        "p50_ms": ms2(percentile(&ms, 0.5)),
        "p99_ms": ms2(percentile(&ms, 0.99)),
        "max_ms": ms2(ms.last().copied().unwrap_or(0.0)),
    })
}

/// Median, min and max of the values, rounded to `decimals`.
pub fn runs(mut values: Vec<f64>, decimals: i32) -> Value {
    values.sort_by(f64::total_cmp);
    let scale = 10f64.powi(decimals);
    let r = |v: f64| (v * scale).round() / scale;
    json!({
        "median": r(values.get(values.len() / 2).copied().unwrap_or(0.0)),
        "min": r(values.first().copied().unwrap_or(0.0)),
        "max": r(values.last().copied().unwrap_or(0.0)),
    })
}
