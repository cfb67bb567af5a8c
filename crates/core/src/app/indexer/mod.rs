//! Keeping the library current in the background: index every open folder, then watch them.
//! Whoever changes the library tells the [`Indexer`] ([`Indexer::changed`]): the UI hears of
//! it through the event sink, and the app's other services through the channel
//! [`Indexer::new`] hands back (the predictor embeds new images from it).

mod scan;
mod watch;

pub use scan::{scan_root, ScanProgress, ScanReport};
pub use watch::{watch, watched_root, LibraryWatcher, WatchEvent, WatchedRoot};

use super::events::{report, EventSink};
use crate::store::Change;
use crate::{CoreError, Store};
use image_scorer_protocol::{AppError, AppEvent, ErrorKind, ScanStatus};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::watch as channel;

/// How often the UI hears of live changes at most.
const LIBRARY_EVERY: Duration = Duration::from_millis(150);

/// Indexes and watches the open folders, and announces every change of the library.
pub struct Indexer {
    store: Store,
    sink: Arc<dyn EventSink>,
    changes: channel::Sender<u64>,
    watcher: tokio::sync::Mutex<Option<LibraryWatcher>>,
    /// Held while indexing runs, so runs never overlap.
    running: tokio::sync::Mutex<()>,
    /// Whether the folders are watched after indexing (not for a library in app storage).
    watching: std::sync::atomic::AtomicBool,
    /// The folders and counts as of a revision: read again only when the library changed
    /// (counting a million images takes a while; the pages ask for them as they open). Held
    /// while read, so that a revision is never paired with an older reading.
    state: tokio::sync::Mutex<Option<(u64, crate::store::Library)>>,
}

impl Indexer {
    /// An indexer over `store` reporting to `sink`, and the receiving end of its changes: the
    /// value counts the changes so far (a receiver sees only that there were some).
    pub fn new(store: Store, sink: Arc<dyn EventSink>) -> (Arc<Self>, channel::Receiver<u64>) {
        let (changes, receiver) = channel::channel(0);
        let indexer = Arc::new(Self {
            store,
            sink,
            changes,
            watcher: tokio::sync::Mutex::new(None),
            running: tokio::sync::Mutex::new(()),
            watching: std::sync::atomic::AtomicBool::new(true),
            state: tokio::sync::Mutex::new(None),
        });
        (indexer, receiver)
    }

    /// How many changes there have been (bumped by every [`Indexer::changed`]).
    pub fn revision(&self) -> u64 {
        *self.changes.borrow()
    }

    /// The library changed here: tells the UI (with the folders and counts), the services,
    /// and the other processes on the database.
    pub async fn changed(&self) {
        self.refresh().await;
        self.store.announce(Change::Library).await;
    }

    /// The library changed (here, or in another process on the database): tells the UI
    /// (with the folders and counts) and the services.
    pub async fn refresh(&self) {
        let mut held = self.state.lock().await;
        match self.store.library().await {
            Ok(library) => {
                self.changes.send_modify(|n| *n += 1);
                *held = Some((self.revision(), library.clone()));
                drop(held);
                self.sink.emit(AppEvent::LibraryChanged(library.into()));
            }
            Err(e) => {
                *held = None;
                drop(held);
                report(&*self.sink, e.into());
            }
        }
    }

    /// The open folders and the library's counts, read from the store only when the library
    /// changed since they were last read.
    pub async fn library(&self) -> Result<crate::store::Library, CoreError> {
        let mut held = self.state.lock().await;
        let revision = self.revision();
        if let Some((at, library)) = held.as_ref() {
            if *at == revision {
                return Ok(library.clone());
            }
        }
        let library = self.store.library().await?;
        *held = Some((revision, library.clone()));
        Ok(library)
    }

    /// Whether [`Indexer::index_and_watch`] watches the folders after indexing them.
    pub fn set_watching(&self, watching: bool) {
        self.watching
            .store(watching, std::sync::atomic::Ordering::Release);
    }

    /// Stops watching (indexing that runs finishes its folder).
    pub async fn stop(&self) {
        *self.watcher.lock().await = None;
    }

    /// Indexes every open folder (only what changed since last time is read), then (re)starts
    /// the watcher over them. Runs are serialised; call it again whenever the set of folders
    /// or their patterns change.
    pub async fn index_and_watch(self: &Arc<Self>) {
        let _one_at_a_time = self.running.lock().await;
        // Stop watching while scanning: the scan sees everything anyway.
        *self.watcher.lock().await = None;
        let watched = self.index_all().await;
        if !self.watching.load(std::sync::atomic::Ordering::Acquire) {
            self.changed().await;
            return;
        }
        let on_event = self.on_watch_event();
        match watch(self.store.clone(), watched, on_event) {
            Ok(watcher) => *self.watcher.lock().await = Some(watcher),
            Err(e) => report(&*self.sink, e.into()),
        }
        self.changed().await;
    }

    /// Indexes every open folder once, without watching them afterwards (the command line's
    /// `index`); progress and problems go to the sink as they do while the app runs.
    pub async fn index_once(&self) {
        let _one_at_a_time = self.running.lock().await;
        self.index_all().await;
        self.changed().await;
    }

    /// Scans every open folder; the roots to watch.
    async fn index_all(&self) -> Vec<WatchedRoot> {
        let store = &self.store;
        let roots = match store.roots().await {
            Ok(roots) => roots,
            Err(e) => {
                report(&*self.sink, e.into());
                return Vec::new();
            }
        };
        let mut watched = Vec::new();
        for root in &roots {
            let id = root.id;
            let path = Path::new(&root.path);
            let progress = |p: ScanProgress| self.progress(id, p, false);
            match scan_root(store, id, path, progress).await {
                Ok(report) => self.progress(
                    id,
                    ScanProgress {
                        found: report.found,
                        to_hash: report.hashed + report.changing,
                        hashed: report.hashed + report.changing,
                    },
                    true,
                ),
                Err(e @ CoreError::FolderNotFound(_)) => {
                    self.progress(id, ScanProgress::default(), true);
                    report(&*self.sink, e.into());
                    continue;
                }
                Err(e) => report(&*self.sink, e.into()),
            }
            match watched_root(store, id, path).await {
                Ok(w) => watched.push(w),
                Err(e) => report(&*self.sink, e.into()),
            }
            self.changed().await;
        }
        watched
    }

    /// What the watcher's reports become: a burst of changes one announcement every
    /// [`LIBRARY_EVERY`], so the UI never drowns.
    fn on_watch_event(self: &Arc<Self>) -> impl Fn(WatchEvent) + Send + Sync + 'static {
        let indexer: Weak<Self> = Arc::downgrade(self);
        let scheduled = Arc::new(AtomicBool::new(false));
        move |event: WatchEvent| {
            let Some(this) = indexer.upgrade() else {
                return;
            };
            match event {
                WatchEvent::Changed(_) => {
                    if !scheduled.swap(true, Ordering::AcqRel) {
                        let scheduled = scheduled.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(LIBRARY_EVERY).await;
                            scheduled.store(false, Ordering::Release);
                            this.changed().await;
                        });
                    }
                }
                WatchEvent::Scanning(root, p) => this.progress(root, p, false),
                WatchEvent::Scanned(root) => this.progress(root, ScanProgress::default(), true),
                WatchEvent::Error(message) => {
                    report(&*this.sink, AppError::new(ErrorKind::Io, message))
                }
            }
        }
    }

    fn progress(&self, root_id: i64, p: ScanProgress, done: bool) {
        self.sink.emit(AppEvent::ScanProgress(ScanStatus {
            root_id: root_id as i32,
            found: p.found as u32,
            to_hash: p.to_hash as u32,
            hashed: p.hashed as u32,
            done,
        }));
    }
}
