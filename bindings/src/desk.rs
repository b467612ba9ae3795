//! The center desk's queues and the warnings of the moment, for a dispatcher's, reviewer's,
//! callback agent's or supervisor's app — and, on a unit's phone, the warnings on its own
//! orders. Computed by the core over what the device holds; only reshaped here.

use hotline_core::center::queues::{DeskQueues as CoreQueues, Queue, QueueEntry};
use hotline_core::center::warnings::{Grade, Warning, WarningConfig, WarningRule};
use hotline_core::center::{StoreLog, queues::desk_queues};
use hotline_core::model::{RequestKind, Urgency};
use hotline_core::workflow::Status;

use crate::device::HotlineDevice;
use crate::{HotlineError, Timestamp};

/// Which queue an order waits in.
#[uniffi::remote(Enum)]
pub enum Queue {
    ToDispatch,
    Returns,
    Extensions,
    Closures,
    Reviews,
    Reopen,
    Callbacks,
    Supervision,
    IntakeMatches,
}

/// 提示 (prompt) comes first; 警示 (warning) when it got worse.
#[uniffi::remote(Enum)]
pub enum Grade {
    Prompt,
    Warning,
}

#[uniffi::remote(Enum)]
pub enum WarningRule {
    SignForLate,
    ReturnLate,
    EmergencyResponseLate,
    HandlingDueSoon,
    Overdue,
    ReopenedRepeatedly,
    PerfunctoryHandling,
    ConcentratedComplaints,
    PetitionRisk,
}

/// One order in one queue.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DeskEntry {
    pub queue: Queue,
    pub order: String,
    pub receipt: String,
    pub kind: RequestKind,
    pub urgency: Urgency,
    pub status: Status,
    pub lead_unit: Option<String>,
    /// Since when it waits.
    pub since: Option<Timestamp>,
    /// The deadline that matters for it.
    pub due: Option<Timestamp>,
}

/// One warning, with the seed clause it comes from.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DeskWarning {
    pub rule: WarningRule,
    pub grade: Grade,
    pub order: String,
    /// Every order of a cluster of the same matter; the order alone otherwise.
    pub orders: Vec<String>,
    pub unit: Option<String>,
    pub due: Option<Timestamp>,
    pub clause: String,
    /// What is wrong, Chinese / English.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DeskQueues {
    /// Oldest first within a queue, emergencies first.
    pub entries: Vec<DeskEntry>,
    /// Warnings first, then prompts.
    pub warnings: Vec<DeskWarning>,
}

impl From<QueueEntry> for DeskEntry {
    fn from(e: QueueEntry) -> Self {
        DeskEntry {
            queue: e.queue,
            order: e.order,
            receipt: e.receipt,
            kind: e.kind,
            urgency: e.urgency,
            status: e.status,
            lead_unit: e.lead_unit,
            since: e.since,
            due: e.due,
        }
    }
}

impl From<Warning> for DeskWarning {
    fn from(w: Warning) -> Self {
        DeskWarning {
            rule: w.rule,
            grade: w.grade,
            order: w.order,
            orders: w.orders,
            unit: w.unit,
            due: w.due,
            clause: w.clause.to_string(),
            detail: w.detail,
        }
    }
}

impl From<CoreQueues> for DeskQueues {
    fn from(q: CoreQueues) -> Self {
        DeskQueues {
            entries: q.entries.into_iter().map(Into::into).collect(),
            warnings: q.warnings.into_iter().map(Into::into).collect(),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl HotlineDevice {
    /// The work queues of the person acting (`who` on a shared device; every queue when
    /// `all_queues`) and the warnings at `at` on the orders this device holds.
    #[uniffi::method(default(who = None, all_queues = false))]
    pub async fn desk_queues(
        &self,
        at: Timestamp,
        who: Option<String>,
        all_queues: bool,
    ) -> Result<DeskQueues, HotlineError> {
        self.run(move |d| {
            let role = d.identity(who.as_deref())?.certificate.body.role;
            let q = desk_queues(
                &mut StoreLog(d.store()),
                d.trust(),
                d.policy(),
                d.calendar(),
                at,
                &WarningConfig::default(),
            )?;
            Ok(if all_queues { q } else { q.for_role(role) }.into())
        })
        .await
    }
}
