//! How alike images are, from a model's cached embeddings: every embedding of the library in
//! one contiguous matrix of unit rows, the top-k most similar rows to a query by brute force,
//! and every pair of rows above a threshold (near-duplicates).
//!
//! Each element is kept as two half-precision numbers: `high`, the element rounded, and `low`,
//! what the rounding left (scaled up so it keeps its precision), so `high + low / 2^11` is the
//! element to about 2^-22, as many bytes as `f32`. A query reads only `high` (half the bytes of
//! an `f32` matrix: at 100,000 x 768, 150 MB instead of 300, and the scan is bounded by memory
//! bandwidth), keeps every row within the rounding's error bound of the k-th best, and scores
//! those again with both halves, so the top-k is the one the full-precision rows give.
//! `cargo xtask bench similarity` measures it against numpy and a plain copy.
//!
//! `pairs` finds every pair above a threshold (near-duplicates); `kernels` has the SIMD dot
//! products and conversions both use.

mod hamming;
mod ivf;
mod kernels;
mod low;
mod pairs;
mod planes;
mod sketch;

pub use hamming::{hamming_pairs, HashPair};
pub use ivf::{lists_for, Centroids, Ivf, KeyedLists};
pub use kernels::dot;
pub use pairs::{HashPlan, Hashed, Pair};
pub use sketch::{SketchPlan, WORK as SKETCH_WORK};

use half::f16;
use half::slice::HalfFloatSliceExt;
use kernels::{dot_half, halves_to_f32};
use low::{LowHalves, Reading};

/// `low` holds what `high` left times this (2^11, the half-precision rounding's relative
/// error), which keeps it well inside half precision's normal range.
const LOW_SCALE: f32 = 2048.0;

/// How far a score from `high` alone can be from the full-precision one, for unit rows and
/// queries: rounding to half precision moves an element by at most 2^-11 of itself (so the
/// dot product by at most 2^-11), plus subnormals and the f32 sums (under 1e-5 at any
/// dimension an embedding has). A row in the true top-k is at most twice this below the k-th
/// best score from `high`.
const HIGH_ERROR: f32 = 1.0 / 2048.0 + 1e-5;

/// The embeddings of one model, row by row, each scaled to unit length.
#[derive(Debug, Clone, Default)]
pub struct EmbeddingIndex {
    dim: usize,
    keys: Vec<String>,
    /// Every element rounded to half precision, row after row.
    high: Vec<f16>,
    /// What that rounding left, times [`LOW_SCALE`], rounded to half precision: read only to
    /// score candidates again, so a large library's may live on disk.
    low: LowHalves,
    /// Each row's length before it was scaled to unit length.
    norms: Vec<f32>,
}

/// A row of the index and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// The row.
    pub row: usize,
    /// The cosine similarity, -1 to 1.
    pub cosine: f32,
}

impl EmbeddingIndex {
    /// An empty index of `dim`-dimensional embeddings.
    pub fn new(dim: usize) -> Self {
        Self::with_capacity(dim, 0)
    }

    /// An index of `dim` with room for `rows` rows.
    pub fn with_capacity(dim: usize, rows: usize) -> Self {
        Self {
            dim,
            keys: Vec::with_capacity(rows),
            high: Vec::with_capacity(rows * dim),
            low: LowHalves::default(),
            norms: Vec::with_capacity(rows),
        }
    }

    /// Adds the embedding `vector` of `key` (e.g. an image's SHA-1), scaled to unit length; a
    /// vector of another length, or of length zero or not finite, is refused (`false`).
    pub fn push(&mut self, key: String, vector: &[f32]) -> bool {
        if vector.len() != self.dim {
            return false;
        }
        let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !norm.is_finite() || norm == 0.0 {
            return false;
        }
        let start = self.high.len();
        self.high.resize(start + self.dim, f16::ZERO);
        let mut low = vec![f16::ZERO; self.dim];
        // In steps of 64 on the stack: the unit vector, rounded to `high`, read back, and
        // what the rounding left into `low`.
        const STEP: usize = 64;
        let (mut unit, mut back) = ([0.0f32; STEP], [0.0f32; STEP]);
        for (i, part) in vector.chunks(STEP).enumerate() {
            let span = start + i * STEP..start + i * STEP + part.len();
            let (unit, back) = (&mut unit[..part.len()], &mut back[..part.len()]);
            for (u, v) in unit.iter_mut().zip(part) {
                *u = v / norm;
            }
            self.high[span.clone()].convert_from_f32_slice(unit);
            self.high[span.clone()].convert_to_f32_slice(back);
            for (b, u) in back.iter_mut().zip(unit.iter()) {
                *b = (u - *b) * LOW_SCALE;
            }
            low[i * STEP..i * STEP + part.len()].convert_from_f32_slice(back);
        }
        self.low.push_row(&low);
        self.keys.push(key);
        self.norms.push(norm);
        true
    }

    /// Keeps the low halves in a temporary file in `dir` once the index has `rows` rows or
    /// more (see [`low`]): what stays in memory is then the high halves every query reads.
    pub fn low_on_disk_from(&mut self, rows: usize, dir: std::path::PathBuf) {
        self.low.spill_from(rows, dir);
    }

    /// Bytes the index holds in memory: both halves (or the high ones alone, the low ones on
    /// disk), the lengths and the keys.
    pub fn bytes_in_memory(&self) -> usize {
        let keys: usize = self.keys.iter().map(|k| k.capacity() + 24).sum();
        self.high.capacity() * 2 + self.low.bytes_in_memory() + self.norms.capacity() * 4 + keys
    }

    /// Bytes of the low halves in their file (none while in memory).
    pub fn bytes_on_disk(&self) -> usize {
        self.low.bytes_on_disk()
    }

    /// Makes an empty index one of `dim`-dimensional embeddings, keeping where its low halves
    /// go; an index with rows keeps its dimension.
    pub fn set_dim(&mut self, dim: usize) {
        if self.is_empty() {
            self.dim = dim;
        }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it has no row.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The embeddings' dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The key of `row`.
    pub fn key(&self, row: usize) -> &str {
        &self.keys[row]
    }

    /// The row of `key`, if it has one (a scan: for a query by image, not for loops).
    pub fn row_of(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }

    /// The unit vector of `row`.
    pub fn vector(&self, row: usize) -> Vec<f32> {
        let mut out = vec![0.0; self.dim];
        self.vector_into(row, &mut out);
        out
    }

    /// Writes the unit vector of `row` into `out` (`dim` long).
    pub fn vector_into(&self, row: usize, out: &mut [f32]) {
        self.read_vector(row, out, Reading::Point);
    }

    /// [`Self::vector_into`] for a search that reads every row ([`Reading::Bulk`]).
    pub(super) fn vector_into_bulk(&self, row: usize, out: &mut [f32]) {
        self.read_vector(row, out, Reading::Bulk);
    }

    fn read_vector(&self, row: usize, out: &mut [f32], reading: Reading) {
        let span = row * self.dim..(row + 1) * self.dim;
        halves_to_f32(&self.high[span.clone()], out);
        self.low.with(span, reading, |halves| {
            let mut low = [0.0f32; 64];
            for (o, l) in out.chunks_mut(64).zip(halves.chunks(64)) {
                halves_to_f32(l, &mut low[..l.len()]);
                for (o, l) in o.iter_mut().zip(&low) {
                    *o += l / LOW_SCALE;
                }
            }
        });
    }

    /// The cosine similarity of two rows.
    pub fn cosine(&self, a: usize, b: usize) -> f32 {
        self.exact_score(b, &self.vector(a))
    }

    /// The dot product of `row` with the unit query `q`, from both halves.
    fn exact_score(&self, row: usize, q: &[f32]) -> f32 {
        self.score(row, q, Reading::Point)
    }

    /// [`Self::exact_score`] for a search that reads every row ([`Reading::Bulk`]).
    pub(super) fn exact_score_bulk(&self, row: usize, q: &[f32]) -> f32 {
        self.score(row, q, Reading::Bulk)
    }

    fn score(&self, row: usize, q: &[f32], reading: Reading) -> f32 {
        let span = row * self.dim..(row + 1) * self.dim;
        let high = dot_half(&self.high[span.clone()], q);
        high + self.low.with(span, reading, |low| dot_half(low, q)) / LOW_SCALE
    }

    /// The dot product of every row, at its length before it was scaled, with `w` (`dim` long):
    /// a linear model's output on every embedding, in row order, from both halves (to about
    /// 1e-6 of the f64 product), on `threads` threads. Empty when `w` is not `dim` long.
    pub fn project(&self, w: &[f32], threads: usize) -> Vec<f32> {
        if w.len() != self.dim || self.is_empty() {
            return Vec::new();
        }
        let per = self.len().div_ceil(threads.clamp(1, self.len()));
        let mut out = vec![0.0f32; self.len()];
        std::thread::scope(|scope| {
            for (t, part) in out.chunks_mut(per).enumerate() {
                scope.spawn(move || {
                    for (i, o) in part.iter_mut().enumerate() {
                        let row = t * per + i;
                        *o = self.norms[row] * self.exact_score_bulk(row, w);
                    }
                });
            }
        });
        out
    }

    /// The `k` rows most similar to `query` (any length-`dim` vector; it is normalised here),
    /// most similar first, computed on `threads` threads. Empty when the query is not a usable
    /// vector.
    pub fn top_k(&self, query: &[f32], k: usize, threads: usize) -> Vec<Neighbour> {
        let Some(q) = self.unit_query(query) else {
            return Vec::new();
        };
        let (n, threads) = (self.len(), threads.clamp(1, self.len()));
        let per = n.div_ceil(threads);
        let parts = (0..threads).map(|t| t * per..((t + 1) * per).min(n));
        self.best_of(parts, &q, k.min(n))
    }

    /// `query` scaled to unit length; `None` when it is not a usable vector or the index is
    /// empty.
    fn unit_query(&self, query: &[f32]) -> Option<Vec<f32>> {
        let norm = query.iter().map(|v| v * v).sum::<f32>().sqrt();
        let usable = query.len() == self.dim && norm.is_finite() && norm > 0.0;
        (usable && !self.is_empty()).then(|| query.iter().map(|v| v / norm).collect())
    }

    /// The `k` rows of `parts` most similar to the unit query `q`, most similar first: each
    /// part read on a thread of its own from the high halves, keeping every row that may be
    /// in the top k; those are scored again from both halves.
    fn best_of<P>(&self, parts: impl Iterator<Item = P>, q: &[f32], k: usize) -> Vec<Neighbour>
    where
        P: IntoIterator<Item = usize> + Send,
    {
        if k == 0 {
            return Vec::new();
        }
        let candidates: Vec<Neighbour> = std::thread::scope(|scope| {
            let parts: Vec<_> = parts
                .map(|part| {
                    scope.spawn(move || {
                        let mut top = Candidates::new(k, 2.0 * HIGH_ERROR);
                        for r in part {
                            let row = &self.high[r * self.dim..(r + 1) * self.dim];
                            top.offer(r, dot_half(row, q));
                        }
                        top.into_kept()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_default())
                .collect()
        });
        let mut best: Vec<Neighbour> = candidates
            .into_iter()
            .map(|n| Neighbour {
                row: n.row,
                cosine: self.exact_score(n.row, q),
            })
            .collect();
        best.sort_unstable_by(by_cosine);
        best.truncate(k);
        best
    }
}

/// Most similar first; equal ones by row.
fn by_cosine(a: &Neighbour, b: &Neighbour) -> std::cmp::Ordering {
    b.cosine.total_cmp(&a.cosine).then(a.row.cmp(&b.row))
}

/// The rows of a stream of scores that may be among the best `k`: every one at most `margin`
/// below the k-th best so far. The list is cut back whenever it doubles.
struct Candidates {
    k: usize,
    margin: f32,
    kept: Vec<Neighbour>,
    floor: f32,
    room: usize,
}

impl Candidates {
    fn new(k: usize, margin: f32) -> Self {
        Self {
            k,
            margin,
            kept: Vec::with_capacity(2 * k + 1),
            floor: f32::NEG_INFINITY,
            room: 2 * k,
        }
    }

    fn offer(&mut self, row: usize, cosine: f32) {
        if cosine < self.floor {
            return;
        }
        self.kept.push(Neighbour { row, cosine });
        if self.kept.len() > self.room {
            self.kept.select_nth_unstable_by(self.k - 1, by_cosine);
            self.floor = self.kept[self.k - 1].cosine - self.margin;
            let floor = self.floor;
            self.kept.retain(|n| n.cosine >= floor);
            // Many rows within the margin (copies of one picture) widen the list.
            self.room = (2 * self.k).max(2 * self.kept.len());
        }
    }

    fn into_kept(self) -> Vec<Neighbour> {
        self.kept
    }
}

/// A random vector of `dim` elements in every direction (not unit length).
#[cfg(test)]
fn random_unit(rng: &mut fastrand::Rng, dim: usize) -> Vec<f32> {
    (0..dim).map(|_| rng.f32() - 0.5).collect()
}

#[cfg(test)]
mod tests;
