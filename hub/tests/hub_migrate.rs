//! `hotline hub migrate`: an SQLite hub copied into PostgreSQL answers every device as the
//! original did — nothing to push or pull for devices already in step, the same receipt
//! status, a new device gets the same orders and photos — and an interrupted copy resumes where
//! it stopped, nothing doubled.

use std::ops::ControlFlow;

use hotline_core::Coded;
use hotline_core::model::Role;
use hotline_core::sync::http::{CancelToken, HubClient};
use hotline_hub::postgres::migrate::{self, Progress};
use hotline_testkit::hub::*;
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::*;

#[tokio::test]
async fn a_migrated_hub_answers_as_the_original() {
    let mut s = scene().await;
    let photo = s.with_photo(b"the flooded gate").await;
    let receipt = s
        .kiosk
        .submit(None, request("又一处积水"), t(MORNING))
        .unwrap()
        .receipt;
    sync(&s.hub, &mut s.kiosk).await;
    // A knowledge-base item and its update, published through the original.
    for title in ["积水处置", "积水处置（汛期）"] {
        let draft = hotline_core::device::KbDraft {
            id: "kb-flooding".into(),
            title: title.into(),
            answer: "请拨打排水热线".into(),
            ..Default::default()
        };
        s.desk.kb_publish(None, draft, t(MORNING)).unwrap();
    }
    // Every device in step with the original (the desk first: it pushes the items).
    for device in [&mut s.desk, &mut s.kiosk, &mut s.staff_a, &mut s.staff_b] {
        sync(&s.hub, device).await;
    }
    let before = HubClient::new(&s.hub.url(), quick())
        .unwrap()
        .receipt_status(&s.kiosk, None, &receipt, &CancelToken::new())
        .await
        .unwrap();
    let changes = hub_change_count(&s.hub);
    let refusals = hub_refusal_codes(&s.hub);
    let data = s.city.data();
    let Scene {
        mut city,
        hub,
        mut kiosk,
        mut desk,
        mut staff_a,
        mut staff_b,
        order,
    } = s;
    hub.shutdown().await.unwrap();

    let cluster = PgCluster::start();
    let url = cluster.conn_str("postgres");
    // Interrupted after its first batch of three changes…
    let (d, u) = (data.clone(), url.clone());
    let stopped = tokio::task::spawn_blocking(move || {
        let mut calls = 0;
        migrate::from_sqlite_in_batches(&d, &u, 3, &mut |_| {
            calls += 1;
            if calls == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
    })
    .await
    .unwrap();
    assert_eq!(stopped.unwrap_err().code().as_str(), "sync_cancelled");
    // …and resumed: it carries on after the three, to the end.
    let (d, u) = (data.clone(), url.clone());
    let (done, seen) = tokio::task::spawn_blocking(move || {
        let mut seen: Vec<Progress> = Vec::new();
        let done = migrate::from_sqlite_in_batches(&d, &u, 3, &mut |p| {
            seen.push(p);
            ControlFlow::Continue(())
        })
        .unwrap();
        (done, seen)
    })
    .await
    .unwrap();
    assert_eq!(done.resumed_after, 3);
    assert_eq!(done.changes, changes);
    assert_eq!(done.photos, 1);
    assert_eq!(seen.first().unwrap().changes_copied, 3);
    assert!(
        seen.windows(2)
            .all(|w| w[0].changes_copied < w[1].changes_copied)
    );
    assert_eq!(seen.last().unwrap().changes_copied, changes);
    assert!(seen.iter().all(|p| p.changes_total == changes));

    // Run again on a finished copy: nothing doubled.
    let (d, u) = (data.clone(), url.clone());
    let again = tokio::task::spawn_blocking(move || {
        migrate::from_sqlite(&d, &u, &mut |_| ControlFlow::Continue(())).unwrap()
    })
    .await
    .unwrap();
    assert_eq!((again.changes, again.resumed_after), (changes, changes));

    let hub = city.hub_on(Some(url)).await;
    assert_eq!(hub_change_count(&hub), changes);
    assert_eq!(hub_refusal_codes(&hub), refusals);
    // Devices in step with the original have nothing to exchange with the copy.
    for device in [&mut kiosk, &mut desk, &mut staff_a, &mut staff_b] {
        let r = sync(&hub, device).await;
        assert_eq!((r.progress.pushed, r.progress.pulled), (0, 0));
        assert_eq!((r.blobs_pushed, r.blobs_pulled), (0, 0));
    }
    let status = HubClient::new(&hub.url(), quick())
        .unwrap()
        .receipt_status(&kiosk, None, &receipt, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(status, before);
    // A phone enrolled since gets the order and its photo from the copy, and the knowledge
    // base at the positions the original gave it (the devices above pulled nothing more).
    assert_eq!(kiosk.kb_item("kb-flooding").unwrap().unwrap().version, 2);
    let mut newcomer = city.device("staff-a2", Role::Staff, UNIT_A);
    let r = sync(&hub, &mut newcomer).await;
    assert_eq!(newcomer.kb_item("kb-flooding").unwrap().unwrap().version, 2);
    assert_eq!(r.blobs_pulled, 1);
    newcomer.store().verify_blob(&photo).unwrap();
    assert_eq!(
        newcomer.show(&order).unwrap().state,
        staff_a.show(&order).unwrap().state
    );
    hub.shutdown().await.unwrap();
}
