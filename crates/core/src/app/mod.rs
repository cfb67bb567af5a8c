//! The application service: everything the app does, behind one [`App`], whatever door it is
//! reached through (the desktop window, a command line, a tablet's browser). It opens the
//! database at its location, indexes and watches the open folders ([`Indexer`]), runs
//! predictions ([`Predictor`]), answers every command of the protocol ([`Handler`]) and
//! reports through an [`EventSink`] that the door provides.
//!
//! The services receive what they use explicitly: the store, the sink, and the indexer's
//! channel of library changes, from which the predictor learns that there is something new to
//! embed.

pub mod app_storage;
mod cluster;
mod commands;
pub mod database;
mod desktop;
pub mod events;
mod gallery;
mod images;
pub mod indexer;
pub mod pack_download;
pub mod pack_install;
mod perceptual_hashes;
mod personal;
pub mod predictor;
mod progress;
mod queue;
mod rankings;
mod ratings;
pub mod settings;
mod similarity;
pub mod team;
mod wire;

pub use desktop::{Desktop, DesktopFuture, FileDialog, Pick, SharingChange};
pub use events::{ChannelSink, EventSink, FanOut, NullSink};
pub use image_scorer_protocol::Handler;
pub use images::{serve, ImageResponse};
pub use indexer::Indexer;
pub use predictor::{Predictor, PredictorConfig};

use crate::folder::check_folder;
use crate::inference::library_candidates;
use crate::{CoreError, Store};
use image_scorer_protocol::{AppError, Command, Handles, LibraryState};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The environment variable naming the ONNX Runtime library (or its folder).
pub const ORT_VARIABLE: &str = "IMAGE_SCORER_ORT";
/// The environment variable naming a file to which the app appends each command's name, start
/// and end (ms since the Unix epoch), one line per command (`cargo xtask bench score` reads it).
pub const TIMINGS_VARIABLE: &str = "IMAGE_SCORER_TIMINGS";

/// The app's identifier: its data and cache folders are named after it.
pub const IDENTIFIER: &str = "org.imagescorer.ImageScorer";

/// Where the app keeps its things and where it looks for the rest.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The database and the `packs` folder.
    pub data_dir: PathBuf,
    /// The database file, when not the one in `data_dir` (the command line's `--db`).
    pub database_file: Option<PathBuf>,
    /// A PostgreSQL database (`postgres://…`) instead of the file: a team server's.
    pub database_url: Option<String>,
    /// Thumbnails.
    pub cache_dir: PathBuf,
    /// More folders with model packs, each with its label.
    pub extra_packs: Vec<(String, PathBuf)>,
    /// Where ONNX Runtime is looked for, in order.
    pub onnx_runtime: Vec<PathBuf>,
    /// Run the embedding job at the operating system's idle priority.
    pub low_priority: bool,
    /// A file to append every command's timing to ([`TIMINGS_VARIABLE`]).
    pub timings: Option<PathBuf>,
    /// Where the library's images live: folders the user opens, or the app's own folder.
    pub library: app_storage::LibraryPlace,
    /// What a model pack being installed may hold.
    pub pack_limits: pack_install::PackLimits,
    /// A PEM file of certificate authorities pack downloads trust besides the public ones
    /// ([`pack_download::ROOTS_VARIABLE`]).
    pub pack_roots: Option<PathBuf>,
}

impl AppConfig {
    /// The app's folders for `identifier` on this machine (on Linux
    /// `~/.local/share/<identifier>` and `~/.cache/<identifier>`), ONNX Runtime looked for
    /// beside the executable, in `../lib/image-scorer` from it, then at [`ORT_VARIABLE`].
    pub fn for_identifier(identifier: &str) -> Result<Self, CoreError> {
        let missing =
            || CoreError::Internal("cannot find the user's folders (is HOME set?)".into());
        let data_dir = dirs::data_dir().ok_or_else(missing)?.join(identifier);
        let cache_dir = dirs::cache_dir().ok_or_else(missing)?.join(identifier);
        Ok(Self::in_folders(data_dir, cache_dir))
    }

    /// The app with its data in `data_dir` and its cache in `cache_dir`, with the default
    /// lookup for ONNX Runtime.
    pub fn in_folders(data_dir: PathBuf, cache_dir: PathBuf) -> Self {
        // On Android the app is a library in the APK's native folder, beside ONNX Runtime's
        // (the executable is the system's app process).
        let exe_dir = if cfg!(target_os = "android") {
            crate::inference::discover::own_library_dir("libimage_scorer_lib")
        } else {
            std::env::current_exe()
                .ok()
                .and_then(|e| e.parent().map(PathBuf::from))
        };
        let configured = std::env::var_os(ORT_VARIABLE).map(PathBuf::from);
        Self {
            data_dir,
            database_file: None,
            database_url: None,
            cache_dir,
            extra_packs: Vec::new(),
            onnx_runtime: library_candidates(exe_dir.as_deref(), configured.as_deref()),
            low_priority: true,
            timings: std::env::var_os(TIMINGS_VARIABLE).map(PathBuf::from),
            library: app_storage::LibraryPlace::for_this_system(),
            pack_limits: pack_install::PackLimits::default(),
            pack_roots: std::env::var_os(pack_download::ROOTS_VARIABLE).map(PathBuf::from),
        }
    }

    /// The database file.
    pub fn database(&self) -> PathBuf {
        self.database_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join(database::FILE_NAME))
    }

    /// The folder where users put model packs.
    pub fn packs_dir(&self) -> PathBuf {
        self.data_dir.join("packs")
    }
}

/// The app. Cheap to clone; every clone is the same app.
#[derive(Clone)]
pub struct App(Arc<Inner>);

struct Inner {
    store: Store,
    indexer: Arc<Indexer>,
    predictor: Arc<Predictor>,
    library_changes: Mutex<Option<tokio::sync::watch::Receiver<u64>>>,
    cache_dir: PathBuf,
    raters: Mutex<HashMap<String, i64>>,
    progress: progress::ProgressCache,
    rankings: rankings::Rankings,
    personal: personal::Personal,
    similarity: similarity::SimilarityCache,
    gallery: gallery::Gallery,
    startup_errors: Mutex<Vec<AppError>>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    timings: Option<PathBuf>,
    pack_limits: pack_install::PackLimits,
    pack_roots: Option<PathBuf>,
    sink: Arc<dyn EventSink>,
    low_priority: bool,
    /// The library's folder when it is the app's own ([`app_storage`]).
    app_storage: Option<PathBuf>,
    /// The window's dialogs and network door, when a window opened the app.
    desktop: OnceLock<Arc<dyn Desktop>>,
    /// Whether this process runs the library's background work ([`cluster::lead`]).
    leading: std::sync::atomic::AtomicBool,
    /// Whether the pages' first reads are done ([`cluster::first_reads`]); the library's
    /// background work waits for them.
    first_reads: tokio::sync::watch::Sender<bool>,
    /// Told when a page has had its first queue or screen of the gallery.
    page_served: tokio::sync::Notify,
}

impl App {
    /// Opens the app's database (moving a damaged one aside, which [`App::startup_errors`]
    /// then reports) and prepares its services; nothing runs in the background until
    /// [`App::start`]. Must be called inside a Tokio runtime.
    pub async fn open(config: AppConfig, sink: Arc<dyn EventSink>) -> Result<Self, CoreError> {
        let (store, notice) = match &config.database_url {
            Some(url) => (Store::connect(url).await?, None),
            None => database::open_at(&config.database()).await?,
        };
        let (indexer, library_changes) = Indexer::new(store.clone(), sink.clone());
        let app_storage = match config.library {
            app_storage::LibraryPlace::Folders => None,
            app_storage::LibraryPlace::AppStorage => {
                let dir = app_storage::library_dir(&config.data_dir);
                std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
                store.add_root(&check_folder(&dir)?).await?;
                // Nothing else is watched on a device: the folder is scanned at start, after an
                // import and when the app comes back to the front.
                indexer.set_watching(false);
                Some(dir)
            }
        };
        let predictor = Predictor::new(
            PredictorConfig {
                packs_dir: config.packs_dir(),
                extra_packs: config.extra_packs.clone(),
                onnx_runtime: config.onnx_runtime.clone(),
                low_priority: config.low_priority,
            },
            store.clone(),
            sink.clone(),
            indexer.clone(),
        );
        Ok(Self(Arc::new(Inner {
            store,
            indexer,
            predictor,
            library_changes: Mutex::new(Some(library_changes)),
            cache_dir: config.cache_dir.clone(),
            raters: Mutex::new(HashMap::new()),
            progress: progress::ProgressCache::default(),
            rankings: rankings::Rankings::default(),
            personal: personal::Personal::default(),
            similarity: similarity::SimilarityCache::saved_in(&config.cache_dir),
            gallery: gallery::Gallery::default(),
            startup_errors: Mutex::new(notice.into_iter().collect()),
            tasks: Mutex::new(Vec::new()),
            timings: config.timings,
            pack_limits: config.pack_limits,
            pack_roots: config.pack_roots,
            sink,
            low_priority: config.low_priority,
            app_storage,
            desktop: OnceLock::new(),
            leading: std::sync::atomic::AtomicBool::new(false),
            first_reads: tokio::sync::watch::Sender::new(false),
            page_served: tokio::sync::Notify::new(),
        })))
    }

    /// Starts the background work: indexing and then watching the open folders, and the
    /// predictor. Calling it again does nothing.
    pub fn start(&self) {
        self.start_parts(true);
    }

    /// Starts only the predictor (it opens the active pack and embeds what the library lacks
    /// unless paused), not indexing, watching or hashing: the command line's `embed` and `npy`
    /// export, after [`App::index_now`]. [`App::start`] afterwards does nothing.
    pub fn start_predictor(&self) {
        self.start_parts(false);
    }

    fn start_parts(&self, everything: bool) {
        let Some(library) = self
            .0
            .library_changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return;
        };
        let predictor = self.0.predictor.clone();
        let mut tasks = self.0.tasks.lock().unwrap_or_else(|e| e.into_inner());
        if !everything {
            tasks.push(tokio::spawn(predictor.run(library)));
            return;
        }
        tasks.push(tokio::spawn(cluster::first_reads(self.clone())));
        let store = self.0.store.clone();
        tasks.push(tokio::spawn(cluster::follow(
            Arc::downgrade(&self.0),
            store.changes(),
        )));
        let others = store.clone();
        tasks.push(tokio::spawn(async move { others.follow_others().await }));
        tasks.push(tokio::spawn(async move { store.send_changes().await }));
        // Indexing, watching, hashing and embedding run where the lead is: at once on SQLite
        // (where a folder opened from now on is indexed here), when taken on PostgreSQL.
        predictor.set_embeds_here(false);
        if !self.0.store.is_postgres() {
            self.0
                .leading
                .store(true, std::sync::atomic::Ordering::Release);
        }
        tasks.push(tokio::spawn(cluster::lead(
            Arc::downgrade(&self.0),
            library.clone(),
        )));
        tasks.push(tokio::spawn(predictor.run(library)));
        tasks.push(tokio::spawn(personal::Personal::run(
            Arc::downgrade(&self.0),
            self.0.personal.wake(),
        )));
    }

    /// Stops the background work and waits for the database to close.
    pub async fn close(self) {
        self.0.predictor.stop();
        let tasks: Vec<_> =
            std::mem::take(&mut *self.0.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
        self.0.indexer.stop().await;
        self.0.store.clone().close().await;
    }

    /// Answers one command of the protocol (a door that holds the typed request: the command
    /// line, the tests).
    pub async fn call<C: Command>(&self, request: C) -> Result<C::Response, AppError>
    where
        Self: Handler<C>,
    {
        self.timed(C::NAME, self.handle(request)).await
    }

    /// Answers the command `name` with its request as JSON: the one entry of the doors that
    /// carry JSON (the window's IPC, the network door), through the protocol's table.
    pub async fn dispatch(
        &self,
        name: &str,
        request: serde_json::Value,
    ) -> Result<serde_json::Value, AppError>
    where
        Self: Handles,
    {
        self.timed(name, image_scorer_protocol::dispatch(self, name, request))
            .await
    }

    /// Runs `work`, appending the command's name, start and end to the timings file when
    /// there is one ([`TIMINGS_VARIABLE`]).
    async fn timed<T>(&self, name: &str, work: impl std::future::Future<Output = T>) -> T {
        let Some(timings) = &self.0.timings else {
            return work.await;
        };
        let start = epoch_ms();
        let reply = work.await;
        let line = format!("{name} {start:.3} {:.3}\n", epoch_ms());
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(timings)
            .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
        if let Err(e) = written {
            eprintln!(
                "image-scorer: cannot write timings to {}: {e}",
                timings.display()
            );
        }
        reply
    }

    /// Opens the folder at `path` (from the native dialog or the command line, never from the
    /// webview) and indexes it in the background.
    pub async fn open_folder(&self, path: &Path) -> Result<LibraryState, AppError> {
        if self.0.app_storage.is_some() {
            return Err(app_storage::no_folders().into());
        }
        self.0.store.add_root(&check_folder(path)?).await?;
        self.folders_changed().await
    }

    /// Indexes every open folder once and returns when done, without watching them or
    /// starting anything else (the command line's `index`; the app itself uses
    /// [`App::start`]).
    pub async fn index_now(&self) {
        self.0.indexer.index_once().await;
    }

    /// Computes the perceptual hashes the library's images lack and returns when done (the
    /// command line's `duplicates --distance`; the app computes them in the background).
    pub async fn hash_now(&self) {
        let inner = &self.0;
        perceptual_hashes::hash_missing(
            &inner.store,
            &*inner.sink,
            &inner.indexer,
            inner.low_priority,
        )
        .await;
    }

    /// Records a problem met while starting, for [`App::startup_errors`].
    pub fn add_startup_error(&self, error: AppError) {
        self.0
            .startup_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(error);
    }

    /// The problems met while starting (the UI shows them once it loads).
    pub fn startup_errors(&self) -> Vec<AppError> {
        self.0
            .startup_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The database (for tests and tools; the app's own work goes through commands).
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// Whether this process runs the library's background work (indexing, watching,
    /// hashing, embedding): always on SQLite once started; on PostgreSQL the one process
    /// that holds the database's lead.
    pub fn leads(&self) -> bool {
        self.0.leading.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The team's accounts (a team server's sign-in).
    pub fn team(&self) -> team::Team {
        team::Team::new(self.0.store.clone())
    }

    /// The predictor.
    pub fn predictor(&self) -> &Predictor {
        &self.0.predictor
    }

    /// After the set of folders or their patterns changed: tell everyone, index again (once
    /// started; [`App::start`] indexes everything anyway).
    async fn folders_changed(&self) -> Result<LibraryState, AppError> {
        self.0.indexer.changed().await;
        let library = self.0.indexer.library().await?;
        if self.started() {
            if self.0.leading.load(std::sync::atomic::Ordering::Acquire) {
                let indexer = self.0.indexer.clone();
                tokio::spawn(async move { indexer.index_and_watch().await });
            } else {
                // The process that leads indexes them.
                self.0.store.announce(crate::store::Change::Folders).await;
            }
        }
        Ok(library.into())
    }

    /// Whether [`App::start`] ran.
    fn started(&self) -> bool {
        self.0
            .library_changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    /// The id of the rater `name`, added if new.
    async fn rater_id(&self, name: &str) -> Result<i64, CoreError> {
        let key = name.trim();
        if let Some(id) = self
            .0
            .raters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
        {
            return Ok(*id);
        }
        let id = self.0.store.rater(key).await?;
        self.0
            .raters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_owned(), id);
        Ok(id)
    }
}

impl App {
    /// Forgets the raters' ids learnt so far (after a rename, a name may mean another rater).
    fn forget_raters(&self) {
        self.0
            .raters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
