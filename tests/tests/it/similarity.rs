//! Similarity end to end in the real webview, with the real EfficientNet-Lite0 pack: the pair's
//! cosine is the one of the stored embeddings; a likeness judgement is stored as shown and
//! undone; find-similar from the Score page (Shift+F) lists a photo's copy first; marking the
//! copy as a duplicate takes it out of the Score queue, and undo brings it back.

use fantoccini::key::Key;
use fantoccini::Locator;
use image_scorer_e2e::{press_with, App, Home, EFFICIENTNET_PACK};
use std::path::Path;
use std::time::{Duration, Instant};

async fn connect(db: &Path) -> sqlx::SqliteConnection {
    image_scorer_e2e::read_db(db).await
}

/// The cosine of two images' stored embeddings, computed here from the raw vectors.
async fn stored_cosine(db: &Path, a: &str, b: &str) -> f64 {
    let mut conn = connect(db).await;
    let mut vectors = Vec::new();
    for sha1 in [a, b] {
        let blob: Vec<u8> = sqlx::query_scalar(
            "SELECT e.vector FROM embeddings e JOIN images i ON i.id = e.image_id WHERE i.sha1 = ?1",
        )
        .bind(sha1)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let v: Vec<f64> = blob
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect();
        vectors.push(v);
    }
    let dot: f64 = vectors[0].iter().zip(&vectors[1]).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (norm(&vectors[0]) * norm(&vectors[1]))
}

/// A similarity judgement as stored: (value, shown cosine, undone, [sha1 in screen order]).
type Likeness = (f64, f64, bool, Vec<String>);

/// Every similarity judgement.
async fn likeness_rows(db: &Path) -> Vec<Likeness> {
    let mut conn = connect(db).await;
    let rows: Vec<(i64, f64, f64, bool, String)> = sqlx::query_as(
        "SELECT j.id, j.value, j.shown_cosine, j.undone, i.sha1
           FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
           JOIN images i ON i.id = ji.image_id
          WHERE j.kind = 'similarity' ORDER BY j.id, ji.position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut out: Vec<(i64, Likeness)> = Vec::new();
    for (id, value, cosine, undone, sha1) in rows {
        if out.last().is_none_or(|l| l.0 != id) {
            out.push((id, (value, cosine, undone, Vec::new())));
        }
        out.last_mut().unwrap().1 .3.push(sha1);
    }
    out.into_iter().map(|(_, r)| r).collect()
}

/// The `data-sha1` of every element matching `css`, in page order.
async fn sha1s(app: &App, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in app.client.find_all(Locator::Css(css)).await.unwrap() {
        if let Ok(Some(s)) = el.attr("data-sha1").await {
            out.push(s);
        }
    }
    out
}

#[tokio::test]
async fn pairs_judgements_find_similar_and_duplicate_marks_in_the_webview() {
    let home = Home::new();
    home.install_pack(
        "efficientnet",
        EFFICIENTNET_PACK,
        &["efficientnet-lite0-imagenet.onnx"],
    );
    let dir = home.photos(&["chelsea.png", "coffee.png", "rocket.jpg"]);
    // A re-encoded copy of chelsea.png, at 70 % of its size.
    let chelsea = image::open(dir.join("chelsea.png")).unwrap();
    chelsea
        .resize(
            chelsea.width() * 7 / 10,
            chelsea.height() * 7 / 10,
            image::imageops::FilterType::Triangle,
        )
        .to_rgb8()
        .save(dir.join("chelsea copy.jpg"))
        .unwrap();
    let app = App::start(&home, &[dir.to_str().unwrap()]).await;
    let db = home.database();
    app.wait_for_attr("#model-chip", "title", |t| {
        t.starts_with("Model pack: EfficientNet-Lite0") && !t.contains("embedding")
    })
    .await;
    // Every image embedded.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM embeddings")
            .fetch_one(&mut connect(&db).await)
            .await
            .unwrap();
        if n == 4 {
            break;
        }
        assert!(Instant::now() < deadline, "only {n} embeddings");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Find similar from the Score page: skip to chelsea.png, Shift+F.
    app.wait_for_text("#score-progress", "0 / 4 rated").await;
    for _ in 0..8 {
        let alt = app.wait_for_attr("#score-image", "alt", |_| true).await;
        if alt == "chelsea.png" {
            break;
        }
        app.press(' ').await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert_eq!(
        app.wait_for_attr("#score-image", "alt", |_| true).await,
        "chelsea.png"
    );
    press_with(&app.client, Key::Shift, 'F').await;
    app.wait_for(Locator::Css("#find-results .tile"))
        .await
        .unwrap();
    let first = app
        .client
        .find(Locator::Css("#find-results .tile img"))
        .await
        .unwrap()
        .attr("alt")
        .await
        .unwrap();
    assert_eq!(first.as_deref(), Some("chelsea copy.jpg"));
    let query = sha1s(&app, "#find-query").await;
    let results = sha1s(&app, "#find-results .tile").await;
    assert_eq!(results.len(), 3, "every other image, never the query");
    assert!(!results.contains(&query[0]));

    // A pair: its cosine is the stored embeddings' cosine; 4 records it, z undoes it.
    app.press('p').await;
    app.press('r').await;
    let cosine: f64 = app
        .wait_for_attr("#pair-cosine", "data-cosine", |_| true)
        .await
        .parse()
        .unwrap();
    let pair = sha1s(&app, "#similarity-pair figure").await;
    assert_eq!(pair.len(), 2);
    let core = stored_cosine(&db, &pair[0], &pair[1]).await;
    assert!(
        (cosine - core).abs() < 1e-5,
        "shown {cosine}, stored {core}"
    );
    app.press('4').await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while likeness_rows(&db).await.is_empty() {
        assert!(Instant::now() < deadline, "no judgement stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows = likeness_rows(&db).await;
    assert_eq!(rows.len(), 1);
    let (value, shown, undone, images) = &rows[0];
    assert_eq!((*value, *undone), (4.0, false));
    assert!((shown - cosine).abs() < 1e-6);
    assert_eq!(images, &pair);
    app.press('z').await;
    app.wait_for_text("#pair-note", "Undid your").await;
    assert!(likeness_rows(&db).await[0].2, "undone");

    // Near-duplicates: chelsea.png and its copy; keep the original (listed first), mark the
    // copy; the Score queue has 3 images; undo brings the fourth back.
    app.press('d').await;
    app.wait_for_text("#duplicate-count", "1 group,").await;
    let group = sha1s(&app, "#duplicate-group figure").await;
    assert_eq!(group.len(), 2);
    assert_eq!(group[0], query[0], "the larger original first");
    app.press(Key::Enter.into()).await;
    app.wait_for_text("#duplicates-note", "marked 1 as a duplicate")
        .await;
    app.wait_for_text("#duplicate-count", "0 groups,").await;
    press_with(&app.client, Key::Alt, '1').await;
    app.wait_for_text("#score-progress", "0 / 3 rated").await;
    let mut seen = std::collections::HashSet::new();
    while seen.len() < 3 {
        let alt = app
            .wait_for_attr("#score-image", "alt", |a| !seen.contains(a))
            .await;
        assert_ne!(alt, "chelsea copy.jpg", "a duplicate is not in the queue");
        seen.insert(alt);
        app.press(' ').await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    press_with(&app.client, Key::Alt, '4').await;
    app.press('d').await;
    app.press('z').await;
    app.wait_for_text("#duplicates-note", "back in the queues")
        .await;
    press_with(&app.client, Key::Alt, '1').await;
    app.wait_for_text("#score-progress", "0 / 4 rated").await;
    app.stop().await;
}
