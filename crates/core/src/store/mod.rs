//! The store: the library's index, the judgement log and the caches, on SQLite (one file per
//! app: WAL mode, `synchronous=FULL`; [`Store::open`]) or on PostgreSQL (a team server:
//! [`Store::connect`]), each brought up to date with its dialect's migrations
//! ([`migrations`]). One text of SQL serves both ([`backend`]). It reads and writes rows of
//! core's own types and of the domain's words; it knows nothing of the library's files on disk,
//! the models or the pages.

mod accounts;
pub(crate) mod backend;
mod changes;
mod embeddings;
mod files;
mod gallery;
mod imports;
mod judgements;
mod lead;
mod leases;
mod log_insert;
pub mod migrations;
mod personal;
mod ranking;
mod ratings;
mod roots;
mod rows;
mod scores;
mod similarity;
mod snapshot;

pub use crate::domain::{FileRecord, Outcome};
pub use accounts::{AccountLine, DeviceAccount, Revoked};
pub use changes::{Change, Changed};
pub use embeddings::EmbeddingRows;
pub use files::{Counts, KnownFile};
pub(crate) use gallery::index_of;
pub use gallery::{GalleryBase, GalleryJudged, JudgedRows};
pub use imports::{ImportBatch, ImportCounts, ImportJudgement, ImportRater};
pub use judgements::NewJudgement;
pub use lead::Lead;
pub use leases::{ClaimOutcome, Holders};
pub use personal::PersonalRating;
pub use ranking::RankingLog;
pub use ratings::{CurrentScore, LoggedComparison, RatedImage, Ratings};
pub use rows::{Folder, GroupMember, Library, NamedImage, SizedImage, TileRow, UnshownFile};
pub use scores::{
    default_rater_name, progress_of, queue_of, window_of, ScoreOrder, ScoreSummary, TeamView,
    Windowed,
};

use crate::Result;
use backend::{Pool, Tx};
use sqlx::sqlite::SqliteSynchronous;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use std::path::Path;

/// Handle to the database. Cheap to clone (it is a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// On SQLite, a second small pool on the same file whose commits do not wait for the disk
    /// ([`Store::write_soft`]).
    soft: Option<sqlx::SqlitePool>,
    /// On SQLite, this process's writers' queue: one at a time asks SQLite for the file's
    /// write lock, the others wait here in order, holding no connection.
    writers: std::sync::Arc<tokio::sync::Mutex<()>>,
    changes: std::sync::Arc<changes::Changes>,
}

/// Whether a pooled SQLite connection may be used again: not when its transaction could not
/// be ended (on a full disk SQLite rolls a failed transaction back by itself, sqlx's own
/// ROLLBACK then fails, and the connection would stay "in a transaction" for good: every later
/// write refused with "non-zero transaction depth" until a restart). A fresh one comes instead.
fn reusable(conn: &mut sqlx::SqliteConnection) -> bool {
    use sqlx::TransactionManager;
    <sqlx::Sqlite as sqlx::Database>::TransactionManager::get_transaction_depth(conn) == 0
}

/// How many pages a transaction may change before SQLite writes them to the log mid-transaction
/// (`cache_spill`; 64 MiB of 4 KiB pages). By default it does so once the 2 MiB page cache is
/// full, and one of indexing's transactions in a large library changes more (the images' hash
/// index takes writes all over): pages went to the log and were read back and written again.
/// Pages are only held while a transaction changes them; the cache of clean pages keeps
/// SQLite's size.
const SPILL_PAGES: &str = "16384";

impl Store {
    /// Opens (creating if needed) the database file at `path` and brings it up to date.
    pub async fn open(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL never corrupts, but a power loss could drop the last commits;
            // FULL makes every acknowledged write durable.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .pragma("cache_spill", SPILL_PAGES);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .after_release(|conn, _| Box::pin(async move { Ok(reusable(conn)) }))
            .connect_with(options.clone())
            .await?;
        let prepared = match migrations::refuse_newer(&pool, path).await {
            Ok(()) => migrations::migrator().run(&pool).await.map_err(Into::into),
            Err(e) => Err(e),
        };
        if let Err(e) = prepared {
            // Closed before answering: a refused database is left as it was found, without
            // the WAL files an open connection keeps beside it.
            pool.close().await;
            return Err(e);
        }
        // NORMAL in WAL mode never corrupts; only the last commits may go in a power loss.
        let soft = SqlitePoolOptions::new()
            .max_connections(2)
            .after_release(|conn, _| Box::pin(async move { Ok(reusable(conn)) }))
            .connect_with(options.synchronous(SqliteSynchronous::Normal))
            .await?;
        Ok(Self {
            writers: Default::default(),
            soft: Some(soft),
            pool: Pool::Sqlite(pool),
            changes: std::sync::Arc::new(changes::Changes::new()),
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://…`) and brings it up to date.
    /// A database whose schema is newer than this build's is refused, untouched.
    /// A server that cannot be reached, or that refuses the connection, is a
    /// [`CoreError::DatabaseServer`] naming host and reason; nothing is created anywhere.
    pub async fn connect(url: &str) -> Result<Self> {
        let unreachable = |reason: String| crate::CoreError::DatabaseServer {
            place: migrations::without_password(url),
            reason,
        };
        let options: sqlx::postgres::PgConnectOptions = url
            .parse()
            .map_err(|e| unreachable(format!("the address is not valid ({e})")))?;
        let place = server_place(&options);
        // One connection first, for the reason when it fails: the pool would retry until its
        // timeout and then say only that it timed out.
        let first = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            <sqlx::PgConnection as sqlx::Connection>::connect_with(&options),
        )
        .await;
        match first {
            Ok(Ok(connection)) => {
                let _ = sqlx::Connection::close(connection).await;
            }
            Ok(Err(e)) => {
                return Err(crate::CoreError::DatabaseServer {
                    place,
                    reason: connect_reason(&e),
                })
            }
            Err(_) => {
                return Err(crate::CoreError::DatabaseServer {
                    place,
                    reason: "no answer within 10 seconds".into(),
                })
            }
        }
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| crate::CoreError::DatabaseServer {
                place: place.clone(),
                reason: connect_reason(&e),
            })?;
        let prepared = match migrations::refuse_newer_postgres(&pool, url).await {
            Ok(()) => migrations::postgres_migrator()
                .run(&pool)
                .await
                .map_err(Into::into),
            Err(e) => Err(e),
        };
        if let Err(e) = prepared {
            pool.close().await;
            return Err(e);
        }
        Ok(Self {
            writers: Default::default(),
            soft: None,
            pool: Pool::Postgres(pool),
            changes: std::sync::Arc::new(changes::Changes::new()),
        })
    }

    /// Opens the database at `place`: a `postgres://` (or `postgresql://`) address, else a
    /// SQLite file's path.
    pub async fn open_place(place: &str) -> Result<Self> {
        if is_postgres_url(place) {
            Self::connect(place).await
        } else {
            Self::open(Path::new(place)).await
        }
    }

    /// Whether this store is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// Waits for every connection to finish and closes the database.
    pub async fn close(self) {
        if let Some(soft) = self.soft {
            soft.close().await;
        }
        match self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// The underlying pool, for modules of this crate ([`backend::on_pool`]).
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// A write transaction. On SQLite it holds the file's write lock from its start (`BEGIN
    /// IMMEDIATE`): a transaction that read first and wrote later would fail with "database is
    /// locked" when another connection committed in between (its snapshot is then stale and
    /// waiting cannot help); this one waits for the other writer instead. This process's
    /// writers take turns before they ask SQLite (`writers`): SQLite's own wait polls
    /// with growing sleeps, so under many writers each would wait tens of milliseconds, and
    /// would hold a pooled connection that reads need meanwhile.
    pub(crate) async fn write(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => self.sqlite_write(pool).await?,
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// `BEGIN IMMEDIATE` on `pool` (the store's or the soft one), in this process's turn.
    async fn sqlite_write(&self, pool: &sqlx::SqlitePool) -> Result<Tx> {
        let turn = self.writers.clone().lock_owned().await;
        Ok(Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, turn))
    }

    /// A write transaction whose commit does not wait for the disk, for what costs nothing if
    /// a crash loses it (the team queue's reservations, which run out by themselves anyway):
    /// it is as atomic and as ordered with the other writes as [`Store::write`]'s, but does not
    /// queue for an fsync behind the judgements. On SQLite it comes from the second pool
    /// (`synchronous=NORMAL`), on PostgreSQL it sets `synchronous_commit` off for itself.
    pub(crate) async fn write_soft(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                self.sqlite_write(self.soft.as_ref().unwrap_or(pool))
                    .await?
            }
            Pool::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN; SET LOCAL synchronous_commit TO OFF")
                    .await?,
            ),
        })
    }
}

/// Where a PostgreSQL connection goes, for messages: `host:port/database`, or the socket
/// folder's, never the password.
fn server_place(options: &sqlx::postgres::PgConnectOptions) -> String {
    let database = options.get_database().unwrap_or("(the user's)");
    match options.get_socket() {
        Some(socket) => format!("the socket in {} (database {database})", socket.display()),
        None => format!(
            "{}:{} (database {database})",
            options.get_host(),
            options.get_port()
        ),
    }
}

/// Why a connection could not be made, in the words of the network or of the server.
fn connect_reason(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Io(e) => e.to_string(),
        sqlx::Error::Database(e) => e.message().to_owned(),
        sqlx::Error::PoolTimedOut => "no answer within 10 seconds".to_owned(),
        sqlx::Error::Tls(e) => format!("TLS failed: {e}"),
        other => other.to_string(),
    }
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` values (both backends).
pub(crate) fn placeholders(n: usize) -> String {
    placeholders_from(1, n)
}

/// `$first, …`: the placeholders of an `IN (…)` list of `n` values after `first - 1` others.
pub(crate) fn placeholders_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `place` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(place: &str) -> bool {
    place.starts_with("postgres://") || place.starts_with("postgresql://")
}
