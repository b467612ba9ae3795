//! `hotline kb` and the intake's knowledge-base and duplicate flags from the terminal: publish,
//! update, search, list, show, the update duty, an instant answer, the duplicate offer — and
//! the kiosk app refusing to listen beyond loopback.

use hotline_testkit::cli::Terminal;

const NOW: &str = "2026-03-02T09:00:00+08:00";

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_hotline")
}

#[test]
fn a_unit_keeps_its_items_and_the_desk_answers_from_them() {
    let t = Terminal::new(exe()).at(NOW).with_city();
    t.enrol("town", "staff", Some("town-a"), "staff-a1");
    t.enrol("desk", "intake", None, "intake-01");
    let item = t.ok(&[
        "kb",
        "publish",
        "--store",
        "town",
        "--id",
        "kb-min-living",
        "--title",
        "最低生活保障申请",
        "--answer",
        "家庭人均收入低于当地低保标准的，可向户籍所在地乡镇（街道）申请。",
        "--materials",
        "身份证、户口簿、收入证明",
        "--valid-from",
        "2026-01-01",
    ]);
    assert_eq!(
        (item["id"].as_str(), item["version"].as_u64()),
        (Some("kb-min-living"), Some(1))
    );
    // Another unit's item, or a bad date, is a typed error.
    assert_eq!(
        t.fails(&[
            "kb", "publish", "--store", "town", "--id", "kb-x", "--unit", "town-b", "--title", "x",
            "--answer", "y"
        ]),
        "kb_not_permitted"
    );
    assert_eq!(
        t.fails(&[
            "kb",
            "publish",
            "--store",
            "town",
            "--id",
            "kb-y",
            "--title",
            "x",
            "--answer",
            "y",
            "--valid-until",
            "3月"
        ]),
        "bad_time"
    );
    let updated = t.ok(&[
        "kb",
        "update",
        "kb-min-living",
        "--store",
        "town",
        "--answer",
        "2026年城市低保标准为每人每月780元，向户籍所在地乡镇（街道）申请。",
        "--policy-date",
        "2026-03-01",
    ]);
    assert_eq!(updated["version"], 2);
    assert_eq!(
        updated["fields"]["materials"], "身份证、户口簿、收入证明",
        "fields not given are kept"
    );
    assert_eq!(
        t.fails(&[
            "kb",
            "update",
            "kb-min-living",
            "--store",
            "town",
            "--expect-version",
            "1",
            "--title",
            "x"
        ]),
        "kb_version_stale"
    );
    assert_eq!(
        t.fails(&["kb", "show", "kb-nothing", "--store", "town"]),
        "kb_item_unknown"
    );
    // Publishing an id already held would drop the fields not given: that is an update.
    assert_eq!(
        t.fails(&[
            "kb",
            "publish",
            "--store",
            "town",
            "--id",
            "kb-min-living",
            "--title",
            "x",
            "--answer",
            "y",
        ]),
        "kb_version_stale"
    );

    // Through the hub to the intake desk, which answers an inquiry from it.
    let hub = t.serve_hub(&t.path("city"));
    t.ok(&["sync", "--store", "town", "--hub", &hub.url]);
    t.ok(&["sync", "--store", "desk", "--hub", &hub.url]);
    let found = t.ok(&["kb", "search", "低保怎么申请", "--store", "desk"]);
    assert_eq!(found["hits"][0]["item"]["id"], "kb-min-living");
    assert_eq!(found["hits"][0]["item"]["version"], 2);
    assert_eq!(
        t.ok(&["kb", "list", "--store", "desk"])["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        t.text(&["kb", "show", "kb-min-living", "--store", "desk"])
            .contains("所需材料")
    );
    let answered = t.ok(&[
        "intake",
        "--store",
        "desk",
        "--kind",
        "inquiry",
        "--text",
        "低保怎么申请",
        "--address",
        "电话",
        "--channel",
        "phone",
        "--answer-from",
        "kb-min-living",
        "--kb-version",
        "2",
    ]);
    assert_eq!(answered["status"], "answered_instantly");
    assert_eq!(
        t.fails(&[
            "intake",
            "--store",
            "desk",
            "--kind",
            "inquiry",
            "--text",
            "低保",
            "--address",
            "电话",
            "--answer-from",
            "kb-min-living",
            "--kb-version",
            "5",
        ]),
        "kb_item_unknown"
    );

    // The update duty: the policy changed on 1 March, published on the 2nd — on time.
    let duty = t.ok(&["kb", "duty", "--store", "desk", "--month", "2026-03"]);
    assert_eq!(duty["duties"][0]["days_late"], 0);
    t.ok(&[
        "kb",
        "policy-changed",
        "kb-min-living",
        "--on",
        "2026-03-02",
        "--store",
        "desk",
    ]);
    let late = t.ok(&[
        "kb",
        "duty",
        "--store",
        "desk",
        "--now",
        "2026-03-20T09:00:00+08:00",
    ]);
    // Due 9 March (a week after the 2nd); on the 20th, 11 days late and still owed.
    assert_eq!(late["duties"][0]["days_late"], 11, "{late}");
    assert_eq!(late["days_late_by_unit"]["town-a"], 11);
}

#[test]
fn the_intake_offers_the_same_matter_before_opening_an_order() {
    let t = Terminal::new(exe()).at(NOW).with_city();
    t.enrol("desk", "intake", None, "intake-01");
    let intake = |text: &str, extra: &[&str]| {
        let mut args = vec![
            "intake",
            "--store",
            "desk",
            "--kind",
            "complaint",
            "--division",
            "410902001",
            "--address",
            "阳光小区3号楼",
            "--text",
            text,
        ];
        args.extend(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run_ok = |a: Vec<String>| t.ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let run_fails = |a: Vec<String>| t.fails(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let first = run_ok(intake(
        "阳光小区3号楼从昨天早上开始停水，到现在还没来水",
        &[],
    ));
    let order = first["order"].as_str().unwrap().to_string();
    let again = "阳光小区3号楼停水一天多了，做饭洗澡都没有水";
    assert_eq!(run_fails(intake(again, &[])), "intake_match_found");
    let joined = run_ok(intake(again, &["--join", &order]));
    assert_eq!(joined["status"], "submitted");
    let shown = t.ok(&["show", joined["order"].as_str().unwrap(), "--store", "desk"]);
    assert_eq!(
        shown["state"]["details"]["intake_match"]["order"],
        order.as_str()
    );
    // A different matter at the same place goes straight in; --new overrides the offer.
    run_ok(intake(
        "阳光小区3号楼电梯坏了一个星期，老人上下楼很不方便",
        &[],
    ));
    run_ok(intake(again, &["--new"]));
    assert_eq!(
        run_fails(intake("阳光小区3号楼电梯又坏了", &["--join", &order])),
        "intake_match_not_offered"
    );
}

#[test]
fn the_kiosk_app_listens_on_loopback_only() {
    let t = Terminal::new(exe()).at(NOW).with_city();
    t.enrol("kiosk", "kiosk", None, "kiosk-01");
    assert_eq!(
        t.fails(&[
            "kiosk",
            "serve",
            "--store",
            "kiosk",
            "--listen",
            "0.0.0.0:8790"
        ]),
        "kiosk_not_loopback"
    );
}
