//! `cargo xtask bench score`: keypress-to-next-image-painted latency on the Score page, in the
//! real webview, measured in the page with performance marks ("score-key" when the key is
//! handled, "score-painted" at the first frame after the next image loaded). The app commits each
//! score to SQLite before it moves on, so the figure includes the durable write.
//!
//! Two runs in one invocation: with the app idle, and while the background job embeds a large
//! library with a model pack (EfficientNet-Lite0 from the shared models) on both cores; the
//! ratio between them says what the job costs the person rating.
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
    let idle = measure(presses, presses + 10, false).await;
    let busy = measure(presses, BUSY_LIBRARY, true).await;
    println!(
        "  while embedding vs idle: p50 {:.2}x, p95 {:.2}x",
        busy.0 / idle.0,
        busy.1 / idle.1
    );
}

/// Images in the library for the run with the embedding job: enough that EfficientNet-Lite0 on
/// two cores is still busy when the presses end.
const BUSY_LIBRARY: usize = 2000;

const PACK: &str = "name = \"EfficientNet-Lite0\"\n[encoder]\nfile = \"efficientnet-lite0-imagenet.onnx\"\n\
input = \"pixel_values\"\noutput = \"features\"\nsize = 224\nscale = 1.9921875\noffset = -0.9921875\nwidth = 1280\n";

/// Presses `presses` score keys on a library of `images` and prints the latencies; with
/// `embedding`, a pack is installed and the presses start once the job is running. Returns
/// (p50, p95) in ms.
async fn measure(presses: usize, images: usize, embedding: bool) -> (f64, f64) {
    let home = Home::new();
    if embedding {
        home.install_pack("effnet", PACK, &["efficientnet-lite0-imagenet.onnx"]);
    }
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
    let embedded_before = if embedding {
        Some(predicting(&app).await.expect("the embedding job runs"))
    } else {
        None
    };
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
    let embedded_after = if embedding {
        predicting(&app).await
    } else {
        None
    };
    app.stop().await;
    let missing = latencies.iter().filter(|l| **l < 0.0).count();
    latencies.retain(|l| *l >= 0.0);
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((p / 100.0) * (latencies.len() - 1) as f64).round() as usize];
    match (embedded_before, embedded_after) {
        (None, _) => println!("app idle:"),
        (Some(before), Some(after)) => println!(
            "while the job embeds ({before} → {after} images during the presses, still running):"
        ),
        (Some(before), None) => println!(
            "while the job embeds (from {before} images; it FINISHED during the presses: enlarge the library):"
        ),
    }
    println!("score latency: keypress handled → next image painted, {} presses ({missing} without a paint)", latencies.len());
    println!(
        "  p50 {:.1} ms   p95 {:.1} ms   max {:.1} ms  (goal: p95 under 50 ms)",
        pct(50.0),
        pct(95.0),
        pct(100.0)
    );
    println!("  page after the run: {rows}");
    (pct(50.0), pct(95.0))
}

/// How many images the job has embedded, if it is running now (the header chip's tooltip says
/// "Predicting n / m …"); waits up to 60 s for it to start.
async fn predicting(app: &App) -> Option<u32> {
    for _ in 0..600 {
        let title = app
            .client
            .execute(
                "const c = document.getElementById('model-chip'); return c ? c.title : '';",
                vec![],
            )
            .await
            .unwrap();
        let text = title.as_str().unwrap_or_default().to_owned();
        if let Some(rest) = text.strip_prefix("Predicting ") {
            return rest.split(" / ").next()?.trim().parse().ok();
        }
        if text.starts_with("Model pack: EfficientNet") {
            return None; // done (the chip names the pack)
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}
