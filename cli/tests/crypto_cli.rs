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
    let contact = t.ok(&[
        "contact",
        order,
        "--purpose",
        "回访 callback",
        "--store",
        "desk",
        "--as",
        "disp-01",
    ]);
    assert_eq!(contact["phone"], "13912345678");
    let verified = t.ok(&["verify", "--store", "desk"]);
    assert_eq!(verified["ok"], true, "{verified}");
}

/// Moving a city from ed25519 to the national suite, as ARCHITECTURE.md ("Crypto suites")
/// describes it: a new authority of the SM suite, every person enrolled again on it into a new
/// store, new requests taken there while the old city's open orders are finished in the old
/// one (a run-off), then the old city archived — still verifiable on its own root. The two
/// cities never mix: an old credential, an old phone at the new hub and an old bundle are all
/// refused by the new city.
#[test]
fn moving_a_city_to_the_sm_suite_is_a_re_enrolment_with_a_run_off() {
    let t = Terminal::new(env!("CARGO_BIN_EXE_hotline")).at(NOW);
    // The city as it runs today: ed25519, an order still open at its desk.
    t.ok(&["hub", "init", "--data", "city"]);
    t.enrol("desk", "kiosk", None, "kiosk-01");
    t.enrol("desk", "dispatcher", None, "disp-01");
    let intake = |store: &str, text: &str| {
        t.ok(&[
            "intake",
            "--store",
            store,
            "--as",
            "kiosk-01",
            "--kind",
            "complaint",
            "--text",
            text,
            "--address",
            "古城路 8 号",
            "--division",
            "410902",
            "--phone",
            "13912345678",
        ])["order"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let old_order = intake("desk", "夜间施工噪音扰民");

    // 1. The new authority, of the SM suite, beside the old one.
    let new_city = t.ok(&["hub", "init", "--data", "city-sm", "--crypto", "sm"]);
    assert_eq!(new_city["crypto"], "sm");
    // 2. Everyone enrolled again: new keys (SM2), new certificates, a new store on each device.
    for (role, person) in [("kiosk", "kiosk-01"), ("dispatcher", "disp-01")] {
        let out = format!("{person}-sm.json");
        t.ok(&[
            "hub", "enroll", "--data", "city-sm", "--role", role, "--person", person, "--out", &out,
        ]);
        t.ok(&["device", "init", "--store", "desk-sm", "--credential", &out]);
    }
    // An old credential has no place in the new city's store.
    let refused = t.fails(&[
        "device",
        "init",
        "--store",
        "desk-sm",
        "--credential",
        "kiosk-01.json",
    ]);
    assert_eq!(refused, "device_other_city");
    // 3. New requests go to the new city, signed with SM2.
    let new_order = intake("desk-sm", "小区路灯不亮");
    let shown = t.ok(&["show", "--store", "desk-sm", &new_order]);
    assert_eq!(shown["state"]["status"], "submitted", "{shown}");

    // 4. The run-off: the old order is finished in the old city, with the old keys.
    t.ok(&[
        "act", &old_order, "register", "--store", "desk", "--as", "disp-01",
    ]);
    assert_eq!(
        t.fails(&["show", "--store", "desk-sm", &old_order]),
        "unknown_order"
    );

    // The cities never mix: an old phone pointed at the new hub, an old bundle carried over.
    let hub = t.serve_hub(&t.path("city-sm"));
    let old_at_new_hub = t.fails(&[
        "sync", "--store", "desk", "--as", "disp-01", "--hub", &hub.url,
    ]);
    // The new hub knows no certificate of the old city.
    assert_eq!(old_at_new_hub, "unknown_certificate");
    let new_node = t.ok(&["device", "list", "--store", "desk-sm"])["node_id"]
        .as_str()
        .unwrap()
        .to_string();
    t.ok(&[
        "bundle",
        "export",
        "--store",
        "desk",
        "--for",
        &new_node,
        "--out",
        "old.bundle",
    ]);
    // The bundle's certificates were issued by another root: its changes are refused.
    let carried = t.ok(&["bundle", "import", "old.bundle", "--store", "desk-sm"]);
    assert_eq!(
        (carried["changes"].as_u64(), carried["applied"].as_u64()),
        (Some(2), Some(0))
    );
    let codes: Vec<&str> = carried["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["unknown_certificate", "unknown_certificate"],
        "{carried}"
    );
    assert_eq!(
        t.fails(&["show", "--store", "desk-sm", &old_order]),
        "unknown_order"
    );
    // The new city's own phone syncs with its hub as any would.
    let up = t.ok(&[
        "sync", "--store", "desk-sm", "--as", "disp-01", "--hub", &hub.url,
    ]);
    assert_eq!(up["pushed"].as_u64(), Some(1), "{up}");

    // 5. Archived: the old store still verifies whole against its own root, and so does the new.
    for store in ["desk", "desk-sm"] {
        let verified = t.ok(&["verify", "--store", store]);
        assert_eq!(verified["ok"], true, "{store}: {verified}");
    }
}
