//! The kiosk app end to end in Debian's headless Chromium, driven by playwright-core
//! (`tests/browser/kiosk_e2e.mjs`): an inquiry answered on the spot from the knowledge base, a
//! complaint with a photo offered as the same matter as an earlier one and joined to it, the
//! receipt and its QR code, the status lookup through the hub, the idle wipe — and afterwards
//! the citizen's phone number readable nowhere: not in the kiosk's store, its WAL, its photos,
//! nor the browser's profile folder.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hotline_testkit::browser;
use hotline_testkit::cli::Terminal;
use serde_json::Value;

const PHONE: &str = "13987654321";
const NAME: &str = "李桂兰";
const NOW: &str = "2026-03-05T10:00:00+08:00";

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_hotline")
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Files under `dir` holding `needle` as UTF-8 or UTF-16 (little-endian, as Chromium's
/// stores keep some text).
fn holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let utf8 = needle.as_bytes().to_vec();
    let utf16: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    files(dir)
        .into_iter()
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap_or_default();
            [&utf8, &utf16]
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
        })
        .collect()
}

#[test]
fn a_citizen_walks_the_kiosk_and_leaves_nothing_readable() {
    assert!(
        browser::chromium().is_some(),
        "Debian's chromium is not installed (/usr/bin/chromium): run scripts/test-all once"
    );
    let script_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run scripts/test-all once (npm ci in tests/browser)"
    );

    let t = Terminal::new(exe()).at(NOW).with_city();
    t.enrol("kiosk", "kiosk", None, "kiosk-hall-1");
    t.enrol("staff", "staff", Some("unit-public-security"), "staff-ps");
    t.ok(&[
        "kb",
        "publish",
        "--store",
        "staff",
        "--id",
        "kb-residence-permit",
        "--title",
        "居住证办理",
        "--answer",
        "在本市居住满半年，有合法稳定就业、住所或连续就读的，可以到居住地派出所申领居住证。",
        "--materials",
        "身份证、居住登记凭证、近期免冠照片",
        "--place",
        "居住地派出所户籍窗口",
        "--time-limit",
        "15个工作日",
    ]);
    let mut hub = t.serve_hub(&t.path("city"));
    t.ok(&["sync", "--store", "staff", "--hub", &hub.url]);
    t.ok(&["sync", "--store", "kiosk", "--hub", &hub.url]);
    assert_eq!(
        t.ok(&["kb", "list", "--store", "kiosk"])["items"][0]["id"],
        "kb-residence-permit"
    );
    // An earlier report of the same matter at this hall's kiosk.
    let earlier = t.ok(&[
        "intake",
        "--store",
        "kiosk",
        "--kind",
        "complaint",
        "--division",
        "410902001",
        "--text",
        "胜利路与建设街路口的路灯全都不亮，晚上一片漆黑",
        "--address",
        "胜利路建设街路口",
    ]);

    let mut kiosk = t
        .command(&[
            "kiosk",
            "serve",
            "--store",
            "kiosk",
            "--listen",
            "127.0.0.1:0",
            "--hub",
            &hub.url,
            "--idle-seconds",
            "4",
            "--division",
            "410902001",
            "--hall-zh",
            "古城街道便民服务中心",
            "--hall-en",
            "Gucheng Street Service Centre",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(kiosk.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.split_whitespace().last().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");

    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kiosk-e2e");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let profile = t.path("chromium-profile");
    let out = Command::new("node")
        .arg("kiosk_e2e.mjs")
        .current_dir(&script_dir)
        .env("KIOSK_URL", &url)
        .env("PROFILE_DIR", &profile)
        .env("SHOT_DIR", &shots)
        .env(
            "PHOTO",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/street-lamp.jpg"),
        )
        .env("PHONE", PHONE)
        .env("NAME", NAME)
        .env(
            "TEXT",
            "建设街胜利路路口的路灯坏了好几天，晚上一片漆黑看不见路",
        )
        .env("ADDRESS", "胜利路建设街路口")
        .env("KB_QUERY", "怎么办居住证")
        .env("IDLE_SECONDS", "4")
        .env("EXPECT_DUPLICATE", "1")
        .output()
        .unwrap();
    let _ = kiosk.kill();
    let _ = kiosk.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser walk failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap();

    // Nothing readable left, looked at as the killed server left it (its WAL not yet folded
    // in): the phone number is in no file of the store (database, WAL, photos, keys) nor of
    // the browser's profile; the name neither.
    for needle in [PHONE, NAME] {
        assert_eq!(
            holding(&t.path("kiosk"), needle),
            Vec::<PathBuf>::new(),
            "{needle}"
        );
        assert_eq!(holding(&profile, needle), Vec::<PathBuf>::new(), "{needle}");
    }
    assert!(
        files(&t.path("kiosk"))
            .iter()
            .any(|p| p.to_string_lossy().ends_with("-wal"))
    );
    // The search does find what is stored readable (the place of the matter is not personal).
    assert!(!holding(&t.path("kiosk"), "胜利路建设街路口").is_empty());
    assert!(!files(&profile).is_empty(), "the profile folder was used");

    // The receipts the screen showed are the store's.
    let answered = result["answered_receipt"].as_str().unwrap();
    assert_eq!(
        t.ok(&["status", "--store", "kiosk", answered])["status"],
        "answered_instantly"
    );
    let receipt = result["receipt"].as_str().unwrap();
    let submitted = t.ok(&["status", "--store", "kiosk", receipt]);
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(result["joined"], true);
    let orders = t.ok(&["orders", "--store", "kiosk"]);
    let plain = |r: &str| r.replace('-', "");
    let joined = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|o| plain(o["receipt"].as_str().unwrap()) == plain(receipt))
        .unwrap_or_else(|| panic!("receipt {receipt} not among {orders}"))["order"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = t.ok(&["show", "--store", "kiosk", &joined]);
    assert_eq!(
        shown["state"]["details"]["intake_match"]["order"],
        earlier["order"]
    );
    assert_eq!(
        shown["state"]["details"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The lookup went to the hub; the kiosk had not synced the new order yet, so the hub
    // either knows it (a background sync ran) or says the code is unknown — never offline.
    assert_eq!(result["lookup_offline"], false, "{result}");
    assert!(result["idle_wiped"].as_bool().unwrap());
    for step in [
        "start",
        "describe",
        "answered",
        "photos",
        "duplicates",
        "receipt",
        "idle",
    ] {
        assert!(
            shots.join(format!("{step}.png")).is_file(),
            "no screenshot of {step}"
        );
    }

    hub.kill();
}
