//! A small city for device tests: an authority, enrolled people, and their devices.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use hotline_core::authority::{Authority, EnrolRequest};
use hotline_core::device::{Credential, Device, SubmitRequest};
use hotline_core::identity::ContactDetails;
use hotline_core::model::{
    Action, Channel, GpsFix, Location, OrderId, PersonId, RequestKind, Role, UnitId, Urgency,
};
use hotline_core::policy::preset;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub const UNIT_A: &str = "unit-gucheng";
pub const UNIT_B: &str = "unit-shengli";

pub struct City {
    pub tmp: TempDir,
    pub authority: Authority,
}

impl City {
    pub fn new(policy: &str) -> City {
        let tmp = tempfile::tempdir().unwrap();
        let authority =
            Authority::create(&tmp.path().join("hub"), preset(policy).unwrap()).unwrap();
        City { tmp, authority }
    }

    pub fn credential(&mut self, role: Role, unit: &str, person: &str) -> Credential {
        self.credential_valid(role, unit, person, t("2026-01-01T00:00:00+08:00"), 365)
    }

    pub fn credential_valid(
        &mut self,
        role: Role,
        unit: &str,
        person: &str,
        not_before: DateTime<Utc>,
        valid_days: i64,
    ) -> Credential {
        self.authority
            .enrol(
                &EnrolRequest {
                    role,
                    unit: UnitId::new(unit),
                    person: PersonId::new(person),
                    display_name: format!("{person} 测试"),
                    area: "4109".into(),
                    not_before,
                    valid_days,
                },
                None,
                t("2026-01-01T00:00:00+08:00"),
            )
            .unwrap()
    }

    pub fn dir(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// A device with one enrolled person.
    pub fn device(&mut self, name: &str, role: Role, unit: &str) -> Device {
        let cred = self.credential(role, unit, name);
        Device::init(&self.dir(name), &cred, t("2026-03-01T09:00:00+08:00")).unwrap()
    }

    /// Every certificate issued so far, and the unit directory, known to `device`.
    pub fn introduce(&self, device: &mut Device) {
        for c in self.authority.issued() {
            device.add_certificate(c.clone()).unwrap();
        }
        device
            .update_unit_directory(self.authority.unit_directory())
            .unwrap();
    }
}

pub fn request(text: &str) -> SubmitRequest {
    SubmitRequest {
        kind: RequestKind::Complaint,
        urgency: Urgency::Normal,
        channel: Channel::Kiosk,
        text: text.into(),
        location: Location {
            address: "濮阳市华龙区古城路1号".into(),
            division_code: Some("410902001".into()),
            gps: Some(GpsFix::manual(35.76, 115.03)),
        },
        contact: Some(ContactDetails {
            name: Some("王秀英".into()),
            phone: Some("13912345678".into()),
            id_number: None,
        }),
        confidential: false,
        photos: Vec::new(),
    }
}

pub fn dispatch(lead: &str) -> Action {
    Action::Dispatch {
        lead: UnitId::new(lead),
        co_units: vec![],
        leader_approval: false,
        note: "请核实处理".into(),
    }
}

pub fn sign_for() -> Action {
    Action::SignFor {
        note: "已签收".into(),
    }
}

/// Copies every change of `order` from one device to another (a sneaker-net sync).
pub fn copy_order(from: &Device, to: &mut Device, order: &OrderId, now: DateTime<Utc>) {
    for c in from.export_changes(order).unwrap() {
        to.import_change(&c, now).unwrap();
    }
}

pub fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}
