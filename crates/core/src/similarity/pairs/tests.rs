//! Tests of the pairs: the exact and hashed steps against a pair-by-pair scan, and the plans.

use super::*;
use crate::similarity::random_unit;
use std::collections::{HashMap, HashSet};

#[test]
fn pairs_above_equal_the_pairs_of_a_full_scan() {
    let mut rng = fastrand::Rng::with_seed(9);
    let dim = 19;
    let mut index = EmbeddingIndex::new(dim);
    // Clusters of near copies, so there are pairs above a high threshold, across blocks.
    let rows = PAIR_ROWS * 2 + PAIR_TARGETS + 37;
    let centres: Vec<Vec<f32>> = (0..40).map(|_| random_unit(&mut rng, dim)).collect();
    for i in 0..rows {
        let c = &centres[rng.usize(..centres.len())];
        let v: Vec<f32> = c.iter().map(|x| x + (rng.f32() - 0.5) * 0.08).collect();
        assert!(index.push(format!("img{i}"), &v));
    }
    let threshold = 0.97;
    let mut expected = Vec::new();
    for a in 0..rows {
        for b in 0..a {
            if index.cosine(a, b) >= threshold {
                expected.push((a as u32, b as u32));
            }
        }
    }
    assert!(expected.len() > 1000, "{} pairs", expected.len());
    for (from, threads) in [(0, 1), (0, 3), (700, 2)] {
        let want: HashSet<(u32, u32)> = expected
            .iter()
            .copied()
            .filter(|(a, _)| *a as usize >= from)
            .collect();
        // sgemm sums in another order than the scan: a pair within rounding of the threshold
        // may land on either side.
        let near =
            |(a, b): &(u32, u32)| (index.cosine(*a as usize, *b as usize) - threshold).abs() < 1e-5;
        // 64 tables of 12 bits: at cosine 0.97 a pair is missed with probability 1e-11.
        let plan = HashPlan {
            tables: 64,
            bits: 12,
            ..index.hash_plan(from, threshold).expect("a plan")
        };
        // Each cluster shares most buckets: the candidates are more than every pair.
        let hashed = index
            .hashed_pairs(from, threshold, &plan, f64::INFINITY, threads, &|_| {})
            .expect("no limit");
        for (how, got) in [
            (
                "every pair",
                index.exact_pairs(from, threshold, threads, &|_| {}),
            ),
            ("hashed", hashed.pairs),
        ] {
            let got: HashSet<(u32, u32)> = got.iter().map(|p| (p.a, p.b)).collect();
            let missing = want.difference(&got).filter(|p| !near(p)).count();
            let extra = got.difference(&want).filter(|p| !near(p)).count();
            assert_eq!(
                (missing, extra),
                (0, 0),
                "{how}, from {from}, {threads} threads"
            );
        }
    }
    // The small index takes the exact path.
    assert_eq!(
        index.pairs_above(0, threshold, 2, &|_| {}),
        index.exact_pairs(0, threshold, 2, &|_| {})
    );
}

/// Rows from `base` (each an unrelated picture) and, for every other one, a copy at a
/// cosine spread from about 0.75 to 1; the pairs at or above `threshold` of every pair,
/// the plan, and what it found.
fn hashed_recall(
    base: impl Fn(&mut fastrand::Rng) -> Vec<f32>,
    dim: usize,
    threshold: f32,
) -> (EmbeddingIndex, f64, HashPlan, Hashed, usize) {
    let mut rng = fastrand::Rng::with_seed(21);
    let mut index = EmbeddingIndex::new(dim);
    for i in 0..3000 {
        let v = base(&mut rng);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        index.push(format!("a{i}"), &v);
        if i % 2 == 0 {
            // Noise of up to 0.9 times the row's own root mean square (a cosine of about
            // 1 / sqrt(1 + 0.9^2) = 0.74); features that cannot be negative stay so.
            let spread = rng.f32() * 0.9 * norm / (dim as f32).sqrt() * 12f32.sqrt();
            let positive = v.iter().all(|x| *x >= 0.0);
            let near: Vec<f32> = v
                .iter()
                .map(|x| x + spread * (rng.f32() - 0.5))
                .map(|x| if positive { x.max(0.0) } else { x })
                .collect();
            index.push(format!("b{i}"), &near);
        }
    }
    let exact = index.exact_pairs(0, threshold, 2, &|_| {});
    let plan = index.hash_plan(0, threshold).expect("a plan");
    let heard = std::sync::Mutex::new(Vec::new());
    let hashed = index
        .hashed_pairs(0, threshold, &plan, 1.0, 2, &|done| {
            heard.lock().unwrap().push(done)
        })
        .expect("under every pair");
    // Each table's end is heard, the last one as the whole.
    let heard = heard.into_inner().unwrap();
    assert_eq!(heard.len(), plan.tables);
    assert_eq!(heard.iter().copied().fold(0.0, f64::max), 1.0);
    let exact: HashMap<(u32, u32), f32> = exact.iter().map(|p| ((p.a, p.b), p.cosine)).collect();
    let found = hashed
        .pairs
        .iter()
        .filter(|p| {
            exact
                .get(&(p.a, p.b))
                .is_some_and(|c| (c - p.cosine).abs() < 1e-5)
        })
        .count();
    assert_eq!(
        found,
        hashed.pairs.len(),
        "a hashed pair is an exact pair, with its cosine"
    );
    (
        index,
        found as f64 / exact.len() as f64,
        plan,
        hashed,
        exact.len(),
    )
}

#[test]
fn hashed_pairs_find_nearly_all_pairs_at_the_lowest_threshold() {
    // Unrelated rows in every direction (cosines near 0), at 0.8 (the app's lowest).
    let dim = 96;
    let (_, recall, plan, hashed, pairs) =
        hashed_recall(|rng| (0..dim).map(|_| rng.f32() - 0.5).collect(), dim, 0.8);
    assert!(pairs > 700, "{pairs} pairs");
    assert!(recall >= 0.98, "recall {recall:.3} of {pairs}, {plan:?}");
    // The buckets split the rows as planned.
    assert!(
        hashed.share < 1.5 * plan.candidates,
        "{} {plan:?}",
        hashed.share
    );
    // Around the centre, the threshold's cosine is nearly the same.
    assert!(plan.centred_threshold > 0.75, "{plan:?}");
}

#[test]
fn hashed_pairs_separate_rows_that_share_a_direction() {
    // Features of a ReLU network: no element negative, so unrelated rows have cosines of
    // about 0.56 and hyperplanes through the origin would leave most of them together.
    let dim = 96;
    let (index, recall, plan, hashed, pairs) = hashed_recall(
        |rng| (0..dim).map(|_| rng.f32() * rng.f32()).collect(),
        dim,
        0.9,
    );
    assert!(pairs > 500, "{pairs} pairs");
    assert!(recall >= 0.98, "recall {recall:.3} of {pairs}, {plan:?}");
    // The plan measured the shared direction: the threshold is lower around the centre.
    assert!(plan.centred_threshold < 0.8, "{plan:?}");
    assert!(
        hashed.share < 1.5 * plan.candidates,
        "{} {plan:?}",
        hashed.share
    );
    // The same hyperplanes through the origin: many times the candidates.
    let origin = HashPlan {
        centre: vec![0.0; dim],
        ..plan.clone()
    };
    let through_origin = index
        .hashed_pairs(0, 0.9, &origin, f64::INFINITY, 2, &|_| {})
        .expect("no limit");
    assert!(
        through_origin.share > 5.0 * hashed.share,
        "{} vs {}",
        through_origin.share,
        hashed.share
    );
}

#[test]
fn rows_all_alike_are_compared_pair_by_pair() {
    // Rows spread less around their centre than the threshold's distance: no plan.
    let mut rng = fastrand::Rng::with_seed(4);
    let dim = 32;
    let mut index = EmbeddingIndex::new(dim);
    for i in 0..500 {
        let v: Vec<f32> = (0..dim).map(|_| 1.0 + 0.05 * rng.f32()).collect();
        index.push(format!("r{i}"), &v);
    }
    assert_eq!(index.hash_plan(0, 0.8), None);
    assert_eq!(
        index.pairs_above(0, 0.8, 2, &|_| {}).len(),
        500 * 499 / 2,
        "every pair is above 0.8"
    );
}
