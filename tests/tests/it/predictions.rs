//! Predictions end to end in the real webview: a model pack from the shared models is found in
//! the app's packs folder, the library is embedded in the background, the Rate page shows the
//! prediction, the keys adjust the value, and the committed score and the prediction shown are
//! in the database. Without a pack the app says so and rating still works.

use fantoccini::key::Key;
use fantoccini::Locator;
use image_scorer_e2e::{fixture, App, Home};
use std::path::Path;
use std::time::{Duration, Instant};

const STANDIN_LAION: &str = r#"
name = "Stand-in + LAION"
[encoder]
file = "standin-encoder-d768.onnx"
input = "pixel_values"
output = "image_embeds"
size = 224
mean = [0.48145466, 0.4578275, 0.40821073]
std = [0.26862954, 0.26130258, 0.27577711]
width = 768
normalize = true
[head]
file = "aesthetic-sac+logos+ava1-l14-linearMSE.onnx"
input = "embedding"
output = "score"
"#;

/// `(file, value, kind, prediction shown)` of every judgement, in order.
async fn score_rows(db: &Path) -> Vec<(String, f64, String, Option<f64>)> {
    let mut conn = image_scorer_e2e::read_db(db).await;
    sqlx::query_as(
        "SELECT (SELECT MIN(f.rel_path) FROM files f WHERE f.image_id = ji.image_id),
                j.value, j.kind, j.shown_prediction
           FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
          ORDER BY j.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

async fn count(db: &Path, sql: &str) -> i64 {
    let mut conn = image_scorer_e2e::read_db(db).await;
    sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
}

#[tokio::test]
async fn rate_shows_the_prediction_and_records_the_adjusted_value_with_it() {
    let home = Home::new();
    home.install_pack(
        "standin-laion",
        STANDIN_LAION,
        &[
            "standin-encoder-d768.onnx",
            "aesthetic-sac+logos+ava1-l14-linearMSE.onnx",
        ],
    );
    let dir = home.photos(&["chelsea.png", "coffee.png", "rocket.jpg"]);
    let app = App::start(&home, &[dir.to_str().unwrap()]).await;
    // The header names the active pack once the library is embedded.
    app.wait_for_attr("#model-chip", "title", |t| {
        t.starts_with("Model pack: Stand-in + LAION")
    })
    .await;
    image_scorer_e2e::press_with(&app.client, Key::Alt, '2').await;
    let predicted: f64 = app
        .wait_for_attr("#rate-prediction", "data-predicted", |_| true)
        .await
        .parse()
        .unwrap();
    assert!((1.0..=10.0).contains(&predicted), "{predicted}");
    let start = (predicted * 10.0).round() / 10.0;
    let value = |v: f64| format!("{v:.1}");
    app.wait_for_attr("#rate-value", "data-value", |v| v == value(start))
        .await;
    let first = app
        .wait_for(Locator::Id("rate-image"))
        .await
        .unwrap()
        .attr("alt")
        .await
        .unwrap()
        .unwrap();

    // ↑ ↑ (+0.2), Page Up (+1.0), ↓ (-0.1): +1.1 in all, clamped to 1-10.
    let want = (start + 1.1).clamp(1.0, 10.0);
    app.press(Key::Up.into()).await;
    app.press(Key::Up.into()).await;
    app.press(Key::PageUp.into()).await;
    app.press(Key::Down.into()).await;
    app.wait_for_attr("#rate-value", "data-value", |v| v == value(want))
        .await;
    app.press(Key::Enter.into()).await;
    app.wait_for_text("#rate-progress", "1 / 3 rated").await;

    let rows = score_rows(&home.database()).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (file, stored, source, shown) = &rows[0];
    assert_eq!(file, &first);
    assert_eq!(source, "rate");
    assert!((stored - want).abs() < 1e-9, "{stored} != {want}");
    let shown = shown.expect("the prediction shown is recorded");
    assert!((shown - predicted).abs() < 1e-4, "{shown} != {predicted}");
    // Every image was embedded and predicted once, with one model.
    let db = home.database();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM embeddings").await, 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM predictions").await, 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM models").await, 1);

    // A photo arriving now is embedded and predicted too.
    std::fs::copy(fixture("astronaut.png"), dir.join("astronaut.png")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(&db, "SELECT COUNT(*) FROM predictions").await < 4 {
        assert!(
            Instant::now() < deadline,
            "the new photo was never predicted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn without_a_pack_the_app_says_so_and_rate_still_records() {
    let home = Home::new();
    let dir = home.photos(&["coffee.png"]);
    let app = App::start(&home, &[dir.to_str().unwrap()]).await;
    let title = app
        .wait_for_attr("#model-chip", "title", |t| t.contains("model pack"))
        .await;
    assert!(title.contains("No model pack is installed"), "{title}");
    image_scorer_e2e::press_with(&app.client, Key::Alt, '2').await;
    app.wait_for_attr("#rate-value", "data-value", |v| v == "5.5")
        .await;
    let prediction = app
        .wait_for(Locator::Id("rate-prediction"))
        .await
        .unwrap()
        .attr("data-predicted")
        .await
        .unwrap();
    assert_eq!(prediction, None);
    // The key help, then commit the neutral value with ']' (+1.0).
    app.press(']').await;
    app.wait_for_attr("#rate-value", "data-value", |v| v == "6.5")
        .await;
    app.press(' ').await;
    app.wait_for_text("#rate-progress", "1 / 1 rated").await;
    assert_eq!(
        score_rows(&home.database()).await,
        [("coffee.png".to_owned(), 6.5, "rate".to_owned(), None)]
    );
    app.stop().await;
}
