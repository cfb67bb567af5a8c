//! Predictions in the background: find ONNX Runtime and the model packs, open the active pack,
//! and embed (and score) every image of the library with it, reporting how far it is. Rating
//! never waits for this; without a runtime or a pack the predictor says why and the rest of
//! the app works on.
//!
//! The predictor wakes when the library changes (through the indexer's channel), when the
//! user switches packs and when they resume; a switch or a pause stops the running job after
//! its current batch.

use super::events::{report, EventSink};
use super::indexer::Indexer;
use super::settings;
mod job;
mod run;

use run::load_runtime;

pub use job::{embed_library, EmbedJob, EmbedReport};

use crate::inference::{
    choose_pack, discover_packs, find_library, pack_fingerprint, pack_stat_key, Pack, Runtime,
};
use crate::Store;
use image_scorer_protocol::{
    AppError, AppEvent, EmbedProgress, ErrorKind, PackInfo, PredictorState,
};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{watch, Notify};

/// How often progress is reported at most while the job runs: each report re-renders the
/// window, which the person rating would feel if it came often.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(1000);

/// Where the predictor looks for things.
#[derive(Debug, Clone)]
pub struct PredictorConfig {
    /// Where users put packs (created if missing); listed first, as `packs/<folder>`.
    pub packs_dir: PathBuf,
    /// More places with packs, each with its label (e.g. the repository's `models` folder in
    /// development builds).
    pub extra_packs: Vec<(String, PathBuf)>,
    /// Where ONNX Runtime is looked for, in order (see
    /// [`crate::inference::library_candidates`]).
    pub onnx_runtime: Vec<PathBuf>,
    /// Run the background job in the operating system's idle scheduling class, so that it only
    /// takes CPU time the window and the commands leave.
    pub low_priority: bool,
}

/// The active pack, opened.
struct Active {
    id: String,
    pack: Arc<Pack>,
    model_id: i64,
    /// What its models did wrong, once they did: it predicts no more until another pack is
    /// chosen (or the app starts again).
    fault: std::sync::OnceLock<String>,
}

/// The predictions side of the app.
pub struct Predictor {
    config: PredictorConfig,
    store: Store,
    sink: Arc<dyn EventSink>,
    indexer: Arc<Indexer>,
    state: Mutex<PredictorState>,
    model_id: Mutex<Option<i64>>,
    /// The active pack once open, for embedding an outside file.
    open: Mutex<Option<Arc<Pack>>>,
    /// The pack the user asked for (`None`: the remembered one, else the first found).
    wanted: Mutex<Option<String>>,
    /// Stops the running job after its current batch (a switch, a pause).
    cancel: AtomicBool,
    paused: AtomicBool,
    /// Whether this process embeds (another one may, on a team server: [`super::cluster`]).
    embeds_here: AtomicBool,
    control: Notify,
}

impl Predictor {
    /// A predictor over `store`; it reports to `sink`, and tells `indexer` when images turn out
    /// not to decode.
    pub fn new(
        config: PredictorConfig,
        store: Store,
        sink: Arc<dyn EventSink>,
        indexer: Arc<Indexer>,
    ) -> Arc<Self> {
        let _ = std::fs::create_dir_all(&config.packs_dir);
        let state = PredictorState {
            problem: Some("Predictions are starting…".into()),
            packs_dir: config.packs_dir.display().to_string(),
            ..PredictorState::default()
        };
        Arc::new(Self {
            config,
            store,
            sink,
            indexer,
            state: Mutex::new(state),
            model_id: Mutex::new(None),
            open: Mutex::new(None),
            wanted: Mutex::new(None),
            cancel: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            embeds_here: AtomicBool::new(true),
            control: Notify::new(),
        })
    }

    /// What the UI shows, with the list of packs read afresh.
    pub fn state(&self) -> PredictorState {
        let packs = self.packs().into_iter().map(|(p, _)| p).collect();
        let mut state = self.lock_state();
        state.packs = packs;
        state.clone()
    }

    /// The database id of the active pack's model, once it is open.
    pub fn model_id(&self) -> Option<i64> {
        *self.model_id.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The active pack's head, once it is open and if it has one: its ONNX file, input and
    /// output names.
    pub fn head(&self) -> Option<crate::export::PackHead> {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let pack = open.as_ref()?;
        let head = pack.manifest.head.as_ref()?;
        Some(crate::export::PackHead {
            file: pack.dir.join(&head.file),
            input: head.input.clone(),
            output: head.output.clone(),
        })
    }

    /// The active pack's name, once it is open.
    pub fn model_name(&self) -> Option<String> {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|p| p.manifest.name.clone())
    }

    /// Embeds the image file at `path` (not added to the library) with the active pack, on a
    /// thread of its own: `(embedding, model id)`.
    pub async fn embed_outside(&self, path: &std::path::Path) -> Result<(Vec<f32>, i64), AppError> {
        let pack = self.open.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let (Some(pack), Some(model_id)) = (pack, self.model_id()) else {
            return Err(no_pack(&self.lock_state()));
        };
        let path = path.to_owned();
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let embedded = tokio::task::spawn_blocking(move || {
            let image = crate::library::decode_at_least(&path, pack.input_side() * 4)
                .map_err(|e| AppError::new(ErrorKind::InvalidInput, format!("“{name}” {e}.")))?;
            let tensor = pack.preprocess(&image);
            let mut rows = pack
                .embed(&[tensor])
                .map_err(|e| AppError::new(ErrorKind::Model, e.to_string()))?;
            rows.pop()
                .ok_or_else(|| AppError::new(ErrorKind::Model, "The model returned nothing."))
        })
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))??;
        Ok((embedded, model_id))
    }

    /// Makes `id` the active pack if it names a pack that exists now; remembered across
    /// restarts.
    pub async fn choose(&self, id: &str) -> crate::Result<()> {
        if !self.packs().iter().any(|(p, _)| p.id == id) {
            return Err(crate::CoreError::InvalidInput(format!(
                "There is no model pack “{id}” (it may have been removed)."
            )));
        }
        self.store.set_setting(settings::PACK, id).await?;
        *self.wanted.lock().unwrap_or_else(|e| e.into_inner()) = Some(id.to_owned());
        self.cancel.store(true, Ordering::Release);
        self.control.notify_one();
        Ok(())
    }

    /// Pauses (`true`) or resumes the background job.
    pub fn pause(&self, paused: bool) {
        self.paused.store(paused, Ordering::Release);
        if paused {
            self.cancel.store(true, Ordering::Release);
        }
        {
            let mut state = self.lock_state();
            state.progress.paused = paused;
            state.revision = state.revision.saturating_add(1);
        }
        self.control.notify_one();
    }

    /// Whether this process runs the embedding job (`false`: another process on the database
    /// does; this one shows its progress as the database says it).
    pub fn set_embeds_here(&self, here: bool) {
        self.embeds_here.store(here, Ordering::Release);
        if !here {
            self.cancel.store(true, Ordering::Release);
        }
        self.control.notify_one();
    }

    /// Stops the running job after its current batch, for good (the app is closing).
    pub fn stop(&self) {
        self.paused.store(true, Ordering::Release);
        self.cancel.store(true, Ordering::Release);
    }

    /// The app's own packs folder (where packs are installed).
    pub fn packs_dir(&self) -> &std::path::Path {
        &self.config.packs_dir
    }

    /// How far a pack's installation is (`None` when none runs), told to the UI.
    pub fn installing(&self, progress: Option<image_scorer_protocol::InstallProgress>) {
        self.progress(|s| s.installing = progress);
    }

    /// A pack was installed or removed: the list is read again and told, and a predictor
    /// without a pack tries again.
    pub fn packs_changed(&self) {
        self.update(|_| {});
        self.control.notify_one();
    }

    /// Checks the pack in `dir` as it would be opened (with ONNX Runtime when it loads; its
    /// manifest and files otherwise).
    pub fn validate_pack(&self, dir: &std::path::Path) -> crate::Result<()> {
        match load_runtime(&self.config.onnx_runtime) {
            Ok(runtime) => Pack::open(&runtime, dir, 1).map(|_| ()),
            Err(_) => {
                let text = std::fs::read_to_string(dir.join(crate::inference::pack::MANIFEST))
                    .map_err(|e| crate::CoreError::io(dir, e))?;
                let manifest: crate::inference::PackManifest =
                    toml::from_str(&text).map_err(|e| {
                        crate::CoreError::Model(format!(
                            "The model pack {}: pack.toml is not valid: {e}",
                            dir.display()
                        ))
                    })?;
                let files = std::iter::once(&manifest.encoder.file)
                    .chain(manifest.head.as_ref().map(|h| &h.file));
                for file in files {
                    if !dir.join(file).is_file() {
                        return Err(crate::CoreError::Model(format!(
                            "The model pack {}: {} is missing",
                            dir.display(),
                            file.display()
                        )));
                    }
                }
                Ok(())
            }
        }
    }

    fn packs(&self) -> Vec<(PackInfo, PathBuf)> {
        let mut sources = vec![("packs".to_owned(), self.config.packs_dir.clone())];
        sources.extend(self.config.extra_packs.iter().cloned());
        let sources: Vec<(&str, PathBuf)> = sources
            .iter()
            .map(|(l, p)| (l.as_str(), p.clone()))
            .collect();
        discover_packs(&sources)
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, PredictorState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the state and reports it. The list of packs is read afresh unless this is only
    /// the job's progress (reading every pack's manifest a few times a second is wasted work).
    fn update(&self, change: impl FnOnce(&mut PredictorState)) {
        self.report(true, change);
    }

    /// Reports the job's progress.
    fn progress(&self, change: impl FnOnce(&mut PredictorState)) {
        self.report(false, change);
    }

    fn report(&self, read_packs: bool, change: impl FnOnce(&mut PredictorState)) {
        let packs = read_packs.then(|| self.packs().into_iter().map(|(p, _)| p).collect());
        let snapshot = {
            let mut state = self.lock_state();
            if let Some(packs) = packs {
                state.packs = packs;
            }
            change(&mut state);
            state.revision = state.revision.saturating_add(1);
            state.clone()
        };
        self.sink.emit(AppEvent::PredictorChanged(snapshot));
    }
}

/// Why there is no active pack to compare embeddings with, for the user.
pub fn no_pack(state: &PredictorState) -> AppError {
    AppError::new(
        ErrorKind::Model,
        match &state.problem {
            Some(problem) => format!("Similarity needs a model pack's embeddings. {problem}"),
            None => {
                "Similarity needs a model pack's embeddings; the active pack is opening.".into()
            }
        },
    )
}

/// Lowers the calling thread's CPU priority as far as it goes: Linux's idle scheduling class
/// (it runs only when nothing else wants the CPU), else nice 19. On Linux both belong to the
/// thread, and threads started from it inherit them.
pub(super) fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: both calls only read their arguments; pid / who 0 is the calling thread.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, 0, 19);
        }
    }
}
