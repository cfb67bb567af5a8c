//! Imports of files made to hurt: an old-tool `ratings.db` whose schema computes a column
//! (an expression that would build a 300 MB hash as it is read), with triggers and a view
//! calling `randomblob`; one whose names are over the size a value may have; a JSONL file
//! with one line of 1 GB (sparse, so the test writes nothing) and one over the size a file may
//! have. Each is refused with its reason and imports nothing, or imports without running the
//! schema's code; the process's peak memory stays under 200 MB.

use image_scorer_core::import::jsonl::{LARGEST_FILE, LONGEST_LINE};
use image_scorer_core::App;
use image_scorer_protocol::commands::GetRatingStats;
use std::path::Path;

// Its own process: it measures the process's peak memory.
#[path = "it/common/mod.rs"]
mod common;

const MEMORY_GOAL_MB: f64 = 200.0;
const HASH: &str = "0123456789abcdef0123456789abcdef01234567";

/// The old tool's tables with one row each (the image's hash `hash`, or the one `images`
/// computes), `images` as `images_sql` spells it, and what `extra` adds.
fn old_database(path: &Path, images_sql: &str, extra: &str, hash: Option<&str>) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(&format!(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, created TEXT);
         {images_sql};
         CREATE TABLE image_scores (id INTEGER PRIMARY KEY, image_id INTEGER, user_id INTEGER,
                                    score REAL, created TEXT);
         INSERT INTO users VALUES (1, 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', NULL);
         INSERT INTO image_scores VALUES (1, 1, 1, 7, '2023-03-01 10:00:00');
         {extra}"
    ))
    .unwrap();
    match hash {
        Some(hash) => db.execute(
            "INSERT INTO images (id, hash, name) VALUES (1, ?1, 'a')",
            [hash],
        ),
        None => db.execute("INSERT INTO images (id, name) VALUES (1, 'a')", []),
    }
    .unwrap();
}

/// The peak resident memory of this process so far, in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb / 1024.0
}

async fn refused(app: &App, path: &Path) -> String {
    match app.import_file(path, &|_, _| {}).await {
        Ok(report) => panic!("{} was imported: {report:?}", path.display()),
        Err(e) => e.message,
    }
}

async fn scores(app: &App) -> u32 {
    let stats = app
        .call(GetRatingStats { raters: Vec::new() })
        .await
        .unwrap();
    stats.scores
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_files_are_refused_with_their_reason_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let app = common::app_with_packs(&tmp.path().join("app"), &[]).await;
    let plain_images = "CREATE TABLE images (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, \
                        name TEXT NOT NULL, created TEXT)";
    let code = "CREATE TRIGGER grow AFTER INSERT ON image_scores BEGIN \
                  INSERT INTO image_scores (score) VALUES (length(randomblob(100000000))); END;
                CREATE VIEW noise AS SELECT randomblob(100000000) AS x;";

    // A computed column: refused before any row is read.
    let computed = tmp.path().join("computed.db");
    let images = "CREATE TABLE images (id INTEGER PRIMARY KEY, name TEXT NOT NULL, \
                  created TEXT, hash TEXT GENERATED ALWAYS AS (hex(zeroblob(1))) VIRTUAL)";
    old_database(&computed, images, code, None);
    // Made small, then grown in the schema as a hostile file would be (SQLite would build
    // the value on the insert).
    let db = rusqlite::Connection::open(&computed).unwrap();
    db.execute_batch(
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_master SET sql = replace(sql, 'zeroblob(1)', 'zeroblob(150000000)')
          WHERE name = 'images';",
    )
    .unwrap();
    drop(db);
    let message = refused(&app, &computed).await;
    assert!(message.contains("computes its column hash"), "{message}");

    // A value over the size one may have: SQLite stops reading it.
    let long = tmp.path().join("long.db");
    old_database(&long, plain_images, "", Some(&"a".repeat(2 << 20)));
    let message = refused(&app, &long).await;
    assert!(message.contains("too big"), "{message}");
    assert_eq!(scores(&app).await, 0, "nothing was imported");

    // Triggers and a view calling randomblob: imported, and none of them ran (the trigger
    // would have added a score row, the file is opened read-only).
    let triggers = tmp.path().join("triggers.db");
    old_database(&triggers, plain_images, code, Some(HASH));
    let report = app.import_file(&triggers, &|_, _| {}).await.unwrap();
    assert_eq!(report.scores, 1, "{report:?}");
    let rows: i64 = rusqlite::Connection::open(&triggers)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM image_scores", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);

    // One line of 1 GB: refused at the line's cap, read no further than it.
    let line = tmp.path().join("one-line.jsonl");
    let file = std::fs::File::create(&line).unwrap();
    file.set_len(1_000_000_000).unwrap();
    let message = refused(&app, &line).await;
    let cap = format!("{} KiB", LONGEST_LINE >> 10);
    assert!(
        message.contains(&cap) && message.contains("line 1"),
        "{message}"
    );
    // A file over the cap on files: refused before a line is read.
    let huge = tmp.path().join("huge.jsonl");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(LARGEST_FILE + 1)
        .unwrap();
    let message = refused(&app, &huge).await;
    assert!(
        message.contains(&format!("{} MiB", LARGEST_FILE >> 20)),
        "{message}"
    );
    assert_eq!(scores(&app).await, 1, "only the plain file's score");

    let peak = peak_mb();
    println!("peak memory of the test process: {peak:.0} MB");
    assert!(peak < MEMORY_GOAL_MB, "peak memory {peak:.0} MB");
    app.close().await;
}
