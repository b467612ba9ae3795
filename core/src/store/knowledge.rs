//! The knowledge base as a store keeps it: every signed record in the order taken (the log a
//! hub's devices pull after), the version of each item that counts, and the search index.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::kb::{KbChange, KbError, KbItem, KbRecord, SignedKb, VerifiedKb, terms};
use crate::model::UnitId;

/// What became of a record offered to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KbPut {
    /// Kept (and made current, if it is the item's newest version).
    New,
    /// The store held it already.
    AlreadyHad,
}

/// A record as logged here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedKb {
    pub seq: i64,
    pub signed: SignedKb,
    /// The peer it came from; `None` when made on this device.
    pub source: Option<String>,
}

/// A search hit: the item's current version and its BM25 relevance (higher is better).
#[derive(Debug, Clone, PartialEq)]
pub struct KbHit {
    pub item: KbItem,
    pub score: f64,
}

/// BM25 weights of the indexed columns: title, answer, other fields.
const TITLE_WEIGHT: f64 = 5.0;
const ANSWER_WEIGHT: f64 = 2.0;
const BODY_WEIGHT: f64 = 1.0;

impl Store {
    /// Keeps a verified record. An item belongs to the unit that first published it here
    /// (another unit's record for it is refused, `kb_owner_mismatch`), and a policy notice
    /// needs the item (`kb_item_unknown`). The current version is the highest (version,
    /// time, hash), so every store that holds the same records shows the same item.
    pub fn put_kb(
        &mut self,
        kb: &VerifiedKb,
        source: Option<&str>,
    ) -> Result<Result<KbPut, KbError>, StoreError> {
        let tx = self.conn.transaction()?;
        let held = tx
            .query_row(
                "SELECT 1 FROM kb_records WHERE hash = ?1",
                [&kb.hash],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if held {
            return Ok(Ok(KbPut::AlreadyHad));
        }
        let record = &kb.record;
        let current: Option<(String, i64, i64, String)> = tx
            .query_row(
                "SELECT unit, version, at, hash FROM kb_items WHERE item = ?1",
                [record.item_id()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        match &current {
            Some((owner, ..)) if owner != &record.unit().0 => {
                return Ok(Err(KbError::OwnerMismatch {
                    item: record.item_id().to_string(),
                    owner: UnitId::new(owner.clone()),
                    claimed: record.unit().clone(),
                }));
            }
            None if matches!(record.change, KbChange::PolicyChanged { .. }) => {
                return Ok(Err(KbError::Unknown {
                    item: record.item_id().to_string(),
                    version: None,
                }));
            }
            _ => {}
        }
        let at = record.at.timestamp_millis();
        tx.execute(
            "INSERT INTO kb_records (hash, item, version, unit, at, cert, signature, payload, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                kb.hash,
                record.item_id(),
                record.version(),
                record.unit().0,
                at,
                kb.signed.cert,
                kb.signed.signature,
                kb.signed.payload,
                source
            ],
        )?;
        if let KbChange::Publish { item } = &record.change {
            let newer = current.as_ref().is_none_or(|(_, v, t, h)| {
                (i64::from(item.version), at, kb.hash.as_str()) > (*v, *t, h.as_str())
            });
            if newer {
                let body = serde_json::to_string(item).map_err(|e| StoreError::InvalidInput {
                    reason: e.to_string(),
                })?;
                tx.execute(
                    "INSERT INTO kb_items (item, unit, version, at, hash, valid_from, valid_until, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (item) DO UPDATE SET version = excluded.version, at = excluded.at,
                       hash = excluded.hash, valid_from = excluded.valid_from,
                       valid_until = excluded.valid_until, body = excluded.body",
                    params![
                        item.id,
                        item.unit.0,
                        item.version,
                        at,
                        kb.hash,
                        item.valid_from.map(|d| d.to_string()),
                        item.valid_until.map(|d| d.to_string()),
                        body
                    ],
                )?;
                let id: i64 =
                    tx.query_row("SELECT id FROM kb_items WHERE item = ?1", [&item.id], |r| {
                        r.get(0)
                    })?;
                tx.execute("DELETE FROM kb_search WHERE rowid = ?1", [id])?;
                let fields: Vec<&str> = item.fields.labelled().iter().map(|f| f.3).collect();
                tx.execute(
                    "INSERT INTO kb_search (rowid, title, answer, body) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        id,
                        terms::index_text(&item.title),
                        terms::index_text(&item.answer),
                        terms::index_text(&fields.join(" "))
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(Ok(KbPut::New))
    }

    /// Records logged after `seq`, oldest first, at most `limit` and about `max_bytes` of
    /// payload (always at least one when any is left).
    pub fn kb_records_after(
        &self,
        seq: i64,
        limit: u32,
        max_bytes: usize,
    ) -> Result<Vec<LoggedKb>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, cert, signature, payload, source FROM kb_records
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![seq, limit], |r| {
            Ok(LoggedKb {
                seq: r.get(0)?,
                signed: SignedKb {
                    cert: r.get(1)?,
                    signature: r.get(2)?,
                    payload: r.get(3)?,
                },
                source: r.get(4)?,
            })
        })?;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        for row in rows {
            let row = row?;
            if !out.is_empty() && bytes + row.signed.payload.len() > max_bytes {
                break;
            }
            bytes += row.signed.payload.len();
            out.push(row);
        }
        Ok(out)
    }

    /// The newest position in the record log (0 when empty).
    pub fn kb_head(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM kb_records", [], |r| {
                r.get(0)
            })?)
    }

    /// The version of an item that counts.
    pub fn kb_item(&self, item: &str) -> Result<Option<KbItem>, StoreError> {
        let body: Option<String> = self
            .conn
            .query_row("SELECT body FROM kb_items WHERE item = ?1", [item], |r| {
                r.get(0)
            })
            .optional()?;
        body.map(|b| item_of(&b)).transpose()
    }

    /// One version of an item, as published (an answer names the version the citizen read).
    pub fn kb_item_version(&self, item: &str, version: u32) -> Result<Option<KbItem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT payload FROM kb_records WHERE item = ?1 AND version = ?2
             ORDER BY at DESC, hash DESC",
        )?;
        let mut rows = stmt.query(params![item, version])?;
        while let Some(row) = rows.next()? {
            let payload: Vec<u8> = row.get(0)?;
            if let KbChange::Publish { item } = record_of(&payload)?.change {
                return Ok(Some(*item));
            }
        }
        Ok(None)
    }

    /// The current version of every item, of one unit or all, by id.
    pub fn kb_items(&self, unit: Option<&UnitId>) -> Result<Vec<KbItem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM kb_items WHERE ?1 IS NULL OR unit = ?1 ORDER BY item",
        )?;
        let rows = stmt.query_map([unit.map(|u| u.0.as_str())], |r| r.get::<_, String>(0))?;
        rows.map(|b| item_of(&b?)).collect()
    }

    /// Every record held, in the order taken (the update duty reads them all).
    pub fn kb_records(&self) -> Result<Vec<KbRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT payload FROM kb_records ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|p| record_of(&p?)).collect()
    }

    /// Items that apply on `day`, best match first (BM25 over character pairs, the title
    /// weighing most). An empty or punctuation-only query finds nothing.
    pub fn kb_search(
        &self,
        query: &str,
        limit: u32,
        day: NaiveDate,
    ) -> Result<Vec<KbHit>, StoreError> {
        let Some(expression) = terms::match_expression(&terms::query_terms(query)) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.body, bm25(kb_search, ?4, ?5, ?6) AS rank
             FROM kb_search JOIN kb_items i ON i.id = kb_search.rowid
             WHERE kb_search MATCH ?1
               AND (i.valid_from IS NULL OR i.valid_from <= ?2)
               AND (i.valid_until IS NULL OR i.valid_until >= ?2)
             ORDER BY rank, i.item LIMIT ?3",
        )?;
        let rows = stmt.query_map(
            params![
                expression,
                day.to_string(),
                limit,
                TITLE_WEIGHT,
                ANSWER_WEIGHT,
                BODY_WEIGHT
            ],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)),
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (body, rank) = row?;
            out.push(KbHit {
                item: item_of(&body)?,
                score: -rank,
            });
        }
        Ok(out)
    }

    /// (sent_upto, received_upto) of the knowledge-base exchange with one hub.
    pub fn kb_peer(&self, peer: &str) -> Result<(i64, i64), StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT sent_upto, received_upto FROM kb_peers WHERE peer = ?1",
                [peer],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((0, 0)))
    }

    /// Moves the exchange with one hub forward (never back).
    pub fn set_kb_peer(
        &self,
        peer: &str,
        sent_upto: i64,
        received_upto: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO kb_peers (peer, sent_upto, received_upto) VALUES (?1, ?2, ?3)
             ON CONFLICT (peer) DO UPDATE SET sent_upto = MAX(sent_upto, excluded.sent_upto),
               received_upto = MAX(received_upto, excluded.received_upto)",
            params![peer, sent_upto, received_upto],
        )?;
        Ok(())
    }
}

/// One order's row of the duplicate check, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIntakeRow {
    pub order: String,
    pub address: String,
    pub submitted_at: i64,
    pub closed: bool,
    pub status: String,
    pub fingerprint: Vec<u8>,
}

impl Store {
    /// The orders of one kind in one division submitted at or after `since_ms`, newest first
    /// (the duplicate check compares texts and addresses on these).
    pub fn intake_rows_near(
        &self,
        kind: &str,
        division: &str,
        since_ms: i64,
    ) -> Result<Vec<StoredIntakeRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT order_id, address, submitted_at, closed, status, fingerprint
             FROM intake_matches WHERE kind = ?1 AND division = ?2 AND submitted_at >= ?3
             ORDER BY submitted_at DESC",
        )?;
        let rows = stmt.query_map(params![kind, division, since_ms], |r| {
            Ok(StoredIntakeRow {
                order: r.get(0)?,
                address: r.get(1)?,
                submitted_at: r.get(2)?,
                closed: r.get(3)?,
                status: r.get(4)?,
                fingerprint: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn item_of(body: &str) -> Result<KbItem, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        detail: format!("knowledge-base item: {e}"),
    })
}

fn record_of(payload: &[u8]) -> Result<KbRecord, StoreError> {
    serde_json::from_slice(payload).map_err(|e| StoreError::Corrupt {
        detail: format!("knowledge-base record: {e}"),
    })
}
