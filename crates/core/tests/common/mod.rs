//! Helpers shared by the integration tests: the shared photo fixtures and content hashes.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

/// The shared photo fixtures: `IMAGE_SCORER_FIXTURES`, default `../shared/fixtures/images` beside
/// the repository. Tests that need them fail when they are missing; they never skip.
pub fn fixtures_dir() -> PathBuf {
    std::env::var_os("IMAGE_SCORER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/images")
        })
}

/// The path of the fixture photo `name`.
pub fn fixture_path(name: &str) -> PathBuf {
    let path = fixtures_dir().join(name);
    assert!(
        path.is_file(),
        "fixture {} is missing (set IMAGE_SCORER_FIXTURES)",
        path.display()
    );
    path
}

/// The bytes of the fixture photo `name`.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

/// The SHA-1 (hex) of `bytes`, as the library computes it.
pub fn sha1(bytes: &[u8]) -> String {
    image_scorer_core::library::hash::hash_reader(bytes)
        .unwrap()
        .sha1
}

/// The shared models: `IMAGE_SCORER_MODELS`, default `../shared/models` beside the repository.
pub fn models_dir() -> PathBuf {
    std::env::var_os("IMAGE_SCORER_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models"))
}

/// ONNX Runtime, from `IMAGE_SCORER_ORT` or where `cargo xtask setup` puts it. Missing, it fails
/// the test.
pub fn runtime() -> image_scorer_core::inference::Runtime {
    let lib = std::env::var_os("IMAGE_SCORER_ORT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../.cache/onnxruntime/libonnxruntime.so.1.31.1")
        });
    assert!(
        lib.is_file(),
        "ONNX Runtime missing at {} (cargo xtask setup fetches it)",
        lib.display()
    );
    image_scorer_core::inference::Runtime::load(&lib).unwrap()
}
