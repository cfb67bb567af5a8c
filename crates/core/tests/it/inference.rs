//! Inference with the real ONNX Runtime library and the shared models: the LAION aesthetic head
//! reproduces its reference outputs, preprocessing matches CLIP's, and a missing runtime is a
//! clear error. Missing models or runtime fail these tests; they never skip.

use common::{models_dir, runtime};
use image_scorer_core::inference::{preprocess, Preprocess, Runtime};
use std::path::Path;

use crate::common;

#[test]
fn the_laion_head_reproduces_its_reference_scores() {
    let reference: serde_json::Value = serde_json::from_slice(
        &std::fs::read(models_dir().join("aesthetic-reference.json"))
            .expect("aesthetic-reference.json"),
    )
    .unwrap();
    let model = runtime()
        .model(
            &models_dir().join("aesthetic-sac+logos+ava1-l14-linearMSE.onnx"),
            2,
        )
        .unwrap();
    assert_eq!(model.inputs, ["embedding"]);
    // x[i][j] = sin(0.001*(i*768+j) + i), each row L2-normalised.
    let mut input = Vec::with_capacity(8 * 768);
    for i in 0..8 {
        let row: Vec<f32> = (0..768)
            .map(|j| (0.001 * (i * 768 + j) as f32 + i as f32).sin())
            .collect();
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        input.extend(row.iter().map(|v| v / norm));
    }
    let (shape, scores) = model.run("embedding", &[8, 768], &input, "score").unwrap();
    assert_eq!(shape, [8, 1]);
    let want: Vec<f64> = serde_json::from_value(reference["scores"].clone()).unwrap();
    for (got, want) in scores.iter().zip(&want) {
        assert!((f64::from(*got) - want).abs() < 1e-4, "{got} vs {want}");
    }
}

#[test]
fn preprocessing_matches_the_clip_reference() {
    let reference: ndarray::ArrayD<f32> =
        ndarray_npy::read_npy(common::fixtures_dir().join("../franz-kafka.clip-preprocessed.npy"))
            .expect("the CLIP reference tensor");
    assert_eq!(reference.shape(), [1, 3, 224, 224]);
    let image = image::open(common::fixture_path("franz-kafka.jpg")).unwrap();
    let ours = preprocess(&image, &Preprocess::CLIP);
    let diffs: Vec<f32> = ours
        .iter()
        .zip(reference.iter())
        .map(|(a, b)| (a - b).abs())
        .collect();
    let max = diffs.iter().copied().fold(0f32, f32::max);
    let mean = diffs.iter().sum::<f32>() / diffs.len() as f32;
    assert!(max < 0.05, "max difference {max}");
    assert!(mean < 0.01, "mean difference {mean}");
}

#[test]
fn a_missing_runtime_or_model_is_a_clear_error() {
    let err = Runtime::load(Path::new("/nonexistent/libonnxruntime.so"))
        .err()
        .expect("a missing library is an error")
        .to_string();
    assert!(
        err.contains("was not found at /nonexistent/libonnxruntime.so"),
        "{err}"
    );
    let missing = runtime().model(Path::new("/nonexistent/model.onnx"), 1);
    let err = missing.err().expect("an error").to_string();
    assert!(err.contains("/nonexistent/model.onnx"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.onnx");
    std::fs::write(&fake, b"not a model at all").unwrap();
    let err = runtime()
        .model(&fake, 1)
        .err()
        .expect("an error")
        .to_string();
    assert!(err.contains("fake.onnx"), "{err}");
}
