//! The knowledge base (知识库): signed items that units and the center publish and update, that
//! reach every device through the hub — kiosks included — and that search finds offline in
//! Chinese mixed with numbers and Latin letters; an instant answer names the item and version
//! (DOMAIN.md, Puyang: items keep legal basis, conditions, materials, process, fees, place,
//! time limit, notes; updated within a week of a policy change).

use chrono::NaiveDate;
use hotline_core::Coded;
use hotline_core::device::{Device, KbDraft, WireChange, verify_incoming};
use hotline_core::error::ErrorCode;
use hotline_core::kb::{KbFields, SignedKb, update_duties};
use hotline_core::model::{RequestKind, Role, UnitId};
use hotline_core::sync::http::messages::SYNC_PATH;
use hotline_core::sync::wire::{self, SyncRequest, SyncResponse};
use hotline_core::sync::{HubStorage, serve, sign_request};
use hotline_core::workflow::Status;
use hotline_testkit::link::MemoryHub;
use hotline_testkit::*;

const SOCIAL: &str = "unit-social-security";
const POLICE: &str = "unit-public-security";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn draft(id: &str, unit: &str, title: &str, answer: &str, materials: &str) -> KbDraft {
    KbDraft {
        id: id.into(),
        unit: Some(UnitId::new(unit)),
        title: title.into(),
        answer: answer.into(),
        fields: KbFields {
            materials: materials.into(),
            place: "市民之家二楼综合窗口".into(),
            ..KbFields::default()
        },
        ..KbDraft::default()
    }
}

/// A township's knowledge base as the center keeps it: (id, unit, title, answer, materials).
const ITEMS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "kb-residence-permit",
        POLICE,
        "居住证办理",
        "在本市居住满半年，有合法稳定就业、住所或连续就读的，可以申领居住证。",
        "身份证、居住登记凭证、近期免冠照片",
    ),
    (
        "kb-newborn-hukou",
        POLICE,
        "新生儿落户",
        "新生儿出生一个月内，由监护人到父亲或母亲户口所在地派出所申报出生登记。",
        "出生医学证明、父母户口簿、结婚证",
    ),
    (
        "kb-medical-transfer",
        SOCIAL,
        "医保异地就医备案",
        "参保人员异地就医前，可通过国家医保服务平台App或窗口办理备案，备案后直接结算。",
        "医保电子凭证或社保卡",
    ),
    (
        "kb-min-living",
        SOCIAL,
        "最低生活保障（低保）申请",
        "家庭人均收入低于当地低保标准、家庭财产符合规定的，可向户籍所在地乡镇（街道）申请低保。",
        "身份证、户口簿、收入证明",
    ),
    (
        "kb-housing-fund",
        SOCIAL,
        "住房公积金提取",
        "购房、租房、退休等情形可以提取住房公积金，线上通过公积金App办理。",
        "身份证、购房合同或租房备案",
    ),
    (
        "kb-etc",
        POLICE,
        "ETC卡办理与注销",
        "ETC卡可在合作银行网点或高速服务区办理，车辆过户前须先注销ETC。",
        "行驶证、身份证、银行卡",
    ),
    (
        "kb-5g-tower",
        SOCIAL,
        "5G基站电磁辐射咨询",
        "5G基站的电磁辐射须符合国家标准GB 8702-2014，生态环境部门可上门检测。",
        "",
    ),
    (
        "kb-hotline",
        SOCIAL,
        "12345热线受理范围",
        "12345热线受理企业和群众的咨询、求助、投诉、举报和建议，110、119、120等紧急事项请直接拨打对应电话。",
        "",
    ),
    (
        "kb-property-cert",
        SOCIAL,
        "不动产权证书办理",
        "新建商品房买受人可在交房后申请办理不动产权证书，一般5个工作日办结。",
        "购房合同、发票、身份证",
    ),
    (
        "kb-pm25",
        SOCIAL,
        "PM2.5空气质量查询",
        "空气质量和PM2.5实时数据可在生态环境局网站和微信公众号查询。",
        "",
    ),
    (
        "kb-id-card",
        POLICE,
        "身份证补领",
        "身份证丢失的，可到户籍所在地或居住地派出所补领，异地也可办理。",
        "户口簿、近期照片",
    ),
    (
        "kb-pension",
        SOCIAL,
        "养老保险缴费",
        "灵活就业人员可通过税务App或银行按月或按年缴纳城镇职工养老保险。",
        "",
    ),
];

/// The center desk publishes every item (the center may keep any unit's).
fn published(city: &mut City) -> Device {
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let now = t("2026-03-02T09:00:00+08:00");
    for (id, unit, title, answer, materials) in ITEMS {
        desk.kb_publish(None, draft(id, unit, title, answer, materials), now)
            .unwrap();
    }
    desk
}

fn top(device: &Device, query: &str) -> Option<String> {
    let now = t("2026-03-05T10:00:00+08:00");
    device
        .kb_search(query, 3, now)
        .unwrap()
        .first()
        .map(|h| h.item.id.clone())
}

#[test]
fn real_chinese_queries_find_the_item_a_citizen_means() {
    let mut city = City::new("puyang");
    let desk = published(&mut city);
    // (query, expected first hit): plain simplified Chinese, mixed with numbers and Latin
    // letters, and queries sharing no whitespace-separated word with the item.
    let cases: &[(&str, &str)] = &[
        ("怎么办居住证", "kb-residence-permit"),
        ("孩子刚出生怎么上户口", "kb-newborn-hukou"),
        ("去外地看病医保怎么报销备案", "kb-medical-transfer"),
        ("低保申请条件", "kb-min-living"),
        ("公积金怎么取出来", "kb-housing-fund"),
        ("ETC注销", "kb-etc"),
        ("etc卡", "kb-etc"),
        ("小区旁边建了5G基站有辐射吗", "kb-5g-tower"),
        ("12345能管什么", "kb-hotline"),
        ("新买的房子办不动产证要多久", "kb-property-cert"),
        ("pm2.5", "kb-pm25"),
        ("ＰＭ２．５数据", "kb-pm25"),
        ("身份证丢了", "kb-id-card"),
        ("灵活就业交养老保险", "kb-pension"),
    ];
    for (query, want) in cases {
        assert_eq!(top(&desk, query).as_deref(), Some(*want), "query {query}");
    }
    // Nothing to search for: no hits, no error.
    assert_eq!(top(&desk, "，。！"), None);
    assert_eq!(top(&desk, "天气预报明天下雨"), None);
}

#[test]
fn an_update_replaces_the_item_and_an_expired_one_is_not_offered() {
    let mut city = City::new("puyang");
    let mut desk = published(&mut city);
    let now = t("2026-03-03T09:00:00+08:00");
    let mut update = draft(
        "kb-residence-permit",
        POLICE,
        "居住证办理（新规）",
        "自2026年3月1日起，居住证可在“豫事办”App全程网办。",
        "身份证",
    );
    update.expected_version = Some(1);
    update.policy_date = Some(day("2026-03-01"));
    let item = desk.kb_publish(None, update.clone(), now).unwrap();
    assert_eq!(item.version, 2);
    let hit = desk.kb_search("居住证", 1, now).unwrap();
    assert_eq!(hit[0].item.version, 2);
    assert!(hit[0].item.answer.contains("网办"));
    // The old version is kept: an answer given from it still names what the citizen read.
    assert!(
        desk.store()
            .kb_item_version("kb-residence-permit", 1)
            .unwrap()
            .is_some()
    );
    // An update made on a stale copy is refused rather than undoing the newer one.
    let err = desk.kb_publish(None, update, now).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KbVersionStale);

    let mut expired = draft(
        "kb-old-subsidy",
        SOCIAL,
        "2025年取暖补贴",
        "2025年取暖补贴已发放完毕。",
        "",
    );
    expired.valid_until = Some(day("2026-02-28"));
    desk.kb_publish(None, expired, now).unwrap();
    assert!(desk.kb_search("取暖补贴", 5, now).unwrap().is_empty());
}

#[test]
fn who_may_keep_which_items() {
    let mut city = City::new("puyang");
    let mut staff = city.device("staff", Role::Staff, SOCIAL);
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let now = t("2026-03-02T09:00:00+08:00");
    // A unit keeps its own items…
    staff
        .kb_publish(
            None,
            draft("kb-a", SOCIAL, "社保卡补办", "到银行网点补办。", ""),
            now,
        )
        .unwrap();
    // …not another unit's; and a kiosk keeps none.
    let err = staff
        .kb_publish(
            None,
            draft("kb-b", POLICE, "户口迁移", "到派出所办理。", ""),
            now,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KbNotPermitted);
    let err = kiosk
        .kb_publish(None, draft("kb-c", SOCIAL, "社保", "社保。", ""), now)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KbNotPermitted);
    // Bad input is a typed refusal, nothing stored.
    let err = staff
        .kb_publish(None, draft("bad id!", SOCIAL, "标题", "答复", ""), now)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KbItemInvalid);
    let err = staff
        .kb_publish(None, draft("kb-d", SOCIAL, "  ", "答复", ""), now)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KbItemInvalid);
    // A version cannot carry a policy dated after it was made (it would meet every later
    // policy change in advance).
    let mut ahead = draft("kb-e", SOCIAL, "标题", "答复", "");
    ahead.policy_date = Some(day("2026-12-31"));
    let err = staff.kb_publish(None, ahead, now).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KbItemInvalid);
    assert_eq!(staff.kb_items(None).unwrap().len(), 1);
}

#[test]
fn items_reach_every_device_through_the_hub_kiosks_included() {
    let mut city = City::new("puyang");
    // The kiosk is enrolled first: it has never heard of the people who publish.
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let mut staff = city.device("staff", Role::Staff, SOCIAL);
    let mut phone = city.device("phone", Role::Staff, POLICE);
    let mut hub = MemoryHub::new(&city, "hub");
    let now = t("2026-03-02T09:00:00+08:00");
    for (id, _, title, answer, materials) in ITEMS.iter().filter(|i| i.1 == SOCIAL) {
        staff
            .kb_publish(None, draft(id, SOCIAL, title, answer, materials), now)
            .unwrap();
    }
    hub.sync(&mut staff, now);
    hub.sync(&mut kiosk, now);
    hub.sync(&mut phone, now);
    for device in [&kiosk, &phone] {
        assert_eq!(device.kb_items(None).unwrap().len(), 8);
        assert_eq!(
            top(device, "低保申请条件").as_deref(),
            Some("kb-min-living")
        );
    }
    // The kiosk received the knowledge base and, of the city's people, only the certificate
    // that signed it (to check it): not the police phone's.
    let mut known: Vec<String> = kiosk
        .trust()
        .certificates()
        .map(|c| c.body.person.0.clone())
        .collect();
    known.sort();
    assert_eq!(known, ["kiosk", "staff"]);

    // An update reaches them in the next sync; an idle sync moves nothing.
    let later = t("2026-03-04T09:00:00+08:00");
    let mut update = draft(
        "kb-min-living",
        SOCIAL,
        "低保申请（2026年标准）",
        "2026年城市低保标准为每人每月780元。",
        "",
    );
    update.expected_version = Some(1);
    staff.kb_publish(None, update, later).unwrap();
    hub.sync(&mut staff, later);
    hub.sync(&mut kiosk, later);
    assert_eq!(kiosk.kb_item("kb-min-living").unwrap().unwrap().version, 2);
    let (up, down) = hub.sync(&mut kiosk, later);
    assert!(up + down < 1_000, "an idle round costs {up} + {down} bytes");
}

#[test]
fn the_hub_refuses_records_nobody_could_have_made() {
    let mut city = City::new("puyang");
    let mut social = city.device("staff-social", Role::Staff, SOCIAL);
    let mut police = city.device("staff-police", Role::Staff, POLICE);
    let mut hub = MemoryHub::new(&city, "hub");
    let now = t("2026-03-02T09:00:00+08:00");
    social
        .kb_publish(
            None,
            draft("kb-min-living", SOCIAL, "低保", "低保答复", ""),
            now,
        )
        .unwrap();
    hub.sync(&mut social, now);
    let genuine = social.store().kb_records_after(0, 10, 1 << 20).unwrap()[0]
        .signed
        .clone();

    // Altered after signing: the signature no longer holds.
    let mut altered = genuine.clone();
    let text = String::from_utf8(altered.payload.clone()).unwrap();
    altered.payload = text.replace("低保答复", "请到police办理").into_bytes();
    // Relabelled with another person's certificate: the signature is not theirs.
    let mut relabelled = genuine.clone();
    relabelled.cert = police.identities()[0].certificate.body.id.0.clone();
    // Police staff writing an item in the social-security unit's name: the record says so,
    // signed by police staff whose certificate says otherwise.
    let police_cert = police.identities()[0].certificate.clone();
    let forged_author = {
        let mut text: serde_json::Value = serde_json::from_slice(&genuine.payload).unwrap();
        text["by"]["person"] = serde_json::json!(police_cert.body.person.0);
        text["change"]["item"]["version"] = serde_json::json!(2);
        serde_json::to_vec(&text).unwrap()
    };
    let signed_by_police = {
        let message =
            hotline_core::identity::knowledge_message(&police_cert.body.id, &forged_author);
        SignedKb {
            cert: police_cert.body.id.0.clone(),
            signature: police.identities()[0]
                .sign(&message)
                .unwrap()
                .to_tagged_bytes(),
            payload: forged_author,
        }
    };
    for (bad, code) in [
        (altered, ErrorCode::BadSignature),
        (relabelled, ErrorCode::BadSignature),
        (signed_by_police, ErrorCode::ActorMismatch),
    ] {
        let err = bad.verify(hub.hub.device().trust()).unwrap_err();
        assert_eq!(err.code(), code);
        // Pushed raw by a peer, it is refused and nothing changes at the hub.
        let before = hub.hub.device().kb_items(None).unwrap();
        let answer = push_raw(&mut hub, &police, bad, now);
        assert_eq!(
            answer
                .kb_refused
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>(),
            [code.as_str()]
        );
        assert_eq!(hub.hub.device().kb_items(None).unwrap(), before);
    }
    // Another unit taking over an item by publishing its own "version 1" of it.
    police
        .kb_publish(
            None,
            draft("kb-min-living", POLICE, "低保", "请到派出所", ""),
            now,
        )
        .unwrap();
    let takeover = police.store().kb_records_after(0, 10, 1 << 20).unwrap()[0]
        .signed
        .clone();
    let answer = push_raw(&mut hub, &police, takeover, now);
    assert_eq!(
        answer.kb_refused[0].code,
        ErrorCode::KbOwnerMismatch.as_str()
    );
    // A version claiming a time two days ahead of the hub's clock (to look on time later).
    let ahead = now + chrono::Duration::days(2);
    let mut update = draft("kb-min-living", SOCIAL, "低保（新）", "新标准", "");
    update.expected_version = Some(1);
    social.kb_publish(None, update, ahead).unwrap();
    let future = social.store().kb_records_after(0, 10, 1 << 20).unwrap()[1]
        .signed
        .clone();
    let answer = push_raw(&mut hub, &social, future, now);
    assert_eq!(
        answer.kb_refused[0].code,
        ErrorCode::ChangeFromTheFuture.as_str()
    );
    assert_eq!(
        hub.hub
            .device()
            .kb_item("kb-min-living")
            .unwrap()
            .unwrap()
            .unit,
        UnitId::new(SOCIAL)
    );
}

/// What the hub answers to a request from `device` pushing one knowledge-base record.
fn push_raw(
    hub: &mut MemoryHub,
    device: &Device,
    record: SignedKb,
    now: chrono::DateTime<chrono::Utc>,
) -> SyncResponse {
    push_many(hub, device, vec![record], now).unwrap()
}

/// The hub's answer to a request pushing `records`, or why it refused the request whole.
fn push_many(
    hub: &mut MemoryHub,
    device: &Device,
    records: Vec<SignedKb>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SyncResponse, hotline_core::sync::SyncError> {
    let body = wire::encode(&SyncRequest {
        protocol: wire::PROTOCOL,
        at: now.timestamp_millis(),
        received_upto: 0,
        certs_known: 0,
        revocation_seq: 0,
        catalogue_version: 0,
        push_upto: 0,
        certs: Vec::new(),
        push: Vec::new(),
        max_pull: 1024,
        resend: Vec::new(),
        kb_received: 0,
        kb_push_upto: 1,
        kb_push: records,
        access_push: Vec::new(),
    })
    .unwrap();
    let req = sign_request(device, None, SYNC_PATH, &[], body).unwrap();
    serve(&mut hub.hub, &hub.dir, &req, now).map(|(answer, _)| answer)
}

#[test]
fn the_hub_bounds_what_a_peer_pushes_as_the_knowledge_base() {
    let mut city = City::new("puyang");
    let staff = city.device("staff-social", Role::Staff, SOCIAL);
    let mut hub = MemoryHub::new(&city, "hub");
    let now = t("2026-03-02T09:00:00+08:00");
    let identity = &staff.identities()[0];
    // Signed for real, but with a field over its limit (a modified app skipping the checks).
    let oversized = serde_json::json!({
        "at": "2026-03-02T01:00:00Z",
        "by": { "person": "staff-social", "role": "staff", "unit": SOCIAL },
        "change": { "type": "publish", "item": {
            "id": "kb-long", "version": 1, "unit": SOCIAL,
            "title": "长".repeat(hotline_core::kb::MAX_TITLE_CHARS + 1), "answer": "答复" } }
    });
    let payload = serde_json::to_vec(&oversized).unwrap();
    let cert = &identity.certificate.body.id;
    let signature = identity
        .sign(&hotline_core::identity::knowledge_message(cert, &payload))
        .unwrap()
        .to_tagged_bytes();
    let record = SignedKb {
        cert: cert.0.clone(),
        signature,
        payload,
    };
    let answer = push_raw(&mut hub, &staff, record.clone(), now);
    assert_eq!(answer.kb_refused[0].code, ErrorCode::KbItemInvalid.as_str());
    assert!(hub.hub.device().kb_items(None).unwrap().is_empty());
    // Garbage by the thousand: more records than a request may carry is refused whole, before
    // any is looked at; a full request of garbage is refused record by record.
    let garbage = SignedKb {
        cert: cert.0.clone(),
        signature: vec![7; 64],
        payload: b"{not json".to_vec(),
    };
    let err = push_many(
        &mut hub,
        &staff,
        vec![garbage.clone(); wire::MAX_KB_PUSH + 1],
        now,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SyncMalformed);
    let answer = push_many(&mut hub, &staff, vec![garbage; wire::MAX_KB_PUSH], now).unwrap();
    assert_eq!(answer.kb_refused.len(), wire::MAX_KB_PUSH);
    assert!(
        answer
            .kb_refused
            .iter()
            .all(|r| r.code == ErrorCode::KbRecordUndecodable.as_str())
    );
    assert!(hub.hub.device().kb_items(None).unwrap().is_empty());
}

#[test]
fn a_kiosk_answers_the_inquiry_it_took_naming_the_item_and_version() {
    let mut city = City::new("puyang");
    let mut desk = published(&mut city);
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let mut other_kiosk = city.device("kiosk-2", Role::Kiosk, "center");
    let mut hub = MemoryHub::new(&city, "hub");
    let now = t("2026-03-05T10:00:00+08:00");
    hub.sync(&mut desk, now);
    hub.sync(&mut kiosk, now);

    let hit = kiosk.kb_search("居住证怎么办", 1, now).unwrap().remove(0);
    let mut inquiry = request("请问居住证怎么办理");
    inquiry.kind = RequestKind::Inquiry;
    let sub = kiosk
        .answer_from_kb(None, inquiry.clone(), &hit.item.id, hit.item.version, now)
        .unwrap();
    let state = kiosk.show(&sub.order).unwrap().state;
    assert_eq!(state.status, Status::AnsweredInstantly);
    let answer = state.instant_answer.unwrap();
    assert_eq!(
        (answer.kb_item.as_str(), answer.kb_version),
        ("kb-residence-permit", Some(1))
    );
    // The hub takes it (it holds that version) and it counts for the direct-answer rate.
    hub.sync(&mut kiosk, now);
    assert_eq!(
        hub.hub.device().show(&sub.order).unwrap().state.status,
        Status::AnsweredInstantly
    );

    // A version nobody published, and a complaint, are refused before anything is stored.
    let err = kiosk
        .answer_from_kb(None, inquiry.clone(), "kb-residence-permit", 9, now)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KbItemUnknown);
    let err = kiosk
        .answer_from_kb(None, request("路灯不亮"), "kb-residence-permit", 1, now)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InstantAnswerKind);

    // A kiosk answers only its own inquiry: another kiosk's is not its to close.
    let theirs = other_kiosk.submit(None, inquiry, now).unwrap();
    city.introduce(&mut kiosk);
    copy_order(&other_kiosk, &mut kiosk, &theirs.order, now);
    let err = kiosk
        .act(
            None,
            &theirs.order,
            hotline_core::model::Action::InstantAnswer {
                kb_item: "kb-residence-permit".into(),
                answer: "a".into(),
                kb_version: Some(1),
            },
            now,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotOwnSubmission);
}

#[test]
fn the_hub_refuses_an_answer_citing_an_item_it_does_not_hold() {
    let mut city = City::new("puyang");
    let mut intake = city.device("intake", Role::Intake, "center");
    let hub = MemoryHub::new(&city, "hub");
    let now = t("2026-03-05T10:00:00+08:00");
    // The intake desk publishes an item and answers from it, but only the answer reaches the
    // hub (a peer relaying the order without the record).
    intake
        .kb_publish(None, draft("kb-x", SOCIAL, "社保卡", "到银行补办", ""), now)
        .unwrap();
    let mut inquiry = request("社保卡丢了怎么办");
    inquiry.kind = RequestKind::Inquiry;
    let sub = intake
        .answer_from_kb(None, inquiry, "kb-x", 1, now)
        .unwrap();
    let changes: Vec<WireChange> = intake
        .export_changes(&sub.order)
        .unwrap()
        .iter()
        .map(WireChange::from)
        .collect();
    let mut hub = hub;
    let checked = verify_incoming(hub.hub.device().trust(), &changes);
    let outcomes = hub.hub.ingest(&changes, checked, "relay", now).unwrap();
    assert!(outcomes[0].is_ok(), "the submission stands");
    assert_eq!(
        outcomes[1].as_ref().unwrap_err().code(),
        ErrorCode::KbItemUnknown
    );
}

#[test]
fn a_policy_change_not_in_the_knowledge_base_within_a_week_is_late() {
    let mut city = City::new("puyang");
    let mut staff = city.device("staff", Role::Staff, SOCIAL);
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut hub = MemoryHub::new(&city, "hub");
    let t0 = t("2026-03-02T09:00:00+08:00");
    for id in ["kb-on-time", "kb-late", "kb-owed"] {
        staff
            .kb_publish(
                None,
                draft(id, SOCIAL, "医保报销比例", "按规定报销。", ""),
                t0,
            )
            .unwrap();
    }
    hub.sync(&mut staff, t0);
    hub.sync(&mut desk, t0);
    // The center flags that the policy behind each changed on 3 March.
    for id in ["kb-on-time", "kb-late", "kb-owed"] {
        desk.kb_policy_changed(None, id, day("2026-03-03"), "新医保目录".into(), t0)
            .unwrap();
    }
    hub.sync(&mut desk, t0);
    hub.sync(&mut staff, t0);
    let update = |id: &str| KbDraft {
        policy_date: Some(day("2026-03-03")),
        ..draft(id, SOCIAL, "医保报销比例（2026）", "按新目录报销。", "")
    };
    // Due 10 March: one updated on the 9th, one on the 13th (3 days late), one not at all.
    staff
        .kb_publish(None, update("kb-on-time"), t("2026-03-09T16:00:00+08:00"))
        .unwrap();
    staff
        .kb_publish(None, update("kb-late"), t("2026-03-13T10:00:00+08:00"))
        .unwrap();
    let now = t("2026-03-15T10:00:00+08:00");
    let duties = staff.kb_duties(now).unwrap();
    let late: Vec<(&str, u32, bool)> = duties
        .iter()
        .map(|d| (d.item.as_str(), d.days_late, d.updated_at.is_some()))
        .collect();
    assert_eq!(
        late,
        [
            ("kb-late", 3, true),
            ("kb-on-time", 0, true),
            ("kb-owed", 5, false)
        ]
    );
    assert!(duties.iter().all(|d| d.due == day("2026-03-10")));
    // The same answer from the records alone (what the hub or any device computes).
    let records = staff.store().kb_records().unwrap();
    assert_eq!(update_duties(&records, now), duties);
}
