//! The Ratings page end to end in the real webview: the gallery counts every image, scores given
//! from the grid by key are stored as the Score page's judgements, sorting by my score matches
//! the database, and an export made in the app (its file dialog answered) equals the command
//! line's for the same options.

use fantoccini::Locator;
use image_scorer_e2e::{press_with, App, Home};
use std::path::Path;

/// The SHA-1 of the tile at each position, in order.
async fn tile_order(app: &App) -> Vec<String> {
    let tiles = app
        .client
        .find_all(Locator::Css("#gallery .tile[data-position]"))
        .await
        .unwrap();
    let mut out = Vec::new();
    for tile in tiles {
        let position: u32 = tile
            .attr("data-position")
            .await
            .unwrap()
            .unwrap()
            .parse()
            .unwrap();
        let sha1 = tile.attr("data-sha1").await.unwrap().unwrap();
        out.push((position, sha1));
    }
    out.sort();
    out.into_iter().map(|(_, s)| s).collect()
}

/// `(sha1, kind, rater, value)` of every judgement, oldest first.
async fn judgements(db: &Path) -> Vec<(String, String, String, f64)> {
    let mut conn = image_scorer_e2e::read_db(db).await;
    sqlx::query_as(
        "SELECT i.sha1, j.kind, r.name, j.value FROM judgements j
           JOIN judgement_images ji ON ji.judgement_id = j.id JOIN images i ON i.id = ji.image_id
           JOIN raters r ON r.id = j.rater_id WHERE j.undone = 0 ORDER BY j.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

/// Every image's SHA-1, by the rater's current score (highest first, unscored last by name),
/// as the database says.
async fn by_score(db: &Path, rater: &str) -> Vec<String> {
    let mut conn = image_scorer_e2e::read_db(db).await;
    sqlx::query_scalar(
        "SELECT s.sha1 FROM shown_images s
           LEFT JOIN (SELECT c.image_id, c.value FROM current_scores c
                        JOIN raters r ON r.id = c.rater_id WHERE r.name = ?1) m
             ON m.image_id = s.id
          ORDER BY m.value IS NULL, m.value DESC, s.name",
    )
    .bind(rater)
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

/// Waits until the first tile's title (what it shows, in words) says `what`.
async fn first_tile_says(app: &App, what: &str) {
    let mut title = String::new();
    for _ in 0..200 {
        if let Ok(tile) = app
            .client
            .find(Locator::Css("#gallery .tile[data-position='0']"))
            .await
        {
            title = tile.attr("title").await.unwrap().unwrap_or_default();
            if title.contains(what) {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the first tile says {title:?}, never {what:?}");
}

#[tokio::test]
async fn the_gallery_scores_sorts_and_exports_as_the_database_and_the_command_line_say() {
    let mut home = Home::new();
    let out = home.scratch("out");
    let from_app = out.join("from-app.csv");
    home.answer_dialogs(from_app.clone());
    let photos = home.photos(&[
        "astronaut.png",
        "chelsea.png",
        "coffee.png",
        "rocket.jpg",
        "franz-kafka.jpg",
    ]);
    let app = App::start(&home, &[photos.to_str().unwrap()]).await;
    app.wait_for_text("#image-count", "5 images").await;
    let rater = app.rater().await;
    press_with(&app.client, fantoccini::key::Key::Alt, '5').await;
    app.wait_for_text("#gallery-count", "5 images").await;
    app.wait_for_count("#gallery .tile[data-sha1]", 5).await;
    let shown = tile_order(&app).await;

    // Three scores by key from the grid: each moves the selection on.
    app.wait_for(Locator::Css("#gallery .tile.selected[data-position='0']"))
        .await
        .unwrap();
    for key in ['8', '3', '6'] {
        app.press(key).await;
    }
    app.wait_for(Locator::Css("#gallery .tile.selected[data-position='3']"))
        .await
        .unwrap();
    let db = home.database();
    for _ in 0..100 {
        if judgements(&db).await.len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let stored = judgements(&db).await;
    let expected: Vec<(String, String, String, f64)> = [8.0, 3.0, 6.0]
        .iter()
        .enumerate()
        .map(|(k, v)| (shown[k].clone(), "score".into(), rater.clone(), *v))
        .collect();
    assert_eq!(
        stored, expected,
        "the grid's scores are the Score page's judgements"
    );
    first_tile_says(&app, "my score 8.0").await;

    // Sorted by my score, highest first: the database's order.
    app.client
        .find(Locator::Css("#gallery-sort option[value='mine']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.wait_for_text("#gallery-direction", "highest first")
        .await;
    let want = by_score(&db, &rater).await;
    let mut got = Vec::new();
    for _ in 0..100 {
        got = tile_order(&app).await;
        if got == want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(got, want);
    first_tile_says(&app, "my score 8.0").await;

    // Export from the app (its dialog answered) and from the command line: the same file.
    app.press('e').await;
    app.wait_for(Locator::Id("export-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.wait_for_text("#export-summary", "3 rows written").await;
    let from_cli = out.join("from-cli.csv");
    let printed = home.cli(&[
        "export",
        "--format",
        "csv",
        "-o",
        from_cli.to_str().unwrap(),
    ]);
    assert!(printed.starts_with("3 rows written"), "{printed}");
    let (a, b) = (
        std::fs::read_to_string(&from_app).unwrap(),
        std::fs::read_to_string(&from_cli).unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(a.lines().count(), 4, "a header and three rows:\n{a}");
    app.stop().await;
}
