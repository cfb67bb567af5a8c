//! The Ratings page's gallery through the app's commands, on real folders and a real database
//! with a real pack: pages cover every image once, each sort matches the scores and
//! predictions stored, the filters keep what they say, the order stays put while tiles show new
//! scores until it is asked for again, and an image's detail view has all its files, judgements,
//! predictions, rank and neighbours.

use image_scorer_core::App;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{
    ComparisonOutcome, GalleryPage, GalleryQuery, GalleryShow, GallerySort, Presence,
};
use std::collections::HashSet;

use crate::common;
use common::Backend;

async fn page(
    app: &App,
    query: &GalleryQuery,
    start: u32,
    limit: u32,
    refresh: bool,
) -> GalleryPage {
    app.call(GetGallery {
        query: query.clone(),
        start,
        limit,
        refresh,
    })
    .await
    .unwrap()
}

/// Every tile's SHA-1 in order, read in pages of 5.
/// The set of SHA-1s the gallery lists for `query`.
async fn only(app: &App, query: GalleryQuery) -> HashSet<String> {
    all(app, &query).await.into_iter().collect()
}

async fn all(app: &App, query: &GalleryQuery) -> Vec<String> {
    let first = page(app, query, 0, 5, true).await;
    let mut out: Vec<String> = first.tiles.iter().map(|t| t.sha1.clone()).collect();
    while (out.len() as u32) < first.total {
        let next = page(app, query, out.len() as u32, 5, false).await;
        assert_eq!(next.order, first.order, "the same order while paging");
        assert!(!next.tiles.is_empty());
        out.extend(next.tiles.iter().map(|t| t.sha1.clone()));
    }
    out
}

async fn the_gallery_pages_sorts_and_filters_the_whole_library(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("photos");
    let photos = common::photos(&folder, 0..10);
    let second = tmp.path().join("more");
    let more = common::photos(&second, 10..12);
    // The same content as photo 0 under a second name, and a file that is not an image.
    std::fs::copy(folder.join(&photos[0].0), second.join("copy of zero.png")).unwrap();
    std::fs::write(second.join("broken.png"), b"not a png").unwrap();
    let app = common::app_with_packs_on(
        tmp.path(),
        &[(
            "standin",
            common::STANDIN_LAION,
            common::STANDIN_LAION_MODELS,
        )],
        backend,
    )
    .await;
    app.open_folder(&folder).await.unwrap();
    let more_root = app.open_folder(&second).await.unwrap().roots[1].id;
    common::until_indexed(&app, 12).await;
    common::until_embedded(&app, 12).await;
    let h = |k: usize| {
        if k < 10 {
            photos[k].1.clone()
        } else {
            more[k - 10].1.clone()
        }
    };

    for (k, v) in [(0, 9.0), (1, 2.0), (2, 7.0), (3, 4.0)] {
        app.call(AddScore {
            rater: "ana".into(),
            sha1: h(k),
            value: v,
        })
        .await
        .unwrap();
    }
    app.call(AddScore {
        rater: "ben".into(),
        sha1: h(2),
        value: 3.0,
    })
    .await
    .unwrap();
    app.call(AddScore {
        rater: "ben".into(),
        sha1: h(10),
        value: 8.0,
    })
    .await
    .unwrap();
    app.call(RecordComparison {
        rater: "ana".into(),
        images: vec![h(4), h(5)],
        outcome: ComparisonOutcome::Pick,
        winner: Some(0),
    })
    .await
    .unwrap();
    app.call(MarkDuplicates {
        rater: "ana".into(),
        keep: h(6),
        duplicates: vec![h(7)],
    })
    .await
    .unwrap();

    // Every image once, in pages; the count says how many match.
    let mut query = GalleryQuery {
        rater: "ana".into(),
        ..GalleryQuery::default()
    };
    let everything = all(&app, &query).await;
    assert_eq!(everything.len(), 12);
    assert_eq!(everything.iter().collect::<HashSet<_>>().len(), 12);

    // Sorted by the mean, highest first: 0 (9), 10 (8), 2 (5 = 7 and 3), 3 (4), 1 (2), then
    // the unscored ones by name.
    query.sort = GallerySort::Mean;
    query.descending = true;
    let by_mean = all(&app, &query).await;
    assert_eq!(by_mean[..5], [h(0), h(10), h(2), h(3), h(1)]);
    let first = page(&app, &query, 0, 3, false).await;
    let means: Vec<Option<f64>> = first.tiles.iter().map(|t| t.mean).collect();
    assert_eq!(means, [Some(9.0), Some(8.0), Some(5.0)]);
    assert_eq!(first.tiles[2].mine, Some(7.0), "ana's own score");
    assert_eq!(first.tiles[2].raters, 2);
    query.sort = GallerySort::Mine;
    query.descending = false;
    assert_eq!(all(&app, &query).await[..4], [h(1), h(3), h(2), h(0)]);

    // By prediction, highest first: the stored predictions in order.
    query.sort = GallerySort::Predicted;
    query.descending = true;
    let by_prediction = all(&app, &query).await;
    let model = app.predictor().model_id().unwrap();
    let mut predicted = Vec::new();
    for sha1 in &by_prediction {
        predicted.push(app.store().prediction(sha1, model).await.unwrap().unwrap());
    }
    assert!(predicted.windows(2).all(|w| w[0] >= w[1]), "{predicted:?}");
    // |mean - prediction|: only scored images have one; largest first.
    query.sort = GallerySort::Disagreement;
    let tiles = page(&app, &query, 0, 12, true).await.tiles;
    let gaps: Vec<f64> = tiles
        .iter()
        .filter_map(|t| Some((t.mean? - t.predicted?).abs()))
        .collect();
    assert_eq!(gaps.len(), 5);
    assert!(gaps.windows(2).all(|w| w[0] >= w[1]), "{gaps:?}");
    // By number of judgements: 2 has two scores; 4 and 5 a comparison; 6 and 7 the mark.
    query.sort = GallerySort::Judgements;
    let tiles = page(&app, &query, 0, 12, true).await.tiles;
    assert_eq!(tiles[0].sha1, h(2));
    assert_eq!(tiles[0].judgements, 2);
    // By rank: the comparison's winner above its loser.
    query.sort = GallerySort::Rank;
    let ranked = all(&app, &query).await;
    let at = |s: &str| ranked.iter().position(|x| x == s).unwrap();
    assert!(at(&h(4)) < at(&h(5)));
    let tiles = page(&app, &query, 0, 12, false).await.tiles;
    let ranks: Vec<u32> = tiles.iter().map(|t| t.rank.unwrap()).collect();
    assert_eq!(ranks, (1..=12).collect::<Vec<u32>>());

    // Filters.

    let base = GalleryQuery {
        rater: "ana".into(),
        ..GalleryQuery::default()
    };
    let rated_by_ana = only(
        &app,
        GalleryQuery {
            rated: Presence::With,
            rated_by: Some("ana".into()),
            ..base.clone()
        },
    )
    .await;
    assert_eq!(rated_by_ana, [h(0), h(1), h(2), h(3)].into_iter().collect());
    let rated_by_anyone = only(
        &app,
        GalleryQuery {
            rated: Presence::With,
            ..base.clone()
        },
    )
    .await;
    assert_eq!(rated_by_anyone.len(), 5);
    let unrated = only(
        &app,
        GalleryQuery {
            rated: Presence::Without,
            ..base.clone()
        },
    )
    .await;
    assert_eq!(unrated.len(), 7);
    let predicted = only(
        &app,
        GalleryQuery {
            predicted: Presence::With,
            ..base.clone()
        },
    )
    .await;
    assert_eq!(predicted.len(), 12);
    let duplicates = only(
        &app,
        GalleryQuery {
            show: GalleryShow::Duplicates,
            ..base.clone()
        },
    )
    .await;
    assert_eq!(duplicates, [h(7)].into_iter().collect());
    // The tiles say so too (read for a page's images only): the marked one, not the kept one.
    let tiles = page(&app, &base, 0, 100, true).await.tiles;
    assert!(tiles.iter().any(|t| t.sha1 == h(6)));
    for tile in &tiles {
        assert_eq!(tile.duplicate, tile.sha1 == h(7), "{}", tile.sha1);
    }
    let below_more = only(
        &app,
        GalleryQuery {
            folder: Some(more_root),
            ..base.clone()
        },
    )
    .await;
    assert_eq!(
        below_more,
        [h(0), h(10), h(11)].into_iter().collect(),
        "0 has a copy there"
    );
    let unreadable = page(
        &app,
        &GalleryQuery {
            show: GalleryShow::Unreadable,
            ..base.clone()
        },
        0,
        10,
        true,
    )
    .await;
    assert_eq!(unreadable.total, 1);
    assert_eq!(unreadable.tiles[0].name, "broken.png");
    assert!(unreadable.tiles[0].problem.is_some());
    let unknown = app
        .call(GetGallery {
            query: GalleryQuery {
                rated_by: Some("zoe".into()),
                ..base.clone()
            },
            start: 0,
            limit: 10,
            refresh: true,
        })
        .await
        .unwrap_err();
    assert!(unknown.message.contains("zoe"));

    // A score given from the grid shows on its tile at once; the order stays until asked again.
    let query = GalleryQuery {
        rater: "ana".into(),
        sort: GallerySort::Mean,
        descending: true,
        ..GalleryQuery::default()
    };
    let before = page(&app, &query, 0, 12, true).await;
    let last = before.tiles.last().unwrap().sha1.clone();
    app.call(AddScore {
        rater: "ana".into(),
        sha1: last.clone(),
        value: 10.0,
    })
    .await
    .unwrap();
    let kept = page(&app, &query, 0, 12, false).await;
    assert_eq!(kept.order, before.order);
    assert_eq!(kept.tiles.last().unwrap().sha1, last);
    assert_eq!(kept.tiles.last().unwrap().mine, Some(10.0));
    let again = page(&app, &query, 0, 12, true).await;
    assert_ne!(again.order, before.order);
    assert_eq!(again.tiles[0].sha1, last, "10 is the highest mean now");

    // The detail view: both files of photo 0, its judgements, the prediction, rank, neighbours.
    let detail = app.call(GetImageDetail { sha1: h(0) }).await.unwrap();
    assert_eq!(detail.files.len(), 2);
    assert!(detail.files.iter().all(|f| f.present));
    assert!(detail
        .files
        .iter()
        .any(|f| f.path.ends_with("copy of zero.png")));
    assert_eq!(detail.judgements.len(), 1);
    assert_eq!(detail.judgements[0].value, Some(9.0));
    assert_eq!(detail.predictions.len(), 1);
    assert_eq!(detail.predictions[0].pack, "Stand-in + LAION");
    assert!(detail.rank.is_some() && detail.se.unwrap() > 0.0);
    assert!(!detail.neighbours.is_empty());
    assert!(detail.neighbours.iter().all(|n| n.sha1 != h(0)));
    assert!(app
        .call(GetImageDetail {
            sha1: "0".repeat(40)
        })
        .await
        .is_err());
}

both_backends!(the_gallery_pages_sorts_and_filters_the_whole_library);
