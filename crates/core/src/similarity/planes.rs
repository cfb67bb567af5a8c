//! Random hyperplanes through the rows' mean, which the near-duplicate steps split the rows
//! by: the hash tables' buckets ([`super::HashPlan`]) and the sign sketches
//! ([`super::SketchPlan`]). Through the mean, not the origin, they split rows that share a
//! direction (features that cannot be negative) as evenly as rows in every direction.

use super::kernels::dot;
use super::pairs::{parallel, sgemm_rows, PAIR_ROWS};
use super::EmbeddingIndex;

/// Rows sampled to centre the hyperplanes and measure the rows' spread around the centre.
const PLAN_SAMPLE: usize = 4096;

/// The mean of a sample of `index`'s rows, and the `quantile` of the sample's squared
/// distances from it (the rows closest to the centre, where a threshold's cosine around it is
/// lowest); `None` for fewer than two rows.
pub(super) fn centre_and_spread(index: &EmbeddingIndex, quantile: f64) -> Option<(Vec<f32>, f64)> {
    let n = index.len();
    if n < 2 {
        return None;
    }
    let step = n.div_ceil(PLAN_SAMPLE);
    let sample: Vec<Vec<f32>> = (0..n).step_by(step).map(|r| index.vector(r)).collect();
    let mut centre = vec![0.0f32; index.dim];
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
    let at = ((spread.len() - 1) as f64 * quantile) as usize;
    Some((centre, spread[at]))
}

impl EmbeddingIndex {
    /// Each row's products with `planes` random hyperplanes through `centre` (normal
    /// directions drawn from `seed`, the same on every call), as tiles of a matrix product,
    /// handed to `code` with the hyperplanes' products with the centre (a row is on a
    /// hyperplane's positive side where its product is the greater): `code` pushes the row's
    /// codes, as many for every row, which are returned row after row.
    pub(super) fn plane_sides<T: Send>(
        &self,
        centre: &[f32],
        planes: usize,
        seed: u64,
        threads: usize,
        code: impl Fn(&[f32], &[f32], &mut Vec<T>) + Sync,
    ) -> Vec<T> {
        let (n, dim) = (self.len(), self.dim);
        let mut rng = fastrand::Rng::with_seed(seed);
        // Normal directions by Box-Muller: their signs split the sphere evenly.
        let normal: Vec<f32> = (0..planes * dim)
            .map(|_| {
                let (u, v) = (1.0 - rng.f32(), rng.f32());
                (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
            })
            .collect();
        let offsets: Vec<f32> = normal.chunks(dim).map(|h| dot(h, centre)).collect();
        let tiles: Vec<usize> = (0..n).step_by(PAIR_ROWS).collect();
        let mut parts = parallel(tiles.len(), threads, |i, scratch, out| {
            let (r0, r1) = (tiles[i], (tiles[i] + PAIR_ROWS).min(n));
            self.gather(r0 as u32..r1 as u32, &mut scratch.queries);
            scratch.product.resize(PAIR_ROWS * planes, 0.0);
            sgemm_rows(
                &scratch.queries,
                r1 - r0,
                &normal,
                planes,
                dim,
                &mut scratch.product,
            );
            let mut mine = Vec::new();
            for products in scratch.product.chunks(planes).take(r1 - r0) {
                code(products, &offsets, &mut mine);
            }
            out.push((r0, mine));
        });
        parts.sort_unstable_by_key(|(r0, _)| *r0);
        parts.into_iter().flat_map(|(_, codes)| codes).collect()
    }
}
