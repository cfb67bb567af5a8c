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

use half::f16;
use half::slice::HalfFloatSliceExt;

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
    /// What that rounding left, times [`LOW_SCALE`], rounded to half precision.
    low: Vec<f16>,
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
            low: Vec::with_capacity(rows * dim),
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
        self.low.resize(start + self.dim, f16::ZERO);
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
            self.low[span].convert_from_f32_slice(back);
        }
        self.keys.push(key);
        true
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
        let span = row * self.dim..(row + 1) * self.dim;
        halves_to_f32(&self.high[span.clone()], out);
        let mut low = [0.0f32; 64];
        for (o, l) in out.chunks_mut(64).zip(self.low[span].chunks(64)) {
            halves_to_f32(l, &mut low[..l.len()]);
            for (o, l) in o.iter_mut().zip(&low) {
                *o += l / LOW_SCALE;
            }
        }
    }

    /// The cosine similarity of two rows.
    pub fn cosine(&self, a: usize, b: usize) -> f32 {
        self.exact_score(b, &self.vector(a))
    }

    /// The dot product of `row` with the unit query `q`, from both halves.
    fn exact_score(&self, row: usize, q: &[f32]) -> f32 {
        let span = row * self.dim..(row + 1) * self.dim;
        dot_half(&self.high[span.clone()], q) + dot_half(&self.low[span], q) / LOW_SCALE
    }

    /// The `k` rows most similar to `query` (any length-`dim` vector; it is normalised here),
    /// most similar first, computed on `threads` threads. Empty when the query is not a usable
    /// vector.
    pub fn top_k(&self, query: &[f32], k: usize, threads: usize) -> Vec<Neighbour> {
        let norm = query.iter().map(|v| v * v).sum::<f32>().sqrt();
        if query.len() != self.dim || !norm.is_finite() || norm == 0.0 || self.is_empty() {
            return Vec::new();
        }
        let q: Vec<f32> = query.iter().map(|v| v / norm).collect();
        let k = k.min(self.len());
        if k == 0 {
            return Vec::new();
        }
        let threads = threads.clamp(1, self.len());
        let per = self.len().div_ceil(threads);
        // Each thread reads the high halves of its rows once, keeping every row that may be
        // in the top k; those are scored again from both halves.
        let candidates: Vec<Neighbour> = std::thread::scope(|scope| {
            let parts: Vec<_> = self
                .high
                .chunks(per * self.dim)
                .enumerate()
                .map(|(t, rows)| {
                    let q = &q;
                    scope.spawn(move || {
                        let mut top = Candidates::new(k, 2.0 * HIGH_ERROR);
                        for (r, row) in rows.chunks_exact(self.dim).enumerate() {
                            top.offer(t * per + r, dot_half(row, q));
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
                cosine: self.exact_score(n.row, &q),
            })
            .collect();
        best.sort_unstable_by(by_cosine);
        best.truncate(k);
        best
    }
}

/// Two rows of an index and their cosine similarity (`a` > `b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// The later row.
    pub a: u32,
    /// The earlier row.
    pub b: u32,
    /// Their cosine similarity.
    pub cosine: f32,
}

/// Buckets of up to this many rows are compared pair by pair, larger ones as a matrix product.
const SMALL_BUCKET: usize = 48;
/// Query rows per tile of the all-pairs product.
const PAIR_ROWS: usize = 256;
/// Target rows per tile of the all-pairs product.
const PAIR_TARGETS: usize = 1024;
/// Up to this many row pairs (new rows times all rows) every pair is computed; beyond it
/// (about 20,000 rows at once, here some 4 s) the candidates that random hyperplanes put in
/// the same bucket are, when that is less work (see [`HashPlan`]).
const EXACT_PAIRS: f64 = 4.0e8;
/// The share of the pairs at the threshold the candidate step is planned to find (each pair
/// above it is found more often).
const PLANNED_RECALL: f64 = 0.995;
/// The candidate step is used only when its expected work is at most this share of computing
/// every pair, and its candidates (counted once the rows are hashed) at most
/// [`MAX_CANDIDATE_SHARE`] of every pair.
const MAX_WORK: f64 = 0.5;
const MAX_CANDIDATE_SHARE: f64 = 0.25;
/// A table's read of a row element, in multiply-adds (see [`EmbeddingIndex::hash_plan`]).
const READ_COST: f64 = 16.0;
/// Bits per hash table tried, and the most tables.
const MIN_BITS: usize = 6;
const MAX_BITS: usize = 16;
const MAX_TABLES: usize = 256;
/// Rows sampled to centre the hyperplanes and measure the rows' spread around the centre.
const PLAN_SAMPLE: usize = 4096;

/// The candidate step of [`EmbeddingIndex::pairs_above`] for one index and threshold: `tables`
/// hash tables of `bits` random hyperplanes each, all through `centre` (the rows' mean).
///
/// Hyperplanes through the origin split embeddings poorly when they share a direction (the
/// features of a ReLU network are all positive: unrelated images have cosines of 0.1-0.5, and
/// most rows would fall in a few buckets); through the mean they split them as evenly as
/// isotropic data. Two rows `x`, `y` at distance `d` from each other keep it around the
/// centre, where their cosine is `1 - d^2 / (2 r^2)` for rows at distance `r` from it: so the
/// threshold's cosine `c` (`d^2 = 2 - 2c`) is `1 - (1 - c) / r^2` there, taken with the
/// sample's 5th percentile of `r^2` (the rows closest to the centre, where it is lowest). Two
/// rows at angle `theta` share the side of a random hyperplane with probability
/// `p = 1 - theta / pi`, a bucket of `bits` of them with `p^bits`, a bucket of one of `tables`
/// tables with `1 - (1 - p^bits)^tables`: the plan is the one with the least work (hashing
/// plus candidates, for unrelated rows on either side half the time) that finds
/// [`PLANNED_RECALL`] of the pairs at the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct HashPlan {
    /// Hash tables.
    pub tables: usize,
    /// Hyperplanes (bits) per table.
    pub bits: usize,
    /// The point every hyperplane goes through.
    pub centre: Vec<f32>,
    /// The threshold's cosine around the centre, that the plan was made for.
    pub centred_threshold: f64,
    /// Its expected candidates (once per table that has them) over every pair, for unrelated
    /// rows on either side of a hyperplane half the time.
    pub candidates: f64,
    /// Its expected work (hashing and candidates) over that of computing every pair.
    pub work: f64,
}

/// What [`EmbeddingIndex::hashed_pairs`] found.
#[derive(Debug, Clone)]
pub struct Hashed {
    /// The pairs above the threshold among the candidates.
    pub pairs: Vec<Pair>,
    /// The candidates (counted once per table that has them) over every pair.
    pub share: f64,
}

impl EmbeddingIndex {
    /// Every pair of rows `(a, b)` with `a >= from`, `b < a` and a cosine of at least
    /// `threshold`, spread over `threads` threads. With `from` > 0 only the pairs of rows
    /// added since `from` are computed (the others are known). While the work is small (see
    /// [`EXACT_PAIRS`]) every pair is computed, as tiles of a matrix product (matrixmultiply's
    /// SIMD sgemm); beyond it the candidates are the pairs that share a bucket in one of the
    /// tables of random-hyperplane hashes of a [`HashPlan`], so a pair found has its exact
    /// cosine and a pair near the threshold can be missed (1 in 200 at the threshold, fewer
    /// above it). Where the rows are too alike for buckets to separate them (the plan expects
    /// more than [`MAX_WORK`] of the work of every pair, or more than
    /// [`MAX_CANDIDATE_SHARE`] of the pairs turn out to be candidates), every pair is
    /// computed.
    pub fn pairs_above(&self, from: usize, threshold: f32, threads: usize) -> Vec<Pair> {
        let n = self.len();
        if from >= n || self.dim == 0 {
            return Vec::new();
        }
        if (n - from) as f64 * n as f64 <= EXACT_PAIRS {
            return self.exact_pairs(from, threshold, threads);
        }
        match self.hash_plan(from, threshold) {
            Some(plan) if plan.work < MAX_WORK => self
                .hashed_pairs(from, threshold, &plan, MAX_CANDIDATE_SHARE, threads)
                .map_or_else(|| self.exact_pairs(from, threshold, threads), |h| h.pairs),
            _ => self.exact_pairs(from, threshold, threads),
        }
    }

    /// [`pairs_above`](Self::pairs_above) computing every pair.
    pub fn exact_pairs(&self, from: usize, threshold: f32, threads: usize) -> Vec<Pair> {
        let rows: Vec<u32> = (0..self.len() as u32).collect();
        let tiles: Vec<usize> = (from..rows.len()).step_by(PAIR_ROWS).collect();
        // The last tiles have the most rows before them: taken first, the threads finish
        // together.
        let found = parallel(tiles.len(), threads, |i, scratch, out| {
            let q0 = tiles[tiles.len() - 1 - i];
            let q1 = (q0 + PAIR_ROWS).min(rows.len());
            self.tile_pairs(&rows, q0..q1, threshold, scratch, out);
        });
        sorted(found)
    }

    /// The [`HashPlan`] with the least work for the pairs of rows from `from` at `threshold`;
    /// `None` where the rows are too alike around their centre for any plan to find them.
    pub fn hash_plan(&self, from: usize, threshold: f32) -> Option<HashPlan> {
        let (n, dim) = (self.len(), self.dim);
        if n < 2 || from >= n {
            return None;
        }
        let step = n.div_ceil(PLAN_SAMPLE);
        let sample: Vec<Vec<f32>> = (0..n).step_by(step).map(|r| self.vector(r)).collect();
        let mut centre = vec![0.0f32; dim];
        for v in &sample {
            for (c, x) in centre.iter_mut().zip(v) {
                *c += x;
            }
        }
        for c in &mut centre {
            *c /= sample.len() as f32;
        }
        let mut spread: Vec<f64> = sample
            .iter()
            .map(|v| {
                v.iter()
                    .zip(&centre)
                    .map(|(x, c)| f64::from(x - c).powi(2))
                    .sum()
            })
            .collect();
        spread.sort_by(f64::total_cmp);
        let r2 = spread[spread.len() / 20];
        let centred = 1.0 - (1.0 - f64::from(threshold)) / r2;
        if !(centred > 0.0 && centred < 1.0) {
            return None;
        }
        let p = 1.0 - centred.acos() / std::f64::consts::PI;
        // Work in multiply-adds of a matrix product (measured here: the candidates' products
        // run at half its speed, and each table reads every row in bucket order, a dozen
        // multiply-adds' time an element).
        let (all, dim) = (n as f64, dim as f64);
        let every = (n - from) as f64 * (n + from - 1) as f64 / 2.0;
        let exact = every * dim;
        let plan = (MIN_BITS..=MAX_BITS)
            .filter_map(|bits| {
                let hit = p.powi(bits as i32);
                let tables = ((1.0 - PLANNED_RECALL).ln() / (1.0 - hit).ln()).ceil() as usize;
                let share = tables as f64 * 0.5f64.powi(bits as i32);
                let work = all * dim * (tables * bits) as f64
                    + tables as f64 * all * dim * READ_COST
                    + share * every * dim * 2.0;
                (tables <= MAX_TABLES).then_some((work, bits, tables, share))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))?;
        Some(HashPlan {
            tables: plan.2,
            bits: plan.1,
            centre,
            centred_threshold: centred,
            candidates: plan.3,
            work: plan.0 / exact,
        })
    }

    /// [`pairs_above`](Self::pairs_above) computing the pairs that share a bucket of `plan`'s
    /// tables; `None`, before computing any, when they are more than `max_share` of all pairs
    /// (the rows fell into few buckets).
    pub fn hashed_pairs(
        &self,
        from: usize,
        threshold: f32,
        plan: &HashPlan,
        max_share: f64,
        threads: usize,
    ) -> Option<Hashed> {
        let n = self.len();
        let tables = plan.tables;
        let codes = self.hash_codes(plan, threads);
        let buckets = 1usize << plan.bits;
        // Each table's rows by bucket (a counting sort keeps each bucket's rows in order):
        // `starts[b]..starts[b + 1]` of `order`.
        let sort = |table: usize| -> (Vec<u32>, Vec<u32>) {
            let mut starts = vec![0u32; buckets + 1];
            for row in 0..n {
                starts[codes[row * tables + table] as usize + 1] += 1;
            }
            for b in 0..buckets {
                starts[b + 1] += starts[b];
            }
            let mut next = starts.clone();
            let mut order = vec![0u32; n];
            for row in 0..n {
                let code = codes[row * tables + table] as usize;
                order[next[code] as usize] = row as u32;
                next[code] += 1;
            }
            (starts, order)
        };
        // The candidates, counted before any is computed: each new row with the rows before
        // it in its bucket.
        let candidates: f64 = (0..tables)
            .map(|table| {
                let (starts, order) = sort(table);
                (0..buckets)
                    .map(|b| {
                        let bucket = &order[starts[b] as usize..starts[b + 1] as usize];
                        let old = bucket.partition_point(|&r| (r as usize) < from) as f64;
                        let len = bucket.len() as f64;
                        // New rows with old ones, and new ones among themselves.
                        (len - old) * old + (len - old) * (len - old - 1.0) / 2.0
                    })
                    .sum::<f64>()
            })
            .sum();
        let every = (n - from) as f64 * (n + from - 1) as f64 / 2.0;
        if candidates > max_share * every {
            return None;
        }
        let found = parallel(tables, threads, |table, scratch, out| {
            let (starts, order) = sort(table);
            for b in 0..buckets {
                let bucket = &order[starts[b] as usize..starts[b + 1] as usize];
                if bucket.len() < 2 || (*bucket.last().unwrap_or(&0) as usize) < from {
                    continue;
                }
                let first = bucket.partition_point(|&r| (r as usize) < from).max(1);
                if bucket.len() <= SMALL_BUCKET {
                    self.small_bucket_pairs(bucket, first, threshold, scratch, out);
                    continue;
                }
                for q0 in (first..bucket.len()).step_by(PAIR_ROWS) {
                    let q1 = (q0 + PAIR_ROWS).min(bucket.len());
                    self.tile_pairs(bucket, q0..q1, threshold, scratch, out);
                }
            }
        });
        // A pair that shares buckets in several tables is found once per table.
        let mut pairs = sorted(found);
        pairs.dedup_by_key(|p| (p.a, p.b));
        Some(Hashed {
            pairs,
            share: candidates / every,
        })
    }

    /// Each row's bucket in every table of `plan` (`tables` codes of `bits` bits a row, row
    /// after row): the sides of `plan.centre` its products with random hyperplanes fall on
    /// (normal directions, the same on every call), as tiles of a matrix product.
    fn hash_codes(&self, plan: &HashPlan, threads: usize) -> Vec<u16> {
        let (n, dim) = (self.len(), self.dim);
        let (tables, bits) = (plan.tables, plan.bits);
        let planes = tables * bits;
        let mut rng = fastrand::Rng::with_seed(0x5eed_1ab5);
        // Normal directions by Box-Muller: their signs split the sphere evenly.
        let normal: Vec<f32> = (0..planes * dim)
            .map(|_| {
                let (u, v) = (1.0 - rng.f32(), rng.f32());
                (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
            })
            .collect();
        // Each hyperplane's offset: its product with the centre.
        let offsets: Vec<f32> = normal.chunks(dim).map(|h| dot(h, &plan.centre)).collect();
        let tiles: Vec<usize> = (0..n).step_by(PAIR_ROWS).collect();
        let mut codes = vec![0u16; n * tables];
        let parts = std::sync::Mutex::new(Vec::new());
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads.clamp(1, tiles.len().max(1)) {
                scope.spawn(|| {
                    let mut rows = Vec::new();
                    let mut product = vec![0.0f32; PAIR_ROWS * planes];
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&r0) = tiles.get(i) else { break };
                        let r1 = (r0 + PAIR_ROWS).min(n);
                        self.gather(r0 as u32..r1 as u32, &mut rows);
                        sgemm_rows(&rows, r1 - r0, &normal, planes, dim, &mut product);
                        let mut mine = Vec::with_capacity((r1 - r0) * tables);
                        for signs in product.chunks(planes).take(r1 - r0) {
                            for (table, offsets) in signs.chunks(bits).zip(offsets.chunks(bits)) {
                                let code = table
                                    .iter()
                                    .zip(offsets)
                                    .enumerate()
                                    .fold(0u16, |c, (bit, (&s, &o))| c | (u16::from(s > o) << bit));
                                mine.push(code);
                            }
                        }
                        parts
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((r0, mine));
                    }
                });
            }
        });
        for (r0, part) in parts.into_inner().unwrap_or_else(|e| e.into_inner()) {
            codes[r0 * tables..r0 * tables + part.len()].copy_from_slice(&part);
        }
        codes
    }

    /// The pairs `(rows[i], rows[j])`, `i >= first`, `j < i`, with a cosine of at least
    /// `threshold`, for a few rows: each pair's product of the high halves, and for those
    /// within their rounding error of the threshold, the cosine from both halves. (The
    /// candidate step's buckets hold a dozen rows: a matrix product's packing would cost more
    /// than the products.)
    fn small_bucket_pairs(
        &self,
        rows: &[u32],
        first: usize,
        threshold: f32,
        scratch: &mut Scratch,
        out: &mut Vec<Pair>,
    ) {
        let dim = self.dim;
        scratch.queries.resize(rows.len() * dim, 0.0);
        for (r, row) in rows.iter().zip(scratch.queries.chunks_mut(dim)) {
            let start = *r as usize * dim;
            halves_to_f32(&self.high[start..start + dim], row);
        }
        // Both rows rounded: the product is within twice one row's error.
        let floor = threshold - 2.0 * HIGH_ERROR;
        let high = &scratch.queries;
        for a in first..rows.len() {
            let row_a = &high[a * dim..(a + 1) * dim];
            for b in 0..a {
                if dot(row_a, &high[b * dim..(b + 1) * dim]) < floor {
                    continue;
                }
                let cosine = self.cosine(rows[a] as usize, rows[b] as usize);
                if cosine >= threshold {
                    out.push(Pair {
                        a: rows[a],
                        b: rows[b],
                        cosine,
                    });
                }
            }
        }
    }

    /// The pairs `(rows[i], rows[j])`, `i` in `queries`, `j < i`, with a cosine of at least
    /// `threshold`, as tiles of a matrix product of the gathered rows (`rows` ascending).
    fn tile_pairs(
        &self,
        rows: &[u32],
        queries: std::ops::Range<usize>,
        threshold: f32,
        scratch: &mut Scratch,
        out: &mut Vec<Pair>,
    ) {
        let (q0, q1) = (queries.start, queries.end);
        self.gather(rows[q0..q1].iter().copied(), &mut scratch.queries);
        for t0 in (0..q1 - 1).step_by(PAIR_TARGETS) {
            let t1 = (t0 + PAIR_TARGETS).min(q1 - 1);
            self.gather(rows[t0..t1].iter().copied(), &mut scratch.targets);
            let width = t1 - t0;
            scratch.product.resize(PAIR_ROWS * PAIR_TARGETS, 0.0);
            sgemm_rows(
                &scratch.queries,
                q1 - q0,
                &scratch.targets,
                width,
                self.dim,
                &mut scratch.product,
            );
            for (qi, line) in scratch.product.chunks(width).take(q1 - q0).enumerate() {
                let a = q0 + qi;
                let upto = a.min(t1).saturating_sub(t0);
                for (ti, &c) in line[..upto].iter().enumerate() {
                    if c >= threshold {
                        out.push(Pair {
                            a: rows[a],
                            b: rows[t0 + ti],
                            cosine: c,
                        });
                    }
                }
            }
        }
    }

    /// The unit vectors of `rows`, one after another, into `out`.
    fn gather(&self, rows: impl IntoIterator<Item = u32>, out: &mut Vec<f32>) {
        out.clear();
        for row in rows {
            let start = out.len();
            out.resize(start + self.dim, 0.0);
            self.vector_into(row as usize, &mut out[start..]);
        }
    }
}

/// Per-thread buffers of the tiles.
#[derive(Default)]
struct Scratch {
    queries: Vec<f32>,
    targets: Vec<f32>,
    product: Vec<f32>,
}

/// Runs `work(i, scratch, out)` for every `i < jobs` on `threads` threads (each taking the
/// next job as it finishes one) and returns everything they put out.
fn parallel(
    jobs: usize,
    threads: usize,
    work: impl Fn(usize, &mut Scratch, &mut Vec<Pair>) + Sync,
) -> Vec<Pair> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.max(1)) {
            scope.spawn(|| {
                let mut scratch = Scratch::default();
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= jobs {
                        break;
                    }
                    work(i, &mut scratch, &mut mine);
                }
                found
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .append(&mut mine);
            });
        }
    });
    found.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// By later row, then earlier.
fn sorted(mut pairs: Vec<Pair>) -> Vec<Pair> {
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    pairs
}

/// `out` (row-major, `n` wide) = the `m` rows of `a` times the `n` rows of `b` transposed,
/// both row-major with `k` columns.
fn sgemm_rows(a: &[f32], m: usize, b: &[f32], n: usize, k: usize, out: &mut [f32]) {
    assert!(a.len() >= m * k && b.len() >= n * k && out.len() >= m * n);
    // SAFETY: a is m x k row-major (row stride k), b read as k x n through strides (1, k)
    // (the transpose of the n x k rows), out is m x n row-major; all three slices are at
    // least that long (checked above).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            k as isize,
            1,
            b.as_ptr(),
            1,
            k as isize,
            0.0,
            out.as_mut_ptr(),
            n as isize,
            1,
        );
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

/// Converts `h` to single precision into `out` (as long): eight at a time with F16C where the
/// processor has it (half's own slice conversion calls a function per eight).
fn halves_to_f32(h: &[f16], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: the processor has AVX2, FMA and F16C (checked by `avx2`).
            unsafe { halves_to_f32_f16c(h, out) };
            return;
        }
    }
    h.convert_to_f32_slice(out);
}

/// [`halves_to_f32`] with F16C.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,f16c")]
fn halves_to_f32_f16c(h: &[f16], out: &mut [f32]) {
    use std::arch::x86_64::*;
    let n = h.len().min(out.len());
    let whole = n - n % 8;
    let (hp, op) = (h.as_ptr().cast::<u16>(), out.as_mut_ptr());
    let mut i = 0;
    while i < whole {
        // SAFETY: i + 8 <= n, the length of both slices; f16 is a transparent u16; the loads
        // and stores are unaligned ones.
        unsafe {
            _mm256_storeu_ps(
                op.add(i),
                _mm256_cvtph_ps(_mm_loadu_si128(hp.add(i).cast())),
            )
        };
        i += 8;
    }
    for (o, h) in out[whole..n].iter_mut().zip(&h[whole..n]) {
        *o = h.to_f32();
    }
}

/// The dot product of a row of half-precision numbers and a query: with AVX2, FMA and F16C
/// where the processor has them (detected once), else element by element.
fn dot_half(h: &[f16], q: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: the processor has AVX2, FMA and F16C (checked by `avx2`).
            return unsafe { dot_half_avx2(h, q) };
        }
    }
    h.iter().zip(q).map(|(h, q)| h.to_f32() * q).sum()
}

/// [`dot_half`] with sixteen halves converted and multiplied per step, in two sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn dot_half_avx2(h: &[f16], q: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = h.len().min(q.len());
    let whole = n - n % 16;
    let (mut s0, mut s1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let (hp, qp) = (h.as_ptr().cast::<u16>(), q.as_ptr());
    let mut i = 0;
    while i < whole {
        // SAFETY: i + 16 <= n, the length of both slices; f16 is a transparent u16; the
        // loads are unaligned ones.
        unsafe {
            let h0 = _mm256_cvtph_ps(_mm_loadu_si128(hp.add(i).cast()));
            let h1 = _mm256_cvtph_ps(_mm_loadu_si128(hp.add(i + 8).cast()));
            s0 = _mm256_fmadd_ps(h0, _mm256_loadu_ps(qp.add(i)), s0);
            s1 = _mm256_fmadd_ps(h1, _mm256_loadu_ps(qp.add(i + 8)), s1);
        }
        i += 16;
    }
    let mut lanes = [0.0f32; 8];
    // SAFETY: lanes has room for the eight floats.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), _mm256_add_ps(s0, s1)) };
    let rest: f32 = h[whole..n]
        .iter()
        .zip(&q[whole..n])
        .map(|(h, q)| h.to_f32() * q)
        .sum();
    lanes.iter().sum::<f32>() + rest
}

/// The dot product of two equally long slices: with AVX2 and FMA where the processor has them
/// (detected once), else in plain code the compiler vectorises for the baseline.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: the processor has AVX2 and FMA (checked by `avx2`).
            return unsafe { dot_avx2(a, b) };
        }
    }
    dot_with::<false>(a, b)
}

#[cfg(target_arch = "x86_64")]
fn avx2() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
    })
}
/// [`dot_with`] compiled for AVX2, with fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    dot_with::<true>(a, b)
}

/// The dot product in sixteen independent sums (two 8-lane registers; the compiler turns them
/// into SIMD lanes), fused multiply-adds with `FUSED` (only where the processor has them:
/// elsewhere `mul_add` is a slow library call).
#[inline(always)]
fn dot_with<const FUSED: bool>(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut sums = [0.0f32; LANES];
    let whole = a.len() - a.len() % LANES;
    for (x, y) in a[..whole]
        .chunks_exact(LANES)
        .zip(b[..whole].chunks_exact(LANES))
    {
        for k in 0..LANES {
            sums[k] = if FUSED {
                x[k].mul_add(y[k], sums[k])
            } else {
                sums[k] + x[k] * y[k]
            };
        }
    }
    let rest: f32 = a[whole..].iter().zip(&b[whole..]).map(|(x, y)| x * y).sum();
    sums.iter().sum::<f32>() + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn pairs_above_equal_the_pairs_of_a_full_scan() {
        let mut rng = fastrand::Rng::with_seed(9);
        let dim = 19;
        let mut index = EmbeddingIndex::new(dim);
        // Clusters of near copies, so there are pairs above a high threshold, across blocks.
        let rows = PAIR_ROWS * 2 + PAIR_TARGETS + 37;
        let centres: Vec<Vec<f32>> = (0..40).map(|_| random_unit(&mut rng, dim)).collect();
        for i in 0..rows {
            let c = &centres[rng.usize(..centres.len())];
            let v: Vec<f32> = c.iter().map(|x| x + (rng.f32() - 0.5) * 0.08).collect();
            assert!(index.push(format!("img{i}"), &v));
        }
        let threshold = 0.97;
        let mut expected = Vec::new();
        for a in 0..rows {
            for b in 0..a {
                if index.cosine(a, b) >= threshold {
                    expected.push((a as u32, b as u32));
                }
            }
        }
        assert!(expected.len() > 1000, "{} pairs", expected.len());
        for (from, threads) in [(0, 1), (0, 3), (700, 2)] {
            let want: HashSet<(u32, u32)> = expected
                .iter()
                .copied()
                .filter(|(a, _)| *a as usize >= from)
                .collect();
            // sgemm sums in another order than the scan: a pair within rounding of the threshold
            // may land on either side.
            let near = |(a, b): &(u32, u32)| {
                (index.cosine(*a as usize, *b as usize) - threshold).abs() < 1e-5
            };
            // 64 tables of 12 bits: at cosine 0.97 a pair is missed with probability 1e-11.
            let plan = HashPlan {
                tables: 64,
                bits: 12,
                ..index.hash_plan(from, threshold).expect("a plan")
            };
            // Each cluster shares most buckets: the candidates are more than every pair.
            let hashed = index
                .hashed_pairs(from, threshold, &plan, f64::INFINITY, threads)
                .expect("no limit");
            for (how, got) in [
                ("every pair", index.exact_pairs(from, threshold, threads)),
                ("hashed", hashed.pairs),
            ] {
                let got: HashSet<(u32, u32)> = got.iter().map(|p| (p.a, p.b)).collect();
                let missing = want.difference(&got).filter(|p| !near(p)).count();
                let extra = got.difference(&want).filter(|p| !near(p)).count();
                assert_eq!(
                    (missing, extra),
                    (0, 0),
                    "{how}, from {from}, {threads} threads"
                );
            }
        }
        // The small index takes the exact path.
        assert_eq!(
            index.pairs_above(0, threshold, 2),
            index.exact_pairs(0, threshold, 2)
        );
    }

    /// Rows from `base` (each an unrelated picture) and, for every other one, a copy at a
    /// cosine spread from about 0.75 to 1; the pairs at or above `threshold` of every pair,
    /// the plan, and what it found.
    fn hashed_recall(
        base: impl Fn(&mut fastrand::Rng) -> Vec<f32>,
        dim: usize,
        threshold: f32,
    ) -> (EmbeddingIndex, f64, HashPlan, Hashed, usize) {
        let mut rng = fastrand::Rng::with_seed(21);
        let mut index = EmbeddingIndex::new(dim);
        for i in 0..3000 {
            let v = base(&mut rng);
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            index.push(format!("a{i}"), &v);
            if i % 2 == 0 {
                // Noise of up to 0.9 times the row's own root mean square (a cosine of about
                // 1 / sqrt(1 + 0.9^2) = 0.74); features that cannot be negative stay so.
                let spread = rng.f32() * 0.9 * norm / (dim as f32).sqrt() * 12f32.sqrt();
                let positive = v.iter().all(|x| *x >= 0.0);
                let near: Vec<f32> = v
                    .iter()
                    .map(|x| x + spread * (rng.f32() - 0.5))
                    .map(|x| if positive { x.max(0.0) } else { x })
                    .collect();
                index.push(format!("b{i}"), &near);
            }
        }
        let exact = index.exact_pairs(0, threshold, 2);
        let plan = index.hash_plan(0, threshold).expect("a plan");
        let hashed = index
            .hashed_pairs(0, threshold, &plan, 1.0, 2)
            .expect("under every pair");
        let exact: HashMap<(u32, u32), f32> =
            exact.iter().map(|p| ((p.a, p.b), p.cosine)).collect();
        let found = hashed
            .pairs
            .iter()
            .filter(|p| {
                exact
                    .get(&(p.a, p.b))
                    .is_some_and(|c| (c - p.cosine).abs() < 1e-5)
            })
            .count();
        assert_eq!(
            found,
            hashed.pairs.len(),
            "a hashed pair is an exact pair, with its cosine"
        );
        (
            index,
            found as f64 / exact.len() as f64,
            plan,
            hashed,
            exact.len(),
        )
    }

    #[test]
    fn hashed_pairs_find_nearly_all_pairs_at_the_lowest_threshold() {
        // Unrelated rows in every direction (cosines near 0), at 0.8 (the app's lowest).
        let dim = 96;
        let (_, recall, plan, hashed, pairs) =
            hashed_recall(|rng| (0..dim).map(|_| rng.f32() - 0.5).collect(), dim, 0.8);
        assert!(pairs > 700, "{pairs} pairs");
        assert!(recall >= 0.98, "recall {recall:.3} of {pairs}, {plan:?}");
        // The buckets split the rows as planned.
        assert!(
            hashed.share < 1.5 * plan.candidates,
            "{} {plan:?}",
            hashed.share
        );
        // Around the centre, the threshold's cosine is nearly the same.
        assert!(plan.centred_threshold > 0.75, "{plan:?}");
    }

    #[test]
    fn hashed_pairs_separate_rows_that_share_a_direction() {
        // Features of a ReLU network: no element negative, so unrelated rows have cosines of
        // about 0.56 and hyperplanes through the origin would leave most of them together.
        let dim = 96;
        let (index, recall, plan, hashed, pairs) = hashed_recall(
            |rng| (0..dim).map(|_| rng.f32() * rng.f32()).collect(),
            dim,
            0.9,
        );
        assert!(pairs > 500, "{pairs} pairs");
        assert!(recall >= 0.98, "recall {recall:.3} of {pairs}, {plan:?}");
        // The plan measured the shared direction: the threshold is lower around the centre.
        assert!(plan.centred_threshold < 0.8, "{plan:?}");
        assert!(
            hashed.share < 1.5 * plan.candidates,
            "{} {plan:?}",
            hashed.share
        );
        // The same hyperplanes through the origin: many times the candidates.
        let origin = HashPlan {
            centre: vec![0.0; dim],
            ..plan.clone()
        };
        let through_origin = index
            .hashed_pairs(0, 0.9, &origin, f64::INFINITY, 2)
            .expect("no limit");
        assert!(
            through_origin.share > 5.0 * hashed.share,
            "{} vs {}",
            through_origin.share,
            hashed.share
        );
    }

    #[test]
    fn rows_all_alike_are_compared_pair_by_pair() {
        // Rows spread less around their centre than the threshold's distance: no plan.
        let mut rng = fastrand::Rng::with_seed(4);
        let dim = 32;
        let mut index = EmbeddingIndex::new(dim);
        for i in 0..500 {
            let v: Vec<f32> = (0..dim).map(|_| 1.0 + 0.05 * rng.f32()).collect();
            index.push(format!("r{i}"), &v);
        }
        assert_eq!(index.hash_plan(0, 0.8), None);
        assert_eq!(
            index.pairs_above(0, 0.8, 2).len(),
            500 * 499 / 2,
            "every pair is above 0.8"
        );
    }

    fn random_unit(rng: &mut fastrand::Rng, dim: usize) -> Vec<f32> {
        (0..dim).map(|_| rng.f32() - 0.5).collect()
    }

    #[test]
    fn top_k_equals_a_full_sort_on_any_number_of_threads() {
        let mut rng = fastrand::Rng::with_seed(5);
        let dim = 37; // not a multiple of eight
        let mut index = EmbeddingIndex::new(dim);
        for i in 0..1001 {
            assert!(index.push(format!("img{i}"), &random_unit(&mut rng, dim)));
        }
        let query = random_unit(&mut rng, dim);
        let norm = query.iter().map(|v| v * v).sum::<f32>().sqrt();
        let mut all: Vec<(usize, f32)> = (0..index.len())
            .map(|r| {
                let exact: f64 = index
                    .vector(r)
                    .iter()
                    .zip(&query)
                    .map(|(a, b)| f64::from(*a) * f64::from(*b / norm))
                    .sum();
                (r, exact as f32)
            })
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1));
        for threads in [1, 2, 3, 8] {
            let top = index.top_k(&query, 10, threads);
            assert_eq!(top.len(), 10);
            let rows: Vec<usize> = top.iter().map(|n| n.row).collect();
            let want: Vec<usize> = all[..10].iter().map(|(r, _)| *r).collect();
            assert_eq!(rows, want, "{threads} threads");
            for (n, (_, exact)) in top.iter().zip(&all) {
                assert!((n.cosine - exact).abs() < 1e-5);
            }
        }
        // More than there are, and none.
        assert_eq!(index.top_k(&query, 5000, 2).len(), 1001);
        assert!(index.top_k(&query, 0, 2).is_empty());
    }

    #[test]
    fn rows_keep_their_precision_and_near_ties_keep_their_order() {
        let mut rng = fastrand::Rng::with_seed(17);
        let dim = 768;
        let mut index = EmbeddingIndex::new(dim);
        let base = random_unit(&mut rng, dim);
        let norm = base.iter().map(|v| v * v).sum::<f32>().sqrt();
        // Copies closer to each other than half precision resolves (cosines 1e-4 apart).
        let mut copies = Vec::new();
        for i in 0..40 {
            let v: Vec<f32> = base
                .iter()
                .map(|x| x / norm + 4e-3 * (rng.f32() - 0.5))
                .collect();
            index.push(format!("copy{i}"), &v);
            copies.push(v);
        }
        for i in 0..2000 {
            index.push(format!("other{i}"), &random_unit(&mut rng, dim));
        }
        for (row, v) in copies.iter().enumerate() {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            let back = index.vector(row);
            let worst = v
                .iter()
                .zip(&back)
                .map(|(a, b)| (a / n - b).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < 1e-6, "row {row}: {worst}");
        }
        let exact = |row: usize| -> f64 {
            let v = &copies[row];
            let n: f64 = v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
            let q: f64 = base
                .iter()
                .map(|x| f64::from(*x).powi(2))
                .sum::<f64>()
                .sqrt();
            v.iter()
                .zip(&base)
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum::<f64>()
                / n
                / q
        };
        let mut want: Vec<usize> = (0..copies.len()).collect();
        want.sort_by(|a, b| exact(*b).total_cmp(&exact(*a)));
        let top = index.top_k(&base, 20, 2);
        let spread = exact(want[0]) - exact(want[19]);
        assert!(spread < 1e-3, "the copies are near ties ({spread})");
        // The same twenty, in the exact order, up to f32 rounding (1e-6).
        let rows: Vec<usize> = top.iter().map(|n| n.row).collect();
        for w in top.windows(2) {
            assert!(
                exact(w[0].row) >= exact(w[1].row) - 1e-6,
                "{rows:?} / {want:?}"
            );
        }
        let twentieth = exact(want[19]);
        assert!(rows.iter().all(|&r| exact(r) >= twentieth - 1e-6));
        let clear = want[..20].iter().filter(|&&r| exact(r) > twentieth + 1e-6);
        assert!(clear.clone().count() >= 15);
        assert!(
            clear.into_iter().all(|r| rows.contains(r)),
            "{rows:?} / {want:?}"
        );
        for n in &top {
            assert!((f64::from(n.cosine) - exact(n.row)).abs() < 1e-6);
        }
    }

    #[test]
    fn a_near_copy_is_the_nearest_and_bad_vectors_are_refused() {
        let mut rng = fastrand::Rng::with_seed(9);
        let dim = 64;
        let mut index = EmbeddingIndex::new(dim);
        let original = random_unit(&mut rng, dim);
        for i in 0..200 {
            index.push(format!("other{i}"), &random_unit(&mut rng, dim));
        }
        // The same picture re-encoded: a slightly different embedding, at another scale.
        let copy: Vec<f32> = original
            .iter()
            .map(|v| 3.0 * (v + 0.01 * (rng.f32() - 0.5)))
            .collect();
        index.push("copy".into(), &copy);
        let top = index.top_k(&original, 3, 2);
        assert_eq!(index.key(top[0].row), "copy");
        assert!(top[0].cosine > 0.99 && top[1].cosine < 0.6, "{top:?}");
        assert_eq!(index.row_of("copy"), Some(200));
        assert!((index.cosine(200, 200) - 1.0).abs() < 1e-5);
        assert!(!index.push("short".into(), &[1.0; 3]));
        assert!(!index.push("zero".into(), &[0.0; 64]));
        assert!(!index.push("nan".into(), &[f32::NAN; 64]));
        assert!(index.top_k(&[0.0; 64], 3, 2).is_empty());
        assert_eq!(index.len(), 201);
    }
}
