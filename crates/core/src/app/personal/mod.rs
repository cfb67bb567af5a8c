//! Each rater's own model of their scores ([`image_scorer_personal`]), learned while they rate:
//! ridge regression on the active pack's cached embeddings, over the pack's head where it has
//! one. A score, a rating or an undo changes the rater's model in the background by one
//! rank-one update (`cargo xtask bench personal`), never in the way of the next key; then the
//! penalty is chosen again by GCV and the quality cross-validated along the ratings (the
//! learning curve), on a blocking thread, from a copy of the model.
//!
//! A model is loaded whole (one matrix product) when first asked for, when the active pack
//! changes, and when more of the rater's scored images have been embedded since.

mod export;
mod gallery;
mod teach;

use super::{App, Inner};
use crate::store::PersonalRating;
use crate::{CoreError, Result};
use image_scorer_personal::{learning_curve, Quality, Rated, Ridge};
use image_scorer_protocol::{EmbedProgress, ModelQuality, PersonalModel};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::Notify;

/// The penalty a model starts with, until GCV chooses one.
const START_LAMBDA: f64 = 1.0;

/// One rater's model, for one pack.
struct Entry {
    model_id: i64,
    /// How many images the pack had embedded when the model was loaded.
    embedded: u32,
    ridge: Ridge,
    /// Counts the changes of `ridge`: a copy refitted off the lock replaces it only if none
    /// came meanwhile.
    revision: u64,
    /// The cross-validated quality along the ratings; the last point is the model's.
    curve: Vec<Quality>,
}

impl Entry {
    /// The latest cross-validated quality.
    fn quality(&self) -> Option<&Quality> {
        self.curve.last()
    }
}

/// The personal models; see the module.
#[derive(Default)]
pub struct Personal {
    entries: Mutex<HashMap<i64, Entry>>,
    /// Raters whose model has work waiting, with the images whose score changed.
    pending: Mutex<HashMap<i64, HashSet<i64>>>,
    wake: Arc<Notify>,
    /// Raters whose model is being brought up to date now.
    busy: Mutex<HashSet<i64>>,
}

impl Personal {
    /// The score of `image_id` by `rater` changed (given, replaced or undone).
    pub fn score_changed(&self, rater: i64, image_id: i64) {
        self.pending
            .lock()
            .expect("pending")
            .entry(rater)
            .or_default()
            .insert(image_id);
        self.wake.notify_one();
    }

    /// Asks for `rater`'s model to be loaded (or checked against the pack) in the background.
    pub fn want(&self, rater: i64) {
        self.pending
            .lock()
            .expect("pending")
            .entry(rater)
            .or_default();
        self.wake.notify_one();
    }

    /// Every model is stale (an import changed scores of any rater): each is loaded again when
    /// next wanted.
    pub fn reset(&self) {
        self.entries.lock().expect("entries").clear();
    }

    /// Whether `rater`'s model has no work waiting or running.
    pub fn settled(&self, rater: i64) -> bool {
        !self.pending.lock().expect("pending").contains_key(&rater)
            && !self.busy.lock().expect("busy").contains(&rater)
    }

    /// Whether `rater`'s model for `model_id` is loaded, and if so, whether it was loaded
    /// with fewer of the library's embeddings than `progress` has now ([`outdated`]).
    fn loaded(&self, rater: i64, model_id: i64, progress: &EmbedProgress) -> (bool, bool) {
        match self.entries.lock().expect("entries").get(&rater) {
            Some(e) if e.model_id == model_id => (true, outdated(e.embedded, progress)),
            _ => (false, false),
        }
    }

    /// `rater`'s prediction for an image with embedding `x` whose head predicted `head`, with
    /// whether the model is better than the pack's head (or, without a head, than the mean)
    /// by cross-validation. `None` until the model for `model_id` is loaded and has ratings.
    pub fn predict(
        &self,
        rater: i64,
        model_id: i64,
        x: &[f32],
        head: Option<f64>,
    ) -> Option<(f64, bool)> {
        let entries = self.entries.lock().expect("entries");
        let e = entries
            .get(&rater)
            .filter(|e| e.model_id == model_id && !e.ridge.is_empty())?;
        if x.len() != e.ridge.dim() {
            return None;
        }
        let better = e
            .quality()
            .is_some_and(|q| better_than_pack(q, head.is_some()));
        Some((
            e.ridge.predict(x, head.unwrap_or(0.0)).clamp(1.0, 10.0),
            better,
        ))
    }

    /// What the Ratings page and the header show of `rater`'s model.
    pub fn describe(&self, rater: i64, model_id: Option<i64>, has_head: bool) -> PersonalModel {
        let entries = self.entries.lock().expect("entries");
        let e = entries.get(&rater).filter(|e| Some(e.model_id) == model_id);
        let curve: Vec<ModelQuality> =
            e.map_or_else(Vec::new, |e| e.curve.iter().map(quality).collect());
        let better = e
            .and_then(Entry::quality)
            .is_some_and(|q| better_than_pack(q, has_head));
        PersonalModel {
            ratings: e.map_or(0, |e| e.ridge.len() as u32),
            quality: curve.last().cloned(),
            curve,
            better_than_pack: better,
            has_head,
            lambda: e.map(|e| e.ridge.lambda()),
            settled: self.settled(rater),
        }
    }

    /// Brings every model with work waiting up to date, until none is left; the app runs it
    /// for its whole life, woken by [`Personal::score_changed`] and [`Personal::want`]. It ends
    /// when the app is gone.
    pub async fn run(app: Weak<Inner>, wake: Arc<Notify>) {
        loop {
            wake.notified().await;
            let Some(inner) = app.upgrade() else { return };
            App(inner).sync_pending().await;
        }
    }

    /// The wake-up of [`Personal::run`].
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}

/// Whether a model of this quality should be shown instead of the pack's head (without a head,
/// instead of nothing): a lower cross-validated mean absolute error than the head's on the same
/// ratings, or than predicting the mean.
fn better_than_pack(q: &Quality, has_head: bool) -> bool {
    let rival = if has_head { q.head_mae } else { q.mean_mae };
    q.mae < rival
}

fn quality(q: &Quality) -> ModelQuality {
    ModelQuality {
        ratings: q.n as u32,
        spearman: q.spearman,
        mae: q.mae,
        head_spearman: q.head_spearman,
        head_mae: q.head_mae,
        mean_mae: q.mean_mae,
    }
}

impl App {
    /// Works through every rater with work waiting, until none is left.
    async fn sync_pending(&self) {
        let personal = &self.0.personal;
        loop {
            let work: Vec<(i64, HashSet<i64>)> = {
                let mut pending = personal.pending.lock().expect("pending");
                let mut busy = personal.busy.lock().expect("busy");
                let work: Vec<_> = pending.drain().collect();
                busy.extend(work.iter().map(|(r, _)| *r));
                work
            };
            if work.is_empty() {
                return;
            }
            for (rater, images) in work {
                if let Err(e) = self.sync(rater, images).await {
                    eprintln!("image-scorer: rater {rater}'s own model: {e}");
                }
                personal.busy.lock().expect("busy").remove(&rater);
            }
        }
    }

    /// The own model's prediction of the image `sha1` for `rater` with the active pack, and
    /// whether it is better than the pack; `head` is the pack's prediction. Asks for the model
    /// to be loaded when it is not.
    pub(super) async fn own_prediction(
        &self,
        rater: i64,
        model_id: i64,
        sha1: &str,
        head: Option<f64>,
    ) -> Result<Option<(f64, bool)>> {
        if !self.own_model_ready(rater, model_id) {
            return Ok(None);
        }
        let Some(x) = self.0.store.embedding(sha1, model_id).await? else {
            return Ok(None);
        };
        Ok(self.0.personal.predict(rater, model_id, &x, head))
    }

    /// Whether `rater`'s model for `model_id` (the active pack's) is loaded. Asks for it to be
    /// loaded in the background when it is not, and loaded again when more of the library has
    /// been embedded since (scores imported, or given while the pack was embedding, then count);
    /// until then the loaded one goes on predicting.
    pub(in crate::app) fn own_model_ready(&self, rater: i64, model_id: i64) -> bool {
        let progress = self.0.predictor.state().progress;
        let (loaded, outdated) = self.0.personal.loaded(rater, model_id, &progress);
        // (Once: a round already waiting or running checks the embeddings as it starts.)
        if (!loaded || outdated) && self.0.personal.settled(rater) {
            self.0.personal.want(rater);
        }
        loaded
    }

    /// One round of [`Personal::run`] for `rater`: load or update, then penalty and quality.
    async fn sync(&self, rater: i64, images: HashSet<i64>) -> Result<()> {
        let Some(model_id) = self.0.predictor.model_id() else {
            return Ok(());
        };
        let embedded = self.0.predictor.state().progress.done;
        let personal = &self.0.personal;
        let progress = self.0.predictor.state().progress;
        let stale = {
            let entries = personal.entries.lock().expect("entries");
            match entries.get(&rater) {
                Some(e) => e.model_id != model_id || outdated(e.embedded, &progress),
                None => true,
            }
        };
        if stale {
            let rows = self.0.store.personal_ratings(rater, model_id).await?;
            let ridge = blocking(move || fit(&rows)).await??;
            let mut entries = personal.entries.lock().expect("entries");
            let curve = entries
                .get(&rater)
                .filter(|e| e.model_id == model_id)
                .map(|e| e.curve.clone());
            let revision = entries.get(&rater).map_or(0, |e| e.revision + 1);
            entries.insert(
                rater,
                Entry {
                    model_id,
                    embedded,
                    ridge,
                    revision,
                    curve: curve.unwrap_or_default(),
                },
            );
        } else {
            let mut changes = Vec::with_capacity(images.len());
            for image in images {
                changes.push((
                    image,
                    self.0.store.personal_rating(rater, model_id, image).await?,
                ));
            }
            let mut entries = personal.entries.lock().expect("entries");
            let e = entries.get_mut(&rater).expect("checked above");
            e.revision += 1;
            for (image, row) in changes {
                match row {
                    Some(r) => apply(&mut e.ridge, &r)?,
                    None => {
                        e.ridge.remove(image as u64).map_err(internal)?;
                    }
                }
            }
        }
        // The penalty and the quality, on a copy, off the lock: the penalty's refactorisation
        // (O(D³)) and the cross-validation never hold up a prediction.
        let copy = {
            let entries = personal.entries.lock().expect("entries");
            entries
                .get(&rater)
                .map(|e| (e.ridge.clone(), e.revision, e.curve.clone()))
        };
        let Some((mut copy, revision, before)) = copy else {
            return Ok(());
        };
        let (copy, curve) = blocking(move || -> Result<(Ridge, Vec<Quality>)> {
            copy.choose_penalty().map_err(internal)?;
            let curve = extend_curve(&copy, before)?;
            Ok((copy, curve))
        })
        .await??;
        let mut entries = personal.entries.lock().expect("entries");
        if let Some(e) = entries.get_mut(&rater).filter(|e| e.model_id == model_id) {
            if e.revision == revision {
                e.ridge = copy;
            } else {
                // Scores came meanwhile: their updates stay, with the penalty chosen.
                e.ridge.set_lambda(copy.lambda()).map_err(internal)?;
            }
            e.curve = curve;
        }
        Ok(())
    }
}

/// Whether a model loaded when `loaded_at` images were embedded misses embeddings made since:
/// once the embedding job is done, any; while it runs, every twentieth of the library (so a
/// long job does not reload the model after each batch).
fn outdated(loaded_at: u32, progress: &EmbedProgress) -> bool {
    progress.done != loaded_at
        && (!progress.running || progress.done.abs_diff(loaded_at) >= progress.total / 20)
}

/// The learning curve of `model`: the points of `before` at the checkpoints below its number of
/// ratings are kept (they are the figures of that many ratings, as the rater saw them), the
/// checkpoints new since and the last point (the model now) cross-validated. So a round costs
/// one cross-validation, not one per checkpoint.
fn extend_curve(model: &Ridge, before: Vec<Quality>) -> Result<Vec<Quality>> {
    let (rows, keys, targets, offsets) = model.data();
    let dim = model.dim();
    let rated: Vec<Rated> = (0..keys.len())
        .map(|i| Rated {
            key: keys[i],
            x: &rows[i * dim..(i + 1) * dim],
            score: targets[i] + offsets[i],
            offset: offsets[i],
        })
        .collect();
    let n = rated.len();
    let wanted = image_scorer_personal::checkpoints(n);
    let kept: Vec<Quality> = before
        .into_iter()
        .filter(|q| q.n < n && wanted.contains(&q.n))
        .collect();
    let missing: Vec<usize> = wanted
        .into_iter()
        .filter(|c| *c == n || !kept.iter().any(|q| q.n == *c))
        .collect();
    let mut curve = kept;
    curve.extend(learning_curve(dim, &rated, &missing).map_err(internal)?);
    curve.sort_by_key(|q| q.n);
    Ok(curve)
}

fn apply(ridge: &mut Ridge, r: &PersonalRating) -> Result<()> {
    if ridge.is_empty() && ridge.dim() != r.vector.len() {
        // Loaded before the rater had a rating of an embedded image: now its width is known.
        *ridge = Ridge::new(r.vector.len(), START_LAMBDA);
    }
    ridge
        .upsert(
            r.image_id as u64,
            &r.vector,
            r.score,
            r.prediction.unwrap_or(0.0),
        )
        .map_err(internal)
}

/// The model of `rows` (rows of another width than the first are left out).
fn fit(rows: &[PersonalRating]) -> Result<Ridge> {
    let dim = rows.first().map_or(0, |r| r.vector.len());
    let rated: Vec<Rated> = rows
        .iter()
        .filter(|r| r.vector.len() == dim && r.vector.iter().all(|v| v.is_finite()))
        .map(|r| Rated {
            key: r.image_id as u64,
            x: &r.vector,
            score: r.score,
            offset: r.prediction.unwrap_or(0.0),
        })
        .collect();
    Ridge::from_ratings(dim, &rated, START_LAMBDA).map_err(internal)
}

fn internal(e: image_scorer_personal::PersonalError) -> CoreError {
    CoreError::Internal(format!("own model: {e}"))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Internal(format!("own model: {e}")))
}
