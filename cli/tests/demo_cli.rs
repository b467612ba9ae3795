//! `hotline demo`, the main job: the day ends with the complaint closed after a reopen and
//! on-site supervision, the 110 matter not accepted, every holder of an order agreeing on its
//! state, and every device's store verifying.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::process::Command;

#[test]
fn the_demo_day_ends_closed_consistent_and_verified() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("city");
    let out = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["demo", "--json", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let orders = v["orders"].as_array().unwrap();
    let complaint = &orders[0];
    assert_eq!(complaint["status"], "closed");
    assert_eq!(
        complaint["ratings"],
        serde_json::json!(["dissatisfied", "satisfied"])
    );
    assert_eq!(complaint["reopens"], 1);
    assert_eq!(complaint["site_supervision_forms"], 1);
    assert_eq!(complaint["identical_on_every_holder"], true);
    // Staff of the other unit never received it; the village device did, by bundle.
    let holders: Vec<&str> = complaint["held_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert!(!holders.contains(&"zhao-lei"), "{holders:?}");
    assert!(holders.contains(&"li-zhuang-grid"), "{holders:?}");
    // Every step of the history was applied, none refused.
    let history = complaint["history"].as_array().unwrap();
    assert!(history.len() >= 18);
    assert!(history.iter().all(|h| h["outcome"] == "applied"));
    assert_eq!(orders[1]["status"], "not_accepted");
    for d in v["verify"].as_array().unwrap() {
        assert_eq!(d["problems"], 0, "{d}");
    }
    // The folder is left to inspect, and a rerun replaces it.
    assert!(dir.join("hub").join("store").join("hotline.db").exists());
    let again = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["demo", "--json", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(again.status.success());
    // A folder that is not a demo's is never removed.
    let foreign = tmp.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), b"mine").unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["demo", "--json", "--dir"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(foreign.join("keep.txt").exists());
}
