//! The corrected seed rules at the terminal: `hotline act`, `show` and `policy` as a Puyang or
//! Turpan center would use them.

use hotline_testkit::cli::Terminal;

const AT: &str = "2026-03-02T09:00:00+08:00";

/// A city under `preset` with one shared store holding a kiosk, the center's desk and unit A's
/// head; an emergency submitted at the kiosk and registered; returns its order id.
fn emergency(preset: &str) -> (Terminal, String) {
    let city = Terminal::new(env!("CARGO_BIN_EXE_hotline")).at(AT);
    city.ok(&["hub", "init", "--data", "city", "--preset", preset]);
    city.enrol("township", "unit_head", Some("unit-a"), "head-a");
    city.enrol("township", "dispatcher", Some("center"), "desk");
    city.enrol("township", "kiosk", Some("center"), "kiosk-01");
    let sub = city.ok(&[
        "intake",
        "--store",
        "township",
        "--as",
        "kiosk-01",
        "--kind",
        "help",
        "--emergency",
        "--emergency-category",
        "dangerous_facility",
        "--text",
        "小区燃气管道泄漏",
        "--address",
        "华龙区人民路 18 号",
    ]);
    let order = sub["order"].as_str().unwrap().to_string();
    city.ok(&[
        "act", &order, "register", "--store", "township", "--as", "desk",
    ]);
    (city, order)
}

#[test]
fn a_puyang_emergency_goes_out_with_its_report_to_the_duty_office() {
    // puyang-2020 §(四): 对应急类事项事件，市热线平台应立即转办至相关单位，同时上报市政府值班室。
    let (city, order) = emergency("puyang");
    let dispatch = [
        "act",
        order.as_str(),
        "dispatch",
        "--lead",
        "unit-a",
        "--store",
        "township",
        "--as",
        "desk",
    ];
    assert_eq!(city.fails(&dispatch), "missing_field");
    let mut reported = dispatch.to_vec();
    reported.extend(["--duty-report", "电话报告市政府值班室值班员王某"]);
    let v = city.ok(&reported);
    assert_eq!(v["state"]["status"], "dispatched");
    let shown = city.ok(&["show", &order, "--store", "township", "--as", "desk"]);
    let history = shown["state"]["history"].as_array().unwrap();
    let dispatched = history
        .iter()
        .find(|h| h["event"]["action"]["type"] == "dispatch")
        .unwrap_or_else(|| panic!("no dispatch in {history:?}"));
    assert_eq!(
        dispatched["event"]["action"]["duty_report"]["how"],
        "电话报告市政府值班室值班员王某"
    );
}

#[test]
fn a_turpan_emergency_cannot_be_extended() {
    // turpan-2021 art. 17: 除突发类事项外 … 再行申请延期办结.
    let (city, order) = emergency("turpan");
    city.ok(&[
        "act", &order, "dispatch", "--lead", "unit-a", "--store", "township", "--as", "desk",
    ]);
    city.ok(&[
        "act", &order, "sign-for", "--store", "township", "--as", "head-a",
    ]);
    assert_eq!(
        city.fails(&[
            "act",
            &order,
            "request-extension",
            "--days",
            "5",
            "--explanation",
            "抢修需更换管道",
            "--store",
            "township",
            "--as",
            "head-a",
        ]),
        "extension_not_for_emergency"
    );
}

#[test]
fn a_110_diversion_not_accepted_for_another_reason_tells_the_citizen_why() {
    // puyang-2020 §(一): 110报警服务台受理非警务类诉求的分流; turpan-2021 art. 13 and 第二章:
    // 其他不予受理的事项, with the reason and its basis told to the citizen.
    let city = Terminal::new(env!("CARGO_BIN_EXE_hotline")).at(AT);
    city.ok(&["hub", "init", "--data", "city", "--preset", "turpan"]);
    city.enrol("township", "intake", Some("center"), "intake-01");
    let sub = city.ok(&[
        "intake",
        "--store",
        "township",
        "--kind",
        "help",
        "--origin",
        "diverted_110",
        "--text",
        "要求查询邻居的住址",
        "--address",
        "高昌区亚尔乡",
    ]);
    let order = sub["order"].as_str().unwrap().to_string();
    let receipt = sub["receipt"].as_str().unwrap().to_string();
    let listed = city.ok(&["orders", "--store", "township", "--origin", "diverted_110"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["origin"], "diverted_110");
    let none = city.ok(&[
        "orders",
        "--store",
        "township",
        "--origin",
        "provincial_hotline",
    ]);
    assert!(none.as_array().unwrap().is_empty());
    assert_eq!(
        city.fails(&["orders", "--store", "township", "--origin", "mars"]),
        "unknown_origin"
    );
    let not_accept = [
        "act",
        order.as_str(),
        "not-accept",
        "--reason",
        "other",
        "--basis",
        "《吐鲁番市12345政务服务便民热线管理办法》第二章",
        "--store",
        "township",
    ];
    assert_eq!(city.fails(&not_accept), "missing_field");
    let mut stated = not_accept.to_vec();
    stated.extend(["--stated-reason", "涉及他人个人信息，热线不提供查询"]);
    city.ok(&stated);
    let text = city.text(&["status", &receipt, "--store", "township"]);
    for line in [
        "不予受理理由 / not accepted: 其他不予受理的事项（other）",
        "具体理由 / reason: 涉及他人个人信息，热线不提供查询",
        "依据 / basis: 《吐鲁番市12345政务服务便民热线管理办法》第二章",
    ] {
        assert!(text.contains(line), "{line} missing from {text}");
    }
    let v = city.ok(&["status", &receipt, "--store", "township"]);
    assert_eq!(v["not_accepted"]["reason"], "other");
}

#[test]
fn a_unit_fixed_by_coordination_cannot_return_the_order() {
    // turpan-2021 art. 16: 通过上述方式确定的承办单位，应当遵照办理，不得退回。
    let (city, order) = emergency("turpan");
    assert_eq!(
        city.fails(&[
            "act",
            &order,
            "dispatch",
            "--lead",
            "unit-a",
            "--coordinated-by",
            "tea_party",
            "--coordination",
            "x",
            "--store",
            "township",
            "--as",
            "desk",
        ]),
        "unknown_coordination"
    );
    city.ok(&[
        "act",
        &order,
        "dispatch",
        "--lead",
        "unit-a",
        "--coordinated-by",
        "meeting",
        "--coordination",
        "3月2日协调会纪要：燃气泄漏由古城路街道主办",
        "--store",
        "township",
        "--as",
        "desk",
    ]);
    assert_eq!(
        city.fails(&[
            "act",
            &order,
            "request-return",
            "--reason",
            "燃气管道属燃气公司",
            "--basis",
            "三定方案",
            "--leader-opinion",
            "同意退回",
            "--suggestion",
            "燃气公司",
            "--phone",
            "0995-1234567",
            "--store",
            "township",
            "--as",
            "head-a",
        ]),
        "return_after_coordination"
    );
}

#[test]
fn an_emergency_names_its_kind_is_overdue_without_a_first_response_and_may_be_excused() {
    // turpan-2021 art. 26: kinds of 突发类事项; 2 小时内处理; 不可抗力 excepted.
    let (city, order) = emergency("turpan");
    let bare = [
        "intake",
        "--store",
        "township",
        "--as",
        "kiosk-01",
        "--kind",
        "help",
        "--emergency",
        "--text",
        "停水",
        "--address",
        "高昌区",
    ];
    assert_eq!(city.fails(&bare), "missing_field");
    let mut odd = bare.to_vec();
    odd.extend(["--emergency-category", "alien_landing"]);
    assert_eq!(city.fails(&odd), "unknown_emergency_category");
    city.ok(&[
        "act", &order, "dispatch", "--lead", "unit-a", "--store", "township", "--as", "desk",
    ]);
    let overdue = |at: &str| {
        city.ok(&[
            "orders",
            "--store",
            "township",
            "--as",
            "desk",
            "--overdue",
            "--now",
            at,
        ])
        .as_array()
        .unwrap()
        .len()
    };
    assert_eq!(overdue("2026-03-02T10:30:00+08:00"), 0);
    assert_eq!(overdue("2026-03-02T11:30:00+08:00"), 1);
    let v = city.ok(&[
        "act",
        &order,
        "first-response",
        "--note",
        "已关闭燃气总阀，疏散住户",
        "--store",
        "township",
        "--as",
        "head-a",
        "--now",
        "2026-03-02T10:00:00+08:00",
    ]);
    assert_eq!(
        v["state"]["first_response"]["content"],
        "已关闭燃气总阀，疏散住户"
    );
    assert_eq!(overdue("2026-03-02T11:30:00+08:00"), 0);
    let v = city.ok(&[
        "act",
        &order,
        "force-majeure",
        "--basis",
        "特大沙尘暴，道路封闭",
        "--store",
        "township",
        "--as",
        "desk",
        "--now",
        "2026-03-02T10:10:00+08:00",
    ]);
    assert_eq!(
        v["state"]["force_majeure"]["content"],
        "特大沙尘暴，道路封闭"
    );
    // The 2 WD close is lifted: the ordinary 5 WD of a help request apply.
    assert_eq!(v["deadlines"]["handling_due"], "2026-03-09T15:59:59Z");
}

#[test]
fn the_puyang_center_closes_a_dissatisfied_order_whose_reply_is_lawful() {
    // puyang-2020 §(六): 答复内容符合法律法规、政策规定 closes the order despite the rating.
    let (city, order) = emergency("puyang");
    let close = [
        "act",
        order.as_str(),
        "close-as-lawful",
        "--basis",
        "答复符合《城镇燃气管理条例》",
        "--store",
        "township",
        "--as",
        "desk",
    ];
    // Not before a dissatisfied rating.
    assert_eq!(city.fails(&close), "wrong_state");
    let (city, order) = emergency("turpan");
    let mut close = close.to_vec();
    close[1] = order.as_str();
    // Turpan has no such closure.
    assert_eq!(city.fails(&close), "not_in_policy");
}

/// A city under `preset` with one shared store: the desk, a callback agent, intake, unit A's
/// main leader, deputy leader and staff member, and unit B's staff member; a help request
/// submitted and registered. Returns the order id and its receipt.
fn registered(preset: &str) -> (Terminal, String, String) {
    let city = Terminal::new(env!("CARGO_BIN_EXE_hotline")).at(AT);
    city.ok(&["hub", "init", "--data", "city", "--preset", preset]);
    for (role, unit, person) in [
        ("dispatcher", "center", "desk"),
        ("callback", "center", "cb-01"),
        ("intake", "center", "intake-01"),
        ("unit_head", "unit-a", "head-a"),
        ("deputy_head", "unit-a", "deputy-a"),
        ("staff", "unit-a", "staff-a"),
        ("staff", "unit-b", "staff-b"),
    ] {
        city.enrol("township", role, Some(unit), person);
    }
    let sub = city.ok(&[
        "intake",
        "--store",
        "township",
        "--as",
        "intake-01",
        "--kind",
        "help",
        "--text",
        "小区门口路灯不亮",
        "--address",
        "沭新东街",
    ]);
    let order = sub["order"].as_str().unwrap().to_string();
    let receipt = sub["receipt"].as_str().unwrap().to_string();
    city.ok(&act(&order, &["register", "--as", "desk"]));
    (city, order, receipt)
}

/// [`registered`], dispatched to unit A and signed for.
fn in_handling(preset: &str) -> (Terminal, String, String) {
    let (city, order, receipt) = registered(preset);
    city.ok(&act(
        &order,
        &["dispatch", "--lead", "unit-a", "--as", "desk"],
    ));
    city.ok(&act(&order, &["sign-for", "--as", "staff-a"]));
    (city, order, receipt)
}

/// `hotline show` of the order, as the desk sees it, holds every line in `wants`.
fn assert_shows(city: &Terminal, order: &str, wants: &[&str]) {
    let shown = city.text(&["show", order, "--store", "township", "--as", "desk"]);
    for want in wants {
        assert!(shown.contains(want), "show lacks {want}:\n{shown}");
    }
}

fn act<'a>(order: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["act", order];
    a.extend_from_slice(args);
    a.extend(["--store", "township"]);
    a
}

#[test]
fn a_linshu_order_is_signed_off_approved_and_replied_in_the_leaders_name() {
    // linshu-2020 二(二): 主要负责人签批 … 分管负责人审核同意并签字 … 回复时要注明牵头负责人.
    let (city, order, _) = in_handling("linshu");
    let o = order.as_str();
    let reply = [
        "reply",
        "--handler",
        "张伟",
        "--result",
        "已更换路灯",
        "--legal-basis",
        "《城市照明管理规定》",
        "--informed-how",
        "电话",
        "--as",
        "staff-a",
    ];
    assert_eq!(
        city.fails(&act(
            o,
            &[
                "contact",
                "--method",
                "phone",
                "--reached",
                "--as",
                "staff-a"
            ]
        )),
        "sign_off_first"
    );
    assert_eq!(
        city.fails(&act(o, &["leader-sign-off", "--as", "deputy-a"])),
        "wrong_role"
    );
    city.ok(&act(
        o,
        &[
            "leader-sign-off",
            "--note",
            "请照明所办理",
            "--as",
            "head-a",
        ],
    ));
    assert_eq!(city.fails(&act(o, &reply)), "result_not_approved");
    city.ok(&act(
        o,
        &["approve-result", "--note", "同意答复", "--as", "deputy-a"],
    ));
    assert_eq!(city.fails(&act(o, &reply)), "missing_field");
    let mut named = reply.to_vec();
    named.extend(["--responsible-leader", "deputy-a"]);
    let v = city.ok(&act(o, &named));
    assert_eq!(v["state"]["status"], "under_review");
    // The duty statement is the leaders' (turpan-2021 附则; Linshu the same).
    assert_eq!(
        city.fails(&act(
            o,
            &["duty-statement", "--text", "已履责", "--as", "staff-a"]
        )),
        "wrong_role"
    );
    city.ok(&act(
        o,
        &["duty-statement", "--text", "已履责", "--as", "deputy-a"],
    ));
    city.ok(&act(o, &["review", "--approve", "--as", "desk"]));
    // Linshu asks at callback whether the unit made contact; an unreached call is retried.
    city.ok(&act(
        o,
        &["callback-unreached", "--note", "无人接听", "--as", "cb-01"],
    ));
    assert_eq!(
        city.fails(&act(
            o,
            &["callback", "--rating", "satisfied", "--as", "cb-01"]
        )),
        "missing_field"
    );
    let v = city.ok(&act(
        o,
        &[
            "callback",
            "--rating",
            "satisfied",
            "--unit-contacted",
            "--as",
            "cb-01",
        ],
    ));
    assert_eq!(v["state"]["status"], "closed");
    assert_shows(
        &city,
        o,
        &[
            "签批 / sign-off",
            "审核把关办理结果 approve_result",
            "责任领导 responsible leader: deputy-a",
            "回访未接通 / callback unreached",
            "单位已联系 unit contacted",
        ],
    );
}

#[test]
fn a_puyang_unit_tells_the_citizen_of_its_delay_and_the_extension_shows_in_status() {
    // puyang-2020 §(四): 确不能按时办结的，承办单位要及时向诉求人说明理由; 考核 1: extensions only
    // on a longer statutory limit, with a written explanation.
    let (city, order, receipt) = in_handling("puyang");
    let o = order.as_str();
    city.ok(&act(
        o,
        &[
            "delay-notice",
            "--reason",
            "灯杆需整体更换",
            "--as",
            "staff-a",
        ],
    ));
    let ask = [
        "request-extension",
        "--days",
        "5",
        "--explanation",
        "需办理占道审批",
        "--as",
        "staff-a",
    ];
    assert_eq!(city.fails(&act(o, &ask)), "missing_field");
    let mut with_basis = ask.to_vec();
    with_basis.extend([
        "--statutory-days",
        "20",
        "--statutory-basis",
        "《城市道路管理条例》第三十条",
    ]);
    city.ok(&act(o, &with_basis));
    city.ok(&act(o, &["decide-extension", "--approve", "--as", "desk"]));
    let status = city.text(&["status", &receipt, "--store", "township"]);
    for want in [
        "已批准延期 / extension approved",
        "5 个工作日",
        "延期告知 / delay notice",
        "灯杆需整体更换",
        "办结期限 / handling due",
    ] {
        assert!(status.contains(want), "status lacks {want}:\n{status}");
    }
    // The unit cannot solve it for objective reasons: the center keeps it out of assessment.
    city.ok(&act(
        o,
        &[
            "apply-closure",
            "--ground",
            "cannot_be_solved",
            "--statement",
            "涉及规划调整，暂无法解决",
            "--evidence",
            "规划局复函",
            "--as",
            "staff-a",
        ],
    ));
    assert_eq!(
        city.fails(&act(
            o,
            &[
                "apply-closure",
                "--ground",
                "whatever",
                "--statement",
                "s",
                "--evidence",
                "e",
                "--as",
                "staff-a"
            ],
        )),
        "unknown_ground"
    );
    city.ok(&act(o, &["decide-closure", "--approve", "--as", "desk"]));
    assert_shows(&city, o, &["不纳入考核 / not counted in assessment"]);
}

#[test]
fn a_turpan_unit_passes_an_order_on_to_its_registered_sub_unit() {
    // DOMAIN.md corrections (Turpan): sub-units registered with the center's approval; the unit
    // passes an order on and stays responsible.
    let (city, order, _) = in_handling("turpan");
    let o = order.as_str();
    let sub = "unit-a/village-1";
    let enrol_sub = [
        "hub",
        "enroll",
        "--data",
        "city",
        "--role",
        "staff",
        "--unit",
        sub,
        "--person",
        "staff-v1",
        "--out",
        "staff-v1.json",
    ];
    assert_eq!(city.fails(&enrol_sub), "sub_unit_not_registered");
    let record = city.ok(&[
        "hub",
        "sub-unit",
        "--data",
        "city",
        "--unit",
        sub,
        "--approval",
        "市政务服务中心批复〔2026〕3号",
    ]);
    assert_eq!(record["parent"], "unit-a");
    city.enrol("township", "staff", Some(sub), "staff-v1");
    assert_eq!(
        city.fails(&act(
            o,
            &["pass-on", "--to", "unit-b/village-1", "--as", "staff-a"]
        )),
        "not_a_sub_unit"
    );
    city.ok(&act(
        o,
        &[
            "pass-on",
            "--to",
            sub,
            "--note",
            "请一村核实",
            "--as",
            "staff-a",
        ],
    ));
    city.ok(&act(
        o,
        &[
            "contact",
            "--method",
            "visit",
            "--reached",
            "--as",
            "staff-v1",
        ],
    ));
    assert_shows(
        &city,
        o,
        &[
            "下设单位 / passed on to sub-units: unit-a/village-1",
            "转交下设单位办理 pass_on",
        ],
    );
}

#[test]
fn a_turpan_order_dispatched_separately_waits_for_every_units_reply() {
    // turpan-2021 art. 12: 按照职责规定分别转派至承办单位办理.
    let (city, order, _) = registered("turpan");
    let o = order.as_str();
    assert_eq!(
        city.fails(&act(
            o,
            &[
                "dispatch",
                "--lead",
                "unit-a",
                "--separate",
                "unit-a",
                "--as",
                "desk"
            ]
        )),
        "unit_listed_twice"
    );
    city.ok(&act(
        o,
        &[
            "dispatch",
            "--lead",
            "unit-a",
            "--separate",
            "unit-b",
            "--as",
            "desk",
        ],
    ));
    let reply = |who: &'static str| {
        [
            "reply",
            "--handler",
            "李四",
            "--result",
            "已处理",
            "--legal-basis",
            "条例",
            "--informed-how",
            "电话",
            "--as",
            who,
        ]
    };
    city.ok(&act(o, &["sign-for", "--as", "staff-a"]));
    city.ok(&act(o, &["sign-for", "--as", "staff-b"]));
    let v = city.ok(&act(o, &reply("staff-a")));
    assert_eq!(v["state"]["status"], "in_handling");
    assert_shows(&city, o, &["分别办理 / separately: unit-b"]);
    let v = city.ok(&act(o, &reply("staff-b")));
    assert_eq!(v["state"]["status"], "under_review");
}
