//! "Teach my model": the Score and Rate queues' unscored images reordered by what the rater's
//! own model is least sure about ([`image_scorer_personal::teach_order`]).

use super::{blocking, internal, START_LAMBDA};
use crate::app::App;
use crate::Result;
use image_scorer_personal::Ridge;
use std::collections::{HashMap, HashSet};

/// The unscored images the teaching order considers: the shuffled queue's first, a random
/// sample (all, in a smaller library).
const TEACH_CANDIDATES: usize = 2000;
/// How many images the teaching order puts first. Each pick lowers the uncertainty of those like
/// it as if it were scored already (the uncertainty does not depend on the score), so the whole
/// run is what picking one at a time would give, but for the penalty moving as scores come.
const TEACH_PICKS: usize = 50;

impl App {
    /// "Teach my model": puts first, among `unscored` (the shuffled queue's unscored part), the
    /// images `rater`'s own model is least sure about, each unlike those before it
    /// ([`image_scorer_personal::teach_order`]). Before the model has ratings, its prior alone:
    /// the most varied images first.
    pub(in crate::app) async fn teaching_order(
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
        self.own_model_ready(rater, model_id);
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
}
