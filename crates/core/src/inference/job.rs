//! Embedding the library in the background: every image without a cached embedding for the
//! active pack is embedded (and scored by its head), in batches, cancellable; what is cached is
//! never computed again, so a restarted job resumes where it stopped.

use super::{embed_files, Pack};
use crate::{Result, Store};
use std::sync::atomic::{AtomicBool, Ordering};

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmbedReport {
    /// Images embedded in this run.
    pub computed: usize,
    /// Images that could not be decoded.
    pub failed: usize,
    /// Whether the run was cancelled before the end.
    pub cancelled: bool,
}

/// How many images are taken from the database per round.
const ROUND: u32 = 256;

/// Embeds every image of the library that has no embedding for `model_id` yet with `pack`.
/// `on_progress(done, todo)` follows the run; setting `cancel` stops it after the current batch.
pub async fn embed_library(
    store: &Store,
    pack: &Pack,
    model_id: i64,
    cancel: &AtomicBool,
    on_progress: impl Fn(usize, usize),
) -> Result<EmbedReport> {
    let mut report = EmbedReport::default();
    let mut failed_ids = std::collections::HashSet::new();
    loop {
        let todo: Vec<(i64, std::path::PathBuf)> = store
            .images_to_embed(model_id, ROUND + failed_ids.len() as u32)
            .await?
            .into_iter()
            .filter(|(id, _)| !failed_ids.contains(id))
            .collect();
        if todo.is_empty() || cancel.load(Ordering::Relaxed) {
            report.cancelled = !todo.is_empty();
            return Ok(report);
        }
        let files: Vec<std::path::PathBuf> = todo.iter().map(|(_, p)| p.clone()).collect();
        let mut rows = Vec::new();
        let mut failed = Vec::new();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::task::block_in_place(|| {
            embed_files(pack, &files, 8, threads, |done| {
                let embeddings: Vec<(usize, Vec<f32>)> = done
                    .into_iter()
                    .filter_map(|(i, r)| match r {
                        Ok(v) => Some((i, v)),
                        Err(_) => {
                            failed.push(todo[i].0);
                            None
                        }
                    })
                    .collect();
                let vectors: Vec<Vec<f32>> = embeddings.iter().map(|(_, v)| v.clone()).collect();
                let scores = pack.score(&vectors).ok().flatten();
                for (k, (i, v)) in embeddings.into_iter().enumerate() {
                    rows.push((todo[i].0, v, scores.as_ref().map(|s| s[k])));
                }
                !cancel.load(Ordering::Relaxed)
            })
        })?;
        report.computed += rows.len();
        report.failed += failed.len();
        failed_ids.extend(failed);
        store.store_embeddings(model_id, &rows).await?;
        on_progress(report.computed, report.computed + todo.len() - rows.len());
    }
}
