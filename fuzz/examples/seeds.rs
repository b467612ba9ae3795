//! Writes the starting corpora (real messages of a small city) into corpus/TARGET:
//! `cargo run --manifest-path fuzz/Cargo.toml --example seeds`. The fuzzers grow them from there;
//! what they find worth keeping is committed with them.


use std::path::Path;

use hotline_core::doc::{OrderDoc, actor_for_device, decode_change};
use hotline_core::model::{Action, Event, EventId};
use hotline_core::sync::http::messages::{GetChunk, HeldQuery, StatusQuery, SYNC_PATH};
use hotline_core::sync::wire::{self, PROTOCOL, Packed, SyncRequest};
use hotline_core::sync::{SyncClient, bundle, serve, sign_request};
use hotline_fuzz::city;

fn put(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn main() {
    let mut city = city().lock().unwrap();
    let city = &mut *city;
    // Changes of the order, and one more that fits it.
    for (i, c) in city.changes.iter().enumerate() {
        put("change_preview", &format!("change-{i}"), &c.bytes);
        put("automerge_apply", &format!("change-{i}"), &c.bytes);
    }
    let changes = city
        .changes
        .iter()
        .map(|c| decode_change(&c.bytes, None).unwrap())
        .collect();
    let mut doc = OrderDoc::from_changes(&city.order, actor_for_device(b"seed"), changes).unwrap();
    let actor = city.staff.identity(None).unwrap().actor();
    let next = doc
        .append(
            &Event {
                id: EventId::new("ev-seed-sign-for"),
                actor,
                at: city.now,
                after: doc.event_heads().unwrap(),
                action: Action::SignFor {
                    note: "已签收".into(),
                },
            },
            &[],
        )
        .unwrap();
    put("change_preview", "sign-for", next.raw_bytes());
    put("automerge_apply", "sign-for", next.raw_bytes());

    // A push of the order's changes, and an idle round, as the hub sees them.
    let (certs, push): (Vec<String>, Vec<Packed>) = {
        let mut certs: Vec<String> = Vec::new();
        let push = city
            .changes
            .iter()
            .map(|c| {
                let idx = certs.iter().position(|x| *x == c.cert).unwrap_or_else(|| {
                    certs.push(c.cert.clone());
                    certs.len() - 1
                });
                Packed {
                    order: c.order.0.clone(),
                    cert: u32::try_from(idx).unwrap(),
                    signature: c.signature.clone(),
                    bytes: c.bytes.clone(),
                }
            })
            .collect();
        (certs, push)
    };
    let body = wire::encode(&SyncRequest {
        protocol: PROTOCOL,
        at: city.now.timestamp_millis(),
        received_upto: 0,
        certs_known: 0,
        revocation_seq: 0,
        catalogue_version: 0,
        push_upto: 3,
        certs,
        push,
        max_pull: 512 * 1024,
        resend: vec![city.order.0.clone()],
    })
    .unwrap();
    put("serve_request", "push-and-resend", &body);
    let mut client = SyncClient::new(&city.staff, "hub", None).unwrap();
    let idle = client.request_body(&city.staff, city.now).unwrap();
    put("serve_request", "staff-round", &idle);
    let req = sign_request(&city.desk, None, SYNC_PATH, &[7; 32], body).unwrap();
    put("sync_wire", "signed-push", &wire::encode(&req).unwrap());
    let (resp, _) = serve(&mut city.hub, &city.dir, &req, city.now).unwrap();
    put("sync_wire", "response", &wire::encode(&resp).unwrap());
    put("sync_wire", "held", &wire::encode(&HeldQuery::new(vec!["a".repeat(64)])).unwrap());
    put("sync_wire", "get", &wire::encode(&GetChunk::new("wo-1", &"b".repeat(64), 0)).unwrap());
    put("sync_wire", "status", &wire::encode(&StatusQuery::new("7KQ4M9XR2TAB")).unwrap());

    // A bundle from the desk to the township.
    let file = city.tmp.path().join("seed.hlb");
    let node = city.staff.node_id().unwrap();
    bundle::export(&city.desk, &node, &file, city.now).unwrap();
    put("bundle_import", "desk-to-township", &std::fs::read(&file).unwrap());

    // A policy file as the README shows one.
    put(
        "policy_toml",
        "example-county",
        r#"id = "example-county"
name_zh = "示例县"
name_en = "Example County"
max_reopens = 1
return_requires_call = false
extension_requires_explanation = true

[limits]
dispatch = { working_days = 1 }
sign_for = { hours = 12 }
return_request = { hours = 20 }
inquiry_help_suggestion = { working_days = 5 }
complaint_report = { working_days = 15 }
leader_approval = { working_days = 10 }
emergency_response = { hours = 2 }
emergency_close = { working_days = 2 }
extension_max = { working_days = 30 }
reopen = { working_days = 3 }

[[calendar]]
year = 2027
source = "国务院办公厅关于2027年部分节假日安排的通知"
holidays = ["2027-01-01"]
workdays = []
"#
        .as_bytes(),
    );
    println!("seeds written under fuzz/corpus/");
}
