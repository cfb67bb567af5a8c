//! Forward-only schema migrations, as plain SQL files in `crates/core/migrations/`.
//!
//! [`crate::Store::open`] (and through it `app::database`) applies exactly this list and records
//! it in sqlx's `_sqlx_migrations` table, as the first release's SQL plugin did, so a database
//! written by that release is brought up to date in place.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;

/// One migration: `(version, description, sql)`. Versions only ever grow; a file, once released,
/// is never edited.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "roots", include_str!("../../migrations/0001_roots.sql")),
    (
        2,
        "library",
        include_str!("../../migrations/0002_library.sql"),
    ),
    (
        3,
        "scores",
        include_str!("../../migrations/0003_scores.sql"),
    ),
    (
        4,
        "settings",
        include_str!("../../migrations/0004_settings.sql"),
    ),
    (
        5,
        "models",
        include_str!("../../migrations/0005_models.sql"),
    ),
    (
        6,
        "judgements",
        include_str!("../../migrations/0006_judgements.sql"),
    ),
    (
        7,
        "similarity",
        include_str!("../../migrations/0007_similarity.sql"),
    ),
    (
        8,
        "ratings",
        include_str!("../../migrations/0008_ratings.sql"),
    ),
    (
        9,
        "own model",
        include_str!("../../migrations/0009_own_model.sql"),
    ),
];

/// A sqlx migrator over [`MIGRATIONS`].
pub fn migrator() -> Migrator {
    let migrations: Vec<Migration> = MIGRATIONS
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                // The first release's SQL plugin recorded them as reversible "up" ones: kept, so
                // its databases are recognised as they are.
                MigrationType::ReversibleUp,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Refuses a database whose schema is newer than [`MIGRATIONS`] (written by a newer version of
/// the app), before anything is written to it.
pub async fn refuse_newer(pool: &sqlx::SqlitePool, path: &std::path::Path) -> crate::Result<()> {
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    let recorded: Option<i64> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await?
    .map(|_: String| 0);
    if recorded.is_none() {
        return Ok(());
    }
    let found: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await?;
    match found {
        Some(found) if found > known => Err(crate::CoreError::NewerDatabase {
            path: path.to_owned(),
            found,
            known,
        }),
        _ => Ok(()),
    }
}
