//! The Similarity experiment's memory: the active pack's embeddings in one index (rebuilt
//! only when the library or the embeddings changed), the pairs of near-duplicates above the
//! lowest threshold the page offers (computed once, then only for the images added since), and
//! the perceptual-hash pairs. A query, a pair or a slider move then costs one matrix-vector
//! product or a pass over the pairs, not a load from the database.

use super::nearest::Approximate;
use super::pair_file;
use crate::similarity::{EmbeddingIndex, Ivf, Pair};
use crate::store::EmbeddingRows;
use crate::{Result, Store};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tokio::sync::Mutex;

use image_scorer_protocol::DEFAULT_DISTANCE;
pub use image_scorer_protocol::{MAX_DISTANCE, MIN_THRESHOLD};

/// The store hands the index its rows as it reads them; rows of another length than the
/// first are left out.
impl EmbeddingRows for EmbeddingIndex {
    fn push_row(&mut self, sha1: String, vector: &[f32]) {
        self.set_dim(vector.len());
        self.push(sha1, vector);
    }
}

/// What the index was built from: the model, the library's revision, how many embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IndexKey {
    pub model: i64,
    pub library: u64,
    pub embedded: u32,
}

/// The active pack's embeddings of the images that can be shown, with their names.
pub(crate) struct Snapshot {
    pub key: IndexKey,
    pub index: EmbeddingIndex,
    pub names: Vec<String>,
    rows: HashMap<String, usize>,
    /// The approximate index of a large library, once built ([`Approximate`]).
    pub near: OnceLock<Arc<Ivf>>,
}

impl Snapshot {
    /// The snapshot of `index`'s rows, named by `names` (row by row), as of `key`.
    pub fn new(key: IndexKey, index: EmbeddingIndex, names: Vec<String>) -> Self {
        let rows = (0..index.len())
            .map(|r| (index.key(r).to_owned(), r))
            .collect();
        Self {
            key,
            index,
            names,
            rows,
            near: OnceLock::new(),
        }
    }

    /// The row of the image `sha1`.
    pub fn row(&self, sha1: &str) -> Option<usize> {
        self.rows.get(sha1).copied()
    }
}

/// The near-duplicate pairs of one model above [`MIN_THRESHOLD`], over the snapshot's rows.
struct PairCache {
    model: i64,
    /// Which snapshot they are for (`None` until computed).
    key: Option<IndexKey>,
    /// The rows the pairs are numbered by, in the order they were added.
    keys: Vec<String>,
    /// The embeddings' dimension.
    dim: usize,
    pairs: Vec<Pair>,
}

impl PairCache {
    /// No pairs yet, for `model`'s embeddings of `dim`.
    fn empty(model: i64, dim: usize) -> Self {
        Self {
            model,
            key: None,
            keys: Vec::new(),
            dim,
            pairs: Vec::new(),
        }
    }

    /// The pairs of `model` kept in `file`, when it holds them (at the slider's lowest
    /// threshold): to be brought up to the library's snapshot.
    fn saved(file: &Path, model: i64) -> Option<Self> {
        let saved = pair_file::load(file)?;
        (saved.model == model && saved.threshold == MIN_THRESHOLD as f32).then_some(Self {
            model,
            key: None,
            keys: saved.keys,
            dim: saved.dim,
            pairs: saved.pairs,
        })
    }
}

/// The perceptual-hash pairs within `within` bits.
struct HashPairs {
    /// The library's revision and the number of hashes they were computed from.
    key: (u64, usize),
    /// The most differing bits of a pair found.
    within: u32,
    keys: Vec<String>,
    /// `(a, b, differing bits)`.
    pairs: Vec<(u32, u32, u32)>,
}

/// The index, the pairs and the hash pairs, each rebuilt when what it came from changed.
#[derive(Default)]
pub(crate) struct SimilarityCache {
    snapshot: Mutex<Option<Arc<Snapshot>>>,
    pairs: Mutex<Option<PairCache>>,
    hashes: Mutex<Option<Arc<HashPairs>>>,
    /// Where the pairs are kept between runs ([`pair_file`]), if anywhere.
    file: Option<PathBuf>,
    /// Builds the approximate index of each large snapshot.
    approximate: Arc<Approximate>,
}

/// The file of the pairs in the cache folder.
const PAIR_FILE: &str = "near-duplicate-pairs.bin";
/// New rows whose pairs are computed, and then saved, at a time: a search stopped goes on
/// from the last part saved.
const PART_ROWS: usize = 100_000;

/// From this many rows a library's low halves are kept on disk ([`EmbeddingIndex::low_on_disk_from`]):
/// a query reads them only for its candidates, and the approximate index starts at this size.
pub(crate) const LOW_ON_DISK_FROM: usize = super::nearest::APPROXIMATE_FROM;

/// An index for `dim` whose low halves go to the folder of `file` (the pairs' file) from
/// [`LOW_ON_DISK_FROM`] rows; in memory where there is no such folder.
fn empty_index(dim: usize, file: Option<&Path>) -> EmbeddingIndex {
    let mut index = EmbeddingIndex::new(dim);
    if let Some(dir) = file.and_then(Path::parent) {
        index.low_on_disk_from(LOW_ON_DISK_FROM, dir.to_owned());
    }
    index
}

/// The threads the searches use: every core (the person is waiting for the answer).
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// A group of rows linked by pairs, with its closest pair's similarity.
pub(crate) struct Group {
    pub members: Vec<String>,
    pub closest: f64,
}

impl SimilarityCache {
    /// A cache that keeps the pairs in `cache_dir` between runs.
    pub fn saved_in(cache_dir: &Path) -> Self {
        Self {
            file: Some(cache_dir.join(PAIR_FILE)),
            ..Self::default()
        }
    }

    /// An index for `dim`, whose low halves go to the cache folder from
    /// [`LOW_ON_DISK_FROM`] rows.
    fn empty_index(&self, dim: usize) -> EmbeddingIndex {
        empty_index(dim, self.file.as_deref())
    }

    /// The embeddings as of `key`, loaded again when `key` changed.
    pub async fn snapshot(&self, store: &Store, key: IndexKey) -> Result<Arc<Snapshot>> {
        let mut held = self.snapshot.lock().await;
        if let Some(s) = held.as_ref().filter(|s| s.key == key) {
            return Ok(s.clone());
        }
        let index = store
            .read_embeddings(key.model, self.empty_index(0))
            .await?;
        let names_by_sha1 = store.shown_names().await?;
        let names = (0..index.len())
            .map(|r| names_by_sha1.get(index.key(r)).cloned().unwrap_or_default())
            .collect();
        let snapshot = Arc::new(Snapshot::new(key, index, names));
        self.approximate.start(&snapshot);
        *held = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// The near-duplicate groups at `threshold` among the snapshot's images less `marked`:
    /// connected by pairs at or above it. The pairs are computed for the images new since the
    /// last call only.
    pub async fn embedding_groups(
        &self,
        snapshot: Arc<Snapshot>,
        threshold: f64,
        marked: &HashSet<String>,
        progress: Searching,
    ) -> Result<Vec<Group>> {
        let mut held = self.pairs.lock().await;
        let model = snapshot.key.model;
        let cache = match held.take().filter(|c| c.model == model) {
            Some(c) if c.key == Some(snapshot.key) => c,
            known => {
                // Seconds of work for a large new library (and a read of the saved pairs the
                // first time): off the async threads.
                let (snapshot, file) = (snapshot.clone(), self.file.clone());
                tokio::task::spawn_blocking(move || {
                    let cache = known
                        .or_else(|| PairCache::saved(file.as_deref()?, model))
                        .unwrap_or_else(|| PairCache::empty(model, snapshot.index.dim()));
                    update_pairs(cache, &snapshot, &progress, file.as_deref(), PART_ROWS)
                })
                .await
                .map_err(|e| crate::CoreError::Internal(e.to_string()))?
            }
        };
        let keys = &cache.keys;
        let groups = groups_of(
            keys.len(),
            cache
                .pairs
                .iter()
                .filter(|p| f64::from(p.cosine) >= threshold)
                .map(|p| (p.a as usize, p.b as usize, f64::from(p.cosine))),
            |row| !marked.contains(&keys[row]),
        )
        .into_iter()
        .map(|(members, closest)| Group {
            members: members.into_iter().map(|r| keys[r].clone()).collect(),
            closest,
        })
        .collect();
        *held = Some(cache);
        Ok(groups)
    }

    /// The perceptual-hash groups within `distance` bits among the queue images (which
    /// `hashes` are, by SHA-1); recomputed when the library or the hashes changed, or (on a
    /// large library) a larger distance is asked for than they were found within.
    pub async fn hash_groups(
        &self,
        library: u64,
        hashes: Vec<(String, u64)>,
        distance: u32,
    ) -> Result<Vec<Group>> {
        let mut held = self.hashes.lock().await;
        let key = (library, hashes.len());
        let within = if hashes.len() <= ALL_DISTANCES_UP_TO {
            MAX_DISTANCE
        } else {
            distance.clamp(DEFAULT_DISTANCE, MAX_DISTANCE)
        };
        let pairs = match held
            .as_ref()
            .filter(|h| h.key == key && h.within >= distance)
        {
            Some(h) => h.clone(),
            None => {
                let computed = tokio::task::spawn_blocking(move || hash_pairs(key, hashes, within))
                    .await
                    .map_err(|e| crate::CoreError::Internal(e.to_string()))?;
                let computed = Arc::new(computed);
                *held = Some(computed.clone());
                computed
            }
        };
        drop(held);
        Ok(groups_of(
            pairs.keys.len(),
            pairs
                .pairs
                .iter()
                .filter(|(_, _, d)| *d <= distance)
                .map(|&(a, b, d)| (a as usize, b as usize, 1.0 - f64::from(d) / 64.0)),
            |_| true,
        )
        .into_iter()
        .map(|(members, closest)| Group {
            members: members.into_iter().map(|r| pairs.keys[r].clone()).collect(),
            closest,
        })
        .collect())
    }
}

/// Hears how far the pairs of new images are: how many images, and the share done (each
/// percent once, and the whole).
pub(crate) type Searching = Box<dyn Fn(u32, f64) + Send + Sync>;

/// Brings `cache` up to `snapshot`: drops the rows that left, keeps the pairs among the rest,
/// and computes the pairs of the new rows against all, `part` new rows at a time, saving the
/// pairs to `file` after each part, and telling `progress`.
fn update_pairs(
    cache: PairCache,
    snapshot: &Snapshot,
    progress: &Searching,
    file: Option<&Path>,
    part: usize,
) -> PairCache {
    let dim = snapshot.index.dim();
    let mut index = empty_index(dim, file);
    let mut keys = Vec::with_capacity(snapshot.index.len());
    // Old row -> new row, for the rows that stay.
    let mut moved: Vec<Option<u32>> = vec![None; cache.keys.len()];
    let reuse = cache.dim == dim;
    for (old, key) in cache.keys.iter().enumerate() {
        if let (true, Some(row)) = (reuse, snapshot.row(key)) {
            moved[old] = Some(keys.len() as u32);
            index.push(key.clone(), &snapshot.index.vector(row));
            keys.push(key.clone());
        }
    }
    let kept = keys.len();
    let known: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let new: Vec<usize> = (0..snapshot.index.len())
        .filter(|&row| !known.contains(snapshot.index.key(row)))
        .collect();
    let mut pairs: Vec<Pair> = if reuse {
        cache
            .pairs
            .iter()
            .filter_map(|p| {
                let (a, b) = (moved[p.a as usize]?, moved[p.b as usize]?);
                Some(Pair {
                    a: a.max(b),
                    b: a.min(b),
                    cosine: p.cosine,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    // The work of each part is its rows times the rows before them.
    let n = kept + new.len();
    let all = (n as f64).powi(2) - (kept as f64).powi(2);
    let images = new.len() as u32;
    // The threads' reports pass one at a time: the check and the telling under one lock, so
    // a slower thread's smaller share is never told after a larger one.
    let percent = std::sync::Mutex::new(0u32);
    let heard = |done: f64| {
        let now = (done * 100.0).floor() as u32;
        let mut told = percent.lock().unwrap_or_else(|e| e.into_inner());
        if *told < now {
            *told = now;
            progress(images, done);
        }
    };
    let mut before = 0.0;
    for rows in new.chunks(part.max(1)) {
        let from = index.len();
        for &row in rows {
            let key = snapshot.index.key(row).to_owned();
            index.push(key.clone(), &snapshot.index.vector(row));
            keys.push(key);
        }
        let share = ((index.len() as f64).powi(2) - (from as f64).powi(2)) / all;
        let found = index.pairs_above(from, MIN_THRESHOLD as f32, threads(), &|done| {
            heard(before + share * done)
        });
        pairs.extend(found);
        before += share;
        if let Some(file) = file {
            // Unsaved, the pairs are computed again next time: worth a message, not a stop.
            let saved =
                pair_file::save(file, cache.model, dim, MIN_THRESHOLD as f32, &keys, &pairs);
            if let Err(e) = saved {
                eprintln!(
                    "image-scorer: the near-duplicate pairs could not be saved in {}: {e}",
                    file.display()
                );
            }
        }
    }
    let told = *percent.lock().unwrap_or_else(|e| e.into_inner());
    if images > 0 && told < 100 {
        progress(images, 1.0);
    }
    PairCache {
        model: cache.model,
        key: Some(snapshot.key),
        keys,
        dim,
        pairs,
    }
}

/// Up to this many hashes, their pairs are found within [`MAX_DISTANCE`] bits at once (every
/// slider position answered from them); beyond it within the distance asked for (at least the
/// default), through the Hamming index, and again when a larger one is asked for.
const ALL_DISTANCES_UP_TO: usize = 20_000;

/// The links among `hashes` within `within` bits that join the groups every such pair would:
/// images with equal hashes each linked to the first of them (a star, not every pair among
/// them: ten thousand blank frames would be fifty million pairs, gigabytes), and two different
/// hashes within `within` bits by one link between their first images.
fn hash_pairs(key: (u64, usize), hashes: Vec<(String, u64)>, within: u32) -> HashPairs {
    let mut first: HashMap<u64, u32> = HashMap::new();
    let mut pairs = Vec::new();
    let (mut values, mut rows) = (Vec::new(), Vec::new());
    for (row, (_, hash)) in hashes.iter().enumerate() {
        let row = row as u32;
        match first.entry(*hash) {
            Entry::Occupied(e) => pairs.push((row, *e.get(), 0)),
            Entry::Vacant(e) => {
                e.insert(row);
                values.push(*hash);
                rows.push(row);
            }
        }
    }
    for (a, b, bits) in crate::similarity::hamming_pairs(&values, within, threads()) {
        let (a, b) = (rows[a as usize], rows[b as usize]);
        pairs.push((a.max(b), a.min(b), bits));
    }
    HashPairs {
        key,
        within,
        pairs,
        keys: hashes.into_iter().map(|(k, _)| k).collect(),
    }
}

/// The connected components of `n` rows under `edges` (`(a, b, similarity)`), over the rows
/// `keep` lets take part, with at least two members: `(rows, closest similarity)`, closest
/// first.
fn groups_of(
    n: usize,
    edges: impl Iterator<Item = (usize, usize, f64)>,
    keep: impl Fn(usize) -> bool,
) -> Vec<(Vec<usize>, f64)> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut closest: HashMap<usize, f64> = HashMap::new();
    let mut linked = Vec::new();
    for (a, b, s) in edges {
        if !keep(a) || !keep(b) {
            continue;
        }
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra] = rb;
        }
        linked.push((a, s));
    }
    for (a, s) in linked {
        let r = root(&mut parent, a);
        let c = closest.entry(r).or_insert(f64::NEG_INFINITY);
        *c = c.max(s);
    }
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for row in 0..n {
        let r = root(&mut parent, row);
        if closest.contains_key(&r) {
            members.entry(r).or_default().push(row);
        }
    }
    let mut groups: Vec<(Vec<usize>, f64)> =
        members.into_iter().map(|(r, m)| (m, closest[&r])).collect();
    groups.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0[0].cmp(&b.0[0])));
    groups
}

#[cfg(test)]
mod tests;
