//! The whole app service without a window: open a folder, watch a file arrive, embed it with a
//! real pack, pause and resume, switch packs, score, rate and undo as two raters, with every
//! event observed on the test's sink.

use image_scorer_core::app::ChannelSink;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{AppEvent, ErrorKind, JudgementKind, PredictorState};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::common;
use common::fixture;

/// A running app over fresh folders in `tmp`, with the given packs installed.
async fn start(tmp: &Path, packs: &[(&str, &str, &[&str])]) -> (App, Events) {
    let mut config = AppConfig::in_folders(tmp.join("data"), tmp.join("cache"));
    config.onnx_runtime = vec![common::ort_library()];
    // Tests share the machine with each other: the job runs at normal priority here.
    config.low_priority = false;
    for (name, manifest, models) in packs {
        common::install_pack(&config.packs_dir().join(name), manifest, models);
    }
    let (sink, events) = ChannelSink::new();
    let app = App::open(config, Arc::new(sink)).await.unwrap();
    app.start();
    (
        app,
        Events {
            rx: events,
            seen: Vec::new(),
        },
    )
}

/// The events the app sent, read as they come.
struct Events {
    rx: UnboundedReceiver<AppEvent>,
    seen: Vec<AppEvent>,
}

impl Events {
    /// Waits (up to 60 s) for an event that `want` accepts; returns it.
    async fn until(&mut self, what: &str, want: impl Fn(&AppEvent) -> bool) -> AppEvent {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let event = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("no event: {what}; last ones: {:?}", self.tail()))
                .expect("the app is running");
            self.seen.push(event.clone());
            if want(&event) {
                return event;
            }
        }
    }

    /// Waits for the predictor to report a state that `want` accepts.
    async fn predictor(
        &mut self,
        what: &str,
        want: impl Fn(&PredictorState) -> bool,
    ) -> PredictorState {
        match self
            .until(
                what,
                |e| matches!(e, AppEvent::PredictorChanged(p) if want(p)),
            )
            .await
        {
            AppEvent::PredictorChanged(p) => p,
            _ => unreachable!(),
        }
    }

    /// Waits for the library to hold `ok` images.
    async fn library(&mut self, ok: u32) {
        self.until(
            &format!("a library of {ok}"),
            |e| matches!(e, AppEvent::LibraryChanged(l) if l.counts.ok == ok),
        )
        .await;
    }

    fn tail(&self) -> Vec<String> {
        self.seen
            .iter()
            .rev()
            .take(5)
            .map(|e| format!("{} {:?}", e.name(), e))
            .collect()
    }
}

/// Distinct copies of the fixture photos in `dir` ([`common::photos`]); their hashes.
fn photos(dir: &Path, range: std::ops::Range<usize>) -> Vec<String> {
    common::photos(dir, range)
        .into_iter()
        .map(|(_, h)| h)
        .collect()
}

fn settled(p: &PredictorState, pack: &str, total: u32) -> bool {
    p.active.as_deref() == Some(pack)
        && p.problem.is_none()
        && !p.progress.running
        && p.progress.total == total
        && p.progress.done == total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_indexes_watches_embeds_and_records_judgements_without_a_window() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, mut events) = start(
        tmp.path(),
        &[(
            "standin",
            common::STANDIN_LAION,
            common::STANDIN_LAION_MODELS,
        )],
    )
    .await;
    let root: PathBuf = tmp.path().join("photos");
    let first = photos(&root, 0..2);

    // Open a folder: it is indexed, announced, and embedded with the only pack.
    let library = app.open_folder(&root).await.unwrap();
    assert_eq!(library.roots.len(), 1);
    events
        .until(
            "the scan finishes",
            |e| matches!(e, AppEvent::ScanProgress(s) if s.done && s.found == 2),
        )
        .await;
    events.library(2).await;
    events
        .predictor("both images embedded", |p| settled(p, "packs/standin", 2))
        .await;
    let state = app
        .call(GetScoreState {
            rater: "ana".into(),
            sha1: first[0].clone(),
        })
        .await
        .unwrap();
    let predicted = state.predicted.expect("the LAION head's prediction");
    assert!((1.0..10.0).contains(&predicted), "{predicted}");
    assert_eq!((state.rated, state.total), (0, 2));

    // A file arriving is seen by the watcher, and the predictor embeds it.
    let arrived = photos(&root, 2..3);
    events.library(3).await;
    events
        .predictor("the new image embedded", |p| settled(p, "packs/standin", 3))
        .await;
    let state = app
        .call(GetScoreState {
            rater: "ana".into(),
            sha1: arrived[0].clone(),
        })
        .await
        .unwrap();
    assert!(state.predicted.is_some());

    // Two raters at once: each judgement names its rater.
    let s = app
        .call(AddScore {
            rater: "ana".into(),
            sha1: first[0].clone(),
            value: 7.0,
        })
        .await
        .unwrap();
    assert_eq!((s.mine, s.rated, s.total), (Some(7.0), 1, 3));
    let r = app
        .call(AddRating {
            rater: "ben".into(),
            sha1: first[0].clone(),
            value: 6.44,
            predicted: Some(predicted),
            own: false,
        })
        .await
        .unwrap();
    assert_eq!(
        (r.mine, r.mean, r.raters, r.rated),
        (Some(6.4), Some(6.7), 2, 1)
    );
    let ben = app.store().rater("ben").await.unwrap();
    let rating = &app.store().judgements_by(ben).await.unwrap()[0];
    assert_eq!(rating.kind, JudgementKind::Rate);
    assert_eq!(rating.shown_prediction, Some(predicted));
    let bad = app
        .call(AddScore {
            rater: "ana".into(),
            sha1: first[1].clone(),
            value: 11.0,
        })
        .await
        .unwrap_err();
    assert_eq!(bad.kind, ErrorKind::InvalidInput);

    // Undo is the rater's own last judgement; ben's stays.
    let undone = app
        .call(Undo {
            rater: "ana".into(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(undone.judgement.kind, JudgementKind::Score);
    let score = undone.score.expect("a score's image state");
    assert_eq!((score.mine, score.mean, score.rated), (None, Some(6.4), 0));
    assert!(app
        .call(Undo {
            rater: "ana".into()
        })
        .await
        .unwrap()
        .is_none());
    let queue = app
        .call(GetScoreQueue {
            rater: "ben".into(),
            include_rated: false,
            seed: 1,
            predicted_first: true,
            teach: false,
            window: None,
        })
        .await
        .unwrap();
    assert_eq!((queue.items.len(), queue.rated, queue.total), (2, 1, 3));

    // The webview could not show an image: it leaves the library's count and every queue.
    app.call(ImageFailed {
        sha1: arrived[0].clone(),
    })
    .await
    .unwrap();
    events.library(2).await;
    let queue = app
        .call(GetScoreQueue {
            rater: "ana".into(),
            include_rated: true,
            seed: 1,
            predicted_first: false,
            teach: false,
            window: None,
        })
        .await
        .unwrap();
    assert_eq!((queue.items.len(), queue.total), (2, 2));

    // Images are served by hash only.
    let served = app.serve_image(&format!("/{}", first[0])).await;
    assert_eq!(
        (served.status, served.body.len()),
        (200, fixture("chelsea.png").len())
    );
    assert_eq!(app.serve_image("/../etc/passwd").await.status, 404);
    assert_eq!(
        app.serve_image(&format!("/{}", "0".repeat(40)))
            .await
            .status,
        404
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_stops_the_job_after_its_batch_and_a_switch_embeds_with_the_other_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, mut events) = start(
        tmp.path(),
        &[
            (
                "a-effnet",
                common::EFFICIENTNET_FEATURES,
                &["efficientnet-lite0-imagenet.onnx"],
            ),
            (
                "b-standin",
                common::STANDIN_LAION,
                common::STANDIN_LAION_MODELS,
            ),
        ],
    )
    .await;
    // The pack with a score head is chosen first.
    events
        .predictor("the stand-in pack opens", |p| {
            p.active.as_deref() == Some("packs/b-standin") && p.problem.is_none()
        })
        .await;
    let root = tmp.path().join("photos");
    let total = 160;
    photos(&root, 0..total);

    // Switch to EfficientNet (slower: time to pause it), remembered as the user's choice.
    let state = app
        .call(SetPack {
            id: "packs/a-effnet".into(),
        })
        .await
        .unwrap();
    assert_eq!(state.packs.len(), 2);
    app.open_folder(&root).await.unwrap();
    let running = events
        .predictor("EfficientNet embeds", |p| {
            p.active.as_deref() == Some("packs/a-effnet")
                && p.progress.running
                && p.progress.total == total as u32
                && p.progress.done > 0
        })
        .await;
    assert!(!running.predicts, "an encoder-only pack predicts no scores");
    let paused = app.call(PausePredictions { paused: true }).await.unwrap();
    assert!(paused.progress.paused);
    let stopped = events
        .predictor("the job stops", |p| {
            p.progress.paused && !p.progress.running
        })
        .await;
    assert!(
        stopped.progress.done < total as u32,
        "paused at {} of {total}",
        stopped.progress.done
    );
    // Paused, it stays where it stopped: nothing more is embedded.
    let model = app.predictor().model_id().unwrap();
    let at_pause = app.store().embed_counts(model).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.store().embed_counts(model).await.unwrap(), at_pause);
    assert_eq!(at_pause.0, stopped.progress.done);

    // Resume: it finishes from there.
    app.call(PausePredictions { paused: false }).await.unwrap();
    events
        .predictor("EfficientNet finishes", |p| {
            settled(p, "packs/a-effnet", total as u32)
        })
        .await;

    // Switch back: the other pack embeds the library under its own model; both caches stay.
    app.call(SetPack {
        id: "packs/b-standin".into(),
    })
    .await
    .unwrap();
    let done = events
        .predictor("the stand-in pack finishes", |p| {
            settled(p, "packs/b-standin", total as u32)
        })
        .await;
    assert!(done.predicts);
    let standin = app.predictor().model_id().unwrap();
    assert_ne!(standin, model);
    assert_eq!(
        app.store().embed_counts(model).await.unwrap().0,
        total as u32
    );
    assert_eq!(
        app.store().setting("pack").await.unwrap().as_deref(),
        Some("packs/b-standin")
    );
    let missing = app
        .call(SetPack {
            id: "packs/gone".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    app.close().await;
}

#[tokio::test]
async fn without_onnx_runtime_or_a_pack_the_predictor_says_why_and_scoring_works() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    config.onnx_runtime = vec![tmp.path().join("nowhere/libonnxruntime.so")];
    let (sink, rx) = ChannelSink::new();
    let app = App::open(config, Arc::new(sink)).await.unwrap();
    app.start();
    let mut events = Events {
        rx,
        seen: Vec::new(),
    };
    let p = events
        .predictor("a problem", |p| {
            p.problem
                .as_deref()
                .is_some_and(|m| m.contains("was not found"))
        })
        .await;
    assert!(p.active.is_none());
    let root = tmp.path().join("photos");
    let images = photos(&root, 0..1);
    app.open_folder(&root).await.unwrap();
    events.library(1).await;
    let s = app
        .call(AddScore {
            rater: "ana".into(),
            sha1: images[0].clone(),
            value: 3.0,
        })
        .await
        .unwrap();
    assert_eq!((s.mine, s.predicted, s.rated), (Some(3.0), None, 1));
    let rater = app.call(GetRater {}).await.unwrap();
    assert!(rater.all.contains(&"ana".to_owned()));
    let rater = app
        .call(SetRater {
            name: " ana ".into(),
        })
        .await
        .unwrap();
    assert_eq!(rater.name, "ana");
    assert_eq!(
        app.call(GetRater {}).await.unwrap().name,
        "ana",
        "remembered"
    );
    app.close().await;
}
