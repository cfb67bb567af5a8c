//! The linear algebra the model and its cross-validation share: augmented rows, the penalised
//! Cholesky factor, and solving with it.

use crate::error::{PersonalError, Result};
use faer::linalg::cholesky::llt::factor;
use faer::linalg::triangular_solve;
use faer::{Mat, MatRef, Par};

/// `[x, 1]` in f64.
pub(crate) fn augmented(x: &[f32]) -> Vec<f64> {
    x.iter().map(|v| f64::from(*v)).chain([1.0]).collect()
}

/// The lower Cholesky factor of `gram + λ·diag(1, …, 1, 0)`.
pub(crate) fn factorise(gram: MatRef<'_, f64>, lambda: f64) -> Result<Mat<f64>> {
    let p = gram.nrows();
    let mut a = Mat::from_fn(p, p, |i, j| {
        if j > i {
            0.0
        } else if i == j && i + 1 < p {
            gram[(i, j)] + lambda
        } else {
            gram[(i, j)]
        }
    });
    let par = Par::Seq;
    let mut mem = faer::dyn_stack::MemBuffer::new(factor::cholesky_in_place_scratch::<f64>(
        p,
        par,
        Default::default(),
    ));
    let stack = faer::dyn_stack::MemStack::new(&mut mem);
    factor::cholesky_in_place(
        a.as_mut(),
        Default::default(),
        par,
        stack,
        Default::default(),
    )
    .map_err(|_| PersonalError::Factorisation)?;
    for j in 0..p {
        for i in 0..j {
            a[(i, j)] = 0.0;
        }
    }
    Ok(a)
}

/// Solves `L Lᵀ w = b`.
pub(crate) fn solve_with(l: MatRef<'_, f64>, b: &[f64]) -> Vec<f64> {
    let mut rhs = Mat::from_fn(b.len(), 1, |i, _| b[i]);
    triangular_solve::solve_lower_triangular_in_place(l, rhs.as_mut(), Par::Seq);
    triangular_solve::solve_upper_triangular_in_place(l.transpose(), rhs.as_mut(), Par::Seq);
    (0..b.len()).map(|i| rhs[(i, 0)]).collect()
}
