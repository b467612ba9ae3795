//! The city platform's side from the terminal and over a real hub process: keys issued,
//! listed and revoked with `hotline hub api-key`; a contact opened with a stated purpose on a
//! desk is on record at the hub after its sync, and `hotline audit` shows it — and a deleted
//! entry as a gap, exiting 1; a WeChat front end's Open311 submission through its intake
//! service identity; a reader service's API read on record at once.

use hotline_testkit::cli::Terminal;
use serde_json::Value;

const NOW: &str = "2026-03-02T09:00:00+08:00";

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_hotline")
}

fn submit(t: &Terminal) -> String {
    let sub = t.ok(&[
        "intake",
        "--store",
        "desk",
        "--kind",
        "complaint",
        "--text",
        "小区门口积水严重",
        "--address",
        "古城路 8 号",
        "--division",
        "410902",
        "--gps",
        "35.76,115.03",
        "--name",
        "王秀英",
        "--phone",
        "13912345678",
        "--new",
    ]);
    sub["order"].as_str().unwrap().to_string()
}

#[test]
fn keys_the_access_log_and_open311_from_the_terminal() {
    let t = Terminal::new(exe()).at(NOW).with_city();
    let desk_cert = t.enrol("desk", "intake", None, "intake-01");
    let order = submit(&t);
    // A purpose is required; the opening is entered, signed, on this store.
    assert_eq!(
        t.fails(&["contact", &order, "--store", "desk", "--purpose", " "]),
        "access_purpose_required"
    );
    let c = t.ok(&[
        "contact",
        &order,
        "--store",
        "desk",
        "--purpose",
        "电话回访",
    ]);
    assert_eq!(c["phone"], "13912345678");
    let local = t.ok(&["audit", "--store", "desk"]);
    assert_eq!(local["entries"][0]["purpose"], "电话回访");
    assert_eq!(local["entries"][0]["person"], "intake-01");

    // Keys: one reading as the desk's certificate, an intake service, a reader service.
    let platform = t.ok(&[
        "hub",
        "api-key",
        "--data",
        "city",
        "--system",
        "市政务服务平台",
        "--cert",
        &desk_cert,
    ]);
    assert!(platform["token"].as_str().unwrap().starts_with("hl_"));
    let wechat = t.ok(&[
        "hub", "api-key", "--data", "city", "--system", "wechat", "--intake",
    ]);
    let callback = t.ok(&[
        "hub",
        "api-key",
        "--data",
        "city",
        "--system",
        "回访系统",
        "--reader",
    ]);
    assert_eq!(
        t.fails(&["hub", "api-key", "--data", "city", "--system", "x"]),
        "usage"
    );
    let listed = t.ok(&["hub", "api-key", "--data", "city", "--list"]);
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let authority = std::fs::read_to_string(t.path("city/authority.json")).unwrap();
    assert!(
        !authority.contains(platform["token"].as_str().unwrap()),
        "only the token's digest is kept"
    );

    let hub = t.serve_hub(&t.path("city"));
    t.ok(&["sync", "--store", "desk", "--hub", &hub.url]);
    let at_hub = t.ok(&["audit", "--data", "city", "--order", &order]);
    assert_eq!(at_hub["entries"].as_array().unwrap().len(), 1);
    assert_eq!(at_hub["entries"][0]["via"], "device");

    let client = reqwest::blocking::Client::new();
    // Open311: the front end submits; the request is public without the citizen.
    let created: Value = client
        .post(format!("{}/open311/v2/requests.json", hub.url))
        .form(&[
            ("api_key", wechat["token"].as_str().unwrap()),
            ("service_code", "01"),
            ("description", "路灯不亮"),
            ("address_string", "古城路 8 号"),
            ("phone", "13800000000"),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let public = client
        .get(format!("{}/open311/v2/requests/{id}.json", hub.url))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        public.contains(&id) && !public.contains("13800000000"),
        "{public}"
    );
    // The reader service opens the submitted request's contact: on record at once.
    let contact: Value = client
        .get(format!(
            "{}/api/v1/orders/{id}/contact?purpose=callback",
            hub.url
        ))
        .bearer_auth(callback["token"].as_str().unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(contact["phone"], "13800000000", "{contact}");
    let log = t.ok(&["audit", "--data", "city", "--person", "reader-回访系统"]);
    assert_eq!(log["entries"][0]["system"], "回访系统", "{log}");

    // Webhooks: set for an issued key (the secret shown once), listed, removed.
    let hook = t.ok(&[
        "hub",
        "webhook",
        "--data",
        "city",
        "--key",
        platform["id"].as_str().unwrap(),
        "--url",
        "http://127.0.0.1:9/hook",
    ]);
    assert!(hook["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(
        t.ok(&["hub", "webhook", "--data", "city", "--list"])[0]["url"],
        "http://127.0.0.1:9/hook"
    );
    assert_eq!(
        t.fails(&[
            "hub",
            "webhook",
            "--data",
            "city",
            "--key",
            "key-none",
            "--url",
            "http://x/"
        ]),
        "unknown_api_key"
    );
    assert_eq!(
        t.fails(&[
            "hub",
            "webhook",
            "--data",
            "city",
            "--key",
            platform["id"].as_str().unwrap(),
            "--url",
            "ftp://x/"
        ]),
        "bad_input"
    );
    let removed = t.ok(&[
        "hub",
        "webhook",
        "--data",
        "city",
        "--remove",
        platform["id"].as_str().unwrap(),
    ]);
    assert_eq!(removed["removed"], true);

    // A revoked key stops at once.
    let key_id = platform["id"].as_str().unwrap();
    t.ok(&["hub", "api-key", "--data", "city", "--revoke", key_id]);
    let refused: Value = client
        .get(format!("{}/api/v1/orders", hub.url))
        .bearer_auth(platform["token"].as_str().unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(refused["error"]["code"], "api_token_revoked");

    // Someone deletes an entry on the desk before its next sync: the hub's log shows a gap.
    for purpose in ["二次回访", "三次回访"] {
        t.ok(&["contact", &order, "--store", "desk", "--purpose", purpose]);
    }
    let db = t.path("desk").join("hotline.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(
        conn.execute("DELETE FROM access_log WHERE seq = 2", [])
            .unwrap(),
        1
    );
    drop(conn);
    t.ok(&["sync", "--store", "desk", "--hub", &hub.url]);
    // The report is printed, then the typed error, exit 1 (as `hotline verify` does).
    let out = t.run(&["audit", "--data", "city", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["problems"][0]["problem"], "gap", "{report}");
    assert_eq!(
        (
            report["problems"][0]["after"].as_u64(),
            report["problems"][0]["next"].as_u64()
        ),
        (Some(1), Some(3))
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("access_log_broken"));
    let out = t.run(&["audit", "--data", "city"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("缺失 gap"));
}
