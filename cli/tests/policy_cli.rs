//! `hotline policy …` as a user runs it.

use hotline_testkit::cli::Terminal;
use std::process::Output;

fn hotline(args: &[&str]) -> Output {
    Terminal::new(env!("CARGO_BIN_EXE_hotline")).run(args)
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn due_json_gives_the_turpan_deadlines_across_spring_festival() {
    let out = hotline(&[
        "policy",
        "due",
        "--preset",
        "turpan",
        "--kind",
        "complaint",
        "--from",
        "2026-02-13T10:00:00+08:00",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert_eq!(v["handling_due"], "2026-03-12T23:59:59+08:00");
    assert_eq!(v["sign_for_due"], "2026-02-13T22:00:00+08:00");
    assert_eq!(v["return_due"], "2026-02-14T06:00:00+08:00");
    // Reopen 3 WD from Fri 13 Feb: Sat 14, Tue 24, Wed 25.
    assert_eq!(v["reopen_due"], "2026-02-25T23:59:59+08:00");
    // Not an emergency: no first-response deadline.
    assert!(v.get("response_due").is_none());
}

#[test]
fn due_json_omits_limits_the_preset_lacks() {
    let out = hotline(&[
        "policy",
        "due",
        "--preset",
        "linshu",
        "--kind",
        "inquiry",
        "--from",
        "2026-09-30T17:00:00+08:00",
        "--json",
    ]);
    assert!(out.status.success());
    let v = json_of(&out);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["return_due"]);
    assert_eq!(v["return_due"], "2026-10-08T23:59:59+08:00");
}

#[test]
fn due_json_emergency_and_leader_approval() {
    let out = hotline(&[
        "policy",
        "due",
        "--preset",
        "turpan",
        "--kind",
        "help",
        "--emergency",
        "--from",
        "2026-09-30T21:00:00+08:00",
        "--json",
    ]);
    let v = json_of(&out);
    assert_eq!(v["response_due"], "2026-09-30T23:00:00+08:00");
    assert_eq!(v["handling_due"], "2026-10-09T23:59:59+08:00");
    let out = hotline(&[
        "policy",
        "due",
        "--preset",
        "puyang",
        "--kind",
        "投诉",
        "--leader-approval",
        "--from",
        "2026-09-24T09:00:00+08:00",
        "--json",
    ]);
    let v = json_of(&out);
    assert_eq!(v["handling_due"], "2026-10-15T23:59:59+08:00");
    let out = hotline(&[
        "policy",
        "due",
        "--preset",
        "puyang",
        "--kind",
        "complaint",
        "--emergency",
        "--from",
        "2026-02-16T22:00:00+08:00",
        "--json",
    ]);
    let v = json_of(&out);
    assert_eq!(v["handling_due"], "2026-02-17T06:00:00+08:00");
    // puyang-2020 §(四): an emergency is dispatched 立即 — one natural hour, across midnight
    // and the Spring Festival holiday alike; an ordinary matter has 1 working day.
    assert_eq!(v["dispatch_due"], "2026-02-16T23:00:00+08:00");
    let out = hotline(&[
        "policy",
        "due",
        "--preset",
        "puyang",
        "--kind",
        "complaint",
        "--from",
        "2026-03-02T09:00:00+08:00",
        "--json",
    ]);
    assert_eq!(json_of(&out)["dispatch_due"], "2026-03-03T23:59:59+08:00");
}

#[test]
fn show_gives_the_corrected_seed_rules() {
    // puyang-2020 §(四), §(六): emergencies dispatched at once and reported; no reopen cap.
    let out = hotline(&["policy", "show", "--preset", "puyang"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "突发转办 emergency dispatch: 1 小时 / 1 h",
        "重办次数 max reopens: 不限 / unlimited",
        "突发事项上报市政府值班室 emergencies reported to the duty office: true",
    ] {
        assert!(text.contains(line), "{line} missing from {text}");
    }
    let v = json_of(&hotline(&[
        "policy", "show", "--preset", "puyang", "--json",
    ]));
    assert_eq!(v["max_reopens"], serde_json::Value::Null);
    assert_eq!(v["limits"]["emergency_dispatch"]["hours"], 1);
    // turpan-2021 art. 17 (除突发类事项外) and art. 22 (重办一次).
    let v = json_of(&hotline(&[
        "policy", "show", "--preset", "turpan", "--json",
    ]));
    assert_eq!(v["emergencies_extendable"], false);
    assert_eq!(v["max_reopens"], 1);
    // turpan-2021 art. 21: the call service is rated apart.
    assert_eq!(v["procedures"]["separate_service_rating"], true);
    // linshu-2020 二(二): sign-off; a TOML policy turns procedures on in `[procedures]`.
    let out = hotline(&["policy", "show", "--preset", "linshu"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("主要负责人签批、分管负责人审核 leader sign-off: true"),
        "{text}"
    );
}

#[test]
fn errors_go_to_stderr_with_a_code_and_non_zero_exit() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "policy",
                "due",
                "--preset",
                "atlantis",
                "--kind",
                "help",
                "--from",
                "2026-02-13T10:00:00+08:00",
                "--json",
            ],
            "policy_unknown_preset",
        ),
        (
            &[
                "policy",
                "due",
                "--preset",
                "turpan",
                "--kind",
                "gossip",
                "--from",
                "2026-02-13T10:00:00+08:00",
                "--json",
            ],
            "unknown_kind",
        ),
        (
            &[
                "policy",
                "due",
                "--preset",
                "turpan",
                "--kind",
                "help",
                "--from",
                "yesterday",
                "--json",
            ],
            "bad_time",
        ),
        (
            &[
                "policy",
                "due",
                "--preset",
                "turpan",
                "--kind",
                "help",
                "--from",
                "2027-03-01T10:00:00+08:00",
                "--json",
            ],
            "calendar_unknown_date",
        ),
        (
            &["policy", "check", "/nonexistent/policy.toml", "--json"],
            "policy_unreadable",
        ),
    ];
    for (args, code) in cases {
        let out = hotline(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["code"], *code, "{args:?}");
    }
    // Without --json the error is bilingual text.
    let out = hotline(&["policy", "show", "--preset", "atlantis"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("错误") && text.contains("error [policy_unknown_preset]"),
        "{text}"
    );
}

#[test]
fn check_accepts_a_good_file_and_names_the_bad_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "id = \"c\"\nname_zh = \"某县\"\n[limits]\ncomplaint_report = { working_days = 10 }\n",
    )
    .unwrap();
    let out = hotline(&["policy", "check", good.to_str().unwrap(), "--json"]);
    assert!(out.status.success());
    assert_eq!(
        json_of(&out)["policy"]["limits"]["complaint_report"]["working_days"],
        10
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"c\"\nname_zh = \"某县\"\n[limits]\nreopen = { working_days = -1 }\n",
    )
    .unwrap();
    let out = hotline(&["policy", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limits.reopen"));
    // A custom file drives `due` too.
    let out = hotline(&[
        "policy",
        "due",
        "--policy",
        good.to_str().unwrap(),
        "--kind",
        "complaint",
        "--from",
        "2026-02-13T10:00:00+08:00",
        "--json",
    ]);
    // 10 WD: 14, 24–28 Feb, 2–5 Mar.
    assert_eq!(json_of(&out)["handling_due"], "2026-03-05T23:59:59+08:00");
}

#[test]
fn show_prints_every_row_bilingually() {
    let out = hotline(&["policy", "show", "--preset", "turpan"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("签收 sign-for: 12 小时 / 12 h"), "{text}");
    assert!(
        text.contains("延期上限 extension max: 30 个工作日"),
        "{text}"
    );
    let out = hotline(&["policy", "show", "--preset", "puyang", "--json"]);
    assert_eq!(json_of(&out)["limits"]["emergency_close"]["hours"], 8);
}
