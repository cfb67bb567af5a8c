//! Where the database lives and how the SQL plugin gets it.
//!
//! Before Tauri starts, [`prepare`] opens the file with core (which applies the migrations and
//! switches it to WAL mode). A file that is not a usable database is moved aside, never deleted,
//! and the app starts on a fresh one with a notice. The SQL plugin then preloads the same file
//! and owns the pool that commands use.

use image_scorer_core::store::migrations::MIGRATIONS;
use image_scorer_core::{CoreError, Store};
use image_scorer_protocol::{AppError, ErrorKind};
use std::path::{Path, PathBuf};
use tauri_plugin_sql::{DbInstances, DbPool, Migration, MigrationKind};

/// The database file's name inside the app's data folder.
pub const FILE_NAME: &str = "image-scorer.db";

/// The database, ready for the SQL plugin.
#[derive(Debug, Clone)]
pub struct PreparedDatabase {
    /// The plugin's connection string (`sqlite:` + absolute path).
    pub url: String,
    /// Set when a damaged database was moved aside: tells the user where it went.
    pub notice: Option<AppError>,
}

/// Finds the app's data folder for `identifier` and prepares the database in it.
pub fn prepare(identifier: &str) -> Result<PreparedDatabase, String> {
    let dir = dirs::data_dir()
        .ok_or("cannot find the user's data folder (is HOME set?)")?
        .join(identifier);
    prepare_in(&dir)
}

/// Prepares `dir/image-scorer.db`: creates or migrates it, or moves a damaged one aside.
pub fn prepare_in(dir: &Path) -> Result<PreparedDatabase, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the data folder {}: {e}", dir.display()))?;
    let path = dir.join(FILE_NAME);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let notice = match runtime.block_on(check(&path)) {
        Ok(()) => None,
        Err(error) => {
            let aside = move_aside(&path)?;
            runtime
                .block_on(check(&path))
                .map_err(|e| format!("cannot create a new database at {}: {e}", path.display()))?;
            Some(AppError::new(
                ErrorKind::Database,
                format!(
                    "The database could not be opened ({error}). It was kept as “{}” and a new, \
                     empty one was started; your images are untouched.",
                    aside.display()
                ),
            ))
        }
    };
    let url = format!(
        "sqlite:{}",
        path.to_str()
            .ok_or_else(|| format!("the data folder {} is not valid UTF-8", dir.display()))?
    );
    Ok(PreparedDatabase { url, notice })
}

async fn check(path: &Path) -> Result<(), CoreError> {
    Store::open(path).await?.close().await;
    Ok(())
}

/// Renames the database and its WAL files to `<name>.damaged-<unix time>[-wal|-shm]`.
fn move_aside(path: &Path) -> Result<PathBuf, String> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let aside = path.with_file_name(format!("{FILE_NAME}.damaged-{stamp}"));
    std::fs::rename(path, &aside)
        .map_err(|e| format!("cannot move the damaged database {}: {e}", path.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            let _ = std::fs::rename(&side, format!("{}{suffix}", aside.display()));
        }
    }
    Ok(aside)
}

/// Tells the SQL plugin to preload `url` at start (the config file cannot know the path).
pub fn configure_sql_plugin(config: &mut tauri::Config, url: &str) {
    config
        .plugins
        .0
        .insert("sql".to_owned(), serde_json::json!({ "preload": [url] }));
}

/// Core's migrations in the plugin's form.
pub fn plugin_migrations() -> Vec<Migration> {
    MIGRATIONS
        .iter()
        .map(|&(version, description, sql)| Migration {
            version,
            description,
            sql,
            kind: MigrationKind::Up,
        })
        .collect()
}

/// The store over the pool the SQL plugin opened for `url`.
pub async fn store_from_plugin<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    url: &str,
) -> Result<Store, Box<dyn std::error::Error>> {
    use tauri::Manager;
    let instances = app.state::<DbInstances>();
    let pools = instances.0.read().await;
    match pools.get(url) {
        Some(DbPool::Sqlite(pool)) => Ok(Store::from_migrated_pool(pool.clone())),
        _ => Err(format!("the SQL plugin did not open {url}").into()),
    }
}

/// The rater to start with: the one chosen last time, else the operating-system user.
pub async fn current_rater(store: &Store) -> Result<(i64, String), Box<dyn std::error::Error>> {
    let name = match store.setting("rater").await? {
        Some(name) => name,
        None => image_scorer_core::store::default_rater_name(),
    };
    Ok((store.rater(&name).await?, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_is_created_with_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let db = prepare_in(&dir.path().join("data")).unwrap();
        assert!(db.notice.is_none());
        assert!(db.url.ends_with(FILE_NAME));
        assert!(dir.path().join("data").join(FILE_NAME).is_file());
    }

    #[test]
    fn a_damaged_database_is_kept_aside_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let garbage = b"this is not a database, but it is somebody's file".repeat(100);
        std::fs::write(&path, &garbage).unwrap();

        let db = prepare_in(dir.path()).unwrap();

        let notice = db.notice.expect("a notice about the damaged file");
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
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = Store::open(&path).await.unwrap();
            assert!(store.library().await.unwrap().roots.is_empty());
        });
    }

    #[test]
    fn plugin_migrations_mirror_core() {
        let plugin = plugin_migrations();
        assert_eq!(plugin.len(), MIGRATIONS.len());
        for (p, c) in plugin.iter().zip(MIGRATIONS) {
            assert_eq!((p.version, p.description, p.sql), *c);
        }
    }
}
