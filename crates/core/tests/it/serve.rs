//! Serving images by hash: only content that is in the library leaves, whatever is asked.

use image_scorer_core::app::indexer::scan_root;
use image_scorer_core::app::serve;
use image_scorer_core::library::serve::{parse_request, ImageRequest};
use image_scorer_core::Store;

use crate::common;
use common::{fixture, sha1};

#[tokio::test]
async fn only_library_content_is_served() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("photos");
    std::fs::create_dir(&root).unwrap();
    let store = Store::open(&tmp.path().join("app.db")).await.unwrap();
    let root_id = store
        .add_root(&image_scorer_core::folder::check_folder(&root).unwrap())
        .await
        .unwrap()
        .id;
    let cache = tmp.path().join("cache");

    let cat = fixture("chelsea.png");
    let rocket = fixture("rocket.jpg");
    std::fs::write(root.join("cat.png"), &cat).unwrap();
    std::fs::write(root.join("rocket.jpg"), &rocket).unwrap();
    std::fs::write(root.join("broken.jpg"), &rocket[..rocket.len() / 2]).unwrap();
    // A photo next to the library, not in it: its hash is known but it must not be served.
    let outside = fixture("coffee.png");
    std::fs::write(tmp.path().join("secret.png"), &outside).unwrap();
    scan_root(&store, root_id, &root.canonicalize().unwrap(), |_| {})
        .await
        .unwrap();

    let get = |path: String| {
        let store = store.clone();
        let cache = cache.clone();
        async move {
            let request = parse_request(&path)?;
            serve(&store, &cache, &request).await.unwrap()
        }
    };

    let original = get(format!("/{}", sha1(&cat)))
        .await
        .expect("the cat is served");
    assert_eq!(original.bytes, cat);
    assert_eq!(original.content_type, "image/png");
    let jpeg = get(format!("/{}", sha1(&rocket))).await.unwrap();
    assert_eq!(jpeg.content_type, "image/jpeg");

    let thumb = get(format!("/thumb/{}", sha1(&cat))).await.unwrap();
    assert_eq!(thumb.content_type, "image/jpeg");
    let decoded = image::load_from_memory(&thumb.bytes).unwrap();
    assert_eq!(decoded.width().max(decoded.height()), 384);
    // The second time it comes from the cache, identical.
    assert_eq!(get(format!("/thumb/{}", sha1(&cat))).await.unwrap(), thumb);

    assert_eq!(
        get(format!("/{}", sha1(&outside))).await,
        None,
        "outside the library"
    );
    assert_eq!(
        get(format!("/{}", sha1(&rocket[..rocket.len() / 2]))).await,
        None,
        "unreadable"
    );
    assert_eq!(
        get(format!("/{}", "f".repeat(40))).await,
        None,
        "unknown hash"
    );
    assert_eq!(get("/../secret.png".into()).await, None);

    // A file changed on disk after indexing no longer matches its hash: not served.
    std::fs::write(root.join("rocket.jpg"), &outside).unwrap();
    assert_eq!(get(format!("/{}", sha1(&rocket))).await, None);
    assert!(matches!(
        parse_request(&format!("/{}", sha1(&cat))),
        Some(ImageRequest::Original(_))
    ));
}
