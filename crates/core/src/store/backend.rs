//! The two databases the store runs on: a SQLite file (one person on one machine, the default)
//! or PostgreSQL (a team server, several processes on one database). Every query is one text of
//! SQL written for both (`$1` placeholders, `TRUE`/`FALSE`, functions both have), run through
//! [`on_pool!`] or [`on_tx!`], which type it for the backend at hand: the domain logic is never
//! written twice, only the migrations are (in each dialect). The one exception: statements of
//! hundreds of parameters (indexing's batches) take SQLite's anonymous `?` (see
//! `store::files`).

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{Postgres, Sqlite, Transaction};

/// The store's connections.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    /// A SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

/// A write transaction on either backend.
pub(crate) enum Tx {
    /// On SQLite: `BEGIN IMMEDIATE`, holding the file's write lock from its start, and this
    /// process's turn to write ([`Store::write`](super::Store::write)).
    Sqlite(
        Transaction<'static, Sqlite>,
        tokio::sync::OwnedMutexGuard<()>,
    ),
    /// On PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// Commits the transaction.
    pub(crate) async fn commit(self) -> crate::Result<()> {
        match self {
            Tx::Sqlite(tx, _turn) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Runs `$body` with `$pool` bound to the store's pool, whichever backend it is; `$body` is
/// compiled once per backend, so its SQL and its types must suit both.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store.pool() {
            $crate::store::backend::Pool::Sqlite($pool) => $body,
            $crate::store::backend::Pool::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction `$tx` (a `&mut Tx`), whichever backend
/// it is (use `&mut **$conn` as the executor).
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::store::backend::Tx::Sqlite($conn, _) => $body,
            $crate::store::backend::Tx::Postgres($conn) => $body,
        }
    };
}

pub(crate) use {on_pool, on_tx};
