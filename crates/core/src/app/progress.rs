//! Each rater's progress (how many of the images that can be shown they have scored, of how
//! many), kept in memory so that a score does not count the whole library again: with 20,000
//! images, counting takes tens of milliseconds, more than a key press may. A count is taken
//! from the database when first asked for and whenever the library changed since; a score or
//! an undo then moves it by the one image it touched.

use crate::store::NewJudgement;
use crate::{Result, Store};
use image_scorer_protocol::Judgement;
use std::collections::HashMap;

/// The counts, valid for one revision of the library.
#[derive(Debug, Default)]
pub(super) struct ProgressCache(tokio::sync::Mutex<Counts>);

#[derive(Debug, Default)]
struct Counts {
    revision: u64,
    by_rater: HashMap<i64, (u32, u32)>,
}

impl Counts {
    fn at(&mut self, revision: u64) -> &mut HashMap<i64, (u32, u32)> {
        if self.revision != revision {
            self.by_rater.clear();
            self.revision = revision;
        }
        &mut self.by_rater
    }
}

impl ProgressCache {
    /// `(rated, total)` for `rater_id` with the library at `revision`.
    pub async fn get(&self, store: &Store, revision: u64, rater_id: i64) -> Result<(u32, u32)> {
        let mut counts = self.0.lock().await;
        if let Some(p) = counts.at(revision).get(&rater_id) {
            return Ok(*p);
        }
        let p = store.score_progress(rater_id).await?;
        counts.at(revision).insert(rater_id, p);
        Ok(p)
    }

    /// Records a score-kind judgement of one image and moves its rater's count if the image
    /// was not scored by them before.
    pub async fn record_score(
        &self,
        store: &Store,
        revision: u64,
        judgement: &NewJudgement,
    ) -> Result<i64> {
        let mut counts = self.0.lock().await;
        let id = store.record(judgement).await?;
        let sha1 = &judgement.images[0].0;
        if let Some((rated, _)) = counts.at(revision).get_mut(&judgement.rater_id) {
            let (events, shown) = store.score_standing(sha1, judgement.rater_id).await?;
            if events == 1 && shown {
                *rated += 1;
            }
        }
        Ok(id)
    }

    /// Undoes `rater_id`'s newest judgement and moves their count if it took away the only
    /// score they gave an image.
    pub async fn undo(
        &self,
        store: &Store,
        revision: u64,
        rater_id: i64,
    ) -> Result<Option<Judgement>> {
        let mut counts = self.0.lock().await;
        let undone = store.undo_last(rater_id).await?;
        if let Some(j) = undone.as_ref().filter(|j| j.kind.is_score()) {
            if let Some((rated, _)) = counts.at(revision).get_mut(&rater_id) {
                let (events, shown) = store.score_standing(&j.images[0].sha1, rater_id).await?;
                if events == 0 && shown {
                    *rated = rated.saturating_sub(1);
                }
            }
        }
        Ok(undone)
    }
}
