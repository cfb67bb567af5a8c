//! Writing an import: judgements from another tool's database or another machine's export go
//! into the one log with their own raters and times, in one transaction. A judgement the log
//! already has (the same rater, time, kind of judgement, images and value) is not added again,
//! so importing a file twice adds nothing. Images the library has no file of yet are recorded
//! by their hash alone (`images.seen` false) and their judgements attach when a file appears.

use super::backend::{on_pool, on_tx};
use super::changes::Change;
use super::log_insert::{insert, Imported};
use super::{NewJudgement, Store};
use crate::Result;
use image_scorer_protocol::{ImageRole, JudgementKind};
use std::collections::HashMap;

/// What a copied log is read as ([`Store::log_as_import`]).
pub const COPY_FORMAT: &str = "Image Scorer database";

/// Who an imported judgement is by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImportRater {
    /// A rater of another tool, known there by `key` (e.g. the old tool's user hash): found
    /// again by that key however they were renamed, else added as `name`.
    Keyed {
        /// Which tool ("ratings.db").
        source: String,
        /// Their key there.
        key: String,
        /// The name to add them under (made unique when taken).
        name: String,
    },
    /// A rater of this app, by name (added if new).
    Named(String),
}

/// One judgement to import.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportJudgement {
    /// Its rater, an index into [`ImportBatch::raters`].
    pub rater: usize,
    /// When it was made, as a log time (`2024-05-01T12:00:00.000Z`, UTC).
    pub created: String,
    /// The judgement (its `rater_id` is set on import).
    pub judgement: NewJudgement,
}

/// A file's judgements, ready to import.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportBatch {
    /// The file's name.
    pub source: String,
    /// What it was read as.
    pub format: String,
    /// The raters its judgements are by.
    pub raters: Vec<ImportRater>,
    /// The judgements, in the file's order.
    pub judgements: Vec<ImportJudgement>,
}

/// What an import added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// The raters the judgements went to, by name, in the batch's order of raters used.
    pub raters: Vec<String>,
    /// Scores added.
    pub scores: u32,
    /// Comparisons added.
    pub comparisons: u32,
    /// Judgements of other kinds added.
    pub others: u32,
    /// Judgements the log already had.
    pub already: u32,
    /// Distinct images of the batch with no present file in the library.
    pub absent_images: u32,
    /// The import's id.
    pub import_id: i64,
}

impl Store {
    /// Imports `batch` in one transaction, with `report` (JSON) kept in the `imports` table;
    /// `progress(done, total)` after each judgement.
    pub async fn import(
        &self,
        batch: &ImportBatch,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<ImportCounts> {
        let mut tx = self.write().await?;
        let import_id: i64 = on_tx!(&mut tx, |conn| sqlx::query_scalar(
            "INSERT INTO imports (source, format) VALUES ($1, $2) RETURNING id"
        )
        .bind(&batch.source)
        .bind(&batch.format)
        .fetch_one(&mut **conn)
        .await)?;
        let mut counts = ImportCounts {
            import_id,
            ..ImportCounts::default()
        };
        let mut rater_ids: HashMap<usize, i64> = HashMap::new();
        let mut image_ids: HashMap<String, i64> = HashMap::new();
        let total = batch.judgements.len();
        for (done, item) in batch.judgements.iter().enumerate() {
            let rater_id = match rater_ids.get(&item.rater) {
                Some(id) => *id,
                None => {
                    let (id, name) = import_rater(&mut tx, &batch.raters[item.rater]).await?;
                    rater_ids.insert(item.rater, id);
                    counts.raters.push(name);
                    id
                }
            };
            let mut images = Vec::with_capacity(item.judgement.images.len());
            for (sha1, role) in &item.judgement.images {
                let id = match image_ids.get(sha1) {
                    Some(id) => *id,
                    None => {
                        let (id, present) = known_image(&mut tx, sha1).await?;
                        if !present {
                            counts.absent_images += 1;
                        }
                        image_ids.insert(sha1.clone(), id);
                        id
                    }
                };
                images.push((id, *role));
            }
            let j = &item.judgement;
            if already_logged(&mut tx, rater_id, &item.created, j, &images).await? {
                counts.already += 1;
            } else {
                let imported = Imported {
                    import_id,
                    created: &item.created,
                };
                insert(&mut tx, j, rater_id, &images, Some(imported)).await?;
                match j.kind {
                    k if k.is_score() => counts.scores += 1,
                    JudgementKind::Comparison => counts.comparisons += 1,
                    _ => counts.others += 1,
                }
            }
            if done % 256 == 255 || done + 1 == total {
                progress(done + 1, total);
            }
        }
        self.announce_in(&mut tx, &Change::Log).await?;
        tx.commit().await?;
        self.changed_here(Change::Log);
        Ok(counts)
    }

    /// Keeps `report` (JSON) with the import `id`.
    pub async fn set_import_report(&self, id: i64, report: &str) -> Result<()> {
        on_pool!(self, |pool| sqlx::query(
            "UPDATE imports SET report = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(report)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// This database's log as an import for another one (a desktop's file to a team server,
    /// or back: `image-scorer-cli copy`): every judgement that stands, with its rater and
    /// time, named `source`; the destination's import keeps what it has already. Also how many
    /// undone judgements were left out (they count for nothing). Only reads.
    pub async fn log_as_import(&self, source: &str) -> Result<(ImportBatch, usize)> {
        let names = self.raters().await?;
        let raters = self.raters_named(&names).await?;
        let mut batch = ImportBatch {
            source: source.to_owned(),
            format: COPY_FORMAT.to_owned(),
            ..ImportBatch::default()
        };
        let mut undone = 0;
        for (index, (id, name)) in raters.into_iter().enumerate() {
            batch.raters.push(ImportRater::Named(name));
            for j in self.judgements_by(id).await? {
                if j.undone {
                    undone += 1;
                    continue;
                }
                batch.judgements.push(ImportJudgement {
                    rater: index,
                    created: j.created,
                    judgement: NewJudgement {
                        kind: j.kind,
                        rater_id: 0,
                        images: j.images.into_iter().map(|i| (i.sha1, i.role)).collect(),
                        value: j.value,
                        outcome: j.outcome,
                        shown_prediction: j.shown_prediction,
                        shown_cosine: j.shown_cosine,
                        // Models are numbered per database: which one was shown stays here.
                        model_id: None,
                        shown_own: false,
                    },
                });
            }
        }
        Ok((batch, undone))
    }

    /// Renames the rater `from` to `to` (trimmed, 1-64 characters, a name no rater has).
    pub async fn rename_rater(&self, from: &str, to: &str) -> Result<()> {
        use crate::CoreError;
        let (from, to) = (from.trim(), to.trim());
        if to.is_empty() || to.chars().count() > 64 {
            return Err(CoreError::InvalidInput(
                "A rater's name must have 1 to 64 characters.".into(),
            ));
        }
        let mut tx = self.write().await?;
        let taken: bool = on_tx!(&mut tx, |conn| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM raters WHERE name = $1)"
        )
        .bind(to)
        .fetch_one(&mut **conn)
        .await)?;
        if taken {
            return Err(CoreError::InvalidInput(format!(
                "There is already a rater called “{to}”."
            )));
        }
        let done = on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE raters SET name = $2 WHERE name = $1"
        )
        .bind(from)
        .bind(to)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected()))?;
        if done == 0 {
            return Err(CoreError::InvalidInput(format!(
                "There is no rater called “{from}”."
            )));
        }
        self.announce_in(&mut tx, &Change::Log).await?;
        tx.commit().await?;
        self.changed_here(Change::Log);
        Ok(())
    }
}

use super::backend::Tx;

/// The rater's id and name, added if new.
async fn import_rater(tx: &mut Tx, rater: &ImportRater) -> Result<(i64, String)> {
    let (source, key, name) = match rater {
        ImportRater::Named(name) => {
            let name = name.trim();
            on_tx!(tx, |conn| sqlx::query(
                "INSERT INTO raters (name) VALUES ($1) ON CONFLICT (name) DO NOTHING"
            )
            .bind(name)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected()))?;
            let id = on_tx!(tx, |conn| sqlx::query_scalar(
                "SELECT id FROM raters WHERE name = $1"
            )
            .bind(name)
            .fetch_one(&mut **conn)
            .await)?;
            return Ok((id, name.to_owned()));
        }
        ImportRater::Keyed { source, key, name } => (source, key, name),
    };
    let known: Option<(i64, String)> = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT r.id, r.name FROM rater_sources s JOIN raters r ON r.id = s.rater_id
          WHERE s.source = $1 AND s.key = $2",
    )
    .bind(source)
    .bind(key)
    .fetch_optional(&mut **conn)
    .await)?;
    if let Some(known) = known {
        return Ok(known);
    }
    // A name no rater has: the one asked for, else with a number.
    let mut candidate = name.clone();
    let mut n = 1;
    loop {
        let taken: bool = on_tx!(tx, |conn| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM raters WHERE name = $1)"
        )
        .bind(&candidate)
        .fetch_one(&mut **conn)
        .await)?;
        if !taken {
            break;
        }
        n += 1;
        candidate = format!("{name} ({n})");
    }
    let id: i64 = on_tx!(tx, |conn| sqlx::query_scalar(
        "INSERT INTO raters (name) VALUES ($1) RETURNING id"
    )
    .bind(&candidate)
    .fetch_one(&mut **conn)
    .await)?;
    on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO rater_sources (source, key, rater_id) VALUES ($1, $2, $3)"
    )
    .bind(source)
    .bind(key)
    .bind(id)
    .execute(&mut **conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok((id, candidate))
}

/// The image's id (recorded by its hash alone when new) and whether a file of it is present.
async fn known_image(tx: &mut Tx, sha1: &str) -> Result<(i64, bool)> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO images (sha1, status, seen) VALUES ($1, 'ok', FALSE) ON CONFLICT (sha1) DO NOTHING",
    )
    .bind(sha1)
    .execute(&mut **conn)
    .await.map(|done| done.rows_affected())
    })?;
    Ok(on_tx!(tx, |conn| sqlx::query_as(
        "SELECT i.id, EXISTS (SELECT 1 FROM files f WHERE f.image_id = i.id AND f.present = TRUE)
           FROM images i WHERE i.sha1 = $1",
    )
    .bind(sha1)
    .fetch_one(&mut **conn)
    .await)?)
}

/// Whether the log has a judgement by `rater_id` at `created` of the same kind (any score kind
/// for a score) about the same images in the same roles, with the same value.
async fn already_logged(
    tx: &mut Tx,
    rater_id: i64,
    created: &str,
    j: &NewJudgement,
    images: &[(i64, ImageRole)],
) -> Result<bool> {
    let kinds: Vec<&str> = if j.kind.is_score() {
        JudgementKind::ALL
            .iter()
            .filter(|k| k.is_score())
            .map(|k| k.as_str())
            .collect()
    } else {
        vec![j.kind.as_str()]
    };
    let candidates: Vec<(i64, String, Option<f64>, Option<String>)> =
        on_tx!(tx, |conn| sqlx::query_as(
            "SELECT id, kind, value, outcome FROM judgements WHERE rater_id = $1 AND created = $2",
        )
        .bind(rater_id)
        .bind(created)
        .fetch_all(&mut **conn)
        .await)?;
    let mut wanted: Vec<(i64, &str)> = images.iter().map(|(id, r)| (*id, r.as_str())).collect();
    wanted.sort();
    for (id, kind, value, outcome) in candidates {
        let same_value = match (value, j.value) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        };
        if !kinds.contains(&kind.as_str())
            || !same_value
            || outcome.as_deref() != j.outcome.map(|o| o.as_str())
        {
            continue;
        }
        let mut theirs: Vec<(i64, String)> = on_tx!(tx, |conn| sqlx::query_as(
            "SELECT image_id, role FROM judgement_images WHERE judgement_id = $1"
        )
        .bind(id)
        .fetch_all(&mut **conn)
        .await)?;
        theirs.sort();
        if theirs.len() == wanted.len()
            && theirs
                .iter()
                .zip(&wanted)
                .all(|(a, b)| a.0 == b.0 && a.1 == b.1)
        {
            return Ok(true);
        }
    }
    Ok(false)
}
