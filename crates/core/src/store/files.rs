//! The library's files and images (`files`, `images` tables).

use super::backend::{on_pool, on_tx};
use super::{SizedImage, Store, UnshownFile};
use crate::domain::{FileRecord, Outcome, Probe};
use crate::Result;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// Rows one statement of [`Store::record_files`] writes.
const ROWS_A_STATEMENT: usize = 128;

/// The images of a part of `record_files`: created, or completed where known only by hash.
const IMAGES_UPSERT: &str = "
INSERT INTO images (sha1, width, height, format, status, error)
VALUES {values}
ON CONFLICT (sha1) DO UPDATE SET
    width = CASE WHEN images.seen THEN images.width ELSE excluded.width END,
    height = CASE WHEN images.seen THEN images.height ELSE excluded.height END,
    format = CASE WHEN images.seen THEN images.format ELSE excluded.format END,
    status = CASE WHEN images.seen THEN images.status ELSE excluded.status END,
    error = CASE WHEN images.seen THEN images.error ELSE excluded.error END,
    seen = TRUE
RETURNING id, sha1";

/// The files of a part of `record_files` (each with its root).
const FILES_UPSERT: &str = "
INSERT INTO files (root_id, rel_path, size, mtime_ns, present, image_id, error)
VALUES {values}
ON CONFLICT (root_id, rel_path) DO UPDATE SET
    size = excluded.size, mtime_ns = excluded.mtime_ns, present = TRUE,
    image_id = excluded.image_id, error = excluded.error";

/// `rows` copies of `tuple`, each `#` in it a parameter: numbered (`$1`, `$2`, … across the
/// copies) on PostgreSQL; on SQLite anonymous (`?`, bound in the order written), because
/// sqlx asks SQLite for each numbered parameter's name, a scan of the names before it: with
/// hundreds of parameters a statement, a tenth of the time of indexing.
fn tuples(rows: usize, tuple: &str, numbered: bool) -> String {
    let mut n = 0;
    let mut out = String::with_capacity(rows * (tuple.len() + 16));
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        for c in tuple.chars() {
            match c {
                '#' if numbered => {
                    n += 1;
                    let _ = write!(out, "${n}");
                }
                '#' => out.push('?'),
                c => out.push(c),
            }
        }
    }
    out
}

/// What the store knows of one file below a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFile {
    /// Row id.
    pub id: i64,
    /// Size at the last index.
    pub size: u64,
    /// Modification time at the last index.
    pub mtime_ns: i64,
    /// Whether it was there at the last look.
    pub present: bool,
    /// Whether it was indexed as an image (rather than recorded with an error).
    pub indexed: bool,
}

/// How many images the library holds, counting only images with a file present.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Images that can be shown and rated.
    pub ok: u32,
    /// Images (and files) that cannot: damaged, not images, unsupported, unreadable.
    pub unreadable: u32,
}

impl Store {
    /// Every file recorded below the root `root_id`, by path.
    pub async fn known_files(&self, root_id: i64) -> Result<HashMap<String, KnownFile>> {
        let rows: Vec<(i64, String, i64, i64, bool, Option<i64>)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, rel_path, size, mtime_ns, present, image_id FROM files WHERE root_id = $1",
        )
        .bind(root_id)
        .fetch_all(pool)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, rel, size, mtime_ns, present, image)| {
                let known = KnownFile {
                    id,
                    size: size as u64,
                    mtime_ns,
                    present,
                    indexed: image.is_some(),
                };
                (rel, known)
            })
            .collect())
    }

    /// Records `records` below the root `root_id` in one transaction: each file is present, with
    /// its image (created if its content is new, completed if it was known only by its hash from
    /// an import) or its error. Written [`ROWS_A_STATEMENT`] at a time, each part in two
    /// statements: a statement a row cost a round trip to the database's thread per row, most of
    /// the time of indexing a library of small files.
    pub async fn record_files(&self, root_id: i64, records: &[FileRecord]) -> Result<()> {
        let numbered = self.is_postgres();
        let mut tx = self.write().await?;
        for part in records.chunks(ROWS_A_STATEMENT) {
            // Each content once: two files of one content in a part share its image.
            let mut known = HashSet::new();
            let images: Vec<(&str, &Probe)> = part
                .iter()
                .filter_map(|r| match &r.outcome {
                    Outcome::Image { sha1, probe } => Some((sha1.as_str(), probe)),
                    Outcome::FileError(_) => None,
                })
                .filter(|(sha1, _)| known.insert(*sha1))
                .collect();
            let ids: HashMap<String, i64> = if images.is_empty() {
                HashMap::new()
            } else {
                let values = tuples(images.len(), "(#, #, #, #, #, #)", numbered);
                let sql = IMAGES_UPSERT.replace("{values}", &values);
                let rows: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
                    let mut query = sqlx::query_as(&sql);
                    for (sha1, probe) in &images {
                        let (width, height) = probe.dimensions.unzip();
                        query = query
                            .bind(*sha1)
                            .bind(width.map(i64::from))
                            .bind(height.map(i64::from))
                            .bind(probe.format)
                            .bind(probe.status.as_str())
                            .bind(probe.error.as_deref());
                    }
                    query.fetch_all(&mut **conn).await
                })?;
                rows.into_iter().map(|(id, sha1)| (sha1, id)).collect()
            };
            // Each path once, as its last record says.
            let mut paths = HashSet::new();
            let mut files: Vec<&FileRecord> = part
                .iter()
                .rev()
                .filter(|r| paths.insert(r.rel_path.as_str()))
                .collect();
            files.reverse();
            let values = tuples(files.len(), "(#, #, #, #, TRUE, #, #)", numbered);
            let sql = FILES_UPSERT.replace("{values}", &values);
            on_tx!(&mut tx, |conn| {
                let mut query = sqlx::query(&sql);
                for record in &files {
                    let (image_id, error) = match &record.outcome {
                        Outcome::Image { sha1, .. } => (ids.get(sha1).copied(), None),
                        Outcome::FileError(e) => (None, Some(e.as_str())),
                    };
                    query = query
                        .bind(root_id)
                        .bind(record.rel_path.as_str())
                        .bind(record.size as i64)
                        .bind(record.mtime_ns)
                        .bind(image_id)
                        .bind(error);
                }
                query
                    .execute(&mut **conn)
                    .await
                    .map(|done| done.rows_affected())
            })?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets `present` on the files with these ids.
    pub async fn set_present(&self, ids: &[i64], present: bool) -> Result<()> {
        let mut tx = self.write().await?;
        for id in ids {
            on_tx!(&mut tx, |conn| sqlx::query(
                "UPDATE files SET present = $1 WHERE id = $2"
            )
            .bind(present)
            .bind(id)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks the file at `rel_path` below `root_id` absent; returns whether it was present.
    pub async fn mark_absent(&self, root_id: i64, rel_path: &str) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
            "UPDATE files SET present = FALSE WHERE root_id = $1 AND rel_path = $2 AND present = TRUE",
        )
        .bind(root_id)
        .bind(rel_path)
        .execute(pool)
        .await.map(|done| done.rows_affected())
        })?;
        Ok(done > 0)
    }

    /// Image counts over files that are present. The images shown are those in a present file
    /// less those not 'ok': one pass over the files' index and a look at the few images not
    /// 'ok' (their own index, migration 0012), not a lookup per image as counting
    /// `shown_images` would be.
    pub async fn counts(&self) -> Result<Counts> {
        let (present, bad_images, bad_files): (i64, i64, i64) =
            on_pool!(self, |pool| sqlx::query_as(
                "SELECT
                (SELECT COUNT(DISTINCT image_id) FROM files
                  WHERE present = TRUE AND image_id IS NOT NULL),
                (SELECT COUNT(*) FROM images i WHERE i.status <> 'ok' AND EXISTS
                   (SELECT 1 FROM files f WHERE f.image_id = i.id AND f.present = TRUE)),
                (SELECT COUNT(*) FROM files WHERE present = TRUE AND image_id IS NULL)",
            )
            .fetch_one(pool)
            .await)?;
        Ok(Counts {
            ok: (present - bad_images) as u32,
            unreadable: (bad_images + bad_files) as u32,
        })
    }

    /// The SHA-1 of the image in the present file at `rel_path` below `root_id`.
    pub async fn image_at(&self, root_id: i64, rel_path: &str) -> Result<Option<String>> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT i.sha1 FROM files f JOIN images i ON i.id = f.image_id
             WHERE f.root_id = $1 AND f.rel_path = $2 AND f.present = TRUE",
        )
        .bind(root_id)
        .bind(rel_path)
        .fetch_optional(pool)
        .await)?)
    }

    /// The exclusion patterns of the root `root_id`.
    pub async fn root_excludes(&self, root_id: i64) -> Result<String> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT excludes FROM roots WHERE id = $1"
        )
        .bind(root_id)
        .fetch_one(pool)
        .await)?)
    }
}

impl Store {
    /// Whether a file with this content is in the library now (present in an open folder).
    pub async fn has_present_file(&self, sha1: &str) -> Result<bool> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT 1 FROM files f JOIN images i ON i.id = f.image_id
              WHERE i.sha1 = $1 AND f.present = TRUE LIMIT 1",
        )
        .bind(sha1)
        .fetch_optional(pool)
        .await)?
        .is_some())
    }

    /// The row id of the image with this SHA-1.
    pub async fn image_id(&self, sha1: &str) -> Result<Option<i64>> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM images WHERE sha1 = $1"
        )
        .bind(sha1)
        .fetch_optional(pool)
        .await)?)
    }

    /// The row ids of the images with these SHA-1s (those known): SHA-1 -> id.
    pub async fn image_ids(
        &self,
        sha1s: &[String],
    ) -> Result<std::collections::HashMap<String, i64>> {
        if sha1s.is_empty() {
            return Ok(Default::default());
        }
        let sql = format!(
            "SELECT sha1, id FROM images WHERE sha1 IN ({})",
            super::placeholders(sha1s.len())
        );
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for sha1 in sha1s {
                query = query.bind(sha1);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().collect())
    }

    /// How the present file at `rel_path` below `root_id` stands: `(status, error)` of its image,
    /// or `("file", error)` when the file itself could not be read.
    pub async fn file_status(
        &self,
        root_id: i64,
        rel_path: &str,
    ) -> Result<Option<(String, String)>> {
        let row: Option<(Option<String>, Option<String>, Option<String>)> =
            on_pool!(self, |pool| {
                sqlx::query_as(
            "SELECT i.status, i.error, f.error FROM files f LEFT JOIN images i ON i.id = f.image_id
             WHERE f.root_id = $1 AND f.rel_path = $2 AND f.present = TRUE",
        )
        .bind(root_id)
        .bind(rel_path)
        .fetch_optional(pool)
        .await
            })?;
        Ok(row.map(|(status, image_error, file_error)| match status {
            Some(status) => (status, image_error.unwrap_or_default()),
            None => ("file".to_owned(), file_error.unwrap_or_default()),
        }))
    }
}

impl Store {
    /// How many distinct images were ever recorded (present or not).
    pub async fn image_count(&self) -> Result<i64> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM images"
        )
        .fetch_one(pool)
        .await)?)
    }
}

impl Store {
    /// Where the image with this SHA-1 can be read: the full paths of its present files, in
    /// open folders, oldest first. Empty when the image is not in the library.
    pub async fn image_files(&self, sha1: &str) -> Result<Vec<std::path::PathBuf>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT r.path, f.rel_path FROM shown_images s
               JOIN files f ON f.image_id = s.id AND f.present = TRUE
               JOIN roots r ON r.id = f.root_id
             WHERE s.sha1 = $1 ORDER BY f.id",
        )
        .bind(sha1)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(root, rel)| std::path::Path::new(&root).join(rel))
            .collect())
    }
}

impl Store {
    /// The format recorded for the image with this SHA-1.
    pub async fn image_format(&self, sha1: &str) -> Result<Option<String>> {
        Ok(
            on_pool!(self, |pool| sqlx::query_scalar::<_, Option<String>>(
                "SELECT format FROM images WHERE sha1 = $1"
            )
            .bind(sha1)
            .fetch_optional(pool)
            .await)?
            .flatten(),
        )
    }
}

impl Store {
    /// Up to `limit` images that can be shown, ordered by the path of their first present file.
    pub async fn shown_images(&self, limit: u32) -> Result<Vec<SizedImage>> {
        let rows: Vec<(String, String, i64, i64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT sha1, name, width, height FROM shown_images ORDER BY name LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(sha1, name, width, height)| SizedImage {
                sha1,
                name,
                width: width as u32,
                height: height as u32,
            })
            .collect())
    }
}

impl Store {
    /// Up to `limit` present files that cannot be shown (below the folder `folder`, or any),
    /// with their errors, by folder and path.
    pub async fn unshown_files(&self, folder: Option<i64>, limit: u32) -> Result<Vec<UnshownFile>> {
        let rows: Vec<(String, Option<String>, String, Option<String>)> =
            on_pool!(self, |pool| sqlx::query_as(
                "SELECT r.path, i.sha1, f.rel_path, COALESCE(i.error, f.error)
               FROM files f JOIN roots r ON r.id = f.root_id
               LEFT JOIN images i ON i.id = f.image_id
              WHERE f.present = TRUE AND (f.image_id IS NULL OR i.status <> 'ok')
                AND ($1 IS NULL OR f.root_id = $1)
              ORDER BY r.id, f.rel_path LIMIT $2",
            )
            .bind(folder)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|(folder, sha1, name, error)| UnshownFile {
                folder,
                sha1,
                name,
                error: error.unwrap_or_else(|| "cannot be shown".into()),
            })
            .collect())
    }

    /// Up to `limit` present files that cannot be shown, with their errors, by folder and path.
    pub async fn problems(&self, limit: u32) -> Result<Vec<UnshownFile>> {
        self.unshown_files(None, limit).await
    }
}
