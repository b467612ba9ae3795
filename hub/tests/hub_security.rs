//! Security against a running hub over loopback: every forged, tampered, replayed, revoked,
//! expired or out-of-bounds change pushed through a real HTTP request is refused with its typed
//! reason, never stored, and logged; requests from unknown, revoked or expired certificates are
//! refused whole (401/403).

use hotline_core::device::Device;
use hotline_core::model::{Action, Role, Satisfaction, SupervisionForm, SupervisionTrigger};
use hotline_core::sync::wire;
use hotline_testkit::hub::*;
use hotline_testkit::*;

const SYNC: &str = "/v1/sync";

#[tokio::test]
async fn a_forged_signature_is_refused_and_logged() {
    let s = scene().await;
    let mut c = forged_change(
        &s.city,
        &s.desk,
        &s.order,
        "staff-a",
        "staff-a",
        t(LATER),
        sign_for(),
    );
    c.signature[10] ^= 0x01;
    assert_eq!(refusal_of(&s.hub, &s.staff_a, &c).await, "bad_signature");
    assert!(!hub_has(&s.hub, &hash_of(&c)));
    assert_eq!(hub_refusal_codes(&s.hub), vec!["bad_signature"]);
}

#[tokio::test]
async fn a_tampered_change_is_refused() {
    let s = scene().await;
    let good = forged_change(
        &s.city,
        &s.desk,
        &s.order,
        "staff-a",
        "staff-a",
        t(LATER),
        sign_for(),
    );
    let before = hub_change_count(&s.hub);
    // A byte of the change altered in transit, the signature left as it was.
    for at in [good.bytes.len() - 3, good.bytes.len() / 2, 12] {
        let mut bad = good.clone();
        bad.bytes[at] ^= 0x20;
        let code = refusal_of(&s.hub, &s.staff_a, &bad).await;
        assert!(
            code == "bad_signature" || code == "doc_bad_change",
            "byte {at}: {code}"
        );
    }
    // The same change filed under another order (the order id travels beside the signed
    // bytes): it does not fit that order's history.
    let mut moved = good.clone();
    moved.order = hotline_core::model::OrderId::new("wo-another");
    let code = refusal_of(&s.hub, &s.staff_a, &moved).await;
    assert!(
        code == "change_missing_dependency" || code.starts_with("doc_"),
        "{code}"
    );
    assert_eq!(hub_change_count(&s.hub), before);
    // The genuine one still goes in.
    let resp = push(&s.hub, &s.staff_a, &[good]).await.unwrap();
    assert!(resp.refused.is_empty(), "{:?}", resp.refused);
    assert_eq!(hub_change_count(&s.hub), before + 1);
}

#[tokio::test]
async fn a_replayed_change_or_request_is_stored_once() {
    let s = scene().await;
    let c = forged_change(
        &s.city,
        &s.desk,
        &s.order,
        "staff-a",
        "staff-a",
        t(LATER),
        sign_for(),
    );
    let before = hub_change_count(&s.hub);
    let req =
        wire::encode(&push_request(&s.hub, &s.staff_a, std::slice::from_ref(&c)).await).unwrap();
    post_raw(&s.hub, SYNC, req.clone()).await.unwrap();
    for _ in 0..2 {
        // The very same signed request, captured and sent again: its challenge is used up.
        let (status, err) = post_raw(&s.hub, SYNC, req.clone()).await.unwrap_err();
        assert_eq!(
            (status, err.error.code.as_str()),
            (401, "sync_stale_challenge")
        );
    }
    // The change again, in a fresh request relayed by someone else.
    let resp = push(&s.hub, &s.desk, std::slice::from_ref(&c))
        .await
        .unwrap();
    assert!(
        resp.refused.is_empty(),
        "a replay is not an error: {:?}",
        resp.refused
    );
    assert_eq!(hub_change_count(&s.hub), before + 1);
    let history = s
        .hub
        .inspect(|d| d.show(&s.order).unwrap().state.history)
        .unwrap();
    let forged_events = history
        .iter()
        .filter(|h| h.event.id.0.starts_with("ev-forged"))
        .count();
    assert_eq!(forged_events, 1);
    assert!(hub_refusal_codes(&s.hub).is_empty());
}

#[tokio::test]
async fn a_revoked_certificate_is_refused_from_its_next_request_on() {
    let mut s = scene().await;
    let c = forged_change(
        &s.city,
        &s.desk,
        &s.order,
        "staff-a",
        "staff-a",
        t(LATER),
        sign_for(),
    );
    let cert = s
        .staff_a
        .identity(None)
        .unwrap()
        .certificate
        .body
        .id
        .clone();
    // Revoked at the authority while the hub runs (what `hotline hub revoke` does).
    s.city
        .authority
        .revoke(&[cert], t("2026-03-02T10:00:00+08:00"))
        .unwrap();
    // Its own request is refused whole.
    let (status, err) = push(&s.hub, &s.staff_a, std::slice::from_ref(&c))
        .await
        .unwrap_err();
    assert_eq!(
        (status, err.error.code.as_str()),
        (403, "certificate_revoked")
    );
    // Relayed by a valid device, the change itself is refused.
    assert_eq!(refusal_of(&s.hub, &s.desk, &c).await, "certificate_revoked");
    assert!(!hub_has(&s.hub, &hash_of(&c)));
    // Through the client, the device learns the typed reason.
    let err = try_sync(&s.hub, &mut s.staff_a).await.unwrap_err();
    assert_eq!(
        hotline_core::Coded::code(&err).as_str(),
        "certificate_revoked"
    );
    // Everyone else hears of the revocation at their next sync.
    sync(&s.hub, &mut s.kiosk).await;
    assert!(s.kiosk.trust().revocations().is_some());
}

#[tokio::test]
async fn an_expired_certificate_is_refused() {
    let mut s = scene().await;
    // A supervisor enrolled for January only, while the hub runs.
    let cred = s.city.credential_valid(
        Role::Supervisor,
        "center",
        "sup-jan",
        t("2026-01-01T00:00:00+08:00"),
        31,
    );
    let sup = Device::init(
        &s.city.dir("sup-jan"),
        &cred,
        t("2026-01-10T09:00:00+08:00"),
    )
    .unwrap();
    let supervise = Action::Supervise {
        trigger: SupervisionTrigger::HotIssue,
        form: SupervisionForm::Daily,
        note: "集中反映".into(),
    };
    // Signed in March, after the certificate ended.
    let c = forged_change(
        &s.city,
        &s.desk,
        &s.order,
        "sup-jan",
        "sup-jan",
        t(LATER),
        supervise,
    );
    let (status, err) = push(&s.hub, &sup, std::slice::from_ref(&c))
        .await
        .unwrap_err();
    assert_eq!(
        (status, err.error.code.as_str()),
        (403, "certificate_expired")
    );
    assert!(err.error.hub_time.is_some());
    assert_eq!(refusal_of(&s.hub, &s.desk, &c).await, "certificate_expired");
    assert!(!hub_has(&s.hub, &hash_of(&c)));
}

#[tokio::test]
async fn staff_may_not_act_on_another_units_order() {
    let s = scene().await;
    // Unit B's phone never received the order; a modified app signs for it anyway.
    let c = forged_change(
        &s.city,
        &s.desk,
        &s.order,
        "staff-b",
        "staff-b",
        t(LATER),
        sign_for(),
    );
    assert_eq!(refusal_of(&s.hub, &s.staff_b, &c).await, "wrong_unit");
    assert!(!hub_has(&s.hub, &hash_of(&c)));
    // Nor may one person's key carry another's action.
    let c = forged_change(
        &s.city,
        &s.desk,
        &s.order,
        "staff-b",
        "staff-a",
        t(LATER),
        sign_for(),
    );
    assert_eq!(refusal_of(&s.hub, &s.staff_b, &c).await, "actor_mismatch");
    assert_eq!(
        hub_refusal_codes(&s.hub),
        vec!["actor_mismatch", "wrong_unit"]
    );
}

#[tokio::test]
async fn a_kiosk_may_not_close_or_dispatch_an_order() {
    let s = scene().await;
    let closing = [
        Action::Review {
            approve: true,
            note: "同意办结".into(),
        },
        Action::Callback {
            service_rating: None,
            unit_contacted: None,
            rating: Satisfaction::VerySatisfied,
            note: "满意".into(),
        },
        dispatch(UNIT_B),
    ];
    let before = hub_change_count(&s.hub);
    for action in closing {
        let c = forged_change(
            &s.city,
            &s.desk,
            &s.order,
            "kiosk-1",
            "kiosk-1",
            t(LATER),
            action,
        );
        assert_eq!(refusal_of(&s.hub, &s.kiosk, &c).await, "wrong_role");
    }
    assert_eq!(hub_change_count(&s.hub), before);
    assert_eq!(hub_refusal_codes(&s.hub).len(), 3);
}

#[tokio::test]
async fn requests_from_strangers_or_with_bad_signatures_are_refused_whole() {
    let s = scene().await;
    let c = forged_change(
        &s.city,
        &s.desk,
        &s.order,
        "staff-a",
        "staff-a",
        t(LATER),
        sign_for(),
    );

    // Enrolled by another city: its certificate means nothing here.
    let mut other = City::turpan();
    let stranger = other.device("stranger", Role::Dispatcher, "center");
    let (status, err) = push(&s.hub, &stranger, std::slice::from_ref(&c))
        .await
        .unwrap_err();
    assert_eq!(
        (status, err.error.code.as_str()),
        (401, "unknown_certificate")
    );

    // A known certificate, a signature that does not match the body.
    let mut req = push_request(&s.hub, &s.staff_a, std::slice::from_ref(&c)).await;
    req.signature[5] ^= 0x01;
    let (status, err) = post_raw(&s.hub, SYNC, wire::encode(&req).unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        (status, err.error.code.as_str()),
        (401, "sync_bad_request_signature")
    );
    // The body swapped under a valid signature.
    let mut req = push_request(&s.hub, &s.staff_a, std::slice::from_ref(&c)).await;
    req.body.push(0);
    let (status, _) = post_raw(&s.hub, SYNC, wire::encode(&req).unwrap())
        .await
        .unwrap_err();
    assert_eq!(status, 401);

    // Not a request at all.
    let (status, err) = post_raw(&s.hub, SYNC, b"hello".to_vec()).await.unwrap_err();
    assert_eq!((status, err.error.code.as_str()), (400, "sync_malformed"));
    // Too big to read.
    let (status, err) = post_raw(&s.hub, SYNC, vec![0u8; 3 * 1024 * 1024])
        .await
        .unwrap_err();
    assert_eq!(
        (status, err.error.code.as_str()),
        (413, "request_too_large")
    );
    // Bilingual.
    assert!(
        err.error
            .message_zh
            .chars()
            .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))
    );

    assert!(!hub_has(&s.hub, &hash_of(&c)));
}
