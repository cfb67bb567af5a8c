//! A tablet on the local network, end to end: the CLI's network door on the loopback address
//! over a real library, and headless Chromium emulating a 768 x 1024 touch screen, paired by
//! the printed address. Scores by taps, an undo, swipes and a rating with the buttons, a best-of-4
//! pick by a button and one by tapping the image; the desktop's database has each event under the tablet's rater, the undone one
//! marked. Two tablets rating at once lose nothing.

use image_scorer_e2e::{App, Home};
use std::path::Path;

/// `(kind, rater, value, undone)` of every judgement, oldest first.
async fn judgements(db: &Path) -> Vec<(String, String, Option<f64>, bool)> {
    let mut conn = image_scorer_e2e::read_db(db).await;
    sqlx::query_as(
        "SELECT j.kind, r.name, j.value, j.undone != 0
           FROM judgements j JOIN raters r ON r.id = j.rater_id ORDER BY j.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

const PHOTOS: [&str; 6] = [
    "astronaut.png",
    "chelsea.png",
    "coffee.png",
    "rocket.jpg",
    "franz-kafka.jpg",
    "motorcycle_left.png",
];

#[tokio::test]
async fn a_tablet_scores_rates_and_picks_by_touch_into_the_desktops_log() {
    let home = Home::new();
    let photos = home.photos(&PHOTOS);
    home.cli(&["index", photos.to_str().unwrap()]);
    let served = home.serve();
    let tablet = App::tablet(&served.url, 768, 1024).await;
    assert_eq!(
        tablet.rater().await,
        "tablet",
        "a device starts as the tablet rater"
    );
    tablet.wait_for_text("#image-count", "6 images").await;

    // Score: 7 by a tap, undone by a tap, then 8.
    tablet.wait_for_text("#score-progress", "0 / 6 rated").await;
    tablet.tap_button("score-toolbar", "7").await;
    tablet.wait_for_text("#score-progress", "1 / 6 rated").await;
    tablet.tap_button("score-toolbar", "Undo").await;
    tablet.wait_for_text("#score-progress", "0 / 6 rated").await;
    tablet.tap_button("score-toolbar", "8").await;
    tablet.wait_for_text("#score-progress", "1 / 6 rated").await;

    // Rate: a swipe left shows the next image and a swipe right the first again; two taps on +
    // (no pack: it starts at 5.5), then Commit.
    tablet.tap("#nav-rate").await;
    tablet
        .wait_for_attr("#rate-value", "data-value", |v| v == "5.5")
        .await;
    let first = tablet.wait_for_attr("#rate-image", "alt", |_| true).await;
    tablet.swipe("#rate-image", -200.0).await;
    let second = tablet
        .wait_for_attr("#rate-image", "alt", |a| a != first)
        .await;
    tablet.swipe("#rate-image", 200.0).await;
    tablet
        .wait_for_attr("#rate-image", "alt", |a| a == first)
        .await;
    assert_ne!(first, second);
    tablet.tap_button("rate-toolbar", "+").await;
    tablet.tap_button("rate-toolbar", "+").await;
    tablet
        .wait_for_attr("#rate-value", "data-value", |v| v == "5.7")
        .await;
    tablet.tap("#rate-commit").await;
    tablet.wait_for_text("#rate-progress", "2 / 6 rated").await;

    // Preference: best of 4, the third image picked by a tap.
    tablet.tap("#nav-preference").await;
    tablet.wait_for_text("#preference-mode", "Best of 2").await;
    tablet.tap_button("preference-toolbar", "Best of 4").await;
    tablet.wait_for_text("#preference-mode", "Best of 4").await;
    tablet.wait_for_count("#preference-stage img", 4).await;
    tablet.tap_button("preference-toolbar", "3 is best").await;
    tablet
        .wait_for_text("#preference-count", "1 comparison")
        .await;
    // A tap on an image picks it: the second of the next set.
    tablet.wait_for_count("#preference-stage img", 4).await;
    let tapped = tablet
        .wait_for_attr("#preference-image-2", "data-sha1", |_| true)
        .await;
    tablet.tap("#preference-image-2").await;
    tablet
        .wait_for_text("#preference-count", "2 comparisons")
        .await;

    let db = home.database();
    let mut stored = Vec::new();
    for _ in 0..100 {
        stored = judgements(&db).await;
        if stored.len() == 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let summary: Vec<(&str, &str, Option<f64>, bool)> = stored
        .iter()
        .map(|(k, r, v, u)| (k.as_str(), r.as_str(), *v, *u))
        .collect();
    assert_eq!(
        summary,
        [
            ("score", "tablet", Some(7.0), true),
            ("score", "tablet", Some(8.0), false),
            ("rate", "tablet", Some(5.7), false),
            ("comparison", "tablet", None, false),
            ("comparison", "tablet", None, false),
        ]
    );
    let mut conn = image_scorer_e2e::read_db(&db).await;
    let winner: (i64, String) = sqlx::query_as(
        "SELECT ji.position, i.sha1 FROM judgement_images ji JOIN images i ON i.id = ji.image_id
          WHERE ji.judgement_id = (SELECT MAX(id) FROM judgements) AND ji.role = 'winner'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(winner, (1, tapped), "the tapped image won, at its place");
    tablet.stop().await;
    drop(served);
}

/// Taps `n` scores of `value` on `tablet`'s Score page, waiting for each to count.
async fn score_by_taps(tablet: &App, value: &str, n: usize, total: usize) {
    for k in 0..n {
        tablet.tap_button("score-toolbar", value).await;
        tablet
            .wait_for_text("#score-progress", &format!("{} / {total} rated", k + 1))
            .await;
    }
}

#[tokio::test]
async fn two_tablets_rating_at_once_lose_nothing() {
    let home = Home::new();
    let photos = home.photos(&PHOTOS);
    home.cli(&["index", photos.to_str().unwrap()]);
    let served = home.serve();
    let couch = App::tablet(&served.url, 768, 1024).await;
    let kitchen = App::tablet(&served.url, 1024, 768).await;
    // The second device chooses its own rater (kept in its browser).
    let field = kitchen
        .wait_for(fantoccini::Locator::Id("rater"))
        .await
        .unwrap();
    // Ctrl+A (held until the null key), then the name and Enter.
    field.send_keys("\u{E009}a\u{E000}kitchen\n").await.unwrap();
    for _ in 0..100 {
        if kitchen.rater().await == "kitchen" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(kitchen.rater().await, "kitchen");
    assert_eq!(couch.rater().await, "tablet");
    couch.wait_for_text("#score-progress", "0 / 6 rated").await;
    kitchen
        .wait_for_text("#score-progress", "0 / 6 rated")
        .await;
    tokio::join!(
        score_by_taps(&couch, "6", 5, 6),
        score_by_taps(&kitchen, "9", 5, 6)
    );
    let db = home.database();
    let mut by_rater = Vec::new();
    for _ in 0..100 {
        let stored = judgements(&db).await;
        by_rater = ["tablet", "kitchen"]
            .map(|who| {
                stored
                    .iter()
                    .filter(|(kind, rater, _, undone)| kind == "score" && rater == who && !undone)
                    .count()
            })
            .to_vec();
        if by_rater == [5, 5] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(by_rater, [5, 5], "every tap of both tablets is in the log");
    couch.stop().await;
    kitchen.stop().await;
    drop(served);
}
