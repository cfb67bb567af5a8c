//! Perceptual hashes in the background: every image that decodes gets a 64-bit DCT hash of its
//! pixels once (cached by content), so near-duplicates can be grouped with no model pack. The
//! hasher wakes whenever the library changes and works at the operating system's idle
//! priority when so configured; rating never waits for it.

use super::events::{report, EventSink};
use super::indexer::Indexer;
use crate::Store;
use image_hasher::{HashAlg, HasherConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;

/// How many images are read per round (one transaction each).
const BATCH: u32 = 32;

/// The 64-bit perceptual hash of the image at `path`: the mean hash of the 8 x 8 lowest
/// frequencies of its DCT (pHash), of the picture scaled down first (the hash only sees 16 x 16
/// pixels anyway).
/// The error is empty when the file is gone.
pub fn perceptual_hash(path: &Path) -> Result<u64, String> {
    if !path.exists() {
        return Err(String::new());
    }
    let image = crate::library::decode_at_least(path, 256)?;
    Ok(hash_of(&image))
}

/// [`perceptual_hash`] of a decoded image.
pub fn hash_of(image: &image::DynamicImage) -> u64 {
    let small = image.thumbnail(64, 64).to_luma8();
    let hasher = HasherConfig::with_bytes_type::<[u8; 8]>()
        .hash_alg(HashAlg::Mean)
        .preproc_dct()
        .hash_size(8, 8)
        .to_hasher();
    u64::from_le_bytes(hasher.hash_image(&small).into_inner())
}

/// Hashes what is missing whenever `library` changes, until the task is dropped.
pub async fn run(
    store: Store,
    sink: Arc<dyn EventSink>,
    indexer: Arc<Indexer>,
    mut library: watch::Receiver<u64>,
    low_priority: bool,
) {
    loop {
        library.borrow_and_update();
        if hash_missing(&store, &*sink, &indexer, low_priority).await {
            library.borrow_and_update();
        }
        if library.changed().await.is_err() {
            return;
        }
    }
}

/// Hashes every image that has no hash yet; returns whether some turned out unreadable (which
/// changed the library).
pub async fn hash_missing(
    store: &Store,
    sink: &dyn EventSink,
    indexer: &Indexer,
    low_priority: bool,
) -> bool {
    let mut changed = false;
    loop {
        let batch = match store.images_to_hash(BATCH).await {
            Ok(batch) if !batch.is_empty() => batch,
            Ok(_) => break,
            Err(e) => {
                report(sink, e.into());
                break;
            }
        };
        let hashed = hash_batch(batch, low_priority).await;
        // A file deleted since the query is the watcher's news, not a broken image.
        let (ok, failed): (Vec<_>, Vec<_>) = hashed
            .into_iter()
            .filter(|(_, h)| h.as_ref().err().is_none_or(|e| !e.is_empty()))
            .partition(|(_, h)| h.is_ok());
        if ok.is_empty() && failed.is_empty() {
            break;
        }
        let ok: Vec<(i64, u64)> = ok
            .into_iter()
            .filter_map(|(id, h)| Some((id, h.ok()?)))
            .collect();
        let failed: Vec<(i64, String)> = failed
            .into_iter()
            .filter_map(|(id, h)| Some((id, h.err()?)))
            .collect();
        if let Err(e) = store.store_image_hashes(&ok).await {
            report(sink, e.into());
            break;
        }
        if !failed.is_empty() {
            // A file that passed the header check but does not decode leaves the queues,
            // as when the predictor meets one.
            if let Err(e) = store.mark_unreadable_ids(&failed).await {
                report(sink, e.into());
                break;
            }
            indexer.changed().await;
            changed = true;
        }
    }
    changed
}

/// Hashes `batch` on worker threads (one fewer than the cores, at least one).
async fn hash_batch(
    batch: Vec<(i64, PathBuf)>,
    low_priority: bool,
) -> Vec<(i64, Result<u64, String>)> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("hashes".into())
        .spawn(move || {
            if low_priority {
                super::predictor::lower_priority();
            }
            let workers = std::thread::available_parallelism()
                .map_or(1, |n| n.get().saturating_sub(1))
                .max(1);
            let next = std::sync::atomic::AtomicUsize::new(0);
            let results = std::sync::Mutex::new(Vec::with_capacity(batch.len()));
            std::thread::scope(|scope| {
                for _ in 0..workers.min(batch.len()) {
                    scope.spawn(|| loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((id, path)) = batch.get(i) else {
                            break;
                        };
                        let hash = perceptual_hash(path);
                        results
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((*id, hash));
                    });
                }
            });
            let _ = tx.send(results.into_inner().unwrap_or_else(|e| e.into_inner()));
        });
    if spawned.is_err() {
        return Vec::new();
    }
    rx.await.unwrap_or_default()
}
