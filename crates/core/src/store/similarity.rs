//! What the Similarity experiment reads and writes besides the judgement log: perceptual
//! hashes, duplicate flags (derived from the log, see migration 0007), the images of a group,
//! and the likeness judgements for the plot.

use super::backend::{on_pool, on_tx};
use super::Store;
use super::{GroupMember, NamedImage};
use crate::Result;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

impl Store {
    /// Images that decode, have a file present and no perceptual hash yet: (image id, a file
    /// to read it from), oldest first, at most `limit`.
    pub async fn images_to_hash(&self, limit: u32) -> Result<Vec<(i64, PathBuf)>> {
        self.shown_images_lacking(
            "SELECT 1 FROM image_hashes h WHERE h.image_id = s.id",
            None,
            limit,
        )
        .await
    }

    /// Stores perceptual hashes in one transaction.
    pub async fn store_image_hashes(&self, hashes: &[(i64, u64)]) -> Result<()> {
        let mut tx = self.write().await?;
        for (image_id, hash) in hashes {
            on_tx!(&mut tx, |conn| sqlx::query(
                "INSERT INTO image_hashes (image_id, hash) VALUES ($1, $2)
                 ON CONFLICT (image_id) DO UPDATE SET hash = excluded.hash"
            )
            .bind(image_id)
            .bind(*hash as i64)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The perceptual hash of every image in the queues (shown, not marked as a duplicate), by
    /// SHA-1, in image order.
    pub async fn image_hashes(&self) -> Result<Vec<(String, u64)>> {
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT q.sha1, h.hash FROM queue_images q JOIN image_hashes h ON h.image_id = q.id
              ORDER BY q.id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(s, h)| (s, h as u64)).collect())
    }

    /// `(hashed, total)`: how many images that can be shown have a perceptual hash.
    pub async fn hash_counts(&self) -> Result<(u32, u32)> {
        let (done, total): (i64, i64) = on_pool!(self, |pool| sqlx::query_as(
            "SELECT COUNT(h.image_id), COUNT(*)
               FROM shown_images s LEFT JOIN image_hashes h ON h.image_id = s.id",
        )
        .fetch_one(pool)
        .await)?;
        Ok((done as u32, total as u32))
    }

    /// The SHA-1 of every image marked as a duplicate now.
    pub async fn duplicates(&self) -> Result<HashSet<String>> {
        let rows: Vec<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT i.sha1 FROM duplicate_images d JOIN images i ON i.id = d.image_id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().collect())
    }

    /// How many images are in the queues (shown, not marked as duplicates).
    pub async fn queue_count(&self) -> Result<u32> {
        let n: i64 = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM queue_images"
        )
        .fetch_one(pool)
        .await)?;
        Ok(n as u32)
    }

    /// The images of `sha1s` that can be shown, with their name, size and bytes, by SHA-1.
    pub async fn group_images(&self, sha1s: &[&str]) -> Result<HashMap<String, GroupMember>> {
        let mut found = HashMap::with_capacity(sha1s.len());
        for sha1 in sha1s {
            let row: Option<(String, Option<i64>, Option<i64>, i64)> = on_pool!(self, |pool| {
                sqlx::query_as(
                "SELECT s.name, s.width, s.height,
                        (SELECT MAX(f.size) FROM files f WHERE f.image_id = s.id AND f.present = TRUE)
                   FROM shown_images s WHERE s.sha1 = $1",
            )
            .bind(sha1)
            .fetch_optional(pool)
            .await
            })?;
            if let Some((name, width, height, bytes)) = row {
                found.insert(
                    (*sha1).to_owned(),
                    GroupMember {
                        sha1: (*sha1).to_owned(),
                        name,
                        width: width.map(|w| w as u32),
                        height: height.map(|h| h as u32),
                        bytes: bytes.max(0) as u64,
                    },
                );
            }
        }
        Ok(found)
    }

    /// The name of every image that can be shown, by SHA-1.
    pub async fn shown_names(&self) -> Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT sha1, name FROM shown_images"
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().collect())
    }

    /// The library image `sha1` with its name, if it can be shown.
    pub async fn shown_item(&self, sha1: &str) -> Result<Option<NamedImage>> {
        let name: Option<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT name FROM shown_images WHERE sha1 = $1"
        )
        .bind(sha1)
        .fetch_optional(pool)
        .await)?;
        Ok(name.map(|name| NamedImage {
            sha1: sha1.to_owned(),
            name,
        }))
    }

    /// Every likeness judgement not undone with the cosine of `model_id`: `(value, cosine,
    /// made by rater_id)`, oldest first.
    pub async fn likeness_points(
        &self,
        model_id: i64,
        rater_id: i64,
    ) -> Result<Vec<(f64, f64, bool)>> {
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT value, shown_cosine, rater_id = $2 FROM judgements
              WHERE kind = 'similarity' AND undone = FALSE AND model_id = $1
                AND shown_cosine IS NOT NULL
              ORDER BY id",
        )
        .bind(model_id)
        .bind(rater_id)
        .fetch_all(pool)
        .await)?)
    }

    /// How many images are marked as duplicates now.
    pub async fn duplicate_count(&self) -> Result<u32> {
        let n: i64 = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM duplicate_images"
        )
        .fetch_one(pool)
        .await)?;
        Ok(n as u32)
    }
}
