//! The knowledge base and the duplicate check at intake, for a native kiosk, an intake desk or
//! a unit's phone: publish and update items, search offline, answer an inquiry from an item,
//! the update duty, and the earlier orders a new request may repeat. Every rule is the core's.

use chrono::NaiveDate;
use hotline_core::device::{KbDraft, MatchCandidate, MatchWindow};
use hotline_core::kb::{KbFields, KbItem, UpdateDuty};
use hotline_core::model::{IntakeMatch, MatchRelation, OrderId, UnitId};
use hotline_core::workflow::Status;

use crate::device::HotlineDevice;
use crate::inputs::SubmitRequest;
use hotline_core::device::Submitted;

use crate::{HotlineError, Timestamp};

/// The eight fields a unit keeps for an item (Puyang): empty when not given.
#[uniffi::remote(Record)]
pub struct KbFields {
    pub legal_basis: String,
    pub conditions: String,
    pub materials: String,
    pub process: String,
    pub fees: String,
    pub place: String,
    pub time_limit: String,
    pub notes: String,
}

/// Add to the open order (`Joins`), or a repeat of a closed one with nothing new (`Repeats`).
#[uniffi::remote(Enum)]
pub enum MatchRelation {
    Joins,
    Repeats,
}

/// One version of a knowledge-base item. Dates are `YYYY-MM-DD` (+08:00).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KbEntry {
    pub id: String,
    pub version: u32,
    pub unit: String,
    pub title: String,
    /// What the citizen reads first (and an instant answer records).
    pub answer: String,
    pub fields: KbFields,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub policy_date: Option<String>,
}

impl From<KbItem> for KbEntry {
    fn from(i: KbItem) -> Self {
        KbEntry {
            id: i.id,
            version: i.version,
            unit: i.unit.0,
            title: i.title,
            answer: i.answer,
            fields: i.fields,
            valid_from: i.valid_from.map(|d| d.to_string()),
            valid_until: i.valid_until.map(|d| d.to_string()),
            policy_date: i.policy_date.map(|d| d.to_string()),
        }
    }
}

/// An item as its unit or the center writes it; the device adds the version.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KbDraftInput {
    pub id: String,
    pub title: String,
    pub answer: String,
    #[uniffi(default = None)]
    pub unit: Option<String>,
    #[uniffi(default = None)]
    pub fields: Option<KbFields>,
    #[uniffi(default = None)]
    pub valid_from: Option<String>,
    #[uniffi(default = None)]
    pub valid_until: Option<String>,
    #[uniffi(default = None)]
    pub policy_date: Option<String>,
    /// The version the person was editing: publishing fails (`kb_version_stale`) if another
    /// came since.
    #[uniffi(default = None)]
    pub expected_version: Option<u32>,
}

/// A search hit, best first; `score` is BM25 relevance (higher is better).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct KbHit {
    pub item: KbEntry,
    pub score: f64,
}

/// One policy change of an item and its update (Puyang: within a week, −1 a day late).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KbDuty {
    pub item: String,
    pub unit: String,
    pub policy_date: String,
    pub due: String,
    pub updated_at: Option<Timestamp>,
    pub days_late: u32,
}

impl From<UpdateDuty> for KbDuty {
    fn from(d: UpdateDuty) -> Self {
        KbDuty {
            item: d.item,
            unit: d.unit.0,
            policy_date: d.policy_date.to_string(),
            due: d.due.to_string(),
            updated_at: d.updated_at,
            days_late: d.days_late,
        }
    }
}

/// An earlier order offered as the same matter: nothing of its text or its citizen.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct IntakeCandidate {
    pub order: String,
    pub relation: MatchRelation,
    pub status: Status,
    pub submitted_at: Timestamp,
    pub similarity: f64,
}

impl From<MatchCandidate> for IntakeCandidate {
    fn from(c: MatchCandidate) -> Self {
        IntakeCandidate {
            order: c.order.0,
            relation: c.relation,
            status: c.status,
            submitted_at: c.submitted_at,
            similarity: c.similarity,
        }
    }
}

fn date(field: &'static str, s: Option<String>) -> Result<Option<NaiveDate>, HotlineError> {
    s.map(|s| {
        s.parse()
            .map_err(|_| HotlineError::bad_input(field, "a date is YYYY-MM-DD"))
    })
    .transpose()
}

impl TryFrom<KbDraftInput> for KbDraft {
    type Error = HotlineError;

    fn try_from(d: KbDraftInput) -> Result<Self, HotlineError> {
        Ok(KbDraft {
            id: d.id,
            unit: d.unit.map(UnitId::new),
            title: d.title,
            answer: d.answer,
            fields: d.fields.unwrap_or_default(),
            valid_from: date("valid_from", d.valid_from)?,
            valid_until: date("valid_until", d.valid_until)?,
            policy_date: date("policy_date", d.policy_date)?,
            expected_version: d.expected_version,
        })
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl HotlineDevice {
    /// Publishes a new item (version 1) or the next version of one, signed by `who`; every
    /// device receives it at its next sync.
    #[uniffi::method(default(who = None))]
    pub async fn kb_publish(
        &self,
        draft: KbDraftInput,
        now: Timestamp,
        who: Option<String>,
    ) -> Result<KbEntry, HotlineError> {
        let draft = KbDraft::try_from(draft)?;
        self.run(move |d| Ok(d.kb_publish(who.as_deref(), draft, now)?.into()))
            .await
    }

    /// Records that the policy behind an item changed on `on` (`YYYY-MM-DD`): its unit owes an
    /// update within a week.
    #[uniffi::method(default(note = "", who = None))]
    pub async fn kb_policy_changed(
        &self,
        item: String,
        on: String,
        now: Timestamp,
        note: String,
        who: Option<String>,
    ) -> Result<(), HotlineError> {
        let on = date("on", Some(on))?.unwrap_or_default();
        self.run(move |d| Ok(d.kb_policy_changed(who.as_deref(), &item, on, note, now)?))
            .await
    }

    /// The items that apply at `now` matching `query`, best first (offline).
    pub async fn kb_search(
        &self,
        query: String,
        limit: u32,
        now: Timestamp,
    ) -> Result<Vec<KbHit>, HotlineError> {
        self.run(move |d| {
            Ok(d.kb_search(&query, limit, now)?
                .into_iter()
                .map(|h| KbHit {
                    item: h.item.into(),
                    score: h.score,
                })
                .collect())
        })
        .await
    }

    /// The current version of one item.
    pub async fn kb_item(&self, id: String) -> Result<Option<KbEntry>, HotlineError> {
        self.run(move |d| Ok(d.kb_item(&id)?.map(Into::into))).await
    }

    /// The current version of every item, of one unit or all.
    #[uniffi::method(default(unit = None))]
    pub async fn kb_items(&self, unit: Option<String>) -> Result<Vec<KbEntry>, HotlineError> {
        self.run(move |d| {
            let unit = unit.map(UnitId::new);
            Ok(d.kb_items(unit.as_ref())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    /// Every policy change the records held show, with its update and days late at `now`.
    pub async fn kb_duties(&self, now: Timestamp) -> Result<Vec<KbDuty>, HotlineError> {
        self.run(move |d| Ok(d.kb_duties(now)?.into_iter().map(Into::into).collect()))
            .await
    }

    /// 即时答复: the inquiry submitted and answered at once from version `version` of `item`.
    #[uniffi::method(default(who = None))]
    pub async fn answer_from_kb(
        &self,
        request: SubmitRequest,
        item: String,
        version: u32,
        now: Timestamp,
        who: Option<String>,
    ) -> Result<Submitted, HotlineError> {
        let submitted = self
            .run(move |d| {
                Ok(d.answer_from_kb(who.as_deref(), request.into(), &item, version, now)?)
            })
            .await?;
        self.changed(vec![submitted.order.clone()]).await;
        Ok(submitted)
    }

    /// The earlier orders this request repeats, most similar first (ask the citizen before
    /// submitting: add to an open one, or a repeat of a closed one).
    pub async fn intake_candidates(
        &self,
        request: SubmitRequest,
        now: Timestamp,
    ) -> Result<Vec<IntakeCandidate>, HotlineError> {
        self.run(move |d| {
            let r: hotline_core::device::SubmitRequest = request.into();
            Ok(
                d.intake_candidates(r.kind, &r.text, &r.location, now, &MatchWindow::default())?
                    .into_iter()
                    .map(Into::into)
                    .collect(),
            )
        })
        .await
    }

    /// `submit` with the citizen's answer to the duplicate offer: `order` must be one
    /// `intake_candidates` offers for this request with that relation.
    #[uniffi::method(default(who = None))]
    pub async fn submit_matched(
        &self,
        request: SubmitRequest,
        order: String,
        relation: MatchRelation,
        now: Timestamp,
        who: Option<String>,
    ) -> Result<Submitted, HotlineError> {
        let chosen = IntakeMatch {
            order: OrderId::new(order),
            relation,
        };
        let submitted = self
            .run(move |d| {
                Ok(d.submit_matched(who.as_deref(), request.into(), Some(chosen), now)?)
            })
            .await?;
        self.changed(vec![submitted.order.clone()]).await;
        Ok(submitted)
    }
}
