//! The end of the day: each order's final state as the center sees it, checked identical on
//! every device that holds it, and every device's store verified.

use hotline_core::policy::to_local;
use hotline_core::workflow::{Outcome as EventOutcome, action_zh};
use serde_json::json;
use std::path::Path;

use super::cast::Cast;
use super::narrate::Narrator;
use super::script::{Outcome, device};
use crate::output::{CliError, print_json};

pub fn print(
    cast: &Cast,
    day: &Outcome,
    say: &Narrator,
    dir: &Path,
    json: bool,
) -> Result<(), CliError> {
    let center = device(&cast.dispatcher);
    let members = [
        &cast.kiosk,
        &cast.dispatcher,
        &cast.staff_a,
        &cast.staff_b,
        &cast.head_a,
        &cast.callback,
        &cast.supervisor,
        &cast.village,
    ];
    let mut orders = Vec::new();
    for order in &day.orders {
        let view = center.show(order)?;
        let state = &view.state;
        let holders: Vec<&str> = members
            .iter()
            .filter(|m| device(m).show(order).is_ok())
            .map(|m| m.person)
            .collect();
        let identical = members
            .iter()
            .filter_map(|m| device(m).show(order).ok())
            .filter(|v| v.state.history.len() == state.history.len())
            .all(|v| v.state == *state);
        let details = state.details.as_ref();
        let history: Vec<serde_json::Value> = state
            .history
            .iter()
            .map(|h| {
                let outcome = match &h.outcome {
                    EventOutcome::Applied => "applied".to_string(),
                    EventOutcome::Refused { code, .. } => format!("refused:{code}"),
                    EventOutcome::Waiting { .. } => "waiting".to_string(),
                };
                json!({
                    "at": to_local(h.event.at).format("%m-%d %H:%M").to_string(),
                    "by": h.event.actor.person.0,
                    "role": h.event.actor.role.as_str(),
                    "action": h.event.action.name(),
                    "action_zh": action_zh(h.event.action.name()),
                    "outcome": outcome,
                })
            })
            .collect();
        orders.push(json!({
            "order": order.0,
            "receipt": details.map(|d| d.receipt.0.clone()),
            "kind": details.map(|d| d.kind.as_str()),
            "status": state.status.as_str(),
            "status_zh": state.status.zh(),
            "ratings": state.ratings.iter().map(|r| r.rating.as_str()).collect::<Vec<_>>(),
            "reopens": state.reopen_count,
            "supervisions": state.supervisions.len(),
            "site_evidence": state.site_evidence.len(),
            "site_supervision_forms": state.site_supervisions.len(),
            "held_by": holders,
            "identical_on_every_holder": identical,
            "history": history,
        }));
    }
    let mut verified = Vec::new();
    for m in members {
        let r = device(m).verify()?;
        verified.push(json!({
            "device": m.person,
            "changes": r.changes_checked,
            "blobs": r.blobs_checked,
            "problems": r.problems.len(),
        }));
    }
    let center_files = center_reports(center, dir)?;
    if json {
        return print_json(&json!({
            "folder": dir.display().to_string(),
            "steps": say.lines,
            "orders": orders,
            "verify": verified,
            "center": center_files,
        }));
    }
    crate::outln!("\n══ 最终状态 / final state ══");
    for o in &orders {
        crate::outln!(
            "工单 {} 查询码 {} [{}] → {} / {}",
            o["order"].as_str().unwrap_or(""),
            o["receipt"].as_str().unwrap_or(""),
            o["kind"].as_str().unwrap_or(""),
            o["status_zh"].as_str().unwrap_or(""),
            o["status"].as_str().unwrap_or(""),
        );
        for h in o["history"].as_array().into_iter().flatten() {
            crate::outln!(
                "   {}  {:<10} {:<16} {}",
                h["at"].as_str().unwrap_or(""),
                h["action_zh"].as_str().unwrap_or(""),
                h["by"].as_str().unwrap_or(""),
                h["outcome"].as_str().unwrap_or("")
            );
        }
        crate::outln!(
            "   持有设备 held by: {}；各设备状态一致 identical everywhere: {}",
            o["held_by"].as_array().map(|a| a.len()).unwrap_or(0),
            o["identical_on_every_holder"]
        );
    }
    crate::outln!("\n══ 校验 / verify ══");
    for v in &verified {
        crate::outln!(
            "   {:<18} {} 条签名记录 changes, {} 个附件 blobs, {} 个问题 problems",
            v["device"].as_str().unwrap_or(""),
            v["changes"],
            v["blobs"],
            v["problems"]
        );
    }
    crate::outln!("\n══ 中心报表 / the center's reports ══");
    crate::outln!(
        "   {} 条预警 warnings；3 月考核 March assessment: {}\n   现场督办情况表 on-site forms: {}",
        center_files["warnings"],
        center_files["assessment_html"].as_str().unwrap_or(""),
        center_files["site_forms_html"].as_str().unwrap_or("")
    );
    crate::outln!(
        "\n目录保留供查看 / the folder is kept to inspect: {}\n  hotline show {} --store {}/devices/li-min",
        dir.display(),
        day.orders.first().map(|o| o.0.as_str()).unwrap_or(""),
        dir.display()
    );
    Ok(())
}

/// The center's view of the day from its desk (the dispatcher's device holds every order):
/// the month's Linshu assessment as an HTML page with charts, gucheng-street's on-site forms,
/// and the warnings at the end of the day.
fn center_reports(
    desk: &hotline_core::device::Device,
    dir: &Path,
) -> Result<serde_json::Value, CliError> {
    use crate::report::{forms, html, page};
    use hotline_core::center::assessment::{self, AssessmentInputs, Method};
    use hotline_core::center::{Period, StoreLog, WarningConfig, scan};

    let end_of_day = chrono::DateTime::parse_from_rfc3339("2026-03-03T18:00:00+08:00")
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    let month = Period::month("2026-03")?;
    let scanned = scan(
        &mut StoreLog(desk.store()),
        desk.trust(),
        desk.policy(),
        desk.calendar(),
        end_of_day,
        &WarningConfig::default(),
    )?;
    let inputs = AssessmentInputs::default();
    let trend = assessment::months_ending(
        Method::Linshu,
        &scanned.facts,
        &inputs,
        &month,
        end_of_day,
        6,
    )?;
    let Some(current) = trend.last() else {
        return Ok(json!({}));
    };
    let folder = dir.join("center");
    std::fs::create_dir_all(&folder).map_err(|e| {
        CliError::new(
            hotline_core::error::ErrorCode::FileIo,
            format!("无法创建 {}：{e}", folder.display()),
            format!("cannot create {}: {e}", folder.display()),
        )
    })?;
    let report_path = folder.join("assessment-2026-03.html");
    let page = page::assessment_page(current, &trend, &[], scanned.orders, end_of_day);
    crate::ctx::write_new_file(&report_path, html::render_report(&page).as_bytes(), false)?;
    let unit = hotline_core::model::UnitId::new(super::cast::UNIT_GUCHENG);
    let forms_path = folder.join(format!("site-forms-{}-2026-03.html", unit.0));
    let sheet = forms::collect(desk, &unit, &month)?;
    crate::ctx::write_new_file(
        &forms_path,
        html::render_site_forms(&sheet).as_bytes(),
        false,
    )?;
    Ok(json!({
        "assessment_html": report_path.display().to_string(),
        "site_forms_html": forms_path.display().to_string(),
        "site_forms": sheet.forms.len(),
        "warnings": scanned.warnings.len(),
        "units": current.units.iter().map(|u| json!({"unit": u.unit, "total": u.total, "rank": u.rank})).collect::<Vec<_>>(),
    }))
}
