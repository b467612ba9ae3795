//! The assessment as a terminal table or as CSV.

use hotline_core::center::assessment::Assessment;

use super::fig;

pub fn table(a: &Assessment, interview: &[String]) {
    crate::outln!(
        "{} {} / {} assessment, {}（截至 as of {}）",
        a.method.zh(),
        a.period.label,
        a.method.as_str(),
        a.period.label,
        super::at(a.as_of)
    );
    let Some(first) = a.units.first() else {
        crate::outln!("没有单位 / no units");
        return;
    };
    let mut header = vec![
        "名次".to_string(),
        "单位 unit".to_string(),
        "件数".to_string(),
    ];
    header.extend(
        first
            .indicators
            .iter()
            .map(|i| format!("{}({})", i.zh, i.max)),
    );
    header.extend(["加分".to_string(), "总分 total".to_string()]);
    crate::outln!("{}", header.join("  "));
    for u in &a.units {
        let mut row = vec![
            u.rank.map_or("—".to_string(), |r| r.to_string()),
            u.name
                .as_ref()
                .map_or(u.unit.clone(), |n| format!("{n} {}", u.unit)),
            u.volume.to_string(),
        ];
        row.extend(u.indicators.iter().map(|i| fig(i.points)));
        row.extend([fig(Some(u.bonus)), fig(u.total)]);
        crate::outln!("{}", row.join("  "));
        for m in &u.missing {
            crate::outln!("      ! {m}");
        }
    }
    for n in &a.notes {
        crate::outln!("注 / note: {n}");
    }
    if !interview.is_empty() {
        crate::outln!(
            "连续三个月排名后 3 位，约谈 / bottom three for three months, to be interviewed: {}",
            interview.join("、")
        );
    }
}

/// One row per unit: rank, unit, name, class, volume, each indicator's points, bonus, total,
/// and what is missing.
pub fn csv(a: &Assessment) -> String {
    let mut out = String::new();
    let keys: Vec<&str> = a
        .units
        .first()
        .map(|u| u.indicators.iter().map(|i| i.key).collect())
        .unwrap_or_default();
    let mut header = vec!["rank", "unit", "name", "class", "volume"];
    header.extend(keys.iter().copied());
    header.extend(["bonus", "total", "missing"]);
    out.push_str(&header.join(","));
    for u in &a.units {
        let mut row = vec![
            u.rank.map(|r| r.to_string()).unwrap_or_default(),
            field(&u.unit),
            field(u.name.as_deref().unwrap_or("")),
            u.class
                .map(|c| format!("{c:?}").to_lowercase())
                .unwrap_or_default(),
            u.volume.to_string(),
        ];
        row.extend(
            u.indicators
                .iter()
                .map(|i| i.points.map(|p| format!("{p:.4}")).unwrap_or_default()),
        );
        row.extend([
            format!("{:.4}", u.bonus),
            u.total.map(|t| format!("{t:.4}")).unwrap_or_default(),
            field(&u.missing.join("; ")),
        ]);
        out.push('\n');
        out.push_str(&row.join(","));
    }
    out
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. A leading
/// = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
