//! The live event feed's read side (the city platform's subscribers): every change a person
//! may see after a log position, in log order — so in order per order —, from the same pull
//! partitions a sync reads. A change that brings an order into the person's scopes (a dispatch
//! to their unit) comes after the order's earlier changes, which they could not see before:
//! a subscriber receives every event of the orders it may see, each once per cursor pass.
//!
//! Delivery is at least once: an entry's id is its change's hash, stable however often it is
//! sent; the cursor is the log position read up to, so a subscriber that resumes from the last
//! cursor it stored receives nothing twice but what that page already held.

use super::SyncError;
use super::partitions::PullScope;
use super::pull::next_batch;
use super::server::may_see;
use super::storage::HubReads;
use crate::identity::Certificate;
use crate::store::StoredChange;

/// Entries one page carries at most (an order's history entering at once may add to it).
pub const MAX_FEED_PAGE: usize = 500;

/// Batches of the log one page reads at most before answering (a unit's subscriber skipping
/// much of the city's log gets a moved cursor rather than a long wait).
const MAX_BATCHES: usize = 8;

/// One change delivered: its position in the log (the order's entry position for history
/// sent when the order entered the person's scopes) and the change.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub seq: i64,
    pub change: StoredChange,
}

/// A page of the feed and the cursor to ask from next.
#[derive(Debug, Clone, Default)]
pub struct FeedPage {
    pub entries: Vec<FeedEntry>,
    pub cursor: i64,
}

/// What `cert` may see after position `after`, at most about `limit` entries.
pub fn feed_page(
    reads: &mut dyn HubReads,
    cert: &Certificate,
    after: i64,
    limit: usize,
) -> Result<FeedPage, SyncError> {
    let limit = limit.clamp(1, MAX_FEED_PAGE);
    let scope = PullScope::of(cert);
    let head = reads.log_head()?;
    let mut page = FeedPage {
        entries: Vec::new(),
        cursor: after,
    };
    let scopes = match &scope {
        PullScope::Nothing => {
            page.cursor = after.max(head);
            return Ok(page);
        }
        PullScope::Scopes { scopes, .. } => Some(scopes.clone()),
        PullScope::Everything { .. } => None,
    };
    let check = scope.needs_check();
    for _ in 0..MAX_BATCHES {
        let batch = next_batch(reads, &scope, page.cursor, head)?;
        if batch.is_empty() {
            if scopes.is_some() {
                page.cursor = page.cursor.max(head);
            }
            return Ok(page);
        }
        for lc in batch {
            if page.entries.len() >= limit {
                return Ok(page);
            }
            page.cursor = lc.seq;
            let order = lc.change.order.clone();
            if check && !may_see(reads, cert, &order)? {
                continue;
            }
            let entered = match &scopes {
                Some(s) => !reads.order_listed_before(&order, s, lc.seq)?,
                None => false,
            };
            if entered {
                for earlier in reads.changes_for(&order)? {
                    if earlier.hash == lc.change.hash {
                        break;
                    }
                    page.entries.push(FeedEntry {
                        seq: lc.seq,
                        change: earlier,
                    });
                }
            }
            page.entries.push(FeedEntry {
                seq: lc.seq,
                change: lc.change,
            });
        }
    }
    Ok(page)
}
