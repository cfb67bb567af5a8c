//! Where the app's database lives and how it is opened: created or migrated at start, and a
//! damaged file (not a database, or corrupt) moved aside (never deleted), the app then starting
//! on a fresh one with a notice for the user. A database from a newer version, one that cannot
//! be read or written (permissions, a full disk) is refused with the reason and left as it is.

use crate::{CoreError, Store};
use image_scorer_protocol::{AppError, ErrorKind};
use std::path::{Path, PathBuf};

/// The database file's name inside the app's data folder.
pub const FILE_NAME: &str = "image-scorer.db";

/// Opens `dir/image-scorer.db` (creating `dir` and the database if needed). A damaged file is
/// renamed to `image-scorer.db.damaged-<unix time>` and a new database started; the notice
/// says where the old one went.
pub async fn open_in(dir: &Path) -> Result<(Store, Option<AppError>), CoreError> {
    open_at(&dir.join(FILE_NAME)).await
}

/// Opens the database file at `path` as [`open_in`] does (creating its folder and the file if
/// needed, moving a damaged one aside).
pub async fn open_at(path: &Path) -> Result<(Store, Option<AppError>), CoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    }
    let path = path.to_owned();
    match Store::open(&path).await {
        Ok(store) => Ok((store, None)),
        // Newer, busy, unreadable or on a full disk: refused, the file left as it is.
        Err(error) if !error.is_damaged_database() => Err(error),
        Err(error) => {
            let aside = move_aside(&path)?;
            let store = Store::open(&path).await.map_err(|e| {
                CoreError::Internal(format!(
                    "cannot create a new database at {}: {e}",
                    path.display()
                ))
            })?;
            let notice = AppError::new(
                ErrorKind::Database,
                format!(
                    "The database could not be opened ({error}). It was kept as “{}” and a new, \
                     empty one was started; your images are untouched.",
                    aside.display()
                ),
            );
            Ok((store, Some(notice)))
        }
    }
}

/// Renames the database and its WAL files to `<name>.damaged-<unix time>[-wal|-shm]`.
fn move_aside(path: &Path) -> Result<PathBuf, CoreError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let name = path
        .file_name()
        .map_or_else(|| FILE_NAME.into(), |n| n.to_string_lossy().into_owned());
    let aside = path.with_file_name(format!("{name}.damaged-{stamp}"));
    std::fs::rename(path, &aside).map_err(|e| CoreError::io(path, e))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            let _ = std::fs::rename(&side, format!("{}{suffix}", aside.display()));
        }
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_new_database_is_created_with_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let (store, notice) = open_in(&dir.path().join("data")).await.unwrap();
        assert!(notice.is_none());
        assert!(dir.path().join("data").join(FILE_NAME).is_file());
        assert!(store.library().await.unwrap().roots.is_empty());
    }

    #[tokio::test]
    async fn a_damaged_database_is_kept_aside_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let garbage = b"this is not a database, but it is somebody's file".repeat(100);
        std::fs::write(&path, &garbage).unwrap();

        let (store, notice) = open_in(dir.path()).await.unwrap();

        let notice = notice.expect("a notice about the damaged file");
        assert_eq!(notice.kind, ErrorKind::Database);
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".damaged-"))
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert_eq!(std::fs::read(&kept[0]).unwrap(), garbage);
        assert!(notice.message.contains(&*kept[0].to_string_lossy()));
        // And the new database is usable.
        assert!(store.library().await.unwrap().roots.is_empty());
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let (store, _) = open_at(&path).await.unwrap();
        store.close().await;
        // What a later version would have recorded: a migration this one does not know.
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES (99, 'from the future', 1, x'00', 0)",
                [],
            )
            .unwrap();
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let names = files_in(dir.path());

        let Err(refused) = open_at(&path).await else {
            panic!("a newer database was opened");
        };
        assert!(
            matches!(refused, CoreError::NewerDatabase { found: 99, .. }),
            "{refused}"
        );
        let message = refused.to_string();
        assert!(
            message.contains("newer version") && message.contains("untouched"),
            "{message}"
        );
        assert_eq!(AppError::from(refused).kind, ErrorKind::Database);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "not migrated, not written"
        );
        // (SQLite's -wal/-shm side files of the refused connection may come and go.)
        let main_files = |names: Vec<String>| -> Vec<String> {
            names
                .into_iter()
                .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
                .collect()
        };
        assert_eq!(
            main_files(files_in(dir.path())),
            main_files(names),
            "nothing moved aside"
        );
    }

    #[tokio::test]
    async fn a_database_that_cannot_be_opened_is_refused_not_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be: SQLite cannot open it, and it is not damage.
        let path = dir.path().join(FILE_NAME);
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("keep.txt"), b"mine").unwrap();
        let Err(refused) = open_at(&path).await else {
            panic!("a folder was opened as a database");
        };
        assert!(!refused.is_damaged_database(), "{refused}");
        assert_eq!(files_in(dir.path()), [FILE_NAME]);
        assert_eq!(std::fs::read(path.join("keep.txt")).unwrap(), b"mine");
    }
}
