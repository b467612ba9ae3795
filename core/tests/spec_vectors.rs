//! SPEC.md's test vectors, made by the code that signs and encodes for real.
//!
//! Every ```` ```vector ```` block of `SPEC.md` is rebuilt here from fixed keys, instants and ids
//! through the product's own functions (`Certificate::issue`, `RevocationList::issue`,
//! `OrderDoc::create` and `SignedEnvelope::sign` as `Device::write` calls them,
//! `SignedKb::sign`, `SignedCatalogue::issue`, `wire::encode`, `ContactDetails::seal_to`…) and
//! compared with the document byte for byte. Beside that, each message is built a second time
//! from the layout SPEC.md describes (`Documented`, `Postcard` below) and must equal the
//! product's, and the product's own verifiers (the trust store, the hub's request check and
//! challenge check, a hub's sync round, a bundle read back frame by frame) must accept what the
//! document says. So neither the prose nor the vectors can drift from the code unnoticed.
//!
//! When the code changes a format on purpose, regenerate the blocks and review the diff:
//!
//! ```text
//! UPDATE_SPEC=1 cargo test -p hotline-core --test spec_vectors
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use hotline_core::catalogue::{SignedCatalogue, parse_catalogue_toml};
use hotline_core::device::{PLATFORM_RECIPIENT, WireChange, verify_incoming};
use hotline_core::doc::{self, OrderDoc};
use hotline_core::identity::{
    Certificate, CertificateBody, CertificateId, ContactDetails, CryptoSuite, KeyCustody,
    MemoryKeyCustody, PublicKeyBytes, RevocationList, SealedContact, SealingKeypair,
    SignedEnvelope, TrustStore, access_message, change_message, knowledge_message,
};
use hotline_core::kb::{KbChange, KbFields, KbItem, KbRecord, SignedKb};
use hotline_core::model::{
    Action, Actor, Channel, Event, EventId, GpsFix, GpsSource, Location, OrderDetails, OrderId,
    Origin, PersonId, RequestKind, Role, Timestamp, UnitId, Urgency,
};
use hotline_core::sync::http::messages::{ErrorBody, SYNC_PATH};
use hotline_core::sync::wire::{self, PROTOCOL, Packed, SignedRequest, SyncRequest};
use hotline_core::sync::{
    Directory, Freshness, MAX_PULL_BYTES, SqliteHub, SyncError, authenticate, bundle, serve,
};
use hotline_core::{Coded, policy};
use sha2::{Digest, Sha256};

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../SPEC.md");
const FENCE_OPEN: &str = "```vector name=";
const FENCE_CLOSE: &str = "```";
/// Hex characters per line of a wrapped value.
const HEX_LINE: usize = 64;

// ---------------------------------------------------------------------------------------------
// The fixed inputs: test keys from 32-byte seeds, instants, ids. Never use these keys for real.

const ROOT_SEED: [u8; 32] = [1; 32];
const DEVICE_SEED: [u8; 32] = [2; 32];
const PLATFORM_X25519_SECRET: [u8; 32] = [3; 32];
const PLATFORM_SM2_SECRET: [u8; 32] = [4; 32];
const HUB_CHALLENGE_KEY: [u8; 32] = [9; 32];
const CHALLENGE_RANDOM: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

const CERT_ID: &str = "cert-spec-intake-01";
const SM2_CERT_ID: &str = "cert-spec-sm2-01";
const ORDER: &str = "wo-spec-0001";
const EVENT: &str = "ev-spec-0001";

fn at(rfc3339: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

fn intake_actor() -> Actor {
    Actor::new("intake-01", Role::Intake, "center")
}

fn root() -> MemoryKeyCustody {
    MemoryKeyCustody::from_secret_bytes(&ROOT_SEED)
}

fn device_key() -> MemoryKeyCustody {
    MemoryKeyCustody::from_secret_bytes(&DEVICE_SEED)
}

/// The device's certificate; `issued_at` has a fraction of a second on purpose (the signed
/// bytes carry nanoseconds).
fn certificate_body(id: &str, device_key: PublicKeyBytes) -> CertificateBody {
    CertificateBody {
        id: CertificateId::new(id),
        device_key,
        person: PersonId::new("intake-01"),
        display_name: "受理员张三".into(),
        role: Role::Intake,
        unit: UnitId::new("center"),
        area: "4109".into(),
        not_before: at("2026-01-01T00:00:00+08:00"),
        not_after: at("2026-12-31T23:59:59+08:00"),
        issued_at: at("2025-12-31T16:00:00.5Z"),
    }
}

fn certificate() -> Certificate {
    Certificate::issue(
        certificate_body(CERT_ID, device_key().public_key()),
        &root(),
    )
    .unwrap()
}

fn trust() -> TrustStore {
    let mut trust = TrustStore::new(root().public_key()).unwrap();
    trust.add_certificate(certificate()).unwrap();
    trust
}

fn contact() -> ContactDetails {
    ContactDetails {
        name: Some("张三".into()),
        phone: Some("13800138000".into()),
        id_number: None,
    }
}

/// A deterministic stand-in for the OS random source, so sealed boxes and the receipt code
/// come out the same on every run: SHA-256 of a label and a counter, 32 bytes at a time.
#[derive(Debug)]
struct TestRng {
    label: &'static [u8],
    counter: u64,
    buffer: Vec<u8>,
}

impl TestRng {
    fn new(label: &'static [u8]) -> Self {
        TestRng {
            label,
            counter: 0,
            buffer: Vec::new(),
        }
    }
}

impl rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for byte in dest {
            if self.buffer.is_empty() {
                let mut h = Sha256::new();
                h.update(self.label);
                h.update(self.counter.to_le_bytes());
                self.counter += 1;
                self.buffer = h.finalize().to_vec();
            }
            *byte = self.buffer.remove(0);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for TestRng {}

fn sealed_x25519() -> (SealingKeypair, SealedContact) {
    let platform = SealingKeypair::from_secret_bytes(PLATFORM_X25519_SECRET);
    let sealed = contact()
        .seal_to(
            &platform.public_key(),
            &mut TestRng::new(b"spec sealed x25519"),
        )
        .unwrap();
    (platform, sealed)
}

fn sealed_sm2() -> (SealingKeypair, SealedContact) {
    let platform = SealingKeypair::from_secret(CryptoSuite::Sm, PLATFORM_SM2_SECRET).unwrap();
    let sealed = contact()
        .seal_to(
            &platform.public_key(),
            &mut TestRng::new(b"spec sealed sm2"),
        )
        .unwrap();
    (platform, sealed)
}

fn submit_event() -> Event {
    let details = OrderDetails {
        id: OrderId::new(ORDER),
        receipt: hotline_core::receipt::generate(&mut TestRng::new(b"spec receipt")),
        kind: RequestKind::Complaint,
        urgency: Urgency::Normal,
        channel: Channel::Phone,
        text: "小区门口道路破损，雨天积水严重，请尽快修复。".into(),
        location: Location {
            address: "华龙区古城路12号".into(),
            division_code: Some("410902001".into()),
            gps: Some(GpsFix {
                lat: 35.7627,
                lon: 115.029,
                accuracy_m: Some(8.5),
                source: GpsSource::Gnss,
                mock: false,
            }),
        },
        confidential: false,
        attachments: Vec::new(),
        origin: Origin::Local,
        emergency_category: None,
        category: None,
        attributes: BTreeMap::new(),
        split_from: None,
        intake_match: None,
    };
    Event {
        id: EventId::new(EVENT),
        actor: intake_actor(),
        at: at("2026-03-01T09:30:00.250+08:00"),
        after: Vec::new(),
        action: Action::Submit { details },
    }
}

/// The submission as `Device::write` makes it: the order's first Automerge change (actor from
/// the device key, time the event's), its compressed bytes, signed as the certificate holder.
#[derive(Debug)]
struct SignedChange {
    event: Event,
    payload: Vec<u8>,
    hash: String,
    envelope: SignedEnvelope,
}

fn signed_change() -> SignedChange {
    let event = submit_event();
    let custody = device_key();
    let actor = doc::actor_for_device(custody.public_key().as_bytes());
    let sealed = vec![(
        PLATFORM_RECIPIENT.to_string(),
        sealed_x25519().1.into_bytes(),
    )];
    let (_, mut change) = OrderDoc::create(&OrderId::new(ORDER), actor, &event, &sealed).unwrap();
    let payload = change.bytes().to_vec();
    let hash = change.hash().to_string();
    let envelope = SignedEnvelope::sign(payload.clone(), &certificate(), &custody).unwrap();
    SignedChange {
        event,
        payload,
        hash,
        envelope,
    }
}

fn challenge_issued_at() -> Timestamp {
    at("2026-03-01T09:31:00+08:00")
}

/// The hub's clock when it takes the signed request: 20 s after the challenge was issued.
fn hub_now() -> Timestamp {
    at("2026-03-01T09:31:20+08:00")
}

// ---------------------------------------------------------------------------------------------
// The layouts as SPEC.md writes them, implemented again here without the product's helpers.

/// SPEC.md §1: domain (with its NUL), then fields: byte strings and text as a u64 big-endian
/// length and the bytes, numbers as u64 big-endian, instants as i64 big-endian seconds and
/// u32 big-endian nanoseconds.
#[derive(Debug)]
struct Documented(Vec<u8>);

impl Documented {
    fn domain(domain: &str) -> Self {
        assert!(domain.ends_with('\0'));
        Documented(domain.as_bytes().to_vec())
    }

    fn bytes(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(&(b.len() as u64).to_be_bytes());
        self.0.extend_from_slice(b);
        self
    }

    fn text(self, s: &str) -> Self {
        self.bytes(s.as_bytes())
    }

    fn number(mut self, n: u64) -> Self {
        self.0.extend_from_slice(&n.to_be_bytes());
        self
    }

    fn instant(mut self, t: Timestamp) -> Self {
        self.0.extend_from_slice(&t.timestamp().to_be_bytes());
        self.0
            .extend_from_slice(&t.timestamp_subsec_nanos().to_be_bytes());
        self
    }
}

/// SPEC.md §8.1: postcard as far as the sync messages use it.
#[derive(Debug, Default)]
struct Postcard(Vec<u8>);

impl Postcard {
    fn varint(mut self, mut n: u64) -> Self {
        loop {
            let low = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.0.push(low);
                return self;
            }
            self.0.push(low | 0x80);
        }
    }

    fn zigzag(self, n: i64) -> Self {
        self.varint(((n << 1) ^ (n >> 63)) as u64)
    }

    fn byte(mut self, b: u8) -> Self {
        self.0.push(b);
        self
    }

    fn bytes(self, b: &[u8]) -> Self {
        let mut out = self.varint(b.len() as u64);
        out.0.extend_from_slice(b);
        out
    }
}

/// SPEC.md §8.3: the request domain, then endpoint, certificate id and challenge each with a
/// u32 big-endian length, then the body as it is (no length).
fn documented_request_message(
    endpoint: &str,
    cert: &str,
    challenge: &[u8],
    body: &[u8],
) -> Vec<u8> {
    let mut m = b"hotline/v2/request\0".to_vec();
    for part in [endpoint.as_bytes(), cert.as_bytes(), challenge] {
        m.extend_from_slice(&(part.len() as u32).to_be_bytes());
        m.extend_from_slice(part);
    }
    m.extend_from_slice(body);
    m
}

/// SPEC.md §8.4: issued-at (i64 ms, big-endian), 8 random bytes, the first 16 bytes of
/// HMAC-SHA256 of those 16 under the hub's key.
fn documented_challenge(key: &[u8; 32], issued: Timestamp, random: [u8; 8]) -> Vec<u8> {
    use hmac::Mac;
    let mut head = issued.timestamp_millis().to_be_bytes().to_vec();
    head.extend_from_slice(&random);
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(&head);
    let tag = mac.finalize().into_bytes();
    head.extend_from_slice(&tag[..16]);
    head
}

// ---------------------------------------------------------------------------------------------
// Vectors and their blocks.

#[derive(Debug)]
enum Value {
    Text(String),
    Hex(Vec<u8>),
}

#[derive(Debug)]
struct Vector {
    name: &'static str,
    fields: Vec<(&'static str, Value)>,
}

impl Vector {
    fn new(name: &'static str) -> Self {
        Vector {
            name,
            fields: Vec::new(),
        }
    }

    fn text(mut self, key: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        assert!(
            !value.contains('\n'),
            "{}.{key} must be one line",
            self.name
        );
        self.fields.push((key, Value::Text(value)));
        self
    }

    fn hex(mut self, key: &'static str, value: &[u8]) -> Self {
        self.fields.push((key, Value::Hex(value.to_vec())));
        self
    }

    fn render(&self) -> String {
        let mut out = format!("{FENCE_OPEN}{}\n", self.name);
        for (key, value) in &self.fields {
            match value {
                Value::Text(t) => out.push_str(&format!("{key}: {t}\n")),
                Value::Hex(b) => {
                    let h = hex::encode(b);
                    if h.len() <= HEX_LINE {
                        out.push_str(&format!("{key}: {h}\n"));
                    } else {
                        out.push_str(&format!("{key}:\n"));
                        for line in h.as_bytes().chunks(HEX_LINE) {
                            out.push_str("  ");
                            out.push_str(std::str::from_utf8(line).unwrap());
                            out.push('\n');
                        }
                    }
                }
            }
        }
        out.push_str(FENCE_CLOSE);
        out
    }
}

fn certificate_vector() -> Vector {
    let root = root();
    let cert = certificate();
    let b = &cert.body;
    let documented = Documented::domain("hotline/v1/certificate\0")
        .text(&b.id.0)
        .bytes(b.device_key.as_bytes())
        .text(&b.person.0)
        .text(&b.display_name)
        .text(b.role.as_str())
        .text(&b.unit.0)
        .text(&b.area)
        .instant(b.not_before)
        .instant(b.not_after)
        .instant(b.issued_at)
        .0;
    assert_eq!(documented, b.signed_bytes(), "SPEC.md §3.2 disagrees");
    cert.verify(&root.public_key(), at("2026-03-01T00:00:00Z"))
        .unwrap();
    Vector::new("certificate-ed25519")
        .hex("root-secret-seed", &ROOT_SEED)
        .text("root-public-key", root.public_key().to_hex())
        .hex("device-secret-seed", &DEVICE_SEED)
        .text("device-public-key", b.device_key.to_hex())
        .text("certificate-json", serde_json::to_string(&cert).unwrap())
        .hex("signed-bytes", &documented)
        .text("signature", cert.signature.to_hex())
}

fn certificate_sm2_vector() -> Vector {
    let root = MemoryKeyCustody::from_secret(CryptoSuite::Sm, &ROOT_SEED).unwrap();
    let device = MemoryKeyCustody::from_secret(CryptoSuite::Sm, &DEVICE_SEED).unwrap();
    let cert =
        Certificate::issue(certificate_body(SM2_CERT_ID, device.public_key()), &root).unwrap();
    let b = &cert.body;
    let documented = Documented::domain("hotline/v1/certificate\0")
        .text(&b.id.0)
        .text("sm")
        .bytes(b.device_key.as_bytes())
        .text(&b.person.0)
        .text(&b.display_name)
        .text(b.role.as_str())
        .text(&b.unit.0)
        .text(&b.area)
        .instant(b.not_before)
        .instant(b.not_after)
        .instant(b.issued_at)
        .0;
    assert_eq!(documented, b.signed_bytes(), "SPEC.md §3.2 (SM2) disagrees");
    cert.verify_signature(&root.public_key()).unwrap();
    assert_eq!(cert.signature.to_tagged_bytes()[0], 0x02);
    Vector::new("certificate-sm2")
        .hex("root-secret", &ROOT_SEED)
        .text("root-public-key", root.public_key().to_hex())
        .hex("device-secret", &DEVICE_SEED)
        .text("device-public-key", b.device_key.to_hex())
        .text("certificate-json", serde_json::to_string(&cert).unwrap())
        .hex("signed-bytes", &documented)
        .text("signature", cert.signature.to_hex())
        .hex("signature-binary", &cert.signature.to_tagged_bytes())
}

fn revocation_vector() -> Vector {
    let root = root();
    // Listed out of order on purpose: the set is signed sorted.
    let list = RevocationList::issue(
        2,
        at("2026-02-01T08:00:00Z"),
        ["cert-spec-lost-10", "cert-spec-lost-02"].map(CertificateId::new),
        &root,
    )
    .unwrap();
    let documented = Documented::domain("hotline/v1/revocation\0")
        .number(2)
        .instant(list.issued_at)
        .number(2)
        .text("cert-spec-lost-02")
        .text("cert-spec-lost-10")
        .0;
    assert_eq!(documented, list.signed_bytes(), "SPEC.md §3.3 disagrees");
    list.verify(&root.public_key()).unwrap();
    Vector::new("revocation-list")
        .text("root-public-key", root.public_key().to_hex())
        .text("revocation-json", serde_json::to_string(&list).unwrap())
        .hex("signed-bytes", &documented)
        .text("signature", list.signature.to_hex())
}

fn change_vector() -> Vector {
    let c = signed_change();
    let documented = Documented::domain("hotline/v1/change\0")
        .text(CERT_ID)
        .bytes(&c.payload)
        .0;
    assert_eq!(
        documented,
        change_message(&CertificateId::new(CERT_ID), &c.payload),
        "SPEC.md §4.1 disagrees"
    );
    assert_eq!(documented, c.envelope.signed_bytes());
    // As a receiver takes it: decoded, hashed, signature checked against the trust store.
    let checked = verify_incoming(
        &trust(),
        &[WireChange {
            order: OrderId::new(ORDER),
            cert: CERT_ID.into(),
            signature: c.envelope.signature.to_tagged_bytes(),
            bytes: c.payload.clone(),
        }],
    );
    let [Ok(verified)] = checked.as_slice() else {
        panic!("the change vector does not verify: {checked:?}");
    };
    assert_eq!(verified.hash(), c.hash);
    // What it adds to an empty document: exactly this event, and the platform's sealed copy.
    let change = doc::decode_change(&c.payload, Some(c.hash.as_str())).unwrap();
    let (effect, _) = OrderDoc::empty(&OrderId::new(ORDER), doc::actor_for_device(&[0; 32]))
        .preview(&change)
        .unwrap();
    assert_eq!(effect.events, vec![c.event.clone()]);
    assert_eq!(
        effect.sealed,
        vec![(
            PLATFORM_RECIPIENT.to_string(),
            sealed_x25519().1.into_bytes()
        )]
    );
    let json = serde_json::to_string(&c.event).unwrap();
    Vector::new("change-envelope")
        .text("device-public-key", device_key().public_key().to_hex())
        .text("signer", CERT_ID)
        .text("order", ORDER)
        .text("event-json", json)
        .hex("payload", &c.payload)
        .text("change-hash", c.hash.clone())
        .hex("signed-message", &documented)
        .text("signature", c.envelope.signature.to_hex())
}

fn dispatch_event_vector() -> Vector {
    let event = Event {
        id: EventId::new("ev-spec-0002"),
        actor: Actor::new("dispatcher-01", Role::Dispatcher, "center"),
        at: at("2026-03-01T10:00:00+08:00"),
        after: vec![EventId::new(EVENT)],
        action: Action::Dispatch {
            lead: UnitId::new("unit-gucheng"),
            co_units: vec![UnitId::new("unit-shengli")],
            leader_approval: false,
            note: "请核实后修复并答复市民".into(),
            duty_report: None,
            coordination: None,
            statutory_limit: None,
            separate_units: Vec::new(),
            override_reason: None,
        },
    };
    let json = serde_json::to_string(&event).unwrap();
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
    Vector::new("event-dispatch").text("event-json", json)
}

fn kb_vector() -> Vector {
    let record = KbRecord {
        at: at("2026-03-02T10:00:00+08:00"),
        by: intake_actor(),
        change: KbChange::Publish {
            item: Box::new(KbItem {
                id: "kb-juzhuzheng".into(),
                version: 1,
                unit: UnitId::new("unit-gongan"),
                title: "居住证办理".into(),
                answer: "持身份证和居住证明到户籍窗口办理，5个工作日内发证。".into(),
                fields: KbFields {
                    materials: "身份证、居住证明、近期照片".into(),
                    place: "各派出所户籍窗口".into(),
                    ..KbFields::default()
                },
                valid_from: NaiveDate::from_ymd_opt(2026, 1, 1),
                valid_until: None,
                policy_date: NaiveDate::from_ymd_opt(2025, 12, 15),
            }),
        },
    };
    let signed = SignedKb::sign(&record, &certificate(), &device_key()).unwrap();
    let documented = Documented::domain("hotline/v1/knowledge\0")
        .text(CERT_ID)
        .bytes(&signed.payload)
        .0;
    assert_eq!(
        documented,
        knowledge_message(&CertificateId::new(CERT_ID), &signed.payload),
        "SPEC.md §6 disagrees"
    );
    let verified = signed.verify(&trust()).unwrap();
    assert_eq!(verified.record, record);
    let payload = String::from_utf8(signed.payload.clone()).unwrap();
    assert_eq!(payload, serde_json::to_string(&record).unwrap());
    Vector::new("kb-record")
        .text("device-public-key", device_key().public_key().to_hex())
        .text("signer", CERT_ID)
        .text("payload-json", payload)
        .text("record-hash", verified.hash)
        .hex("signed-message", &documented)
        .hex("signature-binary", &signed.signature)
}

fn access_vector() -> Vector {
    use hotline_core::audit::{AccessEntry, AccessVia, SignedAccess};
    let first = AccessEntry {
        cert: CERT_ID.into(),
        seq: 1,
        prev: String::new(),
        at: at("2026-03-02T10:05:00+08:00"),
        order: OrderId::new(ORDER),
        purpose: "电话回访 / callback".into(),
        via: AccessVia::Device,
    };
    let first = SignedAccess::sign(&first, &certificate(), &device_key()).unwrap();
    let entry = AccessEntry {
        cert: CERT_ID.into(),
        seq: 2,
        prev: first.hash(),
        at: at("2026-03-02T10:20:00+08:00"),
        order: OrderId::new(ORDER),
        purpose: "核实地址 / checking the address".into(),
        via: AccessVia::Api {
            system: "回访系统".into(),
        },
    };
    let signed = SignedAccess::sign(&entry, &certificate(), &device_key()).unwrap();
    let documented = Documented::domain("hotline/v1/access\0")
        .text(CERT_ID)
        .bytes(&signed.payload)
        .0;
    assert_eq!(
        documented,
        access_message(&CertificateId::new(CERT_ID), &signed.payload),
        "SPEC.md §6.1 disagrees"
    );
    let verified = signed.verify(&trust()).unwrap();
    assert_eq!(verified.entry, entry);
    assert_eq!(
        hotline_core::audit::check_chains(&[first.verify(&trust()).unwrap(), verified.clone()]),
        []
    );
    let payload = String::from_utf8(signed.payload.clone()).unwrap();
    Vector::new("access-entry")
        .text("device-public-key", device_key().public_key().to_hex())
        .text("signer", CERT_ID)
        .text(
            "previous-payload-json",
            String::from_utf8(first.payload.clone()).unwrap(),
        )
        .text("previous-hash", first.hash())
        .text("payload-json", payload)
        .text("entry-hash", verified.hash)
        .hex("signed-message", &documented)
        .hex("signature-binary", &signed.signature)
}

const CATALOGUE_TOML: &str = r#"
[[category]]
code = "03"
name_zh = "城市管理"
name_en = "City management"
kinds = ["complaint", "help"]
"#;

fn catalogue_vector() -> Vector {
    let root = root();
    let catalogue = parse_catalogue_toml(CATALOGUE_TOML).unwrap();
    let issued_at = at("2026-01-01T00:00:00+08:00");
    let signed = SignedCatalogue::issue(1, issued_at, &catalogue, &root).unwrap();
    let documented = Documented::domain("hotline/v1/catalogue\0")
        .number(1)
        .instant(issued_at)
        .bytes(&signed.content)
        .0;
    // The product keeps its catalogue bytes private: the root's signature over the documented
    // bytes is what shows they are the same.
    assert!(
        root.public_key().verify(&documented, &signed.signature),
        "SPEC.md §3.4 disagrees"
    );
    signed.open(&root.public_key()).unwrap();
    Vector::new("catalogue")
        .text("root-public-key", root.public_key().to_hex())
        .text("version", signed.version.to_string())
        .text(
            "issued-at",
            serde_json::to_value(issued_at).unwrap().as_str().unwrap(),
        )
        .text(
            "content-json",
            String::from_utf8(signed.content.clone()).unwrap(),
        )
        .hex("signed-bytes", &documented)
        .text("signature", signed.signature.to_hex())
}

fn challenge_vector() -> Vector {
    let challenge =
        documented_challenge(&HUB_CHALLENGE_KEY, challenge_issued_at(), CHALLENGE_RANDOM);
    let hub = Freshness::with_key(HUB_CHALLENGE_KEY);
    hub.verify(&challenge, hub_now())
        .expect("SPEC.md §8.4 disagrees");
    Vector::new("challenge")
        .hex("hub-key", &HUB_CHALLENGE_KEY)
        .text(
            "issued-at-ms",
            challenge_issued_at().timestamp_millis().to_string(),
        )
        .hex("random", &CHALLENGE_RANDOM)
        .hex("challenge", &challenge)
}

fn idle_request() -> SyncRequest {
    SyncRequest {
        protocol: PROTOCOL,
        at: challenge_issued_at().timestamp_millis(),
        received_upto: 42,
        certs_known: 3,
        revocation_seq: 2,
        catalogue_version: 1,
        push_upto: 7,
        certs: Vec::new(),
        push: Vec::new(),
        max_pull: MAX_PULL_BYTES,
        resend: Vec::new(),
        kb_received: 5,
        kb_push_upto: 0,
        kb_push: Vec::new(),
        access_push: Vec::new(),
    }
}

fn sync_request_vector() -> Vector {
    let r = idle_request();
    let encoded = wire::encode(&r).unwrap();
    let documented = Postcard::default()
        .byte(r.protocol)
        .zigzag(r.at)
        .zigzag(r.received_upto)
        .zigzag(r.certs_known)
        .varint(r.revocation_seq)
        .varint(r.catalogue_version)
        .zigzag(r.push_upto)
        .varint(0)
        .varint(0)
        .varint(u64::from(r.max_pull))
        .varint(0)
        .zigzag(r.kb_received)
        .zigzag(r.kb_push_upto)
        .varint(0)
        .varint(0)
        .0;
    assert_eq!(documented, encoded, "SPEC.md §8.2 disagrees");
    assert_eq!(wire::decode::<SyncRequest>(&encoded).unwrap(), r);
    Vector::new("sync-request-idle")
        .text("protocol", r.protocol.to_string())
        .text("at", r.at.to_string())
        .text("received_upto", r.received_upto.to_string())
        .text("certs_known", r.certs_known.to_string())
        .text("revocation_seq", r.revocation_seq.to_string())
        .text("catalogue_version", r.catalogue_version.to_string())
        .text("push_upto", r.push_upto.to_string())
        .text("max_pull", r.max_pull.to_string())
        .text("kb_received", r.kb_received.to_string())
        .text("kb_push_upto", r.kb_push_upto.to_string())
        .hex("postcard", &encoded)
}

/// The first sync of the intake desk: it pushes the change of `change-envelope`.
fn push_request() -> (SyncRequest, SignedRequest, Vec<u8>) {
    let c = signed_change();
    let body = SyncRequest {
        protocol: PROTOCOL,
        at: challenge_issued_at().timestamp_millis(),
        received_upto: 0,
        certs_known: 0,
        revocation_seq: 0,
        catalogue_version: 0,
        push_upto: 1,
        certs: vec![CERT_ID.into()],
        push: vec![Packed {
            order: ORDER.into(),
            cert: 0,
            signature: c.envelope.signature.to_tagged_bytes(),
            bytes: c.payload.clone(),
        }],
        max_pull: MAX_PULL_BYTES,
        resend: Vec::new(),
        kb_received: 0,
        kb_push_upto: 0,
        kb_push: Vec::new(),
        access_push: Vec::new(),
    };
    let encoded = wire::encode(&body).unwrap();
    let challenge =
        documented_challenge(&HUB_CHALLENGE_KEY, challenge_issued_at(), CHALLENGE_RANDOM);
    let message = documented_request_message(SYNC_PATH, CERT_ID, &challenge, &encoded);
    let signature = device_key().sign(&message).unwrap().to_tagged_bytes();
    let request = SignedRequest {
        cert: CERT_ID.into(),
        challenge,
        signature,
        body: encoded,
    };
    (body, request, message)
}

fn signed_request_vector() -> Vector {
    let (body, request, message) = push_request();
    // The hub's own check of the signature over its own idea of the message.
    let cert =
        authenticate(&trust(), SYNC_PATH, &request, hub_now()).expect("SPEC.md §8.3 disagrees");
    assert_eq!(cert.body.id.0, CERT_ID);
    let encoded = wire::encode(&request).unwrap();
    let documented = Postcard::default()
        .bytes(request.cert.as_bytes())
        .bytes(&request.challenge)
        .bytes(&request.signature)
        .bytes(&request.body)
        .0;
    assert_eq!(
        documented, encoded,
        "SPEC.md §8.3 (SignedRequest) disagrees"
    );
    // The body field by field, as §8.2 lays out a request that pushes one change.
    let p = &body.push[0];
    let documented_body = Postcard::default()
        .byte(body.protocol)
        .zigzag(body.at)
        .zigzag(0)
        .zigzag(0)
        .varint(0)
        .varint(0)
        .zigzag(1)
        .varint(1)
        .bytes(CERT_ID.as_bytes())
        .varint(1)
        .bytes(p.order.as_bytes())
        .varint(u64::from(p.cert))
        .bytes(&p.signature)
        .bytes(&p.bytes)
        .varint(u64::from(body.max_pull))
        .varint(0)
        .zigzag(0)
        .zigzag(0)
        .varint(0)
        .varint(0)
        .0;
    assert_eq!(
        documented_body, request.body,
        "SPEC.md §8.2 (push) disagrees"
    );
    Vector::new("signed-request")
        .text("endpoint", SYNC_PATH)
        .text("cert", CERT_ID)
        .hex("challenge", &request.challenge)
        .hex("body", &request.body)
        .hex("signed-message", &message)
        .hex("signature", &request.signature)
        .hex("postcard", &encoded)
}

fn sealed_x25519_vector() -> Vector {
    let (platform, sealed) = sealed_x25519();
    assert_eq!(platform.open(&sealed).unwrap(), contact());
    let bytes = sealed.as_bytes();
    assert_eq!(bytes[0], 1);
    let json = serde_json::to_string(&contact()).unwrap();
    let padded = json.len().div_ceil(64) * 64;
    assert_eq!(bytes.len(), 1 + 32 + 16 + padded, "SPEC.md §7.2 disagrees");
    Vector::new("sealed-contact-x25519")
        .hex("recipient-secret", &PLATFORM_X25519_SECRET)
        .text("recipient-public-key", platform.public_key().to_hex())
        .text("plaintext-json", json)
        .text("padded-length", padded.to_string())
        .hex("sealed", bytes)
}

fn sealed_sm2_vector() -> Vector {
    let (platform, sealed) = sealed_sm2();
    assert_eq!(platform.open(&sealed).unwrap(), contact());
    let bytes = sealed.as_bytes();
    assert_eq!(bytes[0], 2);
    let json = serde_json::to_string(&contact()).unwrap();
    let padded = json.len().div_ceil(64) * 64;
    assert_eq!(
        bytes.len(),
        1 + 113 + 12 + padded + 16,
        "SPEC.md §7.3 disagrees"
    );
    Vector::new("sealed-contact-sm2")
        .hex("recipient-secret", &PLATFORM_SM2_SECRET)
        .text("recipient-public-key", platform.public_key().to_hex())
        .text("plaintext-json", json)
        .text("padded-length", padded.to_string())
        .hex("sealed", bytes)
}

fn error_body_vector() -> Vector {
    let e = SyncError::StaleChallenge;
    let body = ErrorBody::from_coded(&e, Some(hub_now().timestamp_millis()));
    Vector::new("error-body")
        .text("http-status", e.code().http_status().to_string())
        .text("json", serde_json::to_string(&body).unwrap())
}

fn vectors() -> Vec<Vector> {
    vec![
        certificate_vector(),
        certificate_sm2_vector(),
        revocation_vector(),
        catalogue_vector(),
        change_vector(),
        dispatch_event_vector(),
        kb_vector(),
        access_vector(),
        sealed_x25519_vector(),
        sealed_sm2_vector(),
        challenge_vector(),
        sync_request_vector(),
        signed_request_vector(),
        error_body_vector(),
    ]
}

// ---------------------------------------------------------------------------------------------
// SPEC.md's blocks.

/// Each block's name and byte range, from its opening fence to the end of its closing one.
fn blocks(spec: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = spec[from..].find(FENCE_OPEN) {
        let start = from + found;
        let at_line_start = start == 0 || spec.as_bytes()[start - 1] == b'\n';
        let name_end = start
            + spec[start..]
                .find('\n')
                .expect("an unterminated vector fence");
        if !at_line_start {
            from = name_end;
            continue;
        }
        let name = spec[start + FENCE_OPEN.len()..name_end].trim().to_string();
        let close = spec[name_end..]
            .find(&format!("\n{FENCE_CLOSE}"))
            .unwrap_or_else(|| panic!("the vector block {name} of SPEC.md is not closed"));
        let end = name_end + close + 1 + FENCE_CLOSE.len();
        out.push((name, start..end));
        from = end;
    }
    out
}

#[test]
fn spec_vectors_are_what_the_code_makes() {
    let spec = std::fs::read_to_string(SPEC_PATH).expect("SPEC.md at the workspace root");
    let vectors = vectors();
    let found = blocks(&spec);
    let names: Vec<&str> = vectors.iter().map(|v| v.name).collect();
    for (name, _) in &found {
        assert!(
            names.contains(&name.as_str()),
            "SPEC.md has a vector block `{name}` that tests/spec_vectors.rs does not make: \
             remove it, or add it to `vectors()`"
        );
    }
    let update = std::env::var("UPDATE_SPEC").is_ok_and(|v| v == "1");
    let mut rewritten = spec.clone();
    let mut stale = Vec::new();
    // From the last block back, so earlier ranges stay valid while replacing.
    let mut positions: Vec<(&Vector, std::ops::Range<usize>)> = vectors
        .iter()
        .map(|v| {
            let ranges: Vec<_> = found.iter().filter(|(n, _)| n == v.name).collect();
            assert_eq!(
                ranges.len(),
                1,
                "SPEC.md must have exactly one block opening with `{FENCE_OPEN}{}` \
                 (an empty one is enough: UPDATE_SPEC=1 fills it)",
                v.name
            );
            (v, ranges[0].1.clone())
        })
        .collect();
    positions.sort_by_key(|(_, r)| std::cmp::Reverse(r.start));
    for (v, range) in positions {
        let rendered = v.render();
        if spec[range.clone()] != rendered {
            stale.push(v.name);
            rewritten.replace_range(range, &rendered);
        }
    }
    if update {
        if !stale.is_empty() {
            std::fs::write(SPEC_PATH, &rewritten).unwrap();
            eprintln!("SPEC.md: rewrote {stale:?}");
        }
        return;
    }
    assert!(
        stale.is_empty(),
        "SPEC.md's vector blocks {stale:?} differ from what the code makes now. If the format \
         changed on purpose, regenerate them with\n\n    UPDATE_SPEC=1 cargo test -p \
         hotline-core --test spec_vectors\n\nthen review the diff of SPEC.md (and its prose) \
         and run python3 -m pytest tests/spec."
    );
}

/// The signed request of `signed-request`, taken by a hub of the same city: the change it
/// pushes is stored, and a bundle made from that hub reads back frame by frame as SPEC.md §9
/// describes.
#[test]
fn a_hub_takes_the_documented_request_and_bundles_it_as_documented() {
    let tmp = tempfile::tempdir().unwrap();
    let platform = SealingKeypair::from_secret_bytes(PLATFORM_X25519_SECRET);
    let mut hub = SqliteHub::init(
        &tmp.path().join("hub"),
        root().public_key(),
        platform.public_key(),
        &policy::preset("puyang").unwrap(),
    )
    .unwrap();
    hub.device_mut().add_certificate(certificate()).unwrap();
    let directory = Directory {
        certificates: vec![certificate()],
        revocations: None,
        units: BTreeMap::new(),
        catalogue: None,
    };
    let (_, request, _) = push_request();
    let (response, _) = serve(&mut hub, &directory, &request, hub_now()).unwrap();
    assert!(response.refused.is_empty(), "{:?}", response.refused);
    assert_eq!(response.acked_upto, 1);
    let c = signed_change();
    assert!(hub.device().store().has_change(&c.hash).unwrap());

    let path = tmp.path().join("spec.bundle");
    bundle::export(hub.device(), "peer-spec", &path, hub_now()).unwrap();
    let file = std::fs::read(&path).unwrap();
    assert!(file.starts_with(b"HOTLINE-BUNDLE1\n"));
    let mut pos = 16;
    let mut tags = Vec::new();
    loop {
        let len = u32::from_le_bytes(file[pos..pos + 4].try_into().unwrap()) as usize;
        let body = &file[pos + 4..pos + 4 + len];
        // Every frame's tag is below 128, so it is the varint's one byte.
        let tag = body[0];
        tags.push(tag);
        match tag {
            0 => {
                let (from, to, made_at, upto, ack): (String, String, i64, i64, i64) =
                    wire::decode(&body[1..]).unwrap();
                assert_eq!(from, hub.device().node_id().unwrap());
                assert_eq!(to, "peer-spec");
                assert_eq!(made_at, hub_now().timestamp_millis());
                assert_eq!((upto, ack), (1, 0));
            }
            1 => {
                let certs: Vec<Certificate> = wire::decode(&body[1..]).unwrap();
                assert_eq!(certs, vec![certificate()]);
            }
            3 => {
                let units: Vec<(UnitId, hotline_core::identity::SealingPublicKey)> =
                    wire::decode(&body[1..]).unwrap();
                assert!(units.is_empty());
            }
            4 => {
                let (certs, changes): (Vec<String>, Vec<Packed>) =
                    wire::decode(&body[1..]).unwrap();
                assert_eq!(certs, vec![CERT_ID.to_string()]);
                assert_eq!(changes[0].bytes, c.payload);
                assert_eq!(changes[0].signature, c.envelope.signature.to_tagged_bytes());
            }
            6 => {
                assert_eq!(body.len(), 33);
                let digest = Sha256::digest(&file[..pos]);
                assert_eq!(
                    &body[1..],
                    digest.as_slice(),
                    "SPEC.md §9's checksum disagrees"
                );
                assert_eq!(pos + 4 + len, file.len(), "nothing follows End");
                break;
            }
            other => panic!("frame {other} in a bundle of one change and one certificate"),
        }
        pos += 4 + len;
    }
    assert_eq!(tags, vec![0, 1, 3, 4, 6]);
}
