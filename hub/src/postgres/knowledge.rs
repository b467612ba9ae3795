//! The knowledge base on PostgreSQL: the signed records in a log devices pull by position (the
//! same rule as the change log: positions are drawn under the log lock, so they become visible
//! in the order drawn), and each item's owning unit.

use hotline_core::kb::{KbChange, KbError, SignedKb, VerifiedKb};
use hotline_core::model::UnitId;
use hotline_core::store::{KbPut, LoggedKb, StoreError};

use super::{PgSession, db};

impl PgSession<'_> {
    /// [`hotline_core::sync::HubStorage::ingest_kb`]: one transaction, under the log lock.
    pub(super) fn ingest_kb_pg(
        &mut self,
        records: &[VerifiedKb],
        peer: &str,
    ) -> Result<Vec<Result<KbPut, KbError>>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.conn.transaction().map_err(db)?;
        let (a, b) = super::ingest::LOG_LOCK;
        tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&a, &b])
            .map_err(db)?;
        let mut out = Vec::with_capacity(records.len());
        for kb in records {
            let held = tx
                .query_opt("SELECT 1 FROM kb_log WHERE hash = $1", &[&kb.hash])
                .map_err(db)?
                .is_some();
            if held {
                out.push(Ok(KbPut::AlreadyHad));
                continue;
            }
            let record = &kb.record;
            let owner: Option<String> = tx
                .query_opt(
                    "SELECT unit FROM kb_owners WHERE item = $1",
                    &[&record.item_id()],
                )
                .map_err(db)?
                .map(|r| r.get(0));
            match owner {
                Some(owner) if owner != record.unit().0 => {
                    out.push(Err(KbError::OwnerMismatch {
                        item: record.item_id().to_string(),
                        owner: UnitId::new(owner),
                        claimed: record.unit().clone(),
                    }));
                    continue;
                }
                None if matches!(record.change, KbChange::PolicyChanged { .. }) => {
                    out.push(Err(KbError::Unknown {
                        item: record.item_id().to_string(),
                        version: None,
                    }));
                    continue;
                }
                None => {
                    tx.execute(
                        "INSERT INTO kb_owners (item, unit) VALUES ($1, $2)",
                        &[&record.item_id(), &record.unit().0],
                    )
                    .map_err(db)?;
                }
                Some(_) => {}
            }
            let version = record.version().map(i64::from);
            tx.execute(
                "INSERT INTO kb_log (hash, item, version, unit, at, cert, signature, payload, source)
                 VALUES ($1, $2, $3::BIGINT::INTEGER, $4, $5, $6, $7, $8, $9)",
                &[
                    &kb.hash,
                    &record.item_id(),
                    &version,
                    &record.unit().0,
                    &record.at.timestamp_millis(),
                    &kb.signed.cert,
                    &kb.signed.signature,
                    &kb.signed.payload,
                    &peer,
                ],
            )
            .map_err(db)?;
            out.push(Ok(KbPut::New));
        }
        tx.commit().map_err(db)?;
        Ok(out)
    }

    pub(super) fn kb_after_pg(
        &mut self,
        seq: i64,
        max_bytes: usize,
    ) -> Result<Vec<LoggedKb>, StoreError> {
        let rows = self
            .conn
            .query(
                "SELECT seq, cert, signature, payload, source FROM kb_log WHERE seq > $1
                 ORDER BY seq LIMIT 512",
                &[&seq],
            )
            .map_err(db)?;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        for r in rows {
            let signed = SignedKb {
                cert: r.get(1),
                signature: r.get(2),
                payload: r.get(3),
            };
            if !out.is_empty() && bytes + signed.payload.len() > max_bytes {
                break;
            }
            bytes += signed.payload.len();
            out.push(LoggedKb {
                seq: r.get(0),
                signed,
                source: r.get(4),
            });
        }
        Ok(out)
    }
}

/// Whether a version of an item is in the log (an instant answer at the hub names one).
pub(super) fn version_held(
    client: &mut impl postgres::GenericClient,
    item: &str,
    version: u32,
) -> Result<bool, StoreError> {
    // An answer may name any number; none past the column's range was ever published.
    if version > hotline_core::kb::MAX_KB_VERSION {
        return Ok(false);
    }
    Ok(client
        .query_opt(
            "SELECT 1 FROM kb_log WHERE item = $1 AND version = $2::BIGINT::INTEGER",
            &[&item, &i64::from(version)],
        )
        .map_err(db)?
        .is_some())
}
