//! A rater's own model exported as an ONNX head with its weights, run through ONNX Runtime
//! against the app's own predictions, without a pack head (EfficientNet-Lite0) and over one
//! (the stand-in CLIP + LAION pack).

use crate::common;

use common::own_model::{app_on_copies, settled, EFFNET};
use image_scorer_core::App;
use image_scorer_protocol::commands::{AddScore, GetScoreQueue, GetScoreState};
use std::collections::HashMap;
use std::path::Path;

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
            window: None,
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
