//! `cargo xtask bench ranking`: the ranking at the size of a large library, in release. A log
//! of 100,000 judgements over 20,000 images (comparisons of two and four, ties, "none", and a
//! score for half the images) is fitted from scratch; then, as on the Preference page, each
//! round chooses the next set (active), answers it, and brings the fit up to date. Both parts
//! of a round are timed, and their sum is the goal: it has to fit between a key press and the
//! next paint. The full refit is the baseline each round is measured against.
//!
//! Usage: bench_ranking [ROUNDS]

#[path = "../../core/examples/common/goal.rs"]
mod goal;

use image_scorer_ranking::{normal, spearman, Choice, Comparison, Config, Outcome, Ranking};
use std::time::Instant;

const IMAGES: usize = 20_000;
const EVENTS: usize = 100_000;
/// The update plus the choice, p95, in ms.
const GOAL_MS: f64 = 20.0;

fn answer(set: &[usize], truth: &[f64], rng: &mut fastrand::Rng) -> Outcome {
    if rng.u8(..20) == 0 {
        return Outcome::None;
    }
    let weights: Vec<f64> = set.iter().map(|&i| truth[i].exp()).collect();
    let total: f64 = weights.iter().sum::<f64>() * 1.25;
    let mut r = rng.f64() * total;
    for (k, w) in weights.iter().enumerate() {
        if r < *w {
            return Outcome::Pick(k);
        }
        r -= w;
    }
    Outcome::Tie
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((p / 100.0) * (v.len() - 1) as f64).round() as usize];
    (at(50.0), at(95.0), *v.last().unwrap())
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let mut rng = fastrand::Rng::with_seed(42);
    let truth: Vec<f64> = (0..IMAGES).map(|_| 1.2 * normal(&mut rng)).collect();
    let mut ranking = Ranking::new(IMAGES, Config::default());
    let scores = IMAGES / 2;
    for (i, t) in truth.iter().enumerate().take(scores) {
        let value = (6.0 + 1.6 * t + 1.3 * normal(&mut rng))
            .round()
            .clamp(1.0, 10.0);
        ranking.add_score(i, i % 3, value);
    }
    for _ in 0..EVENTS - scores {
        let size = if rng.bool() { 2 } else { 4 };
        let mut images = Vec::with_capacity(size);
        while images.len() < size {
            let i = rng.usize(..IMAGES);
            if !images.contains(&i) {
                images.push(i);
            }
        }
        let outcome = answer(&images, &truth, &mut rng);
        ranking.add_comparison(&Comparison { images, outcome });
    }
    let start = Instant::now();
    let visits = ranking.refit();
    let refit_ms = start.elapsed().as_secs_f64() * 1e3;
    println!(
        "{IMAGES} images, {EVENTS} judgements ({scores} scores, {} comparisons of 2 or 4)",
        EVENTS - scores
    );
    println!(
        "  full refit: {refit_ms:.0} ms ({visits} Newton visits); Spearman against the truth {:.3}",
        spearman(ranking.strengths(), &truth).unwrap_or(0.0)
    );

    let (mut update, mut choice, mut round) = (Vec::new(), Vec::new(), Vec::new());
    let mut last: Option<Vec<usize>> = None;
    for r in 0..rounds {
        let size = if r % 2 == 0 { 2 } else { 4 };
        let t0 = Instant::now();
        let set = ranking
            .choose(size, Choice::Active, last.as_deref(), &mut rng)
            .expect("a set");
        let t1 = Instant::now();
        let outcome = answer(&set, &truth, &mut rng);
        let t2 = Instant::now();
        ranking.add_comparison(&Comparison {
            images: set.clone(),
            outcome,
        });
        ranking.settle();
        let t3 = Instant::now();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        choice.push(ms(t1 - t0));
        update.push(ms(t3 - t2));
        round.push(ms(t1 - t0) + ms(t3 - t2));
        last = Some(set);
    }
    let (c50, c95, _) = stats(choice);
    let (u50, u95, _) = stats(update);
    let (r50, r95, rmax) = stats(round);
    println!("  {rounds} rounds (best of 2 and best of 4 in turn):");
    println!("    choice of the next set   p50 {c50:.2} ms   p95 {c95:.2} ms");
    println!("    update after the event   p50 {u50:.2} ms   p95 {u95:.2} ms");
    println!(
        "    both                     p50 {r50:.2} ms   p95 {r95:.2} ms   max {rmax:.2} ms (goal: p95 under {GOAL_MS} ms)"
    );
    println!(
        "    a round costs {:.4}x a full refit (p95)",
        r95 / refit_ms
    );
    println!(
        "{}",
        goal::goal_line("ranking_update_and_choice_p95_ms", r95, "<", GOAL_MS)
    );
}
