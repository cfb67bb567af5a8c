//! `cargo xtask bench gallery`, the webview's part: the release app opened on the synthetic
//! library of 100,000 images that the core's part (`crates/core/examples/bench_gallery.rs`)
//! left in DIR, in the real WebKitGTK webview:
//!
//! - the Ratings page opened to its first screen of thumbnails painted (every tile in view has
//!   its thumbnail decoded, and a frame has been drawn after that), cold (the app just started,
//!   no thumbnail made yet) and warm (opened again); goal: cold under 1 s;
//! - a sort change to its first screen painted again;
//! - scrolled to the end: the last tile drawn, with the elements in the document counted
//!   (goal: fewer than 500).
//!
//! The app rescans the library at start and hashes its images for near-duplicates at idle
//! priority meanwhile, as it does for a user.
//!
//! Usage: bench_gallery DIR (needs IMAGE_SCORER_APP, TAURI_DRIVER and a display).

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
const poll = () => {
  const n = ready();
  if (n > 0) {
    requestAnimationFrame(() => requestAnimationFrame(() => done([performance.now() - t0, n])));
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
    serde_json::from_value(value).expect("numbers")
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
    let home = Home::at(&dir);
    assert!(
        home.database().is_file(),
        "no library in {} (run the core's part first)",
        dir.display()
    );
    // A cold start: no thumbnail made yet.
    let _ = std::fs::remove_dir_all(dir.join("cache"));
    std::fs::create_dir_all(dir.join("cache")).unwrap();
    let app = App::start(&home, &[]).await;

    let cold = run(&app, FIRST_SCREEN, vec!["#/ratings".into(), "".into()]).await;
    println!(
        "Ratings opened, cold, to its first screen of {} thumbnails painted: {:.0} ms",
        cold[1], cold[0]
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
        goal_line("gallery_first_screen_ms", cold[0], "<", 1000.0)
    );
    println!(
        "{}",
        goal_line("gallery_dom_nodes_at_end", end[1], "<", 500.0)
    );
}
