//! Embedding the library in the background: every image without a cached embedding for the
//! active pack is embedded (and scored by its head), in batches, cancellable; what is cached is
//! never computed again, so a restarted job resumes where it stopped.

use crate::inference::{embed_files, Pack};
use crate::{Result, Store};
use std::sync::atomic::{AtomicBool, Ordering};

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmbedReport {
    /// Images embedded in this run.
    pub computed: usize,
    /// Images that could not be decoded (now recorded as unreadable).
    pub failed: usize,
    /// Whether the run was cancelled before the end.
    pub cancelled: bool,
}

/// How many images are taken from the database per round.
const ROUND: u32 = 256;

/// Embeds every image of the library that has no embedding for `model_id` yet with `pack`.
/// Each batch is stored as soon as it is computed, so a stopped run loses at most one batch.
/// `on_progress` sees the run so far after each batch; setting `cancel` stops it after the
/// current batch. Must run on a multi-threaded Tokio runtime (the batches block a worker);
/// see [`EmbedJob::run_blocking`] to run it on a thread of one's own.
pub async fn embed_library(
    store: &Store,
    pack: &Pack,
    model_id: i64,
    cancel: &AtomicBool,
    on_progress: impl Fn(&EmbedReport),
) -> Result<EmbedReport> {
    let job = EmbedJob {
        store,
        pack,
        model_id,
        cancel,
    };
    let runtime = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| job.run_blocking(&runtime, on_progress))
}

/// One run of the embedding job: what [`embed_library`] embeds, with what, and what stops it.
pub struct EmbedJob<'a> {
    /// The library's database.
    pub store: &'a Store,
    /// The pack that embeds.
    pub pack: &'a Pack,
    /// The pack's model in the store.
    pub model_id: i64,
    /// Set to stop the run after its current batch.
    pub cancel: &'a AtomicBool,
}

impl EmbedJob<'_> {
    /// [`embed_library`] for a plain thread (not a runtime's): the database is reached through
    /// `runtime`, the decoding and inference run on this thread and threads it starts (which
    /// inherit its scheduling priority, so the caller can make the whole job yield to the UI).
    pub fn run_blocking(
        &self,
        runtime: &tokio::runtime::Handle,
        on_progress: impl Fn(&EmbedReport),
    ) -> Result<EmbedReport> {
        let Self {
            store,
            pack,
            model_id,
            cancel,
        } = *self;
        let mut report = EmbedReport::default();
        let mut failed_ids = std::collections::HashSet::new();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        loop {
            let todo: Vec<(i64, std::path::PathBuf)> = runtime
                .block_on(store.images_to_embed(model_id, ROUND + failed_ids.len() as u32))?
                .into_iter()
                .filter(|(id, _)| !failed_ids.contains(id))
                .collect();
            if todo.is_empty() || cancel.load(Ordering::Relaxed) {
                report.cancelled = !todo.is_empty();
                return Ok(report);
            }
            let files: Vec<std::path::PathBuf> = todo.iter().map(|(_, p)| p.clone()).collect();
            let mut stored: Result<()> = Ok(());
            {
                embed_files(pack, &files, 8, threads, |done| {
                    let mut embeddings: Vec<(usize, Vec<f32>)> = Vec::with_capacity(done.len());
                    let mut failed: Vec<(i64, String)> = Vec::new();
                    for (i, r) in done {
                        match r {
                            Ok(v) => embeddings.push((i, v)),
                            Err(e) => {
                                failed_ids.insert(todo[i].0);
                                failed.push((todo[i].0, e));
                            }
                        }
                    }
                    report.failed += failed.len();
                    if !failed.is_empty() {
                        if let Err(e) = runtime.block_on(store.mark_unreadable_ids(&failed)) {
                            stored = Err(e);
                            return false;
                        }
                    }
                    let vectors: Vec<Vec<f32>> =
                        embeddings.iter().map(|(_, v)| v.clone()).collect();
                    let scores = match pack.score(&vectors) {
                        Ok(scores) => scores,
                        Err(e) => {
                            stored = Err(e);
                            return false;
                        }
                    };
                    let rows: Vec<(i64, Vec<f32>, Option<f32>)> = embeddings
                        .into_iter()
                        .enumerate()
                        .map(|(k, (i, v))| (todo[i].0, v, scores.as_ref().map(|s| s[k])))
                        .collect();
                    if let Err(e) = runtime.block_on(store.store_embeddings(model_id, &rows)) {
                        stored = Err(e);
                        return false;
                    }
                    report.computed += rows.len();
                    on_progress(&report);
                    !cancel.load(Ordering::Relaxed)
                })?;
            }
            stored?;
        }
    }
}
