//! Thumbnails follow the library (real folder, real SQLite): a thumbnail made and cached while
//! its image was in the library is no longer served once the image left it (its file deleted,
//! marked unreadable, or its folder closed), and the cached copy is removed. Formats the webviews
//! do not decode (TIFF, JPEG XL) are shown through a PNG rendition that follows the library too.

use crate::common;

use common::{fixture_path, until, until_indexed};
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::{GetState, ImageFailed, RemoveFolder};
use std::path::Path;
use std::sync::Arc;

/// The thumbnails (JPEG files) below `dir`.
fn cached(dir: &Path) -> usize {
    cached_with(dir, "jpg")
}

/// The files ending in `.ext` below `dir`.
fn cached_with(dir: &Path, ext: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        cached_with(&p, ext)
                    } else {
                        usize::from(p.extension().is_some_and(|x| x == ext))
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// An app (no ONNX Runtime) with its data and cache below `dir`, started; its cache folder and
/// an empty photo folder.
async fn started(dir: &Path) -> (App, std::path::PathBuf, std::path::PathBuf) {
    let mut config = AppConfig::in_folders(dir.join("data"), dir.join("cache"));
    config.onnx_runtime = Vec::new();
    let cache = config.cache_dir.clone();
    let app = App::open(config, Arc::new(image_scorer_core::app::NullSink))
        .await
        .unwrap();
    app.start();
    let photos = dir.join("photos");
    std::fs::create_dir(&photos).unwrap();
    (app, cache, photos)
}

#[tokio::test]
async fn a_thumbnail_leaves_with_its_image() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, cache, photos) = started(tmp.path()).await;
    for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
        std::fs::copy(fixture_path(name), photos.join(name)).unwrap();
    }
    app.open_folder(&photos).await.unwrap();
    until_indexed(&app, 3).await;
    let sha1 = |name: &str| common::sha1(&common::fixture(name));
    let thumb = |name: &str| format!("/thumb/{}", sha1(name));

    for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
        assert_eq!(app.serve_image(&thumb(name)).await.status, 200, "{name}");
    }
    assert_eq!(cached(&cache), 3, "three thumbnails cached");

    // Deleted: gone from the library, its thumbnail with it.
    std::fs::remove_file(photos.join("chelsea.png")).unwrap();
    until_indexed(&app, 2).await;
    assert_eq!(app.serve_image(&thumb("chelsea.png")).await.status, 404);
    assert_eq!(cached(&cache), 2);

    // Unreadable (the webview could not show it).
    app.call(ImageFailed {
        sha1: sha1("coffee.png"),
    })
    .await
    .unwrap();
    until_indexed(&app, 1).await;
    assert_eq!(app.serve_image(&thumb("coffee.png")).await.status, 404);
    assert_eq!(
        app.serve_image(&thumb("rocket.jpg")).await.status,
        200,
        "the rest stays"
    );

    // Its folder closed.
    let root_id = app.call(GetState {}).await.unwrap().library.roots[0].id;
    app.call(RemoveFolder { root_id }).await.unwrap();
    until("the folder is closed", || async {
        app.call(GetState {}).await.unwrap().library.counts.ok == 0
    })
    .await;
    assert_eq!(app.serve_image(&thumb("rocket.jpg")).await.status, 404);
    assert_eq!(
        cached(&cache),
        0,
        "no thumbnail of an image outside the library is kept"
    );
    app.close().await;
}

#[tokio::test]
async fn tiff_and_jpeg_xl_are_shown_as_png_renditions_that_leave_with_their_image() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, cache, photos) = started(tmp.path()).await;
    let source = image::open(fixture_path("chelsea.png")).unwrap().to_rgb8();
    source.save(photos.join("chelsea.tiff")).unwrap();
    let status = std::process::Command::new("cjxl")
        .arg(fixture_path("chelsea.png"))
        .arg(photos.join("chelsea.jxl"))
        .args(["-d", "0"])
        .output()
        .expect("cjxl (Debian libjxl-tools; `cargo xtask setup --test` installs it)")
        .status;
    assert!(status.success());
    std::fs::copy(fixture_path("rocket.jpg"), photos.join("rocket.jpg")).unwrap();
    app.open_folder(&photos).await.unwrap();
    until_indexed(&app, 3).await;
    let original = |name: &str| {
        format!(
            "/{}",
            common::sha1(&std::fs::read(photos.join(name)).unwrap())
        )
    };

    for name in ["chelsea.tiff", "chelsea.jxl"] {
        let answer = app.serve_image(&original(name)).await;
        assert_eq!(
            (answer.status, answer.content_type),
            (200, "image/png"),
            "{name}"
        );
        let shown = image::load_from_memory(&answer.body).unwrap().to_rgb8();
        assert!(
            shown == source,
            "{name}: the rendition has the original's pixels"
        );
    }
    // A format every webview shows is served as it is.
    let jpeg = app.serve_image(&original("rocket.jpg")).await;
    assert_eq!(jpeg.content_type, "image/jpeg");
    assert_eq!(jpeg.body, std::fs::read(photos.join("rocket.jpg")).unwrap());
    assert_eq!(cached_with(&cache, "png"), 2, "two renditions cached");
    // Served again from the cache, the same bytes.
    let again = app.serve_image(&original("chelsea.tiff")).await;
    assert_eq!(
        image::load_from_memory(&again.body).unwrap().to_rgb8(),
        source
    );

    let tiff = original("chelsea.tiff");
    std::fs::remove_file(photos.join("chelsea.tiff")).unwrap();
    until_indexed(&app, 2).await;
    assert_eq!(app.serve_image(&tiff).await.status, 404);
    assert_eq!(
        cached_with(&cache, "png"),
        1,
        "the deleted image's rendition is removed"
    );
    app.close().await;
}
