//! Importing the old tool's `ratings.db`, built here from its schema: users become raters named
//! from their hash, scores arrive at their own times (the newest is current), three preference
//! rows of one pick become one best-of-4 comparison, an image the library lacks keeps its score
//! until a file with its content appears, rows that make no sense are counted by reason, and
//! importing the file again (even after a rename) adds nothing.

use image_scorer_core::App;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{ComparisonOutcome, ImageRole, JudgementKind};
use std::collections::HashMap;
use std::path::Path;

use crate::common;
use common::Backend;

const ANA: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const IDLE: &str = "ffffffffffffffffffffffffffffffffffffffff";
const BEN: &str = "0123456789abcdef0123456789abcdef01234567";

/// The old tool's database with its own schema: chelsea under two names, coffee, astronaut,
/// rocket (not in the library yet) and a malformed hash; three users, one without scores.
fn old_database(path: &Path, hashes: &HashMap<&str, String>) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, created TEXT);
         CREATE TABLE images (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, name TEXT NOT NULL,
                              created TEXT, UNIQUE (hash, name));
         CREATE TABLE image_scores (id INTEGER PRIMARY KEY, image_id INTEGER, user_id INTEGER,
                                    score REAL, created TEXT);
         CREATE TABLE images_preferences (image_id INTEGER, other_id INTEGER, user_id INTEGER,
                                          created TEXT);
         CREATE TABLE user_image (image_id INTEGER, user_id INTEGER, created TEXT);",
    )
    .unwrap();
    for (id, hash) in [(1, ANA), (2, IDLE), (3, BEN)] {
        db.execute(
            "INSERT INTO users VALUES (?1, ?2, '2023-01-01 00:00:00')",
            (id, hash),
        )
        .unwrap();
    }
    let images = [
        (1, hashes["chelsea"].clone(), "cats/chelsea.png"),
        (2, hashes["chelsea"].to_uppercase(), "chelsea-again.png"),
        (3, hashes["coffee"].clone(), "coffee.png"),
        (4, hashes["astronaut"].clone(), "astronaut.png"),
        (5, hashes["rocket"].clone(), "rocket.jpg"),
        (6, "not-a-sha1".to_owned(), "broken.png"),
    ];
    for (id, hash, name) in images {
        db.execute(
            "INSERT INTO images VALUES (?1, ?2, ?3, NULL)",
            (id, hash, name),
        )
        .unwrap();
    }
    let scores: [(i64, i64, rusqlite::types::Value, Option<&str>); 9] = [
        (1, 1, 7.0.into(), Some("2023-03-01 10:00:00")),
        // The same picture under its other name, later: the current score.
        (2, 1, 8.0.into(), Some("2023-03-02T09:30:00Z")),
        (3, 1, 6.0.into(), Some("2023-03-01 10:05:00")),
        (5, 1, 5.0.into(), Some("2023-03-03 12:00:00")),
        (3, 3, 0.0.into(), Some("2023-03-04 08:00:00")), // a score of 0
        (99, 3, 4.0.into(), Some("2023-03-04 08:01:00")), // an unknown image id
        (3, 3, 9.0.into(), None),                        // no time
        (6, 3, 9.0.into(), Some("2023-03-04 08:02:00")), // a malformed hash
        (4, 3, "9".to_owned().into(), Some("1678000000")), // a score as text, a time in seconds
    ];
    for (image, user, score, created) in scores {
        db.execute(
            "INSERT INTO image_scores (image_id, user_id, score, created) VALUES (?1, ?2, ?3, ?4)",
            (image, user, score, created),
        )
        .unwrap();
    }
    // ana's best-of-4 pick (three rows, one time), ben's pair, and one row naming no image.
    let picks = [
        (1, 3, 1, "2023-03-05 10:00:00"),
        (1, 4, 1, "2023-03-05 10:00:00"),
        (1, 5, 1, "2023-03-05 10:00:00"),
        (3, 1, 3, "2023-03-05 11:00:00"),
        (3, 42, 3, "2023-03-05 11:01:00"),
    ];
    for (winner, other, user, created) in picks {
        db.execute(
            "INSERT INTO images_preferences VALUES (?1, ?2, ?3, ?4)",
            (winner, other, user, created),
        )
        .unwrap();
    }
    for (image, user) in [(1, 1), (3, 1)] {
        db.execute(
            "INSERT INTO user_image VALUES (?1, ?2, '2023-03-01 09:00:00')",
            (image, user),
        )
        .unwrap();
    }
}

async fn score_of(app: &App, rater: &str, sha1: &str) -> Option<f64> {
    app.call(GetScoreState {
        rater: rater.into(),
        sha1: sha1.into(),
    })
    .await
    .unwrap()
    .mine
}

async fn the_old_tools_database_imports_once_with_every_row_accounted_for(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("photos");
    std::fs::create_dir(&folder).unwrap();
    let mut hashes = HashMap::new();
    for name in ["chelsea", "coffee", "astronaut", "rocket"] {
        let file = if name == "rocket" {
            "rocket.jpg"
        } else {
            &format!("{name}.png")
        };
        hashes.insert(name, common::sha1(&common::fixture(file)));
        if name != "rocket" {
            std::fs::copy(common::fixture_path(file), folder.join(file)).unwrap();
        }
    }
    let db = tmp.path().join("ratings.db");
    old_database(&db, &hashes);
    let app = common::app_with_packs_on(tmp.path(), &[], backend).await;
    app.open_folder(&folder).await.unwrap();
    common::until_indexed(&app, 3).await;

    let report = app.import_file(&db, &|_, _| {}).await.unwrap();
    assert_eq!(report.format, "the old tool's ratings.db");
    assert_eq!(report.raters, ["old-a1b2c3d4", "old-01234567"]);
    assert_eq!(
        (report.scores, report.comparisons, report.already),
        (5, 2, 0),
        "{report:?}"
    );
    assert_eq!(report.absent_images, 1, "rocket is not in the library yet");
    let skipped: HashMap<&str, u32> = report
        .skipped
        .iter()
        .map(|s| (s.reason.as_str(), s.count))
        .collect();
    assert_eq!(skipped["scores outside 1-10 (or not a number)"], 1);
    assert_eq!(skipped["rows naming an image id the file does not have"], 2);
    assert_eq!(skipped["rows without a time that can be read"], 1);
    assert_eq!(skipped["rows about an image whose hash is not a SHA-1"], 1);
    assert_eq!(
        skipped["users with no scores or preferences (no rater added)"],
        1
    );
    assert_eq!(
        skipped["records of an image shown to a user (what was seen, not a judgement)"],
        2
    );
    assert_eq!(skipped.len(), 6, "{skipped:?}");

    // The later score of chelsea (under its other name) is the current one; times are kept.
    let ana = "old-a1b2c3d4";
    assert_eq!(score_of(&app, ana, &hashes["chelsea"]).await, Some(8.0));
    assert_eq!(score_of(&app, ana, &hashes["coffee"]).await, Some(6.0));
    assert_eq!(
        score_of(&app, "old-01234567", &hashes["astronaut"]).await,
        Some(9.0)
    );
    let log = app
        .store()
        .judgements_about(&hashes["chelsea"])
        .await
        .unwrap();
    let times: Vec<(&str, JudgementKind)> =
        log.iter().map(|j| (j.created.as_str(), j.kind)).collect();
    assert_eq!(
        times,
        [
            ("2023-03-01T10:00:00.000Z", JudgementKind::Imported),
            ("2023-03-02T09:30:00.000Z", JudgementKind::Imported),
            ("2023-03-05T10:00:00.000Z", JudgementKind::Comparison),
            ("2023-03-05T11:00:00.000Z", JudgementKind::Comparison),
        ]
    );
    let pick = &log[2];
    assert_eq!(pick.outcome, Some(ComparisonOutcome::Pick));
    let images: Vec<(&str, ImageRole)> = pick
        .images
        .iter()
        .map(|i| (i.sha1.as_str(), i.role))
        .collect();
    assert_eq!(
        images,
        [
            (hashes["chelsea"].as_str(), ImageRole::Winner),
            (hashes["coffee"].as_str(), ImageRole::Shown),
            (hashes["astronaut"].as_str(), ImageRole::Shown),
            (hashes["rocket"].as_str(), ImageRole::Shown),
        ]
    );
    // A score given here today stays current over the imported ones.
    app.call(AddScore {
        rater: ana.into(),
        sha1: hashes["coffee"].clone(),
        value: 2.0,
    })
    .await
    .unwrap();
    assert_eq!(score_of(&app, ana, &hashes["coffee"]).await, Some(2.0));
    // Undo takes back that score, never an imported judgement.
    assert!(app
        .call(Undo { rater: ana.into() })
        .await
        .unwrap()
        .is_some());
    assert!(app
        .call(Undo { rater: ana.into() })
        .await
        .unwrap()
        .is_none());
    assert_eq!(score_of(&app, ana, &hashes["coffee"]).await, Some(6.0));

    // Rocket's score attaches when a file with its content appears.
    std::fs::copy(
        common::fixture_path("rocket.jpg"),
        folder.join("rocket.jpg"),
    )
    .unwrap();
    common::until_indexed(&app, 4).await;
    assert_eq!(score_of(&app, ana, &hashes["rocket"]).await, Some(5.0));
    let queue = app
        .call(GetScoreQueue {
            rater: ana.into(),
            include_rated: false,
            seed: 1,
            predicted_first: false,
            teach: false,
            window: None,
        })
        .await
        .unwrap();
    assert_eq!(
        queue.items.len(),
        1,
        "only astronaut is left for ana: {queue:?}"
    );
    assert_eq!((queue.rated, queue.total), (3, 4));
    let rocket = app.store().image_files(&hashes["rocket"]).await.unwrap();
    assert_eq!(
        rocket.len(),
        1,
        "the placeholder became the library's image"
    );

    // The raters can be renamed; a second import (after the rename) adds nothing and keeps
    // the new name.
    let renamed = app
        .call(RenameRater {
            from: ana.into(),
            to: "Ana".into(),
        })
        .await
        .unwrap();
    assert!(renamed.all.contains(&"Ana".to_owned()) && !renamed.all.contains(&ana.to_owned()));
    let taken = app
        .call(RenameRater {
            from: "Ana".into(),
            to: "old-01234567".into(),
        })
        .await
        .unwrap_err();
    assert!(taken.message.contains("already"), "{taken:?}");
    let again = app.import_file(&db, &|_, _| {}).await.unwrap();
    assert_eq!(
        (again.scores, again.comparisons, again.already),
        (0, 0, 7),
        "{again:?}"
    );
    assert_eq!(again.raters, ["Ana", "old-01234567"]);
    assert_eq!(score_of(&app, "Ana", &hashes["chelsea"]).await, Some(8.0));

    // Not the old tool's database, and not a database at all: clear errors, nothing written.
    let other = tmp.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE things (id INTEGER);")
        .unwrap();
    let refused = app.import_file(&other, &|_, _| {}).await.unwrap_err();
    assert!(
        refused.message.contains("not the old tool's ratings.db"),
        "{refused:?}"
    );
    let text = tmp.path().join("notes.txt");
    std::fs::write(&text, "hello\nworld\n").unwrap();
    let refused = app.import_file(&text, &|_, _| {}).await.unwrap_err();
    assert!(
        refused.message.contains("not an Image Scorer export"),
        "{refused:?}"
    );
}

both_backends!(the_old_tools_database_imports_once_with_every_row_accounted_for);
