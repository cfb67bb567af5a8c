//! "Teach my model": the images whose rating would teach the model most. The model's
//! uncertainty about an image with embedding `x` is its predictive variance `x̃ᵀ A⁻¹ x̃` (in units
//! of the noise), `A` the penalised system; it is large far from what was rated. Picking several
//! in a row, each pick lowers the variance of those like it as if it were already rated (the
//! variance does not depend on the score), so the picks are both uncertain and unlike each other.

use crate::error::Result;
use crate::ridge::Ridge;
use faer::linalg::triangular_solve;
use faer::{Mat, Par};

/// One chosen image: its index among the candidates and its variance when chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// Index into the candidates.
    pub index: usize,
    /// The predictive variance when it was picked (noise units).
    pub variance: f64,
}

/// The predictive variance of each candidate (`candidates` row-major, `dim` values a row).
pub fn variances(model: &mut Ridge, candidates: &[f32]) -> Result<Vec<f64>> {
    let whitened = whiten(model, candidates)?;
    Ok(column_norms(&whitened))
}

/// Up to `count` candidates in the order that teaches the model most, greedily: the largest
/// variance, then the largest given the ones picked before it.
pub fn teach_order(model: &mut Ridge, candidates: &[f32], count: usize) -> Result<Vec<Pick>> {
    let u = whiten(model, candidates)?;
    let m = u.ncols();
    let mut variance = column_norms(&u);
    let mut taken = vec![false; m];
    // c[t][i]: the t-th pick's share of candidate i's covariance (an incremental Cholesky).
    let mut shares: Vec<Vec<f64>> = Vec::new();
    let mut out = Vec::new();
    for _ in 0..count.min(m) {
        let Some(best) = (0..m)
            .filter(|&i| !taken[i])
            .max_by(|&a, &b| variance[a].total_cmp(&variance[b]))
        else {
            break;
        };
        taken[best] = true;
        out.push(Pick {
            index: best,
            variance: variance[best],
        });
        // k(i, best) under the picks so far, then the best's share of each candidate.
        let norm = (1.0 + variance[best]).sqrt();
        let ub = u.col(best);
        let share: Vec<f64> = (0..m)
            .map(|i| {
                let mut k = u.col(i).transpose() * ub;
                for c in &shares {
                    k -= c[i] * c[best];
                }
                k / norm
            })
            .collect();
        for i in 0..m {
            variance[i] -= share[i] * share[i];
        }
        shares.push(share);
    }
    Ok(out)
}

/// `L⁻¹ X̃ᵀ`: each candidate's augmented embedding whitened by the model's factor, one column
/// each, so `uᵢ·uⱼ = x̃ᵢᵀ A⁻¹ x̃ⱼ`.
fn whiten(model: &mut Ridge, candidates: &[f32]) -> Result<Mat<f64>> {
    let dim = model.dim();
    let m = candidates.len() / dim.max(1);
    let mut u = Mat::from_fn(dim + 1, m, |i, j| {
        if i < dim {
            f64::from(candidates[j * dim + i])
        } else {
            1.0
        }
    });
    if model.is_empty() {
        // No ratings: the prior alone (A = λI on the weights; the intercept unknown).
        let s = 1.0 / model.lambda().sqrt();
        for j in 0..m {
            for i in 0..dim {
                u[(i, j)] *= s;
            }
            u[(dim, j)] = 0.0;
        }
        return Ok(u);
    }
    let l = model.factor()?;
    triangular_solve::solve_lower_triangular_in_place(l, u.as_mut(), Par::Seq);
    Ok(u)
}

fn column_norms(u: &Mat<f64>) -> Vec<f64> {
    (0..u.ncols()).map(|j| u.col(j).squared_norm_l2()).collect()
}
