//! The Preference experiment through the app's commands, on a real folder and database: the
//! settings, the next set, comparisons recorded in the log exactly as shown, the rankings kept
//! current (equal to a fit of the log from scratch, after picks, ties, "none", an undo and a
//! score; per rater and pooled), and an image that leaves the library while its set is shown.

use image_scorer_core::app::ChannelSink;
use image_scorer_core::ranking::Config;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{
    AppEvent, ComparisonOutcome, ErrorKind, ImageRole, JudgementKind, PreferenceSettings,
    RankingPage, SetChoice,
};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use crate::common;
use common::Backend;

async fn until_library(events: &mut tokio::sync::mpsc::UnboundedReceiver<AppEvent>, ok: u32) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("the library never held {ok} images"))
            .unwrap();
        if matches!(&event, AppEvent::LibraryChanged(l) if l.counts.ok == ok) {
            return;
        }
    }
}

/// The ranking's strengths by hash, in its order.
fn strengths(page: &RankingPage) -> Vec<(String, f64)> {
    page.entries
        .iter()
        .map(|e| (e.sha1.clone(), e.strength))
        .collect()
}

/// `page` equals a fit of `rater`'s log (or everyone's) from scratch: the same order (up to
/// near-equal strengths) and strengths within the fit's tolerance.
async fn assert_fits_log(app: &App, page: &RankingPage, rater: Option<&str>) {
    let id = match rater {
        Some(name) => Some(app.store().rater(name).await.unwrap()),
        None => None,
    };
    let log = app.store().ranking_log(id).await.unwrap();
    let fresh = log.fit(Config::default());
    assert_eq!(page.total as usize, fresh.len());
    assert_eq!(page.comparisons as usize, log.comparisons.len());
    assert_eq!(page.scores as usize, log.scores.len());
    let order = fresh.order();
    for (entry, &i) in page.entries.iter().zip(&order) {
        let want = fresh.strength(i);
        let mine = fresh.strength(log.sha1s.iter().position(|s| *s == entry.sha1).unwrap());
        assert!(
            (entry.strength - mine.value).abs() < 2e-3,
            "{}: {} vs a fresh fit's {}",
            entry.sha1,
            entry.strength,
            mine.value
        );
        // The same place, unless two strengths are within the tolerance of each other.
        assert!(
            (mine.value - want.value).abs() < 2e-3,
            "rank {}: {} in place of {}",
            entry.rank,
            entry.sha1,
            log.sha1s[i]
        );
        assert!((entry.se - mine.se).abs() < 1e-3);
        assert_eq!(
            (entry.comparisons, entry.scores),
            (mine.comparisons, mine.scores)
        );
    }
}

async fn ranking(app: &App, rater: Option<&str>) -> RankingPage {
    app.call(GetRanking {
        rater: rater.map(str::to_owned),
        limit: 1000,
    })
    .await
    .unwrap()
}

async fn compare(
    app: &App,
    rater: &str,
    images: &[String],
    outcome: ComparisonOutcome,
    winner: Option<u32>,
) -> Result<u32, image_scorer_protocol::AppError> {
    app.call(RecordComparison {
        rater: rater.into(),
        images: images.to_vec(),
        outcome,
        winner,
    })
    .await
    .map(|saved| saved.comparisons)
}

async fn next(
    app: &App,
    rater: &str,
    size: u32,
    choice: SetChoice,
    exclude: &[String],
) -> Vec<String> {
    app.call(NextSet {
        rater: rater.into(),
        size,
        choice,
        exclude: exclude.to_vec(),
    })
    .await
    .unwrap()
    .expect("a set")
    .images
    .into_iter()
    .map(|i| i.sha1)
    .collect()
}

async fn comparisons_go_into_the_log_as_shown_and_the_rankings_stay_the_fit_of_the_log(
    backend: Backend,
) {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("photos");
    let photos = common::photos(&folder, 0..12);
    let library: HashSet<String> = photos.iter().map(|(_, h)| h.clone()).collect();
    let mut config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    config.onnx_runtime = Vec::new();
    common::on_backend(&mut config, backend);
    let (sink, mut events) = ChannelSink::new();
    let app = App::open(config, Arc::new(sink)).await.unwrap();
    app.start();
    app.open_folder(&folder).await.unwrap();
    until_library(&mut events, 12).await;

    // The settings: best of 2, active, until changed; remembered; only 2 or 4.
    assert_eq!(
        app.call(GetPreference {}).await.unwrap(),
        PreferenceSettings::default()
    );
    let four = PreferenceSettings {
        size: 4,
        choice: SetChoice::Random,
    };
    app.call(SetPreference { settings: four }).await.unwrap();
    assert_eq!(app.call(GetPreference {}).await.unwrap(), four);
    let three = PreferenceSettings {
        size: 3,
        choice: SetChoice::Active,
    };
    let refused = app
        .call(SetPreference { settings: three })
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert_eq!(app.call(GetPreference {}).await.unwrap(), four);

    // A set: distinct library images with their names; never one of the set on screen.
    for (size, choice) in [
        (2, SetChoice::Active),
        (4, SetChoice::Active),
        (4, SetChoice::Random),
    ] {
        let shown = next(&app, "ana", size, choice, &[]).await;
        assert_eq!(shown.len(), size as usize);
        assert_eq!(shown.iter().collect::<HashSet<_>>().len(), size as usize);
        assert!(shown.iter().all(|s| library.contains(s)));
        for _ in 0..30 {
            let following = next(&app, "ana", size, choice, &shown).await;
            assert!(
                following.iter().all(|s| !shown.contains(s)),
                "{following:?} repeats {shown:?}"
            );
        }
    }

    // Picks in both modes, a tie and a "none"; each committed as shown.
    let a = next(&app, "ana", 2, SetChoice::Active, &[]).await;
    assert_eq!(
        compare(&app, "ana", &a, ComparisonOutcome::Pick, Some(1))
            .await
            .unwrap(),
        1
    );
    let b = next(&app, "ana", 4, SetChoice::Active, &a).await;
    assert_eq!(
        compare(&app, "ana", &b, ComparisonOutcome::Pick, Some(2))
            .await
            .unwrap(),
        2
    );
    let c = next(&app, "ana", 2, SetChoice::Random, &b).await;
    compare(&app, "ana", &c, ComparisonOutcome::Tie, None)
        .await
        .unwrap();
    let d = next(&app, "ana", 4, SetChoice::Active, &c).await;
    compare(&app, "ana", &d, ComparisonOutcome::None, None)
        .await
        .unwrap();
    for _ in 0..20 {
        let set = next(&app, "ana", 2, SetChoice::Active, &[]).await;
        compare(&app, "ana", &set, ComparisonOutcome::Pick, Some(0))
            .await
            .unwrap();
    }
    let ana = app.store().rater("ana").await.unwrap();
    let log = app.store().judgements_by(ana).await.unwrap();
    let comparisons: Vec<_> = log
        .iter()
        .filter(|j| j.kind == JudgementKind::Comparison)
        .collect();
    assert_eq!(comparisons.len(), 24);
    let roles = |j: &image_scorer_protocol::Judgement| -> Vec<(String, u32, ImageRole)> {
        j.images
            .iter()
            .map(|i| (i.sha1.clone(), i.position, i.role))
            .collect()
    };
    let first = comparisons
        .iter()
        .find(|j| j.images[0].sha1 == a[0] && j.images.len() == 2)
        .unwrap();
    assert_eq!(
        roles(first),
        vec![
            (a[0].clone(), 0, ImageRole::Shown),
            (a[1].clone(), 1, ImageRole::Winner)
        ]
    );
    assert_eq!(first.outcome, Some(ComparisonOutcome::Pick));
    let four_pick = comparisons
        .iter()
        .find(|j| j.images.len() == 4 && j.outcome == Some(ComparisonOutcome::Pick))
        .unwrap();
    assert_eq!(
        four_pick
            .images
            .iter()
            .map(|i| i.sha1.clone())
            .collect::<Vec<_>>(),
        b
    );
    assert_eq!(
        four_pick
            .images
            .iter()
            .position(|i| i.role == ImageRole::Winner),
        Some(2)
    );
    for outcome in [ComparisonOutcome::Tie, ComparisonOutcome::None] {
        let j = comparisons
            .iter()
            .find(|j| j.outcome == Some(outcome))
            .unwrap();
        assert!(j.images.iter().all(|i| i.role == ImageRole::Shown) && !j.undone);
    }
    assert_fits_log(&app, &ranking(&app, Some("ana")).await, Some("ana")).await;

    // Malformed choices are refused and record nothing.
    for (images, outcome, winner) in [
        (a.clone(), ComparisonOutcome::Pick, None),
        (a.clone(), ComparisonOutcome::Pick, Some(2)),
        (a.clone(), ComparisonOutcome::Tie, Some(0)),
        (b[..3].to_vec(), ComparisonOutcome::Pick, Some(0)),
        (
            vec![a[0].clone(), a[0].clone()],
            ComparisonOutcome::Pick,
            Some(0),
        ),
    ] {
        let e = compare(&app, "ana", &images, outcome, winner)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
    }
    assert_eq!(
        app.store().judgements_by(ana).await.unwrap().len(),
        log.len()
    );

    // Undo is exact: the ranking is the fit of the log without the comparison.
    let before_last = ranking(&app, Some("ana")).await;
    let set = next(&app, "ana", 4, SetChoice::Active, &[]).await;
    compare(&app, "ana", &set, ComparisonOutcome::Pick, Some(3))
        .await
        .unwrap();
    let undone = app
        .call(Undo {
            rater: "ana".into(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(undone.judgement.kind, JudgementKind::Comparison);
    assert_eq!(
        undone
            .judgement
            .images
            .iter()
            .map(|i| i.sha1.clone())
            .collect::<Vec<_>>(),
        set
    );
    let after_undo = ranking(&app, Some("ana")).await;
    assert_fits_log(&app, &after_undo, Some("ana")).await;
    for ((s1, v1), (s2, v2)) in strengths(&before_last)
        .iter()
        .zip(strengths(&after_undo).iter())
    {
        assert_eq!(s1, s2);
        assert!((v1 - v2).abs() < 2e-3);
    }

    // A score enters the same fit.
    let top = after_undo.entries.last().unwrap().sha1.clone();
    app.call(AddScore {
        rater: "ana".into(),
        sha1: top.clone(),
        value: 10.0,
    })
    .await
    .unwrap();
    let scored = ranking(&app, Some("ana")).await;
    assert_eq!(scored.scores, 1);
    assert_fits_log(&app, &scored, Some("ana")).await;
    let place = |p: &RankingPage, s: &str| p.entries.iter().position(|e| e.sha1 == s).unwrap();
    assert!(
        place(&scored, &top) < place(&after_undo, &top),
        "a 10 moves the image up"
    );

    // Another rater: their own ranking, and everyone's pooled.
    for _ in 0..6 {
        let set = next(&app, "ben", 2, SetChoice::Active, &[]).await;
        compare(&app, "ben", &set, ComparisonOutcome::Pick, Some(1))
            .await
            .unwrap();
    }
    let ben = ranking(&app, Some("ben")).await;
    assert_eq!((ben.comparisons, ben.scores), (6, 0));
    assert_fits_log(&app, &ben, Some("ben")).await;
    let pooled = ranking(&app, None).await;
    assert_eq!(
        (pooled.comparisons, pooled.scores, pooled.rater.clone()),
        (30, 1, None)
    );
    assert_fits_log(&app, &pooled, None).await;

    // An image that leaves the library while its set is on screen: its comparison is refused,
    // nothing is recorded, and it is never chosen again; its judgements stay in the fit.
    let shown = next(&app, "ana", 2, SetChoice::Active, &[]).await;
    let (gone_name, _) = photos.iter().find(|(_, h)| *h == shown[0]).unwrap();
    std::fs::remove_file(folder.join(gone_name)).unwrap();
    until_library(&mut events, 11).await;
    let count = app.store().judgements_by(ana).await.unwrap().len();
    let e = compare(&app, "ana", &shown, ComparisonOutcome::Pick, Some(0))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.message.contains("left the library"), "{e}");
    assert_eq!(app.store().judgements_by(ana).await.unwrap().len(), count);
    for _ in 0..30 {
        let set = next(&app, "ana", 4, SetChoice::Active, &[]).await;
        assert!(!set.contains(&shown[0]));
    }
    let page = ranking(&app, Some("ana")).await;
    let gone = page.entries.iter().find(|e| e.sha1 == shown[0]);
    assert!(gone.is_none_or(|g| !g.shown));
    assert_fits_log(&app, &page, Some("ana")).await;
    app.close().await;
}

both_backends!(comparisons_go_into_the_log_as_shown_and_the_rankings_stay_the_fit_of_the_log);
