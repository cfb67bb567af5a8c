//! The personal model against a fit from scratch, GCV against its definition, cross-validation
//! against the truth, and the teaching order against random order.

mod common;

use common::{clustered, normal, taste, truth};
use image_scorer_personal::{cross_validate, learning_curve, teach_order, variances, Rated, Ridge};

const DIM: usize = 24;

/// The model of `keys` fitted from nothing with penalty `lambda`.
fn fresh(rows: &[f32], scores: &[f64], offsets: &[f64], keys: &[usize], lambda: f64) -> Ridge {
    let mut m = Ridge::new(DIM, lambda);
    for &k in keys {
        m.upsert(
            k as u64,
            &rows[k * DIM..(k + 1) * DIM],
            scores[k],
            offsets[k],
        )
        .unwrap();
    }
    m
}

fn assert_same(a: &Ridge, b: &Ridge) {
    for (x, y) in a.weights().iter().zip(b.weights()) {
        assert!((x - y).abs() < 1e-8, "weights differ: {x} vs {y}");
    }
    assert!((a.intercept() - b.intercept()).abs() < 1e-8);
}

#[test]
fn updates_rescoring_and_undo_equal_a_fit_from_scratch() {
    let mut rng = fastrand::Rng::with_seed(1);
    let rows = clustered(&mut rng, 200, DIM, 5, 0.5);
    let w = taste(&mut rng, DIM);
    let scores: Vec<f64> = (0..200)
        .map(|i| truth(&rows, DIM, i, &w) + 0.3 * normal(&mut rng))
        .collect();
    let offsets: Vec<f64> = (0..200).map(|i| 5.0 + 0.1 * i as f64 % 1.0).collect();
    let mut model = Ridge::new(DIM, 0.5);
    for k in 0..150 {
        model
            .upsert(
                k as u64,
                &rows[k * DIM..(k + 1) * DIM],
                scores[k],
                offsets[k],
            )
            .unwrap();
    }
    // Re-score ten images, undo twenty (some of them re-scored), one twice.
    let mut rescored = scores.clone();
    for k in (0..100).step_by(10) {
        rescored[k] = scores[k] + 1.5;
        model
            .upsert(
                k as u64,
                &rows[k * DIM..(k + 1) * DIM],
                rescored[k],
                offsets[k],
            )
            .unwrap();
    }
    for k in (0..100).step_by(5) {
        assert!(model.remove(k as u64).unwrap());
    }
    assert!(!model.remove(0).unwrap(), "already gone");
    let remaining: Vec<usize> = (0..150).filter(|k| k % 5 != 0 || *k >= 100).collect();
    assert_eq!(model.len(), remaining.len());
    assert_same(&model, &fresh(&rows, &rescored, &offsets, &remaining, 0.5));
    // A new penalty refits to the same as a fresh fit with it.
    model.set_lambda(3.0).unwrap();
    assert_same(&model, &fresh(&rows, &rescored, &offsets, &remaining, 3.0));
    // Predictions add the offset back.
    let x = &rows[170 * DIM..171 * DIM];
    assert!((model.predict(x, 2.0) - model.predict(x, 0.0) - 2.0).abs() < 1e-12);
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let mut model = Ridge::new(3, 1.0);
    model.upsert(1, &[0.1, 0.2, 0.3], 5.0, 0.0).unwrap();
    let before = model.weights().to_vec();
    assert!(model.upsert(2, &[0.1, 0.2], 5.0, 0.0).is_err());
    assert!(model.upsert(2, &[0.1, f32::NAN, 0.3], 5.0, 0.0).is_err());
    assert!(model
        .upsert(2, &[0.1, 0.2, 0.3], f64::INFINITY, 0.0)
        .is_err());
    assert_eq!(model.len(), 1);
    assert_eq!(model.weights(), &before[..]);
}

#[test]
fn gcv_is_its_definition_and_picks_a_penalty_that_predicts() {
    let mut rng = fastrand::Rng::with_seed(2);
    // Few ratings for the width, so the smallest penalty overfits and the largest underfits.
    let n = 40;
    let rows = clustered(&mut rng, 2 * n, DIM, 4, 0.8);
    let w = taste(&mut rng, DIM);
    let scores: Vec<f64> = (0..2 * n)
        .map(|i| truth(&rows, DIM, i, &w) + 0.5 * normal(&mut rng))
        .collect();
    let train: Vec<usize> = (0..n).collect();
    let mut model = fresh(&rows, &scores, &vec![0.0; 2 * n], &train, 1.0);
    let curve = model.gcv_curve().unwrap();
    // At three penalties, GCV from the eigendecomposition equals n·RSS/(n − df)² computed from
    // the fitted model, df being the sum of the rated rows' leverages.
    for &(lambda, gcv) in [curve[10], curve[curve.len() / 2], curve[curve.len() - 10]].iter() {
        model.set_lambda(lambda).unwrap();
        let rss: f64 = train
            .iter()
            .map(|&k| (scores[k] - model.predict(&rows[k * DIM..(k + 1) * DIM], 0.0)).powi(2))
            .sum();
        let df: f64 = variances(&mut model, &rows[..n * DIM])
            .unwrap()
            .iter()
            .sum();
        let direct = n as f64 * rss / (n as f64 - df).powi(2);
        assert!(
            (gcv / direct - 1.0).abs() < 1e-6,
            "λ {lambda}: GCV {gcv} vs {direct}"
        );
    }
    // The chosen penalty predicts unseen images at least as well as the extremes of the grid.
    let test_error = |model: &Ridge| -> f64 {
        (n..2 * n)
            .map(|k| (scores[k] - model.predict(&rows[k * DIM..(k + 1) * DIM], 0.0)).powi(2))
            .sum::<f64>()
    };
    let chosen = model.choose_penalty().unwrap();
    let at_chosen = test_error(&model);
    for extreme in [curve[0].0, curve[curve.len() - 1].0] {
        model.set_lambda(extreme).unwrap();
        assert!(at_chosen < test_error(&model), "λ {chosen} vs {extreme}");
    }
}

#[test]
fn cross_validation_beats_the_mean_and_approaches_the_truth() {
    let mut rng = fastrand::Rng::with_seed(3);
    let n = 600;
    let rows = clustered(&mut rng, n, DIM, 6, 0.6);
    let w = taste(&mut rng, DIM);
    let truths: Vec<f64> = (0..n).map(|i| truth(&rows, DIM, i, &w)).collect();
    let scores: Vec<f64> = truths.iter().map(|t| t + 0.7 * normal(&mut rng)).collect();
    // A head that knows half of the taste: the first half of its weights.
    let half: Vec<f64> = w
        .iter()
        .enumerate()
        .map(|(i, v)| if i < DIM / 2 { *v } else { 0.0 })
        .collect();
    let offsets: Vec<f64> = (0..n).map(|i| truth(&rows, DIM, i, &half)).collect();
    let rated: Vec<Rated> = (0..n)
        .map(|i| Rated {
            key: i as u64,
            x: &rows[i * DIM..(i + 1) * DIM],
            score: scores[i],
            offset: offsets[i],
        })
        .collect();
    let curve = learning_curve(DIM, &rated, &[8, 16, 50, 200, 600]).unwrap();
    assert_eq!(
        curve.iter().map(|q| q.n).collect::<Vec<_>>(),
        vec![8, 16, 50, 200, 600]
    );
    let last = curve.last().unwrap();
    // The ceiling: the truth's own correlation with the noisy scores.
    let ceiling = image_scorer_ranking::spearman(&truths, &scores).unwrap_or(0.0);
    assert!(last.mae < last.mean_mae * 0.5, "{last:?}");
    assert!(last.mae < last.head_mae, "{last:?}");
    assert!(last.spearman > last.head_spearman, "{last:?}");
    assert!(
        last.spearman > ceiling - 0.03,
        "{} vs ceiling {ceiling}",
        last.spearman
    );
    assert!(
        curve[2].spearman < last.spearman,
        "more ratings help: {curve:?}"
    );
    // The last point of the curve is the model's cross-validation.
    let whole = cross_validate(DIM, &rated).unwrap().unwrap();
    assert_eq!(whole.n, last.n);
    assert!((whole.spearman - last.spearman).abs() < 1e-9 && (whole.mae - last.mae).abs() < 1e-9);
    assert!(
        cross_validate(DIM, &rated[..5]).unwrap().is_none(),
        "too few ratings"
    );
}

/// Spearman of the model's predictions with the truth over the whole pool.
fn pool_spearman(model: &Ridge, rows: &[f32], truths: &[f64]) -> f64 {
    let preds: Vec<f64> = (0..truths.len())
        .map(|i| model.predict(&rows[i * DIM..(i + 1) * DIM], 0.0))
        .collect();
    image_scorer_ranking::spearman(&preds, truths).unwrap_or(0.0)
}

/// Ratings needed until the model ranks the pool with Spearman `goal` against the truth.
fn ratings_to_reach(goal: f64, seed: u64, teach: bool) -> usize {
    let mut rng = fastrand::Rng::with_seed(seed);
    let n = 1500;
    let rows = clustered(&mut rng, n, DIM, 12, 0.35);
    let w = taste(&mut rng, DIM);
    let truths: Vec<f64> = (0..n).map(|i| truth(&rows, DIM, i, &w)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut model = Ridge::new(DIM, 1.0);
    let mut rated = vec![false; n];
    for step in 1..=400 {
        let next = if teach {
            let pool: Vec<usize> = (0..n).filter(|&i| !rated[i]).collect();
            let cands: Vec<f32> = pool
                .iter()
                .flat_map(|&i| rows[i * DIM..(i + 1) * DIM].iter().copied())
                .collect();
            pool[teach_order(&mut model, &cands, 1).unwrap()[0].index]
        } else {
            order[step - 1]
        };
        rated[next] = true;
        let score = truths[next] + 0.7 * normal(&mut rng);
        model
            .upsert(next as u64, &rows[next * DIM..(next + 1) * DIM], score, 0.0)
            .unwrap();
        if step % 5 == 0 {
            model.choose_penalty().unwrap();
            if pool_spearman(&model, &rows, &truths) >= goal {
                return step;
            }
        }
    }
    400
}

#[test]
fn teaching_order_needs_fewer_ratings_than_random() {
    let seeds = 8;
    let (mut teach, mut random) = (0, 0);
    for seed in 0..seeds {
        teach += ratings_to_reach(0.85, 100 + seed, true);
        random += ratings_to_reach(0.85, 100 + seed, false);
    }
    let ratio = teach as f64 / random as f64;
    eprintln!("teach {teach} vs random {random} ratings over {seeds} seeds: {ratio:.2}x");
    assert!(ratio < 0.9, "teach {teach} vs random {random}");
}

#[test]
fn teaching_picks_are_unlike_each_other() {
    // Two tight clumps of near-copies and one lone image: picking three, the greedy order takes
    // one of each, never two copies from a clump.
    let mut rng = fastrand::Rng::with_seed(4);
    let mut rows = clustered(&mut rng, 10, DIM, 1, 0.01);
    rows.extend(clustered(&mut rng, 10, DIM, 1, 0.01));
    rows.extend(clustered(&mut rng, 1, DIM, 1, 0.0));
    let mut model = Ridge::new(DIM, 1.0);
    // One rating somewhere else, so the intercept is known.
    let other = clustered(&mut rng, 1, DIM, 1, 0.0);
    model.upsert(999, &other, 5.0, 0.0).unwrap();
    let picks = teach_order(&mut model, &rows, 3).unwrap();
    let mut groups: Vec<usize> = picks
        .iter()
        .map(|p| {
            if p.index < 10 {
                0
            } else if p.index < 20 {
                1
            } else {
                2
            }
        })
        .collect();
    groups.sort();
    assert_eq!(groups, vec![0, 1, 2], "{picks:?}");
    assert!(picks
        .windows(2)
        .all(|w| w[0].variance >= w[1].variance - 1e-12));
}
