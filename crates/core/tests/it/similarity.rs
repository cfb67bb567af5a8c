//! The similarity index loaded from a real database: only images that can be shown, each row
//! its image's cached embedding at unit length, and a stored image is its own nearest.

use image_scorer_core::similarity::EmbeddingIndex;

use crate::common;
use common::Backend;

async fn the_index_holds_the_shown_images_embeddings_at_unit_length(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, hashes) = common::library_on(tmp.path(), backend).await;
    let model = store.model_id("fingerprint", "test model").await.unwrap();
    let other = store.model_id("other", "another model").await.unwrap();
    let mut rng = fastrand::Rng::with_seed(3);
    let mut rows = Vec::new();
    let mut vectors = Vec::new();
    for sha1 in &hashes[..6] {
        let id = store.image_id(sha1).await.unwrap().unwrap();
        let v: Vec<f32> = (0..16).map(|_| 4.0 * (rng.f32() - 0.5)).collect();
        vectors.push(v.clone());
        rows.push((id, v, None));
    }
    store.store_embeddings(model, &rows).await.unwrap();
    // Another model's embedding of the seventh image is not this model's.
    let seventh = store.image_id(&hashes[6]).await.unwrap().unwrap();
    store
        .store_embeddings(other, &[(seventh, vec![1.0; 16], None)])
        .await
        .unwrap();
    // An image that cannot be shown any more leaves the index.
    store.mark_unreadable(&hashes[5], "damaged").await.unwrap();

    let index: EmbeddingIndex = store
        .read_embeddings(model, EmbeddingIndex::default())
        .await
        .unwrap();
    assert_eq!((index.len(), index.dim()), (5, 16));
    let keys: Vec<&str> = (0..index.len()).map(|r| index.key(r)).collect();
    for (k, sha1) in hashes[..5].iter().enumerate() {
        assert!(keys.contains(&sha1.as_str()));
        let row = index.row_of(sha1).unwrap();
        let norm: f32 = index.vector(row).iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        let top = index.top_k(&vectors[k], 1, 2);
        assert_eq!(index.key(top[0].row), sha1, "an image is its own nearest");
        assert!((top[0].cosine - 1.0).abs() < 1e-5);
    }
    assert!(index.row_of(&hashes[5]).is_none() && index.row_of(&hashes[6]).is_none());
    assert!(store
        .read_embeddings(999, EmbeddingIndex::default())
        .await
        .unwrap()
        .is_empty());
}

both_backends!(the_index_holds_the_shown_images_embeddings_at_unit_length,);
