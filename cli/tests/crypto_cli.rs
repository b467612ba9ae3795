//! `hotline hub init --crypto`: a city of the national suite from the terminal — its root,
//! sealing key and every enrolled device are SM2, and an intake with contact details is read
//! back by the center desk; an unknown suite is a typed, bilingual refusal.

use hotline_testkit::cli::Terminal;

const NOW: &str = "2026-03-02T09:00:00+08:00";

#[test]
fn a_city_of_the_sm_suite_from_the_terminal() {
    let t = Terminal::new(env!("CARGO_BIN_EXE_hotline")).at(NOW);
    assert_eq!(
        t.fails(&["hub", "init", "--data", "city", "--crypto", "rsa"]),
        "bad_input"
    );
    assert!(!t.path("city/root.key").exists(), "nothing written");

    let city = t.ok(&["hub", "init", "--data", "city", "--crypto", "sm"]);
    assert_eq!(city["crypto"], "sm");
    assert!(city["root_public"].as_str().unwrap().starts_with("sm2:04"));
    assert!(
        city["platform_sealing_public"]
            .as_str()
            .unwrap()
            .starts_with("sm2:04")
    );
    let root_key = std::fs::read_to_string(t.path("city/root.key")).unwrap();
    assert!(root_key.starts_with("hotline-key v1 sm2\n"));

    t.enrol("desk", "kiosk", None, "kiosk-01");
    t.enrol("desk", "dispatcher", None, "disp-01");
    let credential: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path("disp-01.json")).unwrap()).unwrap();
    assert!(
        credential["certificate"]["body"]["device_key"]
            .as_str()
            .unwrap()
            .starts_with("sm2:04")
    );
    let order = t.ok(&[
        "intake",
        "--store",
        "desk",
        "--as",
        "kiosk-01",
        "--kind",
        "complaint",
        "--text",
        "夜间施工噪音扰民",
        "--address",
        "古城路 8 号",
        "--division",
        "410902",
        "--name",
        "王秀英",
        "--phone",
        "13912345678",
    ]);
    let order = order["order"].as_str().unwrap();
    let contact = t.ok(&["contact", order, "--store", "desk", "--as", "disp-01"]);
    assert_eq!(contact["phone"], "13912345678");
    let verified = t.ok(&["verify", "--store", "desk"]);
    assert_eq!(verified["ok"], true, "{verified}");
}
