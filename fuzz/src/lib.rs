//! A small city shared by the fuzz targets: an authority, a kiosk, a dispatcher and a township
//! clerk on their own devices, one dispatched complaint, and the hub's store holding it — set up
//! once per fuzzing process.


use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Utc};
use hotline_core::authority::{Authority, EnrolRequest};
use hotline_core::device::{Device, SubmitRequest, WireChange};
use hotline_core::identity::ContactDetails;
use hotline_core::model::{
    Action, Channel, Location, OrderId, PersonId, RequestKind, Role, UnitId, Urgency,
};
use hotline_core::policy::preset;
use hotline_core::sync::{Directory, SqliteHub};

pub struct City {
    pub tmp: tempfile::TempDir,
    pub hub: SqliteHub,
    pub desk: Device,
    pub staff: Device,
    pub dir: Directory,
    pub order: OrderId,
    pub changes: Vec<WireChange>,
    pub now: DateTime<Utc>,
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Panics inside the guards of `hotline_core::doc` are caught and become refusals; silence
/// them. A panic anywhere else still reaches libFuzzer, which reports it as the crash it is.
pub fn quiet_guarded_panics() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| std::panic::set_hook(Box::new(|_| {})));
}

pub fn city() -> &'static Mutex<City> {
    static CITY: OnceLock<Mutex<City>> = OnceLock::new();
    CITY.get_or_init(|| Mutex::new(build()))
}

fn build() -> City {
    let tmp = tempfile::tempdir().unwrap();
    let now = at("2026-03-02T09:00:00+08:00");
    let mut authority = Authority::create(&tmp.path().join("city"), preset("turpan").unwrap()).unwrap();
    let mut enrol = |role, unit: &str, person: &str| {
        let cred = authority
            .enrol(
                &EnrolRequest {
                    role,
                    unit: UnitId::new(unit),
                    person: PersonId::new(person),
                    display_name: person.into(),
                    area: "4109".into(),
                    not_before: at("2026-01-01T00:00:00+08:00"),
                    valid_days: 365,
                },
                None,
                now,
            )
            .unwrap();
        Device::init(&tmp.path().join(person), &cred, now).unwrap()
    };
    let mut staff = enrol(Role::Staff, "unit-a", "staff-a");
    let mut kiosk = enrol(Role::Kiosk, "center", "kiosk-1");
    let mut desk = enrol(Role::Dispatcher, "center", "desk-1");
    let order = kiosk
        .submit(
            None,
            SubmitRequest {
                kind: RequestKind::Complaint,
                urgency: Urgency::Normal,
                channel: Channel::Kiosk,
                text: "夜间施工噪音扰民".into(),
                location: Location {
                    address: "古城路8号".into(),
                    division_code: Some("410902001".into()),
                    gps: None,
                },
                contact: Some(ContactDetails {
                    name: Some("王秀英".into()),
                    phone: Some("13912345678".into()),
                    id_number: None,
                }),
                confidential: false,
                origin: hotline_core::model::Origin::Local,
                emergency_category: None,
                photos: Vec::new(),
                category: None,
            },
            now,
        )
        .unwrap()
        .order;
    let carry = |from: &Device, to: &mut Device| {
        let changes: Vec<WireChange> = from
            .export_changes(&order)
            .unwrap()
            .iter()
            .map(WireChange::from)
            .collect();
        to.import_batch(&changes, None, now).unwrap();
    };
    carry(&kiosk, &mut desk);
    desk.act(None, &order, Action::Register { note: String::new() }, now)
        .unwrap();
    desk.act(
        None,
        &order,
        Action::Dispatch {
            lead: UnitId::new("unit-a"),
            co_units: vec![],
            leader_approval: false,
            note: "请核实".into(),
            duty_report: None,
            coordination: None,
            statutory_limit: None,
            separate_units: vec![],
            override_reason: None,
        },
        now,
    )
    .unwrap();
    carry(&desk, &mut staff);
    let authority = Authority::open(&tmp.path().join("city")).unwrap();
    let mut hub = SqliteHub::init(
        &tmp.path().join("hub"),
        authority.root_public(),
        authority.platform_public(),
        &authority.policy().unwrap(),
    )
    .unwrap();
    for c in authority.issued() {
        hub.device_mut().add_certificate(c.clone()).unwrap();
    }
    carry(&desk, hub.device_mut());
    let changes = desk
        .export_changes(&order)
        .unwrap()
        .iter()
        .map(WireChange::from)
        .collect();
    let dir = Directory {
        certificates: authority.issued().to_vec(),
        revocations: None,
        units: authority.unit_directory(),
        catalogue: authority.catalogues().last().cloned(),
    };
    City {
        tmp,
        hub,
        desk,
        staff,
        dir,
        order,
        changes,
        now,
    }
}
