//! `hotline category …`, `hotline catalogue …` and the workflow commands that use them, as a
//! city would: the authority checks and issues its file, a kiosk takes a categorised request
//! with its form's answers, the dispatcher dispatches from the catalogue (overriding with a
//! reason), amends it on a return, merges a repeat and splits a request about two matters.
use hotline_testkit::TEST_CATALOGUE;
use hotline_testkit::cli::Terminal;
use serde_json::Value;

const ENROLLED: &str = "2026-03-01T08:00:00+08:00";
const NOW: &str = "2026-03-02T09:00:00+08:00";

fn city() -> Terminal {
    let t = Terminal::new(env!("CARGO_BIN_EXE_hotline"));
    t.ok(&[
        "hub", "init", "--data", "city", "--preset", "turpan", "--now", ENROLLED,
    ]);
    std::fs::write(t.path("city.toml"), TEST_CATALOGUE).unwrap();
    let issued = t.ok(&[
        "catalogue",
        "issue",
        "city.toml",
        "--data",
        "city",
        "--now",
        ENROLLED,
    ]);
    assert_eq!(issued["version"], 2);
    // Enrolled after the issue: their credentials carry version 2.
    for (role, unit, person) in [
        ("staff", Some("unit-gucheng"), "staff-a"),
        ("staff", Some("unit-shengli"), "staff-b"),
        ("kiosk", None, "kiosk-01"),
        ("dispatcher", None, "disp-01"),
    ] {
        t.enrol_at(Some(ENROLLED), "township", role, unit, person);
    }
    t
}

/// The kiosk's intake of a help request at 410902001, with `extra` flags.
fn intake_args<'a>(text: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "intake",
        "--store",
        "township",
        "--as",
        "kiosk-01",
        "--kind",
        "help",
        "--text",
        text,
        "--address",
        "古城路 8 号",
        "--division",
        "410902001",
        "--now",
        NOW,
    ];
    args.extend(extra);
    args
}

fn intake(t: &Terminal, text: &str, extra: &[&str]) -> (String, String) {
    let v = t.ok(&intake_args(text, extra));
    (
        v["order"].as_str().unwrap().to_string(),
        v["receipt"].as_str().unwrap().to_string(),
    )
}

fn act(t: &Terminal, order: &str, action: &[&str]) -> Value {
    let mut args = vec!["act", order];
    args.extend(action);
    args.extend(["--store", "township", "--as", "disp-01", "--now", NOW]);
    t.ok(&args)
}

fn act_fails(t: &Terminal, order: &str, action: &[&str]) -> String {
    let mut args = vec!["act", order];
    args.extend(action);
    args.extend(["--store", "township", "--as", "disp-01", "--now", NOW]);
    t.fails(&args)
}

#[test]
fn a_bad_catalogue_file_is_a_typed_error() {
    let t = Terminal::new(env!("CARGO_BIN_EXE_hotline"));
    for (file, code) in [
        (
            "[[category]]\ncode = \"a\"\nparent = \"b\"\nname_zh = \"甲\"\nname_en = \"A\"\n",
            "category_unknown_parent",
        ),
        (
            "[[category]]\ncode = \"a\"\nname_zh = \"甲\"\nname_en = \"A\"\n\
             [[category.attribute]]\ncode = \"x\"\nname_zh = \"x\"\nname_en = \"x\"\ntype = \"colour\"\n",
            "attribute_unknown_type",
        ),
    ] {
        std::fs::write(t.path("bad.toml"), file).unwrap();
        assert_eq!(t.fails(&["category", "check", "bad.toml"]), code);
        assert_eq!(t.fails(&["catalogue", "check", "bad.toml"]), code);
    }
    std::fs::write(t.path("good.toml"), TEST_CATALOGUE).unwrap();
    let ok = t.ok(&["catalogue", "check", "good.toml"]);
    assert_eq!(
        (ok["categories"].as_u64(), ok["dispatch_entries"].as_u64()),
        (Some(5), Some(4))
    );
    // The tree and a form, read from the file.
    let list = t.text(&["category", "list", "--file", "good.toml"]);
    assert!(
        list.contains("020101  夜间施工 / Construction at night"),
        "{list}"
    );
    let form = t.ok(&["category", "show", "020101", "--file", "good.toml"]);
    assert_eq!(form["attributes"][0]["code"], "started_at");
    assert_eq!(form["functional"], true);
}

#[test]
fn the_catalogue_drives_intake_dispatch_merge_and_split_from_the_terminal() {
    let t = city();
    // The store holds the issued catalogue.
    let listed = t.ok(&["category", "list", "--store", "township"]);
    assert_eq!(listed["version"], 2);
    // A form answer of the wrong type is refused before anything is stored.
    let code = t.fails(&intake_args(
        "村务",
        &["--category", "0901", "--attr", "households=很多"],
    ));
    assert_eq!(code, "attribute_bad_value");
    let (order, _) = intake(
        &t,
        "村务公开栏不更新",
        &["--category", "0901", "--attr", "households=12"],
    );
    let shown = t.ok(&["show", &order, "--store", "township"]);
    assert_eq!(shown["state"]["details"]["category"]["code"], "0901");
    act(&t, &order, &["register"]);
    // Without --lead: the catalogue's unit. Another unit needs a reason.
    let proposal = t.ok(&[
        "catalogue",
        "show",
        "--category",
        "0901",
        "--division",
        "410902001",
        "--store",
        "township",
    ]);
    assert_eq!(proposal["proposal"]["lead"], "unit-gucheng");
    assert_eq!(
        act_fails(&t, &order, &["dispatch", "--lead", "unit-shengli"]),
        "dispatch_override_needs_reason"
    );
    let dispatched = act(&t, &order, &["dispatch"]);
    assert_eq!(dispatched["state"]["lead_unit"], "unit-gucheng");

    // 并单 and 拆单.
    let (first, _) = intake(&t, "路灯不亮", &[]);
    // The intake offers the first as the same matter; the citizen adds to it, and the
    // center merges the two.
    let offered = t.fails(&intake_args("路灯坏了", &[]));
    assert_eq!(offered, "intake_match_found");
    let (repeat, repeat_receipt) = intake(&t, "路灯坏了", &["--join", &first]);
    // Partly the night-work matter already dispatched: the agent takes it as new (to split).
    let (mixed, mixed_receipt) = intake(&t, "村务不公开，另外夜间施工", &["--new"]);
    act(&t, &first, &["register"]);
    act(
        &t,
        &repeat,
        &["merge", "--into", &first, "--note", "同一路灯"],
    );
    let st = t.ok(&["status", &repeat_receipt, "--store", "township"]);
    assert_eq!(
        (st["merged"].as_bool(), st["status"].as_str()),
        (Some(true), Some("registered"))
    );
    let parts = act(
        &t,
        &mixed,
        &[
            "split",
            "--part",
            "村务不公开",
            "--part",
            "夜间施工",
            "--part-category",
            "0901",
            "--part-category",
            "0201",
        ],
    );
    assert_eq!(parts.as_array().unwrap().len(), 2);
    let st = t.ok(&["status", &mixed_receipt, "--store", "township"]);
    assert_eq!(st["status"], "split");
    assert_eq!(st["parts"].as_array().unwrap().len(), 2);
}
