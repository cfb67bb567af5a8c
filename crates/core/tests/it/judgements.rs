//! The judgement log on a real SQLite file and on a real PostgreSQL: scores supersede, undo
//! restores, several raters, the queue; every kind of judgement in one log, and undo takes back
//! the newest of any kind.

use image_scorer_core::store::NewJudgement;
use image_scorer_core::Store;
use image_scorer_protocol::{ComparisonOutcome, ImageRole, JudgementKind};

use crate::common;
use common::{library_on, Backend};

/// Records a score-kind judgement (`kind`) of `sha1` by `rater`.
async fn score(
    store: &Store,
    kind: JudgementKind,
    sha1: &str,
    rater: i64,
    value: f64,
    predicted: Option<f64>,
) -> image_scorer_core::Result<i64> {
    store
        .record(&NewJudgement::score(kind, rater, sha1, value).shown_prediction(predicted, None))
        .await
}

/// Undoes `rater`'s newest judgement; returns `(first image, value)` of what was undone.
async fn undo(store: &Store, rater: i64) -> Option<(String, Option<f64>)> {
    store
        .undo_last(rater)
        .await
        .unwrap()
        .map(|j| (j.images[0].sha1.clone(), j.value))
}

async fn rescoring_supersedes_and_undo_restores_the_previous_score(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let ana = store.rater("ana").await.unwrap();
    let a = &images[0];
    score(&store, JudgementKind::Score, a, ana, 5.0, None)
        .await
        .unwrap();
    score(&store, JudgementKind::Score, a, ana, 7.0, None)
        .await
        .unwrap();
    assert_eq!(store.score_summary(a, ana).await.unwrap().mine, Some(7.0));

    let undone = undo(&store, ana).await.unwrap();
    assert_eq!(undone, (a.clone(), Some(7.0)));
    assert_eq!(
        store.score_summary(a, ana).await.unwrap().mine,
        Some(5.0),
        "the older event counts again"
    );
    undo(&store, ana).await.unwrap();
    assert_eq!(store.score_summary(a, ana).await.unwrap().mine, None);
    assert!(undo(&store, ana).await.is_none(), "nothing left to undo");
}

async fn each_rater_has_their_own_score_and_the_mean_covers_all(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let (ana, ben) = (
        store.rater("ana").await.unwrap(),
        store.rater(" ben ").await.unwrap(),
    );
    assert_eq!(store.rater("ben").await.unwrap(), ben, "names are trimmed");
    let a = &images[1];
    score(&store, JudgementKind::Score, a, ana, 4.0, None)
        .await
        .unwrap();
    score(&store, JudgementKind::Rate, a, ben, 8.0, Some(6.3))
        .await
        .unwrap();
    score(&store, JudgementKind::Score, a, ben, 9.0, None)
        .await
        .unwrap();
    let summary = store.score_summary(a, ana).await.unwrap();
    assert_eq!(summary.mine, Some(4.0));
    assert_eq!(summary.mean, Some(6.5));
    assert_eq!(summary.raters, 2);
    // Undo is per rater: ana's undo does not touch ben's newest.
    undo(&store, ana).await.unwrap();
    assert_eq!(store.score_summary(a, ben).await.unwrap().mine, Some(9.0));
    assert_eq!(store.raters().await.unwrap(), ["x", "ana", "ben"]);
}

async fn bad_values_are_refused_and_nothing_is_written(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let ana = store.rater("ana").await.unwrap();
    for value in [0.0, 0.99, 10.01, f64::NAN, f64::INFINITY] {
        assert!(
            score(&store, JudgementKind::Score, &images[0], ana, value, None)
                .await
                .is_err(),
            "{value}"
        );
    }
    assert!(score(
        &store,
        JudgementKind::Score,
        &"0".repeat(40),
        ana,
        5.0,
        None
    )
    .await
    .is_err());
    assert!(store.rater("   ").await.is_err());
    assert_eq!(store.score_progress(ana).await.unwrap(), (0, 7));
}

async fn the_queue_puts_unrated_first_in_a_stable_shuffle(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let ana = store.rater("ana").await.unwrap();
    score(&store, JudgementKind::Score, &images[2], ana, 3.0, None)
        .await
        .unwrap();
    score(&store, JudgementKind::Score, &images[5], ana, 6.0, None)
        .await
        .unwrap();
    assert_eq!(store.score_progress(ana).await.unwrap(), (2, 7));

    let queue = sha1s(store.score_queue(ana, false, 42, None).await.unwrap());
    assert_eq!(queue.len(), 5);
    assert!(!queue.contains(&images[2]) && !queue.contains(&images[5]));
    assert_eq!(
        sha1s(store.score_queue(ana, false, 42, None).await.unwrap()),
        queue,
        "same seed, same order"
    );
    let mut orders = std::collections::HashSet::new();
    for seed in 0..20 {
        orders.insert(sha1s(
            store.score_queue(ana, false, seed, None).await.unwrap(),
        ));
    }
    assert!(orders.len() > 1, "different sessions shuffle differently");

    let all = sha1s(store.score_queue(ana, true, 42, None).await.unwrap());
    assert_eq!(all.len(), 7);
    assert_eq!(&all[..5], &queue[..]);
    let tail: std::collections::HashSet<_> = all[5..].iter().collect();
    assert_eq!(tail, [&images[2], &images[5]].into_iter().collect());
}

async fn with_a_model_the_unscored_images_it_predicted_come_first(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let ana = store.rater("ana").await.unwrap();
    let model = store.model_id("m", "M").await.unwrap();
    let predicted = [&images[1], &images[4], &images[6]];
    let mut rows = Vec::new();
    for sha1 in predicted {
        let id = store.image_id(sha1).await.unwrap().unwrap();
        rows.push((id, vec![0.0f32; 4], Some(5.0f32)));
    }
    store.store_embeddings(model, &rows).await.unwrap();
    // A scored image stays behind, predicted or not.
    score(&store, JudgementKind::Rate, &images[4], ana, 3.0, Some(5.0))
        .await
        .unwrap();
    for seed in 0..5 {
        let queue = sha1s(
            store
                .score_queue(ana, true, seed, Some(model))
                .await
                .unwrap(),
        );
        assert_eq!(queue.len(), 7);
        let first: std::collections::HashSet<_> = queue[..2].iter().collect();
        assert_eq!(first, [&images[1], &images[6]].into_iter().collect());
        assert_eq!(queue[6], images[4], "the scored image comes last");
        // Without a model the order is the plain shuffle.
        let plain = sha1s(store.score_queue(ana, true, seed, None).await.unwrap());
        assert_eq!(plain.len(), 7);
    }
}

async fn every_kind_of_judgement_is_one_log_and_undo_takes_the_newest_of_any_kind(
    backend: Backend,
) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let ana = store.rater("ana").await.unwrap();
    let ben = store.rater("ben").await.unwrap();
    score(&store, JudgementKind::Score, &images[0], ana, 6.0, None)
        .await
        .unwrap();
    let model = store.model_id("m", "M").await.unwrap();
    // Best of four: the third on screen wins; positions and roles are kept as shown.
    let shown = [&images[3], &images[1], &images[0], &images[2]];
    let comparison = NewJudgement {
        kind: JudgementKind::Comparison,
        rater_id: ana,
        images: shown
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let role = if i == 2 {
                    ImageRole::Winner
                } else {
                    ImageRole::Shown
                };
                ((*s).clone(), role)
            })
            .collect(),
        value: None,
        outcome: Some(ComparisonOutcome::Pick),
        shown_prediction: None,
        shown_cosine: None,
        model_id: None,
        shown_own: false,
    };
    store.record(&comparison).await.unwrap();
    let similarity = NewJudgement {
        kind: JudgementKind::Similarity,
        rater_id: ben,
        images: vec![
            (images[4].clone(), ImageRole::Shown),
            (images[5].clone(), ImageRole::Shown),
        ],
        value: Some(4.0),
        outcome: None,
        shown_prediction: None,
        shown_cosine: Some(0.83),
        model_id: Some(model),
        shown_own: false,
    };
    store.record(&similarity).await.unwrap();
    let duplicate = NewJudgement {
        kind: JudgementKind::Duplicate,
        rater_id: ana,
        images: vec![
            (images[5].clone(), ImageRole::Kept),
            (images[6].clone(), ImageRole::Duplicate),
        ],
        value: None,
        outcome: None,
        shown_prediction: None,
        shown_cosine: None,
        model_id: None,
        shown_own: false,
    };
    store.record(&duplicate).await.unwrap();

    let log = store.judgements_by(ana).await.unwrap();
    let kinds: Vec<_> = log.iter().map(|j| j.kind).collect();
    assert_eq!(
        kinds,
        [
            JudgementKind::Score,
            JudgementKind::Comparison,
            JudgementKind::Duplicate
        ]
    );
    let pick = &log[1];
    assert_eq!(pick.outcome, Some(ComparisonOutcome::Pick));
    let order: Vec<(&str, u32, ImageRole)> = pick
        .images
        .iter()
        .map(|i| (i.sha1.as_str(), i.position, i.role))
        .collect();
    assert_eq!(order[2], (images[0].as_str(), 2, ImageRole::Winner));
    assert_eq!(order[0], (images[3].as_str(), 0, ImageRole::Shown));
    assert!(log.iter().all(|j| j.rater == "ana" && !j.undone));
    assert!(log[0].created <= log[2].created && log[2].created.ends_with('Z'));
    let about = store.judgements_about(&images[5]).await.unwrap();
    assert_eq!(about.len(), 2, "the similarity pair and the duplicate mark");
    assert_eq!(about[0].shown_cosine, Some(0.83));
    assert_eq!(about[0].rater, "ben");

    // Undo is "my last judgement", whatever its kind: the duplicate mark, then the comparison;
    // the score stays until it is the newest.
    let undone = store.undo_last(ana).await.unwrap().unwrap();
    assert_eq!(
        (undone.kind, undone.undone),
        (JudgementKind::Duplicate, true)
    );
    let undone = store.undo_last(ana).await.unwrap().unwrap();
    assert_eq!(undone.kind, JudgementKind::Comparison);
    assert_eq!(
        store.score_summary(&images[0], ana).await.unwrap().mine,
        Some(6.0)
    );
    assert_eq!(
        store.undo_last(ana).await.unwrap().unwrap().kind,
        JudgementKind::Score
    );
    assert_eq!(
        store.score_summary(&images[0], ana).await.unwrap().mine,
        None
    );
    // Ben's judgement was never touched; undone ones stay in the log, flagged.
    assert!(!store.judgements_by(ben).await.unwrap()[0].undone);
    assert!(store
        .judgements_by(ana)
        .await
        .unwrap()
        .iter()
        .all(|j| j.undone));
}

async fn a_judgement_naming_an_image_outside_the_library_writes_nothing(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let ana = store.rater("ana").await.unwrap();
    let comparison = NewJudgement {
        kind: JudgementKind::Comparison,
        rater_id: ana,
        images: vec![
            (images[0].clone(), ImageRole::Winner),
            ("f".repeat(40), ImageRole::Shown),
        ],
        value: None,
        outcome: Some(ComparisonOutcome::Pick),
        shown_prediction: None,
        shown_cosine: None,
        model_id: None,
        shown_own: false,
    };
    let err = store.record(&comparison).await.unwrap_err();
    assert!(err.to_string().contains("not in the library"), "{err}");
    assert!(store.judgements_by(ana).await.unwrap().is_empty());
    assert!(store.judgements_about(&images[0]).await.unwrap().is_empty());
}

async fn judgements_are_recorded_while_another_writer_commits(backend: Backend) {
    // The embedding job commits a batch every few milliseconds while a person scores: a
    // judgement must wait its turn, never fail with "database is locked".
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library_on(tmp.path(), backend).await;
    let ana = store.rater("ana").await.unwrap();
    let model = store.model_id("m", "M").await.unwrap();
    let ids: Vec<i64> = {
        let mut ids = Vec::new();
        for sha1 in &images {
            ids.push(store.image_id(sha1).await.unwrap().unwrap());
        }
        ids
    };
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let batches = std::sync::Arc::new(AtomicU32::new(0));
    let writer = {
        let (store, stop, batches) = (store.clone(), stop.clone(), batches.clone());
        tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let rows: Vec<(i64, Vec<f32>, Option<f32>)> = ids
                    .iter()
                    .map(|id| (*id, vec![n as f32; 64], Some(5.0)))
                    .collect();
                store.store_embeddings(model, &rows).await.unwrap();
                n += 1;
                batches.store(n, Ordering::Relaxed);
                // The job infers its next batch between commits (about 100 ms on two cores). A
                // writer that takes the lock again the moment it lets go starves any other past
                // SQLite's busy timeout, which no real writer here does.
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    // The writer commits before the first judgement and keeps committing until the last:
    // scoring goes on until it has committed at least ten more batches (however slowly the
    // scheduler lets it run), so the two always overlap.
    while batches.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let first = batches.load(Ordering::Relaxed);
    let mut recorded = 0usize;
    while recorded < 150 || batches.load(Ordering::Relaxed) < first + 10 {
        assert!(recorded < 20_000, "the other writer stalled");
        let sha1 = &images[recorded % images.len()];
        score(
            &store,
            JudgementKind::Score,
            sha1,
            ana,
            1.0 + (recorded % 10) as f64,
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("judgement {recorded}: {e}"));
        recorded += 1;
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    assert_eq!(store.judgements_by(ana).await.unwrap().len(), recorded);
}

#[test]
fn the_default_rater_is_a_usable_name() {
    let name = image_scorer_core::store::default_rater_name();
    assert!(
        !name.trim().is_empty() && name.chars().count() <= 64,
        "{name:?}"
    );
}

fn sha1s(items: Vec<image_scorer_core::store::NamedImage>) -> Vec<String> {
    items.into_iter().map(|i| i.sha1).collect()
}

both_backends!(
    rescoring_supersedes_and_undo_restores_the_previous_score,
    each_rater_has_their_own_score_and_the_mean_covers_all,
    bad_values_are_refused_and_nothing_is_written,
    the_queue_puts_unrated_first_in_a_stable_shuffle,
    with_a_model_the_unscored_images_it_predicted_come_first,
    every_kind_of_judgement_is_one_log_and_undo_takes_the_newest_of_any_kind,
    a_judgement_naming_an_image_outside_the_library_writes_nothing,
    judgements_are_recorded_while_another_writer_commits,
);
