//! Following the open folders live: new, changed, renamed and removed files reach the database
//! without a rescan. A file is read only once it is complete: when its writer closes it, or when
//! its size and modification time stop changing.

use super::scan::{hash_all, scan_root, ScanProgress};
use crate::library::walk::{has_image_extension, is_hidden, mtime_ns, rel_path, Found};
use crate::library::Excludes;
use crate::{CoreError, Result, Store};
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher as _};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How often pending files are looked at.
const TICK: Duration = Duration::from_millis(40);
/// How long a file's size and modification time must stay the same before it is read (unless
/// its writer closed it, which is sooner).
const SETTLE: Duration = Duration::from_millis(80);
/// At most this many files are read in one go, so a burst of thousands is absorbed in steps.
const MAX_PER_ROUND: usize = 512;

/// A folder being watched.
#[derive(Debug, Clone)]
pub struct WatchedRoot {
    /// Its id in the store.
    pub id: i64,
    /// Its canonical path.
    pub path: PathBuf,
    /// Its exclusion patterns.
    pub excludes: Excludes,
}

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// Files were added, changed or removed below these roots.
    Changed(Vec<i64>),
    /// Progress of a rescan of a root (after a folder appeared, moved or vanished).
    Scanning(i64, ScanProgress),
    /// That rescan finished.
    Scanned(i64),
    /// Something went wrong; the watcher goes on.
    Error(String),
}

/// Watches folders until dropped.
pub struct LibraryWatcher {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LibraryWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A file seen changing, waiting to settle.
struct Pending {
    root: usize,
    observed: Option<(u64, i64)>,
    since: Instant,
    closed: bool,
}

/// Starts watching `roots`, recording changes in `store` and reporting them to `on_event`.
/// Must be called inside a tokio runtime.
pub fn watch(
    store: Store,
    roots: Vec<WatchedRoot>,
    on_event: impl Fn(WatchEvent) + Send + Sync + 'static,
) -> Result<LibraryWatcher> {
    let (tx, mut rx) = mpsc::unbounded_channel::<(PathBuf, bool)>();
    let error_tx = tx.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let closed = matches!(
            event.kind,
            EventKind::Access(AccessKind::Close(AccessMode::Write))
        );
        if matches!(event.kind, EventKind::Access(_)) && !closed {
            return;
        }
        for path in event.paths {
            let _ = tx.send((path, closed));
        }
    })
    .map_err(|e| CoreError::Internal(format!("cannot watch folders: {e}")))?;
    drop(error_tx);
    for root in &roots {
        watcher
            .watch(&root.path, RecursiveMode::Recursive)
            .map_err(|e| {
                CoreError::Internal(format!("cannot watch {}: {e}", root.path.display()))
            })?;
    }

    let task = tokio::spawn(async move {
        let mut pending: HashMap<PathBuf, Pending> = HashMap::new();
        let mut rescan: Vec<usize> = Vec::new();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                received = rx.recv() => {
                    let Some((path, closed)) = received else { break };
                    note(&roots, &mut pending, &mut rescan, path, closed);
                    // Take everything already queued before looking at files.
                    while let Ok((path, closed)) = rx.try_recv() {
                        note(&roots, &mut pending, &mut rescan, path, closed);
                    }
                }
                _ = tick.tick() => {
                    let changed = settle(&store, &roots, &mut pending).await;
                    let mut touched: Vec<i64> = changed.unwrap_or_else(|e| {
                        on_event(WatchEvent::Error(e.to_string()));
                        Vec::new()
                    });
                    rescan.sort_unstable();
                    rescan.dedup();
                    for index in rescan.drain(..) {
                        let root = &roots[index];
                        let report = scan_root(&store, root.id, &root.path, |p| {
                            on_event(WatchEvent::Scanning(root.id, p));
                        })
                        .await;
                        on_event(WatchEvent::Scanned(root.id));
                        match report {
                            Ok(_) => touched.push(root.id),
                            Err(e) => on_event(WatchEvent::Error(e.to_string())),
                        }
                    }
                    touched.sort_unstable();
                    touched.dedup();
                    if !touched.is_empty() {
                        on_event(WatchEvent::Changed(touched));
                    }
                }
            }
        }
    });
    Ok(LibraryWatcher {
        _watcher: watcher,
        task,
    })
}

/// Files a raw event path under its root: image files wait to settle; folders (created, moved,
/// removed) make their root rescan.
fn note(
    roots: &[WatchedRoot],
    pending: &mut HashMap<PathBuf, Pending>,
    rescan: &mut Vec<usize>,
    path: PathBuf,
    closed: bool,
) {
    let Some(index) = roots
        .iter()
        .enumerate()
        .filter(|(_, r)| path.starts_with(&r.path))
        .max_by_key(|(_, r)| r.path.as_os_str().len())
        .map(|(i, _)| i)
    else {
        return;
    };
    let root = &roots[index];
    let Some(rel) = rel_path(&root.path, &path) else {
        rescan.push(index); // a name that is not UTF-8: the scan records it
        return;
    };
    if rel.is_empty() {
        return;
    }
    let skipped = rel.split('/').enumerate().any(|(depth, name)| {
        let below: String = rel.split('/').take(depth + 1).collect::<Vec<_>>().join("/");
        is_hidden(name) || root.excludes.excludes(name, &below)
    });
    if skipped {
        return;
    }
    let name = rel.rsplit('/').next().unwrap_or(&rel);
    if has_image_extension(name) && !path.is_dir() {
        let entry = pending.entry(path).or_insert(Pending {
            root: index,
            observed: None,
            since: Instant::now(),
            closed: false,
        });
        entry.closed |= closed;
    } else if path.is_dir() || !path.exists() {
        // A folder appeared, moved or vanished (a vanished path without an image extension can
        // only have been a folder or an ignored file): let the scan sort it out.
        rescan.push(index);
    }
}

/// Reads the pending files that have settled and marks vanished ones absent; returns the roots
/// that changed.
async fn settle(
    store: &Store,
    roots: &[WatchedRoot],
    pending: &mut HashMap<PathBuf, Pending>,
) -> Result<Vec<i64>> {
    let now = Instant::now();
    let mut ready: HashMap<usize, Vec<Found>> = HashMap::new();
    let mut touched = Vec::new();
    let mut taken = 0;
    let mut done = Vec::new();
    for (path, p) in pending.iter_mut() {
        if taken >= MAX_PER_ROUND {
            break;
        }
        let root = &roots[p.root];
        let rel = rel_path(&root.path, path).unwrap_or_default();
        let meta = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            _ => {
                if store.mark_absent(root.id, &rel).await? {
                    touched.push(root.id);
                }
                done.push(path.clone());
                continue;
            }
        };
        let observed = (meta.len(), mtime_ns(&meta));
        if p.observed != Some(observed) {
            p.observed = Some(observed);
            p.since = now;
            if !p.closed {
                continue;
            }
        }
        if p.closed || now.duration_since(p.since) >= SETTLE {
            ready.entry(p.root).or_default().push(Found {
                rel_path: rel,
                path: path.clone(),
                size: observed.0,
                mtime_ns: observed.1,
            });
            done.push(path.clone());
            taken += 1;
        }
    }
    for path in done {
        pending.remove(&path);
    }
    for (index, files) in ready {
        let root = &roots[index];
        let mut progress = ScanProgress::default();
        let files_len = files.len();
        let changing = hash_all(store, root.id, files, &mut progress, &|_| {}).await?;
        if changing < files_len {
            touched.push(root.id);
        }
    }
    Ok(touched)
}

/// The watched form of a root, with its stored exclusion patterns.
pub async fn watched_root(store: &Store, id: i64, path: &Path) -> Result<WatchedRoot> {
    let patterns = store.root_excludes(id).await?;
    let excludes = Excludes::parse(&patterns)
        .or_else(|_| Excludes::parse(crate::library::DEFAULT_EXCLUDES))
        .expect("the default patterns compile");
    Ok(WatchedRoot {
        id,
        path: path.to_owned(),
        excludes,
    })
}
