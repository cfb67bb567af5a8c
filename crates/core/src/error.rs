//! The core error type and its mapping to the error that crosses to the UI.

use image_scorer_protocol::{AppError, ErrorKind};
use sqlx::error::DatabaseError;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in core. Each variant's message names what failed.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A folder that was asked for does not exist.
    #[error("The folder “{}” does not exist.", .0.display())]
    FolderNotFound(PathBuf),
    /// A path that should be a folder is a file (or something else).
    #[error("“{}” is not a folder.", .0.display())]
    NotAFolder(PathBuf),
    /// The operating system refused to list a folder.
    #[error("Image Scorer may not read the folder “{}”: {source}", path.display())]
    FolderUnreadable {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A path that is not valid UTF-8 where one is needed.
    #[error("The path “{}” is not valid UTF-8; rename it to open it.", .0.display())]
    NonUtf8Path(PathBuf),
    /// Any other I/O failure on a path.
    #[error("Could not read “{}”: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("Database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database failed during a bulk read (the embeddings, read through rusqlite).
    #[error("Database error: {0}")]
    BulkRead(#[from] rusqlite::Error),
    /// A folder id that is not open (it was closed meanwhile).
    #[error("That folder is no longer open.")]
    UnknownFolder(i64),
    /// Input that does not make sense, with a sentence saying why.
    #[error("{0}")]
    InvalidInput(String),
    /// The model runtime or a model failed, with a sentence saying what and why.
    #[error("{0}")]
    Model(String),
    /// The database server at `place` could not be reached or refused the connection; nothing
    /// was written anywhere else.
    #[error("Cannot reach the database server at {place}: {reason}")]
    DatabaseServer {
        /// Host and port (or socket folder) and database, without a password.
        place: String,
        /// Why, as the network or the server said it.
        reason: String,
    },
    /// A bug or an unexpected state.
    #[error("Internal error: {0}")]
    Internal(String),
    /// A migration failed: the database file may be damaged or from a newer version.
    #[error("The database could not be prepared: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The database was written by a newer version of the app: it is left as it is, never
    /// migrated backwards.
    #[error(
        "The database “{}” was written by a newer version of Image Scorer (its schema is at version {found}; this version knows up to {known}). It was left untouched: open it with the newer version.",
        path.display()
    )]
    NewerDatabase {
        /// The database file.
        path: PathBuf,
        /// Its newest schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
}

impl CoreError {
    /// An I/O error on `path`, classified by what the operating system said.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        match source.kind() {
            std::io::ErrorKind::NotFound => CoreError::FolderNotFound(path.to_owned()),
            std::io::ErrorKind::PermissionDenied => CoreError::FolderUnreadable {
                path: path.to_owned(),
                source,
            },
            _ => CoreError::Io {
                path: path.to_owned(),
                source,
            },
        }
    }

    /// The category the UI sees.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::FolderNotFound(_) => ErrorKind::NotFound,
            CoreError::NotAFolder(_) => ErrorKind::NotAFolder,
            CoreError::FolderUnreadable { .. } => ErrorKind::PermissionDenied,
            CoreError::NonUtf8Path(_) => ErrorKind::InvalidInput,
            CoreError::Io { .. } => ErrorKind::Io,
            CoreError::Database(_)
            | CoreError::BulkRead(_)
            | CoreError::Migration(_)
            | CoreError::NewerDatabase { .. }
            | CoreError::DatabaseServer { .. } => ErrorKind::Database,
            CoreError::Internal(_) => ErrorKind::Internal,
            CoreError::Model(_) => ErrorKind::Model,
            CoreError::UnknownFolder(_) => ErrorKind::NotFound,
            CoreError::InvalidInput(_) => ErrorKind::InvalidInput,
        }
    }
}

impl CoreError {
    /// Whether the database file itself is damaged (not a database, or corrupt), as opposed
    /// to refused (newer), busy, or unreachable (permissions, a full disk): only a damaged file
    /// is moved aside.
    pub fn is_damaged_database(&self) -> bool {
        let Some(e) = self.sqlite_error() else {
            return false;
        };
        // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), with their extended codes.
        let primary = e
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .map(|c| c & 0xff);
        matches!(primary, Some(11 | 26))
            || e.message().contains("not a database")
            || e.message().contains("malformed")
    }

    /// The error SQLite reported, when this is one.
    fn sqlite_error(&self) -> Option<&sqlx::sqlite::SqliteError> {
        let CoreError::Database(sqlx::Error::Database(e)) = self else {
            return None;
        };
        e.try_downcast_ref()
    }

    /// The SQLSTATE PostgreSQL reported, when this is its error.
    pub fn postgres_code(&self) -> Option<&str> {
        let CoreError::Database(sqlx::Error::Database(e)) = self else {
            return None;
        };
        e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .map(|e| e.code())
    }
}

impl CoreError {
    /// Whether the disk (or the file system) the database is on is full.
    pub fn is_disk_full(&self) -> bool {
        if let CoreError::Io { source, .. } = self {
            return source.raw_os_error() == Some(28);
        }
        // PostgreSQL's disk_full.
        if self.postgres_code() == Some("53100") {
            return true;
        }
        let Some(e) = self.sqlite_error() else {
            return false;
        };
        // SQLITE_FULL (13), with its extended codes.
        e.code()
            .and_then(|c| c.parse::<i64>().ok())
            .is_some_and(|c| c & 0xff == 13)
            || e.message().contains("disk is full")
    }
}

impl CoreError {
    /// Whether the database server could not be reached or is shutting down or starting (a
    /// team server's PostgreSQL restarting): nothing was done, and the same request may work
    /// in a moment.
    pub fn is_server_unavailable(&self) -> bool {
        match self {
            CoreError::DatabaseServer { .. } => true,
            CoreError::Database(
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed,
            ) => true,
            // Connection exceptions (08…), operator intervention (57P01-57P03: shutdown,
            // crash shutdown, cannot connect now).
            _ => self
                .postgres_code()
                .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        if e.is_disk_full() {
            return AppError::new(
                ErrorKind::Io,
                "The disk holding Image Scorer's database is full: this was not saved (everything saved before is kept). Free some space and do it again.",
            );
        }
        if e.is_server_unavailable() && !matches!(e, CoreError::DatabaseServer { .. }) {
            return AppError::new(
                ErrorKind::Database,
                format!(
                    "The database server did not answer (is it restarting?): try again in a \
                     moment. ({e})"
                ),
            );
        }
        AppError::new(e.kind(), e.to_string())
    }
}

/// Result with [`CoreError`].
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
