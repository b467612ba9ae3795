//! A small city: an authority (in `TMP/hub`, which is also the hub's data folder), enrolled
//! people and their devices, and what they do — requests, actions, photos.

use chrono::{DateTime, Utc};
use hotline_core::authority::{Authority, EnrolRequest};
use hotline_core::catalogue::CatalogueSet;
use hotline_core::device::{Credential, Device, PhotoInput, PhotoSource, SubmitRequest};
use hotline_core::identity::{ContactDetails, CryptoSuite, TrustStore};
use hotline_core::model::{
    Action, Channel, GpsFix, Location, OrderId, PersonId, RequestKind, Role, UnitId, Urgency,
};
use hotline_core::policy::preset;
use hotline_core::sync::{Directory, SqliteHub};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub const UNIT_A: &str = "unit-gucheng";
pub const UNIT_B: &str = "unit-shengli";

#[derive(Debug)]
pub struct City {
    pub tmp: TempDir,
    pub authority: Authority,
}

/// The suite the tests' cities use: `HOTLINE_TEST_CRYPTO=sm` runs every test that builds its
/// city here under the national algorithms (CI runs the suites both ways).
pub fn test_suite() -> CryptoSuite {
    std::env::var("HOTLINE_TEST_CRYPTO")
        .ok()
        .map(|s| {
            CryptoSuite::parse(&s)
                .unwrap_or_else(|| panic!("HOTLINE_TEST_CRYPTO={s}: ed25519 or sm"))
        })
        .unwrap_or_default()
}

impl City {
    /// A city under `policy`, of the tests' suite ([`test_suite`]).
    pub fn new(policy: &str) -> City {
        City::new_in(test_suite(), policy)
    }

    /// A city of `suite` under `policy`.
    pub fn new_in(suite: CryptoSuite, policy: &str) -> City {
        let tmp = tempfile::tempdir().unwrap();
        let authority = Authority::create_in(
            suite,
            &tmp.path().join("hub"),
            preset(policy).unwrap(),
            t("2026-01-01T00:00:00+08:00"),
        )
        .unwrap();
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

    /// The standard city of these tests: Turpan's rules.
    pub fn turpan() -> City {
        City::new("turpan")
    }

    pub fn dir(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// What a hub hands out: every certificate issued, the revocation list, the units' keys.
    pub fn directory(&self) -> Directory {
        Directory {
            certificates: self.authority.issued().to_vec(),
            revocations: self.authority.revocations().cloned(),
            units: self.authority.unit_directory(),
            catalogue: self.authority.catalogues().last().cloned(),
        }
    }

    /// Every catalogue version the authority issued, verified (what a hub judges intakes by).
    pub fn catalogue_set(&self) -> CatalogueSet {
        let mut set = CatalogueSet::new();
        for c in self.authority.catalogues() {
            set.insert(c.open(&self.authority.root_public()).unwrap());
        }
        set
    }

    /// Whom a hub of this city trusts: its root and every certificate issued so far.
    pub fn trust_store(&self) -> TrustStore {
        let mut trust = TrustStore::new(self.authority.root_public()).unwrap();
        for c in self.authority.issued() {
            trust.add_certificate(c.clone()).unwrap();
        }
        trust
    }

    /// A hub's store in `dir`, trusting every certificate issued.
    pub fn hub_store(&self, dir: &Path) -> SqliteHub {
        let a = &self.authority;
        let mut hub = SqliteHub::init(
            dir,
            a.root_public(),
            a.platform_public(),
            &a.policy().unwrap(),
        )
        .unwrap();
        for c in a.issued() {
            hub.device_mut().add_certificate(c.clone()).unwrap();
        }
        for c in a.catalogues() {
            hub.device_mut().accept_catalogue(c).unwrap();
        }
        hub
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
        for c in self.authority.catalogues() {
            device.accept_catalogue(c).unwrap();
        }
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
        origin: hotline_core::model::Origin::Local,
        emergency_category: None,
        photos: Vec::new(),
        category: None,
    }
}

pub fn dispatch(lead: &str) -> Action {
    Action::Dispatch {
        separate_units: Vec::new(),
        statutory_limit: None,
        lead: UnitId::new(lead),
        co_units: vec![],
        leader_approval: false,
        note: "请核实处理".into(),
        duty_report: None,
        coordination: None,
        override_reason: None,
    }
}

/// [`dispatch`] to another unit than the catalogue proposes, saying why.
pub fn dispatch_overriding(lead: &str, reason: &str) -> Action {
    let mut action = dispatch(lead);
    if let Action::Dispatch {
        override_reason, ..
    } = &mut action
    {
        *override_reason = Some(reason.into());
    }
    action
}

/// The certificate id of the (first) person enrolled on `device`.
pub fn cert_id(device: &Device) -> String {
    device.identity(None).unwrap().certificate.body.id.0.clone()
}

/// The center desk registers the order and dispatches it to `lead`, at `now`.
pub fn register_and_dispatch(desk: &mut Device, order: &OrderId, lead: &str, now: DateTime<Utc>) {
    desk.act(
        None,
        order,
        Action::Register {
            note: String::new(),
        },
        now,
    )
    .unwrap();
    desk.act(None, order, dispatch(lead), now).unwrap();
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

/// A photo's bytes: a JPEG start and then `content` (the device and the hub check the type
/// from the first bytes).
pub fn jpeg(content: &[u8]) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    bytes.extend_from_slice(content);
    bytes
}

/// A photo as a phone takes it: a JPEG of `content`, captured at `at`, with a GPS fix.
pub fn photo(content: &[u8], at: DateTime<Utc>) -> PhotoInput {
    PhotoInput {
        source: PhotoSource::Bytes(jpeg(content)),
        media_type: "image/jpeg".into(),
        captured_at: Some(at),
        gps: Some(GpsFix::manual(35.7601, 115.0302)),
    }
}

/// A city's catalogue for tests: a functional category (night construction, with a required
/// start time and a list of sources) and a township one (village affairs), unit A a township,
/// unit B a department; village affairs go to unit A in Hualong (410902) and to the
/// agriculture bureau elsewhere, environmental matters to unit B — noise in county 4115 to its
/// own bureau, with unit A assisting.
pub const TEST_CATALOGUE: &str = r#"
[[category]]
code = "02"
name_zh = "生态环境"
name_en = "Environment"
functional = true

[[category]]
code = "0201"
parent = "02"
name_zh = "噪声污染"
name_en = "Noise"

[[category]]
code = "020101"
parent = "0201"
name_zh = "夜间施工"
name_en = "Construction at night"
kinds = ["complaint", "report"]

[[category.attribute]]
code = "started_at"
name_zh = "施工开始时间"
name_en = "Work started at"
type = "datetime"
required = true

[[category.attribute]]
code = "sources"
name_zh = "噪声来源"
name_en = "Sources"
type = "multivaluelist"
values = [
  { key = "crane", name_zh = "塔吊", name_en = "Crane" },
  { key = "truck", name_zh = "渣土车", name_en = "Truck" },
]

[[category]]
code = "09"
name_zh = "农业农村"
name_en = "Rural affairs"

[[category]]
code = "0901"
parent = "09"
name_zh = "村务管理"
name_en = "Village affairs"

[[category.attribute]]
code = "households"
name_zh = "涉及户数"
name_en = "Households"
type = "number"

[[unit]]
id = "unit-gucheng"
class = "township"

[[unit]]
id = "unit-shengli"
class = "department"

[[dispatch]]
category = "09"
division = "410902"
lead = "unit-gucheng"

[[dispatch]]
category = "02"
lead = "unit-shengli"

[[dispatch]]
category = "0201"
division = "4115"
lead = "unit-county-ecology"
assisting = ["unit-gucheng"]

[[dispatch]]
category = "09"
lead = "unit-agri"
"#;

impl City {
    /// Issues [`TEST_CATALOGUE`] as the next catalogue version, dated 2026-02-01 (after the
    /// city's first, before the tests' days).
    pub fn issue_test_catalogue(&mut self) -> u64 {
        let c = hotline_core::catalogue::parse_catalogue_toml(TEST_CATALOGUE).unwrap();
        self.authority
            .issue_catalogue(&c, t("2026-02-01T00:00:00+08:00"))
            .unwrap()
            .version
    }
}
