//! Tests of the inverted file: it finds what the exact scan finds on rows with structure,
//! declines rows without, and follows rows that arrive and leave.

use super::*;

const DIM: usize = 48;

/// `clusters` groups of `each` rows with no negative element, members at cosines around 0.9
/// to each other and 0.75 to other groups' (as real embeddings of many subjects), keyed
/// from `first`.
fn clustered(index: &mut EmbeddingIndex, clusters: usize, each: usize, first: usize, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for c in 0..clusters {
        let centre: Vec<f32> = (0..DIM).map(|_| rng.f32() * rng.f32()).collect();
        for m in 0..each {
            let v: Vec<f32> = centre
                .iter()
                .map(|x| (x + 0.12 * (rng.f32() - 0.5)).max(0.0))
                .collect();
            assert!(index.push(format!("k{}", first + c * each + m), &v));
        }
    }
}

/// The part of the exact top `k` of `queries` rows that `top_k_near` finds, and a check that
/// every cosine it gives is the exact one.
fn recall(index: &EmbeddingIndex, ivf: &Ivf, k: usize, queries: usize, seed: u64) -> f64 {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut found, mut all) = (0, 0);
    for _ in 0..queries {
        let q = index.vector(rng.usize(..index.len()));
        let exact = index.top_k(&q, k, 2);
        let near = index.top_k_near(ivf, &q, k, 2);
        assert_eq!(near.len(), k);
        for n in &near {
            assert!((n.cosine - dot_exact(index, n.row, &q)).abs() < 1e-5);
        }
        let rows: Vec<usize> = near.iter().map(|n| n.row).collect();
        found += exact.iter().filter(|n| rows.contains(&n.row)).count();
        all += exact.len();
    }
    found as f64 / all as f64
}

/// The cosine of `row` with the unit `q` in f64.
fn dot_exact(index: &EmbeddingIndex, row: usize, q: &[f32]) -> f32 {
    let norm: f64 = q.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    index
        .vector(row)
        .iter()
        .zip(q)
        .map(|(a, b)| f64::from(*a) * f64::from(*b) / norm)
        .sum::<f64>() as f32
}

#[test]
fn on_rows_with_structure_a_few_lists_find_what_the_exact_scan_finds() {
    let mut index = EmbeddingIndex::new(DIM);
    clustered(&mut index, 60, 100, 0, 1);
    let lists = lists_for(index.len());
    assert_eq!(lists, 77);
    let mut ivf = Ivf::train(&index, lists, 7, 2).expect("enough rows");
    assert_eq!(ivf.len(), index.len());
    assert_eq!(
        ivf.centroids().probes(),
        lists,
        "untuned, a query reads every list"
    );
    assert_eq!(recall(&index, &ivf, 10, 20, 3), 1.0);
    assert!(
        ivf.tune(&index, 10, 5, 2),
        "rows in clusters are worth an index"
    );
    let probes = ivf.centroids().probes();
    assert!((1..=lists / 10).contains(&probes), "{probes} of {lists}");
    let got = recall(&index, &ivf, 10, 100, 9);
    assert!(
        got >= 0.98,
        "recall@10 {got} reading {probes} of {lists} lists"
    );
    assert!(ivf.bytes() < index.len() * 16 + lists * DIM * 4 + 1);
}

#[test]
fn rows_without_structure_are_left_to_the_exact_scan() {
    let mut rng = fastrand::Rng::with_seed(4);
    let mut index = EmbeddingIndex::new(DIM);
    for i in 0..6000 {
        let v: Vec<f32> = (0..DIM).map(|_| rng.f32() - 0.5).collect();
        index.push(format!("k{i}"), &v);
    }
    let mut ivf = Ivf::train(&index, lists_for(index.len()), 7, 2).unwrap();
    assert!(!ivf.tune(&index, 10, 5, 2));
    assert_eq!(ivf.centroids().probes(), ivf.centroids().lists());
    assert!(
        Ivf::train(&index, 7000, 7, 2).is_none(),
        "more lists than rows"
    );
}

#[test]
fn rows_that_arrive_go_to_their_nearest_list_and_rows_that_leave_are_gone() {
    let mut before = EmbeddingIndex::new(DIM);
    clustered(&mut before, 50, 100, 0, 1);
    let mut ivf = Ivf::train(&before, lists_for(before.len()), 7, 2).unwrap();
    assert!(ivf.tune(&before, 10, 5, 2));
    // The first 1,000 rows leave; 1,500 new ones arrive, of new subjects.
    let mut after = EmbeddingIndex::new(DIM);
    for r in 1000..before.len() {
        after.push(before.key(r).to_owned(), &before.vector(r));
    }
    clustered(&mut after, 15, 100, 5000, 2);
    let carried = ivf.keyed(&before).carry(&after, 2).unwrap();
    assert_eq!(carried.len(), after.len());
    assert_eq!(carried.centroids().probes(), ivf.centroids().probes());
    for r in 0..after.len() {
        let list = carried.list_of[r];
        match before.row_of(after.key(r)) {
            Some(b) => assert_eq!(list, ivf.list_of[b], "a known row keeps its list"),
            None => {
                // Nearest as the high halves see it: within their rounding of the nearest.
                let v = after.vector(r);
                let c = &carried.centroids().unit;
                let to = |l: usize| dot(&c[l * DIM..(l + 1) * DIM], &v);
                let best = (0..carried.centroids().lists())
                    .map(to)
                    .fold(f32::MIN, f32::max);
                assert!(
                    best - to(list as usize) <= 1.0 / 1024.0,
                    "a new row goes to its nearest list: {} < {best}",
                    to(list as usize)
                );
            }
        }
    }
    let got = recall(&after, &carried, 10, 100, 11);
    assert!(got >= 0.95, "recall@10 {got} after the library changed");
    let gone = before.vector(10);
    let near = after.top_k_near(&carried, &gone, 10, 2);
    assert!(near.iter().all(|n| after.key(n.row) != before.key(10)));
}

#[test]
fn a_bad_query_or_another_index_gets_nothing() {
    let mut index = EmbeddingIndex::new(DIM);
    clustered(&mut index, 20, 50, 0, 1);
    let ivf = Ivf::train(&index, 20, 7, 2).unwrap();
    assert!(index.top_k_near(&ivf, &[0.0; DIM], 5, 2).is_empty());
    assert!(index.top_k_near(&ivf, &[1.0; 3], 5, 2).is_empty());
    let mut other = index.clone();
    other.push("one more".into(), &[1.0; DIM]);
    assert!(other.top_k_near(&ivf, &[1.0; DIM], 5, 2).is_empty());
    assert_eq!(index.top_k_near(&ivf, &[1.0; DIM], 5, 2).len(), 5);
}
