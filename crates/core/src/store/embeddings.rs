//! Cached embeddings and predictions, keyed by image content and model.

use super::backend::{on_pool, on_tx, Pool};
use super::Store;
use crate::Result;
use std::path::PathBuf;

impl Store {
    /// The id of the model with this content hash, recorded under `name` if new.
    pub async fn model_id(&self, hash: &str, name: &str) -> Result<i64> {
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO models (hash, name) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(name)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM models WHERE hash = $1"
        )
        .bind(hash)
        .fetch_one(pool)
        .await)?)
    }

    /// Images that can be shown and have no embedding for `model_id` yet: (image id, a file to
    /// read it from), oldest first, at most `limit`.
    pub async fn images_to_embed(&self, model_id: i64, limit: u32) -> Result<Vec<(i64, PathBuf)>> {
        self.shown_images_lacking(
            "SELECT 1 FROM embeddings e WHERE e.image_id = s.id AND e.model_id = $1",
            Some(model_id),
            limit,
        )
        .await
    }

    /// Images that can be shown for which `missing` (a fixed `SELECT` over the image `s`, with
    /// `$1` bound to `model_id`) finds nothing: (image id, a file to read it from), oldest
    /// first, at most `limit`.
    pub(super) async fn shown_images_lacking(
        &self,
        missing: &'static str,
        model_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, PathBuf)>> {
        let sql = format!(
            "SELECT s.id, r.path, f.rel_path
               FROM shown_images s
               JOIN files f ON f.id = (SELECT p.id FROM files p
                                        WHERE p.image_id = s.id AND p.present = TRUE
                                        ORDER BY p.rel_path, p.root_id LIMIT 1)
               JOIN roots r ON r.id = f.root_id
              WHERE NOT EXISTS ({missing})
              ORDER BY s.id LIMIT $2"
        );
        let rows: Vec<(i64, String, String)> = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(model_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, root, rel)| (id, std::path::Path::new(&root).join(rel)))
            .collect())
    }

    /// Records images that turned out not to decode (by id, with the error) as unreadable, so
    /// they leave the queues and are listed with the other unreadable files.
    pub async fn mark_unreadable_ids(&self, failed: &[(i64, String)]) -> Result<()> {
        let mut tx = self.write().await?;
        for (id, error) in failed {
            on_tx!(&mut tx, |conn| sqlx::query(
                "UPDATE images SET status = 'unreadable', error = $2 WHERE id = $1"
            )
            .bind(id)
            .bind(error)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many images that can be shown have an embedding for `model_id`, and how many there
    /// are: the embedding job's progress.
    pub async fn embed_counts(&self, model_id: i64) -> Result<(u32, u32)> {
        let (done, total): (i64, i64) = on_pool!(self, |pool| sqlx::query_as(
            "SELECT COUNT(e.image_id), COUNT(*)
               FROM shown_images s LEFT JOIN embeddings e ON e.image_id = s.id AND e.model_id = $1",
        )
        .bind(model_id)
        .fetch_one(pool)
        .await)?;
        Ok((done as u32, total as u32))
    }

    /// Stores embeddings (and predictions, where given) for `model_id` in one transaction.
    pub async fn store_embeddings(
        &self,
        model_id: i64,
        rows: &[(i64, Vec<f32>, Option<f32>)],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        for (image_id, vector, score) in rows {
            let blob: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO embeddings (image_id, model_id, vector) VALUES ($1, $2, $3)
                 ON CONFLICT (image_id, model_id) DO UPDATE SET vector = excluded.vector",
                )
                .bind(image_id)
                .bind(model_id)
                .bind(blob)
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
            })?;
            if let Some(score) = score {
                on_tx!(&mut tx, |conn| {
                    sqlx::query(
                        "INSERT INTO predictions (image_id, model_id, score) VALUES ($1, $2, $3)
                     ON CONFLICT (image_id, model_id) DO UPDATE SET score = excluded.score",
                    )
                    .bind(image_id)
                    .bind(model_id)
                    .bind(f64::from(*score))
                    .execute(&mut **conn)
                    .await
                    .map(|done| done.rows_affected())
                })?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The cached embedding of the image `sha1` for `model_id`.
    pub async fn embedding(&self, sha1: &str, model_id: i64) -> Result<Option<Vec<f32>>> {
        let blob: Option<Vec<u8>> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT e.vector FROM embeddings e JOIN images i ON i.id = e.image_id
              WHERE i.sha1 = $1 AND e.model_id = $2",
        )
        .bind(sha1)
        .bind(model_id)
        .fetch_optional(pool)
        .await)?;
        Ok(blob.map(|b| floats(&b)))
    }

    /// Every cached embedding of `model_id` of an image that can be shown, by SHA-1, handed
    /// to `rows` in image order (the app puts them in the similarity index), in one snapshot
    /// on a blocking thread. On SQLite a read-only rusqlite connection of its own converts each
    /// BLOB where SQLite holds it, on one thread while another fills `rows`, where sqlx would
    /// copy every row through its worker's channel first.
    pub async fn read_embeddings<R: EmbeddingRows>(&self, model_id: i64, mut rows: R) -> Result<R> {
        if let Pool::Sqlite(_) = self.pool() {
            let path = self.file_path().await?;
            return tokio::task::spawn_blocking(move || read_rows(&path, model_id, rows))
                .await
                .map_err(|e| crate::CoreError::Internal(format!("reading the embeddings: {e}")))?;
        }
        self.read_snapshot(move |db| {
            let mut vector = Vec::new();
            db.each(EMBEDDINGS, &[model_id], |row| {
                vector.clear();
                vector.extend(floats(row.blob(1)?));
                rows.push_row(row.text(0)?.to_owned(), &vector);
                Ok(())
            })?;
            Ok(rows)
        })
        .await
    }

    /// The cached prediction for the image `sha1` and `model_id`.
    pub async fn prediction(&self, sha1: &str, model_id: i64) -> Result<Option<f64>> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT p.score FROM predictions p JOIN images i ON i.id = p.image_id
              WHERE i.sha1 = $1 AND p.model_id = $2",
        )
        .bind(sha1)
        .bind(model_id)
        .fetch_optional(pool)
        .await)?)
    }
}

/// A model's embeddings of the images that can be shown, by SHA-1, in image order.
const EMBEDDINGS: &str =
    "SELECT s.sha1, e.vector FROM embeddings e JOIN shown_images s ON s.id = e.image_id
  WHERE e.model_id = $1 ORDER BY s.id";

/// An embedding's BLOB (little-endian f32) as numbers.
pub(super) fn floats(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Rows per batch from the reading thread to the indexing one.
const BATCH: usize = 512;

/// A batch of rows: their SHA-1s, and their vectors one after another (`ends[i]` is where row
/// `i` ends in `values`).
#[derive(Default)]
struct Batch {
    keys: Vec<String>,
    values: Vec<f32>,
    ends: Vec<usize>,
}

/// What collects a model's embeddings as [`Store::read_embeddings`] reads them.
pub trait EmbeddingRows: Send + 'static {
    /// The next row: its image's SHA-1 and its vector.
    fn push_row(&mut self, sha1: String, vector: &[f32]);
}

/// [`Store::read_embeddings`]'s read, on the database file at `path`: one thread steps through
/// the rows and converts their BLOBs into batches, this one hands them to `rows` (most of which
/// is the kernel handing out the collection's fresh pages), so the two overlap.
fn read_rows<R: EmbeddingRows>(path: &str, model_id: i64, mut rows: R) -> Result<R> {
    use std::sync::mpsc;
    let (full, filled) = mpsc::sync_channel::<Result<Batch>>(4);
    let (empty, emptied) = mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Err(e) = read_batches(path, model_id, &full, &emptied) {
                let _ = full.send(Err(e));
            }
        });
        for batch in filled {
            let mut batch = batch?;
            let mut start = 0;
            for (key, &end) in batch.keys.drain(..).zip(&batch.ends) {
                rows.push_row(key, &batch.values[start..end]);
                start = end;
            }
            // The reader takes it back (or has finished, and it is dropped).
            let _ = empty.send(batch);
        }
        Ok(rows)
    })
}

/// Reads the rows of [`read_rows`] into batches sent on `full`, reusing those that
/// come back on `emptied`.
fn read_batches(
    path: &str,
    model_id: i64,
    full: &std::sync::mpsc::SyncSender<Result<Batch>>,
    emptied: &std::sync::mpsc::Receiver<Batch>,
) -> Result<()> {
    let db = super::snapshot::open_read_only(path)?;
    let mut query = db.prepare(EMBEDDINGS)?;
    let mut rows = query.query([model_id])?;
    let mut batch = Batch::default();
    while let Some(row) = rows.next()? {
        // A vector that is not a BLOB (never written so) is left out.
        let rusqlite::types::ValueRef::Blob(blob) = row.get_ref(1)? else {
            continue;
        };
        batch.values.extend(
            blob.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        batch.ends.push(batch.values.len());
        batch.keys.push(row.get(0)?);
        if batch.keys.len() == BATCH {
            let mut next = emptied.try_recv().unwrap_or_default();
            next.keys.clear();
            next.values.clear();
            next.ends.clear();
            if full.send(Ok(std::mem::replace(&mut batch, next))).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.keys.is_empty() {
        let _ = full.send(Ok(batch));
    }
    Ok(())
}
