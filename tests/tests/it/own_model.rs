//! The rater's own model end to end in the real webview, with the real EfficientNet-Lite0
//! pack (no score head): after a dozen scores, Rate starts from the rater's model and says so,
//! and a rating from it is logged as the own model's; the "teach my model" order shows next the
//! image the model is least sure about, computed here from the database as the core would; the
//! gallery shows the model's predictions and sorts by them.

use fantoccini::key::Key;
use image_scorer_e2e::{press_with, App, Home, EFFICIENTNET_PACK};
use image_scorer_personal::{teach_order, Rated, Ridge};
use std::collections::HashMap;
use std::path::Path;

/// The photos, and the score this rater gives each photo's copies.
const PHOTOS: [(&str, u8); 7] = [
    ("astronaut.png", 7),
    ("chelsea.png", 9),
    ("coffee.png", 3),
    ("franz-kafka.jpg", 5),
    ("motorcycle_left.png", 6),
    ("motorcycle_right.png", 6),
    ("rocket.jpg", 2),
];
const COPIES: u32 = 4;

/// Four different crops of each photo, lighter or darker: (file name → score).
fn varied_copies(dir: &Path) -> HashMap<String, u8> {
    let mut taste = HashMap::new();
    for (p, (name, score)) in PHOTOS.iter().enumerate() {
        let image = image::open(image_scorer_e2e::fixture(name))
            .unwrap()
            .to_rgb8();
        let (w, h) = image.dimensions();
        for c in 0..COPIES {
            let (cw, ch) = (w * (60 + 10 * c) / 100, h * (95 - 10 * c) / 100);
            let (x, y) = ((w - cw) * c / COPIES, (h - ch) * (COPIES - 1 - c) / COPIES);
            let crop = image::imageops::crop_imm(&image, x, y, cw, ch).to_image();
            let light = image::imageops::colorops::brighten(&crop, 20 * c as i32 - 30);
            let file = format!("p{p}-{c}.png");
            light.save(dir.join(&file)).unwrap();
            taste.insert(file, *score);
        }
    }
    taste
}

async fn connect(db: &Path) -> sqlx::SqliteConnection {
    image_scorer_e2e::read_db(db).await
}

fn vector(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The image the teaching order puts first for `rater`, from the database: their model
/// fitted on their current scores (penalty by GCV), then the most uncertain unscored image.
async fn expected_first(db: &Path, rater: &str) -> String {
    let mut conn = connect(db).await;
    let rated: Vec<(i64, f64, Vec<u8>)> = sqlx::query_as(
        "SELECT c.image_id, c.value, e.vector FROM current_scores c
           JOIN raters r ON r.id = c.rater_id JOIN embeddings e ON e.image_id = c.image_id
          WHERE r.name = ?1",
    )
    .bind(rater)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let open: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT s.name, e.vector FROM shown_images s JOIN embeddings e ON e.image_id = s.id
          WHERE s.id NOT IN (SELECT c.image_id FROM current_scores c JOIN raters r
                              ON r.id = c.rater_id WHERE r.name = ?1)",
    )
    .bind(rater)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let vectors: Vec<Vec<f32>> = rated.iter().map(|(_, _, b)| vector(b)).collect();
    let ratings: Vec<Rated> = rated
        .iter()
        .zip(&vectors)
        .map(|((id, score, _), x)| Rated {
            key: *id as u64,
            x,
            score: *score,
            offset: 0.0,
        })
        .collect();
    let mut model = Ridge::from_ratings(vectors[0].len(), &ratings, 1.0).unwrap();
    model.choose_penalty().unwrap();
    let candidates: Vec<f32> = open.iter().flat_map(|(_, b)| vector(b)).collect();
    let first = teach_order(&mut model, &candidates, 1).unwrap()[0].index;
    open[first].0.clone()
}

#[tokio::test]
async fn rate_starts_from_the_own_model_after_a_dozen_scores_and_teach_shows_what_it_needs() {
    let home = Home::new();
    home.install_pack(
        "efficientnet",
        EFFICIENTNET_PACK,
        &["efficientnet-lite0-imagenet.onnx"],
    );
    let dir = home.scratch("shoot");
    let taste = varied_copies(&dir);
    let total = taste.len();
    let app = App::start(&home, &[dir.to_str().unwrap()]).await;
    let db = home.database();
    app.wait_for_attr("#model-chip", "title", |t| {
        t.starts_with("Model pack: EfficientNet-Lite0") && !t.contains("embedding")
    })
    .await;
    let rater = app.rater().await;

    // A dozen scores on the Score page, each the rater's taste for its photo.
    app.wait_for_text("#score-progress", &format!("0 / {total} rated"))
        .await;
    for i in 0..12 {
        let name = app.wait_for_attr("#score-image", "alt", |_| true).await;
        let key = char::from(b'0' + taste[&name] % 10);
        app.press(key).await;
        app.wait_for_text("#score-progress", &format!("{} / {total} rated", i + 1))
            .await;
    }
    // With the teaching order on, Score shows the model's line: once it has taken in the
    // twelve scores, its cross-validated figures.
    app.press('t').await;
    app.wait_for_attr("#own-model", "data-settled", |s| s == "true")
        .await;
    app.wait_for_text("#own-model", "12 scores").await;
    let line = app.text("#own-model").await;
    assert!(line.contains("ρ"), "{line}");

    // Rate starts from the own model, says so, and the rating is logged as the own model's.
    press_with(&app.client, Key::Alt, '2').await;
    app.wait_for_text("#rate-prediction", "Your model:").await;
    let shown: f64 = app
        .wait_for_attr("#rate-prediction", "data-predicted", |_| true)
        .await
        .parse()
        .unwrap();
    let value = app.text("#rate-value").await;
    assert_eq!(value, format!("{:.1}", shown.clamp(1.0, 10.0)));
    app.press('\u{e007}').await; // Enter
    app.wait_for_text("#rate-progress", &format!("13 / {total} rated"))
        .await;
    let (kind, prediction, own): (String, f64, bool) = sqlx::query_as(
        "SELECT kind, shown_prediction, shown_own FROM judgements ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&mut connect(&db).await)
    .await
    .unwrap();
    assert_eq!(kind, "rate");
    assert!(own, "logged as the own model's prediction");
    assert!((prediction - shown).abs() < 1e-3, "{prediction} vs {shown}");

    // "Teach my model" on Rate: once the model has the rating, the image it is least sure
    // about comes next (the same order the core computes from the database).
    app.wait_for_attr("#own-model", "data-ratings", |n| n == "13")
        .await;
    app.wait_for_attr("#own-model", "data-settled", |s| s == "true")
        .await;
    let expected = expected_first(&db, &rater).await;
    app.press('t').await;
    app.wait_for_attr("#rate-image", "alt", |alt| alt == expected)
        .await;

    // The gallery shows the model's prediction beside the pack's, and sorts by it.
    press_with(&app.client, Key::Alt, '5').await;
    app.wait_for_text("#gallery-count", &format!("{total} images"))
        .await;
    app.client
        .find(fantoccini::Locator::Css(
            "#gallery-sort option[value='own']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.wait_for_text("#gallery-direction", "highest first")
        .await;
    let mut own = Vec::new();
    for _ in 0..100 {
        own = own_in_tiles(&app).await;
        if own.len() >= 12 && own.windows(2).all(|w| w[0] >= w[1]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(own.len() >= 12, "{own:?}");
    assert!(own.windows(2).all(|w| w[0] >= w[1]), "{own:?}");
    assert!(own[0] > own[own.len() - 1], "{own:?}");
    app.stop().await;
}

/// The own model's prediction on each drawn tile of the gallery, in tile order (a tile
/// without one ends the list).
async fn own_in_tiles(app: &App) -> Vec<f64> {
    let captions = app
        .client
        .execute(
            "return [...document.querySelectorAll('#gallery .tile[data-position]')]
               .sort((a, b) => a.dataset.position - b.dataset.position)
               .map(t => t.querySelector('.tile-predictions').textContent)",
            vec![],
        )
        .await
        .unwrap();
    captions
        .as_array()
        .unwrap()
        .iter()
        .map_while(|c| c.as_str()?.split("my model ").nth(1)?.parse().ok())
        .collect()
}
