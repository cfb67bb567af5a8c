//! The Score queue read a window at a time, as the page reads a large library's: each window is
//! the whole queue's next part, windows topped up with what the page holds cover the queue
//! once, and what the page holds but the queue no longer lists (scored, deleted) is named.

use crate::common;

use image_scorer_core::App;
use image_scorer_protocol::commands::{AddScore, GetScoreQueue, QueueWindow};
use image_scorer_protocol::{ErrorKind, ScoreQueue};

async fn queue(app: &App, window: Option<QueueWindow>) -> ScoreQueue {
    app.call(GetScoreQueue {
        rater: "ana".into(),
        include_rated: false,
        seed: 7,
        predicted_first: false,
        teach: false,
        window,
    })
    .await
    .unwrap()
}

fn window(limit: u32, known: &[String]) -> Option<QueueWindow> {
    Some(QueueWindow {
        limit,
        known: known.to_vec(),
    })
}

fn sha1s(q: &ScoreQueue) -> Vec<String> {
    q.items.iter().map(|i| i.sha1.clone()).collect()
}

#[tokio::test]
async fn windows_of_the_queue_cover_it_once_and_name_what_left() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    let files = common::photos(&photos, 0..12);
    let app = common::app_with_packs(tmp.path(), &[]).await;
    app.open_folder(&photos).await.unwrap();
    common::until_indexed(&app, 12).await;

    let whole = sha1s(&queue(&app, None).await);
    assert_eq!(whole.len(), 12);

    // The first window is the queue's beginning; the rest is counted, not sent.
    let first = queue(&app, window(5, &[])).await;
    assert_eq!(sha1s(&first), whole[..5]);
    assert_eq!((first.rest, first.total), (7, 12));
    assert!(first.absent.is_empty());

    // Topped up with what the page holds: the next part, in the same order (nothing changed).
    let mut held = sha1s(&first);
    let second = queue(&app, window(5, &held)).await;
    assert_eq!(sha1s(&second), whole[5..10]);
    assert_eq!(second.rest, 2);
    held.extend(sha1s(&second));

    // One held image scored (rated ones are left out), one deleted: both named as absent, and
    // the last window holds what is left.
    app.call(AddScore {
        rater: "ana".into(),
        sha1: held[0].clone(),
        value: 6.0,
    })
    .await
    .unwrap();
    let (gone_file, gone) = files.iter().find(|(_, s)| *s == held[3]).unwrap().clone();
    std::fs::remove_file(photos.join(gone_file)).unwrap();
    common::until_indexed(&app, 11).await;
    let third = queue(&app, window(5, &held)).await;
    // (The shuffle of what is left may differ now that the queue changed.)
    let mut last = sha1s(&third);
    last.sort();
    let mut left = whole[10..].to_vec();
    left.sort();
    assert_eq!(last, left);
    assert_eq!(third.rest, 0);
    let mut absent = third.absent.clone();
    absent.sort();
    let mut expected = vec![held[0].clone(), gone];
    expected.sort();
    assert_eq!(absent, expected);

    // A page cannot make the core hold an unbounded list.
    let huge: Vec<String> = (0..100_001).map(|k| format!("{k:040}")).collect();
    let refused = app
        .call(GetScoreQueue {
            rater: "ana".into(),
            include_rated: false,
            seed: 7,
            predicted_first: false,
            teach: false,
            window: window(5, &huge),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput, "{}", refused.message);
    app.close().await;
}
