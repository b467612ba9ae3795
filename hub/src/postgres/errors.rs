//! PostgreSQL failures as the store's typed errors: a lost or refused connection (and a server
//! shutting down or not yet accepting) is `store_unavailable` — retryable, nothing committed —
//! anything else `store_database`.

use hotline_core::store::StoreError;
use postgres::error::SqlState;

pub fn db(e: postgres::Error) -> StoreError {
    let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
    let retryable = e.is_closed()
        || io
        || match e.code() {
            // Not the server's answer: a value that does not convert, say — a bug, not a
            // passing outage.
            None => false,
            Some(c) => {
                c.code().starts_with("08") // connection exceptions
                    || [
                        SqlState::ADMIN_SHUTDOWN,
                        SqlState::CRASH_SHUTDOWN,
                        SqlState::CANNOT_CONNECT_NOW,
                        SqlState::TOO_MANY_CONNECTIONS,
                        SqlState::T_R_SERIALIZATION_FAILURE,
                        SqlState::T_R_DEADLOCK_DETECTED,
                        SqlState::QUERY_CANCELED,
                    ]
                    .contains(c)
            }
        };
    let detail = e.to_string();
    if retryable {
        StoreError::Unavailable { detail }
    } else {
        StoreError::Database { message: detail }
    }
}

/// No connection could be had from the pool in time.
pub fn pool(e: r2d2_postgres::r2d2::Error) -> StoreError {
    StoreError::Unavailable {
        detail: e.to_string(),
    }
}
