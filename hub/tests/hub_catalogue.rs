//! Categories and the dispatch catalogue through the hub: every device receives the signed
//! catalogue (kiosks included), an intake carries its category's form, the dispatch follows the
//! catalogue (国办函〔2025〕66号: 派单目录; an override states why; no functional-department
//! matter to a township), an approved return amends it — and the hub checks again what the
//! device checks, on SQLite and on PostgreSQL.

use std::collections::BTreeMap;

use hotline_core::Coded;
use hotline_core::catalogue::{AttributeValue, CategoryRef, DispatchRoute};
use hotline_core::device::{CategoryChoice, Device, SubmitRequest};
use hotline_core::error::ErrorCode;
use hotline_core::model::{Action, OrderId, RequestKind, Role, UnitId};
use hotline_core::store::InboxQuery;
use hotline_hub::RunningHub;
use hotline_testkit::hub::*;
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::workflow::{decide_return, register, request_return};
use hotline_testkit::*;

fn all() -> InboxQuery {
    InboxQuery {
        include_terminal: true,
        ..InboxQuery::default()
    }
}

fn night_work(started_at: &str) -> SubmitRequest {
    SubmitRequest {
        category: Some(CategoryChoice {
            code: "020101".into(),
            answers: BTreeMap::from([
                ("started_at".to_string(), started_at.to_string()),
                ("sources".to_string(), "crane,truck".to_string()),
            ]),
        }),
        ..request("工地夜间施工，塔吊和渣土车噪声很大")
    }
}

fn village(text: &str) -> SubmitRequest {
    SubmitRequest {
        kind: RequestKind::Help,
        category: Some(CategoryChoice {
            code: "0901".into(),
            answers: BTreeMap::from([("households".to_string(), "12".to_string())]),
        }),
        ..request(text)
    }
}

struct Town {
    city: City,
    hub: RunningHub,
    kiosk: Device,
    desk: Device,
    _cluster: Option<PgCluster>,
}

async fn town(on_postgres: bool) -> Town {
    let mut city = City::turpan();
    let kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let desk = city.device("desk", Role::Dispatcher, "center");
    city.device("staff-a", Role::Staff, UNIT_A);
    assert_eq!(city.issue_test_catalogue(), 2);
    let cluster = on_postgres.then(PgCluster::start);
    let hub = city
        .hub_on(cluster.as_ref().map(|c| c.conn_str("postgres")))
        .await;
    let mut town = Town {
        city,
        hub,
        kiosk,
        desk,
        _cluster: cluster,
    };
    sync(&town.hub, &mut town.kiosk).await;
    sync(&town.hub, &mut town.desk).await;
    town
}

async fn submit(t_: &mut Town, req: SubmitRequest) -> OrderId {
    let order = t_.kiosk.submit(None, req, t(MORNING)).unwrap().order;
    sync(&t_.hub, &mut t_.kiosk).await;
    sync(&t_.hub, &mut t_.desk).await;
    order
}

#[tokio::test]
async fn a_kiosk_receives_the_catalogue_and_its_intake_carries_the_form() {
    let mut town = town(false).await;
    // The kiosk, a public device that receives nobody's records, has the city's categories.
    assert_eq!(town.kiosk.catalogues().latest_version(), 2);
    let form = town
        .kiosk
        .catalogue()
        .unwrap()
        .catalogue
        .attributes("020101");
    assert_eq!(form.len(), 2);
    let order = submit(&mut town, night_work("2026-03-01T22:30:00+08:00")).await;
    // The desk sees what the citizen chose and answered, typed.
    let view = town.desk.show(&order).unwrap();
    let details = view.state.details.unwrap();
    assert_eq!(
        details.category,
        Some(CategoryRef {
            code: "020101".into(),
            version: 2
        })
    );
    assert_eq!(
        details.attributes["sources"],
        AttributeValue::Choices(vec!["crane".into(), "truck".into()])
    );
    assert!(matches!(
        details.attributes["started_at"],
        AttributeValue::Datetime(_)
    ));
    // Lists carry the category.
    let rows = town.desk.inbox(&all()).unwrap();
    assert!(
        rows.iter()
            .any(|r| r.order == order && r.category.as_deref() == Some("020101"))
    );
}

#[tokio::test]
async fn a_device_refuses_a_bad_form_before_storing_anything() {
    let mut town = town(false).await;
    let cases: Vec<(SubmitRequest, ErrorCode)> = vec![
        (night_work("last night"), ErrorCode::AttributeBadValue),
        (
            SubmitRequest {
                category: Some(CategoryChoice {
                    code: "020101".into(),
                    answers: BTreeMap::new(),
                }),
                ..request("夜间施工")
            },
            ErrorCode::AttributeMissing,
        ),
        (
            SubmitRequest {
                kind: RequestKind::Inquiry,
                ..night_work("2026-03-01T22:30:00+08:00")
            },
            ErrorCode::CategoryKindNotAllowed,
        ),
        (
            SubmitRequest {
                category: Some(CategoryChoice {
                    code: "7777".into(),
                    answers: BTreeMap::new(),
                }),
                ..request("?")
            },
            ErrorCode::CategoryUnknown,
        ),
    ];
    for (req, code) in cases {
        let e = town.kiosk.submit(None, req, t(MORNING)).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
    }
    assert!(town.kiosk.inbox(&all()).unwrap().is_empty());
}

/// A modified kiosk app skips the form's checks: the hub refuses with the device's codes.
async fn the_hub_checks_the_form_again(on_postgres: bool) {
    let town = town(on_postgres).await;
    let forged =
        |n: u32, category: Option<(&str, u64)>, attributes: Vec<(&str, AttributeValue)>| {
            let order = OrderId::new(format!("wo-forged-form-{n}"));
            let mut details = hotline_testkit::workflow::details(RequestKind::Complaint, false);
            details.id = order.clone();
            details.receipt = hotline_core::model::ReceiptCode(format!("R-FORM-{n}"));
            details.category = category.map(|(code, version)| CategoryRef {
                code: code.into(),
                version,
            });
            details.attributes = attributes
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            forged_submit(&town.city, "kiosk-1", &order, details, t(MORNING))
        };
    let started = AttributeValue::Datetime(t("2026-03-01T22:30:00+08:00"));
    let many: Vec<String> = (0..65).map(|i| format!("a{i}")).collect();
    let cases = [
        (forged(1, Some(("020101", 2)), vec![]), "attribute_missing"),
        (
            forged(
                2,
                Some(("020101", 2)),
                vec![("started_at", AttributeValue::Text("昨晚".into()))],
            ),
            "attribute_bad_value",
        ),
        (
            forged(
                3,
                Some(("020101", 2)),
                vec![
                    ("started_at", started.clone()),
                    ("sources", AttributeValue::Choices(vec!["boat".into()])),
                ],
            ),
            "attribute_bad_value",
        ),
        (
            forged(
                4,
                Some(("020101", 9)),
                vec![("started_at", started.clone())],
            ),
            "catalogue_version_unknown",
        ),
        (
            forged(5, None, vec![("started_at", started.clone())]),
            "attributes_without_category",
        ),
        (forged(6, Some(("nope", 2)), vec![]), "category_unknown"),
        // Oversized answers are refused whatever the form says: 65 of them, or 6,000 characters.
        (
            forged(
                8,
                Some(("020101", 2)),
                many.iter().map(|n| (n.as_str(), started.clone())).collect(),
            ),
            "too_many_items",
        ),
        (
            forged(
                9,
                Some(("020101", 2)),
                vec![
                    ("started_at", started.clone()),
                    ("site", AttributeValue::Text("工".repeat(6_000))),
                ],
            ),
            "field_too_long",
        ),
        // A form filled from an older version is judged by that version (version 1, the
        // default tree, has night construction too).
        (
            forged(
                7,
                Some(("020101", 1)),
                vec![("started_at", started.clone())],
            ),
            "applied",
        ),
    ];
    for (change, want) in cases {
        let resp = push(&town.hub, &town.kiosk, std::slice::from_ref(&change))
            .await
            .unwrap();
        let got = resp
            .refused
            .first()
            .map_or("applied".to_string(), |r| r.code.clone());
        assert_eq!(got, want, "{}", change.order);
        assert_eq!(hub_has(&town.hub, &hash_of(&change)), want == "applied");
    }
}

#[tokio::test]
async fn the_hub_checks_the_form_again_on_sqlite() {
    the_hub_checks_the_form_again(false).await;
}

#[tokio::test]
async fn the_hub_checks_the_form_again_on_postgres() {
    the_hub_checks_the_form_again(true).await;
}

#[tokio::test]
async fn the_dispatch_follows_the_catalogue_and_an_override_says_why() {
    let mut town = town(false).await;
    let order = submit(&mut town, village("村里道路坑洼，希望修整")).await;
    let desk = &mut town.desk;
    desk.act(None, &order, register(), t(MORNING)).unwrap();
    let p = desk.dispatch_proposal(&order).unwrap().unwrap();
    assert_eq!(p.lead, UnitId::new(UNIT_A));
    assert_eq!((p.category.as_str(), p.division.as_str()), ("09", "410902"));
    // Another unit without a reason is refused; with one, it goes.
    let e = desk
        .act(None, &order, dispatch(UNIT_B), t(MORNING))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::DispatchOverrideNeedsReason);
    let with_reason = dispatch_overriding(UNIT_B, "涉及道路产权，属胜利街道管理");
    let view = desk.act(None, &order, with_reason, t(MORNING)).unwrap();
    assert_eq!(view.state.lead_unit, Some(UnitId::new(UNIT_B)));
}

#[tokio::test]
async fn a_functional_matter_never_goes_to_a_township() {
    let mut town = town(false).await;
    let order = submit(&mut town, night_work("2026-03-01T22:30:00+08:00")).await;
    town.desk.act(None, &order, register(), t(MORNING)).unwrap();
    sync(&town.hub, &mut town.desk).await;
    // On the device, even with a reason.
    let to_township = dispatch_overriding(UNIT_A, "就近处理");
    let e = town
        .desk
        .act(None, &order, to_township.clone(), t(MORNING))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::FunctionalMatterToTownship);
    // And at the hub, from a modified app.
    let forged = forged_change(
        &town.city,
        &town.desk,
        &order,
        "desk",
        "desk",
        t(LATER),
        to_township,
    );
    assert_eq!(
        refusal_of(&town.hub, &town.desk, &forged).await,
        "functional_matter_to_township"
    );
    // The department the catalogue names takes it.
    let p = town.desk.dispatch_proposal(&order).unwrap().unwrap();
    assert_eq!(p.lead, UnitId::new(UNIT_B));
    town.desk
        .act(None, &order, dispatch(UNIT_B), t(LATER))
        .unwrap();
}

#[tokio::test]
async fn an_approved_return_amends_the_catalogue_for_the_next_order() {
    let mut town = town(false).await;
    let first = submit(&mut town, village("村委会账目不公开")).await;
    register_and_dispatch(&mut town.desk, &first, UNIT_A, t(MORNING));
    sync(&town.hub, &mut town.desk).await;
    let mut staff_a = Device::open(&town.city.dir("staff-a")).unwrap();
    sync(&town.hub, &mut staff_a).await;
    staff_a
        .act(None, &first, request_return(true), t(MORNING))
        .unwrap();
    sync(&town.hub, &mut staff_a).await;
    sync(&town.hub, &mut town.desk).await;
    // Denying cannot amend; approving can.
    let amend = DispatchRoute {
        category: "0901".into(),
        division: "410902".into(),
        lead: UnitId::new(UNIT_B),
        assisting: vec![UnitId::new(UNIT_A)],
    };
    let mut deny = decide_return(false);
    let mut approve = decide_return(true);
    for a in [&mut deny, &mut approve] {
        if let Action::DecideReturn {
            amend_catalogue, ..
        } = a
        {
            *amend_catalogue = Some(amend.clone());
        }
    }
    let e = town.desk.act(None, &first, deny, t(LATER)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::AmendmentNeedsApproval);
    town.desk.act(None, &first, approve, t(LATER)).unwrap();
    sync(&town.hub, &mut town.desk).await;
    // The next order of the kind goes right the first time — on this desk and on another
    // center device that receives the decision by sync.
    let next = submit(&mut town, village("村务公开栏长期未更新")).await;
    let p = town.desk.dispatch_proposal(&next).unwrap().unwrap();
    assert_eq!(p.lead, UnitId::new(UNIT_B));
    assert_eq!(p.assisting, vec![UnitId::new(UNIT_A)]);
    assert!(p.amended_by.is_some());
    let mut desk_2 = town.city.device("desk-2", Role::Dispatcher, "center");
    sync(&town.hub, &mut desk_2).await;
    assert_eq!(
        desk_2.dispatch_proposal(&next).unwrap().unwrap().lead,
        UnitId::new(UNIT_B)
    );
}

#[tokio::test]
async fn a_catalogue_from_another_root_is_refused() {
    let mut town = town(false).await;
    let other = City::turpan();
    let foreign = other.authority.catalogues()[0].clone();
    let mut renumbered = foreign.clone();
    renumbered.version = 99;
    let e = town.kiosk.accept_catalogue(&renumbered).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CatalogueBadSignature);
    assert_eq!(town.kiosk.catalogues().latest_version(), 2);
}
