use serde::{Deserialize, Serialize};
use std::fmt;

use super::Timestamp;

/// Identity of one work order (工单); globally unique, chosen by the creating device.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub String);

impl OrderId {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}
impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The code a citizen keeps to look up their request (查询码).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReceiptCode(pub String);

impl fmt::Display for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 诉求类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Inquiry,
    Help,
    Complaint,
    Report,
    Suggestion,
}

impl RequestKind {
    pub const ALL: [RequestKind; 5] = [
        RequestKind::Inquiry,
        RequestKind::Help,
        RequestKind::Complaint,
        RequestKind::Report,
        RequestKind::Suggestion,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Inquiry => "inquiry",
            RequestKind::Help => "help",
            RequestKind::Complaint => "complaint",
            RequestKind::Report => "report",
            RequestKind::Suggestion => "suggestion",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            RequestKind::Inquiry => "咨询",
            RequestKind::Help => "求助",
            RequestKind::Complaint => "投诉",
            RequestKind::Report => "举报",
            RequestKind::Suggestion => "建议",
        }
    }
    /// Accepts the English machine name or the Chinese term.
    pub fn parse(s: &str) -> Option<RequestKind> {
        RequestKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.zh() == s)
    }
    /// Complaints and reports carry a heavier reply obligation (case number or why no case).
    pub fn is_complaint_or_report(self) -> bool {
        matches!(self, RequestKind::Complaint | RequestKind::Report)
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Normal, or 突发/紧急 (Turpan art. 26).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    #[default]
    Normal,
    Emergency,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Emergency => "emergency",
        }
    }

    pub fn parse(s: &str) -> Option<Urgency> {
        [Urgency::Normal, Urgency::Emergency]
            .into_iter()
            .find(|u| u.as_str() == s)
    }
}

/// Where an order came from (Linshu, Puyang): taken here, or handed down by a higher platform
/// or diverted by the 110 desk. KPIs are counted per origin level.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Taken by this city's own hotline, kiosks or desks.
    #[default]
    Local,
    /// 省级热线 — handed down by the provincial 12345.
    ProvincialHotline,
    /// 市级热线 — handed down by the city 12345 (to a county center).
    CityHotline,
    /// 县级中心 — handed over by a county center.
    CountyCenter,
    /// 110 分流 — a non-police matter the 110 desk diverted (Puyang §(一)).
    #[serde(rename = "diverted_110")]
    Diverted110,
}

impl Origin {
    pub const ALL: [Origin; 5] = [
        Origin::Local,
        Origin::ProvincialHotline,
        Origin::CityHotline,
        Origin::CountyCenter,
        Origin::Diverted110,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Local => "local",
            Origin::ProvincialHotline => "provincial_hotline",
            Origin::CityHotline => "city_hotline",
            Origin::CountyCenter => "county_center",
            Origin::Diverted110 => "diverted_110",
        }
    }
    pub fn parse(s: &str) -> Option<Origin> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Origin::Local => "本地受理",
            Origin::ProvincialHotline => "省级热线转来",
            Origin::CityHotline => "市级热线转来",
            Origin::CountyCenter => "县级中心转来",
            Origin::Diverted110 => "110 分流",
        }
    }
    /// Serde: `local` is left out, so orders written before origins read and write the same.
    pub fn is_local(&self) -> bool {
        *self == Origin::Local
    }
}

/// Turpan art. 26: the kinds of 突发事项 an emergency must be one of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyCategory {
    /// 区域性停水、停电、停气、停暖、断网.
    UtilityOutage,
    /// 自然灾害、地质灾害.
    NaturalDisaster,
    /// 城市设施危及公共安全.
    DangerousFacility,
    /// 个人扬言危及公共安全、人身财产安全 (a 110 matter).
    PublicSafetyThreat,
}

impl EmergencyCategory {
    pub const ALL: [EmergencyCategory; 4] = [
        EmergencyCategory::UtilityOutage,
        EmergencyCategory::NaturalDisaster,
        EmergencyCategory::DangerousFacility,
        EmergencyCategory::PublicSafetyThreat,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EmergencyCategory::UtilityOutage => "utility_outage",
            EmergencyCategory::NaturalDisaster => "natural_disaster",
            EmergencyCategory::DangerousFacility => "dangerous_facility",
            EmergencyCategory::PublicSafetyThreat => "public_safety_threat",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            EmergencyCategory::UtilityOutage => "区域性停水停电停气停暖断网",
            EmergencyCategory::NaturalDisaster => "自然灾害、地质灾害",
            EmergencyCategory::DangerousFacility => "城市设施危及公共安全",
            EmergencyCategory::PublicSafetyThreat => "个人扬言危及公共安全",
        }
    }
}

/// 渠道: where the request came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Web,
    Email,
    Wechat,
    Weibo,
    App,
    MiniProgram,
    Sms,
    WalkIn,
    Kiosk,
}

impl Channel {
    pub const ALL: [Channel; 10] = [
        Channel::Phone,
        Channel::Web,
        Channel::Email,
        Channel::Wechat,
        Channel::Weibo,
        Channel::App,
        Channel::MiniProgram,
        Channel::Sms,
        Channel::WalkIn,
        Channel::Kiosk,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Web => "web",
            Channel::Email => "email",
            Channel::Wechat => "wechat",
            Channel::Weibo => "weibo",
            Channel::App => "app",
            Channel::MiniProgram => "mini_program",
            Channel::Sms => "sms",
            Channel::WalkIn => "walk_in",
            Channel::Kiosk => "kiosk",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a GPS fix came from; a mocked location is kept and flagged, never hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpsSource {
    Gnss,
    Network,
    Fused,
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GpsFix {
    pub lat: f64,
    pub lon: f64,
    /// Horizontal accuracy in metres, when the device reports one.
    pub accuracy_m: Option<f64>,
    pub source: GpsSource,
    pub mock: bool,
}

impl GpsFix {
    /// A fix typed in or given on a command line.
    pub fn manual(lat: f64, lon: f64) -> Self {
        Self {
            lat,
            lon,
            accuracy_m: None,
            source: GpsSource::Manual,
            mock: false,
        }
    }
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
            && self.accuracy_m.is_none_or(|a| a.is_finite() && a >= 0.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Free address text as the citizen or agent gave it.
    pub address: String,
    /// Administrative division code (行政区划代码), 6 to 12 digits, when known.
    pub division_code: Option<String>,
    pub gps: Option<GpsFix>,
}

/// A file (photo, recording, document) referenced by its content hash; bytes live in the blob store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentRef {
    /// The bytes' name by the city's digest: lower-case hex SHA-256, or `sm3:` and hex SM3 in
    /// an `sm` city ([`crate::identity::ContentName`]). The field keeps its first name so
    /// every record signed before suites existed reads unchanged.
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub captured_at: Option<Timestamp>,
    pub gps: Option<GpsFix>,
    /// The device that captured it.
    pub device: Option<String>,
}

/// What the citizen asked for: fixed at submission, never edited afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetails {
    pub id: OrderId,
    pub receipt: ReceiptCode,
    pub kind: RequestKind,
    pub urgency: Urgency,
    pub channel: Channel,
    pub text: String,
    pub location: Location,
    /// 保密: the caller is never identified to handling units and is not called back.
    pub confidential: bool,
    pub attachments: Vec<AttachmentRef>,
    /// Where the order came from; orders from before origins were recorded are local.
    #[serde(default, skip_serializing_if = "Origin::is_local")]
    pub origin: Origin,
    /// For an emergency: which kind (Turpan art. 26).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_category: Option<EmergencyCategory>,
    /// What the request is about, from the city's catalogue; absent on orders taken before
    /// categories existed or without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<crate::catalogue::CategoryRef>,
    /// The answers to the category's intake form, by attribute code.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, crate::catalogue::AttributeValue>,
    /// 拆单: the order this one was split from (its citizen's receipt shows this one too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_from: Option<OrderId>,
    /// The earlier order the intake offered as the same matter and the citizen's choice:
    /// add to it (the center merges this one into it), or a repeat of a closed matter with no
    /// new facts (not accepted, reason 7, linked to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake_match: Option<IntakeMatch>,
}

/// What the citizen chose when the intake offered an earlier order as the same matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeMatch {
    pub order: OrderId,
    pub relation: MatchRelation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRelation {
    /// 已有相同诉求在办：the new details and photos join the open order.
    Joins,
    /// 重复诉求：the matter was closed and there is nothing new (not accepted, reason 7).
    Repeats,
}
