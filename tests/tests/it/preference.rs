//! The Preference experiment end to end in the real webview: picks in both modes by key, a
//! tie, a "none", a skip and an undo, then the exact database rows; the ranking view against
//! core's own fit of that database; a file deleted while its set is on screen.

use fantoccini::key::Key;
use fantoccini::Locator;
use image_scorer_core::ranking::Config;
use image_scorer_e2e::{press_with, App, Home};
use std::path::Path;
use std::time::Duration;

/// The names of the images on screen, in screen order (once a set is there).
async fn on_screen(app: &App) -> Vec<String> {
    for _ in 0..200 {
        let mut names = Vec::new();
        if let Ok(images) = app
            .client
            .find_all(Locator::Css("#preference-stage img"))
            .await
        {
            for img in images {
                if let Ok(Some(alt)) = img.attr("alt").await {
                    names.push(alt);
                }
            }
        }
        if names.len() >= 2 {
            return names;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no set on screen");
}

/// Waits until the set on screen is not `previous`; returns it.
async fn next_after(app: &App, previous: &[String]) -> Vec<String> {
    for _ in 0..200 {
        let now = on_screen(app).await;
        if now != previous {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the set stayed {previous:?}");
}

/// A comparison as stored: (outcome, undone, [(file name, role)] in screen order).
type Row = (String, bool, Vec<(String, String)>);

/// Every comparison in the log.
async fn comparison_rows(db: &Path) -> Vec<Row> {
    let mut conn = image_scorer_e2e::read_db(db).await;
    let rows: Vec<(i64, String, bool, i64, String, String)> = sqlx::query_as(
        "SELECT j.id, j.outcome, j.undone, ji.position,
                (SELECT MIN(f.rel_path) FROM files f WHERE f.image_id = ji.image_id), ji.role
           FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
          WHERE j.kind = 'comparison' ORDER BY j.id, ji.position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut out: Vec<(i64, Row)> = Vec::new();
    for (id, outcome, undone, position, name, role) in rows {
        if out.last().is_none_or(|l| l.0 != id) {
            out.push((id, (outcome, undone, Vec::new())));
        }
        let images = &mut out.last_mut().unwrap().1 .2;
        assert_eq!(images.len() as i64, position, "positions are 0, 1, …");
        images.push((name, role));
    }
    out.into_iter().map(|(_, row)| row).collect()
}

/// The images of `set` with the one at `winner` as the winner.
fn roles(set: &[String], winner: Option<usize>) -> Vec<(String, String)> {
    set.iter()
        .enumerate()
        .map(|(k, n)| {
            (
                n.clone(),
                if Some(k) == winner { "winner" } else { "shown" }.into(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_preference_session_records_exactly_what_was_chosen_and_ranks_it_as_core_does() {
    let home = Home::new();
    let dir = home.photos(&[
        "astronaut.png",
        "chelsea.png",
        "coffee.png",
        "franz-kafka.jpg",
        "rocket.jpg",
        "motorcycle_left.png",
        "motorcycle_right.png",
    ]);
    let app = App::start(&home, &[dir.to_str().unwrap()]).await;
    app.wait_for_text("#image-count", "7 images").await;
    let rater = app.rater().await;
    press_with(&app.client, Key::Alt, '3').await;
    app.wait_for_text("#preference-mode", "Best of 2").await;

    // Best of 2: Left, 2, a tie, a "none", a skip, then undo the "none".
    let s1 = on_screen(&app).await;
    assert_eq!(s1.len(), 2);
    app.press(Key::Left.into()).await;
    app.wait_for_text("#preference-count", "1 comparison").await;
    let s2 = next_after(&app, &s1).await;
    app.press('2').await;
    app.wait_for_text("#preference-count", "2 comparisons")
        .await;
    let s3 = next_after(&app, &s2).await;
    app.press('=').await;
    app.wait_for_text("#preference-count", "3 comparisons")
        .await;
    let s4 = next_after(&app, &s3).await;
    app.press('x').await;
    app.wait_for_text("#preference-count", "4 comparisons")
        .await;
    let skipped = next_after(&app, &s4).await;
    app.press(' ').await;
    let after_skip = next_after(&app, &skipped).await;
    app.press(Key::Backspace.into()).await;
    app.wait_for_text("#preference-note", "Undid your last choice")
        .await;
    assert_eq!(
        on_screen(&app).await,
        s4,
        "the undone set is back, in its order"
    );
    app.wait_for_text("#preference-count", "3 comparisons")
        .await;
    drop(after_skip);

    // Best of 4, remembered: 3 on the numpad.
    app.press('m').await;
    app.wait_for_text("#preference-mode", "Best of 4").await;
    app.wait_for(Locator::Css("#preference-stage.trial-4"))
        .await
        .unwrap();
    let s5 = on_screen(&app).await;
    assert_eq!(s5.len(), 4);
    app.press(Key::NumPad3.into()).await;
    app.wait_for_text("#preference-count", "4 comparisons")
        .await;

    let rows = comparison_rows(&home.database()).await;
    let expected = vec![
        ("pick".to_owned(), false, roles(&s1, Some(0))),
        ("pick".to_owned(), false, roles(&s2, Some(1))),
        ("tie".to_owned(), false, roles(&s3, None)),
        ("none".to_owned(), true, roles(&s4, None)),
        ("pick".to_owned(), false, roles(&s5, Some(2))),
    ];
    assert_eq!(rows, expected);

    // The ranking view is core's fit of the database.
    app.press('r').await;
    app.wait_for_text("#ranking-summary", "7 images from 4 comparisons")
        .await;
    let mut shown: Vec<(String, f64)> = Vec::new();
    for row in app
        .client
        .find_all(Locator::Css("#ranking-table tbody tr"))
        .await
        .unwrap()
    {
        let name = row
            .find(Locator::Css(".name"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let strength = row
            .find(Locator::Css(".strength"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let value: f64 = strength.split_whitespace().next().unwrap().parse().unwrap();
        shown.push((name, value));
    }
    let store = image_scorer_core::Store::open(&home.database())
        .await
        .unwrap();
    let id = store.rater(&rater).await.unwrap();
    let log = store.ranking_log(Some(id)).await.unwrap();
    let fit = log.fit(Config::default());
    let core: Vec<(String, f64)> = fit
        .order()
        .into_iter()
        .map(|i| (log.names[i].clone(), fit.strengths()[i]))
        .collect();
    store.close().await;
    assert_eq!(shown.len(), core.len());
    for (k, ((name, value), (core_name, core_value))) in shown.iter().zip(&core).enumerate() {
        // The same image in each place, unless two strengths are equal to the view's 2 decimals.
        assert!(
            name == core_name || (value - core_value).abs() < 0.006,
            "rank {}: the view shows {name} ({value}), core {core_name} ({core_value})",
            k + 1
        );
        assert!(
            (value - core_value).abs() < 0.006,
            "{name}: {value} vs {core_value}"
        );
    }
    app.press(Key::Escape.into()).await;

    // A file deleted while its set is on screen: the page moves on with a note, and no event
    // names it.
    let set = on_screen(&app).await;
    std::fs::remove_file(dir.join(&set[0])).unwrap();
    app.wait_for_text("#image-count", "6 images").await;
    app.press('1').await;
    app.wait_for_text("#preference-note", "left the library")
        .await;
    let moved_on = next_after(&app, &set).await;
    assert!(!moved_on.contains(&set[0]));
    let rows = comparison_rows(&home.database()).await;
    assert_eq!(rows.len(), 5, "nothing was recorded");
    app.stop().await;
}
