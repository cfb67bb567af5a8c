//! How alike images are, from a model's cached embeddings: every embedding of the library in
//! one contiguous, L2-normalised `f32` matrix, and the top-k most similar rows to a query by
//! brute force (a matrix-vector product over all rows on every core, then a partial selection,
//! as numpy's `E @ q` and `argpartition` do). At 100,000 x 768 that is 300 MB read per query,
//! bounded by memory bandwidth (`cargo xtask bench similarity` measures it against a plain
//! copy and against numpy).

/// The embeddings of one model, row by row, each scaled to unit length.
#[derive(Debug, Clone, Default)]
pub struct EmbeddingIndex {
    dim: usize,
    keys: Vec<String>,
    data: Vec<f32>,
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
        Self {
            dim,
            keys: Vec::new(),
            data: Vec::new(),
        }
    }

    /// An index of `dim` with room for `rows` rows.
    pub fn with_capacity(dim: usize, rows: usize) -> Self {
        Self {
            dim,
            keys: Vec::with_capacity(rows),
            data: Vec::with_capacity(rows * dim),
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
        self.data.extend(vector.iter().map(|v| v / norm));
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
    pub fn vector(&self, row: usize) -> &[f32] {
        &self.data[row * self.dim..(row + 1) * self.dim]
    }

    /// The cosine similarity of two rows.
    pub fn cosine(&self, a: usize, b: usize) -> f32 {
        dot(self.vector(a), self.vector(b))
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
        // Each thread keeps its own best k while it reads its rows once; the best of those is
        // the answer.
        let mut best: Vec<Neighbour> = std::thread::scope(|scope| {
            let parts: Vec<_> = self
                .data
                .chunks(per * self.dim)
                .enumerate()
                .map(|(t, rows)| {
                    let q = &q;
                    scope.spawn(move || {
                        let mut top = TopK::new(k);
                        for (r, row) in rows.chunks_exact(self.dim).enumerate() {
                            top.offer(t * per + r, dot(row, q));
                        }
                        top.into_sorted()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_default())
                .collect()
        });
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

/// Query rows per block of the all-pairs product.
const PAIR_ROWS: usize = 256;
/// Target rows per block of the all-pairs product.
const PAIR_TARGETS: usize = 1024;

impl EmbeddingIndex {
    /// Every pair of rows `(a, b)` with `a >= from`, `b < a` and a cosine of at least
    /// `threshold`: all rows against all earlier ones, exactly, as blocks of a matrix product
    /// (matrixmultiply's SIMD sgemm) spread over `threads` threads. With `from` > 0 only the
    /// pairs of rows added since `from` are computed (the others are known).
    pub fn pairs_above(&self, from: usize, threshold: f32, threads: usize) -> Vec<Pair> {
        let n = self.len();
        if from >= n || self.dim == 0 {
            return Vec::new();
        }
        let blocks: Vec<usize> = (from..n).step_by(PAIR_ROWS).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let found = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..threads.clamp(1, blocks.len()) {
                scope.spawn(|| {
                    let mut product = vec![0.0f32; PAIR_ROWS * PAIR_TARGETS];
                    let mut mine = Vec::new();
                    loop {
                        // The last blocks have the most rows before them: taken first, the
                        // threads finish together.
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&q0) = blocks.len().checked_sub(k + 1).map(|i| &blocks[i]) else {
                            break;
                        };
                        let q1 = (q0 + PAIR_ROWS).min(n);
                        for t0 in (0..q1 - 1).step_by(PAIR_TARGETS) {
                            let t1 = (t0 + PAIR_TARGETS).min(q1 - 1);
                            self.product(q0..q1, t0..t1, &mut product);
                            let width = t1 - t0;
                            for (qi, row) in product.chunks(width).take(q1 - q0).enumerate() {
                                let a = q0 + qi;
                                let upto = (a.min(t1)).saturating_sub(t0);
                                for (ti, &c) in row[..upto].iter().enumerate() {
                                    if c >= threshold {
                                        mine.push(Pair {
                                            a: a as u32,
                                            b: (t0 + ti) as u32,
                                            cosine: c,
                                        });
                                    }
                                }
                            }
                        }
                    }
                    found
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .append(&mut mine);
                });
            }
        });
        let mut pairs = found.into_inner().unwrap_or_else(|e| e.into_inner());
        pairs.sort_unstable_by_key(|p| (p.a, p.b));
        pairs
    }

    /// `out` (row-major, `targets.len()` wide) = rows `queries` times rows `targets` transposed.
    fn product(
        &self,
        queries: std::ops::Range<usize>,
        targets: std::ops::Range<usize>,
        out: &mut [f32],
    ) {
        let (m, k, n) = (queries.len(), self.dim, targets.len());
        let a = &self.data[queries.start * k..queries.end * k];
        let b = &self.data[targets.start * k..targets.end * k];
        assert!(out.len() >= m * n);
        // SAFETY: a is m x k row-major (row stride k), b read as k x n through strides (1, k)
        // (the transpose of the n x k rows), out is m x n row-major with room for m * n; all
        // three slices are at least that long (checked above and by the slicing).
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
}

/// Most similar first; equal ones by row.
fn by_cosine(a: &Neighbour, b: &Neighbour) -> std::cmp::Ordering {
    b.cosine.total_cmp(&a.cosine).then(a.row.cmp(&b.row))
}

/// The `k` best of a stream of scores: those above the k-th best so far are kept, and the list
/// is cut back to the best `k` whenever it doubles.
struct TopK {
    k: usize,
    kept: Vec<Neighbour>,
    floor: f32,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            kept: Vec::with_capacity(2 * k + 1),
            floor: f32::NEG_INFINITY,
        }
    }

    fn offer(&mut self, row: usize, cosine: f32) {
        if cosine < self.floor {
            return;
        }
        self.kept.push(Neighbour { row, cosine });
        if self.kept.len() > 2 * self.k {
            self.kept.select_nth_unstable_by(self.k - 1, by_cosine);
            self.kept.truncate(self.k);
            self.floor = self
                .kept
                .iter()
                .map(|n| n.cosine)
                .fold(f32::INFINITY, f32::min);
        }
    }

    fn into_sorted(mut self) -> Vec<Neighbour> {
        self.kept.sort_unstable_by(by_cosine);
        self.kept.truncate(self.k);
        self.kept
    }
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
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
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
            let got: Vec<(u32, u32)> = index
                .pairs_above(from, threshold, threads)
                .iter()
                .map(|p| (p.a, p.b))
                .collect();
            let want: Vec<(u32, u32)> = expected
                .iter()
                .copied()
                .filter(|(a, _)| *a as usize >= from)
                .collect();
            // sgemm sums in another order than the scan: a pair within rounding of the threshold
            // may land on either side.
            let near = |(a, b): &(u32, u32)| {
                (index.cosine(*a as usize, *b as usize) - threshold).abs() < 1e-5
            };
            let missing = want.iter().filter(|p| !got.contains(p) && !near(p)).count();
            let extra = got.iter().filter(|p| !want.contains(p) && !near(p)).count();
            assert_eq!((missing, extra), (0, 0), "from {from}, {threads} threads");
        }
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
