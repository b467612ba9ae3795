//! Crash safety: a child process records actions and prints an acknowledgement after each
//! `record` (or `put_blob`) returns; the parent kills it with SIGKILL mid-stream and checks that
//! every acknowledged write is in the store and the store opens and verifies fine.
//!
//! The child is this same test binary, re-executed to run only `crash_child` (ignored in normal
//! runs; it does nothing without the environment variable).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hotline_core::model::OrderId;
use hotline_core::store::Store;
use hotline_testkit::store::action;

const DIR_VAR: &str = "HOTLINE_STORE_CRASH_DIR";
const ACKS_BEFORE_KILL: usize = 300;

#[test]
#[ignore = "child process of acknowledged_writes_survive_sigkill"]
fn crash_child() {
    let Some(dir) = std::env::var_os(DIR_VAR) else {
        return;
    };
    let mut store = Store::open(std::path::Path::new(&dir)).unwrap();
    let out = std::io::stdout();
    let started = Instant::now();
    // Bounded, in case the parent died without killing us.
    for i in 0..100_000u32 {
        if started.elapsed() > Duration::from_secs(120) {
            break;
        }
        let order = format!("order-{i:06}");
        let hash = format!("change-{i:06}");
        let mut rec = action(&order, &[&hash]);
        rec.index.lead_unit = Some(format!("unit-{}", i % 7));
        rec.index.next_due = Some(i64::from(i));
        rec.sealed_contacts = vec![("platform".into(), vec![u8::try_from(i % 251).unwrap(); 48])];
        store.record(&rec).unwrap();
        writeln!(out.lock(), "ack {order} {hash}").unwrap();
        if i % 10 == 0 {
            let body = format!("photo {i} ").repeat(5_000);
            let info = store
                .put_blob(
                    &mut body.as_bytes(),
                    "image/jpeg",
                    hotline_core::identity::ContentDigest::Sha256,
                )
                .unwrap();
            writeln!(out.lock(), "blob {}", info.sha256).unwrap();
        }
        out.lock().flush().unwrap();
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_child",
            "--exact",
            "--nocapture",
            "--ignored",
            "--test-threads=1",
        ])
        .env(DIR_VAR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();

    // Read on a thread so a hung child fails the test instead of hanging it.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    let mut acked: Vec<(String, String)> = Vec::new();
    let mut blobs: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.len() < ACKS_BEFORE_KILL {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match rx.recv_timeout(left) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                panic!(
                    "child stopped after {} acknowledgements: {e:?}",
                    acked.len()
                );
            }
        };
        let mut parts = line.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some("ack"), Some(order), Some(hash)) => acked.push((order.into(), hash.into())),
            (Some("blob"), Some(sha), None) => blobs.push(sha.into()),
            _ => {} // the test harness's own output
        }
    }
    // SIGKILL while the child keeps writing: no destructor, no clean close of the database.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the child should have been killed, not finished"
    );
    drop(rx);
    reader.join().unwrap();

    let mut store = Store::open(dir.path()).unwrap();
    store.integrity_check().unwrap();
    for (order, hash) in &acked {
        let id = OrderId::new(order.clone());
        let row = store.order_row(&id).unwrap();
        assert!(row.is_some(), "acknowledged order {order} is missing");
        let changes = store.changes_for(&id).unwrap();
        assert!(
            changes.iter().any(|c| &c.hash == hash),
            "change {hash} of {order} is missing"
        );
        assert!(store.has_change(hash).unwrap());
        assert_eq!(store.sealed_contacts(&id).unwrap().len(), 1);
    }
    for sha in &blobs {
        assert!(
            store.has_blob(sha).unwrap(),
            "acknowledged blob {sha} is missing"
        );
        store.verify_blob(sha).unwrap();
    }
    assert!(store.order_count().unwrap() >= acked.len() as u64);
    // Whatever the child was doing when it died is either fully there or not at all.
    let count = store.order_count().unwrap();
    eprintln!(
        "acknowledged {} orders, {} blobs; store holds {count} orders",
        acked.len(),
        blobs.len()
    );
    assert_eq!(store.change_count().unwrap(), count);

    // And the store is still writable.
    store
        .record(&action("after-crash", &["after-crash-change"]))
        .unwrap();
    assert!(store.has_change("after-crash-change").unwrap());
}
