//! What the exports, the statistics and the plots are made from: every image the chosen raters
//! judged, with its files, their current scores, each pack's prediction and its comparisons,
//! read in one snapshot of the database on a read-only connection of its own (rusqlite, on a
//! blocking thread), so a long export never holds up a score.

use super::Store;
use crate::{CoreError, Result};
use image_scorer_protocol::{ComparisonOutcome, ImageRole, JudgementKind};
use std::collections::HashMap;

/// One rater's current score of an image.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentScore {
    /// The rater, an index into [`Ratings::raters`].
    pub rater: usize,
    /// 1-10.
    pub value: f64,
    /// When it was given (ISO 8601, UTC).
    pub created: String,
    /// Which experiment gave it.
    pub kind: JudgementKind,
}

/// An image with what the chosen raters said of it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RatedImage {
    /// Its row id.
    pub id: i64,
    /// Its SHA-1.
    pub sha1: String,
    /// Its present files in open folders, oldest first: (folder, path below it).
    pub files: Vec<(String, String)>,
    /// The chosen raters' current scores, by rater.
    pub scores: Vec<CurrentScore>,
    /// Each model's prediction: (index into [`Ratings::models`], score).
    pub predictions: Vec<(usize, f64)>,
    /// How many comparisons of the chosen raters (not undone) showed it.
    pub comparisons: u32,
    /// Whether it is marked as a duplicate.
    pub duplicate: bool,
    /// Whether it can be shown (decodes, and a file of it is present).
    pub shown: bool,
}

impl RatedImage {
    /// The mean of the chosen raters' current scores.
    pub fn mean(&self) -> Option<f64> {
        (!self.scores.is_empty())
            .then(|| self.scores.iter().map(|s| s.value).sum::<f64>() / self.scores.len() as f64)
    }
}

/// The judgements of the chosen raters and what they are about.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ratings {
    /// The chosen raters by index: (id, name).
    pub raters: Vec<(i64, String)>,
    /// Every model by index: (id, name).
    pub models: Vec<(i64, String)>,
    /// The images judged (scored or compared) by a chosen rater, by row id; with `everything`,
    /// every image that can be shown too.
    pub images: Vec<RatedImage>,
}

/// One comparison, with its images in screen order.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedComparison {
    /// Who.
    pub rater: String,
    /// When (ISO 8601, UTC).
    pub created: String,
    /// How it ended.
    pub outcome: ComparisonOutcome,
    /// The images in screen order.
    pub images: Vec<ComparedImage>,
}

/// One image of a logged comparison: its SHA-1, its first present file as (folder, path), and
/// whether it won.
pub type ComparedImage = (String, Option<(String, String)>, bool);

impl Store {
    /// The database file's path.
    pub async fn file_path(&self) -> Result<String> {
        Ok(
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Runs `read` in one read transaction on a read-only connection of its own, on a blocking
    /// thread: it sees what was committed when it starts, and writers go on meanwhile.
    pub async fn read_snapshot<T: Send + 'static>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let path = self.file_path().await?;
        tokio::task::spawn_blocking(move || {
            let mut db = open_read_only(&path)?;
            let tx = db.transaction()?;
            let out = read(&tx)?;
            tx.finish()?;
            Ok(out)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("reading the database: {e}")))?
    }

    /// The ids of the raters called `names` (trimmed), in that order; every rater, oldest
    /// first, when `names` is empty. An unknown name is an error that names it.
    pub async fn raters_named(&self, names: &[String]) -> Result<Vec<(i64, String)>> {
        let all: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM raters ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        if names.is_empty() {
            return Ok(all);
        }
        names
            .iter()
            .map(|n| {
                let n = n.trim();
                all.iter()
                    .find(|(_, name)| name == n)
                    .cloned()
                    .ok_or_else(|| {
                        CoreError::InvalidInput(format!("There is no rater called “{n}”."))
                    })
            })
            .collect()
    }

    /// What `raters` said, in one snapshot (see [`Ratings`]); with `everything`, every image
    /// that can be shown is listed too, judged or not.
    pub async fn ratings(&self, raters: Vec<(i64, String)>, everything: bool) -> Result<Ratings> {
        self.read_snapshot(move |db| read_ratings(db, raters, everything))
            .await
    }

    /// Every comparison of `rater_ids` (not undone), oldest first.
    pub async fn logged_comparisons(&self, rater_ids: Vec<i64>) -> Result<Vec<LoggedComparison>> {
        self.read_snapshot(move |db| read_comparisons(db, &rater_ids))
            .await
    }

    /// The embeddings of `model_id` of the images `ids`, in that order (`None` where an image
    /// has none, or one of another length than the first found).
    pub async fn embeddings_of(
        &self,
        model_id: i64,
        ids: Vec<i64>,
    ) -> Result<Vec<Option<Vec<f32>>>> {
        self.read_snapshot(move |db| {
            let mut query =
                db.prepare("SELECT vector FROM embeddings WHERE model_id = ?1 AND image_id = ?2")?;
            let mut width = None;
            ids.iter()
                .map(|id| {
                    let blob: Option<Vec<u8>> = match query.query_row((model_id, id), |r| r.get(0))
                    {
                        Ok(b) => Some(b),
                        Err(rusqlite::Error::QueryReturnedNoRows) => None,
                        Err(e) => return Err(e.into()),
                    };
                    Ok(blob.and_then(|b| {
                        let v: Vec<f32> = b
                            .chunks_exact(4)
                            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                            .collect();
                        (*width.get_or_insert(v.len()) == v.len() && !v.is_empty()).then_some(v)
                    }))
                })
                .collect()
        })
        .await
    }
}

/// A read-only connection to the database at `path` that waits up to 5 s for a writer.
pub(crate) fn open_read_only(path: &str) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let db = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(db)
}

fn read_ratings(
    db: &rusqlite::Connection,
    raters: Vec<(i64, String)>,
    everything: bool,
) -> Result<Ratings> {
    let rater_index: HashMap<i64, usize> = raters
        .iter()
        .enumerate()
        .map(|(k, (id, _))| (*id, k))
        .collect();
    let mut images: HashMap<i64, RatedImage> = HashMap::new();
    let mut query = db.prepare(
        "SELECT c.image_id, c.rater_id, c.value, c.created, j.kind
           FROM current_scores c JOIN judgements j ON j.id = c.judgement_id",
    )?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let Some(&rater) = rater_index.get(&row.get::<_, i64>(1)?) else {
            continue;
        };
        let kind: String = row.get(4)?;
        images
            .entry(row.get(0)?)
            .or_default()
            .scores
            .push(CurrentScore {
                rater,
                value: row.get(2)?,
                created: row.get(3)?,
                kind: JudgementKind::parse(&kind).unwrap_or(JudgementKind::Imported),
            });
    }
    let mut query = db.prepare(
        "SELECT ji.image_id, j.rater_id, COUNT(*)
           FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
          WHERE j.kind = 'comparison' AND j.undone = 0
          GROUP BY ji.image_id, j.rater_id",
    )?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        if rater_index.contains_key(&row.get::<_, i64>(1)?) {
            images.entry(row.get(0)?).or_default().comparisons += row.get::<_, u32>(2)?;
        }
    }
    if everything {
        let mut query = db.prepare("SELECT id FROM shown_images")?;
        let mut rows = query.query([])?;
        while let Some(row) = rows.next()? {
            images.entry(row.get(0)?).or_default();
        }
    }
    let mut query = db.prepare(
        "SELECT i.id, i.sha1, EXISTS (SELECT 1 FROM shown_images s WHERE s.id = i.id),
                EXISTS (SELECT 1 FROM duplicate_images d WHERE d.image_id = i.id)
           FROM images i",
    )?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        if let Some(image) = images.get_mut(&row.get::<_, i64>(0)?) {
            image.id = row.get(0)?;
            image.sha1 = row.get(1)?;
            image.shown = row.get(2)?;
            image.duplicate = row.get(3)?;
        }
    }
    let mut query = db.prepare(
        "SELECT f.image_id, r.path, f.rel_path FROM files f JOIN roots r ON r.id = f.root_id
          WHERE f.present = 1 AND f.image_id IS NOT NULL ORDER BY f.id",
    )?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        if let Some(image) = images.get_mut(&row.get::<_, i64>(0)?) {
            image.files.push((row.get(1)?, row.get(2)?));
        }
    }
    let models: Vec<(i64, String)> = db
        .prepare("SELECT id, name FROM models ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let model_index: HashMap<i64, usize> = models
        .iter()
        .enumerate()
        .map(|(k, (id, _))| (*id, k))
        .collect();
    let mut query = db.prepare("SELECT image_id, model_id, score FROM predictions")?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        if let Some(image) = images.get_mut(&row.get::<_, i64>(0)?) {
            if let Some(&m) = model_index.get(&row.get::<_, i64>(1)?) {
                image.predictions.push((m, row.get(2)?));
            }
        }
    }
    let mut images: Vec<RatedImage> = images.into_values().collect();
    images.sort_by_key(|i| i.id);
    for image in &mut images {
        image.scores.sort_by_key(|s| s.rater);
    }
    Ok(Ratings {
        raters,
        models,
        images,
    })
}

fn read_comparisons(db: &rusqlite::Connection, rater_ids: &[i64]) -> Result<Vec<LoggedComparison>> {
    let mut first_file: HashMap<i64, (String, String)> = HashMap::new();
    let mut query = db.prepare(
        "SELECT f.image_id, r.path, f.rel_path FROM files f JOIN roots r ON r.id = f.root_id
          WHERE f.present = 1 AND f.image_id IS NOT NULL ORDER BY f.id DESC",
    )?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        first_file.insert(row.get(0)?, (row.get(1)?, row.get(2)?));
    }
    let mut query = db.prepare(
        "SELECT j.id, j.rater_id, r.name, j.created, j.outcome, ji.image_id, i.sha1, ji.role
           FROM judgements j JOIN raters r ON r.id = j.rater_id
           JOIN judgement_images ji ON ji.judgement_id = j.id
           JOIN images i ON i.id = ji.image_id
          WHERE j.kind = 'comparison' AND j.undone = 0
          ORDER BY j.id, ji.position",
    )?;
    let mut rows = query.query([])?;
    let mut out: Vec<LoggedComparison> = Vec::new();
    let mut last = None;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if !rater_ids.contains(&row.get::<_, i64>(1)?) {
            continue;
        }
        if last != Some(id) {
            let outcome: String = row.get(4)?;
            out.push(LoggedComparison {
                rater: row.get(2)?,
                created: row.get(3)?,
                outcome: ComparisonOutcome::parse(&outcome).unwrap_or(ComparisonOutcome::None),
                images: Vec::new(),
            });
            last = Some(id);
        }
        let role: String = row.get(7)?;
        let image_id: i64 = row.get(5)?;
        if let Some(c) = out.last_mut() {
            c.images.push((
                row.get(6)?,
                first_file.get(&image_id).cloned(),
                ImageRole::parse(&role) == Some(ImageRole::Winner),
            ));
        }
    }
    Ok(out)
}
