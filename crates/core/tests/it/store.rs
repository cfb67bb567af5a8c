//! The store on a real SQLite file in a temp folder, and on a real PostgreSQL.

use image_scorer_core::folder::check_folder;
use image_scorer_core::Store;

use crate::common;
use common::{open_store, Backend};

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

async fn adding_the_same_folder_twice_keeps_one_row(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path(), backend).await;
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

both_backends!(adding_the_same_folder_twice_keeps_one_row,);

#[tokio::test]
async fn an_unreachable_database_server_is_named_with_the_reason() {
    // Nothing listens on port 1 of the loopback address.
    let started = std::time::Instant::now();
    let err = Store::connect("postgres://scorer:secret@127.0.0.1:1/library")
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("127.0.0.1:1") && message.contains("refused"),
        "{message}"
    );
    assert!(
        !message.contains("secret"),
        "no password in messages: {message}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(9),
        "a refused connection is not waited on"
    );
    // A socket folder where no server runs.
    let tmp = tempfile::tempdir().unwrap();
    let url = format!(
        "postgres://scorer@localhost/library?host={}",
        tmp.path().display()
    );
    let message = Store::connect(&url).await.unwrap_err().to_string();
    assert!(
        message.contains(&tmp.path().display().to_string()) && message.contains("No such file"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "nothing created"
    );
}

#[tokio::test]
async fn a_postgres_schema_newer_than_this_build_is_refused_untouched() {
    let url = image_scorer_pgtest::fresh_database();
    let store = Store::connect(&url).await.unwrap();
    store.rater("ana").await.unwrap();
    store.close().await;
    // What a later version would have recorded: a migration this one does not know.
    let later = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99, 'from the future', TRUE, '\\x00', 0)",
    )
    .execute(&later)
    .await
    .unwrap();
    let tables = |pool: sqlx::PgPool| async move {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        names
    };
    let before = tables(later.clone()).await;

    let err = Store::connect(&url).await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("newer version") && message.contains("untouched"),
        "{message}"
    );
    assert_eq!(tables(later.clone()).await, before);
    let raters: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM raters")
        .fetch_one(&later)
        .await
        .unwrap();
    assert_eq!(raters, 1, "the data is as it was");
}

#[tokio::test]
async fn a_database_server_that_goes_away_is_said_plainly_and_comes_back() {
    let mut server = image_scorer_pgtest::PgServer::start();
    let url = server.create_database("gone");
    let store = Store::connect(&url).await.unwrap();
    let ana = store.rater("ana").await.unwrap();
    server.stop();
    let err = store.rater("ben").await.unwrap_err();
    assert!(err.is_server_unavailable(), "{err}");
    let shown = image_scorer_protocol::AppError::from(err).message;
    assert!(shown.contains("did not answer"), "{shown}");
    server.restart();
    // The pool's connections are made again: the same store works, with what was there.
    let mut again = Err(String::new());
    for _ in 0..50 {
        again = store.rater("ana").await.map_err(|e| e.to_string());
        if again.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(again, Ok(ana));
}
