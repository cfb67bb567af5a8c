//! Each rater's progress (how many of the images that can be shown they have scored, of how
//! many), kept in memory so that a score does not count the whole library again: with 20,000
//! images, counting takes tens of milliseconds, more than a key press may. A count is taken
//! (from the gallery's rows, which the queue reads too) when first asked for and whenever the
//! library changed since (or the counts were forgotten: a change made by another process); a
//! score or an undo, committed by its handler, then moves it by the one image it touched.
//! Nothing here writes the database.
//!
//! Each rater's count has a lock of its own, held while a score or an undo of theirs is
//! committed, so that a count taken meanwhile can neither miss nor repeat it; raters do not
//! wait for each other.

use crate::{Result, Store};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A rater's count and what it is valid for: the library's revision and the generation of
/// the counts ([`ProgressCache::clear`]).
type Count = Option<((u64, u64), (u32, u32))>;

/// The counts; see the module.
#[derive(Debug, Default)]
pub(super) struct ProgressCache {
    slots: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<Count>>>>,
    generation: AtomicU64,
}

impl ProgressCache {
    /// `rater_id`'s count's lock (made on first use; kept for the life of the app).
    fn slot(&self, rater_id: i64) -> Arc<tokio::sync::Mutex<Count>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(rater_id).or_default().clone()
    }

    fn epoch(&self, revision: u64) -> (u64, u64) {
        (revision, self.generation.load(Ordering::Acquire))
    }

    /// `(rated, total)` for `rater_id` with the library at `revision`; `count_now` counts it when
    /// it is not known.
    pub async fn get<F: std::future::Future<Output = Result<(u32, u32)>>>(
        &self,
        revision: u64,
        rater_id: i64,
        count_now: impl FnOnce() -> F,
    ) -> Result<(u32, u32)> {
        let slot = self.slot(rater_id);
        let mut count = slot.lock().await;
        let epoch = self.epoch(revision);
        if let Some((at, p)) = *count {
            if at == epoch {
                return Ok(p);
            }
        }
        let p = count_now().await?;
        *count = Some((epoch, p));
        Ok(p)
    }

    /// Forgets `rater_id`'s count (their scores changed elsewhere): counted again when next
    /// asked for.
    pub async fn forget(&self, rater_id: i64) {
        *self.slot(rater_id).lock().await = None;
    }

    /// Forgets every count.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Holds `rater_id`'s count while a score or an undo of theirs is committed; the handler
    /// commits, then tells the held count what it committed.
    pub async fn hold(&self, revision: u64, rater_id: i64) -> HeldCount {
        HeldCount {
            count: self.slot(rater_id).lock_owned().await,
            epoch: self.epoch(revision),
            rater_id,
        }
    }
}

/// A rater's count, held while a change is committed ([`ProgressCache::hold`]).
pub(super) struct HeldCount {
    count: tokio::sync::OwnedMutexGuard<Count>,
    epoch: (u64, u64),
    rater_id: i64,
}

impl HeldCount {
    /// A score of `sha1` by the rater was committed: their count moves if it is the only
    /// score they gave the image.
    pub async fn scored(&mut self, store: &Store, sha1: &str) -> Result<()> {
        self.moved(store, sha1, 1).await
    }

    /// The rater's score of `sha1` was undone: their count moves if it took away the only
    /// score they gave the image.
    pub async fn unscored(&mut self, store: &Store, sha1: &str) -> Result<()> {
        self.moved(store, sha1, 0).await
    }

    /// Moves the count when the rater now has `first` scores of the shown image `sha1` (1
    /// after a first score, 0 after its undo).
    async fn moved(&mut self, store: &Store, sha1: &str, first: i64) -> Result<()> {
        let epoch = self.epoch;
        if let Some((at, (rated, _))) = self.count.as_mut() {
            if *at != epoch {
                return Ok(());
            }
            let (events, shown) = store.score_standing(sha1, self.rater_id).await?;
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
