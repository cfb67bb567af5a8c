//! The store on a real SQLite file in a temp folder.

use image_scorer_core::folder::check_folder;
use image_scorer_core::Store;

#[tokio::test]
async fn open_folder_survives_reopening_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("app.db");
    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    let folder = check_folder(&photos).unwrap();

    let store = Store::open(&db).await.unwrap();
    assert!(store.library().await.unwrap().roots.is_empty());
    let root = store.add_root(&folder).await.unwrap();
    assert_eq!(root.path, folder.to_str().unwrap());
    drop(store);

    let store = Store::open(&db).await.unwrap();
    let library = store.library().await.unwrap();
    assert_eq!(library.roots, vec![root]);
}

#[tokio::test]
async fn adding_the_same_folder_twice_keeps_one_row() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("app.db")).await.unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    let first = store.add_root(&check_folder(&a).unwrap()).await.unwrap();
    let again = store
        .add_root(&check_folder(&a.join("..").join("a")).unwrap())
        .await
        .unwrap();
    let second = store.add_root(&check_folder(&b).unwrap()).await.unwrap();
    assert_eq!(first, again);
    assert_ne!(first.id, second.id);
    let paths: Vec<_> = store
        .library()
        .await
        .unwrap()
        .roots
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(paths, vec![first.path, second.path]);
}

#[tokio::test]
async fn a_damaged_database_file_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("app.db");
    std::fs::write(&db, vec![0x5a; 8192]).unwrap();
    let err = Store::open(&db).await.unwrap_err();
    assert_eq!(err.kind(), image_scorer_protocol::ErrorKind::Database);
    // The damaged file is left as it was for the user to inspect or restore.
    assert_eq!(std::fs::read(&db).unwrap(), vec![0x5a; 8192]);
}
