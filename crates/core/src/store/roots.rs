//! The open folders (`roots` table).

use super::backend::on_pool;
use super::Store;
use super::{Folder, Library};
use crate::{CoreError, Result};
use std::path::Path;

impl Store {
    /// Adds the folder at `path` (already checked with [`crate::folder::check_folder`]) to the
    /// library. Adding a folder that is already open returns it unchanged.
    pub async fn add_root(&self, path: &Path) -> Result<Folder> {
        let text = path
            .to_str()
            .ok_or_else(|| CoreError::NonUtf8Path(path.to_owned()))?;
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO roots (path) VALUES ($1) ON CONFLICT (path) DO NOTHING"
        )
        .bind(text)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        let (id, path, excludes): (i64, String, String) = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, path, excludes FROM roots WHERE path = $1"
        )
        .bind(text)
        .fetch_one(pool)
        .await)?;
        Ok(Folder { id, path, excludes })
    }

    /// The open folders and the library's counts.
    pub async fn library(&self) -> Result<Library> {
        Ok(Library {
            roots: self.roots().await?,
            counts: self.counts().await?,
        })
    }

    /// Every open folder, oldest first (the library's images not counted).
    pub async fn roots(&self) -> Result<Vec<Folder>> {
        let rows: Vec<(i64, String, String)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, path, excludes FROM roots ORDER BY id"
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, path, excludes)| Folder { id, path, excludes })
            .collect())
    }

    /// Closes the folder `id`: its files leave the library. Images and every judgement on them
    /// stay, so reopening the folder brings everything back.
    pub async fn remove_root(&self, id: i64) -> Result<()> {
        let done = on_pool!(self, |pool| sqlx::query("DELETE FROM roots WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        one_folder(done, id)
    }

    /// Replaces the exclusion patterns of the folder `id` after checking that they compile.
    pub async fn set_excludes(&self, id: i64, patterns: &str) -> Result<()> {
        crate::domain::excludes::Excludes::parse(patterns).map_err(CoreError::InvalidInput)?;
        let done = on_pool!(self, |pool| sqlx::query(
            "UPDATE roots SET excludes = $1 WHERE id = $2"
        )
        .bind(patterns)
        .bind(id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        one_folder(done, id)
    }

    /// The folder of the root `id`, if it is open.
    pub async fn root_path(&self, id: i64) -> Result<Option<String>> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT path FROM roots WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?)
    }
}

/// A change of the folder `id` found it, or the error that says it is not open.
fn one_folder(done: u64, id: i64) -> Result<()> {
    if done == 0 {
        return Err(CoreError::UnknownFolder(id));
    }
    Ok(())
}
