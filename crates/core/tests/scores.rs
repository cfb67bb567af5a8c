//! Scores as an event log on a real SQLite file: supersession, undo, several raters, the queue.

use image_scorer_core::library::scan_root;
use image_scorer_core::store::ScoreSource;
use image_scorer_core::Store;
use std::path::Path;

mod common;

/// A library of the seven fixture photos; returns the store and their hashes (sorted).
async fn library(tmp: &Path) -> (Store, Vec<String>) {
    let root = tmp.join("photos");
    std::fs::create_dir(&root).unwrap();
    for entry in std::fs::read_dir(common::fixtures_dir()).expect("fixtures present") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "png" || e == "jpg") {
            std::fs::copy(&path, root.join(path.file_name().unwrap())).unwrap();
        }
    }
    let store = Store::open(&tmp.join("app.db")).await.unwrap();
    let r = store.open_folder(&root).await.unwrap();
    scan_root(&store, i64::from(r.id), Path::new(&r.path), |_| {})
        .await
        .unwrap();
    let mut hashes = sha1s(
        store
            .score_queue(store.rater("x").await.unwrap(), true, 1, None)
            .await
            .unwrap(),
    );
    hashes.sort();
    assert_eq!(hashes.len(), 7);
    (store, hashes)
}

#[tokio::test]
async fn rescoring_supersedes_and_undo_restores_the_previous_score() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library(tmp.path()).await;
    let ana = store.rater("ana").await.unwrap();
    let a = &images[0];
    store
        .add_score(a, ana, 5.0, ScoreSource::Score, None)
        .await
        .unwrap();
    store
        .add_score(a, ana, 7.0, ScoreSource::Score, None)
        .await
        .unwrap();
    assert_eq!(store.score_summary(a, ana).await.unwrap().mine, Some(7.0));

    let undone = store.undo_last_score(ana).await.unwrap().unwrap();
    assert_eq!((undone.sha1.as_str(), undone.value), (a.as_str(), 7.0));
    assert_eq!(
        store.score_summary(a, ana).await.unwrap().mine,
        Some(5.0),
        "the older event counts again"
    );
    store.undo_last_score(ana).await.unwrap().unwrap();
    assert_eq!(store.score_summary(a, ana).await.unwrap().mine, None);
    assert!(
        store.undo_last_score(ana).await.unwrap().is_none(),
        "nothing left to undo"
    );
}

#[tokio::test]
async fn each_rater_has_their_own_score_and_the_mean_covers_all() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library(tmp.path()).await;
    let (ana, ben) = (
        store.rater("ana").await.unwrap(),
        store.rater(" ben ").await.unwrap(),
    );
    assert_eq!(store.rater("ben").await.unwrap(), ben, "names are trimmed");
    let a = &images[1];
    store
        .add_score(a, ana, 4.0, ScoreSource::Score, None)
        .await
        .unwrap();
    store
        .add_score(a, ben, 8.0, ScoreSource::Rate, Some(6.3))
        .await
        .unwrap();
    store
        .add_score(a, ben, 9.0, ScoreSource::Score, None)
        .await
        .unwrap();
    let summary = store.score_summary(a, ana).await.unwrap();
    assert_eq!(summary.mine, Some(4.0));
    assert_eq!(summary.mean, Some(6.5));
    assert_eq!(summary.raters, 2);
    // Undo is per rater: ana's undo does not touch ben's newest.
    store.undo_last_score(ana).await.unwrap();
    assert_eq!(store.score_summary(a, ben).await.unwrap().mine, Some(9.0));
    assert_eq!(store.raters().await.unwrap(), ["x", "ana", "ben"]);
}

#[tokio::test]
async fn bad_values_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library(tmp.path()).await;
    let ana = store.rater("ana").await.unwrap();
    for value in [0.0, 0.99, 10.01, f64::NAN, f64::INFINITY] {
        assert!(
            store
                .add_score(&images[0], ana, value, ScoreSource::Score, None)
                .await
                .is_err(),
            "{value}"
        );
    }
    assert!(store
        .add_score(&"0".repeat(40), ana, 5.0, ScoreSource::Score, None)
        .await
        .is_err());
    assert!(store.rater("   ").await.is_err());
    assert_eq!(store.score_progress(ana).await.unwrap(), (0, 7));
}

#[tokio::test]
async fn the_queue_puts_unrated_first_in_a_stable_shuffle() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library(tmp.path()).await;
    let ana = store.rater("ana").await.unwrap();
    store
        .add_score(&images[2], ana, 3.0, ScoreSource::Score, None)
        .await
        .unwrap();
    store
        .add_score(&images[5], ana, 6.0, ScoreSource::Score, None)
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

#[tokio::test]
async fn with_a_model_the_unscored_images_it_predicted_come_first() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = library(tmp.path()).await;
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
    store
        .add_score(&images[4], ana, 3.0, ScoreSource::Rate, Some(5.0))
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

#[test]
fn the_default_rater_is_a_usable_name() {
    let name = image_scorer_core::store::default_rater_name();
    assert!(
        !name.trim().is_empty() && name.chars().count() <= 64,
        "{name:?}"
    );
}

fn sha1s(items: Vec<image_scorer_protocol::QueueItem>) -> Vec<String> {
    items.into_iter().map(|i| i.sha1).collect()
}
