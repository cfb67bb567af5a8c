//! `cargo xtask bench score`: keypress-to-next-image-painted latency on the Score page, in the
//! real webview, in the build users run (release). The page marks each step with performance
//! marks, the app writes each command's start and end (`IMAGE_SCORER_TIMINGS`), and every
//! press is split into its parts:
//!
//! - key → handler: from the browser's key event (`event.timeStamp`) to the page's handler;
//! - handler → image ready: the page moves on at once and renders the next image, which loads
//!   (`load`) from the preload cache, decoded ahead;
//! - next frame: from `load` to the start of the frame that shows it (its
//!   `requestAnimationFrame` callback);
//! - painted: from there to the frame after it (a `requestAnimationFrame` callback runs before
//!   its frame's paint, so the mark waits for the next one): one frame at least.
//!
//! The score is saved behind the image shown next, and that is split too: handler → invoke
//! (the page's work, and any earlier judgement still being saved), invoke (the IPC hop in),
//! commit (the app's handler, the durable SQLite write and the answer's queries), reply (the
//! hop out, decoding), and key → saved. Every press must be saved: the count of `add_score`
//! commands and of answers in the page must equal the presses.
//!
//! Two runs in one invocation: the app idle, and while the background job embeds a large
//! library with a model pack (EfficientNet-Lite0 from the shared models) on both cores.
//! `--debug-too` adds an idle run of the debug build, to compare the yardsticks.
//!
//! Then the Preference page, best of 2 and best of 4 (the app idle): key → the next set
//! painted, which is when the last of its images is; the comparison is saved behind it as a
//! score is, and the set after it is asked for once it is saved.
//!
//! Usage: bench_score [PRESSES] [--debug-too] [--preference-only] (needs IMAGE_SCORER_APP, and
//! IMAGE_SCORER_APP_DEBUG for --debug-too, TAURI_DRIVER and a display).

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Locator;
use image_scorer_e2e::{fixture, goal_line, press_with, App, Home};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Images in the library for the run with the embedding job: enough that EfficientNet-Lite0 on
/// two cores is still busy when the presses end.
const BUSY_LIBRARY: usize = 4000;

/// The pause between one press's paint and the next press: the least time a person takes to
/// look at an image before judging it. It lets each press start from a quiet page, as a
/// person's does.
const THINK_MS: u64 = 150;

/// The same pause on the Preference page: comparing two or four images takes a person longer
/// than glancing at one (and it is the time the page has to load the set after next).
const THINK_PREFERENCE_MS: u64 = 400;

/// Images in the library of the Preference runs.
const PREFERENCE_LIBRARY: usize = 500;

/// The page a run presses keys on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// The Score page: digit keys.
    Score,
    /// The Preference page in best of 2 (Left and Right in turn) or of 4 (1-4).
    Preference(usize),
}

impl Page {
    /// The command that saves a press.
    fn command(self) -> &'static str {
        match self {
            Page::Score => "add_score",
            Page::Preference(_) => "record_comparison",
        }
    }

    /// How many images each press shows next.
    fn images(self) -> usize {
        match self {
            Page::Score => 1,
            Page::Preference(n) => n,
        }
    }

    /// The key of press `i`.
    fn key(self, i: usize) -> char {
        match self {
            Page::Score => char::from(b'1' + (i % 9) as u8),
            Page::Preference(2) if i.is_multiple_of(2) => Key::Left.into(),
            Page::Preference(2) => Key::Right.into(),
            Page::Preference(n) => char::from(b'1' + (i % n) as u8),
        }
    }

    /// The pause after each paint.
    fn think_ms(self) -> u64 {
        match self {
            Page::Score => THINK_MS,
            Page::Preference(_) => THINK_PREFERENCE_MS,
        }
    }

    /// The element that says how many judgements were saved.
    fn progress(self) -> &'static str {
        match self {
            Page::Score => "#score-progress",
            Page::Preference(_) => "#preference-count",
        }
    }
}

/// The latency goal, in ms (p95 of the whole press).
const GOAL_MS: f64 = 50.0;

const PACK: &str = "name = \"EfficientNet-Lite0\"\n[encoder]\nfile = \"efficientnet-lite0-imagenet.onnx\"\n\
input = \"pixel_values\"\noutput = \"features\"\nsize = 224\nscale = 1.9921875\noffset = -0.9921875\nwidth = 1280\n";

/// The parts of a press, in order, as the output names them.
const PARTS: [&str; 4] = [
    "key → handler",
    "handler → image ready",
    "next frame",
    "painted",
];

/// The parts of saving a score, which the page does behind the image it shows next.
const SAVE_PARTS: [&str; 5] = [
    "handler → invoke",
    "invoke (IPC in)",
    "commit (app)",
    "reply (IPC out)",
    "key → saved",
];

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let presses: usize = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or(120, |s| s.parse().expect("PRESSES"));
    let release = binary("IMAGE_SCORER_APP");
    let preference_only = args.iter().any(|a| a == "--preference-only");
    if args.iter().any(|a| a == "--debug-too") {
        let debug = binary("IMAGE_SCORER_APP_DEBUG");
        measure(
            &debug,
            "debug build, app idle",
            presses,
            presses + 10,
            false,
            Page::Score,
        )
        .await;
    }
    let score = if preference_only {
        None
    } else {
        let idle = measure(
            &release,
            "release build, app idle",
            presses,
            presses + 10,
            false,
            Page::Score,
        )
        .await;
        let busy = measure(
            &release,
            "release build, while the job embeds",
            presses,
            BUSY_LIBRARY,
            true,
            Page::Score,
        )
        .await;
        Some((idle, busy))
    };
    let mut preference = Vec::new();
    for size in [2, 4] {
        let label = format!("release build, app idle, Preference best of {size}");
        let page = Page::Preference(size);
        preference.push(measure(&release, &label, presses, PREFERENCE_LIBRARY, false, page).await);
    }
    if let Some((idle, busy)) = score {
        println!(
            "\nwhile embedding vs idle: p50 {:.2}x, p95 {:.2}x",
            busy.0 / idle.0,
            busy.1 / idle.1
        );
        println!("{}", goal_line("score_p95_idle_ms", idle.1, "<", GOAL_MS));
        println!(
            "{}",
            goal_line("score_p95_while_embedding_ms", busy.1, "<", GOAL_MS)
        );
    }
    for (size, (_, p95)) in [2, 4].iter().zip(&preference) {
        let name = format!("preference_best_of_{size}_p95_ms");
        println!("{}", goal_line(&name, *p95, "<", GOAL_MS));
    }
}

fn binary(var: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var_os(var).unwrap_or_else(|| panic!("{var} is not set")));
    assert!(path.is_file(), "{var}={} is not a file", path.display());
    path
}

/// Presses `presses` keys that judge on `page` over a library of `images` and prints the
/// latencies and their parts; with `embedding`, a pack is installed and the presses start once
/// the job is running. Returns the total's (p50, p95) in ms.
async fn measure(
    app_binary: &Path,
    label: &str,
    presses: usize,
    images: usize,
    embedding: bool,
    page: Page,
) -> (f64, f64) {
    let mut home = Home::new();
    let timings = home.record_timings();
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
    let app = App::start_binary(app_binary, &home, &[dir.to_str().unwrap()]).await;
    app.wait_for_text("#score-progress", &format!("0 / {images} rated"))
        .await;
    app.wait_for(Locator::Id("score-image")).await.unwrap();
    if let Page::Preference(size) = page {
        press_with(&app.client, Key::Alt, '3').await;
        app.wait_for(Locator::Css("#preference-stage img"))
            .await
            .unwrap();
        if size == 4 {
            app.press('m').await;
            app.wait_for(Locator::Css("#preference-stage.trial-4"))
                .await
                .unwrap();
        }
    }
    let embedded_before = if embedding {
        Some(
            predicting(&app, true)
                .await
                .expect("the embedding job runs"),
        )
    } else {
        None
    };
    tokio::time::sleep(Duration::from_millis(500)).await; // let the first image and preloads settle
    let _ = std::fs::remove_file(&timings); // only the presses' commands count
    let mut unpainted = 0;
    for i in 0..presses {
        let key = page.key(i);
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        app.client.perform_actions(actions).await.unwrap();
        // Wait for this press's paint before the next press, as a person would: in the page,
        // so that the harness does not load the page's thread while it is measured.
        let painted = app
            .client
            .execute_async(
                "const [n, images, done] = arguments;
                 const painted = () => {
                     const keys = performance.getEntriesByName('trial-key');
                     return keys.length >= n && performance.getEntriesByName('trial-painted')
                         .filter(p => p.startTime > keys[n - 1].startTime).length >= images;
                 };
                 const give_up = performance.now() + 5000;
                 const wait = () => painted() ? done(true)
                     : performance.now() > give_up ? done(false) : setTimeout(wait, 20);
                 wait();",
                vec![serde_json::json!(i + 1), serde_json::json!(page.images())],
            )
            .await
            .unwrap();
        if painted != serde_json::Value::Bool(true) {
            unpainted += 1;
            let page = app
                .client
                .execute(
                    "const n = x => performance.getEntriesByName(x).length;
                     const t = s => (document.querySelector(s) || {}).innerText;
                     return [n('trial-key'), n('trial-invoke'), n('trial-reply'), n('trial-image-ready'),
                             n('trial-painted'), t('#errors'), t('#score-note'), t('#score-progress'),
                             (document.getElementById('score-image') || {}).alt, t('#preference-note')];",
                    vec![],
                )
                .await
                .unwrap();
            eprintln!("press {i} not painted: {page}");
        }
        tokio::time::sleep(Duration::from_millis(page.think_ms())).await;
    }
    let marks = app
        .client
        .execute(
            "const get = n => performance.getEntriesByName(n).map(e => e.startTime);
             return { origin: performance.timeOrigin, event: get('trial-key-event'),
                      key: get('trial-key'), invoke: get('trial-invoke'), reply: get('trial-reply'),
                      ready: get('trial-image-ready'), frame: get('trial-frame'),
                      painted: get('trial-painted') };",
            vec![],
        )
        .await
        .unwrap();
    let rows = app.text(page.progress()).await;
    let embedded_after = if embedding {
        predicting(&app, false).await
    } else {
        None
    };
    app.stop().await;
    let commands = read_timings(&timings, page.command());
    let presses = split(&marks, &commands, page);

    println!();
    match (embedded_before, embedded_after) {
        (None, _) => println!("{label}:"),
        (Some(before), Some(after)) => println!(
            "{label} ({before} → {after} images embedded during the presses, still running):"
        ),
        (Some(before), None) => println!(
            "{label} (from {before} images; the job FINISHED during the presses: enlarge the library):"
        ),
    }
    println!(
        "{} latency: keypress → next {} painted, {} presses, {} ms after the last paint each ({unpainted} without a paint within 5 s)",
        page.command(),
        if page == Page::Score { "image" } else { "set (its last image)" },
        presses.len(),
        page.think_ms()
    );
    let column = |k: usize| presses.iter().map(|p| p[k]).collect::<Vec<f64>>();
    for (k, part) in PARTS.iter().enumerate() {
        let (p50, p95, _) = stats(column(k));
        println!("  {part:<22} p50 {p50:>6.1} ms   p95 {p95:>6.1} ms");
    }
    let total = column(PARTS.len());
    let (p50, p95, max) = stats(total);
    println!(
        "  {:<22} p50 {p50:>6.1} ms   p95 {p95:>6.1} ms   max {max:.1} ms  (goal: p95 under {GOAL_MS} ms)",
        "total"
    );
    let (old50, old95, _) = stats(column(PARTS.len() + 1));
    println!(
        "  as bench score measured before (handler → the first frame after load): p50 {old50:.1} ms   p95 {old95:.1} ms"
    );
    println!("  the judgement, saved behind what shows next:");
    for (k, part) in SAVE_PARTS.iter().enumerate() {
        let (p50, p95, _) = stats(column(PARTS.len() + 2 + k));
        println!("    {part:<20} p50 {p50:>6.1} ms   p95 {p95:>6.1} ms");
    }
    let mut slowest: Vec<&Vec<f64>> = presses.iter().collect();
    slowest.sort_by(|a, b| b[PARTS.len()].total_cmp(&a[PARTS.len()]));
    println!("  the slowest presses, part by part (ms, in the order above, the saving's last):");
    for p in slowest.iter().take(6) {
        let parts: Vec<String> = p[..=PARTS.len()]
            .iter()
            .chain(&p[PARTS.len() + 2..])
            .map(|v| format!("{v:.0}"))
            .collect();
        println!("    {}", parts.join(" "));
    }
    println!("  page after the run: {rows}");
    (p50, p95)
}

/// `(start, end)` in ms since the epoch of every `command` in the app's timing file, in order.
fn read_timings(file: &Path, command: &str) -> Vec<(f64, f64)> {
    image_scorer_e2e::read_timings(file)
        .into_iter()
        .filter(|(name, _, _)| name == command)
        .map(|(_, start, end)| (start, end))
        .collect()
}

/// Each press's parts (in [`PARTS`] order), its total, the old yardstick (handler → the first
/// frame after load), and the parts of its saving (in [`SAVE_PARTS`] order), in ms.
fn split(marks: &serde_json::Value, commands: &[(f64, f64)], page: Page) -> Vec<Vec<f64>> {
    let list = |name: &str| -> Vec<f64> {
        serde_json::from_value(marks[name].clone()).unwrap_or_default()
    };
    let origin = marks["origin"].as_f64().expect("performance.timeOrigin");
    let (event, key, invoke, reply) = (list("event"), list("key"), list("invoke"), list("reply"));
    let (ready, frame, painted) = (list("ready"), list("frame"), list("painted"));
    assert_eq!(
        (commands.len(), reply.len()),
        (key.len(), key.len()),
        "one {} per press in the app's timings, and one reply in the page",
        page.command()
    );
    let after = |times: &[f64], t: f64| times.iter().copied().find(|x| *x >= t);
    let mut presses = Vec::new();
    for i in 0..key.len() {
        let (start, end) = (commands[i].0 - origin, commands[i].1 - origin);
        // The next set is painted when its last image is.
        let Some(ready) = ready
            .iter()
            .copied()
            .filter(|x| *x >= key[i])
            .nth(page.images() - 1)
        else {
            continue;
        };
        let (Some(frame), Some(painted)) = (after(&frame, ready), after(&painted, ready)) else {
            continue;
        };
        presses.push(vec![
            key[i] - event[i],
            ready - key[i],
            frame - ready,
            painted - frame,
            painted - event[i],
            frame - key[i],
            invoke[i] - key[i],
            start - invoke[i],
            end - start,
            reply[i] - end,
            reply[i] - event[i],
        ]);
    }
    presses
}

/// (p50, p95, max) of `values`.
fn stats(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let pct = |p: f64| values[((p / 100.0) * (values.len() - 1) as f64).round() as usize];
    (pct(50.0), pct(95.0), pct(100.0))
}

/// How many images the job has embedded, if it is running now (the header chip's tooltip says
/// "Predicting n / m …"). With `starting`, waits up to 60 s for it to start (the chip names the
/// pack until the job has its first count); otherwise a chip that names the pack means done.
async fn predicting(app: &App, starting: bool) -> Option<u32> {
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
        if text.starts_with("Model pack: EfficientNet") && !starting {
            return None; // done (the chip names the pack)
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}
