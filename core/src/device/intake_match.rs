//! Duplicates and repeats at intake: before a request is submitted, the device looks among the
//! orders it holds (a kiosk: the non-personal fields it kept of its own submissions) for the same
//! kind of matter at the same place with a similar text — an open one is offered as "already
//! reported, add to it?", a closed one as a repeat with no new facts (not accepted, reason 7).
//! Offline, from the `intake_matches` table alone: no document is loaded.

use serde::Serialize;

use super::*;
use crate::center::similarity::{ClusterConfig, Fingerprint, Place};
use crate::kb::KbError;
use crate::model::{IntakeMatch, Location, MatchRelation, RequestKind};

/// How far back the check looks, and how alike two requests must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchWindow {
    /// Open orders submitted this many days back or less.
    pub open_days: u32,
    /// Closed orders submitted this many days back or less (a repeat of an old matter is a
    /// new request).
    pub closed_days: u32,
    /// Text and address thresholds: the center's clustering ones, so the intake offers what
    /// the center would count as one matter.
    pub similarity: ClusterConfig,
    /// Most candidates offered.
    pub max_offered: usize,
}

impl Default for MatchWindow {
    fn default() -> Self {
        MatchWindow {
            open_days: 60,
            closed_days: 90,
            similarity: ClusterConfig::default(),
            max_offered: 3,
        }
    }
}

/// An earlier order offered as the same matter. Nothing of its text or its citizen: only what
/// tells the citizen which matter it is and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchCandidate {
    pub order: OrderId,
    pub relation: MatchRelation,
    pub status: crate::workflow::Status,
    pub submitted_at: Timestamp,
    pub similarity: f64,
}

impl Device {
    /// The earlier orders this request repeats, most similar first: open ones to join
    /// (`Joins`), closed ones as repeats (`Repeats`).
    pub fn intake_candidates(
        &self,
        kind: RequestKind,
        text: &str,
        location: &Location,
        now: Timestamp,
        window: &MatchWindow,
    ) -> Result<Vec<MatchCandidate>, DeviceError> {
        let mine = Fingerprint::of(text, &location.address);
        if mine.is_empty() {
            return Ok(Vec::new());
        }
        let days = |d: u32| chrono::Duration::days(i64::from(d));
        let since = now - days(window.open_days.max(window.closed_days));
        let rows = self.store.intake_rows_near(
            kind.as_str(),
            location.division_code.as_deref().unwrap_or(""),
            since.timestamp_millis(),
        )?;
        let here = Place::of(&location.address);
        let mut out = Vec::new();
        for row in rows {
            let (Some(submitted_at), Some(status)) = (
                chrono::DateTime::from_timestamp_millis(row.submitted_at),
                crate::workflow::Status::parse(&row.status),
            ) else {
                continue;
            };
            let limit = if row.closed {
                window.closed_days
            } else {
                window.open_days
            };
            if submitted_at < now - days(limit)
                || matches!(
                    status,
                    crate::workflow::Status::Merged | crate::workflow::Status::Split
                )
            {
                continue;
            }
            // The text first (a merge of sorted hashes); the address only for a text that matches.
            let Some(similarity) = Fingerprint::from_bytes(&row.fingerprint)
                .and_then(|theirs| mine.same_matter(&theirs, window.similarity.text_threshold))
            else {
                continue;
            };
            if !here.same_as(&row.address, &window.similarity) {
                continue;
            }
            out.push(MatchCandidate {
                order: OrderId::new(row.order),
                relation: if row.closed {
                    MatchRelation::Repeats
                } else {
                    MatchRelation::Joins
                },
                status,
                submitted_at,
                similarity,
            });
        }
        out.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.order.cmp(&b.order))
        });
        out.truncate(window.max_offered);
        Ok(out)
    }

    /// [`Device::submit`] with the citizen's answer to the duplicate offer: the order named
    /// must be one the check offers for this request, with that relation
    /// (`intake_match_not_offered` otherwise). An intake agent's repeat is closed at once as
    /// not accepted, reason 7, linked to the earlier order; a kiosk's waits for the center.
    pub fn submit_matched(
        &mut self,
        who: Option<&str>,
        req: SubmitRequest,
        chosen: Option<IntakeMatch>,
        now: Timestamp,
    ) -> Result<Submitted, DeviceError> {
        let Some(chosen) = chosen else {
            return self.submit(who, req, now);
        };
        let offered = self.intake_candidates(
            req.kind,
            &req.text,
            &req.location,
            now,
            &MatchWindow::default(),
        )?;
        if !offered
            .iter()
            .any(|c| c.order == chosen.order && c.relation == chosen.relation)
        {
            return Err(KbError::MatchNotOffered(chosen.order.0).into());
        }
        let role = self.identity(who)?.certificate.body.role;
        // Closed at once where the agent may and the jurisdiction uses ground 7; otherwise the
        // center decides on the flagged request (a kiosk never turns a citizen away).
        let reason = crate::model::NotAcceptedReason::RepeatWithoutNewFacts;
        let close_now = chosen.relation == MatchRelation::Repeats
            && crate::workflow::allowed_roles(&Action::NotAccept {
                reason,
                basis: String::new(),
                earlier_order: None,
                stated_reason: None,
            })
            .contains(&role)
            && self
                .policy
                .not_accepted_reasons
                .as_ref()
                .is_none_or(|list| list.contains(&reason));
        let submitted = self.submit_with_match(who, req, Some(chosen.clone()), now)?;
        if close_now {
            self.act(
                who,
                &submitted.order,
                Action::NotAccept {
                    reason,
                    basis:
                        "同一事项已办结，无新情况、新理由 / the same matter was closed; nothing new"
                            .to_string(),
                    earlier_order: Some(chosen.order),
                    stated_reason: None,
                },
                now,
            )?;
        }
        Ok(submitted)
    }
}
