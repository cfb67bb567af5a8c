//! Every pair of rows of an [`EmbeddingIndex`] above a threshold (near-duplicates): exactly,
//! as tiles of a matrix product, or through the candidates of a [`HashPlan`] on a large index.

use super::kernels::{dot, halves_to_f32};
use super::{EmbeddingIndex, HIGH_ERROR};

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
pub(super) const PAIR_ROWS: usize = 256;
/// Target rows per tile of the all-pairs product.
const PAIR_TARGETS: usize = 1024;
/// Up to this many row pairs (new rows times all rows) every pair is computed; beyond it
/// (about 20,000 rows at once, here some 4 s) the candidates that random hyperplanes put in
/// the same bucket are, when that is less work (see [`HashPlan`]).
const EXACT_PAIRS: f64 = 4.0e8;
/// The share of the pairs at the threshold the candidate step is planned to find (each pair
/// above it is found more often).
const PLANNED_RECALL: f64 = 0.995;
/// The hash tables are used only when their candidates (counted once the rows are hashed) are
/// at most this share of every pair.
const MAX_CANDIDATE_SHARE: f64 = 0.25;
/// A table's read of a row element, in multiply-adds (see [`EmbeddingIndex::hash_plan`]).
const READ_COST: f64 = 16.0;
/// Bits per hash table tried, and the most tables.
const MIN_BITS: usize = 6;
const MAX_BITS: usize = 16;
const MAX_TABLES: usize = 256;

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
    /// tables of random-hyperplane hashes of a [`HashPlan`] where that plan is cheaper than
    /// the sign sketches ([`SketchPlan`](super::SketchPlan)), else the pairs whose sketches
    /// differ in few bits; either way a pair found has its exact cosine and a pair near the
    /// threshold can be missed (1 in 200 at the threshold, fewer above it). Where the rows
    /// are too alike for either to separate them, every pair is computed. `progress` hears
    /// the share of the work done.
    pub fn pairs_above(
        &self,
        from: usize,
        threshold: f32,
        threads: usize,
        progress: &(dyn Fn(f64) + Sync),
    ) -> Vec<Pair> {
        let n = self.len();
        if from >= n || self.dim == 0 {
            return Vec::new();
        }
        if (n - from) as f64 * n as f64 <= EXACT_PAIRS {
            return self.exact_pairs(from, threshold, threads, progress);
        }
        if let Some(plan) = self.hash_plan(from, threshold) {
            if plan.work < super::sketch::WORK {
                let share = MAX_CANDIDATE_SHARE;
                let hashed = self.hashed_pairs(from, threshold, &plan, share, threads, progress);
                if let Some(hashed) = hashed {
                    return hashed.pairs;
                }
            }
        }
        self.sketch_plan(threshold)
            .and_then(|plan| self.sketched_pairs(from, threshold, &plan, threads, progress))
            .unwrap_or_else(|| self.exact_pairs(from, threshold, threads, progress))
    }

    /// [`pairs_above`](Self::pairs_above) computing every pair.
    pub fn exact_pairs(
        &self,
        from: usize,
        threshold: f32,
        threads: usize,
        progress: &(dyn Fn(f64) + Sync),
    ) -> Vec<Pair> {
        let rows: Vec<u32> = (0..self.len() as u32).collect();
        let tiles: Vec<usize> = (from..rows.len()).step_by(PAIR_ROWS).collect();
        let every = (rows.len() - from.min(rows.len())) as f64 * (rows.len() + from) as f64;
        let done = std::sync::atomic::AtomicU64::new(0);
        // The last tiles have the most rows before them: taken first, the threads finish
        // together.
        let found = parallel(tiles.len(), threads, |i, scratch, out| {
            let q0 = tiles[tiles.len() - 1 - i];
            let q1 = (q0 + PAIR_ROWS).min(rows.len());
            self.tile_pairs(&rows, q0..q1, threshold, scratch, out);
            let work = ((q1 - q0) * (q0 + q1)) as u64;
            let so_far = done.fetch_add(work, std::sync::atomic::Ordering::Relaxed) + work;
            progress((so_far as f64 / every.max(1.0)).min(1.0));
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
        let (centre, r2) = super::planes::centre_and_spread(self, 0.05)?;
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
    /// (the rows fell into few buckets). `progress` hears the share of the tables done.
    pub fn hashed_pairs(
        &self,
        from: usize,
        threshold: f32,
        plan: &HashPlan,
        max_share: f64,
        threads: usize,
        progress: &(dyn Fn(f64) + Sync),
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
                // Each bucket's rows, and those of them before `from`.
                let (mut len, mut old) = (vec![0u32; buckets], vec![0u32; buckets]);
                for row in 0..n {
                    let code = codes[row * tables + table] as usize;
                    len[code] += 1;
                    old[code] += u32::from(row < from);
                }
                len.iter()
                    .zip(&old)
                    .map(|(&len, &old)| {
                        let (new, old) = (f64::from(len - old), f64::from(old));
                        // New rows with old ones, and new ones among themselves.
                        new * old + new * (new - 1.0) / 2.0
                    })
                    .sum::<f64>()
            })
            .sum();
        let every = (n - from) as f64 * (n + from - 1) as f64 / 2.0;
        if candidates > max_share * every {
            return None;
        }
        let tables_done = std::sync::atomic::AtomicUsize::new(0);
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
            let done = 1 + tables_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            progress(done as f64 / tables as f64);
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
    /// after row): the sides of `plan.centre` its products with random hyperplanes fall on.
    fn hash_codes(&self, plan: &HashPlan, threads: usize) -> Vec<u16> {
        let (tables, bits) = (plan.tables, plan.bits);
        self.plane_sides(
            &plan.centre,
            tables * bits,
            0x5eed_1ab5,
            threads,
            |products, offsets, out| {
                for (table, offsets) in products.chunks(bits).zip(offsets.chunks(bits)) {
                    let code = table
                        .iter()
                        .zip(offsets)
                        .enumerate()
                        .fold(0u16, |c, (bit, (&s, &o))| c | (u16::from(s > o) << bit));
                    out.push(code);
                }
            },
        )
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
    pub(super) fn gather(&self, rows: impl IntoIterator<Item = u32>, out: &mut Vec<f32>) {
        out.clear();
        for row in rows {
            let start = out.len();
            out.resize(start + self.dim, 0.0);
            self.vector_into_bulk(row as usize, &mut out[start..]);
        }
    }
}

/// Per-thread buffers of the tiles and the hashing.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) queries: Vec<f32>,
    targets: Vec<f32>,
    pub(super) product: Vec<f32>,
}

/// Runs `work(i, scratch, out)` for every `i < jobs` on `threads` threads (each taking the
/// next job as it finishes one) and returns everything they put out.
pub(super) fn parallel<T: Send>(
    jobs: usize,
    threads: usize,
    work: impl Fn(usize, &mut Scratch, &mut Vec<T>) + Sync,
) -> Vec<T> {
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
pub(super) fn sorted(mut pairs: Vec<Pair>) -> Vec<Pair> {
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    pairs
}

/// `out` (row-major, `n` wide) = the `m` rows of `a` times the `n` rows of `b` transposed,
/// both row-major with `k` columns.
pub(super) fn sgemm_rows(a: &[f32], m: usize, b: &[f32], n: usize, k: usize, out: &mut [f32]) {
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

#[cfg(test)]
mod tests;
