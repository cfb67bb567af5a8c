//! The ranking log read from a real database: each rater's comparisons and scores, and the
//! fit over them.

use common::{library_on, Backend};
use image_scorer_core::store::NewJudgement;
use image_scorer_protocol::{ComparisonOutcome, ImageRole, JudgementKind};

use crate::common;

async fn the_ranking_log_holds_each_raters_comparisons_and_scores_and_fits_them(backend: Backend) {
    use image_scorer_core::ranking::{Config, Outcome};
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let (ana, bob) = (
        store.rater("ana").await.unwrap(),
        store.rater("bob").await.unwrap(),
    );
    let compare = |rater: i64, shown: &[usize], winner: Option<usize>, outcome| {
        let images = shown
            .iter()
            .map(|&i| {
                let role = if Some(i) == winner {
                    ImageRole::Winner
                } else {
                    ImageRole::Shown
                };
                (images[i].clone(), role)
            })
            .collect();
        NewJudgement {
            kind: JudgementKind::Comparison,
            rater_id: rater,
            images,
            value: None,
            outcome: Some(outcome),
            shown_prediction: None,
            shown_cosine: None,
            model_id: None,
            shown_own: false,
        }
    };
    // Ana: 0 over 1 six times (shown on either side), 0 best of 4 against 2, 3, 4, a tie of
    // 5 and 6, and "none" of 1 and 2; Bob: 1 over 0 three times.
    for k in 0..6 {
        let shown = if k % 2 == 0 { [0, 1] } else { [1, 0] };
        store
            .record(&compare(ana, &shown, Some(0), ComparisonOutcome::Pick))
            .await
            .unwrap();
    }
    store
        .record(&compare(
            ana,
            &[3, 0, 2, 4],
            Some(0),
            ComparisonOutcome::Pick,
        ))
        .await
        .unwrap();
    store
        .record(&compare(ana, &[5, 6], None, ComparisonOutcome::Tie))
        .await
        .unwrap();
    for _ in 0..3 {
        store
            .record(&compare(bob, &[0, 1], Some(1), ComparisonOutcome::Pick))
            .await
            .unwrap();
    }
    store
        .record(&NewJudgement::score(
            JudgementKind::Score,
            ana,
            &images[6],
            9.0,
        ))
        .await
        .unwrap();
    store
        .record(&compare(ana, &[1, 2], None, ComparisonOutcome::None))
        .await
        .unwrap();
    // Her last judgement, the "none", is taken back.
    store.undo_last(ana).await.unwrap();

    let log = store.ranking_log(Some(ana)).await.unwrap();
    assert_eq!(log.sha1s.len(), 7);
    assert!(log.shown.iter().all(|s| *s));
    let index = |i: usize| log.sha1s.iter().position(|s| *s == images[i]).unwrap();
    assert_eq!(log.comparisons.len(), 8, "the undone one is not in it");
    let best_of_4 = &log.comparisons[6];
    assert_eq!(best_of_4.images, [3, 0, 2, 4].map(index), "in screen order");
    assert_eq!(best_of_4.outcome, Outcome::Pick(1));
    assert_eq!(log.comparisons[7].outcome, Outcome::Tie);
    assert_eq!(log.scores, [(index(6), 0, 9.0)]);
    let ranking = log.fit(Config::default());
    assert_eq!(ranking.order()[0], index(0), "ana's favourite first");
    assert!(ranking.strength(index(1)).value < ranking.strength(index(0)).value);
    assert!(ranking.strength(index(6)).value > ranking.strength(index(5)).value);

    let bobs = store.ranking_log(Some(bob)).await.unwrap();
    assert_eq!(bobs.comparisons.len(), 3);
    let fit = bobs.fit(Config::default());
    assert!(fit.strength(index(1)).value > fit.strength(index(0)).value);
    let everyone = store.ranking_log(None).await.unwrap();
    assert_eq!(everyone.comparisons.len(), 11);
}

both_backends!(the_ranking_log_holds_each_raters_comparisons_and_scores_and_fits_them,);
