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
    (
        10,
        "accounts",
        include_str!("../../migrations/0010_accounts.sql"),
    ),
    (
        11,
        "leases",
        include_str!("../../migrations/0011_leases.sql"),
    ),
    (
        12,
        "unreadable",
        include_str!("../../migrations/0012_unreadable.sql"),
    ),
];

/// [`MIGRATIONS`] in PostgreSQL's dialect, version for version: the same tables, columns,
/// views and rules (`BIGINT` identities, `BOOLEAN` flags, `BYTEA`, `DOUBLE PRECISION`).
pub const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "roots",
        include_str!("../../migrations/postgres/0001_roots.sql"),
    ),
    (
        2,
        "library",
        include_str!("../../migrations/postgres/0002_library.sql"),
    ),
    (
        3,
        "scores",
        include_str!("../../migrations/postgres/0003_scores.sql"),
    ),
    (
        4,
        "settings",
        include_str!("../../migrations/postgres/0004_settings.sql"),
    ),
    (
        5,
        "models",
        include_str!("../../migrations/postgres/0005_models.sql"),
    ),
    (
        6,
        "judgements",
        include_str!("../../migrations/postgres/0006_judgements.sql"),
    ),
    (
        7,
        "similarity",
        include_str!("../../migrations/postgres/0007_similarity.sql"),
    ),
    (
        8,
        "ratings",
        include_str!("../../migrations/postgres/0008_ratings.sql"),
    ),
    (
        9,
        "own model",
        include_str!("../../migrations/postgres/0009_own_model.sql"),
    ),
    (
        10,
        "accounts",
        include_str!("../../migrations/postgres/0010_accounts.sql"),
    ),
    (
        11,
        "leases",
        include_str!("../../migrations/postgres/0011_leases.sql"),
    ),
    (
        12,
        "unreadable",
        include_str!("../../migrations/postgres/0012_unreadable.sql"),
    ),
];

/// A sqlx migrator over [`MIGRATIONS`].
pub fn migrator() -> Migrator {
    migrator_of(MIGRATIONS)
}

/// A sqlx migrator over [`POSTGRES_MIGRATIONS`].
pub fn postgres_migrator() -> Migrator {
    migrator_of(POSTGRES_MIGRATIONS)
}

fn migrator_of(list: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    let migrations: Vec<Migration> = list
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

/// [`refuse_newer`] for PostgreSQL: refuses the database at `url` (named in the error without
/// its password) when its schema is newer than [`POSTGRES_MIGRATIONS`].
pub async fn refuse_newer_postgres(pool: &sqlx::PgPool, url: &str) -> crate::Result<()> {
    let known = POSTGRES_MIGRATIONS.last().map_or(0, |m| m.0);
    let recorded: Option<String> =
        sqlx::query_scalar("SELECT CAST(to_regclass('_sqlx_migrations') AS TEXT)")
            .fetch_one(pool)
            .await?;
    if recorded.is_none() {
        return Ok(());
    }
    let found: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await?;
    match found {
        Some(found) if found > known => Err(crate::CoreError::NewerDatabase {
            path: std::path::PathBuf::from(without_password(url)),
            found,
            known,
        }),
        _ => Ok(()),
    }
}

/// `url` with the password of its user information left out (for messages and logs).
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:…@{host}")
        }
        _ => url.to_owned(),
    }
}
