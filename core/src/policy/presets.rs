//! The jurisdictions of the seeds, as shipped presets. Numbers are those of DOMAIN.md's
//! time-limit table; the comments name the article they come from.

use super::{Limit, Limits, Policy, PolicyError, Procedures};
use crate::model::NotAcceptedReason;

pub const PRESET_NAMES: [&str; 3] = ["puyang", "turpan", "linshu"];

/// A shipped preset by its machine name.
pub fn preset(name: &str) -> Result<Policy, PolicyError> {
    match name {
        "puyang" => Ok(puyang()),
        "turpan" => Ok(turpan()),
        "linshu" => Ok(linshu()),
        _ => Err(PolicyError::UnknownPreset {
            name: name.to_string(),
            known: PRESET_NAMES.join(", "),
        }),
    }
}

fn puyang() -> Policy {
    use Limit::*;
    Policy {
        id: "puyang".into(),
        name_zh: "濮阳市".into(),
        name_en: "Puyang".into(),
        source: "濮阳市人民政府办公室关于建设12345政务服务便民热线统一平台的通知（2020）".into(),
        limits: Limits {
            // §(四): dispatched within 1 WD; an emergency 立即 (at once), which the product
            // reads as within one natural hour — the smallest unit a limit counts in, and one
            // that leaves the 8 h close (§ 五) its time.
            dispatch: Some(WorkingDays(1)),
            emergency_dispatch: Some(Hours(1)),
            sign_for: None,
            return_request: Some(WorkingDays(2)),
            inquiry_help_suggestion: Some(WorkingDays(5)),
            complaint_report: Some(WorkingDays(5)),
            leader_approval: Some(WorkingDays(10)),
            emergency_response: None,
            emergency_close: Some(Hours(8)),
            // Puyang asks for a written explanation, not a cap.
            extension_max: None,
            reopen: Some(WorkingDays(5)),
        },
        // Every dissatisfied rating sends the order back for another 5 WD: no cap (the
        // satisfaction deduction is capped instead, at 3 per matter).
        max_reopens: None,
        return_requires_call: false,
        extension_requires_explanation: true,
        emergencies_extendable: true,
        // §(四): emergencies are reported to the city government duty office on dispatch.
        emergency_duty_report: true,
        // Turpan art. 26's kinds serve every preset: the seeds name no others.
        emergency_category_required: true,
        // §(六): 答复内容符合法律法规、政策规定 closes an order despite dissatisfaction.
        lawful_reply_closure: true,
        // §(二): 涉及司法、纪检、信访方面的诉求或不属本地管理的事项，不纳入热线受理范围; the
        // 110/119/120 lines stay apart (§(一)).
        not_accepted_reasons: Some(vec![
            NotAcceptedReason::EmergencyServices,
            NotAcceptedReason::LitigationArbitrationReconsideration,
            NotAcceptedReason::DisciplineInspection,
            NotAcceptedReason::AlreadyInOtherProcedure,
            NotAcceptedReason::NotLocalAdministration,
            NotAcceptedReason::Other,
        ]),
        procedures: Procedures {
            duty_statement_by_leaders: true,
            // 考核: a written statement of objective impossibility keeps an order out of the
            // score.
            assessment_exclusion: true,
            // §(五): 法律法规规定办理时限超过5个工作日的 … 书面说明.
            extension_needs_legal_basis: true,
            ..Procedures::default()
        },
    }
}

fn turpan() -> Policy {
    use Limit::*;
    Policy {
        id: "turpan".into(),
        name_zh: "吐鲁番市".into(),
        name_en: "Turpan".into(),
        source: "吐鲁番市12345政务服务便民热线管理办法（2021）".into(),
        limits: Limits {
            dispatch: None,
            emergency_dispatch: None,
            // Art. 14 (1): sign for within 12 hours.
            sign_for: Some(Hours(12)),
            // Art. 14 (2): return within 20 hours of receipt.
            return_request: Some(Hours(20)),
            // Art. 17 (1): 5 WD for inquiry/help/suggestion, 15 WD for complaint/report.
            inquiry_help_suggestion: Some(WorkingDays(5)),
            complaint_report: Some(WorkingDays(15)),
            leader_approval: None,
            // Art. 26: handled within 2 hours, closed within 2 working days.
            emergency_response: Some(Hours(2)),
            emergency_close: Some(WorkingDays(2)),
            // Art. 17: no more than the statutory limit, else no more than 30 WD.
            extension_max: Some(WorkingDays(30)),
            // Art. 22: reopened once, within 3 WD.
            reopen: Some(WorkingDays(3)),
        },
        max_reopens: Some(1),
        return_requires_call: false,
        extension_requires_explanation: false,
        // Art. 17: extensions are for everything 除突发类事项外 — except emergencies.
        emergencies_extendable: false,
        emergency_duty_report: false,
        // Art. 26: 突发类事项 are of four kinds.
        emergency_category_required: true,
        lawful_reply_closure: false,
        // 第二章: the eight grounds and 其他不予受理的事项.
        not_accepted_reasons: Some(vec![
            NotAcceptedReason::NotGovernmentDuty,
            NotAcceptedReason::EmergencyServices,
            NotAcceptedReason::PartyCongressCourtsMilitary,
            NotAcceptedReason::LitigationArbitrationReconsideration,
            NotAcceptedReason::AlreadyInOtherProcedure,
            NotAcceptedReason::SecretsOrPrivacy,
            NotAcceptedReason::RepeatWithoutNewFacts,
            NotAcceptedReason::IllegalMaliciousOrEmpty,
            NotAcceptedReason::Other,
        ]),
        procedures: Procedures {
            // Art. 23, 39: 履责意见 by the unit's leaders.
            duty_statement_by_leaders: true,
            // Art. 21: 话务服务 and 办理情况 rated separately.
            separate_service_rating: true,
            // Sub-units registered with the center's approval handle orders passed on to them.
            sub_units: true,
            ..Procedures::default()
        },
    }
}

fn linshu() -> Policy {
    use Limit::*;
    Policy {
        id: "linshu".into(),
        name_zh: "临沭县".into(),
        name_en: "Linshu".into(),
        source: "临沭县12345政务服务热线办理工作通知（2020）".into(),
        limits: Limits {
            // Return through the center within 1 WD, after phoning it.
            return_request: Some(WorkingDays(1)),
            ..Limits::default()
        },
        // Linshu warns on orders reopened twice or more, so it sets no cap.
        max_reopens: None,
        return_requires_call: true,
        extension_requires_explanation: false,
        emergencies_extendable: true,
        emergency_duty_report: false,
        emergency_category_required: true,
        lawful_reply_closure: false,
        // The Linshu notice lists no grounds of its own.
        not_accepted_reasons: None,
        procedures: Procedures {
            // 二(二): 主要领导签批, 分管领导审核把关, 答复注明责任领导和承办人.
            leader_sign_off: true,
            duty_statement_by_leaders: true,
            // 不合规诉求: after a first provincial or city reopen, the unit applies.
            non_compliant_closure: true,
            // "未联系" at callback makes the order unresponded.
            callback_asks_unit_contact: true,
            // 年终 4: the handling unit's on-site supervision form.
            unit_site_form: true,
            ..Procedures::default()
        },
    }
}
