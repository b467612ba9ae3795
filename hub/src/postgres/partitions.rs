//! The pull partitions on PostgreSQL, kept as the SQLite store keeps them (see
//! `hotline_core::store::order_scopes` for what the scopes are): written with each order's index
//! row in the ingest's transaction, grown by a peer that holds an order outside its role's
//! scopes, and built once for a database made before they existed (migration 3) or copied from
//! SQLite.

use hotline_core::model::OrderId;
use hotline_core::store::{IndexRow, PEER_SCOPE, StoreError, order_scopes};
use postgres::GenericClient;
use postgres::types::Json;

use super::db;

/// Orders read per step while building.
const BUILD_BATCH: i64 = 1_000;

/// Adds the scopes `row` puts its order in, then lists `seqs` (changes of the order just
/// written) under every scope of the order. Inside the ingest's transaction, which holds the
/// order's lock.
pub fn record(c: &mut impl GenericClient, row: &IndexRow, seqs: &[i64]) -> Result<(), StoreError> {
    add_scopes(c, &row.order, &order_scopes(row))?;
    if !seqs.is_empty() {
        c.execute(
            "INSERT INTO scope_log (scope, seq)
             SELECT s.scope, q.seq FROM order_scopes s, unnest($2::bigint[]) AS q(seq)
             WHERE s.order_id = $1 ON CONFLICT DO NOTHING",
            &[&row.order.0, &seqs],
        )
        .map_err(db)?;
    }
    Ok(())
}

/// Puts `order` in `scopes` (those it is in already stay).
pub fn add_scopes(
    c: &mut impl GenericClient,
    order: &OrderId,
    scopes: &[String],
) -> Result<(), StoreError> {
    if scopes.is_empty() {
        return Ok(());
    }
    c.execute(
        "INSERT INTO order_scopes (order_id, scope) SELECT $1, unnest($2::text[])
         ON CONFLICT DO NOTHING",
        &[&order.0, &scopes],
    )
    .map_err(db)?;
    Ok(())
}

/// Builds the partitions for everything stored: each order under the scopes of its index row,
/// under its holders' own scopes, each change under its order's scopes. Idempotent; the
/// caller's transaction.
pub fn build(c: &mut impl GenericClient) -> Result<(), StoreError> {
    let mut after = String::new();
    loop {
        let rows = c
            .query(
                "SELECT order_id, row FROM orders WHERE order_id > $1 ORDER BY order_id LIMIT $2",
                &[&after, &BUILD_BATCH],
            )
            .map_err(db)?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.get(0);
        for r in &rows {
            let row: Json<IndexRow> = r.try_get(1).map_err(|e| StoreError::Corrupt {
                detail: format!("an index row does not read back: {e}"),
            })?;
            add_scopes(c, &row.0.order, &order_scopes(&row.0))?;
        }
    }
    c.execute(
        "INSERT INTO order_scopes (order_id, scope)
         SELECT order_id, $1 || peer FROM peer_orders ON CONFLICT DO NOTHING",
        &[&PEER_SCOPE],
    )
    .map_err(db)?;
    c.execute(
        "INSERT INTO scope_log (scope, seq)
         SELECT s.scope, c.seq FROM order_scopes s JOIN changes c USING (order_id)
         ON CONFLICT DO NOTHING",
        &[],
    )
    .map_err(db)?;
    Ok(())
}
