//! A database written by release 0.1.0 (`data/release-0.1.0.db`: the seven fixture photos, a
//! copy and a broken file indexed, three raters, scores and ratings with predictions, two of
//! them undone, settings, a model with embeddings and predictions) opens with this version:
//! every score is in the judgement log with its rater, time, value, source, prediction and
//! undone flag, and everything else is still there.
//!
//! The file was made with release 0.1.0's own store code (`Store::open`, `scan_root`,
//! `add_score`, `undo_last_score`, `store_embeddings`, `set_setting`), then compacted with
//! `VACUUM INTO`; its folder path was set to a made-up one.

use image_scorer_core::Store;
use image_scorer_protocol::{ImageRole, JudgementKind};
use sqlx::{ConnectOptions, Row};
use std::collections::HashMap;
use std::path::Path;

/// One score as release 0.1.0 stored it.
#[derive(Debug, Clone, PartialEq)]
struct OldScore {
    id: i64,
    sha1: String,
    rater: String,
    value: f64,
    source: String,
    predicted: Option<f64>,
    created: String,
    undone: bool,
}

/// Reads what the old file holds, without migrating it.
async fn read_old(db: &Path) -> (Vec<OldScore>, Vec<(String, String)>, i64, i64, i64) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY 1")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(versions, [1, 2, 3, 4, 5], "the fixture is a 0.1.0 database");
    let scores = sqlx::query(
        "SELECT s.id, i.sha1, r.name, s.value, s.source, s.predicted, s.created, s.undone
           FROM scores s JOIN images i ON i.id = s.image_id JOIN raters r ON r.id = s.rater_id
          ORDER BY s.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|row| OldScore {
        id: row.get(0),
        sha1: row.get(1),
        rater: row.get(2),
        value: row.get(3),
        source: row.get(4),
        predicted: row.get(5),
        created: row.get(6),
        undone: row.get(7),
    })
    .collect();
    let settings = sqlx::query_as("SELECT key, value FROM settings ORDER BY key")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let mut counts: Vec<i64> = Vec::new();
    for table in ["images", "embeddings", "predictions"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        counts.push(sqlx::query_scalar(&sql).fetch_one(&mut conn).await.unwrap());
    }
    (scores, settings, counts[0], counts[1], counts[2])
}

#[tokio::test]
async fn a_release_0_1_0_database_keeps_every_score_in_the_judgement_log() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("image-scorer.db");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/release-0.1.0.db"),
        &db,
    )
    .unwrap();
    let (old, settings, images, embeddings, predictions) = read_old(&db).await;
    assert!(old.len() >= 10 && old.iter().filter(|s| s.undone).count() >= 2);
    assert!(old
        .iter()
        .any(|s| s.source == "rate" && s.predicted.is_some()));

    let store = Store::open(&db).await.unwrap();

    for score in &old {
        let j = store
            .judgement(score.id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("score {} is gone", score.id));
        assert_eq!(j.kind, JudgementKind::parse(&score.source).unwrap());
        assert!(j.kind.is_score());
        assert_eq!(j.rater, score.rater);
        assert_eq!(j.created, score.created);
        assert_eq!(j.value, Some(score.value));
        assert_eq!(j.shown_prediction, score.predicted);
        assert_eq!(j.undone, score.undone);
        assert_eq!(j.images.len(), 1);
        assert_eq!(
            (
                j.images[0].sha1.as_str(),
                j.images[0].position,
                j.images[0].role
            ),
            (score.sha1.as_str(), 0, ImageRole::Subject)
        );
    }
    // The current score of each (image, rater) is the newest of theirs not undone, as before.
    let mut current: HashMap<(&str, &str), f64> = HashMap::new();
    for s in old.iter().filter(|s| !s.undone) {
        current.insert((&s.sha1, &s.rater), s.value);
    }
    for s in &old {
        let rater = store.rater(&s.rater).await.unwrap();
        let summary = store.score_summary(&s.sha1, rater).await.unwrap();
        assert_eq!(
            summary.mine,
            current.get(&(s.sha1.as_str(), s.rater.as_str())).copied(),
            "{s:?}"
        );
    }
    // Nothing else was lost.
    let ana = store.rater("ana").await.unwrap();
    assert_eq!(store.raters().await.unwrap(), ["x", "ana", "ben"]);
    for (key, value) in &settings {
        assert_eq!(store.setting(key).await.unwrap().as_ref(), Some(value));
    }
    assert_eq!(store.image_count().await.unwrap(), images);
    let rated = current.keys().filter(|(_, r)| *r == "ana").count() as u32;
    assert_eq!(store.score_progress(ana).await.unwrap().0, rated);
    store.close().await;

    // The old table is gone, the log and the migration record are there, and opening again
    // changes nothing.
    let store = Store::open(&db).await.unwrap();
    assert_eq!(
        store.judgements_by(ana).await.unwrap().len(),
        old.iter().filter(|s| s.rater == "ana").count()
    );
    store.close().await;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(!tables.contains(&"scores".to_owned()), "{tables:?}");
    assert!(tables.contains(&"image_hashes".to_owned()));
    assert!(tables.contains(&"judgements".to_owned()));
    assert!(tables.contains(&"imports".to_owned()));
    let latest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        latest,
        image_scorer_core::store::migrations::MIGRATIONS.len() as i64
    );
    for (table, before) in [("embeddings", embeddings), ("predictions", predictions)] {
        let after: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(after, before, "{table}");
    }
}
