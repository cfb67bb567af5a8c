//! The library in app storage, as on a phone or tablet (real folders, a real SQLite file): the
//! app opens its own folder and nothing else, imports copy images into it (a content the
//! library has is not copied again, a taken name gets a number, what is not an image is
//! reported), nothing is watched, and coming back to the front scans the folder again.

use crate::common;

use common::{fixture_path, until, until_indexed};
use image_scorer_core::app::app_storage::LibraryPlace;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::{AppResumed, GetState, RemoveFolder};
use image_scorer_protocol::ErrorKind;
use std::path::Path;
use std::sync::Arc;

async fn open(tmp: &Path, place: LibraryPlace) -> App {
    let mut config = AppConfig::in_folders(tmp.join("data"), tmp.join("cache"));
    config.library = place;
    config.onnx_runtime = Vec::new();
    let app = App::open(config, Arc::new(image_scorer_core::app::NullSink))
        .await
        .unwrap();
    app.start();
    app
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn images_are_imported_into_the_apps_own_folder_and_found_again_on_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(tmp.path(), LibraryPlace::AppStorage).await;
    let library = tmp.path().join("data").join("library");
    assert_eq!(app.app_storage(), Some(library.as_path()));
    // The startup rescan (the lead's, after the first reads) is over before a file is shared
    // into the folder below: index_now waits for a run under way.
    until("the app leads", || async { app.leads() }).await;
    app.index_now().await;
    let state = app.call(GetState {}).await.unwrap();
    assert!(state.app_storage, "the UI is told");
    let roots: Vec<String> = state.library.roots.iter().map(|r| r.path.clone()).collect();
    assert_eq!(roots, [library.to_str().unwrap()], "its own folder, only");

    // No other folder is opened or closed.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let refused = app.open_folder(&elsewhere).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(
        refused.message.contains("import images"),
        "{}",
        refused.message
    );
    let root_id = state.library.roots[0].id;
    assert!(app.call(RemoveFolder { root_id }).await.is_err());

    // Two photos, a text file and a path that does not exist.
    let notes = tmp.path().join("notes.jpg");
    std::fs::write(&notes, "not an image, whatever the name says").unwrap();
    let report = app
        .import_images(&[
            fixture_path("chelsea.png"),
            fixture_path("coffee.png"),
            notes.clone(),
            tmp.path().join("gone.png"),
        ])
        .await
        .unwrap();
    assert_eq!((report.copied, report.already), (2, 0));
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("notes.jpg") && report.problems[0].contains("not an image")
    );
    assert!(report.problems[1].contains("gone.png"));
    assert_eq!(report.library.counts.ok, 2, "indexed before the answer");
    assert_eq!(names(&library), ["chelsea.png", "coffee.png"]);
    assert_eq!(
        std::fs::read(library.join("chelsea.png")).unwrap(),
        std::fs::read(fixture_path("chelsea.png")).unwrap()
    );

    // The same content again is not copied; another content under a taken name is numbered.
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::copy(fixture_path("rocket.jpg"), other.join("chelsea.png")).unwrap();
    let report = app
        .import_images(&[fixture_path("chelsea.png"), other.join("chelsea.png")])
        .await
        .unwrap();
    assert_eq!(
        (report.copied, report.already),
        (1, 1),
        "{:?}",
        report.problems
    );
    assert_eq!(
        names(&library),
        ["chelsea (2).png", "chelsea.png", "coffee.png"]
    );
    assert_eq!(report.library.counts.ok, 3);

    // A file shared into the folder while the app is in the back is not watched for…
    std::fs::copy(fixture_path("astronaut.png"), library.join("shared.png")).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let state = app.call(GetState {}).await.unwrap();
    assert_eq!(state.library.counts.ok, 3, "nothing watches the folder");
    // …and is found when the app comes back to the front.
    app.call(AppResumed {}).await.unwrap();
    until_indexed(&app, 4).await;
    app.close().await;
}

#[tokio::test]
async fn on_the_desktop_folders_are_opened_and_watched_and_nothing_is_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(tmp.path(), LibraryPlace::Folders).await;
    assert!(app.app_storage().is_none());
    assert!(!app.call(GetState {}).await.unwrap().app_storage);
    let refused = app
        .import_images(&[fixture_path("chelsea.png")])
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("open the folder"), "{refused}");
    assert!(!tmp.path().join("data").join("library").exists());

    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    app.open_folder(&photos).await.unwrap();
    std::fs::copy(fixture_path("coffee.png"), photos.join("coffee.png")).unwrap();
    until("the watcher finds the new file", || async {
        app.call(GetState {}).await.unwrap().library.counts.ok == 1
    })
    .await;
    app.call(AppResumed {}).await.unwrap();
    app.close().await;
}
