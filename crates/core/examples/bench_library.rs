//! `cargo xtask bench library`: indexing throughput against `sha1sum` over the same files, and
//! the watcher's pickup latency (file written → row in the database).
//!
//! Usage: bench_library FIXTURES_DIR [FILES] [WATCH_FILES]

#[path = "common/goal.rs"]
mod goal;

use goal::goal_line;
use image_scorer_core::app::indexer::{scan_root, watch, watched_root};
use image_scorer_core::Store;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn main() {
    let mut args = std::env::args().skip(1);
    let fixtures = PathBuf::from(
        args.next()
            .expect("usage: bench_library FIXTURES_DIR [FILES] [WATCH_FILES]"),
    );
    let files: usize = args.next().map_or(600, |s| s.parse().expect("FILES"));
    let watch_files: usize = args.next().map_or(300, |s| s.parse().expect("WATCH_FILES"));
    let photos = load_fixtures(&fixtures);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let paths = make_corpus(&corpus, &photos, files);
    let bytes: u64 = paths.iter().map(|p| p.metadata().unwrap().len()).sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {files} files, {mb:.0} MB (from {} photos, each copy made distinct)",
        photos.len()
    );

    // Warm the page cache so both sides read from memory.
    sha1sum(&paths);
    let baseline = median((0..RUNS).map(|_| sha1sum(&paths)).collect());
    let ours = median(
        (0..RUNS)
            .map(|run| {
                runtime.block_on(async {
                    let db = tmp.path().join(format!("bench-{run}.db"));
                    let store = Store::open(&db).await.unwrap();
                    let root = store
                        .add_root(&image_scorer_core::folder::check_folder(&corpus).unwrap())
                        .await
                        .unwrap();
                    let start = Instant::now();
                    let report = scan_root(&store, root.id, Path::new(&root.path), |_| {})
                        .await
                        .unwrap();
                    let took = start.elapsed();
                    assert_eq!(report.hashed, files, "every file indexed");
                    took
                })
            })
            .collect(),
    );
    let rate = |d: Duration| (mb / d.as_secs_f64(), files as f64 / d.as_secs_f64());
    let (b_mb, b_files) = rate(baseline);
    let (o_mb, o_files) = rate(ours);
    println!("\nindexing (median of {RUNS} runs, warm page cache)");
    println!(
        "  sha1sum (1 process, 1 core):     {:>7.1} ms  {b_mb:>7.1} MB/s  {b_files:>7.1} files/s",
        ms(baseline)
    );
    println!("  image-scorer scan (walk, hash on every core, header probe, SQLite):");
    println!(
        "                                   {:>7.1} ms  {o_mb:>7.1} MB/s  {o_files:>7.1} files/s",
        ms(ours)
    );
    println!(
        "  ratio to sha1sum: {:.2}x  (goal: at least 0.8x)",
        o_mb / b_mb
    );

    let latencies = runtime.block_on(watch_latency(tmp.path(), &photos, watch_files));
    let (p50, p95, max) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 100.0),
    );
    println!("\nwatcher pickup (file written and closed → its row in the database), {watch_files} files one after another");
    println!(
        "  p50 {:.1} ms   p95 {:.1} ms   max {:.1} ms  (goal: p95 under 250 ms)",
        ms(p50),
        ms(p95),
        ms(max)
    );
    println!();
    println!(
        "{}",
        goal_line("indexing_vs_sha1sum", o_mb / b_mb, ">=", 0.8)
    );
    println!(
        "{}",
        goal_line("watcher_pickup_p95_ms", ms(p95), "<", 250.0)
    );
}

async fn watch_latency(dir: &Path, photos: &[Vec<u8>], count: usize) -> Vec<Duration> {
    let folder = dir.join("watched");
    std::fs::create_dir_all(&folder).unwrap();
    let store = Store::open(&dir.join("watch.db")).await.unwrap();
    let root = store
        .add_root(&image_scorer_core::folder::check_folder(&folder).unwrap())
        .await
        .unwrap();
    let root_id = root.id;
    let watched = watched_root(&store, root_id, Path::new(&root.path))
        .await
        .unwrap();
    let _watcher = watch(store.clone(), vec![watched], |_| {}).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut latencies = Vec::with_capacity(count);
    for i in 0..count {
        let name = format!("new-{i:05}.png");
        let bytes = distinct(&photos[i % photos.len()], i + 1_000_000);
        let start = Instant::now();
        std::fs::write(folder.join(&name), &bytes).unwrap();
        loop {
            if store.image_at(root_id, &name).await.unwrap().is_some() {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{name} never arrived"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        latencies.push(start.elapsed());
    }
    latencies.sort();
    latencies
}

fn load_fixtures(dir: &Path) -> Vec<Vec<u8>> {
    let mut photos: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("fixtures at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png" || e == "jpg"))
        .collect();
    photos.sort();
    assert!(!photos.is_empty(), "no photos in {}", dir.display());
    photos.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// A copy of `photo` with 8 bytes appended after its end marker, so every file hashes apart.
fn distinct(photo: &[u8], n: usize) -> Vec<u8> {
    let mut bytes = photo.to_vec();
    bytes.extend_from_slice(&(n as u64).to_le_bytes());
    bytes
}

fn make_corpus(dir: &Path, photos: &[Vec<u8>], files: usize) -> Vec<PathBuf> {
    (0..files)
        .map(|i| {
            let sub = dir.join(format!("batch-{:02}", i / 100));
            std::fs::create_dir_all(&sub).unwrap();
            let path = sub.join(format!("img-{i:05}.png"));
            std::fs::write(&path, distinct(&photos[i % photos.len()], i)).unwrap();
            path
        })
        .collect()
}

fn sha1sum(paths: &[PathBuf]) -> Duration {
    let start = Instant::now();
    let out = Command::new("sha1sum")
        .args(paths)
        .output()
        .expect("sha1sum runs");
    assert!(out.status.success());
    start.elapsed()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
