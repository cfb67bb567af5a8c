//! Bulk reads in one snapshot of the database, whichever backend: the gallery's scans, the
//! exports' ratings, the embeddings. On SQLite they run on a read-only rusqlite connection of
//! their own (which hands each row over where SQLite holds it, where sqlx would copy every row
//! through its worker's channel); on PostgreSQL in a read-only, repeatable-read transaction.
//! Either way they run on a blocking thread, see what was committed when they start, and let
//! writers go on meanwhile. The SQL is one text for both, its rows read through [`Row`].

use super::backend::Pool;
use super::Store;
use crate::{CoreError, Result};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::Row as _;

/// One row of a bulk read, by column position.
pub(crate) trait Row {
    /// An integer.
    fn int(&self, i: usize) -> Result<i64>;
    /// A floating-point number.
    fn real(&self, i: usize) -> Result<f64>;
    /// Text, borrowed from the row.
    fn text(&self, i: usize) -> Result<&str>;
    /// Text or NULL.
    fn text_opt(&self, i: usize) -> Result<Option<&str>>;
    /// A truth value (SQLite's 0/1, PostgreSQL's boolean).
    fn flag(&self, i: usize) -> Result<bool>;
    /// Bytes, borrowed from the row.
    fn blob(&self, i: usize) -> Result<&[u8]>;
}

impl Row for rusqlite::Row<'_> {
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.get(i)?)
    }
    fn real(&self, i: usize) -> Result<f64> {
        Ok(self.get(i)?)
    }
    fn text(&self, i: usize) -> Result<&str> {
        self.get_ref(i)?.as_str().map_err(|e| conversion(i, e))
    }
    fn text_opt(&self, i: usize) -> Result<Option<&str>> {
        self.get_ref(i)?
            .as_str_or_null()
            .map_err(|e| conversion(i, e))
    }
    fn flag(&self, i: usize) -> Result<bool> {
        Ok(self.get(i)?)
    }
    fn blob(&self, i: usize) -> Result<&[u8]> {
        self.get_ref(i)?.as_blob().map_err(|e| conversion(i, e))
    }
}

/// rusqlite's error for a column of another type than the one asked for.
fn conversion(column: usize, e: rusqlite::types::FromSqlError) -> CoreError {
    CoreError::BulkRead(rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Null,
        Box::new(e),
    ))
}

impl Row for PgRow {
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.try_get(i)?)
    }
    fn real(&self, i: usize) -> Result<f64> {
        Ok(self.try_get(i)?)
    }
    fn text(&self, i: usize) -> Result<&str> {
        Ok(self.try_get(i)?)
    }
    fn text_opt(&self, i: usize) -> Result<Option<&str>> {
        Ok(self.try_get(i)?)
    }
    fn flag(&self, i: usize) -> Result<bool> {
        Ok(self.try_get(i)?)
    }
    fn blob(&self, i: usize) -> Result<&[u8]> {
        Ok(self.try_get(i)?)
    }
}

/// The connection a bulk read runs on.
pub(crate) enum Snapshot<'a> {
    /// A read transaction on a read-only SQLite connection.
    Sqlite(&'a rusqlite::Transaction<'a>),
    /// A read-only transaction on a PostgreSQL connection, driven from a blocking thread.
    Postgres {
        /// The connection, in its transaction.
        conn: &'a mut PgConnection,
        /// The runtime its futures run on.
        handle: &'a tokio::runtime::Handle,
    },
}

impl Snapshot<'_> {
    /// Runs `sql` with the integer parameters `params` (`$1`, `$2`, …), handing every row to
    /// `each` in the order the query gives them.
    pub(crate) fn each(
        &mut self,
        sql: &str,
        params: &[i64],
        mut each: impl FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        match self {
            Snapshot::Sqlite(db) => {
                let mut query = db.prepare_cached(sql)?;
                let mut rows = query.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(row) = rows.next()? {
                    each(row)?;
                }
                Ok(())
            }
            Snapshot::Postgres { conn, handle } => handle.block_on(async {
                let mut query = sqlx::query(sql);
                for p in params {
                    query = query.bind(*p);
                }
                let mut rows = query.fetch(&mut **conn);
                while let Some(row) = rows.try_next().await? {
                    each(&row)?;
                }
                Ok(())
            }),
        }
    }
}

impl Store {
    /// Runs `read` in one snapshot of the database on a blocking thread (see the module).
    pub(crate) async fn read_snapshot<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut Snapshot) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let joined = match self.pool() {
            Pool::Sqlite(_) => {
                let path = self.file_path().await?;
                tokio::task::spawn_blocking(move || {
                    let mut db = open_read_only(&path)?;
                    let tx = db.transaction()?;
                    let out = read(&mut Snapshot::Sqlite(&tx))?;
                    tx.finish()?;
                    Ok(out)
                })
                .await
            }
            Pool::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *conn)
                    .await?;
                let handle = tokio::runtime::Handle::current();
                let (out, mut conn) = tokio::task::spawn_blocking(move || {
                    let out = read(&mut Snapshot::Postgres {
                        conn: &mut conn,
                        handle: &handle,
                    });
                    (out, conn)
                })
                .await
                .map_err(|e| CoreError::Internal(format!("reading the database: {e}")))?;
                sqlx::query("COMMIT").execute(&mut *conn).await?;
                return out;
            }
        };
        joined.map_err(|e| CoreError::Internal(format!("reading the database: {e}")))?
    }

    /// The SQLite database file's path (a bulk read opens it again, read-only); an error on
    /// PostgreSQL.
    pub async fn file_path(&self) -> Result<String> {
        let Pool::Sqlite(pool) = self.pool() else {
            return Err(CoreError::Internal(
                "a PostgreSQL store has no database file".into(),
            ));
        };
        Ok(
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(pool)
                .await?,
        )
    }
}

/// A read-only connection to the SQLite database at `path` that waits up to 5 s for a writer.
pub(crate) fn open_read_only(path: &str) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let db = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(db)
}
