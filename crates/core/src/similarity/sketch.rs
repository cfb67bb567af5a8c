//! Every pair above a threshold through sign sketches: each row's sides of [`BITS`] random
//! hyperplanes through the rows' mean, packed in four words, compared for every pair by the
//! bits they differ in (a few instructions a pair instead of a product of `dim` elements), and
//! only the pairs whose bits say they may be above the threshold scored exactly.
//!
//! This is the step for rows that share a direction, as the features of a ReLU network do
//! (all elements >= 0, unrelated images at cosines around 0.5): around their mean the app's
//! lowest threshold is a cosine near 0.5, which no bucket of a [`super::HashPlan`] separates
//! from the unrelated rows cheaply, but 256 bits tell apart well (a pair at the threshold
//! differs in a third of them, unrelated rows in half, give or take eight). Two rows at angle
//! `theta` around the centre differ in a bit with probability `theta / pi`: a pair is a
//! candidate when its bits differ no more than a pair at the threshold's would, with
//! [`MISS_Z`] standard deviations to spare (one pair at the threshold in 200 is missed, fewer
//! above it, as with the hash tables).

use super::pairs::{parallel, sorted, Pair};
use super::planes::centre_and_spread;
use super::EmbeddingIndex;

/// Bits of a sketch, and the words that hold them.
pub const BITS: usize = 256;
const WORDS: usize = BITS / 64;
/// Standard deviations of a pair at the threshold's differing bits the limit allows.
const MISS_Z: f64 = 2.576;
/// Rows per job: the earlier rows are read in blocks of [`BLOCK`], which stay in the cache
/// while every row of the job is compared with them.
const JOB_ROWS: usize = 512;
const BLOCK: usize = 8192;
/// Pairs compared on a sample before the sketches are used, and the share of them that may be
/// candidates (beyond it the rows are too alike for sketches to separate them).
const SAMPLE_ROWS: usize = 2000;
const MAX_CANDIDATE_SHARE: f64 = 0.02;
/// The sketches' work over that of computing every pair (measured by `cargo xtask bench
/// similarity`): hash tables planned for less are used instead.
pub const WORK: f64 = 0.1;

/// What [`EmbeddingIndex::sketch_plan`] decided for one index and threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct SketchPlan {
    /// The point every hyperplane goes through (the rows' mean).
    pub centre: Vec<f32>,
    /// The threshold's cosine around the centre, for the rows closest to it.
    pub centred_threshold: f64,
    /// The most bits a candidate pair's sketches may differ in.
    pub limit: u32,
}

/// Each row's sketch.
type Sketch = [u64; WORDS];

impl EmbeddingIndex {
    /// The sketch step for pairs at `threshold`; `None` when the threshold is no cosine
    /// around the rows' centre (the rows are all alike, or it is too low to separate).
    pub fn sketch_plan(&self, threshold: f32) -> Option<SketchPlan> {
        // The 1st percentile of the rows' squared distance from the centre: the threshold's
        // cosine around the centre is lowest for the rows closest to it.
        let (centre, r2) = centre_and_spread(self, 0.01)?;
        let centred = 1.0 - (1.0 - f64::from(threshold)) / r2;
        if !(centred > 0.0 && centred < 1.0) {
            return None;
        }
        let p = centred.acos() / std::f64::consts::PI;
        let bits = BITS as f64;
        let limit = (p * bits + MISS_Z * (bits * p * (1.0 - p)).sqrt()).floor() as u32;
        Some(SketchPlan {
            centre,
            centred_threshold: centred,
            limit,
        })
    }

    /// Every pair `(a, b)`, `a >= from`, `b < a`, with a cosine of at least `threshold`
    /// among the pairs whose sketches differ in at most `plan.limit` bits, on `threads`
    /// threads; `progress` hears the share of the comparisons done. `None`, before the pairs
    /// are compared, when more than [`MAX_CANDIDATE_SHARE`] of a sample's pairs are
    /// candidates.
    pub fn sketched_pairs(
        &self,
        from: usize,
        threshold: f32,
        plan: &SketchPlan,
        threads: usize,
        progress: &(dyn Fn(f64) + Sync),
    ) -> Option<Vec<Pair>> {
        let n = self.len();
        if from >= n {
            return Some(Vec::new());
        }
        let sketches = Sketches::new(&self.sketches(&plan.centre, threads));
        // A sample spread over the rows: how many of its pairs would be scored.
        let step = n.div_ceil(SAMPLE_ROWS);
        let sample: Vec<Sketch> = (0..n).step_by(step).map(|r| sketches.row(r)).collect();
        let (mut close, mut all) = (0u64, 0u64);
        for (i, a) in sample.iter().enumerate() {
            for b in &sample[..i] {
                close += u64::from(differing(a, b) <= plan.limit);
                all += 1;
            }
        }
        if close as f64 > MAX_CANDIDATE_SHARE * all as f64 {
            return None;
        }
        let jobs: Vec<usize> = (from..n).step_by(JOB_ROWS).collect();
        let every = (n - from) as f64 * (n + from - 1) as f64 / 2.0;
        let done = std::sync::atomic::AtomicU64::new(0);
        // The last jobs have the most rows before them: taken first, the threads finish
        // together.
        let found = parallel(jobs.len(), threads, |i, _, out| {
            let (mut close, mut row) = (Vec::new(), vec![0.0f32; self.dim()]);
            let a0 = jobs[jobs.len() - 1 - i];
            let a1 = (a0 + JOB_ROWS).min(n);
            for b0 in (0..a1).step_by(BLOCK) {
                let b1 = (b0 + BLOCK).min(a1);
                for a in a0.max(b0 + 1)..a1 {
                    close.clear();
                    let sketch = sketches.row(a);
                    within(&sketch, &sketches, b0..b1.min(a), plan.limit, &mut close);
                    if close.is_empty() {
                        continue;
                    }
                    self.vector_into_bulk(a, &mut row);
                    for &b in &close {
                        let b = b as usize;
                        let cosine = self.exact_score_bulk(b, &row);
                        if cosine >= threshold {
                            out.push(Pair {
                                a: a as u32,
                                b: b as u32,
                                cosine,
                            });
                        }
                    }
                }
            }
            let pairs = (a1 - a0) as u64 * (a0 + a1 - 1) as u64 / 2;
            let so_far = done.fetch_add(pairs, std::sync::atomic::Ordering::Relaxed) + pairs;
            progress((so_far as f64 / every).min(1.0));
        });
        Some(sorted(found))
    }

    /// Each row's sides of [`BITS`] random hyperplanes through `centre` (normal directions,
    /// the same on every call), as tiles of a matrix product.
    fn sketches(&self, centre: &[f32], threads: usize) -> Vec<Sketch> {
        self.plane_sides(
            centre,
            BITS,
            0x5ce7_c4e5,
            threads,
            |products, offsets, out| {
                let mut sketch = [0u64; WORDS];
                for (bit, (p, o)) in products.iter().zip(offsets).enumerate() {
                    sketch[bit / 64] |= u64::from(p > o) << (bit % 64);
                }
                out.push(sketch);
            },
        )
    }
}

/// The sketches of eight rows, word by word: word `w` of lane `l` at `8 * w + l`, so that one
/// vector instruction reads a word of eight rows.
type Group = [u64; LANES * WORDS];
const LANES: usize = 8;

/// Every row's sketch, in groups of eight (the last one padded).
struct Sketches(Vec<Group>);

impl Sketches {
    fn new(rows: &[Sketch]) -> Self {
        let groups = rows
            .chunks(LANES)
            .map(|rows| {
                let mut group = [0u64; LANES * WORDS];
                for (lane, sketch) in rows.iter().enumerate() {
                    for (w, word) in sketch.iter().enumerate() {
                        group[w * LANES + lane] = *word;
                    }
                }
                group
            })
            .collect();
        Self(groups)
    }

    fn row(&self, row: usize) -> Sketch {
        let (group, lane) = (&self.0[row / LANES], row % LANES);
        std::array::from_fn(|w| group[w * LANES + lane])
    }
}

/// Pushes into `close` the rows of `rows` (which starts at a multiple of eight) whose sketches
/// differ from `sketch` in at most `limit` bits: eight rows an instruction with AVX-512's
/// population count where the processor has it (detected once), else a row at a time.
fn within(
    sketch: &Sketch,
    sketches: &Sketches,
    rows: std::ops::Range<usize>,
    limit: u32,
    close: &mut Vec<u32>,
) {
    debug_assert_eq!(rows.start % LANES, 0);
    #[cfg(target_arch = "x86_64")]
    {
        static AVX512: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let avx512 = *AVX512.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
        });
        if avx512 {
            // SAFETY: the processor has AVX-512F and VPOPCNTDQ (checked above).
            unsafe { within_avx512(sketch, sketches, rows, limit, close) };
            return;
        }
    }
    within_plain(sketch, sketches, rows, limit, close);
}

/// [`within`] a row at a time.
fn within_plain(
    sketch: &Sketch,
    sketches: &Sketches,
    rows: std::ops::Range<usize>,
    limit: u32,
    close: &mut Vec<u32>,
) {
    for row in rows {
        if differing(sketch, &sketches.row(row)) <= limit {
            close.push(row as u32);
        }
    }
}

/// [`within`] with AVX-512: per group, each word of eight rows compared with the sketch's at
/// once, their differing bits counted and summed, and the sums compared with the limit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
fn within_avx512(
    sketch: &Sketch,
    sketches: &Sketches,
    rows: std::ops::Range<usize>,
    limit: u32,
    close: &mut Vec<u32>,
) {
    use std::arch::x86_64::*;
    let words: [__m512i; WORDS] = std::array::from_fn(|w| _mm512_set1_epi64(sketch[w] as i64));
    let most = _mm512_set1_epi64(i64::from(limit));
    let (first, last) = (rows.start / LANES, rows.end.div_ceil(LANES));
    for g in first..last {
        let group = &sketches.0[g];
        let mut sum = _mm512_setzero_si512();
        for (w, word) in words.iter().enumerate() {
            // SAFETY: a group holds WORDS runs of eight words; this reads run `w`, unaligned.
            let lanes = unsafe { _mm512_loadu_si512(group.as_ptr().add(w * LANES).cast()) };
            sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(_mm512_xor_si512(lanes, *word)));
        }
        let mut mask = _mm512_cmple_epu64_mask(sum, most) as u32;
        let base = g * LANES;
        if base + LANES > rows.end {
            mask &= (1u32 << (rows.end - base)) - 1;
        }
        while mask != 0 {
            close.push((base + mask.trailing_zeros() as usize) as u32);
            mask &= mask - 1;
        }
    }
}

/// The bits two sketches differ in.
#[inline(always)]
fn differing(a: &Sketch, b: &Sketch) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Rows as a ReLU network's features are (no element negative: unrelated rows at cosines
    /// about 0.56), each second one with a copy at a cosine spread from about 0.75 to 1.
    fn positive_rows(rows: usize, dim: usize, seed: u64) -> EmbeddingIndex {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut index = EmbeddingIndex::new(dim);
        let mut i = 0;
        while index.len() < rows {
            let v: Vec<f32> = (0..dim).map(|_| rng.f32() * rng.f32()).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            index.push(format!("a{i}"), &v);
            if i % 2 == 0 {
                let spread = rng.f32() * 0.9 * norm / (dim as f32).sqrt() * 12f32.sqrt();
                let near: Vec<f32> = v
                    .iter()
                    .map(|x| (x + spread * (rng.f32() - 0.5)).max(0.0))
                    .collect();
                index.push(format!("b{i}"), &near);
            }
            i += 1;
        }
        index
    }

    #[test]
    fn sketches_find_nearly_every_pair_of_rows_that_share_a_direction() {
        let index = positive_rows(6000, 256, 3);
        let threshold = 0.8;
        let plan = index.sketch_plan(threshold).expect("a plan");
        // Around the centre the threshold is far lower: no hash table separates it cheaply.
        assert!(plan.centred_threshold < 0.7, "{plan:?}");
        assert!(index.hash_plan(0, threshold).is_none_or(|h| h.work > WORK));
        let exact: HashMap<(u32, u32), f32> = index
            .exact_pairs(0, threshold, 2, &|_| {})
            .iter()
            .map(|p| ((p.a, p.b), p.cosine))
            .collect();
        assert!(exact.len() > 1500, "{} pairs", exact.len());
        for (from, threads) in [(0, 2), (4500, 3)] {
            let heard = std::sync::Mutex::new(Vec::new());
            let got = index
                .sketched_pairs(from, threshold, &plan, threads, &|share| {
                    heard.lock().unwrap().push(share)
                })
                .expect("rows that sketches separate");
            // Every pair found is an exact pair from `from` on, with its cosine.
            for p in &got {
                assert!(p.a as usize >= from && p.b < p.a, "{p:?}");
                let cosine = exact.get(&(p.a, p.b)).expect("an exact pair");
                assert!((cosine - p.cosine).abs() < 1e-5, "{p:?}");
            }
            let want = exact.keys().filter(|(a, _)| *a as usize >= from).count();
            let recall = got.len() as f64 / want as f64;
            assert!(recall >= 0.98, "recall {recall:.3} of {want}, from {from}");
            // Progress rises to the whole.
            let heard = heard.into_inner().unwrap();
            let mut sorted = heard.clone();
            sorted.sort_by(f64::total_cmp);
            assert_eq!(heard.len(), (index.len() - from).div_ceil(JOB_ROWS));
            assert!((sorted.last().unwrap() - 1.0).abs() < 1e-9, "{sorted:?}");
        }
        // The same pairs through `pairs_above` (beyond the exact step's size only in the bench).
        assert_eq!(plan.limit, index.sketch_plan(threshold).unwrap().limit);
    }

    #[test]
    fn the_vector_comparison_finds_what_a_row_at_a_time_does() {
        let mut rng = fastrand::Rng::with_seed(8);
        let rows: Vec<Sketch> = (0..1003)
            .map(|_| std::array::from_fn(|_| rng.u64(..)))
            .collect();
        let sketches = Sketches::new(&rows);
        for (r, sketch) in rows.iter().enumerate() {
            assert_eq!(sketches.row(r), *sketch);
        }
        let probe = rows[500];
        for (range, limit) in [(0..13, 128), (8..8, 256), (16..1003, 120), (0..1003, 0)] {
            let (mut fast, mut plain) = (Vec::new(), Vec::new());
            within(&probe, &sketches, range.clone(), limit, &mut fast);
            within_plain(&probe, &sketches, range.clone(), limit, &mut plain);
            assert_eq!(fast, plain, "{range:?} within {limit}");
            let expected = range
                .filter(|&r| differing(&probe, &rows[r]) <= limit)
                .count();
            assert_eq!(fast.len(), expected);
        }
    }

    #[test]
    fn rows_too_alike_for_sketches_are_left_to_every_pair() {
        // Rows close to their centre compared with the threshold's distance: no plan.
        let mut rng = fastrand::Rng::with_seed(4);
        let mut index = EmbeddingIndex::new(32);
        for i in 0..500 {
            let v: Vec<f32> = (0..32).map(|_| 1.0 + 0.05 * rng.f32()).collect();
            index.push(format!("r{i}"), &v);
        }
        assert_eq!(index.sketch_plan(0.8), None);
        // A plan for a threshold far below the rows' own cosines: its sample finds most pairs
        // candidates, and it declines before comparing them.
        let index = positive_rows(3000, 64, 5);
        let plan = SketchPlan {
            limit: BITS as u32 / 2,
            ..index.sketch_plan(0.8).unwrap()
        };
        assert_eq!(index.sketched_pairs(0, 0.8, &plan, 2, &|_| {}), None);
    }
}
