//! `hotline hub serve`, `hotline sync` and `hotline bundle` as a city would use them: devices
//! sync through a running hub, a revoked phone is turned away with the reason, a village with no
//! network hands its records over on a USB stick.
use hotline_testkit::cli::Terminal;

const NOW: &str = "2026-03-02T09:00:00+08:00";

fn city() -> Terminal {
    Terminal::new(env!("CARGO_BIN_EXE_hotline"))
        .at(NOW)
        .with_city()
}

#[test]
fn devices_sync_through_a_running_hub() {
    let city = city();
    city.enrol("kiosk", "kiosk", None, "kiosk-01");
    city.enrol("desk", "dispatcher", None, "desk-01");
    let hub = city.serve_hub(&city.path("city"));
    std::fs::write(city.path("street.jpg"), b"\xff\xd8\xff\xe0 the street").unwrap();
    let sub = city.ok(&[
        "intake",
        "--store",
        "kiosk",
        "--kind",
        "complaint",
        "--text",
        "路灯不亮",
        "--address",
        "老城路 8 号",
        "--phone",
        "13912345678",
        "--photo",
        "street.jpg",
    ]);
    let order = sub["order"].as_str().unwrap();

    let up = city.ok(&["sync", "--store", "kiosk", "--hub", &hub.url]);
    assert_eq!(
        (up["pushed"].as_u64(), up["blobs_pushed"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(up["bytes_sent"].as_u64().unwrap() > 0);
    let down = city.ok(&["sync", "--store", "desk", "--hub", &hub.url]);
    assert_eq!(
        (down["pulled"].as_u64(), down["blobs_pulled"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(up["hub"], down["hub"]);
    let shown = city.ok(&["show", "--store", "desk", order]);
    assert_eq!(shown["state"]["status"], "submitted");

    // As text: progress on stderr, the summary on stdout.
    let out = city.run(&["sync", "--store", "desk", "--hub", &hub.url]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("sync done"), "{stdout}");
    assert!(stderr.contains("round 1"), "{stderr}");

    // Nothing listens there: a typed transport error, exit 1.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere = format!("http://127.0.0.1:{port}");
    assert_eq!(
        city.fails(&[
            "sync",
            "--store",
            "kiosk",
            "--hub",
            &nowhere,
            "--attempts",
            "1"
        ]),
        "sync_transport"
    );
    assert_eq!(
        city.fails(&["sync", "--store", "kiosk", "--hub", "hub.example"]),
        "bad_input"
    );
    drop(hub);
}

#[test]
fn a_phone_revoked_while_the_hub_runs_is_turned_away() {
    let city = city();
    let cert = city.enrol("phone", "staff", Some("unit-gucheng"), "staff-01");
    let hub = city.serve_hub(&city.path("city"));
    city.ok(&["sync", "--store", "phone", "--hub", &hub.url]);
    city.ok(&[
        "hub",
        "revoke",
        "--data",
        "city",
        "--cert",
        &cert,
        "--out",
        "revoked.json",
    ]);
    assert_eq!(
        city.fails(&["sync", "--store", "phone", "--hub", &hub.url]),
        "certificate_revoked"
    );
    let log = city.ok(&["hub", "refusals", "--data", "city"]);
    assert!(log["refusals"].as_array().unwrap().is_empty());
}

#[test]
fn a_village_hands_its_records_over_on_a_usb_stick() {
    let city = city();
    city.enrol("village", "kiosk", None, "village-01");
    city.enrol("township", "dispatcher", None, "township-01");
    let sub = city.ok(&[
        "intake",
        "--store",
        "village",
        "--kind",
        "help",
        "--text",
        "村道被雨水冲毁",
        "--address",
        "葡萄沟村 3 组",
    ]);
    let township = city.ok(&["device", "list", "--store", "township"]);
    let node = township["node_id"].as_str().unwrap();
    assert!(node.starts_with("node-"));

    let out = city.ok(&[
        "bundle",
        "export",
        "--store",
        "village",
        "--for",
        node,
        "--out",
        "stick.bundle",
    ]);
    assert_eq!(out["changes"].as_u64(), Some(1));
    let village = city.ok(&["device", "list", "--store", "village"]);
    assert_eq!(out["from"], village["node_id"]);
    assert_eq!(
        city.fails(&[
            "bundle",
            "export",
            "--store",
            "village",
            "--for",
            node,
            "--out",
            "stick.bundle",
        ]),
        "file_exists"
    );

    let got = city.ok(&["bundle", "import", "stick.bundle", "--store", "township"]);
    assert_eq!(got["applied"].as_u64(), Some(1));
    city.ok(&[
        "show",
        "--store",
        "township",
        sub["order"].as_str().unwrap(),
    ]);
    let again = city.ok(&["bundle", "import", "stick.bundle", "--store", "township"]);
    assert_eq!(
        (again["applied"].as_u64(), again["already_had"].as_u64()),
        (Some(0), Some(1))
    );

    // A damaged stick applies nothing.
    let mut bytes = std::fs::read(city.path("stick.bundle")).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(city.path("damaged.bundle"), &bytes).unwrap();
    assert_eq!(
        city.fails(&["bundle", "import", "damaged.bundle", "--store", "township"]),
        "bundle_damaged"
    );
}

#[test]
fn a_kiosk_asks_the_hub_for_a_receipts_current_status() {
    let city = city();
    city.enrol("kiosk", "kiosk", None, "kiosk-01");
    city.enrol("desk", "dispatcher", None, "desk-01");
    let hub = city.serve_hub(&city.path("city"));
    let sub = city.ok(&[
        "intake",
        "--store",
        "kiosk",
        "--kind",
        "help",
        "--text",
        "井盖缺失",
        "--address",
        "人民路 3 号",
        "--name",
        "李先生",
        "--phone",
        "13800001111",
    ]);
    let (order, receipt) = (
        sub["order"].as_str().unwrap().to_string(),
        sub["receipt"].as_str().unwrap().to_string(),
    );
    city.ok(&["sync", "--store", "kiosk", "--hub", &hub.url]);
    city.ok(&["sync", "--store", "desk", "--hub", &hub.url]);
    city.ok(&["act", &order, "register", "--store", "desk"]);
    city.ok(&["sync", "--store", "desk", "--hub", &hub.url]);
    city.ok(&["sync", "--store", "kiosk", "--hub", &hub.url]);

    // The kiosk received nothing back; its own record still says submitted.
    let local = city.ok(&["status", &receipt, "--store", "kiosk"]);
    assert_eq!(local["status"], "submitted");
    // The hub knows better, and says nothing personal.
    let live = city.ok(&[
        "status",
        &receipt.to_lowercase(),
        "--store",
        "kiosk",
        "--hub",
        &hub.url,
    ]);
    assert_eq!(live["status"], "registered");
    let text = live.to_string();
    assert!(!text.contains("李先生") && !text.contains("13800001111") && !text.contains("井盖"));
    // A well-formed code nobody was given.
    let mut other: Vec<char> = receipt.chars().filter(|c| *c != '-').collect();
    let swap = if other[0] == 'A' { 'B' } else { 'A' };
    other[0] = swap;
    let fixed = fix_check(&other);
    assert_eq!(
        city.fails(&["status", &fixed, "--store", "kiosk", "--hub", &hub.url]),
        "unknown_receipt"
    );
    assert_eq!(
        city.fails(&["status", "ABCD", "--store", "kiosk", "--hub", &hub.url]),
        "receipt_bad_length"
    );
}

/// The code with the check character that makes it valid again.
fn fix_check(code: &[char]) -> String {
    let body: String = code[..code.len() - 1].iter().collect();
    hotline_core::receipt::ALPHABET
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|candidate| hotline_core::receipt::parse(candidate).is_ok())
        .unwrap()
}
