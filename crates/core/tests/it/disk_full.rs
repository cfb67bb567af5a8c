//! A full disk (the database on a small tmpfs, filled up): a judgement that cannot be saved is
//! refused with a clear message, nothing acknowledged is lost, the app goes on, and once space
//! is freed judgements are saved again; SQLite's integrity check is ok afterwards.
//!
//! Mounting needs root (or CAP_SYS_ADMIN), as the project's machines and CI have; without it
//! the test fails saying so, it does not skip.

use crate::common;

use common::{fixture_path, until_indexed};
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::{AddScore, GetScoreQueue};
use image_scorer_protocol::ErrorKind;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// A tmpfs of `size` mounted at a fresh folder, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> Self {
        std::fs::create_dir_all(at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "the disk-full test mounts a small tmpfs, which needs root (or CAP_SYS_ADMIN)"
        );
        Self(at.to_owned())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

async fn open(data: &Path, cache: &Path) -> App {
    let mut config = AppConfig::in_folders(data.to_owned(), cache.to_owned());
    config.onnx_runtime = Vec::new();
    App::open(config, Arc::new(image_scorer_core::app::NullSink))
        .await
        .unwrap()
}

async fn scores_stored(data: &Path) -> i64 {
    let conn = rusqlite::Connection::open(data.join("image-scorer.db")).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    conn.query_row(
        "SELECT COUNT(*) FROM judgements WHERE kind = 'score'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test]
async fn a_full_disk_refuses_clearly_loses_nothing_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&tmp.path().join("small"), "1m");
    let data = disk.0.join("data");
    let cache = tmp.path().join("cache");
    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
        std::fs::copy(fixture_path(name), photos.join(name)).unwrap();
    }
    let app = open(&data, &cache).await;
    app.start();
    app.open_folder(&photos).await.unwrap();
    until_indexed(&app, 3).await;
    let queue = app
        .call(GetScoreQueue {
            rater: "me".into(),
            include_rated: true,
            seed: 1,
            predicted_first: false,
            teach: false,
            window: None,
        })
        .await
        .unwrap();
    let score = |n: usize| AddScore {
        rater: "me".into(),
        sha1: queue.items[n % queue.items.len()].sha1.clone(),
        value: (1 + n % 10) as f64,
    };

    // Fill the disk to the last byte.
    let filler = disk.0.join("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![7u8; 16 * 1024];
        while f.write_all(&block).is_ok() {}
        let mut byte = [7u8; 1];
        while f.write_all(&byte).is_ok() {
            byte[0] = 7;
        }
        let _ = f.sync_all();
    }

    // Judgements until one cannot be saved: it says why, and the app goes on answering.
    let mut acknowledged = 0i64;
    let mut refusal = None;
    for n in 0..3000 {
        match app.call(score(n)).await {
            Ok(_) => acknowledged += 1,
            Err(e) => {
                refusal = Some(e);
                break;
            }
        }
    }
    let refusal = refusal.expect("a full disk refuses a judgement");
    assert_eq!(refusal.kind, ErrorKind::Io, "{refusal:?}");
    assert!(
        refusal.message.contains("disk") && refusal.message.contains("full"),
        "{}",
        refusal.message
    );
    assert!(
        app.call(score(1)).await.is_err(),
        "still full, still refused"
    );
    assert!(
        app.call(GetScoreQueue {
            rater: "me".into(),
            include_rated: true,
            seed: 2,
            predicted_first: false,
            teach: false,
            window: None,
        })
        .await
        .is_ok(),
        "reading goes on"
    );

    // Space freed: saved again.
    std::fs::remove_file(&filler).unwrap();
    for n in 0..5 {
        app.call(score(n)).await.expect("saved once there is space");
        acknowledged += 1;
    }
    app.close().await;
    assert_eq!(
        scores_stored(&data).await,
        acknowledged,
        "every acknowledged score, no other"
    );
    // And the app opens it again.
    let again = open(&data, &cache).await;
    again.close().await;
    drop(disk);
}
