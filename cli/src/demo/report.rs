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
    if json {
        return print_json(&json!({
            "folder": dir.display().to_string(),
            "steps": say.lines,
            "orders": orders,
            "verify": verified,
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
    crate::outln!(
        "\n目录保留供查看 / the folder is kept to inspect: {}\n  hotline show {} --store {}/devices/li-min",
        dir.display(),
        day.orders.first().map(|o| o.0.as_str()).unwrap_or(""),
        dir.display()
    );
    Ok(())
}
