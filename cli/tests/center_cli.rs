//! The center's half of the loop from the command line: the month's assessment read at the hub
//! and recomputed on a device from an exported bundle gives identical figures; the HTML report
//! and the on-site forms render in headless Chromium with their charts drawn; the desk, the
//! warnings and the center service's automatic supervision work through a running hub.

use hotline_testkit::browser;
use hotline_testkit::cli::Terminal;
use serde_json::Value;

const NOW: &str = "2026-04-02T09:00:00+08:00";

/// The demo's city (a day in March 2026), and an auditor's device holding nothing yet.
fn demo_city() -> Terminal {
    let t = Terminal::new(env!("CARGO_BIN_EXE_hotline")).at(NOW);
    t.ok(&[
        "demo",
        "--dir",
        "demo",
        "--now",
        "2026-03-02T08:00:00+08:00",
    ]);
    t.ok(&[
        "hub",
        "enroll",
        "--data",
        "demo/hub",
        "--role",
        "auditor",
        "--person",
        "audit-1",
        "--out",
        "audit.json",
    ]);
    t.ok(&[
        "device",
        "init",
        "--store",
        "audit",
        "--credential",
        "audit.json",
    ]);
    t
}

#[test]
fn the_month_at_the_hub_and_recomputed_from_a_bundle_are_identical() {
    let t = demo_city();
    let node = t.ok(&["device", "list", "--store", "audit"])["node_id"]
        .as_str()
        .unwrap()
        .to_string();
    t.ok(&[
        "bundle",
        "export",
        "--store",
        "demo/devices/li-min",
        "--for",
        &node,
        "--out",
        "month.bundle",
    ]);
    t.ok(&["bundle", "import", "--store", "audit", "month.bundle"]);
    for method in ["puyang", "linshu", "rates"] {
        let at_hub = t.ok(&[
            "report", "--data", "demo/hub", "--month", "2026-03", "--method", method,
        ]);
        let on_device = t.ok(&[
            "report", "--store", "audit", "--month", "2026-03", "--method", method,
        ]);
        assert_eq!(at_hub["units"], on_device["units"], "{method}");
        assert_eq!(at_hub["trend"], on_device["trend"], "{method}");
        assert_eq!(at_hub["orders_read"], on_device["orders_read"]);
        assert!(
            at_hub["units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["unit"] == "gucheng-street")
        );
    }
    // The demo's complaint: dispatched in March to gucheng-street, a return denied (−0.5 on
    // handling) and one on-site supervision (−0.5), reopened once, closed satisfied.
    let linshu = t.ok(&[
        "report", "--data", "demo/hub", "--month", "2026-03", "--method", "linshu",
    ]);
    let unit = linshu["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "gucheng-street")
        .unwrap();
    let points = |key: &str| -> Value {
        unit["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .unwrap()["points"]
            .clone()
    };
    assert_eq!(points("response_handling"), 4.5);
    assert_eq!(points("supervision"), 4.5);
    assert_eq!(points("reopen_satisfaction"), 20.0);
    // Puyang without the center's inputs: what hotline does not hold is missing, not zero.
    let puyang = t.ok(&[
        "report", "--data", "demo/hub", "--month", "2026-03", "--method", "puyang",
    ]);
    let u = puyang["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "gucheng-street")
        .unwrap();
    assert_eq!(u["total"], Value::Null);
    assert!(u["missing"].to_string().contains("phone checks"));
    // CSV for a spreadsheet.
    let csv = t.text(&[
        "report", "--data", "demo/hub", "--month", "2026-03", "--method", "rates", "--csv",
    ]);
    assert!(
        csv.starts_with("rank,unit,name,class,volume,effective_connection"),
        "{csv}"
    );
    assert!(csv.lines().last().unwrap().starts_with(",city,"), "{csv}");
    // Linshu's weekly special report of the demo's week (ISO week 10).
    let week = t.ok(&["report", "--data", "demo/hub", "--week", "2026-W10"]);
    assert_eq!(week["reopened_3_or_more"], serde_json::json!([]));
    // A typo in the period is a typed refusal.
    assert_eq!(
        t.fails(&["report", "--data", "demo/hub", "--month", "2026-13"]),
        "bad_period"
    );
    assert_eq!(
        t.fails(&[
            "report", "--data", "demo/hub", "--month", "2026-03", "--method", "best"
        ]),
        "bad_input"
    );
}

#[test]
fn the_reports_render_in_chromium_with_their_charts_drawn() {
    let Some(_) = browser::chromium() else {
        // test-all installs Debian's chromium; a machine without it cannot run this test.
        panic!("Debian's chromium is not installed (/usr/bin/chromium): run scripts/test-all once");
    };
    let t = demo_city();
    let inputs = t.path("inputs.toml");
    std::fs::write(
        &inputs,
        "[units.\"gucheng-street\"]\nname = \"古城路街道\"\nclass = \"town\"\n\
         [months.\"2026-03\".\"gucheng-street\"]\nkb_days_late = 1\nunanswered_phone_checks = 2\n",
    )
    .unwrap();
    let html = t.path("report.html");
    t.ok(&[
        "report",
        "--data",
        "demo/hub",
        "--month",
        "2026-03",
        "--method",
        "puyang",
        "--inputs",
        inputs.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "one self-contained file"
    );
    let shown = browser::render(&html, &t.path("browser")).unwrap();
    for text in [
        "12345 热线承办单位考核 2026-03",
        "单位排名",
        "Unit ranking",
        "古城路街道",
        "月度趋势",
        "约谈名单",
    ] {
        assert!(shown.dom.contains(text), "{text} missing from the page");
    }
    // Ranking, the indicators' small multiples and the trend: all drawn, each with marks.
    assert!(
        shown.dom.contains("data-charts-drawn=\"3\""),
        "charts did not draw"
    );
    for chart in ["ranking", "indicators", "trend"] {
        let at = shown
            .dom
            .find(&format!("data-chart=\"{chart}\""))
            .unwrap_or_else(|| panic!("no {chart}"));
        let tag: String = shown.dom[at..].chars().take(200).collect();
        assert!(
            tag.contains("data-drawn=\"") && !tag.contains("data-drawn=\"0\""),
            "{chart}: {tag}"
        );
    }
    assert!(std::fs::metadata(&shown.screenshot).unwrap().len() > 5_000);

    // The month's on-site forms of the unit: the form ties to the signed change at the hub.
    let forms = t.path("forms.html");
    let out = t.ok(&[
        "report",
        "--data",
        "demo/hub",
        "--month",
        "2026-03",
        "--site-forms",
        "--unit",
        "gucheng-street",
        "--html",
        forms.to_str().unwrap(),
    ]);
    assert_eq!(out["forms"], 1);
    let shown = browser::render(&forms, &t.path("browser")).unwrap();
    assert!(shown.dom.contains("现场督办情况表"));
    assert!(shown.dom.contains("古城路与人民路交叉口工地"));
    let order = t.ok(&["orders", "--store", "demo/devices/li-min", "--all"]);
    let order_id = order
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "complaint")
        .unwrap()["order"]
        .as_str()
        .unwrap()
        .to_string();
    let view = t.ok(&["show", "--store", "demo/devices/li-min", &order_id]);
    let form_event = view["state"]["site_supervisions"][0]["event"]
        .as_str()
        .unwrap();
    assert!(
        shown.dom.contains(form_event),
        "the page names the signed event"
    );
    assert!(shown.dom.contains("sun-wei"), "the signer");
    assert!(std::fs::metadata(&shown.screenshot).unwrap().len() > 5_000);
    // Never over an existing file.
    assert_eq!(
        t.fails(&[
            "report",
            "--data",
            "demo/hub",
            "--month",
            "2026-03",
            "--html",
            html.to_str().unwrap()
        ]),
        "file_exists"
    );
}

#[test]
fn the_desk_the_warnings_and_the_center_service_through_a_running_hub() {
    // The hub runs on 30 March (its clock refuses changes from its future); the order was
    // taken on 2 March. Turpan: a complaint has 15 working days, so it is overdue by then.
    let early = "2026-03-02T09:00:00+08:00";
    let late = "2026-03-30T09:00:00+08:00";
    let t = Terminal::new(env!("CARGO_BIN_EXE_hotline"))
        .at(early)
        .with_city()
        .at(late);
    t.enrol_at(Some(early), "kiosk", "kiosk", None, "kiosk-01");
    t.enrol_at(Some(early), "desk", "dispatcher", None, "desk-01");
    t.enrol_at(
        Some(early),
        "svc",
        "center_service",
        None,
        "center-service-01",
    );
    let hub = t.serve_hub(&t.path("city"));
    let sub = t.ok(&[
        "intake",
        "--store",
        "kiosk",
        "--kind",
        "complaint",
        "--text",
        "幸福路口红绿灯坏了三天，晚上很危险",
        "--address",
        "幸福路与建设路口",
        "--now",
        early,
    ]);
    let order = sub["order"].as_str().unwrap().to_string();
    t.ok(&["sync", "--store", "kiosk", "--hub", &hub.url]);
    t.ok(&["sync", "--store", "desk", "--hub", &hub.url]);
    t.ok(&["act", "--store", "desk", &order, "register", "--now", early]);
    let desk = t.ok(&["desk", "--store", "desk", "--now", early]);
    let queues: Vec<&str> = desk["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["queue"].as_str().unwrap())
        .collect();
    assert_eq!(queues, ["to_dispatch"]);
    t.ok(&[
        "act", "--store", "desk", &order, "dispatch", "--lead", "unit-a", "--now", early,
    ]);
    t.ok(&["sync", "--store", "desk", "--hub", &hub.url]);

    assert!(
        t.ok(&["warnings", "--store", "desk", "--now", early])["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["rule"] != "overdue")
    );
    let warnings = t.ok(&["warnings", "--store", "desk"]);
    let overdue: Vec<&Value> = warnings["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["rule"] == "overdue")
        .collect();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["grade"], "warning");
    t.ok(&["sync", "--store", "svc", "--hub", &hub.url]);
    let first = t.ok(&["center", "supervise", "--store", "svc"]);
    assert_eq!(
        first["recorded"],
        serde_json::json!([{"order": order, "trigger": "overdue"}])
    );
    let again = t.ok(&["center", "supervise", "--store", "svc"]);
    assert_eq!(again["recorded"], serde_json::json!([]));
    t.ok(&["sync", "--store", "svc", "--hub", &hub.url]);
    t.ok(&["sync", "--store", "desk", "--hub", &hub.url]);
    let view = t.ok(&["show", "--store", "desk", &order]);
    let sup = &view["state"]["supervisions"][0];
    assert_eq!(sup["trigger"], "overdue", "{view}");
    assert_eq!(sup["by"]["role"], "center_service");
    // The dispatcher's desk now lists it under supervision.
    let desk = t.ok(&["desk", "--store", "desk"]);
    assert!(
        desk["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["queue"] == "supervision" && e["order"] == order)
    );
    // The service may do nothing but that.
    assert_eq!(
        t.fails(&["act", "--store", "svc", &order, "register"]),
        "wrong_role"
    );
}
