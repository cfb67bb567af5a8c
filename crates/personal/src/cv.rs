//! How good a rater's model is: k-fold cross-validation, and the same along the ratings in the
//! order they were given (a learning curve), in one pass that adds each rating to its fold's
//! scatter matrix once.

use crate::error::Result;
use crate::gcv;
use crate::linalg::{augmented, factorise, solve_with};
use crate::ridge::Rated;
use faer::{Mat, Par};

/// Folds of the cross-validation (fewer when there are fewer ratings).
pub const FOLDS: usize = 10;
/// Fewer ratings than this give no quality figures.
pub const MIN_RATINGS: usize = 8;

/// Cross-validated quality of a rater's model at `n` ratings, next to the alternatives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    /// Ratings used.
    pub n: usize,
    /// The penalty chosen (by GCV on these ratings).
    pub lambda: f64,
    /// Spearman's correlation of the held-out predictions with the scores.
    pub spearman: f64,
    /// Their mean absolute error.
    pub mae: f64,
    /// The head's Spearman on the same ratings (0 without a head: offsets all 0).
    pub head_spearman: f64,
    /// The head's mean absolute error.
    pub head_mae: f64,
    /// The held-out mean absolute error of predicting each fold's mean score (the baseline).
    pub mean_mae: f64,
}

/// The fold of a key: a fixed hash, so folds do not move as ratings come.
fn fold_of(key: u64, folds: usize) -> usize {
    // splitmix64's finaliser.
    let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) % folds as u64) as usize
}

/// Quality at each of `checkpoints` (numbers of ratings, ascending), taking the ratings in the
/// order given: the figures the rater would have seen at that many ratings. A checkpoint
/// beyond the ratings, or under [`MIN_RATINGS`], is left out.
pub fn learning_curve(
    dim: usize,
    ratings: &[Rated<'_>],
    checkpoints: &[usize],
) -> Result<Vec<Quality>> {
    let p = dim + 1;
    let folds = FOLDS;
    let mut fold_gram: Vec<Mat<f64>> = (0..folds).map(|_| Mat::zeros(p, p)).collect();
    let mut fold_xty = vec![vec![0.0; p]; folds];
    let mut fold_yy = vec![0.0; folds];
    let mut done = 0;
    let mut out = Vec::new();
    for &n in checkpoints {
        if n > ratings.len() || n < MIN_RATINGS {
            continue;
        }
        // Add ratings done..n to their folds, one matrix product per fold.
        for f in 0..folds {
            let rows: Vec<&Rated> = ratings[done..n]
                .iter()
                .filter(|r| fold_of(r.key, folds) == f)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let x = Mat::from_fn(p, rows.len(), |i, j| {
                if i < dim {
                    f64::from(rows[j].x[i])
                } else {
                    1.0
                }
            });
            faer::linalg::matmul::matmul(
                fold_gram[f].as_mut(),
                faer::Accum::Add,
                x.as_ref(),
                x.transpose(),
                1.0,
                Par::Seq,
            );
            for (j, r) in rows.iter().enumerate() {
                let y = r.score - r.offset;
                for i in 0..p {
                    fold_xty[f][i] += x[(i, j)] * y;
                }
                fold_yy[f] += y * y;
            }
        }
        done = n;
        out.push(quality_at(
            dim,
            &ratings[..n],
            &fold_gram,
            &fold_xty,
            &fold_yy,
        )?);
    }
    Ok(out)
}

/// The quality of the model of all `ratings`, cross-validated.
pub fn cross_validate(dim: usize, ratings: &[Rated<'_>]) -> Result<Option<Quality>> {
    Ok(learning_curve(dim, ratings, &[ratings.len()])?.pop())
}

fn quality_at(
    dim: usize,
    ratings: &[Rated<'_>],
    fold_gram: &[Mat<f64>],
    fold_xty: &[Vec<f64>],
    fold_yy: &[f64],
) -> Result<Quality> {
    let p = dim + 1;
    let folds = fold_gram.len();
    let mut gram = Mat::<f64>::zeros(p, p);
    let mut xty = vec![0.0; p];
    for f in 0..folds {
        gram += &fold_gram[f];
        for i in 0..p {
            xty[i] += fold_xty[f][i];
        }
    }
    let yy: f64 = fold_yy.iter().sum();
    let lambda = gcv::choose(gram.as_ref(), &xty, yy)?;
    let n = ratings.len();
    let mut held_out = vec![0.0; n];
    let mut mean_error = 0.0;
    for f in 0..folds {
        let members: Vec<usize> = (0..n)
            .filter(|&i| fold_of(ratings[i].key, folds) == f)
            .collect();
        if members.is_empty() {
            continue;
        }
        let train_gram = &gram - &fold_gram[f];
        let train_n = train_gram[(dim, dim)];
        let train_xty: Vec<f64> = (0..p).map(|i| xty[i] - fold_xty[f][i]).collect();
        // The baseline: the training folds' mean score.
        let train_score_sum: f64 = (0..n)
            .filter(|&i| fold_of(ratings[i].key, folds) != f)
            .map(|i| ratings[i].score)
            .sum();
        let mean_score = if train_n > 0.0 {
            train_score_sum / train_n
        } else {
            0.0
        };
        let weights = if train_n > 0.0 {
            Some(solve_with(
                factorise(train_gram.as_ref(), lambda)?.as_ref(),
                &train_xty,
            ))
        } else {
            None
        };
        for &i in &members {
            let r = ratings[i];
            let fitted = weights.as_ref().map_or(0.0, |w| {
                augmented(r.x)
                    .iter()
                    .zip(w)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
            });
            held_out[i] = r.offset + fitted;
            mean_error += (r.score - mean_score).abs();
        }
    }
    let scores: Vec<f64> = ratings.iter().map(|r| r.score).collect();
    let heads: Vec<f64> = ratings.iter().map(|r| r.offset).collect();
    Ok(Quality {
        n,
        lambda,
        spearman: image_scorer_ranking::spearman(&held_out, &scores).unwrap_or(0.0),
        mae: mae(&held_out, &scores),
        head_spearman: image_scorer_ranking::spearman(&heads, &scores).unwrap_or(0.0),
        head_mae: mae(&heads, &scores),
        mean_mae: mean_error / n as f64,
    })
}

fn mae(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len().max(1) as f64
}

/// Checkpoints for a learning curve up to `n` ratings: 8, 12, 16, 24, 32, 48, … (two a
/// doubling), and `n` itself.
pub fn checkpoints(n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut c = MIN_RATINGS;
    while c < n {
        out.push(c);
        let half = c + c / 2;
        if half < n {
            out.push(half);
        }
        c *= 2;
    }
    if n >= MIN_RATINGS {
        out.push(n);
    }
    out
}
