//! A rater's own model in the app, on EfficientNet-Lite0 features of varied copies of the
//! fixture photos and a synthetic taste: it learns while the rater scores (in the background),
//! beats the mean, reports its quality as the ratings grow, predicts for the Rate page once it
//! is better than the alternative, forgets an undone score; and, on the same features, the
//! teaching order needs fewer ratings than random order.

mod common;

use common::{app_with_packs, fixture_path, until, until_embedded, until_indexed};
use image_scorer_core::App;
use image_scorer_personal::{teach_order, Ridge};
use image_scorer_protocol::commands::{
    AddRating, AddScore, GetPersonalModel, GetPlot, GetScoreQueue, GetScoreState, Undo,
};
use image_scorer_protocol::PlotKind;
use sqlx::ConnectOptions;
use std::collections::HashMap;
use std::path::Path;

const PHOTOS: [&str; 7] = [
    "astronaut.png",
    "chelsea.png",
    "coffee.png",
    "franz-kafka.jpg",
    "motorcycle_left.png",
    "motorcycle_right.png",
    "rocket.jpg",
];
/// Each photo's place in the taste.
const LIKING: [f64; 7] = [7.0, 9.0, 3.0, 5.0, 6.0, 6.5, 2.0];
const COPIES: usize = 12;

/// Varied copies of the photos: a crop of 55-100 % of each side at a random place, mirrored or
/// not, lighter or darker; the taste of each: its photo's liking, plus the lightness (this
/// rater likes light pictures), as a whole score. Returns (file name, taste) by file.
fn varied_photos(dir: &Path) -> HashMap<String, f64> {
    std::fs::create_dir_all(dir).unwrap();
    let mut rng = fastrand::Rng::with_seed(11);
    let mut taste = HashMap::new();
    for (p, name) in PHOTOS.iter().enumerate() {
        let image = image::open(fixture_path(name)).unwrap().to_rgb8();
        let (w, h) = image.dimensions();
        for c in 0..COPIES {
            let (fw, fh) = (0.55 + 0.45 * rng.f64(), 0.55 + 0.45 * rng.f64());
            let (cw, ch) = ((w as f64 * fw) as u32, (h as f64 * fh) as u32);
            let (x, y) = (rng.u32(0..=w - cw), rng.u32(0..=h - ch));
            let mut copy = image::imageops::crop_imm(&image, x, y, cw, ch).to_image();
            if rng.bool() {
                copy = image::imageops::flip_horizontal(&copy);
            }
            let light = rng.f64() * 2.0 - 1.0;
            let copy = image::imageops::colorops::brighten(&copy, (light * 60.0) as i32);
            let file = format!("p{p}-{c:02}.png");
            copy.save(dir.join(&file)).unwrap();
            taste.insert(file, (LIKING[p] + 1.5 * light).clamp(1.0, 10.0));
        }
    }
    taste
}

/// The EfficientNet-Lite0 pack (no head): folder, manifest, models.
const EFFNET: (&str, &str, &[&str]) = (
    "effnet",
    common::EFFICIENTNET_FEATURES,
    &["efficientnet-lite0-imagenet.onnx"],
);

/// A started app with `pack` over [`varied_photos`], every copy indexed and embedded: the app,
/// the taste by file name, and the folder it lives in (removed when dropped).
async fn app_on_copies(
    pack: (&str, &str, &[&str]),
) -> (App, HashMap<String, f64>, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let app = app_with_packs(tmp.path(), &[pack]).await;
    let root = tmp.path().join("photos");
    let taste = varied_photos(&root);
    let total = taste.len() as u32;
    app.open_folder(&root).await.unwrap();
    until_indexed(&app, total).await;
    until_embedded(&app, total).await;
    (app, taste, tmp)
}

async fn model(app: &App, rater: &str) -> image_scorer_protocol::PersonalModel {
    app.call(GetPersonalModel {
        rater: rater.into(),
    })
    .await
    .unwrap()
}

async fn settled(app: &App, rater: &str, ratings: u32) {
    until(&format!("{ratings} ratings in the model"), || async {
        let m = model(app, rater).await;
        m.settled
            && m.ratings == ratings
            && m.quality
                .as_ref()
                .map_or(ratings < 8, |q| q.ratings == ratings)
    })
    .await;
}

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
    app.call(Undo {
        rater: rater.into(),
    })
    .await
    .unwrap()
    .unwrap();
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
    app.call(Undo {
        rater: rater.into(),
    })
    .await
    .unwrap()
    .unwrap();
    settled(&app, rater, 59).await;
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
                if image_scorer_ranking::spearman(&preds, &truth) >= 0.8 {
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

/// The exported ONNX head of `rater`'s model run through ONNX Runtime on the images `items`:
/// (its outputs by name, each image's embedding).
async fn run_exported(
    app: &App,
    path: &Path,
    items: &[image_scorer_protocol::QueueItem],
    outputs: &[&str],
) -> Vec<Vec<f32>> {
    let model_id = app.predictor().model_id().unwrap();
    let mut rows = Vec::new();
    for item in items {
        rows.extend(
            app.store()
                .embedding(&item.sha1, model_id)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let dim = rows.len() / items.len();
    let model = common::runtime().model(path, 1).unwrap();
    outputs
        .iter()
        .map(|o| {
            model
                .run(&model.inputs[0], &[items.len(), dim], &rows, o)
                .unwrap()
                .1
        })
        .collect()
}

/// Scores the first `n` of the queue with the taste and waits for the model to take them in;
/// returns the queue.
async fn score_first(
    app: &App,
    rater: &str,
    taste: &HashMap<String, f64>,
    n: usize,
) -> Vec<image_scorer_protocol::QueueItem> {
    let queue = app
        .call(GetScoreQueue {
            rater: rater.into(),
            include_rated: false,
            seed: 3,
            predicted_first: false,
            teach: false,
        })
        .await
        .unwrap();
    for item in &queue.items[..n] {
        app.call(AddScore {
            rater: rater.into(),
            sha1: item.sha1.clone(),
            value: taste[&item.name].round(),
        })
        .await
        .unwrap();
    }
    settled(app, rater, n as u32).await;
    queue.items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exported_onnx_head_predicts_what_the_app_predicts() {
    for pack in [
        EFFNET,
        (
            "standin",
            common::STANDIN_LAION,
            common::STANDIN_LAION_MODELS,
        ),
    ] {
        let (app, taste, tmp) = app_on_copies(pack).await;
        let with_head = pack.0 == "standin";

        // Nothing to export before a score.
        let path = tmp.path().join("out/my model.onnx");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let refused = app.export_own_model(&path, "ada").await.unwrap_err();
        assert!(refused.message.contains("no scores"), "{}", refused.message);
        assert!(!path.exists());

        let items = score_first(&app, "ada", &taste, 30).await;
        let exported = app.export_own_model(&path, "ada").await.unwrap();
        assert_eq!(exported.ratings, 30);
        assert_eq!(exported.over_head, with_head);
        assert_eq!(
            exported.output,
            if with_head { "own_score" } else { "score" }
        );
        assert_eq!(exported.files.len(), 3);
        assert!(exported.files[1].ends_with("my model.weight.npy"));

        // Its predictions of images not scored are the app's own model's, within 1e-4 (where
        // the app's are not clamped to 1-10).
        let held = &items[30..];
        let out = run_exported(&app, &path, held, &[&exported.output]).await;
        let mut compared = 0;
        for (item, onnx) in held.iter().zip(&out[0]) {
            let state = app
                .call(GetScoreState {
                    rater: "ada".into(),
                    sha1: item.sha1.clone(),
                })
                .await
                .unwrap();
            let own = state.own_predicted.unwrap();
            if own > 1.0 && own < 10.0 {
                assert!((f64::from(*onnx) - own).abs() < 1e-4, "{onnx} vs {own}");
                compared += 1;
            }
        }
        assert!(compared >= 20, "only {compared} predictions inside 1-10");

        // The weights as .npy: [1, D] and [1]; over a head, the model is the head's output plus
        // weight · x + bias.
        let weight: ndarray::Array2<f32> = ndarray_npy::read_npy(&exported.files[1]).unwrap();
        let bias: ndarray::Array1<f32> = ndarray_npy::read_npy(&exported.files[2]).unwrap();
        assert_eq!(bias.len(), 1);
        let model_id = app.predictor().model_id().unwrap();
        let x = app
            .store()
            .embedding(&held[0].sha1, model_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(weight.dim(), (1, x.len()));
        let linear: f32 = weight
            .row(0)
            .iter()
            .zip(&x)
            .map(|(w, v)| w * v)
            .sum::<f32>()
            + bias[0];
        let head = if with_head {
            run_exported(&app, &path, &held[..1], &["score"]).await[0][0]
        } else {
            0.0
        };
        assert!(
            (head + linear - out[0][0]).abs() < 1e-4,
            "{head} + {linear} vs {}",
            out[0][0]
        );
        app.close().await;
    }
}
