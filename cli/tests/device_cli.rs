//! The terminal as a city would use it: a hub enrols people, one shared township store holds
//! several of them, a work order goes the whole way from the kiosk to closure, and tampering
//! is caught by `hotline verify`.
use hotline_testkit::cli::Terminal;
use hotline_testkit::store::files_under;
use serde_json::Value;
use std::path::Path;

const NAME: &str = "王秀英";
const PHONE: &str = "13912345678";
const ENROLLED: &str = "2026-03-01T08:00:00+08:00";

/// A temporary city: the authority in `city/`, credentials and stores next to it.
struct City(Terminal);

impl std::ops::Deref for City {
    type Target = Terminal;
    fn deref(&self) -> &Terminal {
        &self.0
    }
}

impl City {
    fn new() -> City {
        let terminal = Terminal::new(env!("CARGO_BIN_EXE_hotline"));
        terminal.ok(&[
            "hub", "init", "--data", "city", "--preset", "turpan", "--now", ENROLLED,
        ]);
        City(terminal)
    }

    /// Enrols a person and adds them to `store`; returns the certificate id.
    fn enrol(&self, store: &str, role: &str, unit: Option<&str>, person: &str) -> String {
        self.0.enrol_at(Some(ENROLLED), store, role, unit, person)
    }

    /// `act` on the shared store as `person` at `now`.
    fn act(&self, order: &str, person: &str, now: &str, action: &[&str]) -> Value {
        self.ok(&act_args(order, person, now, action))
    }

    fn act_fails(&self, order: &str, person: &str, now: &str, action: &[&str]) -> String {
        self.fails(&act_args(order, person, now, action))
    }
}

fn act_args<'a>(order: &'a str, person: &'a str, now: &'a str, action: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["act", order];
    args.extend(action);
    args.extend(["--store", "township", "--as", person, "--now", now]);
    args
}

fn status_of(view: &Value) -> &Value {
    &view["state"]["status"]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The bytes of the store's database files (main file and write-ahead log).
fn db_bytes(store: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["hotline.db", "hotline.db-wal"] {
        if let Ok(b) = std::fs::read(store.join(name)) {
            all.extend(b);
        }
    }
    assert!(!all.is_empty());
    all
}

/// A township store shared by the whole cast. Units are enrolled first, so the dispatcher's
/// credential carries their sealing keys.
fn township() -> (City, Vec<String>) {
    let city = City::new();
    let certs = vec![
        city.enrol("township", "staff", Some("town-a"), "staff-a1"),
        city.enrol("township", "staff", Some("town-b"), "staff-b1"),
        city.enrol("township", "unit_head", Some("town-a"), "head-a"),
        city.enrol("township", "kiosk", None, "kiosk-01"),
        city.enrol("township", "dispatcher", None, "disp-01"),
        city.enrol("township", "callback", None, "cb-01"),
        city.enrol("township", "supervisor", None, "sup-01"),
    ];
    (city, certs)
}

/// Kiosk intake with a photo and contact details; returns (order, receipt).
fn intake(city: &City) -> (String, String) {
    std::fs::write(
        city.path("site.jpg"),
        b"\xff\xd8\xff\xe0 jpeg bytes of the site",
    )
    .unwrap();
    let sub = city.ok(&[
        "intake",
        "--store",
        "township",
        "--as",
        "kiosk-01",
        "--kind",
        "complaint",
        "--text",
        "古城路夜间施工噪音扰民已持续两周",
        "--address",
        "古城路 8 号",
        "--division",
        "410902",
        "--gps",
        "35.76,115.03",
        "--name",
        NAME,
        "--phone",
        PHONE,
        "--photo",
        "site.jpg",
        "--now",
        "2026-03-02T09:00:00+08:00",
    ]);
    assert_eq!(sub["status"], "submitted");
    (
        sub["order"].as_str().unwrap().to_string(),
        sub["receipt"].as_str().unwrap().to_string(),
    )
}

#[test]
fn a_complaint_goes_from_the_kiosk_to_closure_on_one_shared_store() {
    let (city, certs) = township();
    let people = city.ok(&["device", "list", "--store", "township"]);
    assert_eq!(people["people"].as_array().unwrap().len(), 7);
    let (order, receipt) = intake(&city);
    let o = order.as_str();

    // The citizen's lookup: typed loosely, shows status only, nothing personal.
    let typed = receipt.replace('-', " ").to_lowercase();
    let st = city.ok(&[
        "status",
        &typed,
        "--store",
        "township",
        "--now",
        "2026-03-02T09:05:00+08:00",
    ]);
    assert_eq!(st["receipt"], receipt.as_str());
    assert_eq!(st["status"], "submitted");
    assert_eq!(st["status_zh"], "已提交");
    let shown = serde_json::to_string(&st).unwrap();
    for private in [NAME, PHONE, "古城路", "施工"] {
        assert!(!shown.contains(private), "status shows {private}: {shown}");
    }
    let text = city.text(&["status", &receipt, "--store", "township"]);
    assert!(text.contains("已提交") && !text.contains(NAME) && !text.contains("古城路"));

    // The center registers; a kiosk may not dispatch.
    let v = city.act(o, "disp-01", "2026-03-02T10:00:00+08:00", &["register"]);
    assert_eq!(status_of(&v), "registered");
    assert_eq!(
        city.act_fails(
            o,
            "kiosk-01",
            "2026-03-02T10:01:00+08:00",
            &["dispatch", "--lead", "town-a"]
        ),
        "wrong_role"
    );
    let v = city.act(
        o,
        "disp-01",
        "2026-03-02T10:05:00+08:00",
        &["dispatch", "--lead", "town-a", "--note", "请核实"],
    );
    assert_eq!(status_of(&v), "dispatched");
    assert_eq!(v["state"]["lead_unit"], "town-a");
    // Turpan: 12 h to sign for.
    assert_eq!(
        v["deadlines"]["sign_for_due"], "2026-03-02T14:05:00Z",
        "{}",
        v["deadlines"]
    );

    // The inbox of unit A has it, with the sign-for deadline next; unit B's is empty.
    let inbox = city.ok(&[
        "orders",
        "--store",
        "township",
        "--unit",
        "town-a",
        "--now",
        "2026-03-02T10:10:00+08:00",
    ]);
    let rows = inbox.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["order"], o);
    assert_eq!(rows[0]["next_due_kind"], "sign_for");
    assert_eq!(rows[0]["next_due_at"], "2026-03-02T22:05:00+08:00");
    assert_eq!(rows[0]["status_zh"], "已转办");
    let b = city.ok(&["orders", "--store", "township", "--unit", "town-b"]);
    assert!(b.as_array().unwrap().is_empty());
    let soon = city.ok(&[
        "orders",
        "--store",
        "township",
        "--due-within-hours",
        "24",
        "--now",
        "2026-03-02T10:10:00+08:00",
    ]);
    assert_eq!(soon.as_array().unwrap().len(), 1);
    let table = city.text(&[
        "orders",
        "--store",
        "township",
        "--now",
        "2026-03-02T10:10:00+08:00",
    ]);
    assert!(
        table.contains(&receipt)
            && table.contains("已转办")
            && table.contains("2026-03-02 22:05 +08:00")
    );

    // Staff of unit B cannot touch unit A's order.
    assert_eq!(
        city.act_fails(o, "staff-b1", "2026-03-02T10:30:00+08:00", &["sign-for"]),
        "wrong_unit"
    );
    let v = city.act(o, "head-a", "2026-03-02T11:00:00+08:00", &["sign-for"]);
    assert_eq!(status_of(&v), "in_handling");
    // Past the handling deadline while the unit still has it: overdue.
    let late = [
        "orders",
        "--store",
        "township",
        "--overdue",
        "--now",
        "2026-04-30T09:00:00+08:00",
    ];
    assert_eq!(city.ok(&late).as_array().unwrap().len(), 1);
    assert!(city.text(&late).contains("已超期 OVERDUE"));

    // Contact: the center desk and the lead unit may see it, the kiosk may not.
    let c = city.ok(&[
        "contact",
        o,
        "--purpose",
        "回访 callback",
        "--store",
        "township",
        "--as",
        "disp-01",
    ]);
    assert_eq!(c["name"], NAME);
    assert_eq!(c["phone"], PHONE);
    let c = city.ok(&[
        "contact",
        o,
        "--purpose",
        "回访 callback",
        "--store",
        "township",
        "--as",
        "staff-a1",
    ]);
    assert_eq!(c["phone"], PHONE);
    assert_eq!(
        city.fails(&[
            "contact",
            o,
            "--purpose",
            "回访 callback",
            "--store",
            "township",
            "--as",
            "kiosk-01"
        ]),
        "contact_not_visible"
    );
    assert_eq!(
        city.fails(&[
            "contact",
            o,
            "--purpose",
            "回访 callback",
            "--store",
            "township",
            "--as",
            "staff-b1"
        ]),
        "contact_not_visible"
    );

    let v = city.act(
        o,
        "staff-a1",
        "2026-03-02T14:00:00+08:00",
        &[
            "contact",
            "--method",
            "phone",
            "--reached",
            "--note",
            "已联系",
        ],
    );
    assert_eq!(v["state"]["contacts"].as_array().unwrap().len(), 1);

    // On-site evidence: GPS, capture time and the photo's hash inside the signed record.
    let mut evidence = b"\xff\xd8\xff\xe0".to_vec();
    evidence.resize(100_000, 7);
    std::fs::write(city.path("evidence.jpg"), evidence).unwrap();
    let v = city.ok(&[
        "evidence",
        "add",
        o,
        "evidence.jpg",
        "--gps",
        "35.7601,115.0302",
        "--accuracy",
        "8",
        "--captured-at",
        "2026-03-03T14:55:00+08:00",
        "--note",
        "现场核实：施工单位已停止夜间作业",
        "--store",
        "township",
        "--as",
        "staff-a1",
        "--now",
        "2026-03-03T15:00:00+08:00",
    ]);
    let ev = &v["state"]["site_evidence"][0];
    let photo = &ev["content"]["photos"][0];
    assert_eq!(photo["size"], 100_000);
    assert_eq!(photo["media_type"], "image/jpeg");
    assert_eq!(photo["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(photo["captured_at"], "2026-03-03T06:55:00Z");
    assert_eq!(ev["content"]["gps"]["accuracy_m"], 8.0);

    let reply = [
        "reply",
        "--handler",
        "李明",
        "--result",
        "施工单位已停止夜间作业",
        "--legal-basis",
        "《噪声污染防治法》第四十三条",
        "--informed-how",
        "电话告知",
        "--case-number",
        "TLF-2026-031",
    ];
    let v = city.act(o, "staff-a1", "2026-03-04T10:00:00+08:00", &reply);
    assert_eq!(status_of(&v), "under_review");
    assert_eq!(v["state"]["replies"][0]["content"]["unit"], "town-a");
    let v = city.act(
        o,
        "disp-01",
        "2026-03-04T11:00:00+08:00",
        &["review", "--approve"],
    );
    assert_eq!(status_of(&v), "awaiting_callback");
    // Replied in time: waiting for the callback is not overdue for the unit.
    assert!(city.ok(&late).as_array().unwrap().is_empty());

    // Dissatisfied: reopened once (Turpan), handled again, then closed.
    let v = city.act(
        o,
        "cb-01",
        "2026-03-05T09:00:00+08:00",
        &[
            "callback",
            "--rating",
            "dissatisfied",
            "--service-rating",
            "satisfied",
            "--note",
            "夜间仍有施工",
        ],
    );
    assert_eq!(status_of(&v), "dissatisfied");
    let v = city.act(
        o,
        "disp-01",
        "2026-03-05T10:00:00+08:00",
        &["reopen", "--reason", "群众反映夜间仍有施工"],
    );
    assert_eq!(status_of(&v), "in_handling");
    let v = city.act(
        o,
        "disp-01",
        "2026-03-05T10:05:00+08:00",
        &[
            "supervise",
            "--trigger",
            "hot_issue",
            "--form",
            "daily",
            "--note",
            "电话督办",
        ],
    );
    assert_eq!(v["state"]["supervisions"][0]["trigger"], "hot_issue");
    let v = city.act(o, "staff-a1", "2026-03-06T16:00:00+08:00", &reply);
    assert_eq!(status_of(&v), "under_review");
    city.act(
        o,
        "disp-01",
        "2026-03-06T17:00:00+08:00",
        &["review", "--approve"],
    );
    let v = city.act(
        o,
        "cb-01",
        "2026-03-07T09:00:00+08:00",
        &["callback", "--rating", "满意", "--service-rating", "满意"],
    );
    assert_eq!(status_of(&v), "closed");

    // A field supervisor may still file the on-site form on a closed order.
    let v = city.act(
        o,
        "sup-01",
        "2026-03-09T15:00:00+08:00",
        &[
            "site-supervision",
            "--place",
            "古城路 8 号工地",
            "--held-at",
            "2026-03-09T14:30:00+08:00",
            "--present",
            "李明",
            "--present",
            "工地负责人",
            "--findings",
            "夜间未施工",
            "--action-taken",
            "要求继续遵守作业时间",
            "--photo",
            "evidence.jpg",
            "--gps",
            "35.7601,115.0302",
        ],
    );
    assert_eq!(v["state"]["site_supervisions"].as_array().unwrap().len(), 1);

    // The history: every step, each applied, in order.
    let view = city.ok(&["show", o, "--store", "township"]);
    let history = view["state"]["history"].as_array().unwrap();
    let names: Vec<&str> = history
        .iter()
        .map(|h| h["event"]["action"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "submit",
            "register",
            "dispatch",
            "sign_for",
            "contact",
            "site_evidence",
            "reply",
            "review",
            "callback",
            "reopen",
            "supervise",
            "reply",
            "review",
            "callback",
            "site_supervision"
        ]
    );
    assert!(history.iter().all(|h| h["outcome"]["outcome"] == "applied"));
    assert_eq!(view["state"]["reopen_count"], 1);
    let shown = city.text(&["show", o, "--store", "township"]);
    for want in [
        "已办结",
        "签收 sign_for",
        "head-a",
        "✓ 已生效 applied",
        "回访 / callback",
        "不满意",
        "话务服务 call service: 满意",
        "town-a",
    ] {
        assert!(shown.contains(want), "show lacks {want}:\n{shown}");
    }
    assert!(!shown.contains(NAME) && !shown.contains(PHONE));

    // Closed orders leave the default inbox, stay in --all.
    assert!(
        city.ok(&["orders", "--store", "township"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let all = city.ok(&["orders", "--store", "township", "--all"]);
    assert_eq!(all[0]["status"], "closed");
    let closed = city.ok(&["orders", "--store", "township", "--status", "closed"]);
    assert_eq!(closed.as_array().unwrap().len(), 1);

    // Everything checks out; the database never held the citizen's name or phone readable.
    let report = city.ok(&["verify", "--store", "township"]);
    assert_eq!(report["ok"], true);
    assert_eq!(report["changes_checked"], 15);
    assert_eq!(report["certificates_checked"], 7);
    assert_eq!(report["blobs_checked"], 2);
    let db = db_bytes(&city.path("township"));
    assert!(!contains(&db, NAME.as_bytes()));
    assert!(!contains(&db, PHONE.as_bytes()));

    // Staff B's phone is lost: revoked, its next action is refused; nothing it signed exists,
    // so the store still verifies.
    let staff_b = &certs[1];
    let list = city.ok(&[
        "hub",
        "revoke",
        "--data",
        "city",
        "--cert",
        staff_b,
        "--out",
        "revocations-1.json",
        "--now",
        "2026-03-10T09:00:00+08:00",
    ]);
    assert_eq!(list["sequence"], 1);
    let installed = city.ok(&[
        "device",
        "trust",
        "--store",
        "township",
        "--revocations",
        "revocations-1.json",
    ]);
    assert_eq!(installed["revoked"], 1);
    assert_eq!(
        city.act_fails(
            o,
            "staff-b1",
            "2026-03-10T10:00:00+08:00",
            &["duty-statement", "--text", "已履责"]
        ),
        "certificate_revoked"
    );
    assert_eq!(city.ok(&["verify", "--store", "township"])["ok"], true);

    // Someone edits a photo on disk: verify fails, lists it, exits 1.
    let blobs = files_under(&city.path("township").join("blobs"));
    assert_eq!(blobs.len(), 2);
    for f in &blobs {
        let mut bytes = std::fs::read(f).unwrap();
        bytes[0] ^= 0xff;
        let mut perms = std::fs::metadata(f).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(f, perms).unwrap();
        std::fs::write(f, bytes).unwrap();
    }
    let out = city.run(&["verify", "--store", "township", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems
            .iter()
            .all(|p| p["kind"] == "blob" && p["code"] == "blob_hash_mismatch")
    );
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "verify_failed");
    let out = city.run(&["verify", "--store", "township"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("blob_hash_mismatch") && text.contains("2 个问题"),
        "{text}"
    );
}

#[test]
fn a_tampered_change_in_the_database_is_caught_by_verify() {
    let (city, _) = township();
    let (order, _) = intake(&city);
    city.act(
        &order,
        "disp-01",
        "2026-03-02T10:00:00+08:00",
        &["register"],
    );
    assert_eq!(city.ok(&["verify", "--store", "township"])["ok"], true);

    // Flip one byte of the registration's signed change.
    let conn = rusqlite::Connection::open(city.path("township").join("hotline.db")).unwrap();
    let (seq, hash, mut bytes): (i64, String, Vec<u8>) = conn
        .query_row(
            "SELECT seq, hash, bytes FROM changes ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    conn.execute(
        "UPDATE changes SET bytes = ?1 WHERE seq = ?2",
        rusqlite::params![bytes, seq],
    )
    .unwrap();
    drop(conn);

    let out = city.run(&["verify", "--store", "township", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    assert!(!problems.is_empty());
    assert!(
        problems.iter().any(|p| p["kind"] == "change"
            && p["subject"] == hash.as_str()
            && p["order"] == order.as_str()),
        "{problems:?}"
    );
    // The order itself no longer loads: reading it re-checks every change.
    let code = city.fails(&["show", &order, "--store", "township"]);
    assert!(!code.is_empty());
}

#[test]
fn a_kiosk_store_cannot_read_back_what_the_citizen_typed() {
    let city = City::new();
    city.enrol("kiosk", "kiosk", None, "kiosk-07");
    // Only one person on this store: no --as needed.
    let sub = city.ok(&[
        "intake",
        "--store",
        "kiosk",
        "--kind",
        "求助",
        "--text",
        "小区路灯损坏",
        "--address",
        "团结路 3 号",
        "--name",
        NAME,
        "--phone",
        PHONE,
        "--id-number",
        "650402199001011234",
        "--now",
        "2026-03-02T09:00:00+08:00",
    ]);
    let order = sub["order"].as_str().unwrap();
    let view = city.ok(&["show", order, "--store", "kiosk"]);
    assert_eq!(view["state"]["details"]["channel"], "kiosk");
    assert_eq!(view["state"]["details"]["kind"], "help");
    assert_eq!(
        city.fails(&[
            "contact",
            order,
            "--purpose",
            "回访 callback",
            "--store",
            "kiosk"
        ]),
        "contact_not_visible"
    );
    let db = db_bytes(&city.path("kiosk"));
    for private in [NAME, PHONE, "650402199001011234"] {
        assert!(!contains(&db, private.as_bytes()), "{private} is in the db");
    }
    // The kiosk itself may not register what it submitted.
    assert_eq!(
        city.fails(&[
            "act",
            order,
            "register",
            "--store",
            "kiosk",
            "--now",
            "2026-03-02T09:01:00+08:00"
        ]),
        "wrong_role"
    );
    // HOTLINE_STORE stands in for --store.
    let out = city
        .command(&["orders", "--json"])
        .env("HOTLINE_STORE", city.path("kiosk"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["order"], order);
}

#[test]
fn bad_inputs_are_typed_errors_with_exit_1() {
    let (city, _) = township();
    let now = "2026-03-02T09:00:00+08:00";
    let intake = |extra: &[&str]| {
        let mut args = vec![
            "intake",
            "--store",
            "township",
            "--as",
            "kiosk-01",
            "--kind",
            "complaint",
            "--text",
            "噪音",
            "--address",
            "古城路",
            "--now",
            now,
        ];
        args.extend(extra);
        city.fails(&args)
    };
    assert_eq!(intake(&["--gps", "35.76"]), "bad_gps");
    assert_eq!(intake(&["--gps", "north,east"]), "bad_gps");
    assert_eq!(intake(&["--gps", "95,115"]), "bad_gps");
    assert_eq!(intake(&["--channel", "fax"]), "unknown_channel");
    assert_eq!(intake(&["--division", "41"]), "bad_input");
    assert_eq!(intake(&["--photo", "no-such.jpg"]), "file_not_found");
    assert_eq!(intake(&["--phone", "call me"]), "bad_input");
    assert_eq!(
        city.fails(&[
            "intake",
            "--store",
            "township",
            "--as",
            "kiosk-01",
            "--kind",
            "gossip",
            "--text",
            "x",
            "--address",
            "y"
        ]),
        "unknown_kind"
    );
    // Several people on the store: say who.
    assert_eq!(
        city.fails(&[
            "intake",
            "--store",
            "township",
            "--kind",
            "help",
            "--text",
            "x",
            "--address",
            "y"
        ]),
        "device_which_identity"
    );
    assert_eq!(
        city.fails(&[
            "intake",
            "--store",
            "township",
            "--as",
            "nobody",
            "--kind",
            "help",
            "--text",
            "x",
            "--address",
            "y"
        ]),
        "device_no_such_identity"
    );
    // Stores: missing directory, none given, a directory that is not a store.
    assert_eq!(
        city.fails(&["orders", "--store", "no-such-store"]),
        "store_not_found"
    );
    assert!(!city.path("no-such-store").exists());
    assert_eq!(city.fails(&["orders"]), "store_required");
    assert_eq!(
        city.fails(&["verify", "--store", "city"]),
        "store_not_found"
    );
    // Orders and receipts that do not exist; a mistyped receipt.
    assert_eq!(
        city.fails(&["show", "wo-nothing", "--store", "township"]),
        "unknown_order"
    );
    assert_eq!(
        city.fails(&[
            "act",
            "wo-nothing",
            "register",
            "--store",
            "township",
            "--as",
            "disp-01"
        ]),
        "unknown_order"
    );
    let code = city.fails(&["status", "ABCD", "--store", "township"]);
    assert!(code.starts_with("receipt_"), "{code}");
    // Values from fixed lists.
    let (order, _) = {
        let sub = city.ok(&[
            "intake",
            "--store",
            "township",
            "--as",
            "kiosk-01",
            "--kind",
            "inquiry",
            "--text",
            "办证需要什么材料",
            "--address",
            "政务大厅",
            "--now",
            now,
        ]);
        (sub["order"].as_str().unwrap().to_string(), ())
    };
    let o = order.as_str();
    let t = "2026-03-02T10:00:00+08:00";
    assert_eq!(
        city.act_fails(
            o,
            "disp-01",
            t,
            &["not-accept", "--reason", "boring", "--basis", "x"]
        ),
        "unknown_reason"
    );
    assert_eq!(
        city.act_fails(o, "cb-01", t, &["callback", "--rating", "meh"]),
        "unknown_rating"
    );
    assert_eq!(
        city.act_fails(
            o,
            "disp-01",
            t,
            &["supervise", "--trigger", "whim", "--form", "daily"]
        ),
        "unknown_trigger"
    );
    assert_eq!(
        city.act_fails(
            o,
            "staff-a1",
            t,
            &["contact", "--method", "fax", "--reached"]
        ),
        "unknown_method"
    );
    // The workflow's own refusals come through with their codes.
    assert_eq!(
        city.act_fails(o, "disp-01", t, &["dispatch", "--lead", "town-a"]),
        "wrong_state"
    );
    assert_eq!(
        city.act_fails(
            o,
            "disp-01",
            t,
            &[
                "not-accept",
                "--reason",
                "not_government_duty",
                "--basis",
                " "
            ]
        ),
        "missing_field"
    );
    let v = city.act(
        o,
        "disp-01",
        t,
        &[
            "instant-answer",
            "--kb-item",
            "KB-0012",
            "--answer",
            "携带身份证原件",
        ],
    );
    assert_eq!(status_of(&v), "answered_instantly");
    // Times, roles, the hub.
    assert_eq!(
        city.fails(&["orders", "--store", "township", "--now", "yesterday"]),
        "bad_time"
    );
    assert_eq!(
        city.fails(&["orders", "--store", "township", "--status", "lost"]),
        "unknown_status"
    );
    assert_eq!(
        city.fails(&[
            "hub", "enroll", "--data", "city", "--role", "mayor", "--person", "x", "--out",
            "x.json"
        ]),
        "unknown_role"
    );
    assert_eq!(
        city.fails(&[
            "hub", "enroll", "--data", "city", "--role", "staff", "--person", "x", "--out",
            "x.json"
        ]),
        "usage"
    );
    assert_eq!(
        city.fails(&[
            "hub",
            "enroll",
            "--data",
            "city",
            "--role",
            "kiosk",
            "--person",
            "x",
            "--out",
            "kiosk-01.json"
        ]),
        "file_exists"
    );
    assert_eq!(
        city.fails(&["hub", "init", "--data", "city"]),
        "key_file_exists"
    );
    assert_eq!(
        city.fails(&[
            "hub",
            "revoke",
            "--data",
            "city",
            "--cert",
            "cert-typo",
            "--out",
            "r.json"
        ]),
        "unknown_certificate"
    );
    assert_eq!(
        city.fails(&["hub", "init", "--data", "other", "--preset", "atlantis"]),
        "policy_unknown_preset"
    );
    // A credential of another city is refused by the store.
    city.ok(&["hub", "init", "--data", "other", "--now", now]);
    city.ok(&[
        "hub", "enroll", "--data", "other", "--role", "kiosk", "--person", "k9", "--out",
        "k9.json", "--now", now,
    ]);
    assert_eq!(
        city.fails(&[
            "device",
            "init",
            "--store",
            "township",
            "--credential",
            "k9.json",
            "--now",
            now
        ]),
        "device_other_city"
    );
    // Command-line mistakes are typed too.
    assert_eq!(
        city.fails(&["act", o, "review", "--store", "township"]),
        "usage"
    );
    assert_eq!(city.fails(&["frobnicate"]), "usage");
}

#[test]
fn credential_files_are_private_and_a_device_key_credential_has_no_secret() {
    let city = City::new();
    let v = city.ok(&[
        "hub",
        "enroll",
        "--data",
        "city",
        "--role",
        "staff",
        "--unit",
        "town-a",
        "--person",
        "staff-a9",
        "--display-name",
        "张伟",
        "--area",
        "410902",
        "--valid-days",
        "30",
        "--out",
        "a9.json",
        "--now",
        "2026-03-01T08:00:00+08:00",
    ]);
    assert_eq!(v["role"], "staff");
    assert_eq!(v["unit"], "town-a");
    assert_eq!(v["area"], "410902");
    assert_eq!(v["carries_private_key"], true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(city.path("a9.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let cred: Value =
        serde_json::from_slice(&std::fs::read(city.path("a9.json")).unwrap()).unwrap();
    assert!(cred["device_secret"].is_string());
    assert_eq!(cred["policy"]["id"], "turpan");

    let key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let v = city.ok(&[
        "hub",
        "enroll",
        "--data",
        "city",
        "--role",
        "kiosk",
        "--person",
        "kiosk-hw",
        "--device-key",
        key,
        "--out",
        "hw.json",
    ]);
    assert_eq!(v["unit"], "center");
    assert_eq!(v["carries_private_key"], false);
    let cred: Value =
        serde_json::from_slice(&std::fs::read(city.path("hw.json")).unwrap()).unwrap();
    assert!(cred.get("device_secret").is_none());
    // The store learns the person, but this terminal cannot sign for them.
    let init = city.ok(&[
        "device",
        "init",
        "--store",
        "hw-store",
        "--credential",
        "hw.json",
    ]);
    assert_eq!(init["can_sign"], false);
    assert_eq!(
        city.fails(&[
            "hub",
            "enroll",
            "--data",
            "city",
            "--role",
            "kiosk",
            "--person",
            "kiosk-bad",
            "--device-key",
            "abcd",
            "--out",
            "bad.json"
        ]),
        "invalid_encoding"
    );
    assert!(!city.path("bad.json").exists());
}

#[test]
fn hub_init_prints_the_root_fingerprint_and_sealing_key() {
    let terminal = Terminal::new(env!("CARGO_BIN_EXE_hotline"));
    let v = terminal.ok(&["hub", "init", "--data", "c", "--preset", "linshu"]);
    assert_eq!(v["policy"], "linshu");
    assert_eq!(v["root_fingerprint"].as_str().unwrap().len(), 16);
    assert_eq!(v["platform_sealing_public"].as_str().unwrap().len(), 64);
    let out = terminal.run(&["hub", "init", "--data", "c"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("错误 [key_file_exists]") && text.contains("error [key_file_exists]"));
}
