//! Which actor may do what, and the deterministic fold of a work order's events into its state.
//!
//! # Why a fold, and how conflicts are settled
//!
//! Township staff and field supervisors work offline for hours, so two people can act on the
//! same order without seeing each other: two units sign for it after a re-dispatch, or one
//! colleague asks to return it while another replies. Every device must still arrive at the
//! same state once it has the same events, whatever order they arrived in, and nobody's work
//! may silently vanish — the seeds punish falsified records, so a hidden record would be worse
//! than a visible mistake.
//!
//! The rule:
//!
//! 1. **Causality first.** An event comes after everything listed in its `after`: its author
//!    had seen those, so no ordering may contradict what they knew.
//! 2. **Then the device clock, then the id.** Among events that did not know of each other,
//!    the earlier `at` goes first, and the event id breaks exact ties. Clocks can be wrong, but
//!    they are the only order a person can understand ("the other unit signed first"); the id
//!    only makes the choice total, so replicas never disagree.
//! 3. **Same rules as on the device.** Each event is checked with [`decide`] at its place in
//!    that order — the very check the device ran before writing it. The first to act wins; a
//!    later event that is no longer valid there (the second unit's sign-for, a return request
//!    after the reply) is **kept in the history, marked refused with its code**, and does not
//!    change the state. The center sees both and can act on the loser (e.g. supervise).
//! 4. **Nothing is guessed.** An event whose predecessor has not arrived is kept as *waiting*
//!    rather than applied out of context; it is placed as soon as the predecessor arrives.
//!    Events whose predecessors form a cycle (only a broken or hostile device can make one) are
//!    kept as refused with `causal_cycle`. A repeated delivery of the same event id counts once.
//!
//! The fold is therefore a pure function of the set of distinct events, and its `history`
//! holds each of them exactly once.

mod content;
mod deadlines;
mod errors;
mod fold;
mod permissions;
mod state;
mod supervision;
mod transitions;

pub use content::check_sizes;
pub use deadlines::{DeadlineKind, OrderDeadlines, deadlines};
pub use errors::{WorkflowError, action_zh};
pub use fold::{fold, fold_observed};
pub use permissions::{UnitBinding, allowed_roles, unit_binding};
pub use state::{
    AbsorbedOrder, ClosureDecision, ClosureRecord, ContactLog, DutyStatementRecord,
    ExtensionDecision, ExtensionRecord, HistoryEntry, InstantAnswerRecord, Logged,
    NotAcceptedRecord, OrderState, Outcome, RatingRecord, SeparateTrack, Status, SupervisionRecord,
};
pub use supervision::{automatic_triggers, recorded_by_service};
pub use transitions::decide;
