//! `cargo xtask bench gallery`, the webview's part: the release app opened on the synthetic
//! library of 100,000 images that the core's part (`crates/core/examples/bench_gallery.rs`)
//! left in DIR, in the real WebKitGTK webview:
//!
//! - the Ratings page opened to its first screen of thumbnails painted (every tile in view has
//!   its thumbnail decoded, and a frame has been drawn after that): right at start (no
//!   thumbnail made yet, the app rescanning the library and loading the Score page's queue
//!   meanwhile), cold once the app has settled (no thumbnail made yet; the goal: under 1 s) and
//!   warm (opened again);
//! - a sort change to its first screen painted again;
//! - scrolled to the end: the last tile drawn, with the elements in the document counted
//!   (goal: fewer than 500).
//!
//! - right at start, the Score page's first image painted, from the app's launch (through
//!   tauri-driver, so its session's start is counted too; goal: under 2 s).
//!
//! The app rescans the library at start and hashes its images for near-duplicates at idle
//! priority meanwhile, as it does for a user.
//!
//! Usage: bench_gallery DIR [GOAL_PREFIX] (needs IMAGE_SCORER_APP, TAURI_DRIVER and a
//! display); `bench million` names its goals `million_…`.

use image_scorer_e2e::{goal_line, App, Home};
use std::path::PathBuf;

/// Navigates to `hash` and answers (ms from the navigation, tiles in view) once every tile in
/// the gallery's view shows a decoded thumbnail and a frame has been drawn since.
const FIRST_SCREEN: &str = r#"
const [hash, before, done] = arguments;
const t0 = performance.now();
if (hash) { location.hash = hash; }
const inView = () => {
  const box = document.querySelector('#gallery');
  if (!box) return null;
  const r = box.getBoundingClientRect();
  return [...box.querySelectorAll('.tile')].filter(t => {
    const q = t.getBoundingClientRect();
    return q.bottom > r.top && q.top < r.bottom && q.right > r.left && q.left < r.right;
  });
};
const ready = () => {
  const tiles = inView();
  if (!tiles || tiles.length === 0) return 0;
  const first = tiles[0].getAttribute('data-sha1');
  if (before && first === before) return 0;
  for (const t of tiles) {
    const img = t.querySelector('img');
    if (!img || !img.complete || img.naturalWidth === 0) return 0;
  }
  return tiles.length;
};
let tilesAt = -1;
const poll = () => {
  const n = ready();
  if (tilesAt < 0 && (inView() || []).some(t => t.querySelector('img'))) { tilesAt = performance.now() - t0; }
  if (performance.now() - t0 > 20000) {
    const tiles = inView() || [];
    const broken = tiles.filter(t => { const i = t.querySelector('img'); return !i || !i.complete || i.naturalWidth === 0; });
    done([-1, tiles.length, broken.length, broken.length ? broken[0].outerHTML : '']);
    return;
  }
  if (n > 0) {
    requestAnimationFrame(() => requestAnimationFrame(() => done([performance.now() - t0, n, tilesAt])));
  } else {
    setTimeout(poll, 4);
  }
};
poll();
"#;

/// Answers (ms from the document's start) once the Score page's image is decoded and a frame
/// has been drawn since.
const SCORE_FIRST: &str = r#"
const done = arguments[arguments.length - 1];
let shown = -1;
const poll = () => {
  const img = document.getElementById('score-image');
  if (img && shown < 0) { shown = performance.now(); }
  if (img && img.complete && img.naturalWidth > 0) {
    const loaded = performance.now();
    let frame = -1;
    requestAnimationFrame(() => { frame = performance.now(); requestAnimationFrame(() =>
      done([performance.now(), performance.timeOrigin, shown, loaded, frame])); });
  } else if (performance.now() > 60000) {
    done(['the Score page showed no image']);
  } else {
    setTimeout(poll, 4);
  }
};
poll();
"#;

/// Scrolls the gallery to its end until the last tile is drawn; answers (ms, elements in the
/// document, tiles drawn).
const TO_THE_END: &str = r#"
const done = arguments[arguments.length - 1];
const t0 = performance.now();
const box = document.querySelector('#gallery');
const total = parseInt(document.querySelector('#gallery-count').textContent.replace(/\D/g, ''));
const step = () => {
  box.scrollTop = box.scrollHeight;
  const last = box.querySelector(`.tile[data-position='${total - 1}'] img`);
  if (last && last.complete && last.naturalWidth > 0) {
    requestAnimationFrame(() => requestAnimationFrame(() => done([
      performance.now() - t0,
      document.getElementsByTagName('*').length,
      box.querySelectorAll('.tile').length,
    ])));
  } else {
    setTimeout(step, 10);
  }
};
step();
"#;

async fn run(app: &App, script: &str, args: Vec<serde_json::Value>) -> Vec<f64> {
    let value = app
        .client
        .execute_async(script, args)
        .await
        .expect("the page answers");
    match serde_json::from_value(value.clone()) {
        Ok(numbers) => numbers,
        Err(_) => {
            let shot = std::env::temp_dir().join("bench-gallery-failed.png");
            if let Ok(png) = app.client.screenshot().await {
                let _ = std::fs::write(&shot, png);
            }
            panic!(
                "the first screen was never painted: {value} (the window: {})",
                shot.display()
            )
        }
    }
}

/// Waits until the header has shown no scan for two seconds in a row (up to five minutes).
async fn settle(app: &App) {
    let start = std::time::Instant::now();
    let mut quiet_since = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(300) {
        let scanning = app
            .client
            .execute(
                "return document.querySelector('.scanning') !== null;",
                vec![],
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap_or(false);
        if scanning {
            quiet_since = std::time::Instant::now();
        } else if quiet_since.elapsed() > std::time::Duration::from_secs(2) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Prints what the Score page waited for, each step from its document's start: the app's
/// commands (from the timings it recorded) and the image's element, load and paint (WebKit's
/// first frame can wait on its renderer's start: see `prefer_webkits_plain_renderer`).
fn steps_to_first_image(timings: &std::path::Path, score: &[f64]) {
    let [painted, origin, shown, loaded, frame] = score[..] else {
        return;
    };
    println!("  its steps, from the page's document started:");
    for (name, start, end) in image_scorer_e2e::read_timings(timings) {
        if start - origin <= painted {
            println!(
                "    {name}: {:.0} to {:.0} ms",
                start - origin,
                end - origin
            );
        }
    }
    println!(
        "    the image's element: {shown:.0} ms, loaded {loaded:.0} ms, its first frame begun \
         {frame:.0} ms, painted {painted:.0} ms"
    );
}

async fn first_tile(app: &App) -> String {
    let value = app
        .client
        .execute(
            "const t = document.querySelector(\"#gallery .tile[data-position='0']\");
             return t ? t.getAttribute('data-sha1') : '';",
            vec![],
        )
        .await
        .unwrap();
    value.as_str().unwrap_or_default().to_owned()
}

#[tokio::main]
async fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: bench_gallery DIR"));
    let prefix = std::env::args().nth(2).unwrap_or_default();
    let mut home = Home::at(&dir);
    let timings = home.record_timings();
    let _ = std::fs::remove_file(&timings);
    assert!(
        home.database().is_file(),
        "no library in {} (run the core's part first)",
        dir.display()
    );
    // Right at start: no thumbnail made yet, and the app rescanning the library, loading the
    // Score page's queue and hashing images meanwhile.
    let clear_thumbnails = || {
        let _ = std::fs::remove_dir_all(dir.join("cache"));
        std::fs::create_dir_all(dir.join("cache")).unwrap();
    };
    clear_thumbnails();
    let launched = std::time::Instant::now();
    let app = App::start(&home, &[]).await;
    let score = run(&app, SCORE_FIRST, vec![]).await;
    let score_ms = launched.elapsed().as_secs_f64() * 1000.0;
    println!(
        "the app launched to the Score page's first image painted: {score_ms:.0} ms ({:.0} ms \
         of it after the page's document started)",
        score[0]
    );
    steps_to_first_image(&timings, &score);
    let at_start = run(&app, FIRST_SCREEN, vec!["#/ratings".into(), "".into()]).await;
    println!(
        "Ratings opened right at start to its first screen of {} thumbnails painted: {:.0} ms",
        at_start[1], at_start[0]
    );
    app.stop().await;

    // Cold again, once the app has settled (the rescan done, the Score page loaded), as when a
    // person opens the page a little after starting the app.
    clear_thumbnails();
    let _ = std::fs::remove_file(&timings);
    let app = App::start(&home, &[]).await;
    app.wait_for_text("#score-progress", "rated").await;
    settle(&app).await;
    let cold = run(&app, FIRST_SCREEN, vec!["#/ratings".into(), "".into()]).await;
    println!(
        "Ratings opened, cold, to its first screen of {} thumbnails painted: {:.0} ms (its tiles \
         drawn after {:.0} ms, the thumbnails loaded after that)",
        cold[1], cold[0], cold[2]
    );
    let count = app.text("#gallery-count").await;
    println!("the gallery says: {count}");
    app.client
        .execute("location.hash = '#/';", vec![])
        .await
        .unwrap();
    app.wait_for_text("#page-score h1", "Score").await;
    let warm = run(&app, FIRST_SCREEN, vec!["#/ratings".into(), "".into()]).await;
    println!(
        "Ratings opened again (warm) to its first screen painted: {:.0} ms",
        warm[0]
    );

    // A sort change: the first screen painted again, in the new order.
    let before = first_tile(&app).await;
    app.client
        .execute(
            "const s = document.querySelector('#gallery-sort'); s.value = 'mean';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    let sorted = run(&app, FIRST_SCREEN, vec!["".into(), before.into()]).await;
    println!(
        "a sort change (newest → mean score) to its first screen painted: {:.0} ms",
        sorted[0]
    );

    let end = run(&app, TO_THE_END, vec![]).await;
    println!(
        "scrolled to the end: last tile painted after {:.0} ms, {} tiles drawn, {} elements in the document",
        end[0], end[2], end[1]
    );
    app.stop().await;
    println!(
        "{}",
        goal_line(
            &format!("{prefix}score_first_image_ms"),
            score_ms,
            "<",
            2000.0
        )
    );
    println!(
        "{}",
        goal_line(
            &format!("{prefix}gallery_first_screen_ms"),
            cold[0],
            "<",
            1000.0
        )
    );
    println!(
        "{}",
        goal_line(
            &format!("{prefix}gallery_dom_nodes_at_end"),
            end[1],
            "<",
            500.0
        )
    );
}
