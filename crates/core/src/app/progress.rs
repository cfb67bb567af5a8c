//! Each rater's progress (how many of the images that can be shown they have scored, of how
//! many), kept in memory so that a score does not count the whole library again: with 20,000
//! images, counting takes tens of milliseconds, more than a key press may. A count is taken
//! from the database when first asked for and whenever the library changed since; a score or
//! an undo, committed by its handler, then moves it by the one image it touched. Nothing here
//! writes the database.

use crate::{Result, Store};
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

    /// Forgets `rater_id`'s count (their scores changed elsewhere): counted again when next
    /// asked for.
    pub async fn forget(&self, rater_id: i64) {
        self.0.lock().await.by_rater.remove(&rater_id);
    }

    /// Forgets every count.
    pub async fn clear(&self) {
        self.0.lock().await.by_rater.clear();
    }

    /// Holds the counts while a score or an undo is committed, so that a count taken
    /// meanwhile can neither miss nor repeat it; the handler commits, then tells the held
    /// counts what it committed.
    pub async fn hold(&self, revision: u64) -> HeldCounts<'_> {
        HeldCounts {
            counts: self.0.lock().await,
            revision,
        }
    }
}

/// The counts, held while a change is committed ([`ProgressCache::hold`]).
pub(super) struct HeldCounts<'a> {
    counts: tokio::sync::MutexGuard<'a, Counts>,
    revision: u64,
}

impl HeldCounts<'_> {
    /// A score of `sha1` by `rater_id` was committed: their count moves if it is the only
    /// score they gave the image.
    pub async fn scored(&mut self, store: &Store, rater_id: i64, sha1: &str) -> Result<()> {
        self.moved(store, rater_id, sha1, 1).await
    }

    /// `rater_id`'s score of `sha1` was undone: their count moves if it took away the only
    /// score they gave the image.
    pub async fn unscored(&mut self, store: &Store, rater_id: i64, sha1: &str) -> Result<()> {
        self.moved(store, rater_id, sha1, 0).await
    }

    /// Moves `rater_id`'s count when they now have `first` scores of the shown image `sha1`
    /// (1 after a first score, 0 after its undo).
    async fn moved(&mut self, store: &Store, rater_id: i64, sha1: &str, first: i64) -> Result<()> {
        if let Some((rated, _)) = self.counts.at(self.revision).get_mut(&rater_id) {
            let (events, shown) = store.score_standing(sha1, rater_id).await?;
            if events == first && shown {
                if first == 1 {
                    *rated += 1;
                } else {
                    *rated = rated.saturating_sub(1);
                }
            }
        }
        Ok(())
    }
}
