//! The index's own tests: exact top-k, precision, projections.

use super::*;

#[test]
fn a_projection_is_the_product_with_the_rows_as_they_were_pushed() {
    let mut rng = fastrand::Rng::with_seed(9);
    let dim = 45;
    let mut index = EmbeddingIndex::new(dim);
    let rows: Vec<Vec<f32>> = (0..301)
        .map(|i| {
            let length = 0.1 + 20.0 * rng.f32();
            let row: Vec<f32> = random_unit(&mut rng, dim)
                .iter()
                .map(|v| v * length)
                .collect();
            assert!(index.push(format!("img{i}"), &row));
            row
        })
        .collect();
    let w: Vec<f32> = (0..dim).map(|_| rng.f32() - 0.5).collect();
    for threads in [1, 2, 7] {
        let projected = index.project(&w, threads);
        assert_eq!(projected.len(), rows.len());
        for (row, got) in rows.iter().zip(&projected) {
            let exact: f64 = row
                .iter()
                .zip(&w)
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum();
            let scale: f64 = row
                .iter()
                .zip(&w)
                .map(|(a, b)| f64::from((a * b).abs()))
                .sum();
            assert!(
                (f64::from(*got) - exact).abs() <= 1e-5 * scale.max(1.0),
                "{got} != {exact} ({threads} threads)"
            );
        }
    }
    assert!(index.project(&w[1..], 2).is_empty());
}

#[test]
fn top_k_equals_a_full_sort_on_any_number_of_threads() {
    let mut rng = fastrand::Rng::with_seed(5);
    let dim = 37; // not a multiple of eight
    let mut index = EmbeddingIndex::new(dim);
    for i in 0..1001 {
        assert!(index.push(format!("img{i}"), &random_unit(&mut rng, dim)));
    }
    let query = random_unit(&mut rng, dim);
    let norm = query.iter().map(|v| v * v).sum::<f32>().sqrt();
    let mut all: Vec<(usize, f32)> = (0..index.len())
        .map(|r| {
            let exact: f64 = index
                .vector(r)
                .iter()
                .zip(&query)
                .map(|(a, b)| f64::from(*a) * f64::from(*b / norm))
                .sum();
            (r, exact as f32)
        })
        .collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    for threads in [1, 2, 3, 8] {
        let top = index.top_k(&query, 10, threads);
        assert_eq!(top.len(), 10);
        let rows: Vec<usize> = top.iter().map(|n| n.row).collect();
        let want: Vec<usize> = all[..10].iter().map(|(r, _)| *r).collect();
        assert_eq!(rows, want, "{threads} threads");
        for (n, (_, exact)) in top.iter().zip(&all) {
            assert!((n.cosine - exact).abs() < 1e-5);
        }
    }
    // More than there are, and none.
    assert_eq!(index.top_k(&query, 5000, 2).len(), 1001);
    assert!(index.top_k(&query, 0, 2).is_empty());
}

#[test]
fn rows_keep_their_precision_and_near_ties_keep_their_order() {
    let mut rng = fastrand::Rng::with_seed(17);
    let dim = 768;
    let mut index = EmbeddingIndex::new(dim);
    let base = random_unit(&mut rng, dim);
    let norm = base.iter().map(|v| v * v).sum::<f32>().sqrt();
    // Copies closer to each other than half precision resolves (cosines 1e-4 apart).
    let mut copies = Vec::new();
    for i in 0..40 {
        let v: Vec<f32> = base
            .iter()
            .map(|x| x / norm + 4e-3 * (rng.f32() - 0.5))
            .collect();
        index.push(format!("copy{i}"), &v);
        copies.push(v);
    }
    for i in 0..2000 {
        index.push(format!("other{i}"), &random_unit(&mut rng, dim));
    }
    for (row, v) in copies.iter().enumerate() {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let back = index.vector(row);
        let worst = v
            .iter()
            .zip(&back)
            .map(|(a, b)| (a / n - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-6, "row {row}: {worst}");
    }
    let exact = |row: usize| -> f64 {
        let v = &copies[row];
        let n: f64 = v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
        let q: f64 = base
            .iter()
            .map(|x| f64::from(*x).powi(2))
            .sum::<f64>()
            .sqrt();
        v.iter()
            .zip(&base)
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum::<f64>()
            / n
            / q
    };
    let mut want: Vec<usize> = (0..copies.len()).collect();
    want.sort_by(|a, b| exact(*b).total_cmp(&exact(*a)));
    let top = index.top_k(&base, 20, 2);
    let spread = exact(want[0]) - exact(want[19]);
    assert!(spread < 1e-3, "the copies are near ties ({spread})");
    // The same twenty, in the exact order, up to f32 rounding (1e-6).
    let rows: Vec<usize> = top.iter().map(|n| n.row).collect();
    for w in top.windows(2) {
        assert!(
            exact(w[0].row) >= exact(w[1].row) - 1e-6,
            "{rows:?} / {want:?}"
        );
    }
    let twentieth = exact(want[19]);
    assert!(rows.iter().all(|&r| exact(r) >= twentieth - 1e-6));
    let clear = want[..20].iter().filter(|&&r| exact(r) > twentieth + 1e-6);
    assert!(clear.clone().count() >= 15);
    assert!(
        clear.into_iter().all(|r| rows.contains(r)),
        "{rows:?} / {want:?}"
    );
    for n in &top {
        assert!((f64::from(n.cosine) - exact(n.row)).abs() < 1e-6);
    }
}

#[test]
fn a_near_copy_is_the_nearest_and_bad_vectors_are_refused() {
    let mut rng = fastrand::Rng::with_seed(9);
    let dim = 64;
    let mut index = EmbeddingIndex::new(dim);
    let original = random_unit(&mut rng, dim);
    for i in 0..200 {
        index.push(format!("other{i}"), &random_unit(&mut rng, dim));
    }
    // The same picture re-encoded: a slightly different embedding, at another scale.
    let copy: Vec<f32> = original
        .iter()
        .map(|v| 3.0 * (v + 0.01 * (rng.f32() - 0.5)))
        .collect();
    index.push("copy".into(), &copy);
    let top = index.top_k(&original, 3, 2);
    assert_eq!(index.key(top[0].row), "copy");
    assert!(top[0].cosine > 0.99 && top[1].cosine < 0.6, "{top:?}");
    assert_eq!(index.row_of("copy"), Some(200));
    assert!((index.cosine(200, 200) - 1.0).abs() < 1e-5);
    assert!(!index.push("short".into(), &[1.0; 3]));
    assert!(!index.push("zero".into(), &[0.0; 64]));
    assert!(!index.push("nan".into(), &[f32::NAN; 64]));
    assert!(index.top_k(&[0.0; 64], 3, 2).is_empty());
    assert_eq!(index.len(), 201);
}
