//! The benches run end to end on a tiny workload and print what they promise. No times are
//! asserted: a bench only prints numbers.

use hotline_testkit::cli::Terminal;

fn terminal() -> Terminal {
    Terminal::new(env!("CARGO_BIN_EXE_hotline"))
}

#[test]
fn bench_status_prints_lookups_idle_and_under_load() {
    let t = terminal();
    let dir = t.path("work");
    let out = t.ok(&[
        "bench",
        "status",
        "--devices",
        "2",
        "--orders",
        "5",
        "--lookups",
        "3",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out["status_sqlite_idle"]["n"], 3);
    assert!(out["status_sqlite_idle"]["p99_ms"].as_f64().unwrap() > 0.0);
    assert!(out["status_sqlite_under_load"]["n"].is_u64());
    assert_eq!(out["push_sqlite"]["changes"], 10);
}

#[test]
fn bench_memory_reads_the_hub_at_each_number_of_orders() {
    let t = terminal();
    let (dir, scratch) = (t.path("work"), t.path("scratch"));
    let out = t.ok(&[
        "bench",
        "memory",
        "--orders",
        "20,40",
        "--pull-rounds",
        "1",
        "--edits",
        "5",
        "--push",
        "5",
        "--lookups",
        "3",
        "--dir",
        dir.to_str().unwrap(),
        "--scratch",
        scratch.to_str().unwrap(),
    ]);
    for n in [20, 40] {
        let at = &out[format!("hub_at_{n}")];
        assert_eq!(at["orders"], n, "{out}");
        assert!(at["vmrss_kb_after_work"].as_u64().unwrap() > 0);
        assert!(at["vmhwm_kb"].as_u64().unwrap() >= at["vmrss_kb_after_work"].as_u64().unwrap());
        assert_eq!(at["status_lookups"]["n"], 3);
    }
}
