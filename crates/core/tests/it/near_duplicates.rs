//! Similarity on the real fixture photos through the whole app: re-encoded, resized and
//! cropped copies of a photo are its nearest neighbours and land in its group (by the real
//! EfficientNet-Lite0 embeddings and by the perceptual hash, at the default thresholds),
//! different photos do not; an outside copy finds the library photo first; duplicate marks
//! take images out of the queues and undo brings them back; likeness judgements are stored as
//! shown and undone.

use image::imageops::FilterType;
use image_scorer_core::app::ChannelSink;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{
    DuplicateMethod, ErrorKind, JudgementKind, PairKind, DEFAULT_DISTANCE, DEFAULT_THRESHOLD,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::common;
use common::Backend;

/// The photos that get copies, and the kinds of copy.
const ORIGINALS: [&str; 3] = ["chelsea.png", "coffee.png", "astronaut.png"];
const COPIES: [&str; 3] = ["reencoded", "resized", "cropped"];

async fn copies_are_nearest_and_grouped_and_marks_leave_the_queues(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    for entry in std::fs::read_dir(common::fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "png" || e == "jpg") {
            std::fs::copy(&path, photos.join(path.file_name().unwrap())).unwrap();
        }
    }
    let mut family: HashMap<String, String> = HashMap::new(); // file -> its original
    for name in ORIGINALS {
        family.insert(name.to_owned(), name.to_owned());
        for copy in common::copies(name, &photos) {
            family.insert(copy, name.to_owned());
        }
    }
    // The stereo pair: two shots of one scene a few centimetres apart, which a person curating
    // a dataset wants to see as near-duplicates too.
    family.insert("motorcycle_left.png".into(), "motorcycle".into());
    family.insert("motorcycle_right.png".into(), "motorcycle".into());
    let total = 7 + ORIGINALS.len() * COPIES.len();
    // An outside copy of a photo that has none in the library.
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let rocket = image::open(common::fixture_path("rocket.jpg")).unwrap();
    let outside_file = outside.join("rocket small.jpg");
    rocket
        .resize(
            rocket.width() / 2,
            rocket.height() / 2,
            FilterType::Triangle,
        )
        .save(&outside_file)
        .unwrap();

    let mut config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    config.onnx_runtime = vec![common::ort_library()];
    config.low_priority = false;
    common::on_backend(&mut config, backend);
    common::install_pack(
        &config.packs_dir().join("efficientnet"),
        common::EFFICIENTNET_FEATURES,
        &["efficientnet-lite0-imagenet.onnx"],
    );
    let (sink, mut events) = ChannelSink::new();
    let app = App::open(config, Arc::new(sink)).await.unwrap();

    // Without a pack yet: similarity says what is missing, the hash still works.
    let refused = app
        .call(FindSimilar {
            sha1: "0".repeat(40),
            k: 5,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Model, "{refused:?}");
    assert!(
        refused.message.contains("model pack"),
        "{}",
        refused.message
    );

    app.open_folder(&photos).await.unwrap();
    app.start();
    common::until("every image embedded", || async {
        let p = app.call(GetPredictor {}).await.unwrap().progress;
        p.total as usize == total && p.done == p.total
    })
    .await;
    common::until("every image hashed", || async {
        let (done, all) = app.store().hash_counts().await.unwrap();
        all as usize == total && done == all
    })
    .await;
    let queue = app
        .call(GetScoreQueue {
            rater: "ana".into(),
            include_rated: true,
            seed: 1,
            predicted_first: false,
            teach: false,
            window: None,
        })
        .await
        .unwrap();
    assert_eq!(queue.items.len(), total);
    let sha1_of: HashMap<String, String> = queue
        .items
        .iter()
        .map(|i| (i.name.clone(), i.sha1.clone()))
        .collect();
    let name_of: HashMap<String, String> = queue
        .items
        .iter()
        .map(|i| (i.sha1.clone(), i.name.clone()))
        .collect();

    // The figures behind the default thresholds (README): copies against different photos.
    let index = app
        .store()
        .read_embeddings(
            app.predictor().model_id().unwrap(),
            image_scorer_core::similarity::EmbeddingIndex::default(),
        )
        .await
        .unwrap();
    let hashes: HashMap<String, u64> = app
        .store()
        .image_hashes()
        .await
        .unwrap()
        .into_iter()
        .collect();
    let (mut same, mut different) = (Vec::new(), Vec::new());
    for a in 0..index.len() {
        for b in 0..a {
            let (na, nb) = (&name_of[index.key(a)], &name_of[index.key(b)]);
            let bits = (hashes[index.key(a)] ^ hashes[index.key(b)]).count_ones();
            let figure = (index.cosine(a, b), bits, format!("{na} / {nb}"));
            match (family.get(na), family.get(nb)) {
                (Some(x), Some(y)) if x == y => same.push(figure),
                _ => different.push(figure),
            }
        }
    }
    let lowest_same = same.iter().map(|f| f.0).fold(f32::INFINITY, f32::min);
    let highest_other = different
        .iter()
        .map(|f| f.0)
        .fold(f32::NEG_INFINITY, f32::max);
    let widest_same = same.iter().map(|f| f.1).max().unwrap();
    let closest_other = different.iter().map(|f| f.1).min().unwrap();
    eprintln!(
        "copies: cosine >= {lowest_same:.3}, hash bits <= {widest_same}; different photos: \
         cosine <= {highest_other:.3} ({}), bits >= {closest_other} ({})",
        different
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap()
            .2,
        different.iter().min_by_key(|f| f.1).unwrap().2,
    );
    for f in &same {
        eprintln!("  same {:.3} {:2} {}", f.0, f.1, f.2);
    }
    assert!(
        f64::from(lowest_same) >= DEFAULT_THRESHOLD,
        "a copy is below the default"
    );
    assert!(
        f64::from(highest_other) < DEFAULT_THRESHOLD,
        "different photos above it"
    );
    // The hash sees re-encoded and resized copies as the same picture; a crop moves it more.
    let loosest_exact = same
        .iter()
        .filter(|f| !f.2.contains("cropped") && !f.2.contains("motorcycle"))
        .map(|f| f.1)
        .max()
        .unwrap();
    assert!(loosest_exact <= DEFAULT_DISTANCE && closest_other > DEFAULT_DISTANCE);

    // Find similar: a photo's three copies come first.
    for name in ORIGINALS {
        let found = app
            .call(FindSimilar {
                sha1: sha1_of[name].clone(),
                k: 5,
            })
            .await
            .unwrap();
        assert_eq!(found.query.as_ref().unwrap().name, name);
        assert_eq!(found.searched as usize, total);
        let first: HashSet<&str> = found.results[..3].iter().map(|r| r.name.as_str()).collect();
        let want: HashSet<&str> = family
            .iter()
            .filter(|(f, o)| *o == name && *f != name)
            .map(|(f, _)| f.as_str())
            .collect();
        assert_eq!(first, want, "{name}: {:?}", found.results);
        assert!(found.results.windows(2).all(|w| w[0].cosine >= w[1].cosine));
        assert!(found.results.iter().all(|r| r.sha1 != sha1_of[name]));
    }

    // An outside copy finds the library photo first; nothing is added to the library.
    let found = app.similar_to_file(&outside_file, 3).await.unwrap();
    assert_eq!(found.results[0].name, "rocket.jpg", "{:?}", found.results);
    assert_eq!(found.file_name.as_deref(), Some("rocket small.jpg"));
    assert_eq!(found.query, None);
    let garbage = outside.join("not an image.png");
    std::fs::write(&garbage, b"no pixels here").unwrap();
    let refused = app.similar_to_file(&garbage, 3).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(
        refused.message.contains("not an image.png"),
        "{}",
        refused.message
    );
    assert_eq!(app.store().queue_count().await.unwrap() as usize, total);

    // Groups at the defaults. By the embeddings: each original with its three copies, and the
    // stereo pair. By the hash: each original with at least its re-encoded and resized copies,
    // never two photos' images in one group.
    let groups_by = |method: DuplicateMethod| {
        let app = app.clone();
        async move {
            let found = app
                .call(GetDuplicateGroups { method, limit: 50 })
                .await
                .unwrap();
            let groups: Vec<Vec<String>> = found
                .groups
                .iter()
                .map(|g| {
                    let mut names: Vec<String> = g.images.iter().map(|i| i.name.clone()).collect();
                    names.sort();
                    names
                })
                .collect();
            (found, groups)
        }
    };
    let family_of = |originals: &str| {
        let mut g: Vec<String> = family
            .iter()
            .filter(|(_, o)| *o == originals)
            .map(|(f, _)| f.clone())
            .collect();
        g.sort();
        g
    };
    let by_embedding = DuplicateMethod::Embedding {
        threshold: DEFAULT_THRESHOLD,
    };
    let by_hash = DuplicateMethod::Hash {
        distance: DEFAULT_DISTANCE,
    };
    while events.try_recv().is_ok() {}
    let (found, groups) = groups_by(by_embedding).await;
    // The first search compared every embedded image, saying how far it was, to the whole.
    let heard: Vec<(u32, f32)> = std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(common::searching)
        .collect();
    assert!(heard.windows(2).all(|w| w[0].1 < w[1].1), "{heard:?}");
    assert_eq!(heard.last(), Some(&(total as u32, 1.0)), "{heard:?}");
    let mut want: Vec<Vec<String>> = ORIGINALS.iter().map(|o| family_of(o)).collect();
    want.push(family_of("motorcycle"));
    let as_set = |v: &[Vec<String>]| v.iter().cloned().collect::<HashSet<_>>();
    assert_eq!(as_set(&groups), as_set(&want));
    assert_eq!(
        (found.total, found.images, found.searched as usize),
        (4, 14, total)
    );
    assert!(found
        .groups
        .windows(2)
        .all(|w| w[0].closest >= w[1].closest));
    for g in &found.groups {
        // The largest image (not the 60 % copy or the crop) is listed first.
        let first = &g.images[0].name;
        assert!(
            !first.contains("resized") && !first.contains("cropped"),
            "{first}"
        );
    }
    let (found, hash_groups) = groups_by(by_hash).await;
    assert_eq!(found.total, 3, "{hash_groups:?}");
    for name in ORIGINALS {
        let stem = name.trim_end_matches(".png");
        let group = hash_groups
            .iter()
            .find(|g| g.contains(&name.to_owned()))
            .unwrap();
        for member in group {
            assert_eq!(family[member], name, "{group:?}");
        }
        for copy in ["reencoded.jpg", "resized.png"] {
            assert!(group.contains(&format!("{stem}-{copy}")), "{group:?}");
        }
    }
    // A lower threshold joins more; the count follows the slider.
    let (loose, _) = groups_by(DuplicateMethod::Embedding { threshold: 0.8 }).await;
    assert!(loose.images >= 14);
    // Out of range thresholds are refused.
    let refused = app
        .call(GetDuplicateGroups {
            method: DuplicateMethod::Embedding { threshold: 0.2 },
            limit: 5,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);

    // Marking: keep chelsea, its copies leave the Score queue, the groups and the pairs.
    let chelsea_copies: Vec<String> = [
        "chelsea-reencoded.jpg",
        "chelsea-resized.png",
        "chelsea-cropped.png",
    ]
    .iter()
    .map(|n| sha1_of[*n].clone())
    .collect();
    let marked = app
        .call(MarkDuplicates {
            rater: "ana".into(),
            keep: sha1_of["chelsea.png"].clone(),
            duplicates: chelsea_copies.clone(),
        })
        .await
        .unwrap();
    assert_eq!(marked.marked, 3);
    let queue_now = || {
        let app = app.clone();
        async move {
            app.call(GetScoreQueue {
                rater: "ana".into(),
                include_rated: true,
                seed: 2,
                predicted_first: false,
                teach: false,
                window: None,
            })
            .await
            .unwrap()
        }
    };
    let q = queue_now().await;
    assert_eq!((q.items.len(), q.total as usize), (total - 3, total - 3));
    assert!(q.items.iter().all(|i| !chelsea_copies.contains(&i.sha1)));
    for (method, left) in [(by_embedding, 3), (by_hash, 2)] {
        let (found, groups) = groups_by(method).await;
        assert_eq!(found.total, left, "{method:?}");
        assert!(groups
            .iter()
            .all(|g| !g.contains(&"chelsea.png".to_owned())));
    }
    for _ in 0..20 {
        let pair = app
            .call(GetSimilarPair {
                kind: PairKind::Random,
                exclude: vec![],
            })
            .await
            .unwrap()
            .unwrap();
        assert!(pair
            .images
            .iter()
            .all(|i| !chelsea_copies.contains(&i.sha1)));
    }
    // Find similar still sees them (they are in the library, only out of the queues).
    let found = app
        .call(FindSimilar {
            sha1: sha1_of["chelsea.png"].clone(),
            k: 3,
        })
        .await
        .unwrap();
    assert!(found
        .results
        .iter()
        .all(|r| chelsea_copies.contains(&r.sha1)));
    // A malformed mark writes nothing.
    for (keep, duplicates) in [
        (sha1_of["coffee.png"].clone(), vec![]),
        (
            sha1_of["coffee.png"].clone(),
            vec![sha1_of["coffee.png"].clone()],
        ),
        (sha1_of["coffee.png"].clone(), vec!["f".repeat(40)]),
    ] {
        let refused = app
            .call(MarkDuplicates {
                rater: "ana".into(),
                keep,
                duplicates,
            })
            .await
            .unwrap_err();
        assert!(matches!(
            refused.kind,
            ErrorKind::InvalidInput | ErrorKind::NotFound
        ));
    }
    assert_eq!(app.store().duplicate_count().await.unwrap(), 3);
    let undone = app
        .call(Undo {
            rater: "ana".into(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(undone.judgement.kind, JudgementKind::Duplicate);
    assert_eq!(queue_now().await.items.len(), total);
    assert_eq!(groups_by(by_embedding).await.0.total, 4);

    // Pairs and likeness: a near pair is a photo and a copy; the judgement keeps the cosine
    // shown and the model, and undo takes it back.
    let pair = app
        .call(GetSimilarPair {
            kind: PairKind::Near,
            exclude: vec![],
        })
        .await
        .unwrap()
        .unwrap();
    let [a, b] = [&pair.images[0], &pair.images[1]];
    assert_ne!(a.sha1, b.sha1);
    let (ra, rb) = (
        index.row_of(&a.sha1).unwrap(),
        index.row_of(&b.sha1).unwrap(),
    );
    assert!((pair.cosine - f64::from(index.cosine(ra, rb))).abs() < 1e-6);
    let record = |value: u32, cosine: f64| {
        let app = app.clone();
        let images = vec![a.sha1.clone(), b.sha1.clone()];
        async move {
            app.call(RecordLikeness {
                rater: "ana".into(),
                images,
                value,
                cosine,
            })
            .await
        }
    };
    assert_eq!(
        record(6, pair.cosine).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(
        record(4, pair.cosine - 0.1).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    let saved = record(4, pair.cosine).await.unwrap();
    assert_eq!(saved.count, 1);
    let stored = app
        .store()
        .judgement(i64::from(saved.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.kind, JudgementKind::Similarity);
    assert_eq!(stored.value, Some(4.0));
    assert!((stored.shown_cosine.unwrap() - pair.cosine).abs() < 1e-9);
    let shown: Vec<&str> = stored.images.iter().map(|i| i.sha1.as_str()).collect();
    assert_eq!(shown, [a.sha1.as_str(), b.sha1.as_str()]);
    let summary = app
        .call(GetLikeness {
            rater: "ana".into(),
        })
        .await
        .unwrap();
    assert_eq!(summary.points.len(), 1);
    assert!(summary.points[0].mine && summary.points[0].value == 4);
    let undone = app
        .call(Undo {
            rater: "ana".into(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(undone.judgement.id, saved.id);
    assert!(app
        .call(GetLikeness {
            rater: "ana".into()
        })
        .await
        .unwrap()
        .points
        .is_empty());
    app.close().await;
}

both_backends!(copies_are_nearest_and_grouped_and_marks_leave_the_queues);
