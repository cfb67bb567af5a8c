//! The open folders (`roots` table).

use super::Store;
use crate::folder::check_folder;
use crate::{CoreError, Result};
use image_scorer_protocol::{LibraryState, Root};
use std::path::Path;

impl Store {
    /// Checks the folder at `path` (see [`check_folder`]) and adds it to the library.
    pub async fn open_folder(&self, path: &Path) -> Result<Root> {
        let folder = check_folder(path)?;
        self.add_root(&folder).await
    }

    /// Adds the folder at `path` (already checked with [`crate::folder::check_folder`]) to the
    /// library. Adding a folder that is already open returns it unchanged.
    pub async fn add_root(&self, path: &Path) -> Result<Root> {
        let text = path
            .to_str()
            .ok_or_else(|| CoreError::NonUtf8Path(path.to_owned()))?;
        sqlx::query("INSERT INTO roots (path) VALUES (?1) ON CONFLICT (path) DO NOTHING")
            .bind(text)
            .execute(self.pool())
            .await?;
        let (id, path): (i64, String) =
            sqlx::query_as("SELECT id, path FROM roots WHERE path = ?1")
                .bind(text)
                .fetch_one(self.pool())
                .await?;
        Ok(Root {
            id: id as i32,
            path,
        })
    }

    /// Every open folder, oldest first.
    pub async fn library(&self) -> Result<LibraryState> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, path FROM roots ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        Ok(LibraryState {
            roots: rows
                .into_iter()
                .map(|(id, path)| Root {
                    id: id as i32,
                    path,
                })
                .collect(),
            counts: self.counts().await?.into(),
        })
    }

    /// The folder of the root `id`, if it is open.
    pub async fn root_path(&self, id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT path FROM roots WHERE id = ?1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }
}
