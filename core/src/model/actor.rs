use serde::{Deserialize, Serialize};
use std::fmt;

/// A handling unit, a sub-unit or the hotline center itself, e.g. `unit-hualong-gucheng`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(pub String);

/// A person as enrolled by the city (staff number or kiosk device name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub String);

impl UnitId {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The unit a sub-unit belongs to (Turpan): sub-units are named under their unit,
    /// `town-a/village-1` under `town-a`. The authority registers a sub-unit before it enrols
    /// anyone in it, so the relation comes from root-signed names, never from what a peer says.
    pub fn parent(&self) -> Option<UnitId> {
        self.0
            .rsplit_once('/')
            .filter(|(parent, child)| !parent.is_empty() && !child.is_empty())
            .map(|(parent, _)| UnitId::new(parent))
    }

    pub fn is_sub_unit_of(&self, unit: &UnitId) -> bool {
        self.parent().as_ref() == Some(unit)
    }
}
impl PersonId {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}
impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The roles an enrolment certificate can carry (DOMAIN.md, "People and devices").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A public self-service terminal acting for a citizen (自助终端).
    Kiosk,
    /// Intake agent of the hotline center (受理员).
    Intake,
    /// Dispatcher / reviewer of the hotline center (交办/审核).
    Dispatcher,
    /// Township or department staff of a handling unit (承办人员).
    Staff,
    /// The main leader of a handling unit (主要负责人), who signs off every order it receives.
    UnitHead,
    /// The deputy leader in charge (分管负责人), who approves the result before the reply
    /// (Linshu 二(二)). Enrolled like the main leader, so the rule is checked on the certificate.
    DeputyHead,
    /// Callback agent of the hotline center (回访员).
    Callback,
    /// Field supervisor (督查员).
    Supervisor,
    /// Discipline inspection: reads everything, changes nothing.
    Auditor,
    /// The hotline center's own service (热线中心自动督办): enrolled by the authority like a
    /// person, it records the supervision the rules start by themselves (overdue; reopened and
    /// still dissatisfied) as signed events, so they sync and are audited like anyone's action.
    CenterService,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Kiosk,
        Role::Intake,
        Role::Dispatcher,
        Role::Staff,
        Role::UnitHead,
        Role::DeputyHead,
        Role::Callback,
        Role::Supervisor,
        Role::Auditor,
        Role::CenterService,
    ];

    /// Stable machine name, as used in certificates, TOML and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Kiosk => "kiosk",
            Role::Intake => "intake",
            Role::Dispatcher => "dispatcher",
            Role::Staff => "staff",
            Role::UnitHead => "unit_head",
            Role::DeputyHead => "deputy_head",
            Role::Callback => "callback",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::CenterService => "center_service",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Kiosk => "自助终端",
            Role::Intake => "受理员",
            Role::Dispatcher => "交办审核员",
            Role::Staff => "承办人员",
            Role::UnitHead => "承办单位主要负责人",
            Role::DeputyHead => "承办单位分管负责人",
            Role::Callback => "回访员",
            Role::Supervisor => "督查员",
            Role::Auditor => "审计人员",
            Role::CenterService => "热线中心自动督办服务",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that belong to a handling unit and are therefore bound to it.
    pub fn is_unit_role(self) -> bool {
        matches!(self, Role::Staff | Role::UnitHead | Role::DeputyHead)
    }

    /// The unit's main or deputy leader.
    pub fn is_unit_leader(self) -> bool {
        matches!(self, Role::UnitHead | Role::DeputyHead)
    }

    /// The center's desk, which holds the platform's sealing key: it reads the citizen's
    /// contact and re-seals it for the unit it dispatches to.
    pub fn is_center_desk(self) -> bool {
        matches!(self, Role::Dispatcher | Role::Callback | Role::Intake)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who performed an action: the person, the role they acted in and their unit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub person: PersonId,
    pub role: Role,
    pub unit: UnitId,
}

impl Actor {
    pub fn new(person: &str, role: Role, unit: &str) -> Self {
        Self {
            person: PersonId::new(person),
            role,
            unit: UnitId::new(unit),
        }
    }
}
