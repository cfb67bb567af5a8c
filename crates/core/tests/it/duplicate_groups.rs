//! A near-duplicate group larger than the page shows: 14 resized copies of one photo (the
//! perceptual hash puts them within a few bits) are one group of 14 that lists its 9 largest,
//! largest first; marking the 8 shown beside the kept one leaves a group of the kept one and
//! the 5 never shown.

use crate::common;

use image::imageops::FilterType;
use image_scorer_core::app::NullSink;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{DuplicateMethod, GROUP_SHOWN};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_group_lists_its_largest_and_a_mark_names_only_those() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    let chelsea = image::open(common::fixture_path("chelsea.png")).unwrap();
    for width in 200..214u32 {
        chelsea
            .resize(width, width, FilterType::Triangle)
            .save(photos.join(format!("chelsea-{width}.png")))
            .unwrap();
    }
    let config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    let app = App::open(config, Arc::new(NullSink)).await.unwrap();
    app.open_folder(&photos).await.unwrap();
    app.index_now().await;
    app.hash_now().await;
    let groups = || async {
        app.call(GetDuplicateGroups {
            method: DuplicateMethod::Hash { distance: 4 },
            limit: 10,
        })
        .await
        .unwrap()
    };
    let found = groups().await;
    assert_eq!((found.total, found.images), (1, 14));
    let group = &found.groups[0];
    assert_eq!((group.size, group.images.len()), (14, GROUP_SHOWN));
    // The largest first: widths 213 down to 205.
    let widths: Vec<u32> = group.images.iter().filter_map(|i| i.width).collect();
    assert_eq!(widths, (205..214).rev().collect::<Vec<u32>>());

    // Keep the largest, mark the 8 others shown: the 5 never shown stay in its group.
    let keep = group.images[0].sha1.clone();
    let duplicates = group.images[1..].iter().map(|i| i.sha1.clone()).collect();
    app.call(MarkDuplicates {
        rater: "ana".into(),
        keep,
        duplicates,
    })
    .await
    .unwrap();
    let left = groups().await;
    let group = &left.groups[0];
    let widths: Vec<u32> = group.images.iter().filter_map(|i| i.width).collect();
    assert_eq!(group.size, 6, "the kept one and the 5 never shown");
    assert_eq!(widths, vec![213, 204, 203, 202, 201, 200]);
    app.close().await;
}
