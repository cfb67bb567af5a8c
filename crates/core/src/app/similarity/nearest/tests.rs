//! Tests of the approximate index's builder: built for a large snapshot in the background,
//! carried over to the next, declined where it would not help.

use super::super::cache::IndexKey;
use super::*;
use crate::similarity::EmbeddingIndex;
use std::ops::Range;

const DIM: usize = 48;

/// A snapshot of `model`'s rows: the `clusters` of a series of groups of 50 rows with no
/// negative element (a row keyed by its place in the series, the same in every snapshot), or
/// as many rows in every direction when `clusters` is `None`.
fn snapshot(model: i64, clusters: Option<Range<usize>>, seed: u64) -> Snapshot {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut index = EmbeddingIndex::new(DIM);
    let mut centre: Vec<f32> = Vec::new();
    let wanted = clusters.clone().unwrap_or(0..60);
    for i in 0..wanted.end * 50 {
        let v: Vec<f32> = match clusters {
            Some(_) => {
                if i % 50 == 0 {
                    centre = (0..DIM).map(|_| rng.f32() * rng.f32()).collect();
                }
                centre
                    .iter()
                    .map(|x| (x + 0.12 * (rng.f32() - 0.5)).max(0.0))
                    .collect()
            }
            None => (0..DIM).map(|_| rng.f32() - 0.5).collect(),
        };
        if wanted.contains(&(i / 50)) {
            index.push(format!("{i:040x}"), &v);
        }
    }
    let key = IndexKey {
        model,
        library: wanted.start as u64,
        embedded: index.len() as u32,
    };
    let names = vec![String::new(); index.len()];
    Snapshot::new(key, index, names)
}

/// The part of the exact top 10 of 50 rows' that the snapshot's `top_k` finds.
fn recall(snapshot: &Snapshot) -> f64 {
    let (mut found, mut all) = (0, 0);
    for r in (0..snapshot.index.len()).step_by(snapshot.index.len() / 50) {
        let q = snapshot.index.vector(r);
        let near: Vec<usize> = snapshot.top_k(&q, 10).iter().map(|n| n.row).collect();
        let exact = snapshot.index.top_k(&q, 10, 2);
        found += exact.iter().filter(|n| near.contains(&n.row)).count();
        all += exact.len();
    }
    found as f64 / all as f64
}

#[test]
fn a_large_snapshot_gets_an_index_and_the_next_one_starts_from_it() {
    let builder = Approximate::from_rows(1000);
    let first = snapshot(3, Some(0..60), 1);
    builder.build_now(&first);
    let ivf = first
        .near
        .get()
        .expect("an index for 3,000 rows in clusters");
    let probes = ivf.centroids().probes();
    assert!(probes * 10 <= ivf.centroids().lists(), "{probes}");
    assert!(recall(&first) >= 0.98);

    // The next snapshot: 20 clusters left, 30 arrived; the same centroids, the rows kept in
    // their lists, the new ones in their nearest.
    let mut next = snapshot(3, Some(20..90), 1);
    builder.build_now(&next);
    let carried = next.near.get().expect("carried over");
    assert!(std::ptr::eq(carried.centroids(), ivf.centroids()));
    assert!(recall(&next) >= 0.95, "{}", recall(&next));
    // A library twice the size it was trained on is trained again.
    next = snapshot(3, Some(0..130), 1);
    builder.build_now(&next);
    let trained = next.near.get().expect("trained again");
    assert!(!std::ptr::eq(trained.centroids(), ivf.centroids()));
    assert_eq!(trained.centroids().trained_on(), 6500);
}

#[test]
fn a_small_or_structureless_library_is_left_to_the_exact_scan() {
    let builder = Approximate::from_rows(4000);
    let small = snapshot(3, Some(0..60), 1);
    builder.build_now(&small);
    assert!(small.near.get().is_none(), "3,000 rows is under 4,000");
    let q = small.index.vector(7);
    assert_eq!(small.top_k(&q, 10), small.index.top_k(&q, 10, 2));

    let builder = Approximate::from_rows(1000);
    let random = snapshot(4, None, 2);
    builder.build_now(&random);
    assert!(random.near.get().is_none(), "no structure: no index");
    let again = snapshot(4, None, 3);
    builder.build_now(&again);
    assert!(again.near.get().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_is_built_in_the_background_while_the_exact_scan_answers() {
    let builder = Arc::new(Approximate::from_rows(1000));
    let snap = Arc::new(snapshot(3, Some(0..60), 1));
    builder.start(&snap);
    let q = snap.index.vector(5);
    assert_eq!(snap.top_k(&q, 10).len(), 10, "answered while it is built");
    let began = std::time::Instant::now();
    while snap.near.get().is_none() {
        assert!(began.elapsed().as_secs() < 60, "built in the background");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // A snapshot dropped before its turn is not built.
    let gone = Arc::new(snapshot(3, Some(0..60), 2));
    let _busy = builder.last.lock().unwrap();
    builder.start(&gone);
    let weak = Arc::downgrade(&gone);
    drop(gone);
    drop(_busy);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(weak.upgrade().is_none());
}
