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

/// `bench sync --crypto both`: every scenario once per suite, each in cities of its own, and
/// the figures issue 16 asks for side by side (three orders of the shared file's form).
#[test]
fn bench_sync_measures_each_crypto_suite_side_by_side() {
    let t = terminal();
    let dir = t.path("work");
    let orders = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/work-orders-3.jsonl"
    );
    let out = t.ok(&[
        "bench",
        "sync",
        "--crypto",
        "both",
        "--runs",
        "1",
        "--idle-orders",
        "6",
        "--orders-file",
        orders,
        "--dir",
        dir.to_str().unwrap(),
    ]);
    for suite in ["ed25519", "sm"] {
        let ingest = &out[format!("{suite}.ingest")];
        assert_eq!(ingest["changes"]["median"], 3.0, "{out}");
        assert!(
            ingest["limit_verify_apply_changes_per_s"]["median"]
                .as_f64()
                .unwrap()
                > 0.0
        );
        assert!(
            out[format!("{suite}.push")]["requests"]["median"]
                .as_f64()
                .unwrap()
                >= 1.0
        );
    }
    // An SM2 signature names its algorithm in one byte more.
    assert_eq!(
        out["ed25519.change_bytes"]["hotline_signature"]["median"],
        64.0
    );
    assert_eq!(out["sm.change_bytes"]["hotline_signature"]["median"], 65.0);
    let figures = &out["sm_to_ed25519"];
    for figure in [
        "device_intake_s",
        "hub_ingest_changes_per_s",
        "limit_verify_apply_changes_per_s",
        "tcp_bytes_per_edit",
    ] {
        assert!(
            figures[figure]["sm_over_ed25519"].as_f64().unwrap() > 0.0,
            "{figure}: {out}"
        );
    }
}

/// `bench center`: the scan and the three methods over a small hub store, on SQLite and on
/// PostgreSQL (a throwaway cluster), with the read-and-verify baseline beside them.
#[test]
fn bench_center_scans_and_assesses_on_sqlite_and_postgres() {
    let cluster = hotline_testkit::postgres::PgCluster::start();
    let t = terminal();
    let dir = t.path("work");
    let out = t.ok(&[
        "bench",
        "center",
        "--orders",
        "300",
        "--handled",
        "60",
        "--units",
        "4",
        "--runs",
        "1",
        "--database",
        &cluster.conn_str("postgres"),
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out["store"]["orders"], 300, "{out}");
    for backend in ["sqlite", "postgres"] {
        let b = &out[backend];
        assert_eq!(b["orders_read"], 300, "{backend}: {out}");
        // Every town had orders in March: all four are ranked by Linshu.
        assert_eq!(b["ranked_linshu"], 4, "{backend}");
        assert!(b["scan_s"].as_f64().unwrap() > 0.0);
        assert!(b["read_and_verify_s"].as_f64().unwrap() > 0.0);
        assert!(b["peak_rss_mb_scan_and_assess"].as_u64().unwrap() > 0);
    }
    // Both backends read the same orders and find the same warnings.
    assert_eq!(out["sqlite"]["warnings"], out["postgres"]["warnings"]);
    assert_eq!(
        out["sqlite"]["warnings_by_rule"],
        out["postgres"]["warnings_by_rule"]
    );
}
