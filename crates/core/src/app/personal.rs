//! Each rater's own model of their scores ([`image_scorer_personal`]), learned while they rate:
//! ridge regression on the active pack's cached embeddings, over the pack's head where it has
//! one. A score, a rating or an undo changes the rater's model in the background by one
//! rank-one update (`cargo xtask bench personal`), never in the way of the next key; then the
//! penalty is chosen again by GCV and the quality cross-validated along the ratings (the
//! learning curve), on a blocking thread, from a copy of the model.
//!
//! A model is loaded whole (one matrix product) when first asked for, when the active pack
//! changes, and when more of the rater's scored images have been embedded since.

use super::{App, Inner};
use crate::store::PersonalRating;
use crate::{CoreError, Result};
use image_scorer_personal::{learning_curve, Quality, Rated, Ridge};
use image_scorer_protocol::{ModelQuality, PersonalModel};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::Notify;

/// The penalty a model starts with, until GCV chooses one.
const START_LAMBDA: f64 = 1.0;
/// The unscored images the teaching order considers: the shuffled queue's first, a random
/// sample (all, in a smaller library).
const TEACH_CANDIDATES: usize = 2000;
/// How many images the teaching order puts first. Each pick lowers the uncertainty of those like
/// it as if it were scored already (the uncertainty does not depend on the score), so the whole
/// run is what picking one at a time would give, but for the penalty moving as scores come.
const TEACH_PICKS: usize = 50;

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

    /// Whether `rater`'s model for `model_id` is loaded.
    pub fn loaded(&self, rater: i64, model_id: i64) -> bool {
        self.entries
            .lock()
            .expect("entries")
            .get(&rater)
            .is_some_and(|e| e.model_id == model_id)
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
        if !self.0.personal.loaded(rater, model_id) {
            self.0.personal.want(rater);
            return Ok(None);
        }
        let Some(x) = self.0.store.embedding(sha1, model_id).await? else {
            return Ok(None);
        };
        Ok(self.0.personal.predict(rater, model_id, &x, head))
    }

    /// "Teach my model": puts first, among `unscored` (the shuffled queue's unscored part), the
    /// images `rater`'s own model is least sure about, each unlike those before it
    /// ([`image_scorer_personal::teach_order`]). Before the model has ratings, its prior alone:
    /// the most varied images first.
    pub(super) async fn teaching_order(
        &self,
        rater: i64,
        model_id: i64,
        base: &[crate::store::GalleryBase],
        unscored: &mut [image_scorer_protocol::QueueItem],
    ) -> Result<()> {
        let sample = unscored.len().min(TEACH_CANDIDATES);
        if sample < 2 {
            return Ok(());
        }
        let ids_by_hash: HashMap<&str, i64> = {
            let wanted: HashSet<&str> =
                unscored[..sample].iter().map(|i| i.sha1.as_str()).collect();
            base.iter()
                .filter(|b| wanted.contains(b.sha1.as_str()))
                .map(|b| (b.sha1.as_str(), b.id))
                .collect()
        };
        let ids: Vec<i64> = unscored[..sample]
            .iter()
            .map(|i| ids_by_hash.get(i.sha1.as_str()).copied().unwrap_or(-1))
            .collect();
        let vectors = self.0.store.embeddings_of(model_id, ids).await?;
        // The candidates that have an embedding, by their place in the queue.
        let places: Vec<usize> = (0..sample).filter(|&k| vectors[k].is_some()).collect();
        let Some(dim) = places
            .first()
            .and_then(|&k| vectors[k].as_ref())
            .map(Vec::len)
        else {
            return Ok(());
        };
        let rows: Vec<f32> = places
            .iter()
            .flat_map(|&k| vectors[k].as_deref().unwrap_or_default().iter().copied())
            .collect();
        if !self.0.personal.loaded(rater, model_id) {
            self.0.personal.want(rater);
        }
        let app = self.clone();
        let picks = blocking(move || -> Result<Vec<usize>> {
            let mut entries = app.0.personal.entries.lock().expect("entries");
            let mut prior = Ridge::new(dim, START_LAMBDA);
            let model = match entries.get_mut(&rater) {
                Some(e) if e.model_id == model_id && e.ridge.dim() == dim => &mut e.ridge,
                _ => &mut prior,
            };
            Ok(
                image_scorer_personal::teach_order(model, &rows, TEACH_PICKS)
                    .map_err(internal)?
                    .into_iter()
                    .map(|p| p.index)
                    .collect(),
            )
        })
        .await??;
        // The picks first, in pick order; the rest keep their shuffled order.
        let mut first: Vec<usize> = picks.iter().map(|&p| places[p]).collect();
        let chosen: HashSet<usize> = first.iter().copied().collect();
        first.extend((0..unscored.len()).filter(|k| !chosen.contains(k)));
        let reordered: Vec<_> = first.iter().map(|&k| unscored[k].clone()).collect();
        unscored.clone_from_slice(&reordered);
        Ok(())
    }

    /// Writes `rater`'s own model for the active pack at `path` as an ONNX head, with its
    /// weights and bias as `.npy` beside it ([`crate::export::write_head`]): the path comes from
    /// a door's save dialog or command line. The model is brought up to date first.
    pub async fn export_own_model(
        &self,
        path: &std::path::Path,
        rater: &str,
    ) -> std::result::Result<image_scorer_protocol::OwnModelExported, image_scorer_protocol::AppError>
    {
        let rater_id = self.rater_id(rater).await?;
        let Some(model_id) = self.0.predictor.model_id() else {
            return Err(CoreError::InvalidInput(
                "Your own model learns from a model pack's embeddings: install one and let it                  embed the library."
                    .into(),
            )
            .into());
        };
        self.sync_pending().await;
        self.sync(rater_id, HashSet::new()).await?;
        let fitted = {
            let entries = self.0.personal.entries.lock().expect("entries");
            entries
                .get(&rater_id)
                .filter(|e| e.model_id == model_id && !e.ridge.is_empty())
                .map(|e| {
                    (
                        e.ridge.weights().to_vec(),
                        e.ridge.intercept(),
                        e.ridge.len(),
                    )
                })
        };
        let Some((weights, bias, ratings)) = fitted else {
            return Err(CoreError::InvalidInput(format!(
                "{rater} has no scores of images the model pack has embedded yet: there is no                  model to export."
            ))
            .into());
        };
        let head = self.0.predictor.head();
        let (path, over_head) = (path.to_owned(), head.is_some());
        let (files, input, output) = blocking(move || {
            let (_, input, output) = crate::export::head_model(&weights, bias, head.as_ref())?;
            let files = crate::export::write_head(&path, &weights, bias, head.as_ref())?;
            Ok::<_, CoreError>((files, input, output))
        })
        .await??;
        Ok(image_scorer_protocol::OwnModelExported {
            files: files.iter().map(|f| f.display().to_string()).collect(),
            ratings: ratings as u32,
            over_head,
            input,
            output,
        })
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
                // More of the library embedded: reloaded once the job is done, or every
                // twentieth of the library while it runs.
                Some(e) => {
                    e.model_id != model_id
                        || (embedded != e.embedded
                            && (!progress.running
                                || embedded.abs_diff(e.embedded) >= progress.total / 20))
                }
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
