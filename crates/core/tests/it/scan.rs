//! Scanning real temp folders into a real SQLite file, with real photos from the shared fixtures
//! and every kind of bad file a library meets.

use image_scorer_core::app::indexer::scan_root;
use image_scorer_core::Store;
use std::path::PathBuf;

use crate::common;
use common::{fixture, fixture_path, sha1};

struct Library {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    root_id: i64,
    store: Store,
}

impl Library {
    async fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("photos");
        std::fs::create_dir(&root).unwrap();
        let store = Store::open(&tmp.path().join("app.db")).await.unwrap();
        let root_id = store
            .add_root(&image_scorer_core::folder::check_folder(&root).unwrap())
            .await
            .unwrap()
            .id;
        let root = root.canonicalize().unwrap();
        Self {
            _tmp: tmp,
            root,
            root_id,
            store,
        }
    }

    fn put(&self, rel: &str, bytes: &[u8]) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn copy(&self, fixture_name: &str, rel: &str) {
        self.put(rel, &std::fs::read(fixture_path(fixture_name)).unwrap());
    }

    async fn scan(&self) -> image_scorer_core::app::indexer::ScanReport {
        scan_root(&self.store, self.root_id, &self.root, |_| {})
            .await
            .unwrap()
    }

    async fn sha1_of(&self, rel: &str) -> Option<String> {
        self.store.image_at(self.root_id, rel).await.unwrap()
    }

    /// (status, error) of the file's image, or ("file", error) for a file-level error.
    async fn status_of(&self, rel: &str) -> (String, String) {
        self.store
            .file_status(self.root_id, rel)
            .await
            .unwrap()
            .expect("a recorded file")
    }
}

#[tokio::test]
async fn nested_folders_and_duplicate_content() {
    let lib = Library::new().await;
    lib.copy("chelsea.png", "cats/chelsea.png");
    lib.copy("chelsea.png", "copies/deep/same-cat.png");
    lib.copy("rocket.jpg", "rocket.jpg");
    lib.copy("coffee.png", "coffee_mask.png"); // excluded by default

    let report = lib.scan().await;
    assert_eq!((report.found, report.hashed, report.problems), (3, 3, 0));
    let a = lib.sha1_of("cats/chelsea.png").await.unwrap();
    assert_eq!(
        lib.sha1_of("copies/deep/same-cat.png").await,
        Some(a.clone())
    );
    assert_ne!(lib.sha1_of("rocket.jpg").await, Some(a));
    assert_eq!(lib.sha1_of("coffee_mask.png").await, None);
    let counts = lib.store.counts().await.unwrap();
    assert_eq!(
        (counts.ok, counts.unreadable),
        (2, 0),
        "two distinct images"
    );
}

#[tokio::test]
async fn a_rescan_hashes_only_what_changed() {
    let lib = Library::new().await;
    lib.copy("chelsea.png", "a.png");
    lib.copy("rocket.jpg", "b.jpg");
    assert_eq!(lib.scan().await.hashed, 2);
    assert_eq!(lib.scan().await.hashed, 0, "nothing changed");
    lib.copy("coffee.png", "b.jpg"); // new content under an old name (size changes)
    let report = lib.scan().await;
    assert_eq!(report.hashed, 1);
    let coffee = fixture("coffee.png");
    assert_eq!(lib.status_of("b.jpg").await.0, "ok");
    assert_eq!(lib.sha1_of("b.jpg").await.unwrap(), sha1(&coffee));
}

#[tokio::test]
async fn a_rename_keeps_the_image_and_a_deletion_marks_the_file_absent() {
    let lib = Library::new().await;
    lib.copy("chelsea.png", "old name.png");
    lib.copy("rocket.jpg", "rocket.jpg");
    lib.scan().await;
    let image = lib
        .store
        .image_id(&lib.sha1_of("old name.png").await.unwrap())
        .await
        .unwrap();

    std::fs::create_dir(lib.root.join("moved")).unwrap();
    std::fs::rename(
        lib.root.join("old name.png"),
        lib.root.join("moved/new name.png"),
    )
    .unwrap();
    std::fs::remove_file(lib.root.join("rocket.jpg")).unwrap();
    let report = lib.scan().await;
    assert_eq!(report.removed, 2, "the old name and the deleted file");

    assert_eq!(lib.sha1_of("old name.png").await, None);
    let moved = lib.sha1_of("moved/new name.png").await.unwrap();
    assert_eq!(
        lib.store.image_id(&moved).await.unwrap(),
        image,
        "same image row"
    );
    assert_eq!(lib.sha1_of("rocket.jpg").await, None);
    let counts = lib.store.counts().await.unwrap();
    assert_eq!((counts.ok, counts.unreadable), (1, 0));

    // Putting the file back revives it without hashing.
    lib.copy("rocket.jpg", "rocket.jpg");
    assert!(lib.scan().await.hashed <= 1);
    assert!(lib.sha1_of("rocket.jpg").await.is_some());
}

#[tokio::test]
async fn bad_files_are_recorded_with_clear_errors_and_never_stop_the_scan() {
    let lib = Library::new().await;
    lib.copy("chelsea.png", "good/first.png");
    lib.put("empty.png", b"");
    let jpeg = fixture("rocket.jpg");
    lib.put("truncated.jpg", &jpeg[..jpeg.len() / 2]);
    lib.put("notes.jpg", b"shopping list: eggs, milk\n");
    lib.put("huge.png", &huge_png());
    lib.copy("coffee.png", "good/last.png");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::os::unix::fs::symlink(&lib.root, lib.root.join("good/loop")).unwrap();
        let name = std::ffi::OsStr::from_bytes(b"bad \xff name.png");
        std::fs::write(lib.root.join(name), b"x").unwrap();
    }

    let report = lib.scan().await;
    assert_eq!(lib.status_of("good/first.png").await.0, "ok");
    assert_eq!(lib.status_of("good/last.png").await.0, "ok");

    let (s, e) = lib.status_of("empty.png").await;
    assert_eq!(s, "file");
    assert!(e.contains("empty"), "{e}");
    let (s, e) = lib.status_of("truncated.jpg").await;
    assert_eq!(s, "unreadable");
    assert!(e.contains("truncated"), "{e}");
    let (s, e) = lib.status_of("notes.jpg").await;
    assert_eq!(s, "unreadable");
    assert!(e.contains("not an image"), "{e}");
    let (s, e) = lib.status_of("huge.png").await;
    assert_eq!(s, "unreadable");
    assert!(e.contains("50000 × 50000"), "{e}");
    #[cfg(unix)]
    {
        assert_eq!(report.problems, 2, "{report:?}");
        let (s, e) = lib.status_of("good/loop").await;
        assert_eq!(s, "file");
        assert!(e.contains("loops"), "{e}");
        let (s, e) = lib.status_of("bad \u{fffd} name.png").await;
        assert_eq!(s, "file");
        assert!(e.contains("not valid UTF-8"), "{e}");
    }
    let problems = lib.store.problems(100).await.unwrap();
    let names: Vec<_> = problems.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names.contains(&"truncated.jpg") && names.contains(&"empty.png"),
        "{names:?}"
    );
    assert!(!names.contains(&"good/first.png"));
    assert!(problems.iter().all(|p| !p.error.is_empty()));
    let counts = lib.store.counts().await.unwrap();
    assert_eq!(counts.ok, 2);
    assert_eq!(counts.unreadable as usize, problems.len());
    assert_eq!(counts.unreadable, if cfg!(unix) { 6 } else { 4 });
}

/// A 1x1 PNG whose header claims 50000 x 50000 pixels (with a correct CRC).
fn huge_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::new(1, 1)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    let mut crc = 0xFFFF_FFFFu32;
    for &b in &bytes[12..29] {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    bytes[29..33].copy_from_slice(&(!crc).to_be_bytes());
    bytes
}

#[tokio::test]
async fn a_vanished_folder_is_an_error_and_changes_nothing() {
    let lib = Library::new().await;
    lib.copy("chelsea.png", "cat.png");
    lib.scan().await;
    let moved = lib.root.with_file_name("elsewhere");
    std::fs::rename(&lib.root, &moved).unwrap();
    let err = scan_root(&lib.store, lib.root_id, &lib.root, |_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(
        lib.sha1_of("cat.png").await.is_some(),
        "the file keeps its state"
    );
}

#[tokio::test]
async fn changing_excludes_and_closing_a_folder_keep_the_images() {
    let lib = Library::new().await;
    lib.copy("chelsea.png", "keep/cat.png");
    lib.copy("rocket.jpg", "drafts/rocket.jpg");
    lib.scan().await;
    assert!(lib
        .store
        .set_excludes(lib.root_id, "[broken")
        .await
        .is_err());
    lib.store
        .set_excludes(lib.root_id, "*mask*\ndrafts")
        .await
        .unwrap();
    let report = lib.scan().await;
    assert_eq!((report.removed, report.hashed), (1, 0));
    assert_eq!(lib.sha1_of("drafts/rocket.jpg").await, None);
    let cat = lib.sha1_of("keep/cat.png").await.unwrap();

    lib.store.remove_root(lib.root_id).await.unwrap();
    assert!(lib.store.library().await.unwrap().roots.is_empty());
    assert_eq!(lib.store.counts().await.unwrap().ok, 0);
    assert!(
        lib.store.image_id(&cat).await.unwrap().is_some(),
        "the image (and its ratings) stay"
    );
    assert!(lib.store.remove_root(lib.root_id).await.is_err());
}

/// Root reads every file, so an unreadable file is made from one nobody can read from its
/// start: a link to /proc/self/mem.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_unreadable_file_is_recorded_with_its_error() {
    let lib = Library::new().await;
    lib.copy("chelsea.png", "ok.png");
    std::os::unix::fs::symlink("/proc/self/mem", lib.root.join("unreadable.png")).unwrap();
    lib.scan().await;
    let (status, error) = lib.status_of("unreadable.png").await;
    assert_eq!(status, "file");
    assert!(error.starts_with("cannot be read"), "{error}");
    assert_eq!(lib.status_of("ok.png").await.0, "ok");
}
