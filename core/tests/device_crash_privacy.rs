//! What a kiosk leaves behind: every acknowledged submission survives SIGKILL, and nothing a
//! citizen typed about themselves is readable in its files.

use hotline_core::device::Device;
use hotline_core::model::{OrderId, Role};
use hotline_testkit::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DIR_VAR: &str = "HOTLINE_DEVICE_CRASH_DIR";

#[test]
#[ignore = "child process of acknowledged_submissions_survive_sigkill"]
fn device_crash_child() {
    let Some(dir) = std::env::var_os(DIR_VAR) else {
        return;
    };
    let mut kiosk = Device::open(std::path::Path::new(&dir)).unwrap();
    let out = std::io::stdout();
    let started = Instant::now();
    for i in 0..20_000u32 {
        if started.elapsed() > Duration::from_secs(120) {
            break;
        }
        let sub = kiosk
            .submit(
                None,
                request(&format!("第{i}号诉求")),
                t("2026-03-02T09:00:00+08:00"),
            )
            .unwrap();
        writeln!(out.lock(), "ack {} {}", sub.order, sub.receipt).unwrap();
        out.lock().flush().unwrap();
    }
}

#[test]
fn acknowledged_submissions_survive_sigkill() {
    let mut city = City::new("turpan");
    let kiosk = city.device("kiosk", Role::Kiosk, "center");
    drop(kiosk);
    let dir = city.dir("kiosk");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["device_crash_child", "--exact", "--nocapture", "--ignored"])
        .env(DIR_VAR, &dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut acks = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while acks.len() < 60 {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("ack ") {
            let (order, receipt) = rest.split_once(' ').unwrap();
            acks.push((OrderId::new(order), receipt.to_string()));
        }
    }
    // Killed in the middle of the next writes (SIGKILL on unix).
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(acks.len(), 60, "the child stopped early");

    let kiosk = Device::open(&dir).unwrap();
    for (order, receipt) in &acks {
        assert_eq!(
            kiosk.show(order).unwrap().state.status.as_str(),
            "submitted"
        );
        assert_eq!(
            kiosk.status(receipt).unwrap().status,
            hotline_core::workflow::Status::Submitted
        );
    }
    assert!(kiosk.verify().unwrap().ok());
}

#[test]
fn a_kiosk_keeps_no_readable_personal_data() {
    let mut city = City::new("puyang");
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let now = t("2026-03-02T09:00:00+08:00");
    let mut sub = Vec::new();
    for i in 0..20 {
        let mut r = request("楼上漏水");
        r.contact = Some(hotline_core::identity::ContactDetails {
            name: Some(format!("张建国{i}")),
            phone: Some(format!("1380013{i:04}")),
            id_number: Some(format!("41090219800101{i:04}")),
        });
        sub.push(kiosk.submit(None, r, now).unwrap());
    }
    // Read the files while the device is still open, WAL and all, then after closing.
    let scan = |label: &str| {
        let mut files = Vec::new();
        for entry in walk(&city.dir("kiosk")) {
            files.push((entry.clone(), file_bytes(&entry)));
        }
        assert!(
            files.iter().any(|(p, _)| p.ends_with("hotline.db")),
            "{label}"
        );
        for (path, bytes) in &files {
            for i in 0..20 {
                for needle in [
                    format!("张建国{i}"),
                    format!("1380013{i:04}"),
                    format!("41090219800101{i:04}"),
                ] {
                    assert!(
                        !contains(bytes, needle.as_bytes()),
                        "{label}: {needle} readable in {}",
                        path.display()
                    );
                }
            }
        }
        files
            .iter()
            .any(|(p, _)| p.to_string_lossy().ends_with("-wal"))
    };
    let had_wal = scan("open");
    assert!(
        had_wal,
        "the scan must include the WAL while the store is open"
    );
    assert_eq!(
        hotline_core::Coded::code(
            &kiosk
                .contact(None, &sub[0].order, "回访 callback", chrono::Utc::now())
                .unwrap_err()
        )
        .as_str(),
        "contact_not_visible"
    );
    drop(kiosk);
    scan("closed");
    // The request text itself is not personal data and is there to be handled.
    let kiosk = Device::open(&city.dir("kiosk")).unwrap();
    assert_eq!(
        kiosk
            .show(&sub[0].order)
            .unwrap()
            .state
            .details
            .unwrap()
            .text,
        "楼上漏水"
    );
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
