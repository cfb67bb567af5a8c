//! Scores added at once (a whole log, as the app's first fit reads it) fit exactly as the
//! same scores added one by one.

use image_scorer_ranking::{Comparison, Config, Outcome, Ranking};

#[test]
fn scores_added_at_once_fit_as_scores_added_one_by_one() {
    let n = 300;
    let mut rng = fastrand::Rng::with_seed(9);
    let scores: Vec<(usize, usize, f64)> = (0..2_000)
        .map(|_| (rng.usize(..n), rng.usize(..3), f64::from(rng.u8(1..=10))))
        .collect();
    let comparisons: Vec<Comparison> = (0..400)
        .map(|_| Comparison {
            images: vec![rng.usize(..n), rng.usize(..n)],
            outcome: Outcome::Pick(rng.usize(..2)),
        })
        .filter(|c| c.images[0] != c.images[1])
        .collect();
    let fit = |bulk: bool| {
        let mut ranking = Ranking::new(n, Config::default());
        for c in &comparisons {
            ranking.add_comparison(c);
        }
        if bulk {
            ranking.add_scores(scores.iter().copied());
        } else {
            for &(image, rater, value) in &scores {
                ranking.add_score(image, rater, value);
            }
        }
        // Settled from where the scores left it: every image the scores moved must be marked.
        ranking.settle();
        ranking
    };
    let (one, all) = (fit(false), fit(true));
    for i in 0..n {
        let (a, b) = (one.strength(i), all.strength(i));
        assert_eq!(a.scores, b.scores, "image {i}'s scores");
        assert!(
            (a.value - b.value).abs() < 1e-6,
            "image {i}: {} vs {}",
            a.value,
            b.value
        );
        assert!((a.se - b.se).abs() < 1e-9, "image {i}'s standard error");
    }
    // And the scores moved the fit: an image scored high stands above one scored low.
    assert!(all.strengths().iter().any(|s| s.abs() > 0.1));
}
