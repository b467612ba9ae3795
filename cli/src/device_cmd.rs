//! `hotline device …`, `intake`, `evidence add`, `status`, `contact`, `verify`: the terminal as
//! a kiosk, a staff phone or a desk.

use clap::{Args, Subcommand};
use hotline_core::device::{Credential, Device, MatchWindow, SubmitRequest};
use hotline_core::error::ErrorCode;
use hotline_core::identity::{ContactDetails, RevocationList};
use hotline_core::model::{
    Channel, EmergencyCategory, IntakeMatch, Location, MatchRelation, OrderId, RequestKind, Role,
    Urgency,
};
use hotline_core::workflow::DeadlineKind;
use serde_json::json;
use std::path::PathBuf;

use crate::ctx::{
    Ctx, parse_gps, parse_gps_opt, parse_named, parse_origin, photo, read_json, unknown,
};
use crate::orders_cmd::print_new_status;
use crate::output::{CliError, print_json};
use crate::time::{local, parse_time};
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient};

#[derive(Subcommand, Debug)]
pub enum DeviceCommand {
    /// Set up a store from a credential file, or add another person to it (a shared phone).
    /// 导入凭证：新建设备存储，或在同一设备上增加一名人员。
    Init {
        #[arg(long)]
        credential: PathBuf,
    },
    /// Install a newer root-signed revocation list. 安装新的证书吊销清单。
    Trust {
        #[arg(long)]
        revocations: PathBuf,
    },
    /// The people enrolled on this store (use one with --as). 列出本设备登记的人员。
    List,
}

pub fn run_device(cmd: DeviceCommand, ctx: &Ctx) -> Result<(), CliError> {
    match cmd {
        DeviceCommand::Init { credential } => {
            let cred: Credential = read_json(
                &credential,
                ErrorCode::BadCredential,
                "凭证文件",
                "credential file",
            )?;
            let dir = ctx.store_dir()?;
            let device = Device::init(dir, &cred, ctx.now)?;
            let b = &cred.certificate.body;
            // Enrolled with --device-key: the key lives in an app's Keystore/Keychain, so this
            // terminal knows the person but cannot sign for them.
            let can_sign = device
                .identities()
                .iter()
                .any(|i| i.certificate.body.id == b.id);
            if ctx.json {
                return print_json(&json!({
                    "store": dir.display().to_string(),
                    "can_sign": can_sign,
                    "certificate_id": b.id.0,
                    "person": b.person.0,
                    "role": b.role.as_str(),
                    "unit": b.unit.0,
                    "people": people(&device),
                }));
            }
            crate::outln!(
                "已导入凭证 / enrolled on this device: {} {}（{} / {}），单位 unit {}",
                b.person,
                b.display_name,
                b.role.zh(),
                b.role,
                b.unit
            );
            if !can_sign {
                crate::outln!(
                    "  注意：凭证不含私钥，本终端不能代其签名 / note: the credential has no private key; this terminal cannot sign for {}",
                    b.person
                );
            }
            crate::outln!(
                "  本设备人员 people on this device: {}",
                device.identities().len()
            );
            crate::outln!(
                "  请删除凭证文件 {} / delete the credential file now: its key is in {}/keys",
                credential.display(),
                dir.display()
            );
            Ok(())
        }
        DeviceCommand::Trust { revocations } => {
            let list: RevocationList = read_json(
                &revocations,
                ErrorCode::BadRevocationList,
                "吊销清单",
                "revocation list",
            )?;
            let mut device = ctx.open()?;
            let (seq, n) = (list.sequence, list.revoked.len());
            device.set_revocations(list)?;
            if ctx.json {
                return print_json(&json!({ "sequence": seq, "revoked": n }));
            }
            crate::outln!(
                "已安装第 {seq} 号吊销清单（{n} 份证书）/ revocation list no. {seq} installed ({n} certificate(s))"
            );
            Ok(())
        }
        DeviceCommand::List => {
            let device = ctx.open()?;
            // The node id names this store in offline bundles (`bundle export --for`).
            let node = device.node_id()?;
            if ctx.json {
                return print_json(&json!({ "node_id": node, "people": people(&device) }));
            }
            crate::outln!("本设备编号 / node id: {node}");
            for i in device.identities() {
                let b = &i.certificate.body;
                crate::outln!(
                    "{}  {}（{} / {}）单位 unit {}  证书 cert {}  至 until {}",
                    b.person,
                    b.display_name,
                    b.role.zh(),
                    b.role,
                    b.unit,
                    b.id,
                    local(b.not_after)
                );
            }
            Ok(())
        }
    }
}

fn people(device: &Device) -> Vec<serde_json::Value> {
    device
        .identities()
        .iter()
        .map(|i| {
            let b = &i.certificate.body;
            json!({
                "person": b.person.0,
                "display_name": b.display_name,
                "role": b.role.as_str(),
                "unit": b.unit.0,
                "certificate_id": b.id.0,
                "not_after": b.not_after,
            })
        })
        .collect()
}

#[derive(Args, Debug)]
pub struct IntakeArgs {
    /// inquiry help complaint report suggestion (or 咨询 求助 投诉 举报 建议).
    #[arg(long)]
    kind: String,
    /// What the citizen asks, in their words.
    #[arg(long)]
    text: String,
    #[arg(long)]
    address: String,
    /// Administrative division code (6–12 digits).
    #[arg(long)]
    division: Option<String>,
    /// LAT,LON of the matter.
    #[arg(long)]
    gps: Option<String>,
    /// Citizen's name (sealed to the platform; the device cannot read it back).
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    id_number: Option<String>,
    /// 保密: never identified to the handling unit, not called back.
    #[arg(long)]
    confidential: bool,
    /// 突发/紧急.
    #[arg(long)]
    emergency: bool,
    /// phone web email wechat weibo app mini_program sms walk_in kiosk
    /// (default: kiosk on a kiosk, else phone).
    #[arg(long)]
    channel: Option<String>,
    /// A photo (jpg/png), streamed into the store; repeatable.
    #[arg(long = "photo")]
    photos: Vec<PathBuf>,
    /// Where the order came from: local (default) provincial_hotline city_hotline
    /// county_center diverted_110.
    #[arg(long)]
    origin: Option<String>,
    /// For --emergency (Turpan art. 26): utility_outage natural_disaster dangerous_facility
    /// public_safety_threat.
    #[arg(long, requires = "emergency")]
    emergency_category: Option<String>,
    /// The category code from the city's catalogue (`hotline category list`). 事项分类。
    #[arg(long)]
    category: Option<String>,
    /// An answer to the category's form, CODE=VALUE; repeatable (`hotline category show CODE`
    /// lists the questions and their types).
    #[arg(long = "attr", value_name = "CODE=VALUE", requires = "category")]
    attributes: Vec<String>,
    /// The same matter is already being handled: add this request to that order (as offered
    /// by the duplicate check). 补充到已有工单。
    #[arg(long, value_name = "ORDER", conflicts_with_all = ["repeat_of", "new"])]
    join: Option<String>,
    /// A repeat of a closed matter with no new facts, linked to that order (not accepted,
    /// reason 7). 重复诉求。
    #[arg(long, value_name = "ORDER", conflicts_with = "new")]
    repeat_of: Option<String>,
    /// Submit as a new matter although the duplicate check offers earlier ones.
    #[arg(long)]
    new: bool,
    /// Answer the inquiry at once from this knowledge-base item (即时答复).
    #[arg(long, value_name = "ITEM", requires = "kb_version")]
    answer_from: Option<String>,
    /// The version of the item the citizen read (`hotline kb search` shows it).
    #[arg(long, requires = "answer_from")]
    kb_version: Option<u32>,
}

pub fn intake(a: IntakeArgs, ctx: &Ctx) -> Result<(), CliError> {
    let kind = parse_kind(&a.kind)?;
    let gps = parse_gps_opt(a.gps.as_deref())?;
    let mut device = ctx.open()?;
    let role = device.identity(ctx.who())?.certificate.body.role;
    let channel = match a.channel.as_deref() {
        Some(c) => Channel::parse(c).ok_or_else(|| {
            let names: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
            unknown(ErrorCode::UnknownChannel, "渠道", "channel", c, &names)
        })?,
        None if role == Role::Kiosk => Channel::Kiosk,
        None => Channel::Phone,
    };
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let contact = if blank(&a.name) && blank(&a.phone) && blank(&a.id_number) {
        None
    } else {
        Some(ContactDetails {
            name: a.name,
            phone: a.phone,
            id_number: a.id_number,
        })
    };
    let photos = a
        .photos
        .iter()
        .map(|p| photo(p, None, None))
        .collect::<Result<Vec<_>, _>>()?;
    let req = SubmitRequest {
        kind,
        urgency: if a.emergency {
            Urgency::Emergency
        } else {
            Urgency::Normal
        },
        channel,
        text: a.text,
        location: Location {
            address: a.address,
            division_code: a.division,
            gps,
        },
        contact,
        confidential: a.confidential,
        origin: a
            .origin
            .as_deref()
            .map(parse_origin)
            .transpose()?
            .unwrap_or_default(),
        emergency_category: a
            .emergency_category
            .as_deref()
            .map(|c| {
                parse_named(
                    c,
                    &EmergencyCategory::ALL,
                    EmergencyCategory::as_str,
                    (
                        ErrorCode::UnknownEmergencyCategory,
                        "突发事项类别",
                        "emergency category",
                    ),
                )
            })
            .transpose()?,
        photos,
        category: a
            .category
            .map(|code| crate::catalogue_cmd::category_choice(code, &a.attributes))
            .transpose()?,
    };
    let chosen = match (a.join, a.repeat_of) {
        (Some(order), _) => Some((order, MatchRelation::Joins)),
        (None, Some(order)) => Some((order, MatchRelation::Repeats)),
        (None, None) => None,
    }
    .map(|(order, relation)| IntakeMatch {
        order: OrderId::new(order),
        relation,
    });
    let sub = if let (Some(item), Some(version)) = (&a.answer_from, a.kb_version) {
        device.answer_from_kb(ctx.who(), req, item, version, ctx.now)?
    } else {
        if chosen.is_none() && !a.new {
            offer_duplicates(&device, &req, ctx)?;
        }
        device.submit_matched(ctx.who(), req, chosen, ctx.now)?
    };
    let status = device.show(&sub.order)?.state.status;
    if ctx.json {
        return print_json(&json!({
            "order": sub.order.0,
            "receipt": sub.receipt,
            "status": status.as_str(),
        }));
    }
    crate::outln!("已提交 / submitted: {}", sub.order);
    crate::outln!(
        "查询码 / receipt code: {}（请妥善保存，凭此查询办理进度 / keep it to look up the progress）",
        sub.receipt
    );
    Ok(())
}

/// Before a new order is opened: the same matter already reported here stops the intake with
/// the orders found, for the agent to ask the citizen (`--join`, `--repeat-of` or `--new`).
fn offer_duplicates(device: &Device, req: &SubmitRequest, ctx: &Ctx) -> Result<(), CliError> {
    let found = device.intake_candidates(
        req.kind,
        &req.text,
        &req.location,
        ctx.now,
        &MatchWindow::default(),
    )?;
    if found.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = found
        .iter()
        .map(|c| {
            let flag = match c.relation {
                MatchRelation::Joins => "--join",
                MatchRelation::Repeats => "--repeat-of",
            };
            format!(
                "{flag} {} ({} {}, {:.2})",
                c.order,
                c.status.as_str(),
                crate::time::local(c.submitted_at),
                c.similarity
            )
        })
        .collect();
    Err(CliError::new(
        ErrorCode::IntakeMatchFound,
        format!(
            "同一地点已有相同事项：{}。请询问诉求人后用 --join（补充到在办工单）、--repeat-of（已办结且无新情况）或 --new（确为新事项）重新提交",
            list.join("；")
        ),
        format!(
            "the same matter is already reported here: {}. Ask the citizen, then submit again with --join (add to the open order), --repeat-of (closed, nothing new) or --new (a different matter)",
            list.join("; ")
        ),
    ))
}

pub fn parse_kind(s: &str) -> Result<RequestKind, CliError> {
    RequestKind::parse(s).ok_or_else(|| {
        CliError::new(
            ErrorCode::UnknownKind,
            format!("未知的诉求类型“{s}”；可用：咨询 求助 投诉 举报 建议"),
            format!(
                "unknown request kind `{s}`; use inquiry, help, complaint, report or suggestion"
            ),
        )
    })
}

#[derive(Subcommand, Debug)]
pub enum EvidenceCommand {
    /// On-site verification photos (现场核实) with GPS and time inside the signature.
    Add {
        order: String,
        #[command(flatten)]
        evidence: EvidenceArgs,
    },
}

#[derive(Args, Debug)]
pub struct EvidenceArgs {
    /// Photo files (jpg/png).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where the photos were taken: LAT,LON.
    #[arg(long)]
    pub gps: String,
    /// Horizontal accuracy of the fix, metres.
    #[arg(long)]
    pub accuracy: Option<f64>,
    /// When the photos were taken (RFC 3339).
    #[arg(long)]
    pub captured_at: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
}

pub fn run_evidence(cmd: EvidenceCommand, ctx: &Ctx) -> Result<(), CliError> {
    let EvidenceCommand::Add { order, evidence } = cmd;
    add_evidence(&order, evidence, ctx)
}

pub fn add_evidence(order: &str, e: EvidenceArgs, ctx: &Ctx) -> Result<(), CliError> {
    let gps = parse_gps(&e.gps, e.accuracy)?;
    let captured_at = e.captured_at.as_deref().map(parse_time).transpose()?;
    let photos = e
        .files
        .iter()
        .map(|p| photo(p, captured_at, Some(gps)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut device = ctx.open()?;
    let view = device.add_evidence(
        ctx.who(),
        &OrderId::new(order),
        photos,
        Some(gps),
        e.note,
        ctx.now,
    )?;
    if !ctx.json {
        crate::outln!(
            "已记录现场核实照片 {} 张 / site evidence recorded: {} photo(s)",
            e.files.len(),
            e.files.len()
        );
    }
    print_new_status(&view, ctx)
}

pub fn status(receipt: &str, hub: Option<&str>, ctx: &Ctx) -> Result<(), CliError> {
    let device = ctx.open()?;
    let st = match hub {
        None => device.status(receipt)?,
        Some(url) => {
            let client = HubClient::new(url, HttpOptions::default())?;
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| {
                    CliError::new(
                        ErrorCode::Runtime,
                        format!("无法启动运行时：{e}"),
                        format!("cannot start the runtime: {e}"),
                    )
                })?
                .block_on(client.receipt_status(&device, ctx.who(), receipt, &CancelToken::new()))?
        }
    };
    if ctx.json {
        return print_json(&st);
    }
    let kind = st.kind.zh();
    crate::outln!("查询码 / receipt: {}", st.receipt);
    crate::outln!("诉求类型 / kind: {kind} {}", st.kind);
    crate::outln!("办理状态 / status: {} {}", st.status_zh, st.status);
    match st.next_due {
        Some(t) => crate::outln!(
            "下一期限 / next deadline: {}（{}）",
            local(t),
            due_kind_text(st.next_due_kind)
        ),
        None => crate::outln!("下一期限 / next deadline: —"),
    }
    if let Some(n) = &st.not_accepted {
        // Turpan art. 13: the citizen is told the ground and its basis.
        crate::outln!(
            "不予受理理由 / not accepted: {}（{}）",
            n.reason_zh,
            n.reason.as_str()
        );
        if let Some(r) = &n.stated_reason {
            crate::outln!("具体理由 / reason: {r}");
        }
        crate::outln!("依据 / basis: {}", n.basis);
    }
    if let Some(e) = &st.extension {
        // Turpan art. 18: the citizen is told when an extension is approved.
        crate::outln!(
            "已批准延期 / extension approved: {}，延长 {} 个工作日 working days",
            local(e.approved_at),
            e.working_days
        );
    }
    if let Some(d) = &st.delay_notice {
        crate::outln!("延期告知 / delay notice ({}): {}", local(d.at), d.reason);
    }
    if (st.extension.is_some() || st.delay_notice.is_some())
        && let Some(t) = st.handling_due
    {
        crate::outln!("办结期限 / handling due: {}", local(t));
    }
    if let Some(t) = st.updated_at {
        crate::outln!("更新于 / updated: {}", local(t));
    }
    Ok(())
}

/// The name of an index deadline kind, both languages.
pub fn due_kind_text(kind: Option<DeadlineKind>) -> String {
    match kind {
        Some(DeadlineKind::Dispatch) => "转办 dispatch".into(),
        Some(DeadlineKind::SignFor) => "签收 sign-for".into(),
        Some(DeadlineKind::Response) => "突发响应 emergency response".into(),
        Some(DeadlineKind::Handling) => "办结 handling".into(),
        None => String::new(),
    }
}

pub fn contact(order: &str, purpose: &str, ctx: &Ctx) -> Result<(), CliError> {
    let device = ctx.open()?;
    let c = device.contact(ctx.who(), &OrderId::new(order), purpose, ctx.now)?;
    if ctx.json {
        return print_json(&json!({
            "order": order,
            "name": c.name,
            "phone": c.phone,
            "id_number": c.id_number,
        }));
    }
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    crate::outln!("诉求人 / citizen: {}", show(&c.name));
    crate::outln!("电话 / phone: {}", show(&c.phone));
    crate::outln!("证件号 / ID number: {}", show(&c.id_number));
    Ok(())
}

pub fn verify(ctx: &Ctx) -> Result<(), CliError> {
    let device = ctx.open()?;
    let report = device.verify()?;
    if ctx.json {
        print_json(&json!({
            "ok": report.ok(),
            "changes_checked": report.changes_checked,
            "certificates_checked": report.certificates_checked,
            "blobs_checked": report.blobs_checked,
            "problems": report.problems,
        }))?;
    } else {
        crate::outln!(
            "已检查 / checked: {} 条变更 changes · {} 份证书 certificates · {} 个附件 blobs",
            report.changes_checked,
            report.certificates_checked,
            report.blobs_checked
        );
        if report.ok() {
            crate::outln!("全部通过 / all checks passed");
        } else {
            crate::outln!(
                "发现 {} 个问题 / {} problem(s):",
                report.problems.len(),
                report.problems.len()
            );
            for p in &report.problems {
                let order = p
                    .order
                    .as_deref()
                    .map(|o| format!(" 工单 order {o}"))
                    .unwrap_or_default();
                crate::outln!("  ✗ [{}] {} {}{order}", p.code, p.kind, p.subject);
                crate::outln!("      {}", p.message_zh);
                crate::outln!("      {}", p.message_en);
            }
        }
    }
    if report.ok() {
        Ok(())
    } else {
        let n = report.problems.len();
        Err(CliError::new(
            ErrorCode::VerifyFailed,
            format!("校验发现 {n} 个问题（见上）"),
            format!("verification found {n} problem(s) (listed above)"),
        ))
    }
}
