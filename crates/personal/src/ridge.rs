//! The incremental ridge regression: sufficient statistics and a Cholesky factor that a rating
//! moves by one rank-one update, so a refit after one more rating costs O(D²), never a pass over
//! the ratings.

use crate::error::{PersonalError, Result};
use crate::gcv;
use crate::linalg::{augmented, factorise, solve_with};
use faer::linalg::cholesky::llt::update;
use faer::{Mat, MatRef, Par};
use std::collections::HashMap;

/// One rating, as the quality figures see it.
#[derive(Debug, Clone, Copy)]
pub struct Rated<'a> {
    /// The rating's key (the app's image id); it chooses the fold, so a rating stays in its
    /// fold as the ratings grow.
    pub key: u64,
    /// The embedding.
    pub x: &'a [f32],
    /// The score given.
    pub score: f64,
    /// The head's prediction (0 without a head).
    pub offset: f64,
}

/// One rater's model of their scores: `score ≈ offset + w·x + b`, where `offset` is what the
/// pack's head predicted (0 without a head), so the model learns the rater's difference from
/// the head, and falls back to the head plus a constant when it knows little.
///
/// The intercept `b` is not penalised: the system is `(Σ x̃x̃ᵀ + λ·diag(1, …, 1, 0)) w̃ = Σ x̃ y`
/// over the augmented rows `x̃ = [x, 1]`, so one rating is exactly one rank-one change.
#[derive(Debug, Clone)]
pub struct Ridge {
    dim: usize,
    /// The rated rows, each `dim` values, in the order they came.
    rows: Vec<f32>,
    /// Each row's target: the score less the offset.
    targets: Vec<f64>,
    /// Each row's offset (the head's prediction, or 0).
    offsets: Vec<f64>,
    /// Each row's key (the app's image id).
    keys: Vec<u64>,
    index: HashMap<u64, usize>,
    /// Σ x̃x̃ᵀ, full and symmetric, (dim + 1)².
    gram: Mat<f64>,
    /// Σ x̃ y.
    xty: Vec<f64>,
    /// Σ y².
    yy: f64,
    lambda: f64,
    /// The lower Cholesky factor of the penalised system, when it matches the statistics.
    factor: Option<Mat<f64>>,
    /// w̃ = [w, b] for the current statistics and penalty.
    weights: Vec<f64>,
}

impl Ridge {
    /// An empty model for embeddings of `dim` values, with the penalty `lambda` until
    /// [`Ridge::choose_penalty`] chooses one.
    pub fn new(dim: usize, lambda: f64) -> Ridge {
        let p = dim + 1;
        Ridge {
            dim,
            rows: Vec::new(),
            targets: Vec::new(),
            offsets: Vec::new(),
            keys: Vec::new(),
            index: HashMap::new(),
            gram: Mat::zeros(p, p),
            xty: vec![0.0; p],
            yy: 0.0,
            lambda,
            factor: None,
            weights: vec![0.0; p],
        }
    }

    /// The model of `ratings` (distinct keys) with penalty `lambda`, fitted at once: the
    /// scatter matrix by one matrix product, then one factorisation. How a model is loaded.
    pub fn from_ratings(dim: usize, ratings: &[Rated<'_>], lambda: f64) -> Result<Ridge> {
        let mut model = Ridge::new(dim, lambda);
        for r in ratings {
            if r.x.len() != dim {
                return Err(PersonalError::Width {
                    expected: dim,
                    got: r.x.len(),
                });
            }
            if !r.score.is_finite() || !r.offset.is_finite() || r.x.iter().any(|v| !v.is_finite()) {
                return Err(PersonalError::NotFinite);
            }
            if model.index.insert(r.key, model.keys.len()).is_some() {
                return Err(PersonalError::DuplicateKey(r.key));
            }
            model.keys.push(r.key);
            model.rows.extend_from_slice(r.x);
            model.targets.push(r.score - r.offset);
            model.offsets.push(r.offset);
        }
        let p = dim + 1;
        let x = Mat::from_fn(p, model.keys.len(), |i, j| {
            if i < dim {
                f64::from(model.rows[j * dim + i])
            } else {
                1.0
            }
        });
        faer::linalg::matmul::matmul(
            model.gram.as_mut(),
            faer::Accum::Replace,
            x.as_ref(),
            x.transpose(),
            1.0,
            Par::Seq,
        );
        for (j, y) in model.targets.iter().enumerate() {
            for i in 0..p {
                model.xty[i] += x[(i, j)] * y;
            }
            model.yy += y * y;
        }
        model.solve()?;
        Ok(model)
    }

    /// The embeddings' width.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many ratings the model holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The penalty in use.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The weights `w` (without the intercept).
    pub fn weights(&self) -> &[f64] {
        &self.weights[..self.dim]
    }

    /// The intercept `b`.
    pub fn intercept(&self) -> f64 {
        self.weights[self.dim]
    }

    /// The rated rows (`len() × dim`, row-major), their keys, targets and offsets.
    pub fn data(&self) -> (&[f32], &[u64], &[f64], &[f64]) {
        (&self.rows, &self.keys, &self.targets, &self.offsets)
    }

    /// Records the score of `key` (replacing an earlier one): `x` its embedding, `offset` the
    /// head's prediction (0 without a head). The weights are current when it returns.
    pub fn upsert(&mut self, key: u64, x: &[f32], score: f64, offset: f64) -> Result<()> {
        if x.len() != self.dim {
            return Err(PersonalError::Width {
                expected: self.dim,
                got: x.len(),
            });
        }
        if !score.is_finite() || !offset.is_finite() || x.iter().any(|v| !v.is_finite()) {
            return Err(PersonalError::NotFinite);
        }
        if self.index.contains_key(&key) {
            self.remove_row(key);
        }
        let y = score - offset;
        let row = augmented(x);
        self.accumulate(&row, y, 1.0);
        self.index.insert(key, self.keys.len());
        self.keys.push(key);
        self.rows.extend_from_slice(x);
        self.targets.push(y);
        self.offsets.push(offset);
        self.update_factor(&row, 1.0)?;
        self.solve()
    }

    /// Forgets the score of `key` (an undo); `false` when the model had none.
    pub fn remove(&mut self, key: u64) -> Result<bool> {
        if !self.remove_row(key) {
            return Ok(false);
        }
        self.solve()?;
        Ok(true)
    }

    /// The prediction for an embedding `x` whose head predicted `offset`.
    pub fn predict(&self, x: &[f32], offset: f64) -> f64 {
        offset
            + self.intercept()
            + x.iter()
                .zip(&self.weights)
                .map(|(a, w)| f64::from(*a) * w)
                .sum::<f64>()
    }

    /// Chooses the penalty by generalised cross-validation over the current ratings (one
    /// eigendecomposition of the D×D scatter matrix) and refits when it changed; returns it.
    /// Costs O(D³): the app runs it in the background, not after every key.
    pub fn choose_penalty(&mut self) -> Result<f64> {
        if self.len() < 3 {
            return Ok(self.lambda);
        }
        let lambda = gcv::choose(self.gram.as_ref(), &self.xty, self.yy)?;
        if (lambda / self.lambda - 1.0).abs() > 1e-9 {
            self.set_lambda(lambda)?;
        }
        Ok(self.lambda)
    }

    /// GCV at each candidate penalty over the current ratings, as (λ, GCV(λ)).
    pub fn gcv_curve(&self) -> Result<Vec<(f64, f64)>> {
        gcv::curve(self.gram.as_ref(), &self.xty, self.yy)
    }

    /// Sets the penalty and refactorises.
    pub fn set_lambda(&mut self, lambda: f64) -> Result<()> {
        self.lambda = lambda;
        self.factor = None;
        self.solve()
    }

    /// The lower Cholesky factor of the penalised system (computed when stale).
    pub(crate) fn factor(&mut self) -> Result<MatRef<'_, f64>> {
        if self.factor.is_none() {
            self.factor = Some(factorise(self.gram.as_ref(), self.lambda)?);
        }
        Ok(self.factor.as_ref().expect("just set").as_ref())
    }

    fn remove_row(&mut self, key: u64) -> bool {
        let Some(at) = self.index.remove(&key) else {
            return false;
        };
        let row = augmented(&self.rows[at * self.dim..(at + 1) * self.dim]);
        let y = self.targets[at];
        self.accumulate(&row, y, -1.0);
        // Keep the rows dense: the last row moves into the gap.
        let last = self.keys.len() - 1;
        self.keys.swap_remove(at);
        self.targets.swap_remove(at);
        self.offsets.swap_remove(at);
        if at != last {
            let (head, tail) = self.rows.split_at_mut(last * self.dim);
            head[at * self.dim..(at + 1) * self.dim].copy_from_slice(&tail[..self.dim]);
            self.index.insert(self.keys[at], at);
        }
        self.rows.truncate(last * self.dim);
        // A downdate can lose definiteness to rounding; refactorise then.
        if self.update_factor(&row, -1.0).is_err() {
            self.factor = None;
        }
        true
    }

    fn accumulate(&mut self, row: &[f64], y: f64, sign: f64) {
        let p = row.len();
        for j in 0..p {
            let s = sign * row[j];
            if s == 0.0 {
                continue;
            }
            let col = self
                .gram
                .col_mut(j)
                .try_as_col_major_mut()
                .expect("contiguous");
            let col = col.as_slice_mut();
            for i in 0..p {
                col[i] += s * row[i];
            }
            self.xty[j] += s * y;
        }
        self.yy += sign * y * y;
    }

    fn update_factor(&mut self, row: &[f64], sign: f64) -> Result<()> {
        let Some(l) = self.factor.as_mut() else {
            return Ok(());
        };
        let mut w = Mat::from_fn(row.len(), 1, |i, _| row[i]);
        let mut alpha = faer::diag::Diag::<f64>::ones(1);
        alpha[0] = sign;
        update::rank_r_update_clobber(l.as_mut(), w.as_mut(), alpha.as_mut())
            .map_err(|_| PersonalError::Factorisation)
    }

    fn solve(&mut self) -> Result<()> {
        if self.is_empty() {
            self.weights.iter_mut().for_each(|w| *w = 0.0);
            self.factor = None;
            return Ok(());
        }
        let xty = self.xty.clone();
        let l = self.factor()?;
        self.weights = solve_with(l, &xty);
        Ok(())
    }
}
