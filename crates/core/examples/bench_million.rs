//! `cargo xtask bench million`: the app at 1,000,000 images (issue 28). So far its
//! find-similar part: the top 10 of a query from the approximate index (an inverted file over
//! the half-precision rows, the candidates scored again from both halves) against the exact
//! scan, on 1,000,000 x 768 embeddings like real ones: no element negative, rows of a subject
//! (a few thousand subjects of very different sizes and spreads, in a hundred themes, each
//! picture a little of another subject too), unrelated rows at cosines of about 0.5, a row's
//! nearest neighbours at about 0.8 (the bench prints both), and planted groups of near-copies.
//!
//! What flatters the index: the subjects are blobs around a centre with independent noise per
//! element, which an inverted file splits more cleanly than the subjects of real images run
//! into each other; the rows' high halves are in memory and warm, and the low halves, kept in
//! a file of the cache folder as the app keeps a large library's, are in the page cache after
//! their first reading.
//!
//! Usage: bench_million [ROWS] [DIM] [THREADS]

#[path = "common/goal.rs"]
mod goal;
#[path = "common/memory.rs"]
mod memory;

use goal::goal_line;
use image_scorer_core::similarity::{lists_for, EmbeddingIndex, Ivf};
use memory::{peak_rss_gb, resident};
use std::path::Path;
use std::time::Instant;

/// From this many rows the app keeps the low halves on disk (as its similarity cache does).
const LOW_ON_DISK_FROM: usize = 100_000;

/// Subjects, their sizes skewed (a few large, many small), in themes.
const SUBJECTS: usize = 3000;
const THEMES: usize = 100;
/// Planted groups of near-copies, and their size.
const PLANTED: usize = 200;
const COPIES: usize = 5;
/// Queries timed and checked.
const QUERIES: usize = 200;
const K: usize = 10;
/// What the app tunes its index for (a dropped file's results).
const TUNED_K: usize = 24;

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().map_or(1_000_000, |s| s.parse().expect("ROWS"));
    let dim: usize = args.next().map_or(768, |s| s.parse().expect("DIM"));
    let threads: usize = args.next().map_or(2, |s| s.parse().expect("THREADS"));

    // The low halves in a file, as the app keeps a large library's.
    let cache = tempfile::tempdir().expect("a temporary folder");
    let t = Instant::now();
    let index = embeddings(rows, dim, 28, cache.path());
    println!(
        "{rows} x {dim} embeddings of {SUBJECTS} subjects made in {:.1} s; {threads} threads",
        t.elapsed().as_secs_f64()
    );
    statistics(&index, threads);

    // The index as the app builds it in the background: trained, tuned, then carried over to
    // a library with 1 % new rows.
    let t = Instant::now();
    let mut ivf = Ivf::train(&index, lists_for(rows), 28, threads).expect("enough rows");
    let trained_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let useful = ivf.tune(&index, TUNED_K, 29, threads);
    let tuned_s = t.elapsed().as_secs_f64();
    let (lists, probes) = (ivf.centroids().lists(), ivf.centroids().probes());
    println!(
        "  approximate index: {lists} lists trained and every row put in one in {trained_s:.1} s; \
         tuned for the top {TUNED_K} in {tuned_s:.1} s: a query reads {probes} lists{}",
        if useful {
            ""
        } else {
            " (not worth it: the app would keep the exact scan)"
        }
    );
    let t = Instant::now();
    let keyed = ivf.keyed(&index);
    let keyed_s = t.elapsed().as_secs_f64();

    let mut rng = fastrand::Rng::with_seed(30);
    let (mut exact_ms, mut near_ms) = (Vec::new(), Vec::new());
    let (mut found, mut wanted, mut copies_first) = (0, 0, 0);
    for q in 0..QUERIES {
        // Half the queries are planted copies (their group must come first), half any row.
        let row = if q % 2 == 0 {
            (q / 2 % PLANTED) * COPIES
        } else {
            rng.usize(PLANTED * COPIES..rows)
        };
        let query = index.vector(row);
        let t = Instant::now();
        let exact = index.top_k(&query, K + 1, threads);
        exact_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let near = index.top_k_near(&ivf, &query, K + 1, threads);
        near_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let near: Vec<usize> = near.iter().map(|n| n.row).filter(|r| *r != row).collect();
        let exact: Vec<usize> = exact.iter().map(|n| n.row).filter(|r| *r != row).collect();
        found += exact.iter().take(K).filter(|r| near.contains(r)).count();
        wanted += exact.len().min(K);
        if q % 2 == 0 {
            let group = row / COPIES;
            copies_first += near[..COPIES - 1]
                .iter()
                .filter(|r| **r / COPIES == group)
                .count();
        }
    }
    let recall = found as f64 / wanted as f64;
    let (exact_p50, exact_p95) = percentiles(&mut exact_ms);
    let (near_p50, near_p95) = percentiles(&mut near_ms);
    println!(
        "  top {K} of a row: exact scan p50 {exact_p50:.1} ms p95 {exact_p95:.1} ms; \
         approximate p50 {near_p50:.2} ms p95 {near_p95:.2} ms; recall@{K} {recall:.4} \
         over {QUERIES} queries; planted copies found first: {copies_first} of {}",
        QUERIES / 2 * (COPIES - 1)
    );

    let memory = resident();

    // Rows arriving: 1 % new, as many gone.
    let mut next = EmbeddingIndex::with_capacity(dim, rows);
    next.low_on_disk_from(LOW_ON_DISK_FROM, cache.path().to_owned());
    for r in rows / 100..rows {
        next.push(index.key(r).to_owned(), &index.vector(r));
    }
    let arrivals = embeddings(rows / 100, dim, 31, cache.path());
    for r in 0..arrivals.len() {
        next.push(format!("new{r}"), &arrivals.vector(r));
    }
    let t = Instant::now();
    let carried = keyed.carry(&next, threads).expect("same dimension");
    let carry_s = t.elapsed().as_secs_f64() + keyed_s;
    println!(
        "  {} rows arrived and as many left: the index carried over in {carry_s:.2} s \
         ({} rows in its lists)",
        rows / 100,
        carried.len()
    );
    drop(next);

    let held = (index.bytes_in_memory() + ivf.bytes()) as f64;
    println!(
        "  memory: the index's own {:.1} MB (centroids, each row's list) beside the rows' high \
         halves, lengths and keys {:.2} GB in memory; the low halves {:.2} GB on disk, read \
         for the candidates only; after the queries the process held {:.2} GB of its own \
         and {:.2} GB of mapped file pages; peak RSS {:.2} GB (the bench holds two libraries \
         at once for the carry-over)",
        ivf.bytes() as f64 / 1e6,
        index.bytes_in_memory() as f64 / 1e9,
        index.bytes_on_disk() as f64 / 1e9,
        memory.0,
        memory.1,
        peak_rss_gb()
    );
    std::hint::black_box(&carried);

    println!(
        "{}",
        goal_line("million_find_similar_p95_ms", near_p95, "<", 50.0)
    );
    println!(
        "{}",
        goal_line(
            "million_find_similar_vs_exact",
            exact_p50 / near_p50,
            ">=",
            10.0
        )
    );
    println!(
        "{}",
        goal_line("million_find_similar_recall", recall, ">=", 0.99)
    );
    println!(
        "{}",
        goal_line("million_find_similar_memory_gb", held / 1e9, "<", 2.0)
    );
}

/// `rows` embeddings of `dim` like real ones (see the file's comment), from `seed`: first the
/// planted groups of copies, then rows of skewed subjects.
fn embeddings(rows: usize, dim: usize, seed: u64, cache: &Path) -> EmbeddingIndex {
    let mut rng = fastrand::Rng::with_seed(seed);
    let positive = |rng: &mut fastrand::Rng| -> Vec<f32> {
        // Sparse, as a ReLU network's features: most elements of a draw are zero.
        (0..dim)
            .map(|_| (rng.f32() * rng.f32() - 0.25).max(0.0))
            .collect()
    };
    // Themes (say animals, people, landscapes), each with subjects (dogs, cats) around it:
    // the rows after a subject's own nearest a query are of its theme's other subjects.
    let themes: Vec<Vec<f32>> = (0..THEMES).map(|_| positive(&mut rng)).collect();
    let subjects: Vec<(Vec<f32>, f32)> = (0..SUBJECTS)
        .map(|s| {
            let own = positive(&mut rng);
            let centre = themes[s % THEMES]
                .iter()
                .zip(&own)
                .map(|(t, o)| 0.6 * t + 0.4 * o)
                .collect();
            (centre, 0.1 + 0.25 * rng.f32())
        })
        .collect();
    let mut index = EmbeddingIndex::with_capacity(dim, rows);
    index.low_on_disk_from(LOW_ON_DISK_FROM, cache.to_owned());
    let mut row = vec![0.0f32; dim];
    let pick = |rng: &mut fastrand::Rng| {
        // Skewed: the square of a uniform favours the first subjects.
        &subjects[((rng.f32().powi(2)) * SUBJECTS as f32) as usize % SUBJECTS]
    };
    let draw = |rng: &mut fastrand::Rng, row: &mut Vec<f32>| {
        // A picture is mostly of its subject and a little of another (a dog on a beach).
        let ((centre, spread), (other, _)) = (pick(rng), pick(rng));
        for ((x, c), o) in row.iter_mut().zip(centre).zip(other) {
            *x = (0.8 * c + 0.2 * o + spread * (rng.f32() - 0.5)).max(0.0);
        }
    };
    for g in 0..PLANTED.min(rows / COPIES) {
        draw(&mut rng, &mut row);
        for c in 0..COPIES {
            let copy: Vec<f32> = row
                .iter()
                .map(|x| (x + 0.02 * (rng.f32() - 0.5)).max(0.0))
                .collect();
            index.push(format!("g{g}-{c}"), &copy);
        }
    }
    while index.len() < rows {
        draw(&mut rng, &mut row);
        index.push(format!("r{}", index.len()), &row);
    }
    index
}

/// How alike the rows are: random pairs, and a row's nearest and tenth nearest (of 50).
fn statistics(index: &EmbeddingIndex, threads: usize) {
    let mut rng = fastrand::Rng::with_seed(5);
    let n = index.len();
    let random: f32 = (0..2000)
        .map(|_| index.cosine(rng.usize(..n), rng.usize(..n)))
        .sum::<f32>()
        / 2000.0;
    let (mut first, mut tenth) = (0.0, 0.0);
    for _ in 0..50 {
        let row = rng.usize(PLANTED * COPIES..n);
        let top = index.top_k(&index.vector(row), 11, threads);
        first += top[1].cosine / 50.0;
        tenth += top[10].cosine / 50.0;
    }
    println!(
        "  cosines: random pairs {random:.3} on average; a row's nearest {first:.3}, its tenth \
         nearest {tenth:.3}"
    );
}

/// The median and the 95th percentile of `times`.
fn percentiles(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.95))
}
