//! `cargo xtask bench personal`: a rater's own model at the size of a long rating habit, in
//! release. 20,000 ratings of 768-value unit embeddings (clustered, a linear taste with noise,
//! over a head's prediction) are fitted at once, the baseline: what refitting from scratch after
//! every rating would cost. Then, as while rating, each round adds one more rating and brings the
//! weights up to date (rank-one updates of the scatter matrix and its Cholesky factor, two
//! triangular solves): its p95 is the goal. For the record, the work the app does in the
//! background, not after every key: the penalty chosen by GCV (one eigendecomposition), the
//! 10-fold cross-validation, the next 50 images to teach from 2,000 candidates, and predicting
//! 100,000 images.
//!
//! Usage: bench_personal [ROUNDS]

#[path = "../../core/examples/common/goal.rs"]
mod goal;

use image_scorer_personal::{cross_validate, teach_order, Rated, Ridge};
use std::time::Instant;

const DIM: usize = 768;
const RATINGS: usize = 20_000;
/// One more rating's refit, p95, in ms.
const GOAL_MS: f64 = 50.0;

fn normal(rng: &mut fastrand::Rng) -> f64 {
    image_scorer_ranking::normal(rng)
}

/// `n` unit vectors around 40 centres, row-major.
fn embeddings(rng: &mut fastrand::Rng, n: usize) -> Vec<f32> {
    let centres: Vec<Vec<f64>> = (0..40)
        .map(|_| (0..DIM).map(|_| normal(rng)).collect())
        .collect();
    let mut out = Vec::with_capacity(n * DIM);
    for _ in 0..n {
        let c = &centres[rng.usize(..centres.len())];
        let v: Vec<f64> = c.iter().map(|m| m + 0.8 * normal(rng)).collect();
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        out.extend(v.iter().map(|a| (a / norm) as f32));
    }
    out
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((p / 100.0) * (v.len() - 1) as f64).round() as usize];
    (at(50.0), at(95.0), *v.last().unwrap())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let mut rng = fastrand::Rng::with_seed(7);
    let total = RATINGS + rounds;
    let rows = embeddings(&mut rng, total);
    let taste: Vec<f64> = (0..DIM).map(|_| normal(&mut rng) * 2.0).collect();
    let head: Vec<f64> = taste
        .iter()
        .enumerate()
        .map(|(i, w)| if i % 2 == 0 { *w } else { 0.0 })
        .collect();
    let dot = |i: usize, w: &[f64]| -> f64 {
        rows[i * DIM..(i + 1) * DIM]
            .iter()
            .zip(w)
            .map(|(a, b)| f64::from(*a) * b)
            .sum()
    };
    let scores: Vec<f64> = (0..total)
        .map(|i| (5.5 + dot(i, &taste) + 0.8 * normal(&mut rng)).clamp(1.0, 10.0))
        .collect();
    let offsets: Vec<f64> = (0..total).map(|i| 5.5 + dot(i, &head)).collect();
    let rated: Vec<Rated> = (0..total)
        .map(|i| Rated {
            key: i as u64,
            x: &rows[i * DIM..(i + 1) * DIM],
            score: scores[i],
            offset: offsets[i],
        })
        .collect();
    println!("personal model: {RATINGS} ratings of {DIM}-value embeddings, then {rounds} more one at a time");

    // The baseline: a fit from scratch, as a refit after every rating would be.
    let mut scratch = Vec::new();
    let mut model = None;
    for _ in 0..3 {
        let start = Instant::now();
        model = Some(Ridge::from_ratings(DIM, &rated[..RATINGS], 1.0).expect("fit"));
        scratch.push(ms(start));
    }
    let mut model = model.unwrap();
    let start = Instant::now();
    let lambda = model.choose_penalty().expect("penalty");
    let gcv_ms = ms(start);
    let baseline = percentiles(scratch.clone()).0;
    println!("  fit from scratch          {baseline:.0} ms (median of 3)");
    println!("  penalty by GCV            {gcv_ms:.0} ms (λ = {lambda:.3})");

    let mut update = Vec::with_capacity(rounds);
    for r in rated[RATINGS..].iter() {
        let start = Instant::now();
        model.upsert(r.key, r.x, r.score, r.offset).expect("update");
        update.push(ms(start));
    }
    // The incremental model is the model of every rating so far.
    let check = Ridge::from_ratings(DIM, &rated, lambda).expect("fit");
    let drift = model
        .weights()
        .iter()
        .zip(check.weights())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let (u50, u95, umax) = percentiles(update);
    println!("  one more rating, refit    p50 {u50:.2} ms   p95 {u95:.2} ms   max {umax:.2} ms (goal: p95 under {GOAL_MS} ms)");
    println!("                            {:.0}x faster than from scratch; largest weight difference from it {drift:.1e}", baseline / u95);

    let start = Instant::now();
    let quality = cross_validate(DIM, &rated).expect("cv").expect("enough");
    println!(
        "  10-fold cross-validation  {:.0} ms: Spearman {:.3} (head {:.3}), MAE {:.3} (head {:.3}, mean {:.3})",
        ms(start), quality.spearman, quality.head_spearman, quality.mae, quality.head_mae, quality.mean_mae
    );
    let candidates = embeddings(&mut rng, 2000);
    let start = Instant::now();
    let picks = teach_order(&mut model, &candidates, 50).expect("teach");
    println!(
        "  teach order, 50 of 2,000  {:.0} ms (variance {:.4} first, {:.4} last)",
        ms(start),
        picks[0].variance,
        picks[picks.len() - 1].variance
    );
    let pool = embeddings(&mut rng, 100_000);
    let start = Instant::now();
    let sum: f64 = pool.chunks(DIM).map(|x| model.predict(x, 0.0)).sum();
    println!(
        "  predict 100,000 images    {:.0} ms (mean {:.2})",
        ms(start),
        sum / 100_000.0
    );
    println!(
        "{}",
        goal::goal_line("personal_refit_p95_ms", u95, "<", GOAL_MS)
    );
}
