//! An approximate index for find-similar on a large library, an inverted file: the rows are
//! split into lists by the nearest of about `sqrt(rows)` centroids (spherical k-means on a
//! sample), and a query reads only the rows of the lists whose centroids are nearest it. Those
//! rows are read and kept as the exact scan keeps them ([`EmbeddingIndex::top_k`]: the high
//! halves, every row that may be in the top k scored again from both halves), so what it
//! returns is exact for the rows it read; what it can miss is a neighbour in a list it did not
//! read.
//!
//! How many lists a query reads is measured when the index is built ([`Ivf::tune`]): enough
//! that the true neighbours of a sample of rows (from the exact scan) lie in them, all but
//! [`MISSED`]. Where that is a large part of the lists (rows with no structure to split them
//! by), the index says so and the exact scan answers.
//!
//! It holds no copy of the rows, only the centroids and each row's list. Rows that arrive are
//! put in their nearest list and rows that leave are left out ([`KeyedLists::carry`]),
//! without training again.

use super::kernels::dot;
use super::pairs::{parallel, sgemm_rows, PAIR_ROWS};
use super::{EmbeddingIndex, Neighbour};
use std::sync::Arc;

/// Training rows per list.
const TRAIN_PER_LIST: usize = 40;
/// Rounds of k-means.
const ROUNDS: usize = 8;
/// The part of the sample's true neighbours the tuned number of lists may miss.
pub const MISSED: f64 = 0.002;
/// Sample queries the number of lists is tuned on.
const TUNE_QUERIES: usize = 200;
/// A query that must read more than this part of the lists is left to the exact scan.
const MOST_LISTS: f64 = 0.1;

/// The centroids of one model's rows, unit vectors, with how many lists a query reads.
#[derive(Debug, Clone)]
pub struct Centroids {
    dim: usize,
    unit: Vec<f32>,
    probes: usize,
    /// The rows they were trained on (a library much larger is trained again).
    trained_on: usize,
}

/// The rows of one index in lists by their nearest centroid.
#[derive(Debug, Clone)]
pub struct Ivf {
    centroids: Arc<Centroids>,
    /// The list of every row of the index.
    list_of: Vec<u32>,
    /// The rows of every list, in row order.
    lists: Vec<Vec<u32>>,
}

/// The lists of an index's rows by a hash of their keys (a collision, one in about 10^13 at a
/// million rows, only puts a row in another list), with its centroids.
#[derive(Debug, Clone)]
pub struct KeyedLists {
    centroids: Arc<Centroids>,
    by_key: Vec<(u64, u32)>,
}

impl KeyedLists {
    /// The centroids and how many lists a query reads.
    pub fn centroids(&self) -> &Centroids {
        &self.centroids
    }

    /// The index of `index` with the same centroids: each row in its list here, found by key;
    /// only the rows not here are put in their nearest lists, on `threads` threads. `None`
    /// when the dimension differs.
    pub fn carry(&self, index: &EmbeddingIndex, threads: usize) -> Option<Ivf> {
        if self.centroids.dim != index.dim() {
            return None;
        }
        let known = |key: &str| {
            let h = key_hash(key);
            let at = self.by_key.partition_point(|(k, _)| *k < h);
            self.by_key
                .get(at)
                .filter(|(k, _)| *k == h)
                .map(|(_, l)| *l)
        };
        let mut list_of: Vec<u32> = (0..index.len())
            .map(|r| known(index.key(r)).unwrap_or(u32::MAX))
            .collect();
        let new: Vec<usize> = (0..index.len())
            .filter(|&r| list_of[r] == u32::MAX)
            .collect();
        for (&r, l) in new
            .iter()
            .zip(assign_rows(index, &new, &self.centroids, threads))
        {
            list_of[r] = l;
        }
        Some(Ivf::from_lists(self.centroids.clone(), list_of))
    }
}

/// A hash of a row's key, the same in every run.
fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl Centroids {
    /// How many lists.
    pub fn lists(&self) -> usize {
        self.unit.len() / self.dim
    }

    /// How many lists a query reads.
    pub fn probes(&self) -> usize {
        self.probes
    }

    /// How many rows they were trained on.
    pub fn trained_on(&self) -> usize {
        self.trained_on
    }

    /// The lists in the order of their centroids' cosine with the unit `q`, best first, the
    /// first `count` of them.
    fn nearest(&self, q: &[f32], count: usize) -> Vec<u32> {
        let mut scored: Vec<(f32, u32)> = self
            .unit
            .chunks_exact(self.dim)
            .enumerate()
            .map(|(i, c)| (dot(c, q), i as u32))
            .collect();
        let count = count.min(scored.len());
        if count < scored.len() {
            scored.select_nth_unstable_by(count, |a, b| b.0.total_cmp(&a.0));
            scored.truncate(count);
        }
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

/// How many lists for `rows` rows: about the square root, so lists and their rows cost a
/// query alike.
pub fn lists_for(rows: usize) -> usize {
    ((rows as f64).sqrt().round() as usize).clamp(16, 4096)
}

impl Ivf {
    /// Trains `lists` centroids on a sample of `index`'s rows (drawn from `seed`) and puts
    /// every row in its list, on `threads` threads; `None` for fewer rows than lists. A query
    /// reads every list until [`Ivf::tune`] is called.
    pub fn train(index: &EmbeddingIndex, lists: usize, seed: u64, threads: usize) -> Option<Self> {
        let (n, dim) = (index.len(), index.dim());
        if lists == 0 || n < lists {
            return None;
        }
        let mut rng = fastrand::Rng::with_seed(seed);
        let step = n.div_ceil((lists * TRAIN_PER_LIST).min(n));
        let sample: Vec<u32> = (0..n as u32).step_by(step).collect();
        let mut rows = Vec::new();
        let sample_rows: Vec<usize> = sample.iter().map(|&r| r as usize).collect();
        gather_high(index, &sample_rows, &mut rows);
        // The first centroids: distinct sample rows.
        let mut picks: Vec<usize> = (0..sample.len()).collect();
        rng.shuffle(&mut picks);
        let mut unit: Vec<f32> = picks[..lists]
            .iter()
            .flat_map(|&i| rows[i * dim..(i + 1) * dim].iter().copied())
            .collect();
        for _ in 0..ROUNDS {
            let nearest = nearest_of(&rows, sample.len(), &unit, dim, threads);
            let mut sums = vec![0.0f32; lists * dim];
            for (r, &c) in nearest.iter().enumerate() {
                let c = c as usize;
                for (s, x) in sums[c * dim..(c + 1) * dim]
                    .iter_mut()
                    .zip(&rows[r * dim..(r + 1) * dim])
                {
                    *s += x;
                }
            }
            for (c, sum) in sums.chunks_exact_mut(dim).enumerate() {
                let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
                if norm > 0.0 && norm.is_finite() {
                    sum.iter_mut().for_each(|v| *v /= norm);
                } else {
                    // An empty list starts again from a random row.
                    let r = rng.usize(..sample.len());
                    sum.copy_from_slice(&rows[r * dim..(r + 1) * dim]);
                }
                unit[c * dim..(c + 1) * dim].copy_from_slice(sum);
            }
        }
        drop(rows);
        let centroids = Arc::new(Centroids {
            dim,
            unit,
            probes: lists,
            trained_on: n,
        });
        Some(Self::from_lists(
            centroids.clone(),
            assign_rows(index, &(0..n).collect::<Vec<_>>(), &centroids, threads),
        ))
    }

    /// Each row's list by its key, to carry the index over to the next rows without keeping
    /// these ([`KeyedLists::carry`]).
    pub fn keyed(&self, index: &EmbeddingIndex) -> KeyedLists {
        let mut by_key: Vec<(u64, u32)> = (0..index.len().min(self.list_of.len()))
            .map(|r| (key_hash(index.key(r)), self.list_of[r]))
            .collect();
        by_key.sort_unstable();
        KeyedLists {
            centroids: self.centroids.clone(),
            by_key,
        }
    }

    fn from_lists(centroids: Arc<Centroids>, list_of: Vec<u32>) -> Self {
        let mut lists = vec![Vec::new(); centroids.lists()];
        for (row, &l) in list_of.iter().enumerate() {
            lists[l as usize].push(row as u32);
        }
        Self {
            centroids,
            list_of,
            lists,
        }
    }

    /// The centroids and how many lists a query reads.
    pub fn centroids(&self) -> &Centroids {
        &self.centroids
    }

    /// How many rows it has lists for.
    pub fn len(&self) -> usize {
        self.list_of.len()
    }

    /// Whether it has no row.
    pub fn is_empty(&self) -> bool {
        self.list_of.is_empty()
    }

    /// The bytes it holds (the centroids and the rows' lists; not the rows).
    pub fn bytes(&self) -> usize {
        self.centroids.unit.len() * 4 + self.list_of.len() * 8
    }

    /// Measures how many lists a query must read for the `k` nearest neighbours of a sample
    /// of `index`'s rows (by the exact scan) to lie in them, all but [`MISSED`], and makes
    /// queries read that many. `false` (and nothing changed) where that is more than
    /// [`MOST_LISTS`] of them: the exact scan is then as good.
    pub fn tune(&mut self, index: &EmbeddingIndex, k: usize, seed: u64, threads: usize) -> bool {
        if index.len() != self.list_of.len() || index.is_empty() {
            return false;
        }
        let mut rng = fastrand::Rng::with_seed(seed);
        let lists = self.centroids.lists();
        let mut needed = Vec::new();
        for _ in 0..TUNE_QUERIES.min(index.len()) {
            let row = rng.usize(..index.len());
            let q = index.vector(row);
            let order = self.centroids.nearest(&q, lists);
            let mut rank = vec![0usize; lists];
            for (i, &l) in order.iter().enumerate() {
                rank[l as usize] = i;
            }
            for n in index.top_k(&q, k + 1, threads) {
                if n.row != row {
                    needed.push(rank[self.list_of[n.row] as usize] + 1);
                }
            }
        }
        if needed.is_empty() {
            return false;
        }
        needed.sort_unstable();
        let at = ((needed.len() as f64) * (1.0 - MISSED)).ceil() as usize;
        let probes = needed[at.clamp(1, needed.len()) - 1];
        if probes as f64 > MOST_LISTS * lists as f64 {
            return false;
        }
        let mut centroids = (*self.centroids).clone();
        centroids.probes = probes;
        self.centroids = Arc::new(centroids);
        true
    }
}

impl EmbeddingIndex {
    /// The `k` rows most similar to `query` among the rows of `ivf`'s lists nearest it (any
    /// length-`dim` vector; normalised here), most similar first, on up to `threads`
    /// threads; empty when the query is not a usable vector or `ivf` is not of this index.
    pub fn top_k_near(&self, ivf: &Ivf, query: &[f32], k: usize, threads: usize) -> Vec<Neighbour> {
        let Some(q) = self.unit_query(query) else {
            return Vec::new();
        };
        if ivf.len() != self.len() || ivf.centroids.dim != self.dim {
            return Vec::new();
        }
        let rows: Vec<u32> = ivf
            .centroids
            .nearest(&q, ivf.centroids.probes)
            .into_iter()
            .flat_map(|l| ivf.lists[l as usize].iter().copied())
            .collect();
        // Under a few thousand rows a second thread costs more than it saves.
        let threads = threads.clamp(1, rows.len().div_ceil(4096).max(1));
        let parts = rows
            .chunks(rows.len().div_ceil(threads).max(1))
            .map(|part| part.iter().map(|&r| r as usize));
        self.best_of(parts, &q, k.min(rows.len()))
    }
}

/// The nearest centroid of each of the `count` rows of `rows` (row-major, `dim` wide).
fn nearest_of(rows: &[f32], count: usize, unit: &[f32], dim: usize, threads: usize) -> Vec<u32> {
    let lists = unit.len() / dim;
    let tiles: Vec<usize> = (0..count).step_by(PAIR_ROWS).collect();
    let mut parts = parallel(tiles.len(), threads, |i, scratch, out| {
        let (r0, r1) = (tiles[i], (tiles[i] + PAIR_ROWS).min(count));
        scratch.product.resize(PAIR_ROWS * lists, 0.0);
        sgemm_rows(
            &rows[r0 * dim..r1 * dim],
            r1 - r0,
            unit,
            lists,
            dim,
            &mut scratch.product,
        );
        out.push((r0, best_of(&scratch.product, lists, r1 - r0)));
    });
    parts.sort_unstable_by_key(|(r0, _)| *r0);
    parts.into_iter().flat_map(|(_, l)| l).collect()
}

/// The high halves of `rows` of `index`, one after another: each within 2^-11 of its unit
/// vector, enough to choose a list, and no low half read (a large library's are on disk).
fn gather_high(index: &EmbeddingIndex, rows: &[usize], out: &mut Vec<f32>) {
    let dim = index.dim();
    out.clear();
    out.resize(rows.len() * dim, 0.0);
    for (o, &r) in out.chunks_mut(dim).zip(rows) {
        super::kernels::halves_to_f32(&index.high[r * dim..(r + 1) * dim], o);
    }
}

/// The nearest centroid of each of `rows` of `index`.
fn assign_rows(
    index: &EmbeddingIndex,
    rows: &[usize],
    centroids: &Centroids,
    threads: usize,
) -> Vec<u32> {
    let (dim, lists) = (centroids.dim, centroids.lists());
    let tiles: Vec<&[usize]> = rows.chunks(PAIR_ROWS).collect();
    let mut parts = parallel(tiles.len(), threads, |i, scratch, out| {
        let tile = tiles[i];
        gather_high(index, tile, &mut scratch.queries);
        scratch.product.resize(PAIR_ROWS * lists, 0.0);
        sgemm_rows(
            &scratch.queries,
            tile.len(),
            &centroids.unit,
            lists,
            dim,
            &mut scratch.product,
        );
        out.push((i, best_of(&scratch.product, lists, tile.len())));
    });
    parts.sort_unstable_by_key(|(i, _)| *i);
    parts.into_iter().flat_map(|(_, l)| l).collect()
}

/// The column of the largest product in each of the first `count` rows of `product`.
fn best_of(product: &[f32], lists: usize, count: usize) -> Vec<u32> {
    product
        .chunks_exact(lists)
        .take(count)
        .map(|p| {
            let mut best = 0;
            for (i, v) in p.iter().enumerate() {
                if *v > p[best] {
                    best = i;
                }
            }
            best as u32
        })
        .collect()
}

#[cfg(test)]
mod tests;
