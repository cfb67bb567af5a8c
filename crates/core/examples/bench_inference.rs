//! `cargo xtask bench inference`: images/s of the full pipeline (read, decode, preprocess, infer)
//! against its two parts measured alone, their sum-of-parts limit, and against a Python
//! pipeline over the same images, threads and model (xtask runs it first and passes its
//! images/s), then the library job the app runs (the pipeline with SQLite).
//!
//! Usage: bench_inference ORT_LIBRARY MODELS_DIR FIXTURES_DIR [IMAGES] [PYTHON_IMAGES_PER_S]

#[path = "common/goal.rs"]
mod goal;

use goal::goal_line;
use image_scorer_core::inference::{embed_files, Pack, Runtime};
use std::path::PathBuf;
use std::time::Instant;

const BATCH: usize = 8;
const THREADS: usize = 2;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [ort, models, fixtures] = [&args[0], &args[1], &args[2]].map(PathBuf::from);
    let count: usize = args.get(3).map_or(96, |s| s.parse().expect("IMAGES"));
    let python: Option<f64> = args.get(4).map(|s| s.parse().expect("PYTHON_IMAGES_PER_S"));
    let runtime = Runtime::load(&ort).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let pack_dir = tmp.path().join("pack");
    std::fs::create_dir(&pack_dir).unwrap();
    std::os::unix::fs::symlink(
        models.join("efficientnet-lite0-imagenet.onnx"),
        pack_dir.join("model.onnx"),
    )
    .unwrap();
    std::fs::write(
        pack_dir.join("pack.toml"),
        "name = \"EfficientNet-Lite0\"\n[encoder]\nfile = \"model.onnx\"\ninput = \"pixel_values\"\n\
         output = \"features\"\nsize = 224\nscale = 1.9921875\noffset = -0.9921875\nwidth = 1280\n",
    )
    .unwrap();
    let pack = Pack::open(&runtime, &pack_dir, THREADS).unwrap();
    let mut photos: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png" || e == "jpg"))
        .collect();
    photos.sort();
    let files: Vec<PathBuf> = (0..count)
        .map(|i| photos[i % photos.len()].clone())
        .collect();
    println!(
        "{count} images ({} photos), EfficientNet-Lite0, batch {BATCH}, {THREADS} threads",
        photos.len()
    );

    // Warm up (page cache, ONNX Runtime's first run).
    embed_files(&pack, &files[..BATCH], BATCH, THREADS, |_| true).unwrap();

    // 1. The full pipeline.
    let start = Instant::now();
    let mut done = 0;
    embed_files(&pack, &files, BATCH, THREADS, |b| {
        done += b.len();
        true
    })
    .unwrap();
    let full = count as f64 / start.elapsed().as_secs_f64();
    assert_eq!(done, count);

    // 2. Read + decode + preprocess alone, on the same threads.
    let start = Instant::now();
    let next = std::sync::Mutex::new(0usize);
    let tensors: Vec<Vec<f32>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = {
                            let mut n = next.lock().unwrap();
                            *n += 1;
                            *n - 1
                        };
                        let Some(f) = files.get(i) else { break };
                        out.push(pack.preprocess(&image::open(f).unwrap()));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let decode = count as f64 / start.elapsed().as_secs_f64();

    // 3. Bare ONNX Runtime on ready tensors.
    let start = Instant::now();
    for chunk in tensors.chunks(BATCH) {
        pack.embed(chunk).unwrap();
    }
    let infer = count as f64 / start.elapsed().as_secs_f64();

    let limit = 1.0 / (1.0 / decode + 1.0 / infer);
    println!("  read+decode+preprocess alone: {decode:>7.1} images/s");
    println!("  bare ONNX Runtime alone:      {infer:>7.1} images/s");
    println!("  sum-of-parts limit:           {limit:>7.1} images/s");
    println!("  full pipeline:                {full:>7.1} images/s = {:.2}x the limit (goal: at least 0.85x)", full / limit);

    // 4. The app's path: the library job, which also reads its work from SQLite and stores
    // every batch (embeddings as BLOBs) there. Distinct images: each copy has one pixel changed.
    let library = tmp.path().join("library");
    std::fs::create_dir(&library).unwrap();
    for (i, source) in files.iter().enumerate() {
        let mut img = image::open(source).unwrap().to_rgb8();
        let pixel = img.get_pixel_mut(0, 0);
        pixel.0 = [(i % 256) as u8, (i / 256) as u8, 7];
        img.save(library.join(format!("{i:04}.png"))).unwrap();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(THREADS)
        .enable_all()
        .build()
        .unwrap();
    let job = runtime.block_on(async {
        let store = image_scorer_core::Store::open(&tmp.path().join("bench.db"))
            .await
            .unwrap();
        let root = store
            .add_root(&image_scorer_core::folder::check_folder(&library).unwrap())
            .await
            .unwrap();
        image_scorer_core::app::indexer::scan_root(
            &store,
            root.id,
            std::path::Path::new(&root.path),
            |_| {},
        )
        .await
        .unwrap();
        let model = store.model_id("bench", "bench").await.unwrap();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let start = Instant::now();
        let report =
            image_scorer_core::app::predictor::embed_library(&store, &pack, model, &cancel, |_| {})
                .await
                .unwrap();
        assert_eq!(report.computed, count);
        count as f64 / start.elapsed().as_secs_f64()
    });
    println!(
        "  library job on PNG copies (+ SQLite, what the app runs): {job:>7.1} images/s = {:.2}x the full pipeline",
        job / full
    );
    if let Some(python) = python {
        println!(
            "  full pipeline vs the Python pipeline ({python:.1} images/s): {:.2}x (goal: at least 1.5x)",
            full / python
        );
    }
    println!(
        "{}",
        goal_line("pipeline_vs_sum_of_parts", full / limit, ">=", 0.85)
    );
    if let Some(python) = python {
        println!(
            "{}",
            goal_line("pipeline_vs_python", full / python, ">=", 1.5)
        );
    }
}
