//! `cargo xtask bench score`: keypress-to-next-image-painted latency on the Score page, in the
//! real webview, measured in the page with performance marks ("score-key" when the key is
//! handled, "score-painted" at the first frame after the next image loaded). The app commits each
//! score to SQLite before it moves on, so the figure includes the durable write.
//!
//! Usage: bench_score [PRESSES] (needs IMAGE_SCORER_APP, TAURI_DRIVER and a display).

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::Locator;
use image_scorer_e2e::{fixture, App, Home};
use std::time::Duration;

#[tokio::main]
async fn main() {
    let presses: usize = std::env::args()
        .nth(1)
        .map_or(120, |s| s.parse().expect("PRESSES"));
    let images = presses + 10;
    let home = Home::new();
    let dir = home.scratch("bench");
    let sources: Vec<Vec<u8>> = [
        "astronaut.png",
        "chelsea.png",
        "coffee.png",
        "franz-kafka.jpg",
        "motorcycle_left.png",
        "motorcycle_right.png",
        "rocket.jpg",
    ]
    .iter()
    .map(|n| std::fs::read(fixture(n)).unwrap())
    .collect();
    for i in 0..images {
        let mut bytes = sources[i % sources.len()].clone();
        bytes.extend_from_slice(&(i as u64).to_le_bytes()); // distinct content, same picture
        let ext = if bytes.starts_with(b"\x89PNG") {
            "png"
        } else {
            "jpg"
        };
        std::fs::write(dir.join(format!("img-{i:04}.{ext}")), bytes).unwrap();
    }
    let app = App::start(&home, &[dir.to_str().unwrap()]).await;
    app.wait_for_text("#score-progress", &format!("0 / {images} rated"))
        .await;
    app.wait_for(Locator::Id("score-image")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await; // let the first image and preloads settle

    for i in 0..presses {
        let key = char::from(b'1' + (i % 9) as u8);
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        app.client.perform_actions(actions).await.unwrap();
        // Wait for this press's paint before the next press, as a person would.
        for _ in 0..400 {
            let painted = app
                .client
                .execute(
                    "return [performance.getEntriesByName('score-key').length,
                             performance.getEntriesByName('score-painted').filter(p =>
                               p.startTime > (performance.getEntriesByName('score-key').at(-1) || {startTime: 1e12}).startTime).length]",
                    vec![],
                )
                .await
                .unwrap();
            let counts: Vec<u64> = serde_json::from_value(painted).unwrap();
            if counts[0] as usize == i + 1 && counts[1] > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let measured = app
        .client
        .execute(
            "const keys = performance.getEntriesByName('score-key');
             const paints = performance.getEntriesByName('score-painted');
             return keys.map(k => { const p = paints.find(p => p.startTime > k.startTime);
                                    return p ? p.startTime - k.startTime : -1; });",
            vec![],
        )
        .await
        .unwrap();
    let mut latencies: Vec<f64> = serde_json::from_value(measured).unwrap();
    let rows = app.text("#score-progress").await;
    app.stop().await;
    let missing = latencies.iter().filter(|l| **l < 0.0).count();
    latencies.retain(|l| *l >= 0.0);
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((p / 100.0) * (latencies.len() - 1) as f64).round() as usize];
    println!("score latency: keypress handled → next image painted, {} presses ({missing} without a paint)", latencies.len());
    println!(
        "  p50 {:.1} ms   p95 {:.1} ms   max {:.1} ms  (goal: p95 under 50 ms)",
        pct(50.0),
        pct(95.0),
        pct(100.0)
    );
    println!("  page after the run: {rows}");
}
