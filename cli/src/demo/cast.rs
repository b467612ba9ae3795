//! The people of the demo's day and their devices, enrolled by the city.

use hotline_core::authority::{Authority, EnrolRequest};
use hotline_core::device::Device;
use hotline_core::model::{PersonId, Role, Timestamp, UnitId};
use std::path::Path;

use crate::output::CliError;

pub const UNIT_GUCHENG: &str = "gucheng-street";
pub const UNIT_SHENGLI: &str = "shengli-street";

/// One enrolled person with their own device.
pub struct Member {
    pub person: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub device: Device,
}

pub struct Cast {
    pub kiosk: Member,
    pub dispatcher: Member,
    pub staff_a: Member,
    pub staff_b: Member,
    pub head_a: Member,
    pub callback: Member,
    pub supervisor: Member,
    /// A village grid worker whose device never reaches the network.
    pub village: Member,
}

impl Cast {
    pub fn all_mut(&mut self) -> [&mut Member; 8] {
        [
            &mut self.kiosk,
            &mut self.dispatcher,
            &mut self.staff_a,
            &mut self.staff_b,
            &mut self.head_a,
            &mut self.callback,
            &mut self.supervisor,
            &mut self.village,
        ]
    }
}

fn enrol(
    authority: &mut Authority,
    devices: &Path,
    person: &'static str,
    name: &'static str,
    role: Role,
    unit: &str,
    start: Timestamp,
) -> Result<Member, CliError> {
    let credential = authority.enrol(
        &EnrolRequest {
            role,
            unit: UnitId::new(unit),
            person: PersonId::new(person),
            display_name: name.to_string(),
            area: "410902".into(),
            not_before: start,
            valid_days: 365,
        },
        None,
        start,
    )?;
    let device = Device::init(&devices.join(person), &credential, start)?;
    Ok(Member {
        person,
        name,
        role,
        device,
    })
}

/// Units first, so the center's credential carries their sealing keys.
pub fn enrol_all(
    authority: &mut Authority,
    devices: &Path,
    start: Timestamp,
) -> Result<Cast, CliError> {
    let staff_a = enrol(
        authority,
        devices,
        "wang-qiang",
        "王强（古城路街道）",
        Role::Staff,
        UNIT_GUCHENG,
        start,
    )?;
    let staff_b = enrol(
        authority,
        devices,
        "zhao-lei",
        "赵磊（胜利路街道）",
        Role::Staff,
        UNIT_SHENGLI,
        start,
    )?;
    let head_a = enrol(
        authority,
        devices,
        "chen-jing",
        "陈静（古城路街道主任）",
        Role::UnitHead,
        UNIT_GUCHENG,
        start,
    )?;
    let village = enrol(
        authority,
        devices,
        "li-zhuang-grid",
        "李庄村网格员",
        Role::Staff,
        UNIT_GUCHENG,
        start,
    )?;
    let kiosk = enrol(
        authority,
        devices,
        "kiosk-gucheng-01",
        "古城路便民服务中心自助终端",
        Role::Kiosk,
        "center",
        start,
    )?;
    let dispatcher = enrol(
        authority,
        devices,
        "li-min",
        "李敏（12345中心交办）",
        Role::Dispatcher,
        "center",
        start,
    )?;
    let callback = enrol(
        authority,
        devices,
        "liu-fang",
        "刘芳（12345中心回访）",
        Role::Callback,
        "center",
        start,
    )?;
    let supervisor = enrol(
        authority,
        devices,
        "sun-wei",
        "孙伟（督查员）",
        Role::Supervisor,
        "center",
        start,
    )?;
    Ok(Cast {
        kiosk,
        dispatcher,
        staff_a,
        staff_b,
        head_a,
        callback,
        supervisor,
        village,
    })
}
