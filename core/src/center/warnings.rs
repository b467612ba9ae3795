//! Warnings (预警): real-time prompts at every stage (Turpan art. 29), graded prompt (提示) then
//! warning (警示) as in Linshu 二(五). Pure: the same code, given the same states and `now`,
//! answers the same on the hub, a center desk and a unit's phone for its own orders.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::similarity::{ClusterConfig, ClusterItem, cluster};
use crate::error::ErrorCode;
use crate::model::{Action, Timestamp, Urgency};
use crate::policy::{HolidayCalendar, Policy};
use crate::workflow::{OrderState, Status, deadlines};

/// 提示 comes first; 警示 when it got worse or more serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Prompt,
    Warning,
}

impl Grade {
    pub fn zh(self) -> &'static str {
        match self {
            Grade::Prompt => "提示",
            Grade::Warning => "警示",
        }
    }
}

/// What a warning is about; each names the clause it comes from ([`WarningRule::clause`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningRule {
    SignForLate,
    ReturnLate,
    EmergencyResponseLate,
    HandlingDueSoon,
    Overdue,
    ReopenedRepeatedly,
    PerfunctoryHandling,
    ConcentratedComplaints,
    PetitionRisk,
}

impl WarningRule {
    pub const ALL: [WarningRule; 9] = [
        WarningRule::SignForLate,
        WarningRule::ReturnLate,
        WarningRule::EmergencyResponseLate,
        WarningRule::HandlingDueSoon,
        WarningRule::Overdue,
        WarningRule::ReopenedRepeatedly,
        WarningRule::PerfunctoryHandling,
        WarningRule::ConcentratedComplaints,
        WarningRule::PetitionRisk,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            WarningRule::SignForLate => "sign_for_late",
            WarningRule::ReturnLate => "return_late",
            WarningRule::EmergencyResponseLate => "emergency_response_late",
            WarningRule::HandlingDueSoon => "handling_due_soon",
            WarningRule::Overdue => "overdue",
            WarningRule::ReopenedRepeatedly => "reopened_repeatedly",
            WarningRule::PerfunctoryHandling => "perfunctory_handling",
            WarningRule::ConcentratedComplaints => "concentrated_complaints",
            WarningRule::PetitionRisk => "petition_risk",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            WarningRule::SignForLate => "签收超时",
            WarningRule::ReturnLate => "退回超时",
            WarningRule::EmergencyResponseLate => "突发事项处置超时",
            WarningRule::HandlingDueSoon => "办理即将到期",
            WarningRule::Overdue => "超期未办结",
            WarningRule::ReopenedRepeatedly => "多次重办",
            WarningRule::PerfunctoryHandling => "敷衍塞责",
            WarningRule::ConcentratedComplaints => "多人多次集中反映",
            WarningRule::PetitionRisk => "信访隐患",
        }
    }
    /// The seed clause the rule comes from.
    pub fn clause(self) -> &'static str {
        match self {
            WarningRule::SignForLate => "吐鲁番办法第十四条（一）：12小时内签收；第二十九条",
            WarningRule::ReturnLate => {
                "吐鲁番办法第十四条（二）：20小时内退回；临沭通知二(三)：1个工作日内；濮阳考核办法四(三)2"
            }
            WarningRule::EmergencyResponseLate => "吐鲁番办法第二十六条：突发事项2小时内处理",
            WarningRule::HandlingDueSoon => {
                "吐鲁番办法第十七条、第二十九条：办理时限，实时智能预警"
            }
            WarningRule::Overdue => {
                "吐鲁番办法第二十八条：超期未办结的事项督办；濮阳考核办法四(三)1"
            }
            WarningRule::ReopenedRepeatedly => "临沭通知二(五)：工单重办两次以上",
            WarningRule::PerfunctoryHandling => "临沭通知二(五)：工作敷衍塞责",
            WarningRule::ConcentratedComplaints => {
                "临沭通知二(五)：多人多次集中投诉事项；濮阳方案三(八)"
            }
            WarningRule::PetitionRisk => "临沭通知二(五)：存在信访隐患的事项",
        }
    }
}

/// The center's settings for the scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarningConfig {
    /// A handling deadline this close gives a prompt (hours).
    pub due_soon_hours: u32,
    /// A sign-for limit or return window this close gives a prompt (hours): they are hours
    /// long, not days.
    pub sign_for_prompt_hours: u32,
    /// An emergency's first response this close gives a prompt (minutes).
    pub response_prompt_minutes: u32,
    /// Orders submitted within this many days are compared for concentrated complaints.
    pub cluster_window_days: u32,
    /// This many orders on one matter give a prompt, `cluster_warning` a warning.
    pub cluster_prompt: usize,
    pub cluster_warning: usize,
    pub text_threshold: f64,
    pub address_threshold: f64,
    /// Phrases that signal a petition risk (信访隐患), matched in the citizen's text.
    pub petition_phrases: Vec<String>,
}

impl Default for WarningConfig {
    fn default() -> Self {
        let cluster = ClusterConfig::default();
        WarningConfig {
            due_soon_hours: 24,
            sign_for_prompt_hours: 4,
            response_prompt_minutes: 60,
            cluster_window_days: 30,
            cluster_prompt: 3,
            cluster_warning: 5,
            text_threshold: cluster.text_threshold,
            address_threshold: cluster.address_threshold,
            petition_phrases: [
                "上访",
                "信访",
                "集体上访",
                "进京",
                "去北京",
                "到省里",
                "找媒体",
                "曝光",
                "拉横幅",
                "堵路",
                "静坐",
                "跳楼",
                "自杀",
                "同归于尽",
                "讨说法",
                "联名",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl WarningConfig {
    /// The center's settings file (TOML; every key optional).
    pub fn from_toml_str(text: &str) -> Result<WarningConfig, super::CenterError> {
        let config: WarningConfig = toml::from_str(text)
            .map_err(|e| super::CenterError::Inputs(e.message().to_string()))?;
        let ratio_ok = |x: f64| (0.0..=1.0).contains(&x);
        if !ratio_ok(config.text_threshold) || !ratio_ok(config.address_threshold) {
            return Err(super::CenterError::Inputs(
                "text_threshold and address_threshold are between 0 and 1".into(),
            ));
        }
        Ok(config)
    }
}

/// One warning about one order, or about a cluster of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub rule: WarningRule,
    pub grade: Grade,
    /// The order it is about (for a cluster: the first of them).
    pub order: String,
    /// Every order of a cluster; the order alone otherwise.
    pub orders: Vec<String>,
    /// The unit it goes to (the lead unit), when the order has one.
    pub unit: Option<String>,
    /// The deadline concerned, if any.
    pub due: Option<Timestamp>,
    pub clause: &'static str,
    /// What is wrong, zh / en.
    pub detail: String,
}

/// The warnings on one order at `now`.
pub fn order_warnings(
    state: &OrderState,
    now: Timestamp,
    policy: &Policy,
    cal: &HolidayCalendar,
    config: &WarningConfig,
) -> Vec<Warning> {
    let Some(details) = &state.details else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let unit = state.lead_unit.as_ref().map(|u| u.0.clone());
    let mut push = |rule: WarningRule, grade: Grade, due: Option<Timestamp>, detail: String| {
        out.push(Warning {
            rule,
            grade,
            order: details.id.0.clone(),
            orders: vec![details.id.0.clone()],
            unit: unit.clone(),
            due,
            clause: rule.clause(),
            detail,
        })
    };
    let soon = Duration::hours(i64::from(config.due_soon_hours));
    let hours_window = Duration::hours(i64::from(config.sign_for_prompt_hours));
    // A calendar gap is reported on the order itself (deadline_error); no timing warning here.
    let d = deadlines(state, policy, cal).unwrap_or_default();
    let grade_of = |due: Timestamp, window: Duration| {
        if now > due {
            Some(Grade::Warning)
        } else if due - now <= window {
            Some(Grade::Prompt)
        } else {
            None
        }
    };
    if state.status == Status::Dispatched
        && let Some(due) = d.sign_for_due
        && let Some(g) = grade_of(due, hours_window)
    {
        push(
            WarningRule::SignForLate,
            g,
            Some(due),
            match g {
                Grade::Warning => "已超过签收时限仍未签收 / not signed for past the limit".into(),
                Grade::Prompt => "签收时限将至 / the sign-for limit is near".into(),
            },
        );
    }
    // A late return is refused, and warned about (Puyang: overdue returns are warned).
    let late_return = state.dispatched_at.is_some_and(|since| {
        state.history.iter().any(|h| {
            matches!(h.event.action, Action::RequestReturn(_))
                && h.event.at >= since
                && h.outcome.refusal_code() == Some(ErrorCode::ReturnWindowClosed)
        })
    });
    if late_return && state.status.is_handling_clock_running() {
        push(WarningRule::ReturnLate, Grade::Warning, d.return_due,
            "超过退回时限申请退回，已被拒绝，单位须继续办理 / a return asked for after the window was refused: the unit must handle the order".into());
    } else if state.status == Status::Dispatched
        && let Some(due) = d.return_due
        && now <= due
        && due - now <= hours_window
    {
        push(
            WarningRule::ReturnLate,
            Grade::Prompt,
            Some(due),
            "如需退回，退回时限将至 / the return window is closing".into(),
        );
    }
    if details.urgency == Urgency::Emergency
        && state.force_majeure.is_none()
        && let Some(due) = d.response_due
        && state.status.is_handling_clock_running()
        && let Some(g) = grade_of(
            due,
            Duration::minutes(i64::from(config.response_prompt_minutes)),
        )
    {
        push(
            WarningRule::EmergencyResponseLate,
            g,
            Some(due),
            match g {
                Grade::Warning => {
                    "突发事项超过首次处置时限 / the emergency's first response is late".into()
                }
                Grade::Prompt => {
                    "突发事项首次处置时限将至 / the emergency's first response is due soon".into()
                }
            },
        );
    }
    if state.status.is_handling_clock_running()
        && let Some(due) = d.handling_due
    {
        match grade_of(due, soon) {
            Some(Grade::Warning) => push(
                WarningRule::Overdue,
                Grade::Warning,
                Some(due),
                "已超过办理时限 / past the handling limit".into(),
            ),
            Some(Grade::Prompt) => push(
                WarningRule::HandlingDueSoon,
                Grade::Prompt,
                Some(due),
                format!(
                    "{} 小时内到期 / due within {} hours",
                    config.due_soon_hours, config.due_soon_hours
                ),
            ),
            None => {}
        }
    }
    let open = !state.status.is_final();
    if open && state.reopen_count >= 1 {
        let g = if state.reopen_count >= 2 {
            Grade::Warning
        } else {
            Grade::Prompt
        };
        push(
            WarningRule::ReopenedRepeatedly,
            g,
            None,
            format!(
                "已重办 {} 次 / reopened {} times",
                state.reopen_count, state.reopen_count
            ),
        );
    }
    if open && state.replies_rejected >= 1 {
        let g = if state.replies_rejected >= 2 {
            Grade::Warning
        } else {
            Grade::Prompt
        };
        push(
            WarningRule::PerfunctoryHandling,
            g,
            None,
            format!(
                "答复被退回 {} 次 / reply rejected {} times",
                state.replies_rejected, state.replies_rejected
            ),
        );
    }
    if open {
        let found: Vec<&str> = config
            .petition_phrases
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty() && details.text.contains(p))
            .collect();
        if !found.is_empty() {
            // Worse once the citizen is already dissatisfied.
            let g = if state.reopen_count > 0 || state.status == Status::Dissatisfied {
                Grade::Warning
            } else {
                Grade::Prompt
            };
            push(
                WarningRule::PetitionRisk,
                g,
                None,
                format!(
                    "诉求含“{}” / the text mentions {}",
                    found.join("、"),
                    found.join(", ")
                ),
            );
        }
    }
    out
}

/// What the concentrated-complaints rule compares of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterCandidate {
    pub order: String,
    pub unit: Option<String>,
    pub place: String,
    pub address: String,
    pub kind: String,
    pub text: String,
    pub submitted_at: Timestamp,
}

impl ClusterCandidate {
    /// Open orders and those submitted within the window take part.
    pub fn of(state: &OrderState, now: Timestamp, config: &WarningConfig) -> Option<Self> {
        let d = state.details.as_ref()?;
        let at = state.submitted_at?;
        let recent = now - at <= Duration::days(i64::from(config.cluster_window_days));
        if !recent && state.status.is_final() {
            return None;
        }
        // Merged and split orders are already accounted for by the orders they went into.
        if matches!(
            state.status,
            Status::Merged | Status::Split | Status::NotAccepted
        ) {
            return None;
        }
        Some(ClusterCandidate {
            order: d.id.0.clone(),
            unit: state.lead_unit.as_ref().map(|u| u.0.clone()),
            place: d.location.division_code.clone().unwrap_or_default(),
            address: d.location.address.clone(),
            kind: d.kind.as_str().to_string(),
            text: d.text.clone(),
            submitted_at: at,
        })
    }
}

/// Clusters of the same matter raised many times (多人多次): prompt from `cluster_prompt`
/// orders, warning from `cluster_warning`.
pub fn cluster_warnings(candidates: &[ClusterCandidate], config: &WarningConfig) -> Vec<Warning> {
    let items: Vec<ClusterItem<'_>> = candidates
        .iter()
        .map(|c| ClusterItem {
            place: &c.place,
            address: &c.address,
            kind: &c.kind,
            text: &c.text,
        })
        .collect();
    let cfg = ClusterConfig {
        text_threshold: config.text_threshold,
        address_threshold: config.address_threshold,
    };
    let mut out = Vec::new();
    for group in cluster(&items, &cfg) {
        let n = group.len();
        let grade = if n >= config.cluster_warning.max(1) {
            Grade::Warning
        } else if n >= config.cluster_prompt.max(2) {
            Grade::Prompt
        } else {
            continue;
        };
        let members: Vec<&ClusterCandidate> =
            group.iter().filter_map(|&i| candidates.get(i)).collect();
        let Some(first) = members.first() else {
            continue;
        };
        out.push(Warning {
            rule: WarningRule::ConcentratedComplaints,
            grade,
            order: first.order.clone(),
            orders: members.iter().map(|c| c.order.clone()).collect(),
            unit: first.unit.clone(),
            due: None,
            clause: WarningRule::ConcentratedComplaints.clause(),
            detail: format!(
                "同一事项 {n} 件：{} / the same matter {n} times",
                first.text.chars().take(40).collect::<String>()
            ),
        });
    }
    out
}

/// The warnings of one pass over many orders: each order's own as it goes, then the clusters
/// of the same matter among them, sorted.
#[derive(Debug, Default)]
pub struct WarningScan {
    warnings: Vec<Warning>,
    candidates: Vec<ClusterCandidate>,
}

impl WarningScan {
    pub fn add(
        &mut self,
        state: &OrderState,
        now: Timestamp,
        policy: &Policy,
        cal: &HolidayCalendar,
        config: &WarningConfig,
    ) {
        self.warnings
            .extend(order_warnings(state, now, policy, cal, config));
        self.candidates
            .extend(ClusterCandidate::of(state, now, config));
    }

    pub fn finish(mut self, config: &WarningConfig) -> Vec<Warning> {
        self.warnings
            .extend(cluster_warnings(&self.candidates, config));
        sort(&mut self.warnings);
        self.warnings
    }
}

/// Warnings first, then prompts; by rule, then order.
pub fn sort(warnings: &mut [Warning]) {
    warnings.sort_by(|a, b| {
        b.grade
            .cmp(&a.grade)
            .then(a.rule.cmp(&b.rule))
            .then_with(|| a.order.cmp(&b.order))
    });
}
