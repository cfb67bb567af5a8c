//! The rater's own model in the Ratings gallery: its prediction on each tile beside the pack's,
//! and the gallery's order by it. The model is linear (`w·x + b`, over the head's prediction
//! where the pack has a head), so every image's prediction is one product with the rows of the
//! similarity index, which keeps each row's length
//! ([`crate::similarity::EmbeddingIndex::project`]): no second copy of the embeddings.

use super::{blocking, Personal};
use crate::app::similarity::threads;
use crate::app::App;
use crate::store::GalleryBase;
use image_scorer_protocol::{AppError, GalleryTile};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a page of tiles waits for the rater's model to be loaded (the first page after a
/// start; at hundreds of scores a load takes tens of milliseconds): after that the page comes
/// without the own model's predictions.
const PAGE_WAIT: Duration = Duration::from_secs(2);
/// How long the order by the own model waits for it to be loaded.
const ORDER_WAIT: Duration = Duration::from_secs(30);

impl Personal {
    /// `rater`'s model for `model_id` as its weights and intercept; `None` until it is loaded
    /// and has scores.
    fn linear(&self, rater: i64, model_id: i64) -> Option<(Vec<f32>, f64)> {
        let entries = self.entries.lock().expect("entries");
        let e = entries
            .get(&rater)
            .filter(|e| e.model_id == model_id && !e.ridge.is_empty())?;
        let weights = e.ridge.weights().iter().map(|&w| w as f32).collect();
        Some((weights, e.ridge.intercept()))
    }
}

impl App {
    /// Whether `rater`'s model for `model_id` is loaded; when it is not, asks for it and waits
    /// up to `wait`.
    async fn own_model_loaded(&self, rater: i64, model_id: i64, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while !self.own_model_ready(rater, model_id) {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Sets each tile's `own` (tiles by image id) to `rater`'s own model's prediction, as Rate
    /// shows it; left `None` while the model has no scores or is not loaded in time.
    pub(in crate::app) async fn own_on_tiles(
        &self,
        rater: i64,
        model_id: i64,
        tiles: &mut HashMap<i64, GalleryTile>,
    ) -> Result<(), AppError> {
        if tiles.is_empty() || !self.own_model_loaded(rater, model_id, PAGE_WAIT).await {
            return Ok(());
        }
        let ids: Vec<i64> = tiles.keys().copied().collect();
        let vectors = self.0.store.embeddings_of(model_id, ids.clone()).await?;
        for (id, x) in ids.iter().zip(vectors) {
            if let (Some(tile), Some(x)) = (tiles.get_mut(id), x) {
                let predicted = self.0.personal.predict(rater, model_id, &x, tile.predicted);
                tile.own = predicted.map(|(score, _)| score);
            }
        }
        Ok(())
    }

    /// `rater`'s own model's prediction of every image of `base` (`predicted`: the pack's,
    /// aligned with it), for the order by it: `None` for an image the pack has not embedded,
    /// and for all while the model has no scores.
    pub(in crate::app) async fn own_rows(
        &self,
        rater: i64,
        model_id: i64,
        base: &[GalleryBase],
        predicted: &[Option<f64>],
    ) -> Result<Vec<Option<f64>>, AppError> {
        let none = || vec![None; base.len()];
        if !self.own_model_loaded(rater, model_id, ORDER_WAIT).await {
            return Ok(none());
        }
        let Some((w, b)) = self.0.personal.linear(rater, model_id) else {
            return Ok(none());
        };
        let snapshot = self.similarity_snapshot().await?;
        if snapshot.key.model != model_id {
            return Ok(none());
        }
        let rows = snapshot.clone();
        let projected = blocking(move || rows.index.project(&w, threads())).await?;
        if projected.is_empty() {
            return Ok(none());
        }
        Ok(base
            .iter()
            .zip(predicted.iter().copied().chain(std::iter::repeat(None)))
            .map(|(image, head)| {
                let row = snapshot.row(&image.sha1)?;
                let score = head.unwrap_or(0.0) + b + f64::from(projected[row]);
                Some(score.clamp(1.0, 10.0))
            })
            .collect())
    }
}
