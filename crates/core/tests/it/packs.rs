//! Model packs with the real ONNX Runtime and the shared models: real semantics (EfficientNet
//! classifies the cat and the espresso, finds the stereo pair), the stand-in encoder feeding the
//! real LAION head, and one clear error per kind of broken pack.

use common::runtime;
use image_scorer_core::inference::Pack;
use std::path::{Path, PathBuf};

use crate::common;

/// A pack folder with `manifest` and links to the shared models it names.
fn pack_dir(tmp: &Path, manifest: &str, models: &[&str]) -> PathBuf {
    common::install_pack(&tmp.join("pack"), manifest, models)
}

const EFFICIENTNET: &str = r#"
name = "EfficientNet-Lite0 ImageNet"
[encoder]
file = "efficientnet-lite0-imagenet.onnx"
input = "pixel_values"
output = "OUTPUT"
size = 224
scale = 1.9921875   # (x - 127) / 128 == x/255 * 255/128 - 127/128
offset = -0.9921875
width = WIDTH
"#;

fn efficientnet(tmp: &Path, output: &str, width: usize) -> Pack {
    let manifest = EFFICIENTNET
        .replace("OUTPUT", output)
        .replace("WIDTH", &width.to_string());
    let dir = pack_dir(tmp, &manifest, &["efficientnet-lite0-imagenet.onnx"]);
    Pack::open(&runtime(), &dir, 2).unwrap()
}

/// The stand-in encoder (768-d, CLIP preprocessing) feeding the real LAION aesthetic head.
fn standin_with_laion_head(tmp: &Path) -> Pack {
    let dir = pack_dir(tmp, common::STANDIN_LAION, common::STANDIN_LAION_MODELS);
    Pack::open(&runtime(), &dir, 2).unwrap()
}

fn embed(pack: &Pack, names: &[&str]) -> Vec<Vec<f32>> {
    let tensors: Vec<Vec<f32>> = names
        .iter()
        .map(|n| pack.preprocess(&image::open(common::fixture_path(n)).unwrap()))
        .collect();
    pack.embed(&tensors).unwrap()
}

fn top(values: &[f32], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|a, b| values[*b].total_cmp(&values[*a]));
    idx.truncate(k);
    idx
}

#[test]
fn efficientnet_classifies_the_cat_and_the_espresso() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = efficientnet(tmp.path(), "logits", 1000);
    let logits = embed(&pack, &["chelsea.png", "coffee.png"]);
    let cat = top(&logits[0], 3);
    assert!(
        cat.iter().any(|c| (281..=285).contains(c)),
        "cat top 3: {cat:?}"
    );
    assert_eq!(top(&logits[1], 1), [967], "espresso");
}

#[test]
fn efficientnet_features_rank_the_stereo_pair_most_similar() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = efficientnet(tmp.path(), "features", 1280);
    let names = [
        "astronaut.png",
        "chelsea.png",
        "coffee.png",
        "franz-kafka.jpg",
        "motorcycle_left.png",
        "motorcycle_right.png",
        "rocket.jpg",
    ];
    let features = embed(&pack, &names);
    let cosine = |a: &[f32], b: &[f32]| {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let n = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        dot / (n(a) * n(b))
    };
    let mut pairs = Vec::new();
    for i in 0..names.len() {
        for j in i + 1..names.len() {
            pairs.push((cosine(&features[i], &features[j]), names[i], names[j]));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    assert_eq!(
        (pairs[0].1, pairs[0].2),
        ("motorcycle_left.png", "motorcycle_right.png"),
        "{pairs:?}"
    );
    assert!(
        pairs[0].0 > 0.8 && pairs[1].0 < pairs[0].0 - 0.2,
        "{pairs:?}"
    );
}

#[test]
fn the_stand_in_encoder_feeds_the_real_laion_head() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = standin_with_laion_head(tmp.path());
    let names = ["chelsea.png", "rocket.jpg", "coffee.png"];
    let batch = embed(&pack, &names);
    for (i, name) in names.iter().enumerate() {
        let single = embed(&pack, &[name]);
        let diff = single[0]
            .iter()
            .zip(&batch[i])
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(diff < 1e-5, "batch and single differ by {diff} for {name}");
        let norm: f32 = batch[i].iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit norm, got {norm}");
    }
    let scores = pack.score(&batch).unwrap().expect("the pack has a head");
    assert_eq!(scores.len(), 3);
    assert!(
        scores
            .iter()
            .all(|s| s.is_finite() && (-5.0..15.0).contains(s)),
        "{scores:?}"
    );
}

#[test]
fn each_fault_of_a_pack_has_its_own_error() {
    let good = EFFICIENTNET
        .replace("OUTPUT", "features")
        .replace("WIDTH", "1280");
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        (good.clone(), vec![], "efficientnet-lite0-imagenet.onnx is missing"),
        (good.replace("input = \"pixel_values\"", "input = \"pixels\""), vec!["efficientnet-lite0-imagenet.onnx"], "not \"pixels\""),
        (good.replace("output = \"features\"", "output = \"embeds\""), vec!["efficientnet-lite0-imagenet.onnx"], "not \"embeds\""),
        (good.replace("width = 1280", "width = 768"), vec!["efficientnet-lite0-imagenet.onnx"], "1280 wide"),
        (
            format!("{good}\n[head]\nfile = \"aesthetic-sac+logos+ava1-l14-linearMSE.onnx\"\ninput = \"embedding\"\noutput = \"score\"\n"),
            vec!["efficientnet-lite0-imagenet.onnx", "aesthetic-sac+logos+ava1-l14-linearMSE.onnx"],
            "the head takes embeddings 768 wide, but the encoder gives 1280",
        ),
        (good.replace("size = 224", "size = \"big\""), vec![], "pack.toml is not valid"),
        (
            good.replace("size = 224", "size = 256"),
            vec!["efficientnet-lite0-imagenet.onnx"],
            "the encoder takes images of 224 x 224 pixels, but the manifest says size = 256",
        ),
    ];
    for (manifest, models, want) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let dir = pack_dir(tmp.path(), &manifest, &models);
        let err = Pack::open(&runtime(), &dir, 1)
            .err()
            .expect("a broken pack is refused")
            .to_string();
        assert!(err.contains(want), "want {want:?} in: {err}");
    }
    // Not an ONNX model at all.
    let tmp = tempfile::tempdir().unwrap();
    let dir = pack_dir(tmp.path(), &good, &[]);
    std::fs::write(
        dir.join("efficientnet-lite0-imagenet.onnx"),
        b"<html>not a model</html>",
    )
    .unwrap();
    let err = Pack::open(&runtime(), &dir, 1)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("not a usable ONNX model"), "{err}");
}

#[test]
fn the_pipeline_embeds_files_on_every_core_and_reports_bad_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = efficientnet(tmp.path(), "features", 1280);
    let names = [
        "chelsea.png",
        "coffee.png",
        "rocket.jpg",
        "astronaut.png",
        "franz-kafka.jpg",
    ];
    let mut files: Vec<PathBuf> = names.iter().map(|n| common::fixture_path(n)).collect();
    let broken = tmp.path().join("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    files.insert(2, broken);

    let mut results = vec![None; files.len()];
    let mut batches = 0;
    image_scorer_core::inference::embed_files(&pack, &files, 2, 2, |done| {
        batches += 1;
        for (i, r) in done {
            assert!(results[i].is_none(), "file {i} reported twice");
            results[i] = Some(r);
        }
        true
    })
    .unwrap();
    assert!(batches >= 3, "batches of 2: {batches}");
    let single = embed(&pack, &names);
    let mut k = 0;
    for (i, r) in results.into_iter().enumerate() {
        match r.expect("every file reported") {
            Ok(v) if i != 2 => {
                let diff = v
                    .iter()
                    .zip(&single[k])
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                assert!(diff < 1e-4, "file {i} differs by {diff}");
                k += 1;
            }
            Err(e) if i == 2 => assert!(e.contains("cannot be decoded"), "{e}"),
            other => panic!("file {i}: {other:?}"),
        }
    }

    // Stopping early returns at once.
    let mut seen = 0;
    image_scorer_core::inference::embed_files(&pack, &files, 1, 2, |done| {
        seen += done.len();
        false
    })
    .unwrap();
    assert!(seen >= 1 && seen < files.len(), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_is_embedded_once_and_a_second_pass_computes_nothing() {
    use image_scorer_core::app::predictor::embed_library;
    use std::sync::atomic::AtomicBool;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("photos");
    std::fs::create_dir(&root).unwrap();
    let names = ["chelsea.png", "coffee.png", "rocket.jpg", "franz-kafka.jpg"];
    for n in names {
        std::fs::copy(common::fixture_path(n), root.join(n)).unwrap();
    }
    let store = image_scorer_core::Store::open(&tmp.path().join("app.db"))
        .await
        .unwrap();
    let r = store
        .add_root(&image_scorer_core::folder::check_folder(&root).unwrap())
        .await
        .unwrap();
    image_scorer_core::app::indexer::scan_root(&store, r.id, Path::new(&r.path), |_| {})
        .await
        .unwrap();

    let pack = standin_with_laion_head(tmp.path());
    let model = store
        .model_id("standin+laion", "Stand-in + LAION")
        .await
        .unwrap();

    let cancel = AtomicBool::new(true);
    let cancelled = embed_library(&store, &pack, model, &cancel, |_| {})
        .await
        .unwrap();
    assert!(
        cancelled.cancelled && cancelled.computed == 0,
        "{cancelled:?}"
    );

    assert_eq!(store.embed_counts(model).await.unwrap(), (0, 4));
    let cancel = AtomicBool::new(false);
    let seen = std::sync::Mutex::new(Vec::new());
    let first = embed_library(&store, &pack, model, &cancel, |r| {
        seen.lock().unwrap().push(r.computed)
    })
    .await
    .unwrap();
    assert_eq!(
        (first.computed, first.failed, first.cancelled),
        (4, 0, false)
    );
    assert_eq!(
        *seen.lock().unwrap().last().unwrap(),
        4,
        "progress reaches the end"
    );
    assert_eq!(store.embed_counts(model).await.unwrap(), (4, 4));
    let second = embed_library(&store, &pack, model, &cancel, |_| {})
        .await
        .unwrap();
    assert_eq!(second.computed, 0, "everything was cached");

    let direct = embed(&pack, &names);
    for (n, want) in names.iter().zip(&direct) {
        let sha1 = common::sha1(&std::fs::read(common::fixture_path(n)).unwrap());
        let cached = store
            .embedding(&sha1, model)
            .await
            .unwrap()
            .expect("cached");
        let diff = cached
            .iter()
            .zip(want)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(diff < 1e-5, "{n}: {diff}");
        let score = store
            .prediction(&sha1, model)
            .await
            .unwrap()
            .expect("predicted");
        assert!(score.is_finite());
    }
    // New images are embedded by the next pass, alone; one damaged after it was indexed is
    // recorded as unreadable and not tried again.
    for n in ["astronaut.png", "motorcycle_left.png"] {
        std::fs::copy(common::fixture_path(n), root.join(n)).unwrap();
    }
    image_scorer_core::app::indexer::scan_root(&store, r.id, Path::new(&r.path), |_| {})
        .await
        .unwrap();
    std::fs::write(root.join("motorcycle_left.png"), b"\x89PNG damaged").unwrap();
    let third = embed_library(&store, &pack, model, &cancel, |_| {})
        .await
        .unwrap();
    assert_eq!((third.computed, third.failed), (1, 1));
    assert_eq!(store.embed_counts(model).await.unwrap(), (5, 5));
    let fourth = embed_library(&store, &pack, model, &cancel, |_| {})
        .await
        .unwrap();
    assert_eq!((fourth.computed, fourth.failed), (0, 0));
}

#[test]
fn a_packs_fingerprint_follows_its_models_not_its_name() {
    use image_scorer_core::inference::pack_fingerprint;
    let tmp = tempfile::tempdir().unwrap();
    let pack = standin_with_laion_head(tmp.path());
    let first = pack_fingerprint(&pack.dir, &pack.manifest).unwrap();
    let mut renamed = pack.manifest.clone();
    renamed.name = "Another name".into();
    assert_eq!(pack_fingerprint(&pack.dir, &renamed).unwrap(), first);
    let mut resized = pack.manifest.clone();
    resized.encoder.size = 256;
    assert_ne!(pack_fingerprint(&pack.dir, &resized).unwrap(), first);
    // The cheap key stays while nothing changes, and changes with the settings and the files.
    use image_scorer_core::inference::pack_stat_key;
    let key = pack_stat_key(&pack.dir, &pack.manifest).unwrap();
    assert_eq!(pack_stat_key(&pack.dir, &renamed).unwrap(), key);
    assert_ne!(pack_stat_key(&pack.dir, &resized).unwrap(), key);
    // A changed model file is a new model.
    let head = pack.dir.join("aesthetic-sac+logos+ava1-l14-linearMSE.onnx");
    let mut bytes = std::fs::read(&head).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::remove_file(&head).unwrap();
    std::fs::write(&head, bytes).unwrap();
    assert_ne!(pack_fingerprint(&pack.dir, &pack.manifest).unwrap(), first);
    assert_ne!(pack_stat_key(&pack.dir, &pack.manifest).unwrap(), key);
}

/// The stand-in encoder with a head that answers NaN for every embedding (a linear head whose
/// weights are NaN, written by the app's own ONNX head writer).
fn standin_with_nan_head(tmp: &Path) -> PathBuf {
    let manifest = common::STANDIN_LAION.replace(
        "aesthetic-sac+logos+ava1-l14-linearMSE.onnx",
        "nan-head.onnx",
    );
    let dir = pack_dir(tmp, &manifest, &["standin-encoder-d768.onnx"]);
    let (bytes, input, output) =
        image_scorer_core::export::head_model(&[f64::NAN; 768], 0.0, None).unwrap();
    assert_eq!((input.as_str(), output.as_str()), ("embedding", "score"));
    std::fs::write(dir.join("nan-head.onnx"), bytes).unwrap();
    dir
}

#[test]
fn a_head_that_answers_nan_is_refused_when_it_does() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = Pack::open(&runtime(), &standin_with_nan_head(tmp.path()), 1).unwrap();
    let embeddings = embed(&pack, &["chelsea.png", "coffee.png"]);
    assert!(
        embeddings.iter().flatten().all(|v| v.is_finite()),
        "the encoder is fine"
    );
    let err = pack.score(&embeddings).unwrap_err().to_string();
    assert!(err.contains("NaN") && err.contains("not a number"), "{err}");
    assert!(
        err.contains(&tmp.path().join("pack").display().to_string()),
        "names the pack: {err}"
    );
}
