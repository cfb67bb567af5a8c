//! The SQLite store: one database per app (WAL mode, `synchronous=FULL`), opened by core
//! (`app::database` for the app, [`Store::open`] for tests and tools) with the migrations of
//! [`migrations::MIGRATIONS`]. It reads and writes rows of core's own types and of the domain's
//! words; it knows nothing of the library's files on disk, the models or the pages.

mod embeddings;
mod files;
mod gallery;
mod imports;
mod judgements;
pub mod migrations;
mod personal;
mod ranking;
mod ratings;
mod roots;
mod rows;
mod scores;
mod similarity;

pub use crate::domain::{FileRecord, Outcome};
pub use embeddings::EmbeddingRows;
pub use files::{Counts, KnownFile};
pub use gallery::{GalleryBase, GalleryJudged};
pub use imports::{ImportBatch, ImportCounts, ImportJudgement, ImportRater};
pub use judgements::NewJudgement;
pub use personal::PersonalRating;
pub use ranking::RankingLog;
pub use ratings::{CurrentScore, LoggedComparison, RatedImage, Ratings};
pub use rows::{Folder, GroupMember, Library, NamedImage, SizedImage, TileRow, UnshownFile};
pub use scores::{default_rater_name, progress_of, queue_of, ScoreSummary};

use crate::Result;
use sqlx::sqlite::SqliteSynchronous;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::path::Path;

/// Handle to the database. Cheap to clone (it is a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

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
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A connection whose transaction could not be ended goes, and a fresh one comes:
            // on a full disk SQLite rolls a failed transaction back by itself, sqlx's own
            // ROLLBACK then fails, and the connection would stay "in a transaction" for good
            // (every later write refused with "non-zero transaction depth" until a restart).
            .after_release(|conn, _| {
                Box::pin(async move {
                    use sqlx::TransactionManager;
                    let depth =
                        <sqlx::Sqlite as sqlx::Database>::TransactionManager::get_transaction_depth(
                            conn,
                        );
                    Ok(depth == 0)
                })
            })
            .connect_with(options)
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
        Ok(Self { pool })
    }

    /// Waits for every connection to finish and closes the database.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// The underlying pool, for modules of this crate.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction, holding the database's write lock from its start (`BEGIN
    /// IMMEDIATE`). A transaction that read first and wrote later would fail with "database
    /// is locked" when another connection committed in between (its snapshot is then stale and
    /// waiting cannot help); this one waits for the other writer instead.
    pub(crate) async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}
