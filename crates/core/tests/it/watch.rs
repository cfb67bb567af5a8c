//! The watcher on real temp folders: files that appear, change, move and vanish reach the
//! database by themselves, and a file being written is read only once it is whole.

use image_scorer_core::app::indexer::{scan_root, watch, watched_root, LibraryWatcher};
use image_scorer_core::Store;
use std::io::Write;
use std::path::PathBuf;

use crate::common;
use common::{fixture, sha1};
use std::time::{Duration, Instant};

struct Watched {
    tmp: tempfile::TempDir,
    root: PathBuf,
    root_id: i64,
    store: Store,
    _watcher: LibraryWatcher,
}

async fn watched() -> Watched {
    watched_with(|_| {}).await
}

async fn watched_with(
    on_event: impl Fn(image_scorer_core::app::indexer::WatchEvent) + Send + Sync + 'static,
) -> Watched {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("photos")).unwrap();
    let root = tmp.path().join("photos").canonicalize().unwrap();
    let store = Store::open(&tmp.path().join("app.db")).await.unwrap();
    let root_id = store
        .add_root(&image_scorer_core::folder::check_folder(&root).unwrap())
        .await
        .unwrap()
        .id;
    scan_root(&store, root_id, &root, |_| {}).await.unwrap();
    let watched = watched_root(&store, root_id, &root).await.unwrap();
    let watcher = watch(store.clone(), vec![watched], on_event).unwrap();
    Watched {
        tmp,
        root,
        root_id,
        store,
        _watcher: watcher,
    }
}

impl Watched {
    /// Waits (up to 10 s) until the image at `rel` is `want`.
    async fn wait_for(&self, rel: &str, want: Option<&str>) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.store.image_at(self.root_id, rel).await.unwrap();
            if got.as_deref() == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{rel}: still {got:?}, want {want:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn image_count(&self) -> i64 {
        self.store.image_count().await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_changed_renamed_and_removed_files_follow_the_folder() {
    let w = watched().await;
    let cat = fixture("chelsea.png");
    std::fs::write(w.root.join("cat.png"), &cat).unwrap();
    w.wait_for("cat.png", Some(&sha1(&cat))).await;

    std::fs::create_dir(w.root.join("sub")).unwrap();
    std::fs::rename(w.root.join("cat.png"), w.root.join("sub/renamed.png")).unwrap();
    w.wait_for("sub/renamed.png", Some(&sha1(&cat))).await;
    w.wait_for("cat.png", None).await;

    let rocket = fixture("rocket.jpg");
    std::fs::write(w.root.join("sub/renamed.png"), &rocket).unwrap();
    w.wait_for("sub/renamed.png", Some(&sha1(&rocket))).await;

    std::fs::remove_file(w.root.join("sub/renamed.png")).unwrap();
    w.wait_for("sub/renamed.png", None).await;
    assert_eq!(w.store.counts().await.unwrap().ok, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_being_written_is_read_only_when_whole() {
    let w = watched().await;
    let bytes = fixture("astronaut.png");
    let path = w.root.join("slow.png");
    let mut file = std::fs::File::create(&path).unwrap();
    // A slow writer: small chunks every 15 ms, without closing the file in between.
    for chunk in bytes.chunks(bytes.len() / 20 + 1) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    drop(file);
    w.wait_for("slow.png", Some(&sha1(&bytes))).await;
    assert_eq!(
        w.image_count().await,
        1,
        "no half-written version was ever recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_moved_in_is_indexed_and_excluded_names_are_not() {
    use image_scorer_core::app::indexer::WatchEvent;
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = events.clone();
    let w = watched_with(move |e| seen.lock().unwrap().push(e)).await;
    let outside = w.tmp.path().join("outside");
    std::fs::create_dir_all(outside.join("inner")).unwrap();
    let coffee = fixture("coffee.png");
    std::fs::write(outside.join("inner/coffee.png"), &coffee).unwrap();
    std::fs::rename(&outside, w.root.join("arrived")).unwrap();
    w.wait_for("arrived/inner/coffee.png", Some(&sha1(&coffee)))
        .await;

    std::fs::write(w.root.join("cat_mask.png"), fixture("chelsea.png")).unwrap();
    std::fs::write(w.root.join(".hidden.png"), fixture("chelsea.png")).unwrap();
    let rocket = fixture("rocket.jpg");
    std::fs::write(w.root.join("after.jpg"), &rocket).unwrap();
    w.wait_for("after.jpg", Some(&sha1(&rocket))).await;
    assert_eq!(
        w.store.image_at(w.root_id, "cat_mask.png").await.unwrap(),
        None
    );
    assert_eq!(
        w.store.image_at(w.root_id, ".hidden.png").await.unwrap(),
        None
    );
    // The rescan that the new folder caused reported its progress and its end.
    let events = events.lock().unwrap();
    let scanning = events
        .iter()
        .position(|e| matches!(e, WatchEvent::Scanning(..)));
    let scanned = events
        .iter()
        .rposition(|e| matches!(e, WatchEvent::Scanned(_)));
    assert!(
        matches!((scanning, scanned), (Some(a), Some(b)) if a < b),
        "{events:?}"
    );
}
