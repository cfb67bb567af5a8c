//! Find-similar on a large library through an approximate index ([`Ivf`]): built in the
//! background for each snapshot of [`APPROXIMATE_FROM`] rows or more, from the last one built
//! (rows that arrived put in their nearest lists, rows that left gone) and trained again when
//! the library has doubled or halved since. Until it is built, on a smaller library, and where
//! the rows have no structure an index could use, the exact scan answers.

use super::cache::{threads, Snapshot};
use crate::similarity::{lists_for, Ivf, KeyedLists, Neighbour};
use std::sync::{Arc, Mutex, Weak};

/// From this many rows a query is answered from the approximate index: below it the exact
/// scan answers as fast as the page can show it.
pub(crate) const APPROXIMATE_FROM: usize = 100_000;
/// The neighbours the index is tuned for: a dropped file's results, the most a page shows.
const TUNED_K: usize = super::DROP_K as usize;

/// The approximate indexes' builder: one at a time, each from the last.
pub(crate) struct Approximate {
    from: usize,
    /// The last index built, by key, with the model it is of; or the rows an index was
    /// found not worth building at (`None` there: the exact scan answers until the library
    /// has doubled).
    last: Mutex<Option<Last>>,
}

struct Last {
    model: i64,
    /// The rows its centroids were trained on, or it was found not worth building at.
    rows: usize,
    lists: Option<KeyedLists>,
}

impl Default for Approximate {
    fn default() -> Self {
        Self::from_rows(APPROXIMATE_FROM)
    }
}

impl Approximate {
    /// A builder for snapshots of `from` rows or more.
    pub fn from_rows(from: usize) -> Self {
        Self {
            from,
            last: Mutex::new(None),
        }
    }

    /// Starts building `snapshot`'s index in the background, if it is large enough. A build
    /// for a snapshot no longer in use by the time its turn comes is skipped.
    pub fn start(self: &Arc<Self>, snapshot: &Arc<Snapshot>) {
        if snapshot.index.len() < self.from {
            return;
        }
        let (me, snapshot) = (self.clone(), Arc::downgrade(snapshot));
        tokio::task::spawn_blocking(move || me.build_if_used(&snapshot));
    }

    fn build_if_used(&self, snapshot: &Weak<Snapshot>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(snapshot) = snapshot.upgrade() {
            self.build(&snapshot, &mut last);
        }
    }

    /// Builds `snapshot`'s index now (what the background task does).
    #[cfg(test)]
    pub fn build_now(&self, snapshot: &Snapshot) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        self.build(snapshot, &mut last);
    }

    fn build(&self, snapshot: &Snapshot, last: &mut Option<Last>) {
        let (index, model) = (&snapshot.index, snapshot.key.model);
        if index.len() < self.from || snapshot.near.get().is_some() {
            return;
        }
        // Half the cores: the person goes on working while it is built.
        let threads = threads().div_ceil(2);
        let comparable = last
            .as_ref()
            .filter(|l| l.model == model && index.len() < 2 * l.rows && 2 * index.len() > l.rows);
        let ivf = match comparable {
            Some(Last { lists: None, .. }) => return,
            Some(Last {
                lists: Some(lists), ..
            }) => lists.carry(index, threads),
            None => Ivf::train(index, lists_for(index.len()), model as u64, threads).and_then(
                |mut ivf| {
                    ivf.tune(index, TUNED_K, model as u64, threads)
                        .then_some(ivf)
                },
            ),
        };
        let keyed = ivf.as_ref().map(|ivf| ivf.keyed(index));
        *last = Some(Last {
            model,
            rows: keyed
                .as_ref()
                .map_or(index.len(), |k| k.centroids().trained_on()),
            lists: keyed,
        });
        if let Some(ivf) = ivf {
            let _ = snapshot.near.set(Arc::new(ivf));
        }
    }
}

impl Snapshot {
    /// The `k` rows nearest `query`: from the approximate index once it is built, else by the
    /// exact scan.
    pub fn top_k(&self, query: &[f32], k: usize) -> Vec<Neighbour> {
        match self.near.get() {
            Some(ivf) => self.index.top_k_near(ivf, query, k, threads()),
            None => self.index.top_k(query, k, threads()),
        }
    }
}

#[cfg(test)]
mod tests;
