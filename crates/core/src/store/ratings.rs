//! What the exports, the statistics and the plots are made from: every image the chosen raters
//! judged, with its files, their current scores, each pack's prediction and its comparisons,
//! read in one snapshot of the database on a read-only connection of its own (rusqlite, on a
//! blocking thread), so a long export never holds up a score.

use super::backend::on_pool;
use super::snapshot::Snapshot;
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
    /// The ids of the raters called `names` (trimmed), in that order; every rater, oldest
    /// first, when `names` is empty. An unknown name is an error that names it.
    pub async fn raters_named(&self, names: &[String]) -> Result<Vec<(i64, String)>> {
        let all: Vec<(i64, String)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, name FROM raters ORDER BY id"
        )
        .fetch_all(pool)
        .await)?;
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
            let mut width = None;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let mut found: Option<Vec<f32>> = None;
                db.each(
                    "SELECT vector FROM embeddings WHERE model_id = $1 AND image_id = $2",
                    &[model_id, id],
                    |row| {
                        found = Some(super::embeddings::floats(row.blob(0)?));
                        Ok(())
                    },
                )?;
                out.push(
                    found.filter(|v| *width.get_or_insert(v.len()) == v.len() && !v.is_empty()),
                );
            }
            Ok(out)
        })
        .await
    }
}

fn read_ratings(
    db: &mut Snapshot,
    raters: Vec<(i64, String)>,
    everything: bool,
) -> Result<Ratings> {
    let rater_index: HashMap<i64, usize> = raters
        .iter()
        .enumerate()
        .map(|(k, (id, _))| (*id, k))
        .collect();
    let mut images: HashMap<i64, RatedImage> = HashMap::new();
    db.each(
        "SELECT c.image_id, c.rater_id, c.value, c.created, j.kind
           FROM current_scores c JOIN judgements j ON j.id = c.judgement_id",
        &[],
        |row| {
            let Some(&rater) = rater_index.get(&row.int(1)?) else {
                return Ok(());
            };
            images
                .entry(row.int(0)?)
                .or_default()
                .scores
                .push(CurrentScore {
                    rater,
                    value: row.real(2)?,
                    created: row.text(3)?.to_owned(),
                    kind: JudgementKind::parse(row.text(4)?).unwrap_or(JudgementKind::Imported),
                });
            Ok(())
        },
    )?;
    db.each(
        "SELECT ji.image_id, j.rater_id, COUNT(*)
           FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
          WHERE j.kind = 'comparison' AND j.undone = FALSE
          GROUP BY ji.image_id, j.rater_id",
        &[],
        |row| {
            if rater_index.contains_key(&row.int(1)?) {
                images.entry(row.int(0)?).or_default().comparisons += row.int(2)? as u32;
            }
            Ok(())
        },
    )?;
    if everything {
        db.each("SELECT id FROM shown_images", &[], |row| {
            images.entry(row.int(0)?).or_default();
            Ok(())
        })?;
    }
    db.each(
        "SELECT i.id, i.sha1, EXISTS (SELECT 1 FROM shown_images s WHERE s.id = i.id),
                EXISTS (SELECT 1 FROM duplicate_images d WHERE d.image_id = i.id)
           FROM images i",
        &[],
        |row| {
            if let Some(image) = images.get_mut(&row.int(0)?) {
                image.id = row.int(0)?;
                image.sha1 = row.text(1)?.to_owned();
                image.shown = row.flag(2)?;
                image.duplicate = row.flag(3)?;
            }
            Ok(())
        },
    )?;
    db.each(
        "SELECT f.image_id, r.path, f.rel_path FROM files f JOIN roots r ON r.id = f.root_id
          WHERE f.present = TRUE AND f.image_id IS NOT NULL ORDER BY f.id",
        &[],
        |row| {
            if let Some(image) = images.get_mut(&row.int(0)?) {
                image
                    .files
                    .push((row.text(1)?.to_owned(), row.text(2)?.to_owned()));
            }
            Ok(())
        },
    )?;
    let mut models: Vec<(i64, String)> = Vec::new();
    db.each("SELECT id, name FROM models ORDER BY id", &[], |row| {
        models.push((row.int(0)?, row.text(1)?.to_owned()));
        Ok(())
    })?;
    let model_index: HashMap<i64, usize> = models
        .iter()
        .enumerate()
        .map(|(k, (id, _))| (*id, k))
        .collect();
    db.each(
        "SELECT image_id, model_id, score FROM predictions",
        &[],
        |row| {
            if let Some(image) = images.get_mut(&row.int(0)?) {
                if let Some(&m) = model_index.get(&row.int(1)?) {
                    image.predictions.push((m, row.real(2)?));
                }
            }
            Ok(())
        },
    )?;
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

fn read_comparisons(db: &mut Snapshot, rater_ids: &[i64]) -> Result<Vec<LoggedComparison>> {
    let mut first_file: HashMap<i64, (String, String)> = HashMap::new();
    db.each(
        "SELECT f.image_id, r.path, f.rel_path FROM files f JOIN roots r ON r.id = f.root_id
          WHERE f.present = TRUE AND f.image_id IS NOT NULL ORDER BY f.id DESC",
        &[],
        |row| {
            first_file.insert(
                row.int(0)?,
                (row.text(1)?.to_owned(), row.text(2)?.to_owned()),
            );
            Ok(())
        },
    )?;
    let mut out: Vec<LoggedComparison> = Vec::new();
    let mut last = None;
    db.each(
        "SELECT j.id, j.rater_id, r.name, j.created, j.outcome, ji.image_id, i.sha1, ji.role
           FROM judgements j JOIN raters r ON r.id = j.rater_id
           JOIN judgement_images ji ON ji.judgement_id = j.id
           JOIN images i ON i.id = ji.image_id
          WHERE j.kind = 'comparison' AND j.undone = FALSE
          ORDER BY j.id, ji.position",
        &[],
        |row| {
            let id = row.int(0)?;
            if !rater_ids.contains(&row.int(1)?) {
                return Ok(());
            }
            if last != Some(id) {
                out.push(LoggedComparison {
                    rater: row.text(2)?.to_owned(),
                    created: row.text(3)?.to_owned(),
                    outcome: ComparisonOutcome::parse(row.text_opt(4)?.unwrap_or_default())
                        .unwrap_or(ComparisonOutcome::None),
                    images: Vec::new(),
                });
                last = Some(id);
            }
            let image_id = row.int(5)?;
            let winner = ImageRole::parse(row.text(7)?) == Some(ImageRole::Winner);
            if let Some(c) = out.last_mut() {
                c.images.push((
                    row.text(6)?.to_owned(),
                    first_file.get(&image_id).cloned(),
                    winner,
                ));
            }
            Ok(())
        },
    )?;
    Ok(out)
}
