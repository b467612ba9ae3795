//! `hotline kb`: the knowledge base on this device — publish, update, flag a policy change,
//! search, list, show, and the one-week update duty (Puyang).

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use hotline_core::device::KbDraft;
use hotline_core::error::ErrorCode;
use hotline_core::kb::{KbFields, KbItem};
use hotline_core::model::UnitId;
use serde_json::json;

use crate::ctx::Ctx;
use crate::output::{CliError, print_json};

#[derive(Subcommand, Debug)]
pub enum KbCommand {
    /// Publish a new item (version 1), signed by the person acting. 发布知识库条目。
    Publish {
        /// Stable id (letters, digits, - _ .), what instant answers name.
        #[arg(long)]
        id: String,
        /// The owning unit (default: the publisher's own; the center may name any).
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Publish the next version of an item: the fields given replace the current ones.
    /// 更新知识库条目。
    Update {
        id: String,
        /// Refuse if the item is no longer at this version (someone updated it meanwhile).
        #[arg(long)]
        expect_version: Option<u32>,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Record that the policy behind an item changed on a day: its unit owes an update within
    /// a week. 政策变更登记。
    PolicyChanged {
        id: String,
        /// The day the policy changed (YYYY-MM-DD).
        #[arg(long)]
        on: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Search the items that apply today (offline). 检索知识库。
    Search {
        query: String,
        #[arg(long, default_value_t = 5)]
        limit: u32,
    },
    /// Every item's current version (of one unit, or all). 条目列表。
    List {
        #[arg(long)]
        unit: Option<String>,
    },
    /// One item in full. 条目详情。
    Show { id: String },
    /// Policy changes and their updates; late ones first (Puyang: −1 point a day late).
    /// 知识库更新时效。
    Duty {
        /// Only updates due in this month (YYYY-MM), with days late per unit.
        #[arg(long)]
        month: Option<String>,
    },
}

/// The fields of an item; on `update`, those given replace the current ones.
#[derive(Args, Debug, Default)]
pub struct FieldArgs {
    #[arg(long)]
    title: Option<String>,
    /// The answer a citizen reads first.
    #[arg(long)]
    answer: Option<String>,
    /// 法律依据
    #[arg(long)]
    legal_basis: Option<String>,
    /// 办理条件
    #[arg(long)]
    conditions: Option<String>,
    /// 所需材料
    #[arg(long)]
    materials: Option<String>,
    /// 办理流程
    #[arg(long)]
    process: Option<String>,
    /// 收费标准
    #[arg(long)]
    fees: Option<String>,
    /// 办理地点
    #[arg(long)]
    place: Option<String>,
    /// 办理时限
    #[arg(long)]
    time_limit: Option<String>,
    /// 注意事项
    #[arg(long)]
    notes: Option<String>,
    /// First day the item applies (YYYY-MM-DD).
    #[arg(long)]
    valid_from: Option<String>,
    /// Last day the item applies (YYYY-MM-DD).
    #[arg(long)]
    valid_until: Option<String>,
    /// The day the policy this version carries took effect (YYYY-MM-DD).
    #[arg(long)]
    policy_date: Option<String>,
}

impl FieldArgs {
    /// `base` with the fields given here put over it.
    fn over(self, base: KbDraft) -> Result<KbDraft, CliError> {
        let f = base.fields;
        Ok(KbDraft {
            title: self.title.unwrap_or(base.title),
            answer: self.answer.unwrap_or(base.answer),
            fields: KbFields {
                legal_basis: self.legal_basis.unwrap_or(f.legal_basis),
                conditions: self.conditions.unwrap_or(f.conditions),
                materials: self.materials.unwrap_or(f.materials),
                process: self.process.unwrap_or(f.process),
                fees: self.fees.unwrap_or(f.fees),
                place: self.place.unwrap_or(f.place),
                time_limit: self.time_limit.unwrap_or(f.time_limit),
                notes: self.notes.unwrap_or(f.notes),
            },
            valid_from: date_or(self.valid_from, base.valid_from)?,
            valid_until: date_or(self.valid_until, base.valid_until)?,
            policy_date: date_or(self.policy_date, base.policy_date)?,
            ..base
        })
    }
}

fn date_or(given: Option<String>, base: Option<NaiveDate>) -> Result<Option<NaiveDate>, CliError> {
    match given {
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => parse_date(&s).map(Some),
        None => Ok(base),
    }
}

pub fn parse_date(s: &str) -> Result<NaiveDate, CliError> {
    s.parse().map_err(|_| {
        CliError::new(
            ErrorCode::BadTime,
            format!("日期格式应为 YYYY-MM-DD：{s}"),
            format!("a date is YYYY-MM-DD: {s}"),
        )
    })
}

pub fn run(command: KbCommand, ctx: &Ctx) -> Result<(), CliError> {
    match command {
        KbCommand::Publish { id, unit, fields } => {
            let mut device = ctx.open()?;
            if let Some(held) = device.kb_item(&id)? {
                // Publishing again would drop every field not given: that is `kb update`.
                return Err(hotline_core::kb::KbError::VersionStale {
                    item: id,
                    current: held.version,
                }
                .into());
            }
            let draft = fields.over(KbDraft {
                id,
                unit: unit.map(UnitId::new),
                ..KbDraft::default()
            })?;
            let item = device.kb_publish(ctx.who(), draft, ctx.now)?;
            published(&item, ctx)
        }
        KbCommand::Update {
            id,
            expect_version,
            fields,
        } => {
            let mut device = ctx.open()?;
            let current = device.kb_item(&id)?.ok_or_else(|| unknown_item(&id))?;
            let base = KbDraft {
                id: current.id,
                unit: Some(current.unit),
                title: current.title,
                answer: current.answer,
                fields: current.fields,
                valid_from: current.valid_from,
                valid_until: current.valid_until,
                policy_date: current.policy_date,
                expected_version: Some(expect_version.unwrap_or(current.version)),
            };
            let item = device.kb_publish(ctx.who(), fields.over(base)?, ctx.now)?;
            published(&item, ctx)
        }
        KbCommand::PolicyChanged { id, on, note } => {
            let mut device = ctx.open()?;
            let on = parse_date(&on)?;
            device.kb_policy_changed(ctx.who(), &id, on, note, ctx.now)?;
            if ctx.json {
                return print_json(&json!({ "item": id, "policy_date": on }));
            }
            crate::outln!(
                "已登记政策变更 / policy change recorded: {id} {on}（一周内须更新 / update due within a week）"
            );
            Ok(())
        }
        KbCommand::Search { query, limit } => {
            let device = ctx.open()?;
            let hits = device.kb_search(&query, limit, ctx.now)?;
            if ctx.json {
                let hits: Vec<_> = hits
                    .iter()
                    .map(|h| json!({ "item": h.item, "score": h.score }))
                    .collect();
                return print_json(&json!({ "query": query, "hits": hits }));
            }
            if hits.is_empty() {
                crate::outln!("没有找到 / nothing found");
            }
            for h in &hits {
                crate::outln!("{}  v{}  {}", h.item.id, h.item.version, h.item.title);
                crate::outln!("    {}", h.item.answer);
            }
            Ok(())
        }
        KbCommand::List { unit } => {
            let device = ctx.open()?;
            let items = device.kb_items(unit.map(UnitId::new).as_ref())?;
            if ctx.json {
                return print_json(&json!({ "items": items }));
            }
            for i in &items {
                crate::outln!("{}  v{}  {}  {}", i.id, i.version, i.unit, i.title);
            }
            crate::outln!("共 {} 条 / {} item(s)", items.len(), items.len());
            Ok(())
        }
        KbCommand::Show { id } => {
            let device = ctx.open()?;
            let item = device.kb_item(&id)?.ok_or_else(|| unknown_item(&id))?;
            if ctx.json {
                return print_json(&item);
            }
            crate::outln!(
                "{}（第 {} 版 / version {}）{}",
                item.title,
                item.version,
                item.version,
                item.unit
            );
            crate::outln!("{}", item.answer);
            for (_, zh, en, value) in item.fields.labelled() {
                if !value.is_empty() {
                    crate::outln!("  {zh} / {en}: {value}");
                }
            }
            Ok(())
        }
        KbCommand::Duty { month } => duty(month, ctx),
    }
}

fn duty(month: Option<String>, ctx: &Ctx) -> Result<(), CliError> {
    let device = ctx.open()?;
    let mut duties = device.kb_duties(ctx.now)?;
    // A period is [start, end) in +08:00: its days are start's through the day before end.
    let range = month
        .as_deref()
        .map(|m| {
            let period = hotline_core::center::Period::month(m)?;
            let day = |t| hotline_core::policy::to_local(t).date_naive();
            let last = day(period.end).pred_opt().unwrap_or(NaiveDate::MIN);
            Ok::<_, CliError>((day(period.start), last))
        })
        .transpose()?;
    if let Some((from, to)) = range {
        duties.retain(|d| d.due >= from && d.due <= to);
    }
    duties.sort_by(|a, b| b.days_late.cmp(&a.days_late).then(a.item.cmp(&b.item)));
    let by_unit = hotline_core::kb::days_late_by_unit(&duties);
    if ctx.json {
        return print_json(&json!({ "duties": duties, "days_late_by_unit": by_unit }));
    }
    for d in &duties {
        let state = match (d.updated_at, d.days_late) {
            (Some(_), 0) => "按时更新 / on time".to_string(),
            (Some(_), n) => format!("迟 {n} 天更新 / updated {n} day(s) late"),
            (None, 0) => "待更新 / update due".to_string(),
            (None, n) => format!("已逾期 {n} 天未更新 / {n} day(s) overdue"),
        };
        crate::outln!(
            "{}  {}  政策 / policy {}  截止 / due {}  {}",
            d.item,
            d.unit,
            d.policy_date,
            d.due,
            state
        );
    }
    for (unit, days) in &by_unit {
        crate::outln!(
            "{unit}: 迟报 {days} 天（蒲阳考核每天 −1 分） / {days} day(s) late (Puyang: −1 a day)"
        );
    }
    Ok(())
}

fn published(item: &KbItem, ctx: &Ctx) -> Result<(), CliError> {
    if ctx.json {
        return print_json(item);
    }
    crate::outln!(
        "已发布 / published: {} 第 {} 版 / version {}（同步后送达各终端 / reaches every device at the next sync）",
        item.id,
        item.version,
        item.version
    );
    Ok(())
}

fn unknown_item(id: &str) -> CliError {
    CliError::from(hotline_core::kb::KbError::Unknown {
        item: id.to_string(),
        version: None,
    })
}
