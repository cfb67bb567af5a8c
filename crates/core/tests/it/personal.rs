//! A rater's own model in the app, on EfficientNet-Lite0 features of varied copies of the
//! fixture photos and a synthetic taste: it learns while the rater scores (in the background),
//! beats the mean, reports its quality as the ratings grow, predicts for the Rate page once it
//! is better than the alternative, forgets an undone score; and, on the same features, the
//! teaching order needs fewer ratings than random order. (The export: own_model_export.rs.)

use crate::common;

use common::own_model::{app_on_copies, model, settled, undo, EFFNET};
use image_scorer_personal::{teach_order, Ridge};
use image_scorer_protocol::commands::{
    AddRating, AddScore, GetGallery, GetPlot, GetScoreQueue, GetScoreState,
};
use image_scorer_protocol::{GalleryQuery, GallerySort, PlotKind};
use sqlx::ConnectOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_learns_while_the_rater_scores_and_forgets_an_undone_score() {
    let (app, taste, _tmp) = app_on_copies(EFFNET).await;
    let total = taste.len() as u32;
    let rater = "ada";

    let queue = app
        .call(GetScoreQueue {
            rater: rater.into(),
            include_rated: false,
            seed: 5,
            predicted_first: false,
            teach: false,
            window: None,
        })
        .await
        .unwrap();
    assert_eq!(queue.items.len() as u32, total);
    // "Teach my model" before any score: the model's prior alone puts the most varied images
    // first, so the first seven cover (nearly) every photo. (The shuffle's first seven often
    // repeat a photo, but not always: the images' ids, and so the shuffle, follow the scan.)
    let photo_of = |name: &str| name.split('-').next().unwrap().to_owned();
    let distinct = |items: &[image_scorer_protocol::QueueItem]| {
        items
            .iter()
            .map(|i| photo_of(&i.name))
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    let taught = app
        .call(GetScoreQueue {
            rater: rater.into(),
            include_rated: false,
            seed: 5,
            predicted_first: false,
            teach: true,
            window: None,
        })
        .await
        .unwrap();
    assert_eq!(
        taught.items.len(),
        queue.items.len(),
        "the same images, in another order"
    );
    assert_ne!(taught.items[..7], queue.items[..7]);
    assert!(
        distinct(&taught.items[..7]) >= 6,
        "{:?}",
        &taught.items[..7]
    );

    // Nothing rated: no model, nothing shown instead of the pack.
    let before = model(&app, rater).await;
    assert_eq!(
        (
            before.ratings,
            before.quality.is_some(),
            before.better_than_pack
        ),
        (0, false, false)
    );

    let truth_of = |sha1: &str| -> f64 {
        let name = &queue.items.iter().find(|i| i.sha1 == sha1).unwrap().name;
        taste[name.as_str()]
    };
    let (scored, held) = queue.items.split_at(60);
    for item in scored {
        app.call(AddScore {
            rater: rater.into(),
            sha1: item.sha1.clone(),
            value: truth_of(&item.sha1).round(),
        })
        .await
        .unwrap();
    }
    settled(&app, rater, 60).await;
    let m = model(&app, rater).await;
    let q = m.quality.clone().unwrap();
    assert!(!m.has_head, "EfficientNet's pack has no head");
    assert!(q.mae < q.mean_mae * 0.8, "beats the mean: {q:?}");
    assert!(q.spearman > 0.7, "{q:?}");
    assert!(
        m.better_than_pack,
        "better than the mean, so the Rate page uses it"
    );
    // The learning curve: from 8 ratings on, and better at the end than at the start.
    assert_eq!(m.curve.first().unwrap().ratings, 8);
    assert_eq!(m.curve.last().unwrap().ratings, 60);
    assert!(
        m.curve.first().unwrap().spearman < q.spearman,
        "{:?}",
        m.curve
    );

    // The Rate page's prediction for the images not scored follows the taste.
    let mut own = Vec::new();
    let mut truth = Vec::new();
    for item in held {
        let state = app
            .call(GetScoreState {
                rater: rater.into(),
                sha1: item.sha1.clone(),
            })
            .await
            .unwrap();
        assert!(state.own_better);
        own.push(
            state
                .own_predicted
                .expect("the own model predicts every embedded image"),
        );
        truth.push(truth_of(&item.sha1));
    }
    let held_out = image_scorer_core::stats::spearman(&own, &truth).unwrap();
    assert!(held_out > 0.7, "held-out Spearman {held_out}");

    // The gallery shows the own model's prediction beside the pack's, the one Rate shows, and
    // sorts by it; a rater without scores has none, and the order falls back to the names.
    let gallery = |who: &str| {
        app.call(GetGallery {
            query: GalleryQuery {
                rater: who.into(),
                sort: GallerySort::Own,
                descending: true,
                ..GalleryQuery::default()
            },
            start: 0,
            limit: 1000,
            refresh: false,
        })
    };
    let page = gallery(rater).await.unwrap();
    assert_eq!(page.total, total);
    let owns: Vec<f64> = page
        .tiles
        .iter()
        .map(|t| t.own.expect("the own model predicts every embedded image"))
        .collect();
    assert!(owns.windows(2).all(|w| w[0] >= w[1] - 1e-4), "{owns:?}");
    assert!(owns[0] - owns[owns.len() - 1] > 1.0, "{owns:?}");
    for (item, want) in held.iter().zip(&own) {
        let tile = page.tiles.iter().find(|t| t.sha1 == item.sha1).unwrap();
        assert!(
            (tile.own.unwrap() - want).abs() < 1e-9,
            "{tile:?} != {want}"
        );
    }
    let other = gallery("bob").await.unwrap();
    assert!(other.tiles.iter().all(|t| t.own.is_none()));
    let names: Vec<&str> = other.tiles.iter().map(|t| t.name.as_str()).collect();
    let mut by_name = names.clone();
    by_name.sort_unstable();
    assert_eq!(names, by_name);

    // A rating that started from the own model says so in the log, with the value shown.
    let shown = own[0];
    app.call(AddRating {
        rater: rater.into(),
        sha1: held[0].sha1.clone(),
        value: shown,
        predicted: Some(shown),
        own: true,
    })
    .await
    .unwrap();
    let db = app.store().file_path().await.unwrap();
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let (kind, prediction, own_flag): (String, f64, bool) = sqlx::query_as(
        "SELECT kind, shown_prediction, shown_own FROM judgements ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!((kind.as_str(), prediction, own_flag), ("rate", shown, true));
    settled(&app, rater, 61).await;
    undo(&app, rater).await;
    settled(&app, rater, 60).await;

    // Another rater has a model of their own: none yet.
    assert_eq!(model(&app, "bob").await.ratings, 0);

    // The Ratings page's plot of the model as the scores grew: for one rater, not for two.
    let plot = app
        .call(GetPlot {
            kind: PlotKind::OwnModel,
            raters: vec![rater.into()],
        })
        .await
        .unwrap();
    assert!(plot.svg.starts_with("<svg") && plot.svg.contains("your model"));
    assert!(
        plot.note.starts_with("ada, 60 scores: Spearman"),
        "{}",
        plot.note
    );
    let both = app
        .call(GetPlot {
            kind: PlotKind::OwnModel,
            raters: vec![],
        })
        .await
        .unwrap();
    assert!(both.svg.is_empty() && both.note.starts_with("Tick one rater"));

    // An undo takes the score out of the model.
    undo(&app, rater).await;
    settled(&app, rater, 59).await;
    app.close().await;
}

/// Scores imported before their images are in the library (or embedded) reach a model that
/// was loaded without them, once the pack has embedded the images: asking for the model is
/// enough, no new score is needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scores_that_arrive_before_their_embeddings_reach_a_model_loaded_without_them() {
    let tmp = tempfile::tempdir().unwrap();
    let app = common::app_with_packs(tmp.path(), &[EFFNET]).await;
    let root = tmp.path().join("photos");
    let taste = common::own_model::varied_photos(&root);
    let mut names: Vec<&String> = taste.keys().collect();
    names.sort();
    let lines: String = names[..20]
        .iter()
        .map(|name| {
            let sha1 = common::sha1(&std::fs::read(root.join(name)).unwrap());
            format!(
                "{{\"sha1\":\"{sha1}\",\"scores\":{{\"ada\":{{\"score\":{},\"time\":\"2026-12-01T10:00:00Z\"}}}}}}\n",
                taste[name.as_str()].round()
            )
        })
        .collect();
    let file = tmp.path().join("from-the-tablet.jsonl");
    std::fs::write(&file, lines).unwrap();
    app.import_file(&file, &|_, _| {}).await.unwrap();
    // Asked for before the library has any image: loaded, with nothing to learn from.
    settled(&app, "ada", 0).await;
    app.open_folder(&root).await.unwrap();
    common::until_indexed(&app, taste.len() as u32).await;
    common::until_embedded(&app, taste.len() as u32).await;
    settled(&app, "ada", 20).await;
    assert!(model(&app, "ada").await.quality.is_some());
    app.close().await;
}

/// The fixture copies' features straight from the store, for the order test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teaching_order_needs_fewer_ratings_than_random_on_real_features() {
    let (app, taste, _tmp) = app_on_copies(EFFNET).await;
    let queue = app
        .call(GetScoreQueue {
            rater: "ada".into(),
            include_rated: false,
            seed: 1,
            predicted_first: false,
            teach: false,
            window: None,
        })
        .await
        .unwrap();
    let mut rows: Vec<f32> = Vec::new();
    let mut truth = Vec::new();
    let model_id = app.predictor().model_id().unwrap();
    for item in &queue.items {
        rows.extend(
            app.store()
                .embedding(&item.sha1, model_id)
                .await
                .unwrap()
                .unwrap(),
        );
        truth.push(taste[item.name.as_str()]);
    }
    app.close().await;
    let n = truth.len();
    let dim = rows.len() / n;
    // Ratings until the model ranks every image with Spearman 0.8 against the taste.
    let to_reach = |seed: u64, teach: bool| -> usize {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let mut model = Ridge::new(dim, 1.0);
        let mut rated = vec![false; n];
        for step in 1..=n {
            let next = if teach {
                let pool: Vec<usize> = (0..n).filter(|&i| !rated[i]).collect();
                let cands: Vec<f32> = pool
                    .iter()
                    .flat_map(|&i| rows[i * dim..(i + 1) * dim].iter().copied())
                    .collect();
                pool[teach_order(&mut model, &cands, 1).unwrap()[0].index]
            } else {
                order[step - 1]
            };
            rated[next] = true;
            let score = (truth[next] + 0.5 * image_scorer_ranking::normal(&mut rng))
                .round()
                .clamp(1.0, 10.0);
            model
                .upsert(next as u64, &rows[next * dim..(next + 1) * dim], score, 0.0)
                .unwrap();
            if step >= 3 {
                model.choose_penalty().unwrap();
                let preds: Vec<f64> = (0..n)
                    .map(|i| model.predict(&rows[i * dim..(i + 1) * dim], 0.0))
                    .collect();
                if image_scorer_ranking::spearman(&preds, &truth).unwrap_or(0.0) >= 0.8 {
                    return step;
                }
            }
        }
        n
    };
    let (mut teach, mut random) = (0, 0);
    for seed in 0..10 {
        teach += to_reach(seed, true);
        random += to_reach(seed, false);
    }
    eprintln!("EfficientNet features: teach {teach} vs random {random} ratings to Spearman 0.8 over 10 seeds");
    assert!(
        (teach as f64) < 0.9 * random as f64,
        "teach {teach} vs random {random}"
    );
}
