//! `hotline policy …`: presets, policy files and deadlines.

use clap::Subcommand;
use hotline_core::error::ErrorCode;
use hotline_core::model::{RequestKind, Urgency};
use hotline_core::policy::{
    Deadlines, HolidayCalendar, Limit, PRESET_NAMES, Policy, preset, to_local,
};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

use crate::ctx::load_policy_file;
use crate::output::{CliError, print_json};
use crate::time::parse_time;

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Show the limits of a shipped preset (puyang, turpan, linshu).
    Show {
        #[arg(long)]
        preset: String,
    },
    /// Validate a policy TOML file.
    Check { file: PathBuf },
    /// The deadlines that apply to a request registered at --from.
    Due {
        /// A shipped preset; or use --policy FILE.
        #[arg(long, conflicts_with = "policy", required_unless_present = "policy")]
        preset: Option<String>,
        /// A policy TOML file instead of a preset.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// inquiry, help, complaint, report, suggestion (or 咨询 求助 投诉 举报 建议).
        #[arg(long)]
        kind: String,
        #[arg(long)]
        emergency: bool,
        /// 重点难点: a matter needing leader approval.
        #[arg(long)]
        leader_approval: bool,
        /// The starting instant, RFC 3339 (e.g. 2026-02-13T10:00:00+08:00).
        #[arg(long)]
        from: String,
    },
}

pub fn run(cmd: PolicyCommand, json: bool) -> Result<(), CliError> {
    match cmd {
        PolicyCommand::Show { preset: name } => show(&preset(&name)?, json),
        PolicyCommand::Check { file } => {
            let loaded = load_policy_file(&file)?;
            if json {
                print_json(&json!({ "ok": true, "policy": loaded.policy,
                    "calendar_years": loaded.calendar.years().map(|y| y.year).collect::<Vec<_>>() }))
            } else {
                crate::outln!(
                    "政策文件有效 / policy file is valid: {} ({} / {})",
                    loaded.policy.id,
                    loaded.policy.name_zh,
                    loaded.policy.name_en
                );
                show(&loaded.policy, false)
            }
        }
        PolicyCommand::Due {
            preset: name,
            policy,
            kind,
            emergency,
            leader_approval,
            from,
        } => {
            let (policy, cal) = match (name, policy) {
                (_, Some(path)) => {
                    let l = load_policy_file(&path)?;
                    (l.policy, l.calendar)
                }
                (Some(name), None) => (preset(&name)?, HolidayCalendar::national()?),
                (None, None) => {
                    return Err(CliError::new(
                        ErrorCode::Usage,
                        format!(
                            "请用 --preset（{}）或 --policy 指定政策",
                            PRESET_NAMES.join("、")
                        ),
                        "give --preset or --policy",
                    ));
                }
            };
            let kind = RequestKind::parse(&kind).ok_or_else(|| {
                CliError::new(
                    ErrorCode::UnknownKind,
                    format!("未知的诉求类型“{kind}”；可用：咨询 求助 投诉 举报 建议"),
                    format!("unknown request kind `{kind}`; use inquiry, help, complaint, report or suggestion"),
                )
            })?;
            let from = parse_time(&from)?;
            let urgency = if emergency {
                Urgency::Emergency
            } else {
                Urgency::Normal
            };
            let d = policy.deadlines_from(&cal, kind, urgency, leader_approval, from)?;
            print_due(&d, json)
        }
    }
}

fn print_due(d: &Deadlines, json: bool) -> Result<(), CliError> {
    let rows = [
        ("dispatch_due", "转办期限 dispatch", d.dispatch_due),
        ("handling_due", "办结期限 handling", d.handling_due),
        ("sign_for_due", "签收期限 sign-for", d.sign_for_due),
        ("return_due", "退回期限 return", d.return_due),
        (
            "reopen_due",
            "重办期限 reopen (if reopened now)",
            d.reopen_due,
        ),
        (
            "response_due",
            "突发事项响应 emergency response",
            d.response_due,
        ),
    ];
    if json {
        let mut obj = Map::new();
        for (key, _, t) in rows {
            if let Some(t) = t {
                obj.insert(key.to_string(), Value::String(to_local(t).to_rfc3339()));
            }
        }
        return print_json(&Value::Object(obj));
    }
    for (_, label, t) in rows {
        if let Some(t) = t {
            crate::outln!("{label}: {}", to_local(t).to_rfc3339());
        }
    }
    Ok(())
}

fn limit_text(l: Option<Limit>) -> String {
    match l {
        None => "—（无 / none）".to_string(),
        Some(Limit::Hours(h)) => format!("{h} 小时 / {h} h"),
        Some(Limit::WorkingDays(d)) => format!("{d} 个工作日 / {d} working days"),
    }
}

fn show(p: &Policy, json: bool) -> Result<(), CliError> {
    if json {
        return print_json(p);
    }
    let l = &p.limits;
    crate::outln!("{}（{}）— {}", p.name_zh, p.name_en, p.source);
    let rows = [
        ("转办 dispatch", l.dispatch),
        ("突发转办 emergency dispatch", l.emergency_dispatch),
        ("签收 sign-for", l.sign_for),
        ("退回 return", l.return_request),
        (
            "咨询/求助/建议 inquiry/help/suggestion",
            l.inquiry_help_suggestion,
        ),
        ("投诉/举报 complaint/report", l.complaint_report),
        ("重点难点 leader approval", l.leader_approval),
        ("突发响应 emergency response", l.emergency_response),
        ("突发办结 emergency close", l.emergency_close),
        ("延期上限 extension max", l.extension_max),
        ("重办 reopen", l.reopen),
    ];
    for (label, limit) in rows {
        crate::outln!("  {label}: {}", limit_text(limit));
    }
    let reopens = p
        .max_reopens
        .map_or("不限 / unlimited".to_string(), |n| n.to_string());
    crate::outln!("  重办次数 max reopens: {reopens}");
    crate::outln!(
        "  退回前须电话联系中心 call center before return: {}",
        p.return_requires_call
    );
    crate::outln!(
        "  延期须书面说明 extension needs written explanation: {}",
        p.extension_requires_explanation
    );
    crate::outln!(
        "  突发事项可延期 emergencies may be extended: {}",
        p.emergencies_extendable
    );
    crate::outln!(
        "  突发事项上报市政府值班室 emergencies reported to the duty office: {}",
        p.emergency_duty_report
    );
    crate::outln!(
        "  突发事项须注明类别 emergencies name their kind: {}",
        p.emergency_category_required
    );
    crate::outln!(
        "  答复合法合规可办结 center closes lawful replies despite dissatisfaction: {}",
        p.lawful_reply_closure
    );
    let grounds = match &p.not_accepted_reasons {
        None => "全部 / all".to_string(),
        Some(list) => list
            .iter()
            .map(|r| format!("{}（{}）", r.zh(), r.as_str()))
            .collect::<Vec<_>>()
            .join("；"),
    };
    crate::outln!("  不予受理情形 grounds for not accepting: {grounds}");
    let pr = &p.procedures;
    let procedures = [
        (
            "主要负责人签批、分管负责人审核 leader sign-off",
            pr.leader_sign_off,
        ),
        (
            "履责意见由单位领导签发 duty statement by leaders",
            pr.duty_statement_by_leaders,
        ),
        (
            "会办单位须反馈会办意见 co-unit opinions required",
            pr.co_unit_opinions_required,
        ),
        (
            "不合规诉求申请办结 non-compliant closure",
            pr.non_compliant_closure,
        ),
        (
            "无法解决的书面说明不计入考核 assessment exclusion",
            pr.assessment_exclusion,
        ),
        (
            "延期须有法定时限依据 extension needs legal basis",
            pr.extension_needs_legal_basis,
        ),
        (
            "话务服务单独评价 call service rated apart",
            pr.separate_service_rating,
        ),
        (
            "回访询问单位是否联系 callback asks about unit contact",
            pr.callback_asks_unit_contact,
        ),
        (
            "承办单位填写现场督办情况表 unit on-site form",
            pr.unit_site_form,
        ),
        ("转交下设单位办理 sub-units", pr.sub_units),
    ];
    for (label, on) in procedures {
        crate::outln!("  {label}: {on}");
    }
    Ok(())
}
