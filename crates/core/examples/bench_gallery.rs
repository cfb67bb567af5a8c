//! `cargo xtask bench gallery`, the app core's part: a synthetic library of 100,000 small
//! images on disk, indexed by the library's own scan into the app's database (then scored by
//! two raters and predicted by a model, written straight into the log), and, through the app's
//! commands in the release build:
//!
//! - a page of 200 tiles at random positions of an order (goal: p95 under 20 ms), against the
//!   same page read with `LIMIT 200 OFFSET n` over the images by name (the baseline);
//! - a sort change: the order computed again for each of the gallery's sorts, its first page
//!   with it (goal: the slowest under 200 ms).
//!
//! At 1,000,000 images or more (`cargo xtask bench million`) it also measures, with goal lines
//! of their own (named `million_…`): indexing the library afresh into a new database against
//! `sha1sum` over the same files (page cache warm for both), a JSONL and a parquet export of
//! every rating, and the process's peak resident memory over the whole run.
//!
//! The library is kept in DIR for the webview's part (`bench_gallery` of the e2e crate), which
//! opens it in the real app: DIR/photos, and the app's folders DIR/data and DIR/cache as
//! XDG_DATA_HOME and XDG_CACHE_HOME. A library already there (of the same size) is reused.
//!
//! Usage: bench_gallery DIR [IMAGES]

#[path = "common/goal.rs"]
mod goal;
#[path = "common/memory.rs"]
mod memory;

use goal::goal_line;
use image_scorer_core::app::indexer::scan_root;
use image_scorer_core::app::{NullSink, IDENTIFIER};
use image_scorer_core::{App, AppConfig, Store};
use image_scorer_protocol::commands::{AddScore, GetGallery, GetScoreQueue};
use image_scorer_protocol::{ExportFormat, ExportOptions, GalleryQuery, GallerySort};
use memory::peak_rss_gb;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Images per folder of the synthetic library.
const PER_FOLDER: usize = 1000;
/// The rater whose scores are "mine".
const ME: &str = "ana";
/// From this many images the run is `bench million`'s, with its goals.
const MILLION: usize = 1_000_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: bench_gallery DIR [IMAGES]"));
    let images: usize = args.next().map_or(100_000, |s| s.parse().expect("IMAGES"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let data = dir.join("data").join(IDENTIFIER);
    let db = data.join(image_scorer_core::app::database::FILE_NAME);
    let marker = dir.join(format!("ready-{images}"));
    if !marker.is_file() {
        let _ = std::fs::remove_dir_all(&dir);
        let start = Instant::now();
        let photos = write_photos(&dir.join("photos"), images);
        println!(
            "wrote {images} images of 48 x 32 pixels in {} folders ({:.1} s)",
            images.div_ceil(PER_FOLDER),
            start.elapsed().as_secs_f64()
        );
        let start = Instant::now();
        runtime.block_on(index(&db, &photos, images));
        println!("indexed them in {:.1} s", start.elapsed().as_secs_f64());
        judge(&db, images);
        std::fs::write(&marker, b"").unwrap();
    } else {
        println!(
            "reusing the library of {images} images in {}",
            dir.display()
        );
    }

    let million = images >= MILLION;
    let indexing = million.then(|| runtime.block_on(index_against_sha1sum(&dir, images)));
    let config = AppConfig::in_folders(data, dir.join("cache").join(IDENTIFIER));
    runtime.block_on(async {
        let app = App::open(config, Arc::new(NullSink)).await.unwrap();
        let (page_p95, sort_worst) = measure(&app, &db, images).await;
        let export_s = if million {
            exports(&app, &dir).await
        } else {
            0.0
        };
        app.close().await;
        if let Some(ratio) = indexing {
            let peak = peak_rss_gb();
            println!("peak resident memory of this process over the run: {peak:.2} GB");
            println!(
                "{}",
                goal_line("million_gallery_page_p95_ms", page_p95, "<", 20.0)
            );
            println!(
                "{}",
                goal_line("million_gallery_sort_change_ms", sort_worst, "<", 300.0)
            );
            println!("{}", goal_line("million_export_s", export_s, "<", 60.0));
            println!(
                "{}",
                goal_line("million_indexing_vs_sha1sum", ratio, ">=", 1.0)
            );
            println!("{}", goal_line("million_peak_rss_gb", peak, "<", 2.5));
        } else {
            println!("{}", goal_line("gallery_page_p95_ms", page_p95, "<", 20.0));
            println!(
                "{}",
                goal_line("gallery_sort_change_ms", sort_worst, "<", 200.0)
            );
        }
    });
}

/// Indexes the library's photos afresh into a new database with the library's own scan, and
/// `sha1sum` over the same files (one process, as many files an invocation as `xargs` puts);
/// each after a first reading warmed the page cache. Returns ours / sha1sum's throughput.
async fn index_against_sha1sum(dir: &Path, n: usize) -> f64 {
    let photos = dir.join("photos");
    let sha1sum = || {
        let t = Instant::now();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg("find . -type f -print0 | xargs -0 sha1sum > /dev/null")
            .current_dir(&photos)
            .status()
            .expect("sh");
        assert!(status.success(), "sha1sum over the photos");
        t.elapsed().as_secs_f64()
    };
    sha1sum();
    let theirs = sha1sum();
    let db = dir.join("index-again.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let t = Instant::now();
    index(&db, &photos, n).await;
    let ours = t.elapsed().as_secs_f64();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    println!(
        "indexing {n} files afresh: {ours:.1} s ({:.0} files/s); sha1sum over the same files: \
         {theirs:.1} s ({:.0} files/s); ours / sha1sum's throughput {:.2}",
        n as f64 / ours,
        n as f64 / theirs,
        theirs / ours
    );
    theirs / ours
}

/// A JSONL and a parquet export of every rating (each image's mean), timed; returns the
/// slower one's seconds.
async fn exports(app: &App, dir: &Path) -> f64 {
    let out = dir.join("exports");
    std::fs::create_dir_all(&out).unwrap();
    let mut slowest = 0.0f64;
    for format in [ExportFormat::Jsonl, ExportFormat::Parquet] {
        let path = out.join(format!("ratings.{}", format.extension()));
        let t = Instant::now();
        let summary = app
            .export_to(
                &path,
                &ExportOptions {
                    format,
                    ..ExportOptions::default()
                },
            )
            .await
            .unwrap();
        let took = t.elapsed().as_secs_f64();
        let bytes: u64 = summary
            .files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        println!(
            "export {}: {} rows in {took:.1} s ({:.0} MB)",
            format.extension(),
            summary.rows,
            bytes as f64 / 1e6
        );
        slowest = slowest.max(took);
    }
    slowest
}

/// Writes `n` distinct small PNGs (a colour ramp each) below `root`, a thousand a folder.
fn write_photos(root: &Path, n: usize) -> PathBuf {
    for k in 0..n {
        let folder = root.join(format!("d{:03}", k / PER_FOLDER));
        if k % PER_FOLDER == 0 {
            std::fs::create_dir_all(&folder).unwrap();
        }
        let image = image::RgbImage::from_fn(48, 32, |x, y| {
            let v = k as u32;
            image::Rgb([
                (v % 251 + x * 3) as u8,
                ((v / 251) % 251 + y * 5) as u8,
                ((v / 63001) * 60 + (x + y)) as u8,
            ])
        });
        image.save(folder.join(format!("img-{k:06}.png"))).unwrap();
    }
    root.to_owned()
}

/// Indexes `photos` into the database at `db` with the library's own scan.
async fn index(db: &Path, photos: &Path, n: usize) {
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let store = Store::open(db).await.unwrap();
    let root = store
        .add_root(&image_scorer_core::folder::check_folder(photos).unwrap())
        .await
        .unwrap();
    let report = scan_root(&store, root.id, Path::new(&root.path), |_| {})
        .await
        .unwrap();
    assert_eq!(report.found, n, "every image found");
    store.close().await;
}

/// Two raters' scores (ana 30 % of the images, ben 10 %, overlapping) and a model's prediction
/// of every image, written into the log in one transaction as the app writes them.
fn judge(db: &Path, n: usize) {
    let mut conn = rusqlite::Connection::open(db).unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute_batch(
        "INSERT INTO raters (name) VALUES ('ana'), ('ben');
         INSERT INTO models (hash, name) VALUES ('bench', 'Synthetic');",
    )
    .unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    {
        let mut judgement = tx
            .prepare(
                "INSERT INTO judgements (kind, rater_id, value, created)
                 VALUES ('score', (SELECT id FROM raters WHERE name = ?1), ?2, ?3)",
            )
            .unwrap();
        let mut image = tx
            .prepare(
                "INSERT INTO judgement_images (judgement_id, position, image_id, role)
                 VALUES (?1, 0, ?2, 'subject')",
            )
            .unwrap();
        let mut prediction = tx
            .prepare("INSERT INTO predictions (image_id, model_id, score) VALUES (?1, 1, ?2)")
            .unwrap();
        for id in 1..=n as i64 {
            let quality = rng.f64() * 9.0 + 1.0;
            prediction
                .execute((id, (quality + rng.f64() - 0.5).clamp(1.0, 10.0)))
                .unwrap();
            for (rater, share) in [("ana", 0.3), ("ben", 0.1)] {
                if rng.f64() < share {
                    let value = (quality + rng.f64() * 2.0 - 1.0).round().clamp(1.0, 10.0);
                    let created = format!("2026-11-{:02}T10:00:00.000Z", 1 + id % 28);
                    judgement.execute((rater, value, created)).unwrap();
                    image.execute((tx.last_insert_rowid(), id)).unwrap();
                }
            }
        }
    }
    tx.commit().unwrap();
    println!("judged: ana about 30 % of the images, ben 10 %; a prediction of every image");
}

async fn gallery(app: &App, sort: GallerySort, start: u32, refresh: bool) -> Duration {
    let query = GalleryQuery {
        rater: ME.into(),
        sort,
        descending: sort != GallerySort::Name,
        ..GalleryQuery::default()
    };
    let t = Instant::now();
    let page = app
        .call(GetGallery {
            query,
            start,
            limit: 200,
            refresh,
        })
        .await
        .unwrap();
    let took = t.elapsed();
    assert!(!page.tiles.is_empty(), "a page at {start}");
    took
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}

/// The gallery's figures; returns (a page's p95, the slowest sort change of the second round)
/// in ms.
async fn measure(app: &App, db: &Path, n: usize) -> (f64, f64) {
    // Sort changes: each order computed afresh, with its first page.
    let mut changes = Vec::new();
    for sort in GallerySort::ALL {
        let took = ms(gallery(app, sort, 0, true).await);
        println!("sort change to {:<12} {took:7.1} ms", sort.as_str());
        changes.push(took);
    }
    // Again, now that the rankings are fitted and the library's rows are read.
    let mut again = Vec::new();
    for sort in GallerySort::ALL {
        again.push(ms(gallery(app, sort, 0, true).await));
    }
    let worst_first = changes.iter().copied().fold(0.0, f64::max);
    let worst = again.iter().copied().fold(0.0, f64::max);
    println!(
        "sort change, second round: p50 {:.1} ms, slowest {worst:.1} ms (first round slowest \
         {worst_first:.1} ms: the library's rows read, the ranking's first fit)",
        percentile(&mut again.clone(), 0.5)
    );
    // After a judgement the rows are read again: a score, then the order by mean anew.
    let mut after = Vec::new();
    for k in 0..5 {
        let sha1 = app
            .call(GetGallery {
                query: GalleryQuery {
                    rater: ME.into(),
                    ..GalleryQuery::default()
                },
                start: k,
                limit: 1,
                refresh: false,
            })
            .await
            .unwrap()
            .tiles[0]
            .sha1
            .clone();
        app.call(AddScore {
            rater: ME.into(),
            sha1,
            value: 7.0,
        })
        .await
        .unwrap();
        after.push(ms(gallery(app, GallerySort::Mean, 0, true).await));
    }
    println!(
        "the order by mean after a new score (the library's rows read again): p50 {:.1} ms, \
         slowest {:.1} ms",
        percentile(&mut after.clone(), 0.5),
        after.iter().copied().fold(0.0, f64::max)
    );

    // Pages at random positions of the order by mean score.
    gallery(app, GallerySort::Mean, 0, true).await;
    let mut rng = fastrand::Rng::with_seed(11);
    let positions: Vec<u32> = (0..100).map(|_| rng.u32(0..(n as u32 - 200))).collect();
    let mut pages = Vec::new();
    for &p in &positions {
        pages.push(ms(gallery(app, GallerySort::Mean, p, false).await));
    }
    // The baseline: the same number of rows at the same depths by OFFSET, ordered by name.
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut offset = Vec::new();
    let mut query = conn
        .prepare("SELECT id, sha1, name, width, height FROM shown_images ORDER BY name LIMIT 200 OFFSET ?1")
        .unwrap();
    for &p in &positions {
        let t = Instant::now();
        let rows = query
            .query_map([p], |r| r.get::<_, i64>(0))
            .unwrap()
            .count();
        assert_eq!(rows, 200);
        offset.push(ms(t.elapsed()));
    }
    let (p50, p95) = (percentile(&mut pages, 0.5), percentile(&mut pages, 0.95));
    let (o50, o95) = (percentile(&mut offset, 0.5), percentile(&mut offset, 0.95));
    println!(
        "a page of 200 tiles at a random position of {n}: p50 {p50:.1} ms, p95 {p95:.1} ms \
         (tiles with scores, mean, prediction, rank, judgements)"
    );
    println!(
        "baseline, 200 bare rows (id, hash, name, size) by LIMIT/OFFSET at the same positions: \
         p50 {o50:.1} ms, p95 {o95:.1} ms; ours / baseline at p95 = {:.2}",
        p95 / o95
    );
    // The Score page's first window of its queue from the same rows (the whole library
    // ordered, 500 of it sent).
    let mut queues = Vec::new();
    for seed in 0..5 {
        let t = Instant::now();
        let q = app
            .call(GetScoreQueue {
                rater: ME.into(),
                include_rated: true,
                seed,
                predicted_first: false,
                teach: false,
                window: Some(image_scorer_protocol::commands::QueueWindow {
                    limit: 500,
                    known: Vec::new(),
                }),
            })
            .await
            .unwrap();
        assert_eq!(q.items.len() + q.rest as usize, n);
        queues.push(ms(t.elapsed()));
    }
    println!(
        "the Score page's window of 500 of a queue of {n} (the gallery's rows): first {:.1} ms, \
         then p50 {:.1} ms",
        queues[0],
        percentile(&mut queues[1..].to_vec(), 0.5)
    );

    // Thumbnails of a first screen, made afresh (none cached), one after another.
    let first = app
        .call(GetGallery {
            query: GalleryQuery {
                rater: ME.into(),
                sort: GallerySort::Name,
                ..GalleryQuery::default()
            },
            start: 5000,
            limit: 24,
            refresh: true,
        })
        .await
        .unwrap();
    let mut made = Vec::new();
    for tile in &first.tiles {
        let t = Instant::now();
        let served = app.serve_image(&format!("/thumb/{}", tile.sha1)).await;
        assert_eq!(served.status, 200);
        made.push(ms(t.elapsed()));
    }
    let t = Instant::now();
    for tile in &first.tiles {
        app.serve_image(&format!("/thumb/{}", tile.sha1)).await;
    }
    let cached = ms(t.elapsed()) / first.tiles.len() as f64;
    println!(
        "a thumbnail made afresh: p50 {:.1} ms, slowest {:.1} ms; served from the cache: {cached:.2} ms",
        percentile(&mut made.clone(), 0.5),
        made.iter().copied().fold(0.0, f64::max)
    );
    (p95, worst)
}
