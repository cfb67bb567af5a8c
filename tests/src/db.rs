//! Reading the app's database as the tests check it: read-only, beside the running app.

use sqlx::ConnectOptions;
use std::path::Path;

/// A read-only connection to the database at `db` (the app keeps writing; WAL lets both).
pub async fn read_db(db: &Path) -> sqlx::SqliteConnection {
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", db.display()))
}
