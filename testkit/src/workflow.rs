//! Shared helpers of the workflow integration tests: people, actions and a script that records
//! events in a causal chain and folds them.

use chrono::{DateTime, Duration, TimeZone, Utc};
use hotline_core::Coded;
use hotline_core::model::{
    Action, Actor, AttachmentRef, CaseInfo, Channel, ContactMethod, Event, EventId,
    ExtensionRequest, GpsFix, Location, NotAcceptedReason, OrderDetails, OrderId, ReceiptCode,
    ReplyContent, RequestKind, ReturnRequest, Role, Satisfaction, SiteEvidence,
    SiteSupervisionForm, SupervisionForm, SupervisionTrigger, Timestamp, Urgency,
};
use hotline_core::policy::{HolidayCalendar, Policy, local_offset, preset};
use hotline_core::workflow::{OrderState, Outcome, WorkflowError, decide, fold};

pub const UNIT_A: &str = "unit-gaochang-town";
pub const UNIT_B: &str = "unit-water-bureau";
pub const UNIT_C: &str = "unit-yaer-street";
pub const CENTER: &str = "center-12345";

/// A local (+08:00) wall-clock instant.
pub fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    local_offset()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// 23:59:59 local of that day: where working-day limits end.
pub fn end_of_day(y: i32, m: u32, d: u32) -> Timestamp {
    local_offset()
        .with_ymd_and_hms(y, m, d, 23, 59, 59)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

pub fn hours(h: i64) -> Duration {
    Duration::hours(h)
}
pub fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

pub fn kiosk() -> Actor {
    Actor::new("kiosk-gaochang-01", Role::Kiosk, "kiosk-gaochang")
}
pub fn intake() -> Actor {
    Actor::new("agent-li", Role::Intake, CENTER)
}
pub fn dispatcher() -> Actor {
    Actor::new("dispatcher-wang", Role::Dispatcher, CENTER)
}
pub fn callback_agent() -> Actor {
    Actor::new("callback-zhao", Role::Callback, CENTER)
}
pub fn supervisor() -> Actor {
    Actor::new("supervisor-ma", Role::Supervisor, "county-supervision")
}
pub fn auditor() -> Actor {
    Actor::new("auditor-sun", Role::Auditor, "discipline-inspection")
}
pub fn staff(unit: &str) -> Actor {
    Actor::new(&format!("staff-{unit}"), Role::Staff, unit)
}
pub fn staff2(unit: &str) -> Actor {
    Actor::new(&format!("staff2-{unit}"), Role::Staff, unit)
}
pub fn head(unit: &str) -> Actor {
    Actor::new(&format!("head-{unit}"), Role::UnitHead, unit)
}
/// The unit's deputy leader in charge (分管负责人).
pub fn deputy(unit: &str) -> Actor {
    Actor::new(&format!("deputy-{unit}"), Role::DeputyHead, unit)
}

pub fn details(kind: RequestKind, confidential: bool) -> OrderDetails {
    OrderDetails {
        id: OrderId::new("order-0001"),
        receipt: ReceiptCode("K7Q2-M9XD".into()),
        kind,
        urgency: Urgency::Normal,
        channel: Channel::Kiosk,
        text: "村口路灯坏了两个星期 / the street light at the village entrance has been out for two weeks".into(),
        location: Location {
            address: "高昌区亚尔乡".into(),
            division_code: Some("650402".into()),
            gps: Some(GpsFix::manual(42.95, 89.18)),
        },
        confidential,
        attachments: vec![],
        origin: hotline_core::model::Origin::Local,
        emergency_category: None,
        attributes: Default::default(),
        category: None,
        split_from: None,
        intake_match: None,
    }
}

pub fn submit(kind: RequestKind) -> Action {
    Action::Submit {
        details: details(kind, false),
    }
}
/// An emergency (突发事项) of `kind`.
pub fn submit_emergency(kind: RequestKind) -> Action {
    let mut details = details(kind, false);
    details.urgency = Urgency::Emergency;
    details.emergency_category = Some(hotline_core::model::EmergencyCategory::UtilityOutage);
    Action::Submit { details }
}
pub fn submit_confidential(kind: RequestKind) -> Action {
    Action::Submit {
        details: details(kind, true),
    }
}
pub fn register() -> Action {
    Action::Register {
        note: "受理".into(),
    }
}
pub fn dispatch(lead: &str, co: &[&str]) -> Action {
    Action::Dispatch {
        separate_units: Vec::new(),
        statutory_limit: None,
        lead: hotline_core::model::UnitId::new(lead),
        co_units: co
            .iter()
            .map(|u| hotline_core::model::UnitId::new(*u))
            .collect(),
        leader_approval: false,
        note: "请按时办理".into(),
        duty_report: None,
        coordination: None,
        override_reason: None,
    }
}
/// A dispatch to `lead` alone with what the newer rules add to it.
fn dispatch_with(
    lead: &str,
    duty_report: Option<hotline_core::model::DutyOfficeReport>,
    coordination: Option<hotline_core::model::Coordination>,
) -> Action {
    Action::Dispatch {
        separate_units: Vec::new(),
        statutory_limit: None,
        lead: hotline_core::model::UnitId::new(lead),
        co_units: Vec::new(),
        leader_approval: false,
        note: "请按时办理".into(),
        duty_report,
        coordination,
        override_reason: None,
    }
}

/// A dispatch to `lead` fixed by the center's coordination (Turpan art. 16), with its record.
pub fn dispatch_coordinated(lead: &str, record: &str) -> Action {
    let coordination = hotline_core::model::Coordination {
        method: hotline_core::model::CoordinationMethod::Meeting,
        record: record.into(),
    };
    dispatch_with(lead, None, Some(coordination))
}

/// A dispatch to `lead` carrying its report to the city government duty office (Puyang).
pub fn dispatch_reported(lead: &str, reported_at: Timestamp, how: &str) -> Action {
    let report = hotline_core::model::DutyOfficeReport {
        reported_at,
        how: how.into(),
    };
    dispatch_with(lead, Some(report), None)
}
pub fn sign_for() -> Action {
    Action::SignFor {
        note: "已签批".into(),
    }
}
pub fn return_request(called_center: bool) -> ReturnRequest {
    ReturnRequest {
        reason: "路灯属供电公司维护".into(),
        basis: "《城市道路照明设施管理规定》第五条".into(),
        leader_opinion: "同意退回".into(),
        suggestion: "国网吐鲁番供电公司".into(),
        phone: "0995-1234567".into(),
        called_center,
    }
}
pub fn request_return(called_center: bool) -> Action {
    Action::RequestReturn(return_request(called_center))
}
pub fn decide_return(approve: bool) -> Action {
    Action::DecideReturn {
        add_co_units: Vec::new(),
        approve,
        note: "职责界定".into(),
        amend_catalogue: None,
    }
}
pub fn contact() -> Action {
    Action::Contact {
        method: ContactMethod::Phone,
        reached: true,
        note: "已电话联系诉求人".into(),
    }
}
pub fn photo() -> AttachmentRef {
    AttachmentRef {
        sha256: "ab".repeat(32),
        size: 123_456,
        media_type: "image/jpeg".into(),
        captured_at: None,
        gps: Some(GpsFix::manual(42.95, 89.18)),
        device: Some("phone-01".into()),
    }
}
pub fn site_evidence() -> Action {
    Action::SiteEvidence(SiteEvidence {
        photos: vec![photo()],
        gps: Some(GpsFix::manual(42.95, 89.18)),
        note: "现场核实路灯损坏".into(),
    })
}
pub fn request_extension(working_days: u32, explanation: &str) -> Action {
    Action::RequestExtension(ExtensionRequest {
        statutory_limit: None,
        working_days,
        explanation: explanation.into(),
    })
}
/// An extension on the ground of a handling time of `statutory_days` set by law (what Puyang
/// requires; a cap instead of the policy's in Turpan).
pub fn request_extension_by_law(
    working_days: u32,
    explanation: &str,
    statutory_days: u32,
) -> Action {
    Action::RequestExtension(ExtensionRequest {
        statutory_limit: Some(hotline_core::model::StatutoryLimit {
            working_days: statutory_days,
            basis: "《城市道路管理条例》第三十五条".into(),
        }),
        working_days,
        explanation: explanation.into(),
    })
}
pub fn decide_extension(approve: bool) -> Action {
    Action::DecideExtension {
        approve,
        note: "审核意见".into(),
    }
}
pub fn reply_content(unit: &str, kind: RequestKind) -> ReplyContent {
    ReplyContent {
        // The unit's deputy, as [`approve_result`] by [`deputy`] records it (Linshu 二(二)).
        responsible_leader: Some(hotline_core::model::PersonId::new(format!("deputy-{unit}"))),
        handled_at: local(2026, 3, 4, 10, 0),
        unit: hotline_core::model::UnitId::new(unit),
        handler: "张三".into(),
        result: "已更换路灯".into(),
        legal_basis: "《城市照明管理规定》".into(),
        citizen_informed_how: "电话告知".into(),
        case: if kind.is_complaint_or_report() {
            Some(CaseInfo::NotFiled {
                reason: "不涉及违法行为".into(),
            })
        } else {
            None
        },
    }
}
pub fn reply(unit: &str, kind: RequestKind) -> Action {
    Action::Reply(reply_content(unit, kind))
}
pub fn review(approve: bool) -> Action {
    Action::Review {
        approve,
        note: "答复内容不完整".into(),
    }
}
/// A callback that records everything any preset asks: the call service rated apart (Turpan
/// art. 21) and whether the unit made contact (Linshu).
pub fn callback(rating: Satisfaction) -> Action {
    Action::Callback {
        service_rating: Some(Satisfaction::Satisfied),
        unit_contacted: Some(true),
        rating,
        note: "回访".into(),
    }
}
/// A dispatch to `lead` with a handling limit set by law (Turpan art. 17).
pub fn dispatch_statutory(lead: &str, working_days: u32, basis: &str) -> Action {
    let mut d = dispatch(lead, &[]);
    if let Action::Dispatch {
        statutory_limit, ..
    } = &mut d
    {
        *statutory_limit = Some(hotline_core::model::StatutoryLimit {
            working_days,
            basis: basis.into(),
        });
    }
    d
}
/// 分别转办 (Turpan art. 12): dispatched to `lead` and, each on its own track, to `separate`.
pub fn dispatch_separately(lead: &str, separate: &[&str]) -> Action {
    let mut d = dispatch(lead, &[]);
    if let Action::Dispatch { separate_units, .. } = &mut d {
        *separate_units = separate
            .iter()
            .map(|u| hotline_core::model::UnitId::new(*u))
            .collect();
    }
    d
}

/// Linshu 二(三): the return is denied and `co` assists.
pub fn partly_justified(co: &[&str]) -> Action {
    Action::DecideReturn {
        add_co_units: co
            .iter()
            .map(|u| hotline_core::model::UnitId::new(*u))
            .collect(),
        approve: false,
        note: "承办单位承担部分职能，仍由其承办".into(),
        amend_catalogue: None,
    }
}
pub fn add_co_units(co: &[&str]) -> Action {
    Action::AddCoUnits {
        units: co
            .iter()
            .map(|u| hotline_core::model::UnitId::new(*u))
            .collect(),
        note: "需供水部门配合".into(),
    }
}
pub fn co_unit_opinion() -> Action {
    Action::CoUnitOpinion {
        text: "已排查管网，配合维修".into(),
    }
}
pub fn interim_progress() -> Action {
    Action::InterimProgress {
        note: "已联系施工单位，等待配件".into(),
    }
}
pub fn delay_notice() -> Action {
    Action::DelayNotice {
        reason: "配件需从外地调运，预计下周更换".into(),
    }
}
pub fn apply_closure(ground: hotline_core::model::ClosureGround) -> Action {
    Action::ApplyClosure(hotline_core::model::ClosureApplication {
        ground,
        statement: "诉求人要求超出政策规定，已多次解释".into(),
        evidence: "走访记录、政策文件".into(),
    })
}
pub fn decide_closure(approve: bool) -> Action {
    Action::DecideClosure {
        approve,
        note: "审核意见".into(),
    }
}
pub fn callback_unreached() -> Action {
    Action::CallbackUnreached {
        note: "三次拨打无人接听".into(),
    }
}
pub fn leader_sign_off() -> Action {
    Action::LeaderSignOff {
        note: "请认真办理".into(),
    }
}
pub fn approve_result() -> Action {
    Action::ApproveResult {
        note: "同意答复".into(),
    }
}
pub fn reopen() -> Action {
    Action::Reopen {
        reason: "诉求人不满意".into(),
    }
}
pub fn duty_statement() -> Action {
    Action::DutyStatement {
        text: "已依法履责".into(),
        non_compliant: false,
    }
}
pub fn supervise(trigger: SupervisionTrigger) -> Action {
    Action::Supervise {
        trigger,
        form: SupervisionForm::Daily,
        note: "督办".into(),
    }
}
pub fn site_supervision() -> Action {
    Action::SiteSupervision(SiteSupervisionForm {
        place: "亚尔乡村口".into(),
        held_at: local(2026, 3, 5, 10, 0),
        people_present: vec!["张三".into()],
        findings: "路灯已修复".into(),
        action_taken: "现场确认".into(),
        photos: vec![photo()],
        gps: Some(GpsFix::manual(42.95, 89.18)),
    })
}
pub fn not_accept(reason: NotAcceptedReason) -> Action {
    Action::NotAccept {
        reason,
        basis: "《吐鲁番市12345热线管理办法》第十三条".into(),
        earlier_order: Some(OrderId::new("order-0000")),
        // "Other" says its reason in words.
        stated_reason: (reason == NotAcceptedReason::Other)
            .then(|| "诉求人要求查询他人信息".into()),
    }
}
pub fn instant_answer() -> Action {
    Action::InstantAnswer {
        kb_item: "kb-0042".into(),
        answer: "办理时间为工作日9:00-17:00".into(),
        kb_version: None,
    }
}

/// One sample of every action, for "this role may do nothing of this" checks.
pub fn every_action() -> Vec<Action> {
    vec![
        submit(RequestKind::Inquiry),
        register(),
        not_accept(NotAcceptedReason::NotGovernmentDuty),
        instant_answer(),
        dispatch(UNIT_A, &[]),
        request_return(true),
        decide_return(true),
        Action::FirstResponse {
            note: "已到场处置".into(),
        },
        Action::ForceMajeure {
            basis: "特大沙尘暴".into(),
        },
        Action::CloseAsLawful {
            basis: "答复符合《噪声污染防治法》规定".into(),
        },
        sign_for(),
        contact(),
        site_evidence(),
        request_extension(3, "需要协调"),
        decide_extension(true),
        reply(UNIT_A, RequestKind::Inquiry),
        review(true),
        callback(Satisfaction::Satisfied),
        reopen(),
        duty_statement(),
        supervise(SupervisionTrigger::LeaderAssigned),
        site_supervision(),
        leader_sign_off(),
        approve_result(),
        co_unit_opinion(),
        add_co_units(&[UNIT_C]),
        interim_progress(),
        delay_notice(),
        apply_closure(hotline_core::model::ClosureGround::NonCompliant),
        decide_closure(true),
        callback_unreached(),
        Action::ReleaseUnit {
            unit: hotline_core::model::UnitId::new(UNIT_B),
            reason: "不属该单位职责".into(),
        },
        merge_into("wo-earlier"),
        absorb("wo-repeat", "R-REPEAT"),
        split(&["wo-part-1", "wo-part-2"]),
        merged_callback("R-REPEAT", Some(Satisfaction::Satisfied)),
    ]
}

/// 并单: this order merged into `into`.
pub fn merge_into(into: &str) -> Action {
    Action::MergeInto {
        into: OrderId::new(into),
        note: "同一事项重复反映".into(),
    }
}

/// The other side of a merge: `order` (receipt `receipt`) merged into this one.
pub fn absorb(order: &str, receipt: &str) -> Action {
    Action::Absorb {
        order: OrderId::new(order),
        receipt: hotline_core::model::ReceiptCode(receipt.into()),
        note: "同一事项重复反映".into(),
    }
}

/// 拆单 into `parts`.
pub fn split(parts: &[&str]) -> Action {
    Action::Split {
        parts: parts.iter().map(|p| OrderId::new(*p)).collect(),
        note: "一单多事，按事项拆分".into(),
    }
}

/// The callback of a merged citizen; `None`: not reached.
pub fn merged_callback(receipt: &str, rating: Option<Satisfaction>) -> Action {
    Action::MergedCallback {
        receipt: hotline_core::model::ReceiptCode(receipt.into()),
        rating,
        note: "已回访并单诉求人".into(),
    }
}

/// Events of one order recorded as a causal chain (each after the previous), as a single
/// device that sees everything would record them.
#[derive(Debug, Clone)]
pub struct Script {
    pub policy: Policy,
    pub cal: HolidayCalendar,
    pub events: Vec<Event>,
    next: usize,
}

impl Script {
    pub fn new(preset_name: &str) -> Self {
        Self {
            policy: preset(preset_name).unwrap(),
            cal: HolidayCalendar::national().unwrap(),
            events: Vec::new(),
            next: 0,
        }
    }

    pub fn next_id(&mut self) -> EventId {
        self.next += 1;
        EventId::new(format!("ev-{:03}", self.next))
    }

    /// Records an event after the last one, whatever the fold makes of it.
    pub fn push(&mut self, actor: Actor, action: Action, at: Timestamp) -> EventId {
        let after: Vec<EventId> = self
            .events
            .last()
            .map(|e| e.id.clone())
            .into_iter()
            .collect();
        self.push_after(actor, action, at, after)
    }

    pub fn push_after(
        &mut self,
        actor: Actor,
        action: Action,
        at: Timestamp,
        after: Vec<EventId>,
    ) -> EventId {
        let id = self.next_id();
        self.events.push(Event {
            id: id.clone(),
            actor,
            at,
            after,
            action,
        });
        id
    }

    /// Records an event that must be accepted, both by `decide` and by the fold.
    pub fn ok(&mut self, actor: Actor, action: Action, at: Timestamp) -> EventId {
        if let Err(e) = decide(&self.state(), &actor, &action, at, &self.policy, &self.cal) {
            panic!("{} refused: {} ({})", action.name(), e.code(), e);
        }
        let id = self.push(actor, action, at);
        let outcome = self.state().outcome_of(&id).cloned();
        assert_eq!(outcome, Some(Outcome::Applied), "event {id}");
        id
    }

    /// The lead unit's head signs for the order and, where the policy asks for it (Linshu
    /// 二(二)), signs it off (签批) ten minutes later.
    pub fn receive(&mut self, unit: &str, at: Timestamp) {
        self.ok(head(unit), sign_for(), at);
        if self.policy.procedures.leader_sign_off {
            self.ok(head(unit), leader_sign_off(), at + minutes(10));
        }
    }

    /// The lead unit replies; where the policy asks for it, its deputy approves the result
    /// first (a minute before).
    pub fn reply_approved(&mut self, unit: &str, kind: RequestKind, at: Timestamp) -> EventId {
        if self.policy.procedures.leader_sign_off {
            self.ok(deputy(unit), approve_result(), at - minutes(1));
        }
        self.ok(staff(unit), reply(unit, kind), at)
    }

    pub fn state(&self) -> OrderState {
        fold(&self.events, &self.policy, &self.cal)
    }

    pub fn decide(
        &self,
        actor: &Actor,
        action: &Action,
        at: Timestamp,
    ) -> Result<(), WorkflowError> {
        decide(&self.state(), actor, action, at, &self.policy, &self.cal)
    }

    /// The code of the refusal `decide` gives; panics if the action is accepted.
    pub fn refusal(&self, actor: &Actor, action: &Action, at: Timestamp) -> WorkflowError {
        match self.decide(actor, action, at) {
            Ok(()) => panic!("{} by {:?} was accepted", action.name(), actor.role),
            Err(e) => e,
        }
    }

    pub fn refusal_code(&self, actor: &Actor, action: &Action, at: Timestamp) -> &'static str {
        self.refusal(actor, action, at).code().as_str()
    }

    /// Also records the refused action and checks the fold flags it with the same code and
    /// leaves the state unchanged.
    pub fn expect_refused(&mut self, actor: Actor, action: Action, at: Timestamp, code: &str) {
        let before = self.state();
        assert_eq!(
            self.refusal_code(&actor, &action, at),
            code,
            "{}",
            action.name()
        );
        let id = self.push(actor, action, at);
        let after = self.state();
        assert_eq!(
            after
                .outcome_of(&id)
                .and_then(|o| o.refusal_code())
                .map(|c| c.as_str()),
            Some(code)
        );
        let mut without_history = after.clone();
        without_history.history.pop();
        assert_eq!(without_history, before, "a refused event changed the state");
        self.events.pop();
    }
}

/// Monday 2 March 2026, 09:00 +08:00: a plain working week with no holiday.
pub fn monday() -> Timestamp {
    local(2026, 3, 2, 9, 0)
}

pub fn as_utc(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A script brought to the given point of the life of an inquiry, dispatched to A with B as
/// co-unit: "submitted", "registered", "dispatched", "in_handling", "under_review",
/// "awaiting_callback".
pub fn scripted(preset_name: &str, kind: RequestKind, upto: &str) -> Script {
    let mut s = Script::new(preset_name);
    let t = monday();
    s.ok(kiosk(), submit(kind), t);
    if upto == "submitted" {
        return s;
    }
    s.ok(intake(), register(), t + minutes(30));
    if upto == "registered" {
        return s;
    }
    s.ok(dispatcher(), dispatch(UNIT_A, &[UNIT_B]), t + hours(1));
    if upto == "dispatched" {
        return s;
    }
    s.receive(UNIT_A, t + hours(3));
    if upto == "in_handling" {
        return s;
    }
    s.reply_approved(UNIT_A, kind, t + hours(48));
    if upto == "under_review" {
        return s;
    }
    s.ok(dispatcher(), review(true), t + hours(50));
    assert_eq!(upto, "awaiting_callback", "unknown stage {upto}");
    s
}

/// When the racing events of [`race_events`] happen, in minutes after their earliest moment.
#[derive(Debug, Clone, Copy, Default)]
pub struct RaceTimes {
    /// Unit A's second phone signs for after the first dispatch, offline.
    pub a_sign: i64,
    /// Unit C's head signs for after the re-dispatch.
    pub c_sign: i64,
    /// Unit C's other phone asks to return the order, not having seen the sign-for.
    pub c_return: i64,
    /// Unit C replies after its sign-for.
    pub c_reply: i64,
    /// Co-unit B logs a call.
    pub b_contact: i64,
    /// A supervisor logs site evidence.
    pub evidence: i64,
    /// The center decides C's return request.
    pub decide: i64,
    pub approve_c_return: bool,
}

/// A Turpan order dispatched to A, returned, re-dispatched to C, with offline events racing
/// each other: A signs for on a phone that never saw the return; C signs for and replies while
/// another C phone asks to return it. Plus one event whose predecessor never arrives.
pub fn race_events(r: RaceTimes) -> Vec<Event> {
    let mut s = Script::new("turpan");
    let t = monday();
    let e1 = s.push_after(kiosk(), submit(RequestKind::Complaint), t, vec![]);
    let e2 = s.push_after(intake(), register(), t + minutes(30), vec![e1]);
    let e3 = s.push_after(
        dispatcher(),
        dispatch(UNIT_A, &[UNIT_B]),
        t + hours(1),
        vec![e2],
    );
    let e4 = s.push_after(
        staff(UNIT_A),
        request_return(false),
        t + hours(2),
        vec![e3.clone()],
    );
    let e5 = s.push_after(dispatcher(), decide_return(true), t + hours(3), vec![e4]);
    let e6 = s.push_after(
        dispatcher(),
        dispatch(UNIT_C, &[UNIT_B]),
        t + hours(4),
        vec![e5],
    );
    let _a_sign = s.push_after(
        staff2(UNIT_A),
        sign_for(),
        t + hours(1) + minutes(r.a_sign),
        vec![e3.clone()],
    );
    let c_sign_at = t + hours(4) + minutes(r.c_sign);
    let e8 = s.push_after(head(UNIT_C), sign_for(), c_sign_at, vec![e6.clone()]);
    let c_return_at = t + hours(4) + minutes(r.c_return);
    let e9 = s.push_after(staff2(UNIT_C), request_return(false), c_return_at, vec![e6]);
    let reply_at = c_sign_at + minutes(r.c_reply);
    let e10 = s.push_after(
        staff(UNIT_C),
        reply(UNIT_C, RequestKind::Complaint),
        reply_at,
        vec![e8],
    );
    s.push_after(
        staff(UNIT_B),
        contact(),
        t + hours(1) + minutes(r.b_contact),
        vec![e3.clone()],
    );
    s.push_after(
        supervisor(),
        site_evidence(),
        t + hours(1) + minutes(r.evidence),
        vec![e3],
    );
    let e13 = s.push_after(dispatcher(), review(true), reply_at + hours(1), vec![e10]);
    s.push_after(
        callback_agent(),
        callback(Satisfaction::Satisfied),
        reply_at + hours(2),
        vec![e13],
    );
    s.push_after(
        dispatcher(),
        decide_return(r.approve_c_return),
        c_return_at + minutes(r.decide),
        vec![e9],
    );
    s.push_after(
        staff(UNIT_B),
        duty_statement(),
        t + hours(30),
        vec![EventId::new("ev-never-arrives")],
    );
    s.events
}
