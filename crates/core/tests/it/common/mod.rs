//! Helpers shared by the integration tests: the shared photo fixtures and content hashes.
#![allow(dead_code)] // each test binary uses its own subset

pub mod own_model;

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
    image_scorer_core::library::content_hash::hash_reader(bytes)
        .unwrap()
        .sha1
}

/// The shared models: `IMAGE_SCORER_MODELS`, default `../shared/models` beside the repository.
pub fn models_dir() -> PathBuf {
    std::env::var_os("IMAGE_SCORER_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models"))
}

/// The ONNX Runtime library, from `IMAGE_SCORER_ORT` or where `cargo xtask setup` puts it.
/// Missing, it fails the test.
pub fn ort_library() -> PathBuf {
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
    lib
}

/// ONNX Runtime, loaded from [`ort_library`].
pub fn runtime() -> image_scorer_core::inference::Runtime {
    image_scorer_core::inference::Runtime::load(&ort_library()).unwrap()
}

/// Makes the pack folder `dir`: `manifest` as its `pack.toml`, and links to the shared
/// `models` it names (a missing model fails the test).
pub fn install_pack(dir: &Path, manifest: &str, models: &[&str]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("pack.toml"), manifest).unwrap();
    for m in models {
        let source = models_dir().join(m);
        assert!(source.is_file(), "model {} is missing", source.display());
        std::os::unix::fs::symlink(source, dir.join(m)).unwrap();
    }
    dir.to_owned()
}

/// The stand-in encoder (768-d, CLIP preprocessing) feeding the real LAION aesthetic head.
pub const STANDIN_LAION: &str = r#"
name = "Stand-in + LAION"
[encoder]
file = "standin-encoder-d768.onnx"
input = "pixel_values"
output = "image_embeds"
size = 224
mean = [0.48145466, 0.4578275, 0.40821073]
std = [0.26862954, 0.26130258, 0.27577711]
width = 768
normalize = true
[head]
file = "aesthetic-sac+logos+ava1-l14-linearMSE.onnx"
input = "embedding"
output = "score"
"#;

/// The models [`STANDIN_LAION`] names.
pub const STANDIN_LAION_MODELS: &[&str] = &[
    "standin-encoder-d768.onnx",
    "aesthetic-sac+logos+ava1-l14-linearMSE.onnx",
];

/// EfficientNet-Lite0's 1280 features, no head: an encoder-only pack.
pub const EFFICIENTNET_FEATURES: &str = r#"
name = "EfficientNet-Lite0"
[encoder]
file = "efficientnet-lite0-imagenet.onnx"
input = "pixel_values"
output = "features"
size = 224
scale = 1.9921875
offset = -0.9921875
width = 1280
"#;

/// The two databases the store runs on; the store's tests run on both ([`both_backends!`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the test's temporary folder.
    Sqlite,
    /// A fresh database of its own on a real PostgreSQL (the test binary's cluster).
    Postgres,
}

/// A new, empty store on `backend`: `tmp`/app.db, or a fresh PostgreSQL database.
pub async fn open_store(tmp: &Path, backend: Backend) -> image_scorer_core::Store {
    match backend {
        Backend::Sqlite => image_scorer_core::Store::open(&tmp.join("app.db"))
            .await
            .unwrap(),
        Backend::Postgres => {
            image_scorer_core::Store::connect(&image_scorer_pgtest::fresh_database())
                .await
                .unwrap()
        }
    }
}

/// Runs each named `async fn(Backend)` of the test file on both backends: a module of the
/// test's name with the tests `sqlite` and `postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )*
    };
}

/// A store at `tmp`/app.db on a folder of the seven fixture photos, scanned; their hashes,
/// sorted.
pub async fn library(tmp: &Path) -> (image_scorer_core::Store, Vec<String>) {
    library_on(tmp, Backend::Sqlite).await
}

/// [`library`] on `backend`.
pub async fn library_on(tmp: &Path, backend: Backend) -> (image_scorer_core::Store, Vec<String>) {
    let root = tmp.join("photos");
    std::fs::create_dir(&root).unwrap();
    for entry in std::fs::read_dir(fixtures_dir()).expect("fixtures present") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "png" || e == "jpg") {
            std::fs::copy(&path, root.join(path.file_name().unwrap())).unwrap();
        }
    }
    let store = open_store(tmp, backend).await;
    let r = store
        .add_root(&image_scorer_core::folder::check_folder(&root).unwrap())
        .await
        .unwrap();
    image_scorer_core::app::indexer::scan_root(&store, r.id, Path::new(&r.path), |_| {})
        .await
        .unwrap();
    let mut hashes: Vec<String> = store
        .score_queue(store.rater("x").await.unwrap(), true, 1, None)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.sha1)
        .collect();
    hashes.sort();
    assert_eq!(hashes.len(), 7);
    (store, hashes)
}

/// Distinct copies of four fixture photos in `dir`, named `img-<i>` (the first four as they are,
/// later ones with their number appended, so each is another image): (file name, hash).
pub fn photos(dir: &Path, range: std::ops::Range<usize>) -> Vec<(String, String)> {
    std::fs::create_dir_all(dir).unwrap();
    let sources = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg"];
    range
        .map(|i| {
            let name = sources[i % sources.len()];
            let mut bytes = fixture(name);
            if i >= sources.len() {
                bytes.extend_from_slice(&(i as u64).to_le_bytes()); // distinct content
            }
            let ext = Path::new(name).extension().unwrap().to_str().unwrap();
            let file = format!("img-{i:03}.{ext}");
            std::fs::write(dir.join(&file), &bytes).unwrap();
            (file, sha1(&bytes))
        })
        .collect()
}

/// Writes the copies of `name` into `dir`: JPEG at quality 70, scaled to 60 %, and 6 % cut
/// off each side (as a PNG).
pub fn copies(name: &str, dir: &Path) -> Vec<String> {
    let image = image::open(fixture_path(name)).unwrap();
    let stem = Path::new(name).file_stem().unwrap().to_str().unwrap();
    let (w, h) = (image.width(), image.height());
    let mut written = Vec::new();
    let reencoded = format!("{stem}-reencoded.jpg");
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 70)
        .encode_image(&image.to_rgb8())
        .unwrap();
    std::fs::write(dir.join(&reencoded), bytes).unwrap();
    written.push(reencoded);
    let resized = format!("{stem}-resized.png");
    image
        .resize(
            w * 6 / 10,
            h * 6 / 10,
            image::imageops::FilterType::Triangle,
        )
        .save(dir.join(&resized))
        .unwrap();
    written.push(resized);
    let cropped = format!("{stem}-cropped.png");
    image
        .crop_imm(w * 6 / 100, h * 6 / 100, w * 88 / 100, h * 88 / 100)
        .save(dir.join(&cropped))
        .unwrap();
    written.push(cropped);
    written
}

/// Waits until `ready` holds, polling every 200 ms for up to 120 s.
pub async fn until<F: std::future::Future<Output = bool>>(
    what: &str,
    mut ready: impl FnMut() -> F,
) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
    while !ready().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// A started app over fresh data and cache folders in `tmp`, with ONNX Runtime and the packs
/// given as (folder name, manifest, models) installed; its events go to a sink nobody reads.
pub async fn app_with_packs(tmp: &Path, packs: &[(&str, &str, &[&str])]) -> image_scorer_core::App {
    app_with_packs_on(tmp, packs, Backend::Sqlite).await
}

/// Puts `config`'s database on `backend`: its file in the data folder, or a fresh PostgreSQL
/// database.
pub fn on_backend(config: &mut image_scorer_core::AppConfig, backend: Backend) {
    if backend == Backend::Postgres {
        config.database_url = Some(image_scorer_pgtest::fresh_database());
    }
}

/// [`app_with_packs`] with its database on `backend`.
pub async fn app_with_packs_on(
    tmp: &Path,
    packs: &[(&str, &str, &[&str])],
    backend: Backend,
) -> image_scorer_core::App {
    let mut config = image_scorer_core::AppConfig::in_folders(tmp.join("data"), tmp.join("cache"));
    on_backend(&mut config, backend);
    config.onnx_runtime = vec![ort_library()];
    config.low_priority = false;
    for (name, manifest, models) in packs {
        install_pack(&config.packs_dir().join(name), manifest, models);
    }
    let app = image_scorer_core::App::open(
        config,
        std::sync::Arc::new(image_scorer_core::app::NullSink),
    )
    .await
    .unwrap();
    app.start();
    app
}

/// Waits until the app's library holds `ok` images that can be shown.
pub async fn until_indexed(app: &image_scorer_core::App, ok: u32) {
    until(&format!("{ok} images indexed"), || async {
        let state = app
            .call(image_scorer_protocol::commands::GetState {})
            .await
            .unwrap();
        state.library.counts.ok == ok
    })
    .await;
}

/// Waits until the active pack has embedded (and predicted) every image of the library.
pub async fn until_embedded(app: &image_scorer_core::App, total: u32) {
    until(&format!("{total} images embedded"), || async {
        let p = app
            .call(image_scorer_protocol::commands::GetPredictor {})
            .await
            .unwrap();
        p.active.is_some()
            && !p.progress.running
            && p.progress.total == total
            && p.progress.done == total
    })
    .await;
}

/// The Python that reads the exports as trainers do (numpy, pyarrow):
/// `IMAGE_SCORER_PYTHON`, else the virtual environment `cargo xtask test` makes. Missing, it
/// fails the test.
pub fn trainer_python() -> PathBuf {
    let python = std::env::var_os("IMAGE_SCORER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/trainer-python/bin/python")
        });
    assert!(
        python.is_file(),
        "the trainers' Python is missing at {} (cargo xtask test makes it; or set \
         IMAGE_SCORER_PYTHON to a Python with numpy and pyarrow)",
        python.display()
    );
    python
}

/// A team's queue rule: `overlap` raters an image, up to `max_raters` while its scores spread
/// over `spread`; reservations of a minute.
pub fn queue_rule(
    overlap: u32,
    spread: Option<f64>,
    max_raters: u32,
) -> image_scorer_protocol::QueueRule {
    image_scorer_protocol::QueueRule {
        overlap,
        spread,
        max_raters,
        lease_seconds: 60,
    }
}

/// The images and the share done of a near-duplicate search `event` reports, if it is one.
pub fn searching(event: image_scorer_protocol::AppEvent) -> Option<(u32, f32)> {
    match event {
        image_scorer_protocol::AppEvent::DuplicatesSearch(p) => Some((p.images, p.done)),
        _ => None,
    }
}
