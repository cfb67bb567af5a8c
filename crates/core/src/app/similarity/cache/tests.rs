//! Tests of the Similarity page's memory: groups of linked rows, and the pairs' search
//! saved part by part and resumed.

use super::*;

#[test]
fn groups_are_the_linked_rows_less_the_marked_ones() {
    let edges = [(1, 0, 0.95), (2, 1, 0.9), (4, 3, 0.99), (6, 5, 0.85)];
    let groups = groups_of(8, edges.into_iter(), |r| r != 5);
    assert_eq!(groups, vec![(vec![3, 4], 0.99), (vec![0, 1, 2], 0.95)]);
}

/// `rows` rows of a snapshot: unrelated ones in every direction, each third with a copy.
fn snapshot(rows: usize) -> Snapshot {
    let mut rng = fastrand::Rng::with_seed(6);
    let mut index = EmbeddingIndex::new(48);
    while index.len() < rows {
        let v: Vec<f32> = (0..48).map(|_| rng.f32() - 0.5).collect();
        index.push(format!("{:040x}", index.len()), &v);
        if index.len().is_multiple_of(3) && index.len() < rows {
            let near: Vec<f32> = v.iter().map(|x| x + 0.05 * (rng.f32() - 0.5)).collect();
            index.push(format!("{:040x}", index.len()), &near);
        }
    }
    let key = IndexKey {
        model: 3,
        library: index.len() as u64,
        embedded: index.len() as u32,
    };
    let names = vec![String::new(); index.len()];
    Snapshot::new(key, index, names)
}

fn empty() -> PairCache {
    PairCache::empty(3, 48)
}

/// The pairs by their images' keys.
fn by_key(cache: &PairCache) -> HashSet<(String, String)> {
    let key = |r: u32| cache.keys[r as usize].clone();
    cache.pairs.iter().map(|p| (key(p.a), key(p.b))).collect()
}

#[test]
fn a_search_saved_part_way_goes_on_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(PAIR_FILE);
    let whole = snapshot(3000);
    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = |heard: &Arc<std::sync::Mutex<Vec<(u32, f64)>>>| -> Searching {
        let heard = heard.clone();
        Box::new(move |images, done| heard.lock().unwrap().push((images, done)))
    };
    // Without a file: every pair of the whole library, the progress rising to the whole.
    let all = update_pairs(empty(), &whole, &listener(&heard), None, 700);
    let expected = by_key(&all);
    assert!(expected.len() > 900, "{} pairs", expected.len());
    let progress = std::mem::take(&mut *heard.lock().unwrap());
    assert!(progress.iter().all(|(n, _)| *n == 3000), "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0].1 < w[1].1), "{progress:?}");
    assert_eq!(progress.last().map(|p| p.1), Some(1.0));
    assert!(!file.exists());

    // A search stopped after the first 1,200 images' parts: the file holds their pairs.
    let first = snapshot(1200);
    update_pairs(empty(), &first, &listener(&heard), Some(&file), 700);
    let saved = pair_file::load(&file).expect("saved");
    assert_eq!(saved.keys.len(), 1200);
    heard.lock().unwrap().clear();
    // Started again on the whole library: only the other 1,800 are compared.
    let resumed = PairCache::saved(&file, 3).expect("the model's pairs");
    let done = update_pairs(resumed, &whole, &listener(&heard), Some(&file), 700);
    assert_eq!(by_key(&done), expected);
    let progress = heard.lock().unwrap().clone();
    assert!(progress.iter().all(|(n, _)| *n == 1800), "{progress:?}");
    // And the file has them all: a restart computes nothing.
    let saved = pair_file::load(&file).expect("saved");
    assert_eq!(saved.keys.len(), 3000);
    heard.lock().unwrap().clear();
    let cache = PairCache::saved(&file, 3).expect("the model's pairs");
    let again = update_pairs(cache, &whole, &listener(&heard), Some(&file), 700);
    assert_eq!(by_key(&again), expected);
    assert!(heard.lock().unwrap().is_empty());
}

#[test]
fn progress_is_told_in_order_when_the_listener_is_slow() {
    // The first report is held up in the listener: another thread's larger share, reported
    // meanwhile, must wait for it rather than be told first.
    let whole = snapshot(3000);
    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let first = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let listener: Searching = {
        let heard = heard.clone();
        Box::new(move |_, done| {
            if first.swap(false, std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            heard.lock().unwrap().push(done);
        })
    };
    let all = update_pairs(empty(), &whole, &listener, None, 3000);
    assert!(!all.pairs.is_empty());
    let progress = heard.lock().unwrap().clone();
    assert!(progress.len() > 2, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
}

#[test]
fn equal_hashes_are_linked_in_a_star_into_the_groups_every_pair_makes() {
    // Thousands of blank frames (one hash), a few near them and a pair elsewhere.
    let mut hashes: Vec<(String, u64)> = (0..1500).map(|i| (format!("{i}"), 0)).collect();
    hashes.extend([
        ("a".into(), 0b1),
        ("b".into(), 0b11),
        ("c".into(), 0b1111_1111),
    ]);
    hashes.extend([("d".into(), u64::MAX), ("e".into(), u64::MAX ^ 0b100)]);
    let mut rng = fastrand::Rng::with_seed(9);
    hashes.extend((0..300).map(|i| (format!("x{i}"), rng.u64(..))));
    let every = |hashes: &[(String, u64)], within: u32| {
        let mut pairs = Vec::new();
        for a in 0..hashes.len() {
            for b in 0..a {
                let bits = (hashes[a].1 ^ hashes[b].1).count_ones();
                if bits <= within {
                    pairs.push((a as u32, b as u32, bits));
                }
            }
        }
        pairs
    };
    let groups = |pairs: &[(u32, u32, u32)], n: usize, within: u32| {
        let edges = pairs
            .iter()
            .filter(|p| p.2 <= within)
            .map(|&(a, b, d)| (a as usize, b as usize, 1.0 - f64::from(d) / 64.0));
        groups_of(n, edges, |_| true)
    };
    let linked = hash_pairs((1, hashes.len()), hashes.clone(), 6);
    assert!(linked.pairs.len() < 1900, "{} links", linked.pairs.len());
    let all = every(&hashes, 6);
    assert!(all.len() > 1_100_000, "{} pairs", all.len());
    for within in [0, 1, 2, 4, 6] {
        assert_eq!(
            groups(&linked.pairs, hashes.len(), within),
            groups(&all, hashes.len(), within),
            "within {within} bits"
        );
    }
}
