//! `hotline orders` (inbox from the index) and `hotline show` (one order, folded).

use clap::Args;
use hotline_core::device::OrderView;
use hotline_core::error::ErrorCode;
use hotline_core::model::{Action, Actor, OrderId, Urgency};
use hotline_core::store::{InboxQuery, IndexRow};
use hotline_core::workflow::{Outcome, Status, action_zh};
use serde_json::Value;

use crate::ctx::{Ctx, parse_origin, unknown};
use crate::device_cmd::due_kind_text;
use crate::output::{CliError, print_json};
use crate::time::{from_millis, local, local_rfc3339};

#[derive(Args, Debug)]
pub struct OrdersArgs {
    /// Orders where this unit is the lead or a co-unit.
    #[arg(long)]
    unit: Option<String>,
    /// Only these statuses (repeatable): submitted registered dispatched in_handling …
    #[arg(long = "status")]
    statuses: Vec<String>,
    /// Only orders past their handling deadline (at --now).
    #[arg(long)]
    overdue: bool,
    /// Only orders whose next deadline falls within H hours of --now.
    #[arg(long)]
    due_within_hours: Option<u32>,
    /// Also closed, not-accepted and answered orders.
    #[arg(long)]
    all: bool,
    /// At most N rows (0 = all).
    #[arg(long, default_value_t = 0)]
    limit: u32,
    /// Only orders from this origin: local provincial_hotline city_hotline county_center
    /// diverted_110.
    #[arg(long)]
    origin: Option<String>,
}

fn parse_status(s: &str) -> Result<Status, CliError> {
    Status::ALL
        .into_iter()
        .find(|st| st.as_str() == s || st.zh() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            unknown(ErrorCode::UnknownStatus, "状态", "status", s, &names)
        })
}

pub fn orders(a: OrdersArgs, ctx: &Ctx) -> Result<(), CliError> {
    let statuses = a
        .statuses
        .iter()
        .map(|s| parse_status(s))
        .collect::<Result<Vec<_>, _>>()?;
    // A terminal status asked for by name is obviously wanted even without --all.
    let wants_terminal = statuses.iter().any(|s| s.is_final());
    let now_ms = ctx.now.timestamp_millis();
    let q = InboxQuery {
        unit: a.unit,
        statuses,
        overdue_at: a.overdue.then_some(now_ms),
        due_before: a
            .due_within_hours
            .map(|h| now_ms.saturating_add(i64::from(h) * 3_600_000)),
        include_terminal: a.all || wants_terminal,
        // With --overdue some rows are dropped below, so the limit is applied after that.
        limit: if a.overdue { 0 } else { a.limit },
        origin: a.origin.as_deref().map(parse_origin).transpose()?,
    };
    let device = ctx.open()?;
    let mut rows = device.inbox(&q)?;
    if a.overdue {
        // The index keeps the handling deadline after the unit has replied; an order waiting
        // for review or callback is no longer the unit's to finish, so it is not overdue.
        rows.retain(clock_running);
        if a.limit > 0 {
            rows.truncate(a.limit as usize);
        }
    }
    if ctx.json {
        let list: Vec<Value> = rows.iter().map(row_json).collect::<Result<_, _>>()?;
        return print_json(&list);
    }
    if rows.is_empty() {
        crate::outln!("没有符合条件的工单 / no matching work orders");
        return Ok(());
    }
    crate::outln!(
        "查询码 receipt   工单 order                类型 kind       分类 category  区划 division  状态 status                 主办 lead          下一期限 next deadline (+08:00)"
    );
    for r in &rows {
        let kind = r.kind.zh();
        let status_zh = r.status.zh();
        let due = r
            .next_due
            .and_then(from_millis)
            .map(|t| format!("{} {}", local(t), due_kind_text(r.next_due_kind)))
            .unwrap_or_else(|| "—".into());
        let overdue = match r.handling_due {
            Some(h) if clock_running(r) && h < now_ms => " 已超期 OVERDUE",
            _ => "",
        };
        let urgent = if r.urgency == Urgency::Emergency {
            " 紧急"
        } else {
            ""
        };
        crate::outln!(
            "{:<16} {:<24} {kind}{urgent} {:<10} {:<14} {:<14} {status_zh} {:<20} {:<16} {due}{overdue}",
            r.receipt,
            r.order.0,
            r.kind,
            r.category.as_deref().unwrap_or("—"),
            r.division_code.as_deref().unwrap_or("—"),
            r.status,
            r.lead_unit.as_deref().unwrap_or("—"),
        );
    }
    crate::outln!("共 {} 件 / {} order(s)", rows.len(), rows.len());
    Ok(())
}

/// The lead unit still has to finish the order (dispatched, in handling, return or extension
/// pending).
fn clock_running(r: &IndexRow) -> bool {
    r.status.is_handling_clock_running()
}

fn row_json(r: &IndexRow) -> Result<Value, CliError> {
    let mut v = serde_json::to_value(r).map_err(|e| {
        CliError::new(
            ErrorCode::Output,
            format!("无法生成 JSON：{e}"),
            format!("cannot encode JSON: {e}"),
        )
    })?;
    if let Value::Object(m) = &mut v {
        let at = |ms: Option<i64>| {
            ms.and_then(from_millis)
                .map_or(Value::Null, |t| Value::String(local_rfc3339(t)))
        };
        m.insert("status_zh".into(), Value::String(r.status.zh().into()));
        m.insert("next_due_at".into(), at(r.next_due));
        m.insert("handling_due_at".into(), at(r.handling_due));
    }
    Ok(v)
}

pub fn show(order: &str, ctx: &Ctx) -> Result<(), CliError> {
    let device = ctx.open()?;
    let view = device.show(&OrderId::new(order))?;
    if ctx.json {
        return print_json(&view);
    }
    print_view(&view);
    Ok(())
}

/// After an action: the new status, or the whole view as JSON.
pub fn print_new_status(view: &OrderView, ctx: &Ctx) -> Result<(), CliError> {
    if ctx.json {
        return print_json(view);
    }
    let s = view.state.status;
    crate::outln!("当前状态 / status: {} {}", s.zh(), s);
    if let Some(d) = &view.deadlines
        && s.is_handling_clock_running()
        && let Some(t) = d.handling_due
    {
        crate::outln!("办结期限 / handling due: {}", local(t));
    }
    Ok(())
}

fn who(a: &Actor) -> String {
    format!("{}（{} {}，{}）", a.person, a.role.zh(), a.role, a.unit)
}

fn yes_no(b: bool) -> &'static str {
    if b { "是 yes" } else { "否 no" }
}

fn print_view(view: &OrderView) {
    let st = &view.state;
    let Some(d) = &st.details else {
        crate::outln!("工单尚未提交 / the order has not been submitted");
        return;
    };
    crate::outln!("工单 / order: {}    查询码 / receipt: {}", d.id, d.receipt);
    crate::outln!(
        "类型 / kind: {} {} · 紧急 / emergency: {} · 渠道 / channel: {} · 保密 / confidential: {}",
        d.kind.zh(),
        d.kind,
        yes_no(d.urgency == hotline_core::model::Urgency::Emergency),
        d.channel.as_str(),
        yes_no(d.confidential)
    );
    crate::outln!("诉求内容 / text: {}", d.text);
    if let Some(c) = &d.category {
        crate::outln!(
            "事项分类 / category: {} (目录第 {} 版 / catalogue v{})",
            c.code,
            c.version,
            c.version
        );
        for (code, value) in &d.attributes {
            crate::outln!("  {code}: {}", value.display());
        }
    }
    if let Some(from) = &d.split_from {
        crate::outln!("拆自 / split from: {from}");
    }
    let mut place = d.location.address.clone();
    if let Some(code) = &d.location.division_code {
        place.push_str(&format!("（区划 division {code}）"));
    }
    if let Some(g) = &d.location.gps {
        place.push_str(&format!(" GPS {:.5},{:.5}", g.lat, g.lon));
    }
    crate::outln!("地点 / address: {place}");
    for a in &d.attachments {
        crate::outln!(
            "附件 / attachment: {} {} 字节 bytes {}",
            a.media_type,
            a.size,
            a.sha256
        );
    }
    crate::outln!("状态 / status: {} {}", st.status.zh(), st.status);
    if let Some(into) = &st.merged_into {
        crate::outln!("已并入 / merged into: {into}");
    }
    for a in &st.absorbed {
        let called = match (a.rating, a.unreached) {
            (Some(r), _) => format!("回访 / callback: {} {}", r.zh(), r.as_str()),
            (None, 0) => "待回访 / awaiting callback".to_string(),
            (None, n) => format!("未接通 {n} 次 / unreached {n}×"),
        };
        crate::outln!(
            "并入工单 / merged here: {} (查询码 / receipt {}) {called}",
            a.order,
            a.receipt
        );
    }
    if !st.split_into.is_empty() {
        let parts: Vec<&str> = st.split_into.iter().map(|o| o.0.as_str()).collect();
        crate::outln!("拆分为 / split into: {}", parts.join(", "));
    }
    if let Some(lead) = &st.lead_unit {
        let co: Vec<&str> = st.co_units.iter().map(|u| u.0.as_str()).collect();
        crate::outln!(
            "主办单位 / lead unit: {lead}{}{}",
            if co.is_empty() {
                String::new()
            } else {
                format!("    会办 / co-units: {}", co.join(", "))
            },
            if st.leader_approval {
                "    重点难点 / leader approval"
            } else {
                ""
            }
        );
    }
    for t in &st.separate {
        let when = |t: Option<hotline_core::model::Timestamp>| t.map_or("—".to_string(), local);
        crate::outln!(
            "分别办理 / separately: {}（签收 signed for: {}；答复 replied: {}）",
            t.unit,
            when(t.signed_at),
            when(t.replied_at)
        );
    }
    if !st.sub_units.is_empty() {
        let s: Vec<&str> = st.sub_units.iter().map(|u| u.0.as_str()).collect();
        crate::outln!("下设单位 / passed on to sub-units: {}", s.join(", "));
    }
    if !st.returned_by.is_empty() {
        let r: Vec<&str> = st.returned_by.iter().map(|u| u.0.as_str()).collect();
        crate::outln!("曾退回单位 / returned by: {}", r.join(", "));
    }
    match (&view.deadlines, view.deadline_error) {
        (Some(dl), _) => {
            let rows = [
                ("转办 dispatch", dl.dispatch_due),
                ("签收 sign-for", dl.sign_for_due),
                ("退回 return", dl.return_due),
                ("突发响应 emergency response", dl.response_due),
                ("办结 handling", dl.handling_due),
            ];
            if rows.iter().any(|(_, t)| t.is_some()) {
                crate::outln!("期限 / deadlines (+08:00):");
                for (label, t) in rows {
                    if let Some(t) = t {
                        crate::outln!("  {label}: {}", local(t));
                    }
                }
            }
        }
        (None, Some(code)) => crate::outln!("期限 / deadlines: 无法计算 cannot compute [{code}]"),
        (None, None) => {}
    }
    if st.late_sign_for {
        crate::outln!("逾期签收 / signed for late");
    }
    if st.extension_days > 0 {
        crate::outln!(
            "已批准延期 / extension granted: {} 个工作日 working days",
            st.extension_days
        );
    }
    if let Some(r) = &st.not_accepted {
        crate::outln!(
            "不予受理 / not accepted: {}（{}）依据 basis: {}",
            r.reason.zh(),
            r.reason.as_str(),
            r.basis
        );
    }
    if let Some(a) = &st.instant_answer {
        crate::outln!("即时答复 / instant answer [{}]: {}", a.kb_item, a.answer);
    }
    for r in &st.replies {
        let leader = r
            .content
            .responsible_leader
            .as_ref()
            .map(|p| format!("（责任领导 responsible leader: {p}）"))
            .unwrap_or_default();
        crate::outln!(
            "答复 / reply {} by {}{leader}: {}（依据 basis: {}；告知方式 informed: {}）",
            local(r.at),
            r.content.handler,
            r.content.result,
            r.content.legal_basis,
            r.content.citizen_informed_how
        );
    }
    for r in &st.ratings {
        let service = r
            .service_rating
            .map(|s| format!("；话务服务 call service: {} {}", s.zh(), s.as_str()))
            .unwrap_or_default();
        let contacted = match r.unit_contacted {
            Some(true) => "；单位已联系 unit contacted",
            Some(false) => "；单位未联系 unit did not contact",
            None => "",
        };
        crate::outln!(
            "回访 / callback {}: 办理情况 handling: {} {}{service}{contacted}",
            local(r.at),
            r.rating.zh(),
            r.rating.as_str()
        );
    }
    for u in &st.unreached_callbacks {
        crate::outln!(
            "回访未接通 / callback unreached {}: {}",
            local(u.at),
            u.content
        );
    }
    print_unit_records(st);
    for e in &st.site_evidence {
        let gps = e
            .content
            .gps
            .map(|g| format!(" GPS {:.5},{:.5}", g.lat, g.lon))
            .unwrap_or_default();
        crate::outln!(
            "现场核实 / site evidence {} by {}: {} 张照片 photo(s){gps} {}",
            local(e.at),
            e.by.person,
            e.content.photos.len(),
            e.content.note
        );
    }
    for s in &st.site_supervisions {
        crate::outln!(
            "现场督办 / on-site supervision {} at {}: {} → {}（{} 张照片 photo(s)）",
            local(s.content.held_at),
            s.content.place,
            s.content.findings,
            s.content.action_taken,
            s.content.photos.len()
        );
    }
    for s in &st.supervisions {
        let by =
            s.by.as_ref()
                .map_or_else(|| "自动 automatic".to_string(), |a| a.person.0.clone());
        let form = s.form.map(|f| format!("{f:?}")).unwrap_or_default();
        crate::outln!(
            "督办 / supervision {} [{}] {form} by {by}: {}",
            local(s.at),
            s.trigger.as_str(),
            s.note
        );
    }
    crate::outln!("记录 / history:");
    for h in &st.history {
        let e = &h.event;
        let name = e.action.name();
        let outcome = match &h.outcome {
            Outcome::Applied => "✓ 已生效 applied".to_string(),
            Outcome::Refused {
                code,
                message_zh,
                message_en,
            } => format!("✗ 被拒绝 refused [{code}] {message_zh} / {message_en}"),
            Outcome::Waiting { missing } => {
                let m: Vec<&str> = missing.iter().map(|m| m.0.as_str()).collect();
                format!("… 等待 waiting for {}", m.join(", "))
            }
        };
        crate::outln!(
            "  {}  {} {}  {}  {}{}",
            local(e.at),
            action_zh(name),
            name,
            who(&e.actor),
            outcome,
            action_detail(&e.action)
        );
    }
}

/// What the units and their leaders recorded beyond the reply: statutory limit, sign-off,
/// approval, co-units' parts, interim progress, delay notices, closure applications.
fn print_unit_records(st: &hotline_core::workflow::OrderState) {
    if let Some(l) = &st.statutory_limit {
        crate::outln!(
            "法定办理时限 / statutory limit: {} 个工作日 working days（依据 basis: {}）",
            l.working_days,
            l.basis
        );
    }
    let notes = [
        ("签批 / sign-off", st.sign_off.as_slice()),
        ("审核把关 / result approved", st.result_approval.as_slice()),
        ("会办意见 / co-unit opinion", st.co_unit_opinions.as_slice()),
        (
            "阶段性办理情况 / interim progress",
            st.interim_progress.as_slice(),
        ),
        ("延期告知 / delay notice", st.delay_notices.as_slice()),
    ];
    for (label, entries) in notes {
        for n in entries {
            crate::outln!("{label} {} by {}: {}", local(n.at), who(&n.by), n.content);
        }
    }
    for c in &st.closure_applications {
        let a = &c.application;
        crate::outln!(
            "办结申请 / closure application {} by {}: {}（{}）说明 statement: {}；证据 evidence: {} — {}{}",
            local(a.at),
            who(&a.by),
            a.content.ground.zh(),
            a.content.ground.as_str(),
            a.content.statement,
            a.content.evidence,
            match c.decision {
                hotline_core::workflow::ClosureDecision::Pending => "待审核 pending",
                hotline_core::workflow::ClosureDecision::Approved => "同意 approved",
                hotline_core::workflow::ClosureDecision::Denied => "不同意 denied",
                hotline_core::workflow::ClosureDecision::Lapsed => "已失效 lapsed (re-dispatched)",
            },
            if c.note.is_empty() {
                String::new()
            } else {
                format!("（{}）", c.note)
            }
        );
    }
    if st.not_counted_in_assessment() {
        crate::outln!("不纳入考核 / not counted in assessment");
    }
}

/// A few words on what an event said, for the history list.
fn action_detail(a: &Action) -> String {
    match a {
        Action::Dispatch { lead, co_units, .. } if co_units.is_empty() => format!(" → {lead}"),
        Action::Dispatch { lead, co_units, .. } => {
            let co: Vec<&str> = co_units.iter().map(|u| u.0.as_str()).collect();
            format!(" → {lead} + {}", co.join(", "))
        }
        Action::Callback { rating, .. } => format!(" — {}", rating.zh()),
        Action::Review { approve, .. }
        | Action::DecideReturn { approve, .. }
        | Action::DecideClosure { approve, .. }
        | Action::DecideExtension { approve, .. } => {
            if *approve {
                " — 同意 approved".into()
            } else {
                " — 不同意 denied".into()
            }
        }
        Action::Reopen { reason } => format!(" — {reason}"),
        Action::AddCoUnits { units, .. } => {
            let u: Vec<&str> = units.iter().map(|u| u.0.as_str()).collect();
            format!(" + {}", u.join(", "))
        }
        Action::ApplyClosure(a) => format!(" — {}", a.ground.zh()),
        Action::PassOn { sub_unit, .. } => format!(" → {sub_unit}"),
        Action::ReleaseUnit { unit, reason } => format!(" − {unit}（{reason}）"),
        Action::RequestExtension(r) => format!(" — {} 个工作日 WD", r.working_days),
        _ => String::new(),
    }
}
