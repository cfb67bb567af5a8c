//! The Score experiment end to end in the real webview: keys on both digit rows, back and
//! re-rate, undo, skip, a broken file, a file arriving mid-session, the exact database rows,
//! and durability across SIGKILL.

use fantoccini::key::Key;
use fantoccini::Locator;
use image_scorer_e2e::{fixture, App, Home};
use std::path::Path;

/// The name of the image on screen.
async fn shown(app: &App) -> String {
    app.wait_for(Locator::Id("score-image"))
        .await
        .unwrap()
        .attr("alt")
        .await
        .unwrap()
        .unwrap()
}

/// Waits until the image on screen is not `previous`; returns its name.
async fn next_after(app: &App, previous: &str) -> String {
    for _ in 0..200 {
        if let Ok(el) = app.client.find(Locator::Id("score-image")).await {
            if let Ok(Some(alt)) = el.attr("alt").await {
                if alt != previous {
                    return alt;
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the image stayed {previous}");
}

/// `(file name, rater, value, undone)` of every judgement (all are scores here), in order.
async fn score_rows(db: &Path) -> Vec<(String, String, f64, bool)> {
    let mut conn = image_scorer_e2e::read_db(db).await;
    sqlx::query_as(
        "SELECT (SELECT MIN(f.rel_path) FROM files f WHERE f.image_id = ji.image_id),
                r.name, j.value, j.undone
           FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
           JOIN raters r ON r.id = j.rater_id ORDER BY j.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_scoring_session_records_exactly_what_was_done() {
    let home = Home::new();
    let dir = home.photos(&[
        "astronaut.png",
        "chelsea.png",
        "coffee.png",
        "franz-kafka.jpg",
        "rocket.jpg",
    ]);
    let jpeg = std::fs::read(fixture("rocket.jpg")).unwrap();
    std::fs::write(dir.join("broken.jpg"), &jpeg[..jpeg.len() / 3]).unwrap();
    let app = App::start(&home, &[dir.to_str().unwrap()]).await;
    app.wait_for_text("#score-progress", "0 / 5 rated").await;
    let rater = app.rater().await;
    assert!(!rater.is_empty());

    // Five scores: top row and numpad.
    let mut order = vec![shown(&app).await];
    let keys: [(char, f64); 5] = [
        ('7', 7.0),
        (Key::NumPad3.into(), 3.0),
        ('0', 10.0),
        (Key::NumPad9.into(), 9.0),
        ('5', 5.0),
    ];
    for (i, (key, _)) in keys.iter().enumerate() {
        app.press(*key).await;
        app.wait_for_text("#score-progress", &format!("{} / 5 rated", i + 1))
            .await;
        if i < 4 {
            let next = next_after(&app, order.last().unwrap()).await;
            order.push(next);
        }
    }
    app.wait_for_text("#score-done", "Nothing left").await;
    assert!(
        !order.contains(&"broken.jpg".to_owned()),
        "the broken file is never shown"
    );
    app.wait_for_text("#unreadable-count", "1 unreadable").await;

    // Back to the last image and re-rate it, then undo that.
    app.press(Key::Backspace.into()).await;
    assert_eq!(shown(&app).await, order[4]);
    app.wait_for_text("#my-score", "Your score: 5").await;
    app.press('4').await;
    app.wait_for_text("#score-done", "Nothing left").await;
    app.press('z').await;
    app.wait_for_text("#score-note", "Undid the last score")
        .await;
    assert_eq!(shown(&app).await, order[4]);
    app.wait_for_text("#my-score", "Your score: 5").await;

    // A file arriving now joins the queue; skip past the undone one to it and score it.
    std::fs::copy(
        fixture("motorcycle_left.png"),
        dir.join("motorcycle_left.png"),
    )
    .unwrap();
    app.wait_for_text("#score-progress", "5 / 6 rated").await;
    app.press('s').await;
    assert_eq!(next_after(&app, &order[4]).await, "motorcycle_left.png");
    app.press(Key::NumPad8.into()).await;
    app.wait_for_text("#score-progress", "6 / 6 rated").await;
    app.stop().await;

    let rows = score_rows(&home.database()).await;
    let mut expected: Vec<(String, String, f64, bool)> = order
        .iter()
        .zip(keys)
        .map(|(name, (_, v))| (name.clone(), rater.clone(), v, false))
        .collect();
    expected.push((order[4].clone(), rater.clone(), 4.0, true));
    expected.push(("motorcycle_left.png".into(), rater.clone(), 8.0, false));
    assert_eq!(rows, expected);
}

#[tokio::test]
async fn acknowledged_scores_survive_sigkill() {
    let home = Home::new();
    let dir = home.photos(&[
        "astronaut.png",
        "chelsea.png",
        "coffee.png",
        "franz-kafka.jpg",
        "rocket.jpg",
        "motorcycle_left.png",
    ]);
    let app = App::start(&home, &[dir.to_str().unwrap()]).await;
    app.wait_for_text("#score-progress", "0 / 6 rated").await;
    // A burst: each key as soon as the previous score is acknowledged on screen.
    for (i, key) in ['6', '2', '9', '4', '8'].into_iter().enumerate() {
        app.press(key).await;
        app.wait_for_text("#score-progress", &format!("{} / 6 rated", i + 1))
            .await;
    }
    // Kill the app at once, without any chance to flush.
    let killed = kill_app(&dir);
    assert!(killed > 0, "the app process was found and killed");
    drop(app);

    let rows = score_rows(&home.database()).await;
    let values: Vec<f64> = rows.iter().map(|r| r.2).collect();
    assert_eq!(values, [6.0, 2.0, 9.0, 4.0, 8.0]);

    // And the app starts again on that database.
    let app = App::start(&home, &[]).await;
    app.wait_for_text("#score-progress", "5 / 6 rated").await;
    app.stop().await;
}

/// SIGKILLs every process whose command line names `folder`; returns how many.
fn kill_app(folder: &Path) -> usize {
    let needle = folder.to_str().unwrap();
    let mut killed = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        if args.iter().skip(1).any(|a| *a == needle.as_bytes()) {
            let pid = entry.file_name();
            let status = std::process::Command::new("kill")
                .args(["-KILL", pid.to_str().unwrap()])
                .status()
                .unwrap();
            killed += usize::from(status.success());
        }
    }
    killed
}
