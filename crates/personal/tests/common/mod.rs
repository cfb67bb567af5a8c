//! Synthetic raters: clustered unit embeddings and a linear "taste" with noise.
#![allow(dead_code)]

/// A standard normal draw.
pub fn normal(rng: &mut fastrand::Rng) -> f64 {
    image_scorer_ranking::normal(rng)
}

/// `n` unit vectors of `dim` values around `clusters` centres of unequal sizes (the first
/// cluster holds about half), row-major.
pub fn clustered(
    rng: &mut fastrand::Rng,
    n: usize,
    dim: usize,
    clusters: usize,
    spread: f64,
) -> Vec<f32> {
    let centres: Vec<Vec<f64>> = (0..clusters)
        .map(|_| (0..dim).map(|_| normal(rng)).collect())
        .collect();
    let mut out = Vec::with_capacity(n * dim);
    for _ in 0..n {
        let c = if rng.bool() {
            0
        } else {
            rng.usize(0..clusters)
        };
        let v: Vec<f64> = centres[c]
            .iter()
            .map(|m| m / (dim as f64).sqrt() + spread * normal(rng) / (dim as f64).sqrt())
            .collect();
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        out.extend(v.iter().map(|a| (a / norm) as f32));
    }
    out
}

/// A taste: weights scaled so scores spread over about 1-10 around 5.5.
pub fn taste(rng: &mut fastrand::Rng, dim: usize) -> Vec<f64> {
    (0..dim).map(|_| normal(rng) * 2.0).collect()
}

/// The true score of row `i`.
pub fn truth(rows: &[f32], dim: usize, i: usize, w: &[f64]) -> f64 {
    5.5 + rows[i * dim..(i + 1) * dim]
        .iter()
        .zip(w)
        .map(|(a, b)| f64::from(*a) * b)
        .sum::<f64>()
}
