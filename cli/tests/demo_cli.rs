//! `hotline demo`, the main job: the day ends with the complaint closed after a reopen and
//! on-site supervision, the 110 matter not accepted, every holder of an order agreeing on its
//! state, and every device's store verifying.

use hotline_testkit::cli::Terminal;

#[test]
fn the_demo_day_ends_closed_consistent_and_verified() {
    let terminal = Terminal::new(env!("CARGO_BIN_EXE_hotline"));
    let dir = terminal.path("city");
    let v = terminal.ok(&["demo", "--dir", "city"]);
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
    // The center's month: the Linshu assessment and the unit's on-site forms as HTML pages.
    let center = &v["center"];
    assert_eq!(center["site_forms"], 1);
    assert_eq!(center["units"][0]["unit"], "gucheng-street");
    assert_eq!(center["units"][0]["rank"], 1);
    for page in ["assessment_html", "site_forms_html"] {
        let path = terminal.path(center[page].as_str().unwrap());
        assert!(path.starts_with(&dir), "{path:?}");
        let html = std::fs::read_to_string(&path).unwrap();
        assert!(html.contains("gucheng-street"), "{page}");
    }
    // The folder is left to inspect, and a rerun replaces it.
    assert!(dir.join("hub").join("store").join("hotline.db").exists());
    terminal.ok(&["demo", "--dir", "city"]);
    // A folder that is not a demo's is never removed.
    let foreign = terminal.path("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), b"mine").unwrap();
    assert_eq!(
        terminal.fails(&["demo", "--dir", "mine"]),
        "demo_dir_in_use"
    );
    assert!(foreign.join("keep.txt").exists());
}
