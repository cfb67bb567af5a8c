//! Model faults leave the app working (real folder, real SQLite, the real ONNX Runtime): a
//! pack whose head answers NaN is stopped with a clear error on that pack and keeps no
//! prediction, a pack whose model file is not ONNX says so when chosen, and in both cases
//! scoring goes on and another pack can be chosen and used.

use crate::common;

use common::{fixture_path, install_pack, ort_library, until, until_indexed};
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::{
    AddScore, GetPredictor, GetScoreQueue, GetScoreState, SetPack,
};
use std::sync::Arc;

#[tokio::test]
async fn a_pack_answering_nan_or_not_onnx_is_stopped_and_the_rest_works() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    config.onnx_runtime = vec![ort_library()];
    config.low_priority = false;
    let packs = config.packs_dir();
    // "a-nan": the stand-in encoder and a head whose weights are NaN (the first pack, chosen).
    let nan = install_pack(
        &packs.join("a-nan"),
        &common::STANDIN_LAION
            .replace("Stand-in + LAION", "NaN head")
            .replace(
                "aesthetic-sac+logos+ava1-l14-linearMSE.onnx",
                "nan-head.onnx",
            ),
        &["standin-encoder-d768.onnx"],
    );
    let (bytes, _, _) = image_scorer_core::export::head_model(&[f64::NAN; 768], 0.0, None).unwrap();
    std::fs::write(nan.join("nan-head.onnx"), bytes).unwrap();
    // "b-html": an encoder file that is a web page.
    let html = install_pack(
        &packs.join("b-html"),
        &common::EFFICIENTNET_FEATURES.replace("EfficientNet-Lite0", "Not a model"),
        &[],
    );
    std::fs::write(
        html.join("efficientnet-lite0-imagenet.onnx"),
        b"<html>404</html>",
    )
    .unwrap();
    // "c-good": the stand-in encoder with the real LAION head.
    install_pack(
        &packs.join("c-good"),
        common::STANDIN_LAION,
        common::STANDIN_LAION_MODELS,
    );

    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
        std::fs::copy(fixture_path(name), photos.join(name)).unwrap();
    }
    let app = App::open(config, Arc::new(image_scorer_core::app::NullSink))
        .await
        .unwrap();
    app.start();
    app.open_folder(&photos).await.unwrap();
    until_indexed(&app, 3).await;
    app.call(SetPack {
        id: "packs/a-nan".into(),
    })
    .await
    .unwrap();

    // The NaN pack: stopped, said where the pack is shown, nothing kept.
    until("the NaN head is caught", || async {
        let p = app.call(GetPredictor {}).await.unwrap();
        p.problem
            .as_deref()
            .is_some_and(|m| m.contains("not a number"))
    })
    .await;
    let p = app.call(GetPredictor {}).await.unwrap();
    let problem = p.problem.unwrap();
    assert!(
        problem.contains("a-nan") && problem.contains("NaN"),
        "{problem}"
    );
    assert_eq!(p.progress.done, 0, "no prediction kept: {:?}", p.progress);
    // Scoring goes on.
    let queue = app
        .call(GetScoreQueue {
            rater: "me".into(),
            include_rated: false,
            seed: 1,
            predicted_first: false,
            teach: false,
            window: None,
        })
        .await
        .unwrap();
    assert_eq!(queue.total, 3);
    let sha1 = queue.items[0].sha1.clone();
    let state = app
        .call(AddScore {
            rater: "me".into(),
            sha1: sha1.clone(),
            value: 7.0,
        })
        .await
        .unwrap();
    assert_eq!((state.mine, state.predicted), (Some(7.0), None));

    // The web page as a model: refused when chosen, with what is wrong.
    app.call(SetPack {
        id: "packs/b-html".into(),
    })
    .await
    .unwrap();
    until("the broken encoder is named", || async {
        let p = app.call(GetPredictor {}).await.unwrap();
        p.problem
            .as_deref()
            .is_some_and(|m| m.contains("not a usable ONNX model"))
    })
    .await;

    // A good pack afterwards predicts every image, with finite scores.
    app.call(SetPack {
        id: "packs/c-good".into(),
    })
    .await
    .unwrap();
    until("the good pack predicts everything", || async {
        let p = app.call(GetPredictor {}).await.unwrap();
        p.problem.is_none() && p.progress.done == 3 && !p.progress.running
    })
    .await;
    let state = app
        .call(GetScoreState {
            rater: "me".into(),
            sha1,
        })
        .await
        .unwrap();
    let predicted = state.predicted.expect("a prediction");
    assert!(
        predicted.is_finite() && (0.0..=11.0).contains(&predicted),
        "{predicted}"
    );
    app.close().await;
}
