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
        let mut scores = vec![0.0f32; self.len()];
        let threads = threads.clamp(1, self.len());
        let per = self.len().div_ceil(threads);
        std::thread::scope(|scope| {
            for (t, chunk) in scores.chunks_mut(per).enumerate() {
                let q = &q;
                let rows = &self.data[t * per * self.dim..];
                scope.spawn(move || {
                    for (r, score) in chunk.iter_mut().enumerate() {
                        *score = dot(&rows[r * self.dim..(r + 1) * self.dim], q);
                    }
                });
            }
        });
        let mut order: Vec<usize> = (0..self.len()).collect();
        let k = k.min(order.len());
        if k == 0 {
            return Vec::new();
        }
        let by_score = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
        if k < order.len() {
            order.select_nth_unstable_by(k - 1, by_score);
            order.truncate(k);
        }
        order.sort_unstable_by(by_score);
        order
            .into_iter()
            .map(|row| Neighbour {
                row,
                cosine: scores[row],
            })
            .collect()
    }
}

/// The dot product of two equally long slices, in eight independent sums (which the compiler
/// turns into SIMD lanes).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; 8];
    let (a8, a_rest) = a.split_at(a.len() - a.len() % 8);
    let (b8, b_rest) = b.split_at(a8.len());
    for (x, y) in a8.chunks_exact(8).zip(b8.chunks_exact(8)) {
        for k in 0..8 {
            sums[k] += x[k] * y[k];
        }
    }
    let rest: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    sums.iter().sum::<f32>() + rest
}

#[cfg(test)]
mod tests {
    use super::*;

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
