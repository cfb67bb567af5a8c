//! Scanning a folder: list it, index what is new or changed on every core
//! ([`crate::library::index_file`]), record the outcome in the store.

use crate::domain::{FileRecord, Outcome};
use crate::library::index_file;
use crate::library::walk::{walk, Found};
use crate::library::{Excludes, DEFAULT_EXCLUDES};
use crate::{CoreError, Result, Store};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the files hashed so far are written to the database (one transaction), unless
/// [`MOST_A_BATCH`] come first: each commit costs a sync and rewrites the index pages it
/// touched, so a library of small files is written in large batches, and a slow one (large
/// files, a network drive) still shows up as it goes.
const COMMIT_EVERY: Duration = Duration::from_millis(250);
/// The most files one transaction writes (a transaction holds the database's write lock).
const MOST_A_BATCH: usize = 4096;
/// How often progress is reported at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Where a scan stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanProgress {
    /// Image files found below the folder.
    pub found: usize,
    /// Of those, how many are new or changed and need hashing.
    pub to_hash: usize,
    /// How many of those are hashed so far.
    pub hashed: usize,
}

/// What a finished scan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Image files found.
    pub found: usize,
    /// Files hashed (new or changed since the last scan).
    pub hashed: usize,
    /// Files still being written, left for the watcher.
    pub changing: usize,
    /// Entries that could not be listed or named (recorded with their error).
    pub problems: usize,
    /// Files recorded before that are gone now.
    pub removed: usize,
}

/// Scans the folder `root_path` (the root `root_id`): records every image file below it, hashing
/// only files that are new or whose size or modification time changed, and marks files that are
/// gone as absent. `on_progress` is called as hashing proceeds.
pub async fn scan_root(
    store: &Store,
    root_id: i64,
    root_path: &Path,
    on_progress: impl Fn(ScanProgress),
) -> Result<ScanReport> {
    // A folder that is gone (deleted, or on a drive that is not mounted) changes nothing: its
    // files keep their state until it is back.
    if !root_path.is_dir() {
        return Err(CoreError::FolderNotFound(root_path.to_owned()));
    }
    let patterns = store.root_excludes(root_id).await?;
    let excludes = Excludes::parse(&patterns)
        .or_else(|_| Excludes::parse(DEFAULT_EXCLUDES))
        .expect("the default patterns compile");
    let root = root_path.to_owned();
    let (found, problems) = tokio::task::spawn_blocking(move || walk(&root, &excludes))
        .await
        .map_err(|e| CoreError::Internal(format!("the folder listing stopped: {e}")))?;

    let known = store.known_files(root_id).await?;
    let mut seen: HashSet<String> = HashSet::with_capacity(found.len());
    let mut revived = Vec::new();
    let mut to_hash = Vec::new();
    for file in &found {
        seen.insert(file.rel_path.clone());
        match known.get(&file.rel_path) {
            // Unchanged since it was read, and still readable (a permission taken away changes
            // neither its size nor its time; one open per file is cheap beside a hash).
            Some(k)
                if k.indexed
                    && k.size == file.size
                    && k.mtime_ns == file.mtime_ns
                    && std::fs::File::open(root_path.join(&file.rel_path)).is_ok() =>
            {
                if !k.present {
                    revived.push(k.id);
                }
            }
            _ => to_hash.push(file.clone()),
        }
    }
    let problem_records: Vec<FileRecord> = problems
        .iter()
        .map(|p| {
            seen.insert(p.rel_path.clone());
            FileRecord {
                rel_path: p.rel_path.clone(),
                size: 0,
                mtime_ns: 0,
                outcome: Outcome::FileError(p.error.clone()),
            }
        })
        .collect();
    store.record_files(root_id, &problem_records).await?;
    store.set_present(&revived, true).await?;

    let mut progress = ScanProgress {
        found: found.len(),
        to_hash: to_hash.len(),
        hashed: 0,
    };
    on_progress(progress);
    let changing = hash_all(store, root_id, to_hash, &mut progress, &on_progress).await?;

    let gone: Vec<i64> = known
        .iter()
        .filter(|(rel, k)| k.present && !seen.contains(*rel))
        .map(|(_, k)| k.id)
        .collect();
    store.set_present(&gone, false).await?;
    on_progress(progress);
    Ok(ScanReport {
        found: found.len(),
        hashed: progress.hashed - changing,
        changing,
        problems: problems.len(),
        removed: gone.len(),
    })
}

/// Hashes `files` on every core and records them in batches; returns how many were still
/// changing.
pub(crate) async fn hash_all(
    store: &Store,
    root_id: i64,
    files: Vec<Found>,
    progress: &mut ScanProgress,
    on_progress: &impl Fn(ScanProgress),
) -> Result<usize> {
    if files.is_empty() {
        return Ok(0);
    }
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len());
    // Room for a whole batch, so that hashing goes on while one is written.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Option<FileRecord>)>(MOST_A_BATCH);
    let hashing = tokio::task::spawn_blocking(move || {
        let queue = Mutex::new(files.into_iter().enumerate());
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some((k, file)) = next else { break };
                    if tx.blocking_send((k, index_file(&file))).is_err() {
                        break; // the writer stopped (an error): stop hashing too
                    }
                });
            }
        });
    });
    let mut batch = Vec::new();
    let mut changing = 0;
    let mut last_report = Instant::now();
    let mut last_commit = Instant::now();
    // Recorded in the order listed, whichever thread finished first: new files and images
    // get their ids in that order, the same each time (exports list images by id).
    let mut early = std::collections::BTreeMap::new();
    let mut next = 0;
    while let Some((k, record)) = rx.recv().await {
        progress.hashed += 1;
        early.insert(k, record);
        while let Some(record) = early.remove(&next) {
            next += 1;
            match record {
                Some(r) => batch.push(r),
                None => changing += 1,
            }
        }
        if batch.len() >= MOST_A_BATCH
            || (!batch.is_empty() && last_commit.elapsed() >= COMMIT_EVERY)
        {
            store.record_files(root_id, &batch).await?;
            batch.clear();
            last_commit = Instant::now();
        }
        if last_report.elapsed() >= PROGRESS_EVERY {
            on_progress(*progress);
            last_report = Instant::now();
        }
    }
    store.record_files(root_id, &batch).await?;
    hashing
        .await
        .map_err(|e| CoreError::Internal(format!("hashing stopped: {e}")))?;
    Ok(changing)
}
