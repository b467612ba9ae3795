//! `hotline report`: the center's monthly assessment (Puyang, Linshu, the headline rates), the
//! Linshu annual score and weekly special report, and a unit's month of on-site forms — read
//! from a hub (SQLite or PostgreSQL) or from a device store, printed as text, JSON, CSV or one
//! self-contained HTML file.

pub mod forms;
pub mod html;
pub mod page;
mod text;

use std::path::{Path, PathBuf};

use clap::Args;
use hotline_core::center::assessment::{self, AssessmentInputs, Method, linshu, puyang};
use hotline_core::center::{self, Period, Scan, StoreLog, WarningConfig};
use hotline_core::error::ErrorCode;
use hotline_core::model::Timestamp;
use serde_json::json;

use crate::ctx::{Ctx, write_new_file};
use crate::output::{CliError, print_json};

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The hub's data folder (its store, or its PostgreSQL database with --database); or give
    /// a device store with --store.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The hub's PostgreSQL database (with --data: the authority stays in the folder).
    #[arg(long, value_name = "URL", requires = "data")]
    database: Option<String>,
    /// The month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["week", "year"])]
    month: Option<String>,
    /// Linshu's weekly special report for an ISO week, YYYY-Www.
    #[arg(long, value_name = "YYYY-Www", conflicts_with = "year")]
    week: Option<String>,
    /// Linshu's annual score: 80 % daily (mean of the months) + 20 % year-end (inputs file).
    #[arg(long, value_name = "YYYY")]
    year: Option<String>,
    /// puyang | linshu | rates
    #[arg(long, default_value = "puyang")]
    method: String,
    /// The center's assessment inputs (TOML): figures hotline does not capture itself.
    #[arg(long, value_name = "FILE")]
    inputs: Option<PathBuf>,
    /// The warning settings (TOML), for the weekly report's concentrated complaints.
    #[arg(long, value_name = "FILE")]
    warnings_config: Option<PathBuf>,
    /// Print CSV instead of a table.
    #[arg(long)]
    csv: bool,
    /// Also write the report as one self-contained HTML file with charts.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// The month's on-site forms (现场督办情况表) of --unit, as a printable HTML file (--html).
    #[arg(long, requires_all = ["unit", "html", "month"])]
    site_forms: bool,
    /// The unit, for --site-forms.
    #[arg(long)]
    unit: Option<String>,
}

pub fn report(a: ReportArgs, ctx: &Ctx) -> Result<(), CliError> {
    let config = warning_config(a.warnings_config.as_deref())?;
    let inputs = match &a.inputs {
        Some(p) => AssessmentInputs::from_toml_str(&read_text(p)?)?,
        None => AssessmentInputs::default(),
    };
    let method = Method::parse(&a.method).ok_or_else(|| {
        crate::ctx::unknown(
            ErrorCode::BadInput,
            "考核方法",
            "method",
            &a.method,
            &["puyang", "linshu", "rates"],
        )
    })?;
    if a.site_forms {
        return forms::site_forms(&a, ctx);
    }
    let scan = scan(&a, ctx, &config)?;
    if let Some(week) = &a.week {
        let period = Period::week(week)?;
        return weekly(&scan, &period, ctx, a.html.as_deref());
    }
    if let Some(year) = &a.year {
        return annual(&scan, &inputs, year, ctx, &a);
    }
    let Some(month) = &a.month else {
        return Err(CliError::new(
            ErrorCode::BadPeriod,
            "请用 --month YYYY-MM、--week YYYY-Www 或 --year YYYY 指定期间",
            "give the period with --month YYYY-MM, --week YYYY-Www or --year YYYY",
        ));
    };
    let period = Period::month(month)?;
    let now = ctx.now;
    let trend = assessment::months_ending(method, &scan.facts, &inputs, &period, now, 6)?;
    let Some(current) = trend.last() else {
        return Ok(());
    };
    let interview = match method {
        Method::Puyang => puyang::interview_list(
            trend
                .get(trend.len().saturating_sub(3)..)
                .unwrap_or_default(),
        ),
        _ => Vec::new(),
    };
    if let Some(path) = &a.html {
        let page = page::assessment_page(current, &trend, &interview, scan.orders, now);
        write_html(path, &html::render_report(&page))?;
    }
    if ctx.json {
        return print_json(&json!({
            "method": method,
            "period": current.period,
            "as_of": crate::time::local_rfc3339(current.as_of),
            "orders_read": scan.orders,
            "units": current.units,
            "notes": current.notes,
            "interview": interview,
            "trend": trend.iter().map(|t| json!({
                "period": t.period.label,
                "totals": t.units.iter().map(|u| json!({"unit": u.unit, "total": u.total})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }));
    }
    if a.csv {
        crate::outln!("{}", text::csv(current));
    } else {
        text::table(current, &interview);
    }
    Ok(())
}

/// Reads every order once: from the hub (`--data`, on PostgreSQL with `--database`) or from the
/// device store (`--store`).
fn scan(a: &ReportArgs, ctx: &Ctx, config: &WarningConfig) -> Result<Scan, CliError> {
    let now = ctx.now;
    match &a.data {
        Some(dir) => Ok(hotline_hub::center::with_orders(
            dir,
            a.database.clone(),
            |r| center::scan(r.log, r.trust, r.policy, r.calendar, now, config),
        )?),
        None => {
            let device = ctx.open()?;
            Ok(center::scan(
                &mut StoreLog(device.store()),
                device.trust(),
                device.policy(),
                device.calendar(),
                now,
                config,
            )?)
        }
    }
}

/// Linshu 二(六): orders reopened three times or more, concentrated complaints, and matters
/// spanning several units, for the week.
fn weekly(
    scan: &Scan,
    period: &Period,
    ctx: &Ctx,
    html_path: Option<&Path>,
) -> Result<(), CliError> {
    let as_of = period.as_of(ctx.now);
    let reopened: Vec<_> = scan
        .facts
        .iter()
        .filter(|f| f.reopens_by(as_of) >= 3)
        .filter(|f| !f.closed_by(period.start))
        .collect();
    let clusters: Vec<_> = scan
        .warnings
        .iter()
        .filter(|w| w.rule == center::WarningRule::ConcentratedComplaints)
        .collect();
    if let Some(path) = html_path {
        let page = page::weekly_page(period, &reopened, &clusters, ctx.now);
        write_html(path, &html::render_report(&page))?;
    }
    if ctx.json {
        return print_json(&json!({
            "period": period,
            "reopened_3_or_more": reopened.iter().map(|f| json!({
                "order": f.order, "unit": f.lead_unit, "reopens": f.reopens_by(as_of), "status": f.status,
            })).collect::<Vec<_>>(),
            "concentrated": clusters,
        }));
    }
    crate::outln!("临沭周专报 / Linshu weekly special report {}", period.label);
    crate::outln!(
        "重办三次以上 / reopened 3 times or more: {}",
        reopened.len()
    );
    for f in &reopened {
        crate::outln!(
            "  {}  {}  重办 {} 次",
            f.order,
            f.lead_unit.as_ref().map_or("-", |u| u.0.as_str()),
            f.reopens_by(as_of)
        );
    }
    crate::outln!("集中反映 / concentrated complaints: {}", clusters.len());
    for w in &clusters {
        crate::outln!("  [{}] {}  {}", w.grade.zh(), w.orders.join(" "), w.detail);
    }
    Ok(())
}

/// Linshu 二: each month's daily score, and 80 % of their mean + 20 % of the year-end score.
fn annual(
    scan: &Scan,
    inputs: &AssessmentInputs,
    year: &str,
    ctx: &Ctx,
    a: &ReportArgs,
) -> Result<(), CliError> {
    let mut months = Vec::new();
    for m in 1..=12 {
        let p = Period::month(&format!("{year}-{m:02}"))?;
        if p.start > ctx.now {
            break;
        }
        months.push(assessment::assess(
            Method::Linshu,
            &scan.facts,
            inputs,
            &p,
            ctx.now,
        ));
    }
    let units: std::collections::BTreeSet<&str> = months
        .iter()
        .flat_map(|m| m.units.iter().map(|u| u.unit.as_str()))
        .collect();
    let rows: Vec<_> = units
        .iter()
        .map(|u| {
            let monthly: Vec<Option<f64>> = months
                .iter()
                .map(|m| m.unit(u).and_then(|x| x.total))
                .collect();
            let year_end = inputs.year_end.get(year).and_then(|y| y.get(*u)).copied();
            let score = linshu::annual(&monthly, year_end);
            (u.to_string(), monthly, year_end, score)
        })
        .collect();
    let _ = a;
    if ctx.json {
        return print_json(&json!({
            "year": year,
            "months": months.iter().map(|m| m.period.label.clone()).collect::<Vec<_>>(),
            "units": rows.iter().map(|(u, monthly, year_end, score)| json!({
                "unit": u, "monthly": monthly, "year_end": year_end, "annual": score,
            })).collect::<Vec<_>>(),
        }));
    }
    crate::outln!("临沭年度成绩 / Linshu annual score {year}: 日常 80% + 年终 20%");
    for (u, monthly, year_end, score) in &rows {
        let known = monthly.iter().flatten().count();
        crate::outln!(
            "  {u}  月份 months {known}/{}  年终 year-end {}  年度 annual {}",
            monthly.len(),
            year_end.map_or("未录入 / not entered".into(), |y| format!("{y:.2}")),
            score.map_or("—".into(), |s| format!("{s:.2}"))
        );
    }
    Ok(())
}

fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::new(
            ErrorCode::FileIo,
            format!("无法读取 {}：{e}", path.display()),
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// The center's warning settings file, or the defaults.
pub(crate) fn warning_config(path: Option<&Path>) -> Result<WarningConfig, CliError> {
    match path {
        Some(p) => Ok(WarningConfig::from_toml_str(&read_text(p)?)?),
        None => Ok(WarningConfig::default()),
    }
}

/// Never over an existing file, like every file hotline writes.
fn write_html(path: &Path, text: &str) -> Result<(), CliError> {
    write_new_file(path, text.as_bytes(), false)
}

/// A figure for people: two decimals, or a dash when unknown.
pub(crate) fn fig(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |v| format!("{v:.2}"))
}

pub(crate) fn at(t: Timestamp) -> String {
    crate::time::local(t)
}
