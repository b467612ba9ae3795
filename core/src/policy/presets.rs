//! The jurisdictions of the seeds, as shipped presets. Numbers are those of DOMAIN.md's
//! time-limit table; the comments name the article they come from.

use super::{Limit, Limits, Policy, PolicyError};

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
            dispatch: Some(WorkingDays(1)),
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
        max_reopens: Some(1),
        return_requires_call: false,
        extension_requires_explanation: true,
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
    }
}
