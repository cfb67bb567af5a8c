//! The penalty chosen by generalised cross-validation, from the ratings' sufficient statistics
//! alone: one eigendecomposition of the centred scatter matrix `C = V S Vᵀ`, after which every
//! candidate penalty costs O(D):
//!
//! - residual sum of squares `RSS(λ) = y_cᵀy_c − Σ p_k² (s_k + 2λ) / (s_k + λ)²`, `p = Vᵀ X_cᵀ y_c`;
//! - degrees of freedom `df(λ) = 1 + Σ s_k / (s_k + λ)` (the 1 is the intercept);
//! - `GCV(λ) = n · RSS(λ) / (n − df(λ))²`, the leave-one-out error's rotation-invariant estimate.

use crate::error::{PersonalError, Result};
use faer::{Mat, MatRef, Side};

/// Candidate penalties per decade.
const STEPS_PER_DECADE: i32 = 8;
/// The candidates span these decades around the scatter's mean eigenvalue.
const DECADES: (i32, i32) = (-4, 5);

/// The penalty that minimises GCV, from `gram = Σ x̃x̃ᵀ` and `xty = Σ x̃y` over augmented rows
/// `x̃ = [x, 1]`, and `yy = Σ y²`.
pub fn choose(gram: MatRef<'_, f64>, xty: &[f64], yy: f64) -> Result<f64> {
    let curve = curve(gram, xty, yy)?;
    Ok(curve
        .iter()
        .filter(|(_, g)| g.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(l, _)| *l)
        .unwrap_or_else(|| curve.last().map_or(1.0, |(l, _)| *l)))
}

/// GCV at every candidate penalty, as (λ, GCV(λ)), smallest λ first.
pub fn curve(gram: MatRef<'_, f64>, xty: &[f64], yy: f64) -> Result<Vec<(f64, f64)>> {
    let p = gram.nrows();
    let d = p - 1;
    let n = gram[(d, d)];
    let mean_y = xty[d] / n;
    // Centre: C = Σxxᵀ − n μμᵀ, c = Σxy − n μ ȳ.
    let centred = Mat::from_fn(d, d, |i, j| gram[(i, j)] - gram[(i, d)] * gram[(j, d)] / n);
    let c: Vec<f64> = (0..d).map(|i| xty[i] - gram[(i, d)] * mean_y).collect();
    let yy_c = yy - n * mean_y * mean_y;
    let eigen = centred
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| PersonalError::Factorisation)?;
    let (v, s) = (eigen.U(), eigen.S());
    let s: Vec<f64> = (0..d).map(|k| s[k].max(0.0)).collect();
    let proj: Vec<f64> = (0..d)
        .map(|k| (0..d).map(|i| v[(i, k)] * c[i]).sum::<f64>())
        .collect();
    let scale = (s.iter().sum::<f64>() / d as f64).max(f64::MIN_POSITIVE);
    let mut out = Vec::new();
    for step in DECADES.0 * STEPS_PER_DECADE..=DECADES.1 * STEPS_PER_DECADE {
        let lambda = scale * 10f64.powf(f64::from(step) / f64::from(STEPS_PER_DECADE));
        let (mut explained, mut df) = (0.0, 1.0);
        for (sk, pk) in s.iter().zip(&proj) {
            explained += pk * pk * (sk + 2.0 * lambda) / ((sk + lambda) * (sk + lambda));
            df += sk / (sk + lambda);
        }
        let rss = (yy_c - explained).max(0.0);
        let room = n - df;
        let gcv = if room > 1e-6 {
            n * rss / (room * room)
        } else {
            f64::INFINITY
        };
        out.push((lambda, gcv));
    }
    Ok(out)
}
