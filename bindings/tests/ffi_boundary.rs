//! What the binding itself decides, tested in Rust: which `HotlineError` variant an error
//! becomes, what the foreign key custody adapter accepts, and how a bulk import reports
//! progress, stops on cancel and lists refusals. The Kotlin and Python suites then only prove
//! that the same things cross the boundary.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use hotline_core::device::DeviceError;
use hotline_core::identity::IdentityError;
use hotline_core::model::{GpsFix, Location, RequestKind, Role};
use hotline_core::sync::SyncError;
use hotline_core::workflow::WorkflowError;
use hotline_ffi::{
    CancelHandle, CityAuthority, DeviceKeyCustody, EnrolmentRequest, HotlineDevice, HotlineError,
    OrderChangeListener, ProgressListener, SubmitRequest, SyncOptions, SyncPhase,
    SyncProgressListener, SyncSummary, TestHub,
};
use rand_core::OsRng;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A key custody as an app would write it, with knobs to misbehave.
struct AppKey {
    key: SigningKey,
    public_len: usize,
    forge_with: Option<SigningKey>,
    refuse: bool,
    signed: AtomicU32,
}

impl AppKey {
    fn new() -> Self {
        AppKey {
            key: SigningKey::generate(&mut OsRng),
            public_len: 32,
            forge_with: None,
            refuse: false,
            signed: AtomicU32::new(0),
        }
    }
}

impl DeviceKeyCustody for AppKey {
    fn public_key(&self) -> Result<Vec<u8>, HotlineError> {
        Ok(self.key.verifying_key().to_bytes()[..self.public_len.min(32)].to_vec())
    }
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, HotlineError> {
        if self.refuse {
            return Err(HotlineError::KeyCustody {
                code: "key_locked".into(),
                message_zh: "密钥已锁定".into(),
                message_en: "key locked".into(),
            });
        }
        self.signed.fetch_add(1, Ordering::SeqCst);
        let key = self.forge_with.as_ref().unwrap_or(&self.key);
        Ok(key.sign(&message).to_bytes().to_vec())
    }
}

struct Recorder(Mutex<Vec<String>>);

impl OrderChangeListener for Recorder {
    fn on_orders_changed(
        &self,
        orders: Vec<hotline_core::model::OrderId>,
    ) -> Result<(), HotlineError> {
        self.0
            .lock()
            .unwrap()
            .extend(orders.into_iter().map(|o| o.0));
        Ok(())
    }
}

struct City {
    tmp: tempfile::TempDir,
    authority: Arc<CityAuthority>,
}

impl City {
    fn new() -> City {
        let tmp = tempfile::tempdir().unwrap();
        let hub = tmp.path().join("hub").display().to_string();
        let authority = CityAuthority::create(
            hub,
            "turpan".into(),
            hotline_core::identity::CryptoSuite::Ed25519,
        )
        .unwrap();
        City { tmp, authority }
    }

    fn dir(&self, name: &str) -> String {
        self.tmp.path().join(name).display().to_string()
    }

    fn enrol(&self, person: &str, role: Role, key: Option<&AppKey>) -> String {
        let request = EnrolmentRequest {
            role,
            unit: hotline_core::model::UnitId::new("center"),
            person: hotline_core::model::PersonId::new(person),
            display_name: person.into(),
            area: "4109".into(),
            not_before: t("2026-01-01T00:00:00+08:00"),
            valid_days: 365,
        };
        let device_key = key.map(|k| k.public_key().unwrap());
        self.authority
            .enrol(request, t("2026-01-01T00:00:00+08:00"), device_key)
            .unwrap()
    }

    async fn device(&self, person: &str, role: Role, key: Arc<AppKey>) -> Arc<HotlineDevice> {
        let credential = self.enrol(person, role, Some(&key));
        HotlineDevice::set_up(
            self.dir(person),
            credential,
            t("2026-03-01T09:00:00+08:00"),
            Some(key),
        )
        .await
        .unwrap()
    }
}

fn request(text: &str) -> SubmitRequest {
    SubmitRequest {
        kind: RequestKind::Complaint,
        text: text.into(),
        location: Location {
            address: "古城路1号".into(),
            division_code: Some("410902001".into()),
            gps: Some(GpsFix::manual(35.76, 115.03)),
        },
        contact: None,
        confidential: false,
        origin: None,
        emergency_category: None,
        photos: Vec::new(),
        emergency: false,
        channel: None,
        category: None,
    }
}

#[test]
fn device_errors_keep_their_code_and_land_in_the_right_variant() {
    let cases: Vec<(DeviceError, &str, &str)> = vec![
        (
            DeviceError::bad_input("text", "empty"),
            "InvalidInput",
            "bad_input",
        ),
        (
            DeviceError::UnknownOrder("wo-1".into()),
            "NotFound",
            "unknown_order",
        ),
        (
            DeviceError::NoSuchIdentity("x".into()),
            "NotFound",
            "device_no_such_identity",
        ),
        (
            DeviceError::ContactNotVisible,
            "Refused",
            "contact_not_visible",
        ),
        (
            DeviceError::NotInitialised,
            "Refused",
            "device_not_initialised",
        ),
        (
            DeviceError::Workflow(WorkflowError::ReturnNeedsCall),
            "Refused",
            "return_needs_call",
        ),
        (
            DeviceError::Identity(IdentityError::SigningFailed { reason: "x".into() }),
            "KeyCustody",
            "signing_failed",
        ),
        (
            DeviceError::Corrupt("x".into()),
            "Internal",
            "store_corrupt",
        ),
        // Apps must act on these two, so they are not `Internal`.
        (
            DeviceError::Store(hotline_core::store::StoreError::Full { detail: "x".into() }),
            "StorageFull",
            "store_full",
        ),
        (
            DeviceError::Store(hotline_core::store::StoreError::Busy { detail: "x".into() }),
            "Busy",
            "store_busy",
        ),
    ];
    for (error, variant, code) in cases {
        let zh = hotline_core::Coded::message_zh(&error);
        let mapped = HotlineError::from(error);
        let (name, message_zh) = variant_of(&mapped);
        assert_eq!((name, mapped.code()), (variant, code));
        assert_eq!(message_zh, &zh, "the core's own words");
    }
}

/// Any code, for walking the whole table.
struct AnyCode(hotline_core::error::ErrorCode);

impl hotline_core::Coded for AnyCode {
    fn code(&self) -> hotline_core::error::ErrorCode {
        self.0
    }
    fn message_zh(&self) -> String {
        format!("代码 {}", self.0)
    }
    fn message_en(&self) -> String {
        format!("code {}", self.0)
    }
}

#[test]
fn every_code_arrives_as_the_variant_its_class_names() {
    for code in hotline_core::error::ErrorCode::ALL {
        let e = HotlineError::from_coded(&AnyCode(*code));
        let (variant, zh) = variant_of(&e);
        assert_eq!(
            (variant, e.code()),
            (code.class().as_str(), code.as_str()),
            "docs/error-codes.md gives each code's class"
        );
        assert_eq!(zh, &format!("代码 {code}"));
    }
}

fn variant_of(e: &HotlineError) -> (&'static str, &String) {
    match e {
        HotlineError::InvalidInput { message_zh, .. } => ("InvalidInput", message_zh),
        HotlineError::NotFound { message_zh, .. } => ("NotFound", message_zh),
        HotlineError::Refused { message_zh, .. } => ("Refused", message_zh),
        HotlineError::KeyCustody { message_zh, .. } => ("KeyCustody", message_zh),
        HotlineError::Network { message_zh, .. } => ("Network", message_zh),
        HotlineError::Cancelled { message_zh, .. } => ("Cancelled", message_zh),
        HotlineError::StorageFull { message_zh, .. } => ("StorageFull", message_zh),
        HotlineError::Busy { message_zh, .. } => ("Busy", message_zh),
        HotlineError::Internal { message_zh, .. } => ("Internal", message_zh),
    }
}

#[test]
fn sync_errors_keep_their_code_and_land_in_the_right_variant() {
    let id = hotline_core::identity::CertificateId::new("cert-1");
    let cases: Vec<(SyncError, &str, &str)> = vec![
        (
            SyncError::Transport("connection refused".into()),
            "Network",
            "sync_transport",
        ),
        (
            SyncError::Malformed("x".into()),
            "Network",
            "sync_malformed",
        ),
        (
            SyncError::TooManyRounds(3),
            "Network",
            "sync_too_many_rounds",
        ),
        (SyncError::Cancelled, "Cancelled", "sync_cancelled"),
        (SyncError::Protocol(9), "Refused", "sync_protocol"),
        (
            SyncError::BadRequestSignature,
            "Refused",
            "sync_bad_request_signature",
        ),
        (
            SyncError::BadBundle("truncated".into()),
            "InvalidInput",
            "bundle_damaged",
        ),
        (
            SyncError::Io(hotline_core::error::PathIoError::new(
                std::path::Path::new("/mnt/usb/x"),
                std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem),
            )),
            "InvalidInput",
            "sync_io",
        ),
        // The hub's refusal of this device's certificate, rebuilt by the core.
        (
            IdentityError::CertificateRevoked { id }.into(),
            "Refused",
            "certificate_revoked",
        ),
        (
            DeviceError::UnknownReceipt("X".into()).into(),
            "NotFound",
            "unknown_receipt",
        ),
        (
            DeviceError::bad_input("hub_url", "not a url").into(),
            "InvalidInput",
            "bad_input",
        ),
    ];
    for (error, variant, code) in cases {
        let zh = hotline_core::Coded::message_zh(&error);
        let mapped = HotlineError::from(error);
        let (name, message_zh) = variant_of(&mapped);
        assert_eq!((name, mapped.code()), (variant, code));
        assert_eq!(message_zh, &zh, "the core's own words");
    }
}

#[test]
fn an_unexpected_foreign_exception_becomes_internal_callback_failed() {
    let e = HotlineError::from(uniffi::UnexpectedUniFFICallbackError::new("boom"));
    assert!(matches!(e, HotlineError::Internal { .. }));
    assert_eq!(e.code(), "callback_failed");
}

#[test]
fn the_app_key_signs_and_its_mistakes_are_caught_before_anything_is_written() {
    block_on(async {
        let city = City::new();
        let key = Arc::new(AppKey::new());
        let kiosk = city.device("kiosk-1", Role::Kiosk, key.clone()).await;
        let now = t("2026-03-02T09:00:00+08:00");
        kiosk.submit(request("路灯不亮"), now, None).await.unwrap();
        assert_eq!(key.signed.load(Ordering::SeqCst), 1);

        // Same public key, signatures by another key: refused, nothing stored.
        let forger = Arc::new(AppKey {
            forge_with: Some(SigningKey::generate(&mut OsRng)),
            ..AppKey {
                key: key.key.clone(),
                ..AppKey::new()
            }
        });
        let forged = HotlineDevice::open(city.dir("kiosk-1"), Some(forger), None)
            .await
            .unwrap();
        let e = forged
            .submit(request("路灯不亮"), now, None)
            .await
            .unwrap_err();
        assert!(matches!(e, HotlineError::KeyCustody { .. }), "{e:?}");
        assert_eq!(e.code(), "signing_failed");
        assert_eq!(forged.inbox(Default::default()).await.unwrap().len(), 1);

        let locked = Arc::new(AppKey {
            refuse: true,
            ..AppKey {
                key: key.key.clone(),
                ..AppKey::new()
            }
        });
        let device = HotlineDevice::open(city.dir("kiosk-1"), Some(locked), None)
            .await
            .unwrap();
        let e = device
            .submit(request("路灯不亮"), now, None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "signing_failed");
        assert!(e.to_string().contains("key_locked"), "{e}");

        let short = Arc::new(AppKey {
            public_len: 31,
            ..AppKey::new()
        });
        let e = HotlineDevice::open(city.dir("kiosk-1"), Some(short), None)
            .await
            .unwrap_err();
        assert!(matches!(e, HotlineError::KeyCustody { .. }), "{e:?}");
        assert_eq!(e.code(), "invalid_public_key");
    });
}

struct CancelAfterFirst(Arc<CancelHandle>, Mutex<Vec<(u64, u64)>>);

impl ProgressListener for CancelAfterFirst {
    fn on_progress(&self, done: u64, total: u64) -> Result<(), HotlineError> {
        self.1.lock().unwrap().push((done, total));
        if done == 1 {
            self.0.cancel();
        }
        Ok(())
    }
}

#[test]
fn bulk_import_reports_progress_stops_on_cancel_and_lists_refusals() {
    block_on(async {
        let city = City::new();
        let kiosk = city
            .device("kiosk-1", Role::Kiosk, Arc::new(AppKey::new()))
            .await;
        let desk = city
            .device("dispatcher-1", Role::Dispatcher, Arc::new(AppKey::new()))
            .await;
        for cert in city.authority.issued_certificates().unwrap() {
            desk.add_certificate(cert).await.unwrap();
        }
        let now = t("2026-03-02T09:00:00+08:00");
        let mut changes = Vec::new();
        for text in ["一", "二", "三"] {
            let order = kiosk.submit(request(text), now, None).await.unwrap().order;
            changes.extend(kiosk.export_changes(order).await.unwrap());
        }
        let heard = Arc::new(Recorder(Mutex::new(Vec::new())));
        desk.set_change_listener(Some(heard.clone()));

        let cancel = CancelHandle::new();
        let progress = Arc::new(CancelAfterFirst(cancel.clone(), Mutex::new(Vec::new())));
        let e = desk
            .import_changes(changes.clone(), now, Some(progress.clone()), Some(cancel))
            .await
            .unwrap_err();
        assert!(matches!(e, HotlineError::Cancelled { .. }));
        assert_eq!(*progress.1.lock().unwrap(), vec![(1, 3)]);
        assert_eq!(heard.0.lock().unwrap().len(), 1, "the stored one is told");

        // A tampered change is listed with its reason; the others go in.
        let mut tampered = changes.clone();
        tampered[2].signature[0] ^= 1;
        let summary = desk
            .import_changes(tampered, now, None, None)
            .await
            .unwrap();
        assert_eq!((summary.applied, summary.already_had), (1, 1));
        assert_eq!(summary.refused.len(), 1);
        assert_eq!(summary.refused[0].index, 2);
        assert_eq!(summary.refused[0].code, "bad_signature");
    });
}

#[test]
fn a_cancel_before_the_call_stops_it_at_once() {
    block_on(async {
        let city = City::new();
        let kiosk = city
            .device("kiosk-1", Role::Kiosk, Arc::new(AppKey::new()))
            .await;
        let cancel = CancelHandle::new();
        assert!(!cancel.is_cancelled());
        cancel.cancel();
        let e = kiosk.verify(Some(cancel.clone())).await.unwrap_err();
        assert_eq!(e.code(), "cancelled");
        let now = t("2026-03-02T09:00:00+08:00");
        let e = kiosk
            .import_changes(Vec::new(), now, None, Some(cancel))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "cancelled");
        assert!(kiosk.verify(None).await.unwrap().ok);
    });
}

/// Records the phases a sync reports; cancels it once it starts exchanging, if asked to.
#[derive(Default)]
struct HeardSync {
    cancel_when_exchanging: Option<Arc<CancelHandle>>,
    heard: Mutex<Vec<(SyncPhase, SyncSummary)>>,
}

impl SyncProgressListener for HeardSync {
    fn on_sync_progress(&self, phase: SyncPhase, so_far: SyncSummary) -> Result<(), HotlineError> {
        self.heard.lock().unwrap().push((phase, so_far));
        if let (SyncPhase::Exchanging, Some(cancel)) = (phase, &self.cancel_when_exchanging) {
            cancel.cancel();
        }
        Ok(())
    }
}

#[test]
fn a_sync_through_an_in_process_hub_reports_progress_stops_on_cancel_and_tells_the_listener() {
    block_on(async {
        let city = City::new();
        let hub = TestHub::start(city.dir("hub"), Some(t("2026-03-10T09:00:00+08:00")))
            .await
            .unwrap();
        let kiosk = city
            .device("kiosk-1", Role::Kiosk, Arc::new(AppKey::new()))
            .await;
        let desk = city
            .device("dispatcher-1", Role::Dispatcher, Arc::new(AppKey::new()))
            .await;
        let now = t("2026-03-02T09:00:00+08:00");
        let submitted = kiosk.submit(request("路灯不亮"), now, None).await.unwrap();
        let sync = |device: &Arc<HotlineDevice>,
                    progress: Option<Arc<HeardSync>>,
                    cancel: Option<Arc<CancelHandle>>| {
            let (device, url) = (device.clone(), hub.url());
            async move {
                let progress = progress.map(|p| p as Arc<dyn SyncProgressListener>);
                device
                    .sync(url, None, progress, cancel, SyncOptions::default())
                    .await
            }
        };

        // Cancelled before it starts, and from the listener once it exchanges.
        let cancel = CancelHandle::new();
        cancel.cancel();
        let e = sync(&kiosk, None, Some(cancel)).await.unwrap_err();
        assert_eq!(variant_of(&e).0, "Cancelled");
        assert_eq!(e.code(), "sync_cancelled");
        let cancel = CancelHandle::new();
        let stopper = Arc::new(HeardSync {
            cancel_when_exchanging: Some(cancel.clone()),
            ..HeardSync::default()
        });
        let e = sync(&kiosk, Some(stopper.clone()), Some(cancel))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "sync_cancelled");
        let phases: Vec<SyncPhase> = stopper.heard.lock().unwrap().iter().map(|h| h.0).collect();
        assert_eq!(phases, [SyncPhase::Connecting, SyncPhase::Exchanging]);

        // Then the whole way, heard in order.
        let heard = Arc::new(HeardSync::default());
        let up = sync(&kiosk, Some(heard.clone()), None).await.unwrap();
        assert_eq!((up.pushed, up.pulled, up.refused_by_hub), (1, 0, 0));
        assert_eq!(up.hub, hub.node_id());
        assert!(up.bytes_sent > 0 && up.requests > 0 && up.rounds >= 1);
        let heard = heard.heard.lock().unwrap().clone();
        assert_eq!(heard.first().map(|h| h.0), Some(SyncPhase::Connecting));
        assert_eq!(heard.last(), Some(&(SyncPhase::Done, up.clone())));

        // The desk pulls it; its change listener hears the order.
        let told = Arc::new(Recorder(Mutex::new(Vec::new())));
        desk.set_change_listener(Some(told.clone()));
        let down = sync(&desk, None, None).await.unwrap();
        assert_eq!(down.pulled, 1);
        assert_eq!(*told.0.lock().unwrap(), vec![submitted.order.0.clone()]);
        let again = sync(&desk, None, None).await.unwrap();
        assert_eq!((again.pushed, again.pulled), (0, 0));
        assert_eq!(told.0.lock().unwrap().len(), 1, "nothing new, nothing told");

        // The kiosk's live lookup, answered by the hub.
        let status = kiosk
            .receipt_status(
                hub.url(),
                submitted.receipt.clone(),
                None,
                None,
                SyncOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(status.status, hotline_core::workflow::Status::Submitted);

        hub.stop().await.unwrap();
        hub.stop().await.unwrap();
        let options = SyncOptions {
            max_attempts: Some(1),
            ..SyncOptions::default()
        };
        let e = kiosk
            .sync(hub.url(), None, None, None, options)
            .await
            .unwrap_err();
        assert_eq!((variant_of(&e).0, e.code()), ("Network", "sync_transport"));
    });
}

/// The app's sealing key, as a Keystore-backed implementation would hold it.
struct AppSealing {
    key: hotline_core::identity::SealingKeypair,
    opened: AtomicU32,
}

impl hotline_ffi::SealingKeyCustody for AppSealing {
    fn public_key(&self) -> Result<Vec<u8>, HotlineError> {
        Ok(self.key.public_key().as_bytes().to_vec())
    }
    fn unseal(&self, sealed_box: Vec<u8>) -> Result<Vec<u8>, HotlineError> {
        self.opened.fetch_add(1, Ordering::SeqCst);
        self.key
            .unseal(&sealed_box)
            .map_err(|e| HotlineError::from(hotline_core::device::DeviceError::from(e)))
    }
}

#[test]
fn a_sealing_key_the_app_keeps_opens_the_citizens_contact() {
    block_on(async {
        let city = City::new();
        let now = t("2026-03-02T09:00:00+08:00");
        let kiosk = city
            .device("kiosk-1", Role::Kiosk, Arc::new(AppKey::new()))
            .await;
        let mut req = request("噪音扰民");
        req.contact = Some(hotline_core::identity::ContactDetails {
            name: Some("王秀英".into()),
            phone: Some("13912345678".into()),
            id_number: None,
        });
        let order = kiosk.submit(req, now, None).await.unwrap().order;
        // The desk's credential carries the platform's sealing secret; the app keeps it itself.
        let credential = city.enrol("desk", Role::Dispatcher, None);
        let parsed: serde_json::Value = serde_json::from_str(&credential).unwrap();
        let mut secret = [0u8; 32];
        hex::decode_to_slice(
            parsed["platform_sealing_secret"].as_str().unwrap(),
            &mut secret,
        )
        .unwrap();
        let desk = HotlineDevice::set_up(city.dir("desk"), credential, now, None)
            .await
            .unwrap();
        desk.import_changes(
            kiosk.export_changes(order.clone()).await.unwrap(),
            now,
            None,
            None,
        )
        .await
        .unwrap();
        drop(desk);
        let keys = std::path::Path::new(&city.dir("desk")).join("keys");
        for e in std::fs::read_dir(&keys).unwrap() {
            let p = e.unwrap().path();
            if p.to_string_lossy().ends_with("platform-sealing.key") {
                std::fs::remove_file(p).unwrap();
            }
        }
        let without = HotlineDevice::open(city.dir("desk"), None, None)
            .await
            .unwrap();
        assert_eq!(
            without
                .contact(order.clone(), "回访".into(), None)
                .await
                .unwrap_err()
                .code(),
            "contact_not_visible"
        );
        drop(without);
        let held = Arc::new(AppSealing {
            key: hotline_core::identity::SealingKeypair::from_secret_bytes(secret),
            opened: AtomicU32::new(0),
        });
        let desk = HotlineDevice::open(city.dir("desk"), None, Some(vec![held.clone()]))
            .await
            .unwrap();
        let contact = desk.contact(order, "回访".into(), None).await.unwrap();
        assert_eq!(contact.phone.as_deref(), Some("13912345678"));
        assert_eq!(held.opened.load(Ordering::SeqCst), 1);
    });
}
