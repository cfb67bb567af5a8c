//! Two apps on one PostgreSQL database, as two `serve` processes of a team server are: one
//! leads (indexes, watches, embeds), the other hears every change; a judgement made through one
//! reaches the other's pages and its counts; when the leader goes, the other takes the lead
//! and watches the folder.

use image_scorer_core::app::ChannelSink;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::{AddScore, GetScoreState, GetState};
use image_scorer_protocol::AppEvent;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::common;

async fn app_on(
    url: &str,
    tmp: &std::path::Path,
    name: &str,
) -> (App, UnboundedReceiver<AppEvent>) {
    let mut config = AppConfig::in_folders(tmp.join(name), tmp.join(format!("{name}-cache")));
    config.onnx_runtime = Vec::new();
    config.low_priority = false;
    config.database_url = Some(url.to_owned());
    let (sink, events) = ChannelSink::new();
    let app = App::open(config, Arc::new(sink)).await.unwrap();
    app.start();
    (app, events)
}

/// Waits (up to `limit`) for an event `wanted` accepts; how long it took.
async fn heard(
    events: &mut UnboundedReceiver<AppEvent>,
    limit: Duration,
    wanted: impl Fn(&AppEvent) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Some(event)) if wanted(&event) => return started.elapsed(),
            Ok(Some(_)) => continue,
            _ => panic!("not heard within {limit:?}"),
        }
    }
}

async fn shown(app: &App) -> u32 {
    app.call(GetState {}).await.unwrap().library.counts.ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_log_and_hand_the_lead_over() {
    let tmp = tempfile::tempdir().unwrap();
    let url = image_scorer_pgtest::fresh_database();
    let photos = tmp.path().join("photos");
    let made = common::photos(&photos, 0..4);
    let (one, mut one_events) = app_on(&url, tmp.path(), "one").await;
    let (two, mut two_events) = app_on(&url, tmp.path(), "two").await;

    // Opened through the second: whichever leads indexes it, and both hear the library.
    two.open_folder(&photos).await.unwrap();
    for events in [&mut one_events, &mut two_events] {
        heard(
            events,
            Duration::from_secs(30),
            |e| matches!(e, AppEvent::LibraryChanged(l) if l.counts.ok == 4),
        )
        .await;
    }
    assert_eq!((shown(&one).await, shown(&two).await), (4, 4));
    assert!(one.leads() != two.leads(), "exactly one leads");

    // A score through one reaches the other's pages and counts.
    let sha1 = made[0].1.clone();
    let before = two
        .call(GetScoreState {
            rater: "ana".into(),
            sha1: sha1.clone(),
        })
        .await
        .unwrap();
    assert_eq!((before.rated, before.raters), (0, 0));
    one.call(AddScore {
        rater: "ana".into(),
        sha1: sha1.clone(),
        value: 8.0,
    })
    .await
    .unwrap();
    let took = heard(&mut two_events, Duration::from_secs(5), |e| {
        matches!(e, AppEvent::JudgementsRecorded(j)
            if j.rater.as_deref() == Some("ana") && j.images == [sha1.clone()])
    })
    .await;
    assert!(took < Duration::from_secs(1), "heard after {took:?}");
    let after = two
        .call(GetScoreState {
            rater: "ana".into(),
            sha1: sha1.clone(),
        })
        .await
        .unwrap();
    assert_eq!((after.rated, after.raters, after.mean), (1, 1, Some(8.0)));

    // The leader goes; the other takes the lead and watches the folder.
    let (leader, follower, mut follower_events) = if one.leads() {
        (one, two, two_events)
    } else {
        (two, one, one_events)
    };
    leader.close().await;
    let started = Instant::now();
    while !follower.leads() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the lead was not taken"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took_over = started.elapsed();
    // Its watcher sees a new photo.
    tokio::time::sleep(Duration::from_millis(500)).await;
    common::photos(&photos, 4..5);
    heard(
        &mut follower_events,
        Duration::from_secs(30),
        |e| matches!(e, AppEvent::LibraryChanged(l) if l.counts.ok == 5),
    )
    .await;
    assert_eq!(shown(&follower).await, 5);
    eprintln!("lead taken over in {took_over:?}");
    follower.close().await;
}

/// An app with the EfficientNet pack on the PostgreSQL database `url`, its folders in `dir`.
async fn app_with_pack(url: &str, dir: &std::path::Path) -> App {
    let mut config = AppConfig::in_folders(dir.join("data"), dir.join("cache"));
    config.onnx_runtime = vec![common::ort_library()];
    config.low_priority = false;
    config.database_url = Some(url.to_owned());
    let (name, manifest, models) = common::own_model::EFFNET;
    common::install_pack(&config.packs_dir().join(name), manifest, models);
    let app = App::open(config, Arc::new(image_scorer_core::app::NullSink))
        .await
        .unwrap();
    app.start();
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_score_through_one_process_reaches_the_raters_own_model_in_the_other() {
    let tmp = tempfile::tempdir().unwrap();
    let url = image_scorer_pgtest::fresh_database();
    let photos = tmp.path().join("photos");
    let made = common::photos(&photos, 0..6);
    let one = app_with_pack(&url, &tmp.path().join("one")).await;
    let two = app_with_pack(&url, &tmp.path().join("two")).await;
    one.open_folder(&photos).await.unwrap();
    for app in [&one, &two] {
        common::until_indexed(app, 6).await;
        common::until_embedded(app, 6).await;
    }
    // The other process has ana's model loaded, with nothing in it yet.
    common::own_model::model(&two, "ana").await;
    common::own_model::settled(&two, "ana", 0).await;
    for (k, (_, sha1)) in made.iter().take(3).enumerate() {
        one.call(AddScore {
            rater: "ana".into(),
            sha1: sha1.clone(),
            value: 3.0 + k as f64,
        })
        .await
        .unwrap();
    }
    common::own_model::settled(&two, "ana", 3).await;
    one.close().await;
    two.close().await;
}
