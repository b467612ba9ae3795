//! `hotline act ORDER ACTION [flags]`: every workflow step after submission, one subcommand each.

use clap::{Args, Subcommand};
use hotline_core::catalogue::DispatchRoute;
use hotline_core::device::{CategoryChoice, SiteSupervisionInput, SplitPart};
use hotline_core::error::ErrorCode;
use hotline_core::model::{
    Action, CaseInfo, ClosureApplication, ClosureGround, ContactMethod, Coordination,
    CoordinationMethod, DutyOfficeReport, ExtensionRequest, NotAcceptedReason, OrderId, PersonId,
    ReplyContent, ReturnRequest, Satisfaction, StatutoryLimit, SupervisionForm, SupervisionTrigger,
    Timestamp, UnitId,
};
use std::path::PathBuf;

use crate::ctx::{Ctx, parse_gps_opt, parse_named, photo, unknown};
use crate::device_cmd::{EvidenceArgs, add_evidence};
use crate::orders_cmd::print_new_status;
use crate::output::CliError;
use crate::time::parse_time;

#[derive(Args, Debug)]
#[command(after_help = "\
例 Examples:
  hotline act wo-1a2b register --as disp-01
  hotline act wo-1a2b dispatch --lead town-a --co town-b --as disp-01
  hotline act wo-1a2b sign-for --as staff-a1
  hotline act wo-1a2b reply --handler 张伟 --result 已处理 --legal-basis 条例第5条 --informed-how 电话 --as staff-a1
  hotline act wo-1a2b callback --rating 满意 --as cb-01")]
pub struct ActArgs {
    /// The work order id (wo-…).
    pub order: String,
    #[command(subcommand)]
    pub action: ActAction,
}

#[derive(Subcommand, Debug)]
pub enum ActAction {
    /// 受理 — center accepts the request (intake, dispatcher).
    Register {
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 不予受理 — reject on one of the policy's grounds, with its basis (intake, dispatcher).
    NotAccept {
        /// not_government_duty emergency_services party_congress_courts_military
        /// litigation_arbitration_reconsideration already_in_other_procedure secrets_or_privacy
        /// repeat_without_new_facts illegal_malicious_or_empty discipline_inspection
        /// not_local_administration public_morals other
        #[arg(long)]
        reason: String,
        #[arg(long)]
        basis: String,
        /// For repeat_without_new_facts: the earlier order.
        #[arg(long)]
        earlier_order: Option<String>,
        /// For other: the reason in words (told to the citizen).
        #[arg(long)]
        stated_reason: Option<String>,
    },
    /// 即时答复 — answer an inquiry from the knowledge base; closes it (intake, dispatcher).
    InstantAnswer {
        #[arg(long)]
        kb_item: String,
        #[arg(long)]
        answer: String,
        /// The item's version the answer came from (`hotline kb list` shows it).
        #[arg(long)]
        kb_version: Option<u32>,
    },
    /// 转办 — dispatch to a lead unit and co-units (dispatcher).
    Dispatch {
        /// The lead unit; without it, the dispatch catalogue's proposal for the order's
        /// category and place (`hotline catalogue show --category C --division D`).
        #[arg(long)]
        lead: Option<String>,
        /// Why another lead unit than the catalogue proposes (required then). 改派理由。
        #[arg(long, value_name = "TEXT")]
        override_reason: Option<String>,
        /// Co-handling unit (repeatable).
        #[arg(long = "co")]
        co: Vec<String>,
        /// 重点难点: needs leader approval (longer limit where the policy has one).
        #[arg(long)]
        leader_approval: bool,
        #[arg(long, default_value = "")]
        note: String,
        /// 上报市政府值班室 — how and to whom an emergency was reported to the city government
        /// duty office (required for emergencies where the policy says so, e.g. Puyang).
        #[arg(long, value_name = "TEXT")]
        duty_report: Option<String>,
        /// When the duty office was told (default: --now).
        #[arg(long, value_name = "RFC3339", requires = "duty_report")]
        duty_reported_at: Option<String>,
        /// 协调确定 (Turpan art. 16): how the center fixed this unit — meeting, site_survey,
        /// guiding_department, organisation_or_justice_ruling, city_government. The unit may
        /// then not return the order.
        #[arg(long, value_name = "METHOD", requires = "coordination")]
        coordinated_by: Option<String>,
        /// The record of that coordination (会议纪要、审定意见…).
        #[arg(long, value_name = "TEXT", requires = "coordinated_by")]
        coordination: Option<String>,
        /// 法定办理时限 (Turpan art. 17): working days a law sets for this matter; prevails
        /// over the policy's limit.
        #[arg(long, value_name = "WD", requires = "statutory_basis")]
        statutory_days: Option<u32>,
        /// The law and article that set it.
        #[arg(long, value_name = "TEXT", requires = "statutory_days")]
        statutory_basis: Option<String>,
        /// 分别转办 (Turpan art. 12): a unit handling its own part, with its own sign-for and
        /// reply (repeatable); the order goes to review when every unit replied.
        #[arg(long = "separate", value_name = "UNIT")]
        separate: Vec<String>,
    },
    /// 申请退回 — the lead unit says it is not its duty (staff, unit head).
    RequestReturn {
        #[arg(long)]
        reason: String,
        #[arg(long)]
        basis: String,
        #[arg(long)]
        leader_opinion: String,
        /// Which unit should get it instead.
        #[arg(long)]
        suggestion: String,
        #[arg(long)]
        phone: String,
        /// The unit phoned the center first (required by Linshu).
        #[arg(long)]
        called_center: bool,
    },
    /// 突发事项首次处置 — the lead unit's first response to an emergency, what was done
    /// (Turpan art. 26: within 2 hours) (staff, unit head).
    FirstResponse {
        #[arg(long)]
        note: String,
    },
    /// 不可抗力 — the center records force majeure on an emergency, with its basis; the
    /// emergency limits stop applying (dispatcher).
    ForceMajeure {
        #[arg(long)]
        basis: String,
    },
    /// 答复合法合规办结 — after a dissatisfied rating, close an order whose reply complies with
    /// law and policy, stating the basis (Puyang §(六)) (dispatcher).
    CloseAsLawful {
        #[arg(long)]
        basis: String,
    },
    /// 审核退回 — approve (back for re-dispatch) or deny (dispatcher).
    DecideReturn {
        #[command(flatten)]
        decision: Decision,
        /// With --deny: an assisting unit the order also needs (repeatable; Linshu 二(三):
        /// a return only partly justified).
        #[arg(long = "add-co", value_name = "UNIT")]
        add_co: Vec<String>,
        /// With --approve: correct the dispatch catalogue — this category (at
        /// --amend-division) goes to --amend-lead from now on.
        #[arg(long, value_name = "CATEGORY", requires = "amend_lead")]
        amend_category: Option<String>,
        /// The division code prefix of the amended entry (default: the whole city).
        #[arg(long, value_name = "CODE", requires = "amend_category")]
        amend_division: Option<String>,
        #[arg(long, value_name = "UNIT", requires = "amend_category")]
        amend_lead: Option<String>,
        /// An assisting unit of the amended entry (repeatable).
        #[arg(long, value_name = "UNIT", requires = "amend_category")]
        amend_assisting: Vec<String>,
    },
    /// 签批 — the lead unit's main leader signs the order off before staff handle it
    /// (Linshu 二(二)) (unit head).
    LeaderSignOff {
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 审核把关 — the deputy leader in charge approves the result before the reply
    /// (Linshu 二(二)) (deputy head, unit head).
    ApproveResult {
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 会办意见 — a co-unit reports its part to the lead unit (staff, leaders of a co-unit).
    CoUnitOpinion {
        #[arg(long)]
        text: String,
    },
    /// 增加会办单位 — the center adds assisting units after dispatch (dispatcher).
    AddCoUnits {
        /// A unit to add (repeatable).
        #[arg(long = "co", value_name = "UNIT", required = true)]
        co: Vec<String>,
        #[arg(long)]
        note: String,
    },
    /// 阶段性办理情况 — the lead unit's interim progress (Lishui) (staff, leaders).
    InterimProgress {
        #[arg(long)]
        note: String,
    },
    /// 延期告知 — tell the citizen why the order cannot be finished in time (Puyang); shown
    /// in the citizen's status (staff, leaders).
    DelayNotice {
        #[arg(long)]
        reason: String,
    },
    /// 申请办结 — ask the center to close a non-compliant request after the first reopen
    /// (non_compliant, Linshu) or to keep an order that cannot be solved out of assessment
    /// (cannot_be_solved, Puyang) (staff, leaders).
    ApplyClosure {
        /// non_compliant or cannot_be_solved
        #[arg(long)]
        ground: String,
        /// 书面说明.
        #[arg(long)]
        statement: String,
        /// 证据材料: what supports it.
        #[arg(long)]
        evidence: String,
    },
    /// 审核办结申请 — approve or deny the unit's closure application (dispatcher).
    DecideClosure {
        #[command(flatten)]
        decision: Decision,
    },
    /// 并单 — merge this order into another about the same matter; its citizen follows that
    /// order by the same receipt and is called back on it (dispatcher).
    Merge {
        /// The order it is merged into.
        #[arg(long, value_name = "ORDER")]
        into: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 拆单 — split an order covering several matters into one order per matter (dispatcher).
    Split {
        /// One part's text (repeatable, at least one).
        #[arg(long = "part", value_name = "TEXT", required = true)]
        parts: Vec<String>,
        /// The category of each part, in the order of --part (all or none).
        #[arg(long = "part-category", value_name = "CODE")]
        categories: Vec<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 回访并单诉求人 — the callback of a citizen whose order was merged into this one
    /// (callback agent).
    MergedCallback {
        /// The merged citizen's receipt code.
        #[arg(long)]
        receipt: String,
        /// very_satisfied satisfied basically_satisfied dissatisfied very_dissatisfied (or the
        /// Chinese terms); leave out with --unreached.
        #[arg(
            long,
            conflicts_with = "unreached",
            required_unless_present = "unreached"
        )]
        rating: Option<String>,
        /// The citizen could not be reached.
        #[arg(long)]
        unreached: bool,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 回访未接通 — the citizen could not be reached; the callback is retried (callback agent).
    CallbackUnreached {
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 撤回承办单位 — the center releases a co-unit or a separately dispatched unit, with the
    /// reason; the order no longer waits for it (dispatcher).
    ReleaseUnit {
        #[arg(long)]
        unit: String,
        #[arg(long)]
        reason: String,
    },
    /// 转交下设单位 — the lead unit passes the order on to one of its registered sub-units
    /// (Turpan); it stays responsible and replies (staff, leaders).
    PassOn {
        /// The sub-unit: `unit/sub-unit`.
        #[arg(long = "to", value_name = "SUB_UNIT")]
        to: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 签收 — the lead unit signs for the order (staff, unit head).
    SignFor {
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 联系诉求人 — log a call, SMS or visit (staff, unit head).
    Contact {
        /// phone, sms or visit
        #[arg(long)]
        method: String,
        #[arg(
            long,
            conflicts_with = "not_reached",
            required_unless_present = "not_reached"
        )]
        reached: bool,
        #[arg(long)]
        not_reached: bool,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 现场核实 — on-site photos (same as `hotline evidence add`).
    SiteEvidence {
        #[command(flatten)]
        evidence: EvidenceArgs,
    },
    /// 申请延期 — ask for more working days (staff, unit head).
    RequestExtension {
        #[arg(long)]
        days: u32,
        /// 书面说明 (required by Puyang).
        #[arg(long, default_value = "")]
        explanation: String,
        /// 法定办理时限: the working days a law sets for the matter; caps the extension
        /// (Turpan art. 17) and is required by Puyang, where it must exceed the ordinary limit.
        #[arg(long, value_name = "WD", requires = "statutory_basis")]
        statutory_days: Option<u32>,
        /// The law and article that set it.
        #[arg(long, value_name = "TEXT", requires = "statutory_days")]
        statutory_basis: Option<String>,
    },
    /// 审核延期 — approve or deny an extension (dispatcher).
    DecideExtension {
        #[command(flatten)]
        decision: Decision,
    },
    /// 答复 — the lead unit's reply (staff, unit head); the unit is the actor's.
    Reply {
        /// 办理人.
        #[arg(long)]
        handler: String,
        /// 办理结果.
        #[arg(long)]
        result: String,
        /// 法律政策依据.
        #[arg(long)]
        legal_basis: String,
        /// How the citizen was told (电话, 上门, 短信…).
        #[arg(long)]
        informed_how: String,
        /// Complaints/reports: the case number…
        #[arg(long, conflicts_with = "no_case_reason")]
        case_number: Option<String>,
        /// …or why no case was opened.
        #[arg(long)]
        no_case_reason: Option<String>,
        /// When it was handled (default: --now).
        #[arg(long)]
        handled_at: Option<String>,
        /// 责任领导: the leader who approved the result, by staff number (required where the
        /// policy asks for sign-off, e.g. Linshu).
        #[arg(long, value_name = "PERSON")]
        responsible_leader: Option<String>,
    },
    /// 审核答复 — approve (to callback) or reject (back to the unit) (dispatcher).
    Review {
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        approve: bool,
        #[arg(long)]
        reject: bool,
        /// Required when rejecting.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 回访 — record the citizen's 5-level rating (callback agent).
    Callback {
        /// very_satisfied satisfied basically_satisfied dissatisfied very_dissatisfied
        /// (or 非常满意 满意 基本满意 不满意 非常不满意).
        #[arg(long)]
        rating: String,
        /// 话务服务满意度: the call service rated apart (required by Turpan art. 21).
        #[arg(long, value_name = "RATING")]
        service_rating: Option<String>,
        /// The citizen says the unit contacted them (asked by Linshu)…
        #[arg(long, conflicts_with = "unit_not_contacted")]
        unit_contacted: bool,
        /// …or says it did not (未联系).
        #[arg(long)]
        unit_not_contacted: bool,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 重办 — reopen after a dissatisfied rating (dispatcher).
    Reopen {
        #[arg(long)]
        reason: String,
    },
    /// 履责意见 — statement of duty fulfilled, or apply to close a non-compliant request.
    DutyStatement {
        #[arg(long)]
        text: String,
        #[arg(long)]
        non_compliant: bool,
    },
    /// 督办 — supervise the order (dispatcher, supervisor).
    Supervise {
        /// leader_assigned leaders_hotline_day hot_issue decided_but_unresolved overdue
        /// reopened_still_dissatisfied
        #[arg(long)]
        trigger: String,
        /// daily, on_site, media or meeting
        #[arg(long)]
        form: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 现场督办情况表 — the on-site supervision form with photos (supervisor; where the policy
    /// says so, the handling unit for its reopened, key or supervised orders, Linshu).
    SiteSupervision {
        #[arg(long)]
        place: String,
        /// When the on-site supervision took place (RFC 3339).
        #[arg(long)]
        held_at: String,
        /// A person present (repeatable).
        #[arg(long = "present")]
        present: Vec<String>,
        #[arg(long)]
        findings: String,
        #[arg(long)]
        action_taken: String,
        #[arg(long = "photo")]
        photos: Vec<PathBuf>,
        #[arg(long)]
        gps: Option<String>,
    },
}

/// `--approve` or `--deny`, with a note (required when denying).
#[derive(Args, Debug)]
pub struct Decision {
    #[arg(long, conflicts_with = "deny", required_unless_present = "deny")]
    approve: bool,
    #[arg(long)]
    deny: bool,
    #[arg(long, default_value = "")]
    note: String,
}

pub fn run(a: ActArgs, ctx: &Ctx) -> Result<(), CliError> {
    let order = OrderId::new(a.order.as_str());
    let action = match from_catalogue(a.action, &order, ctx)? {
        ActAction::SiteEvidence { evidence } => return add_evidence(&a.order, evidence, ctx),
        ActAction::Merge { into, note } => {
            let mut device = ctx.open()?;
            let view = device.merge(ctx.who(), &order, &OrderId::new(into), &note, ctx.now)?;
            return print_new_status(&view, ctx);
        }
        ActAction::Split {
            parts,
            categories,
            note,
        } => return split(&order, parts, categories, &note, ctx),
        ActAction::SiteSupervision {
            place,
            held_at,
            present,
            findings,
            action_taken,
            photos,
            gps,
        } => {
            let held_at = parse_time(&held_at)?;
            let gps = parse_gps_opt(gps.as_deref())?;
            let photos = photos
                .iter()
                .map(|p| photo(p, Some(held_at), gps))
                .collect::<Result<Vec<_>, _>>()?;
            let input = SiteSupervisionInput {
                place,
                held_at,
                people_present: present,
                findings,
                action_taken,
                photos,
                gps,
            };
            let mut device = ctx.open()?;
            let view = device.site_supervision(ctx.who(), &order, input, ctx.now)?;
            return print_new_status(&view, ctx);
        }
        ActAction::Reply {
            handler,
            result,
            legal_basis,
            informed_how,
            case_number,
            no_case_reason,
            handled_at,
            responsible_leader,
        } => {
            let handled_at = match handled_at {
                Some(t) => parse_time(&t)?,
                None => ctx.now,
            };
            let case = match (case_number, no_case_reason) {
                (Some(n), _) => Some(CaseInfo::Filed { case_number: n }),
                (None, Some(r)) => Some(CaseInfo::NotFiled { reason: r }),
                (None, None) => None,
            };
            let mut device = ctx.open()?;
            let unit = device.identity(ctx.who())?.certificate.body.unit.clone();
            let action = Action::Reply(ReplyContent {
                handled_at,
                unit,
                handler,
                result,
                legal_basis,
                citizen_informed_how: informed_how,
                responsible_leader: responsible_leader.map(PersonId::new),
                case,
            });
            let view = device.act(ctx.who(), &order, action, ctx.now)?;
            return print_new_status(&view, ctx);
        }
        other => build(other, ctx.now)?,
    };
    let mut device = ctx.open()?;
    let view = device.act(ctx.who(), &order, action, ctx.now)?;
    print_new_status(&view, ctx)
}

/// A dispatch without --lead takes the catalogue's proposal: its lead, its assisting units
/// (unless --co says otherwise) and its statutory limit (unless given).
fn from_catalogue(
    mut action: ActAction,
    order: &OrderId,
    ctx: &Ctx,
) -> Result<ActAction, CliError> {
    if let ActAction::Dispatch {
        lead: lead @ None,
        co,
        statutory_days,
        statutory_basis,
        ..
    } = &mut action
    {
        let p = ctx
            .open()?
            .dispatch_proposal(order)?
            .ok_or(hotline_core::catalogue::CatalogueError::NoProposal)?;
        *lead = Some(p.lead.0);
        if co.is_empty() {
            *co = p.assisting.into_iter().map(|u| u.0).collect();
        }
        if statutory_days.is_none()
            && let Some(l) = p.statutory_limit
        {
            *statutory_days = Some(l.working_days);
            *statutory_basis = Some(l.basis);
        }
    }
    Ok(action)
}

/// `act ORDER split`: the parts made, with their receipts.
fn split(
    order: &OrderId,
    parts: Vec<String>,
    categories: Vec<String>,
    note: &str,
    ctx: &Ctx,
) -> Result<(), CliError> {
    if !categories.is_empty() && categories.len() != parts.len() {
        return Err(CliError::new(
            ErrorCode::Usage,
            "--part-category 须为每个 --part 各给一个，或都不给",
            "give --part-category once per --part, or not at all",
        ));
    }
    let mut codes = categories.into_iter();
    let parts = parts
        .into_iter()
        .map(|text| SplitPart {
            text,
            kind: None,
            category: codes.next().map(|code| CategoryChoice {
                code,
                answers: Default::default(),
            }),
        })
        .collect();
    let mut device = ctx.open()?;
    let made = device.split(ctx.who(), order, parts, note, ctx.now)?;
    if ctx.json {
        return crate::output::print_json(&made);
    }
    for m in made {
        crate::outln!("{}  查询码 / receipt {}", m.order, m.receipt);
    }
    Ok(())
}

/// An arm `build` never sees (its caller handled the action).
fn unreachable_here(what: &str) -> Result<Action, CliError> {
    Err(CliError::new(
        ErrorCode::Usage,
        format!("内部错误：{what}"),
        format!("internal error: {what}"),
    ))
}

/// A statutory limit from its two flags (clap makes each require the other).
fn statutory(days: Option<u32>, basis: Option<String>) -> Option<StatutoryLimit> {
    match (days, basis) {
        (Some(working_days), Some(basis)) => Some(StatutoryLimit {
            working_days,
            basis,
        }),
        _ => None,
    }
}

/// A 5-level rating by its machine or Chinese name.
fn parse_rating(rating: &str) -> Result<Satisfaction, CliError> {
    Satisfaction::parse(rating).ok_or_else(|| {
        let names: Vec<&str> = Satisfaction::ALL.iter().map(|s| s.as_str()).collect();
        unknown(ErrorCode::UnknownRating, "满意度", "rating", rating, &names)
    })
}

/// The actions that need nothing from the device to be built.
fn build(a: ActAction, now: Timestamp) -> Result<Action, CliError> {
    Ok(match a {
        ActAction::Register { note } => Action::Register { note },
        ActAction::NotAccept {
            reason,
            basis,
            earlier_order,
            stated_reason,
        } => Action::NotAccept {
            reason: NotAcceptedReason::parse(&reason).ok_or_else(|| {
                let names: Vec<&str> = NotAcceptedReason::ALL.iter().map(|r| r.as_str()).collect();
                unknown(
                    ErrorCode::UnknownReason,
                    "不予受理理由",
                    "not-accepted reason",
                    &reason,
                    &names,
                )
            })?,
            basis,
            earlier_order: earlier_order.map(OrderId::new),
            stated_reason,
        },
        ActAction::InstantAnswer {
            kb_item,
            answer,
            kb_version,
        } => Action::InstantAnswer {
            kb_item,
            answer,
            kb_version,
        },
        ActAction::FirstResponse { note } => Action::FirstResponse { note },
        ActAction::ForceMajeure { basis } => Action::ForceMajeure { basis },
        ActAction::CloseAsLawful { basis } => Action::CloseAsLawful { basis },
        ActAction::Dispatch {
            lead,
            override_reason,
            co,
            leader_approval,
            note,
            duty_report,
            duty_reported_at,
            coordinated_by,
            coordination,
            statutory_days,
            statutory_basis,
            separate,
        } => Action::Dispatch {
            separate_units: separate.into_iter().map(UnitId::new).collect(),
            // `run` fills a missing lead from the catalogue before it builds.
            lead: UnitId::new(lead.unwrap_or_default()),
            override_reason,
            co_units: co.into_iter().map(UnitId::new).collect(),
            leader_approval,
            note,
            duty_report: match duty_report {
                Some(how) => Some(DutyOfficeReport {
                    reported_at: match duty_reported_at {
                        Some(t) => parse_time(&t)?,
                        None => now,
                    },
                    how,
                }),
                None => None,
            },
            coordination: match (coordinated_by, coordination) {
                (Some(method), Some(record)) => Some(Coordination {
                    method: parse_named(
                        &method,
                        &CoordinationMethod::ALL,
                        CoordinationMethod::as_str,
                        (
                            ErrorCode::UnknownCoordination,
                            "协调方式",
                            "coordination method",
                        ),
                    )?,
                    record,
                }),
                _ => None,
            },
            statutory_limit: statutory(statutory_days, statutory_basis),
        },
        ActAction::RequestReturn {
            reason,
            basis,
            leader_opinion,
            suggestion,
            phone,
            called_center,
        } => Action::RequestReturn(ReturnRequest {
            reason,
            basis,
            leader_opinion,
            suggestion,
            phone,
            called_center,
        }),
        ActAction::DecideReturn {
            decision,
            add_co,
            amend_category,
            amend_division,
            amend_lead,
            amend_assisting,
        } => Action::DecideReturn {
            approve: decision.approve,
            note: decision.note,
            add_co_units: add_co.into_iter().map(UnitId::new).collect(),
            amend_catalogue: match (amend_category, amend_lead) {
                (Some(category), Some(lead)) => Some(DispatchRoute {
                    category,
                    division: amend_division.unwrap_or_default(),
                    lead: UnitId::new(lead),
                    assisting: amend_assisting.into_iter().map(UnitId::new).collect(),
                }),
                _ => None,
            },
        },
        ActAction::LeaderSignOff { note } => Action::LeaderSignOff { note },
        ActAction::ApproveResult { note } => Action::ApproveResult { note },
        ActAction::CoUnitOpinion { text } => Action::CoUnitOpinion { text },
        ActAction::AddCoUnits { co, note } => Action::AddCoUnits {
            units: co.into_iter().map(UnitId::new).collect(),
            note,
        },
        ActAction::InterimProgress { note } => Action::InterimProgress { note },
        ActAction::DelayNotice { reason } => Action::DelayNotice { reason },
        ActAction::ApplyClosure {
            ground,
            statement,
            evidence,
        } => Action::ApplyClosure(ClosureApplication {
            ground: parse_named(
                &ground,
                &ClosureGround::ALL,
                ClosureGround::as_str,
                (ErrorCode::UnknownGround, "办结申请事由", "closure ground"),
            )?,
            statement,
            evidence,
        }),
        ActAction::DecideClosure { decision } => Action::DecideClosure {
            approve: decision.approve,
            note: decision.note,
        },
        ActAction::CallbackUnreached { note } => Action::CallbackUnreached { note },
        ActAction::MergedCallback {
            receipt,
            rating,
            note,
            ..
        } => Action::MergedCallback {
            receipt: hotline_core::model::ReceiptCode(hotline_core::receipt::parse(&receipt)?.0),
            rating: rating.as_deref().map(parse_rating).transpose()?,
            note,
        },
        ActAction::Merge { .. } | ActAction::Split { .. } => {
            unreachable_here("merge and split are run by `run`")?
        }
        ActAction::ReleaseUnit { unit, reason } => Action::ReleaseUnit {
            unit: UnitId::new(unit),
            reason,
        },
        ActAction::PassOn { to, note } => Action::PassOn {
            sub_unit: UnitId::new(to),
            note,
        },
        ActAction::SignFor { note } => Action::SignFor { note },
        ActAction::Contact {
            method,
            reached,
            not_reached: _,
            note,
        } => Action::Contact {
            method: match method.as_str() {
                "phone" | "电话" => ContactMethod::Phone,
                "sms" | "短信" => ContactMethod::Sms,
                "visit" | "上门" => ContactMethod::Visit,
                other => {
                    return Err(unknown(
                        ErrorCode::UnknownMethod,
                        "联系方式",
                        "contact method",
                        other,
                        &["phone", "sms", "visit"],
                    ));
                }
            },
            reached,
            note,
        },
        ActAction::RequestExtension {
            days,
            explanation,
            statutory_days,
            statutory_basis,
        } => Action::RequestExtension(ExtensionRequest {
            working_days: days,
            explanation,
            statutory_limit: statutory(statutory_days, statutory_basis),
        }),
        ActAction::DecideExtension { decision } => Action::DecideExtension {
            approve: decision.approve,
            note: decision.note,
        },
        ActAction::Review {
            approve,
            reject: _,
            note,
        } => Action::Review { approve, note },
        ActAction::Callback {
            rating,
            service_rating,
            unit_contacted,
            unit_not_contacted,
            note,
        } => Action::Callback {
            rating: parse_rating(&rating)?,
            service_rating: service_rating.as_deref().map(parse_rating).transpose()?,
            unit_contacted: match (unit_contacted, unit_not_contacted) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            note,
        },
        ActAction::Reopen { reason } => Action::Reopen { reason },
        ActAction::DutyStatement {
            text,
            non_compliant,
        } => Action::DutyStatement {
            text,
            non_compliant,
        },
        ActAction::Supervise {
            trigger,
            form,
            note,
        } => Action::Supervise {
            trigger: SupervisionTrigger::parse(&trigger).ok_or_else(|| {
                let names: Vec<&str> = SupervisionTrigger::ALL.iter().map(|t| t.as_str()).collect();
                unknown(
                    ErrorCode::UnknownTrigger,
                    "督办事由",
                    "supervision trigger",
                    &trigger,
                    &names,
                )
            })?,
            form: SupervisionForm::parse(&form).ok_or_else(|| {
                unknown(
                    ErrorCode::UnknownForm,
                    "督办方式",
                    "supervision form",
                    &form,
                    &["daily", "on_site", "media", "meeting"],
                )
            })?,
            note,
        },
        // Handled by `run` with the device at hand.
        ActAction::SiteEvidence { .. }
        | ActAction::SiteSupervision { .. }
        | ActAction::Reply { .. } => {
            return Err(CliError::new(
                ErrorCode::Usage,
                "该操作需要设备信息",
                "this action needs the device",
            ));
        }
    })
}
