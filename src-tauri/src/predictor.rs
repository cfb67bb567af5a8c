//! Predictions in the background: find ONNX Runtime and the model packs, open the active pack,
//! and embed (and score) every image of the library with it, telling the UI how far it is.
//! Rating never waits for this; without a runtime or a pack the app says so and works on.

use crate::state::AppContext;
use image_scorer_core::inference::{
    choose_pack, discover_packs, embed_library_blocking, find_library, library_candidates,
    pack_fingerprint, pack_stat_key, Pack, Runtime,
};
use image_scorer_core::Store;
use image_scorer_protocol::{events, EmbedProgress, PackInfo, PredictorState};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Notify;

/// The setting that remembers the pack the user chose.
pub const ACTIVE_SETTING: &str = "pack";
/// How often the UI hears of the embedding's progress at most.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(200);
/// The environment variable naming the ONNX Runtime library (or its folder).
pub const ORT_VARIABLE: &str = "IMAGE_SCORER_ORT";

/// The active pack, opened.
struct Active {
    id: String,
    pack: Arc<Pack>,
    model_id: i64,
}

/// The predictions side of the app, managed by Tauri.
pub struct Predictor {
    sources: Vec<(&'static str, PathBuf)>,
    packs_dir: PathBuf,
    state: Mutex<PredictorState>,
    model_id: Mutex<Option<i64>>,
    /// The pack the user asked for (`None`: the remembered one, else the first found).
    wanted: Mutex<Option<String>>,
    /// Stops the running job after its current batch (a switch, a pause).
    cancel: AtomicBool,
    paused: AtomicBool,
    wake: Notify,
}

impl Predictor {
    /// Looks for packs in `packs_dir` (created if missing) and, in development builds, in the
    /// repository's `models/` folder.
    pub fn new(packs_dir: PathBuf) -> Self {
        let _ = std::fs::create_dir_all(&packs_dir);
        let mut sources = vec![("packs", packs_dir.clone())];
        if cfg!(debug_assertions) {
            sources.push((
                "models",
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../models")),
            ));
        }
        let state = PredictorState {
            problem: Some("Predictions are starting…".into()),
            packs_dir: packs_dir.display().to_string(),
            ..PredictorState::default()
        };
        Self {
            sources,
            packs_dir,
            state: Mutex::new(state),
            model_id: Mutex::new(None),
            wanted: Mutex::new(None),
            cancel: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            wake: Notify::new(),
        }
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

    /// Whether `id` names a pack that exists now.
    pub fn knows(&self, id: &str) -> bool {
        self.packs().iter().any(|(p, _)| p.id == id)
    }

    /// Makes `id` the active pack (the caller checked it with [`Predictor::knows`]).
    pub fn choose(&self, id: String) {
        *self.wanted.lock().unwrap_or_else(|e| e.into_inner()) = Some(id);
        self.cancel.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    /// Pauses (`true`) or resumes the background job.
    pub fn pause(&self, paused: bool) {
        self.paused.store(paused, Ordering::Release);
        if paused {
            self.cancel.store(true, Ordering::Release);
        }
        self.lock_state().progress.paused = paused;
        self.wake.notify_one();
    }

    /// The library changed: embed what is new.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn packs(&self) -> Vec<(PackInfo, PathBuf)> {
        discover_packs(&self.sources)
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, PredictorState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, app: &AppHandle, change: impl FnOnce(&mut PredictorState)) {
        let packs = self.packs().into_iter().map(|(p, _)| p).collect();
        let snapshot = {
            let mut state = self.lock_state();
            state.packs = packs;
            change(&mut state);
            state.clone()
        };
        let _ = app.emit(events::PREDICTOR_CHANGED, snapshot);
    }
}

/// Runs for the life of the app: loads ONNX Runtime, opens the active pack, embeds the
/// library, then sleeps until the library changes or the user switches packs or resumes.
pub async fn run(app: AppHandle, store: Store) {
    let predictor = &app.state::<AppContext>().predictor;
    let runtime = tauri::async_runtime::spawn_blocking(load_runtime)
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    let mut active: Option<Active> = None;
    loop {
        predictor.cancel.store(false, Ordering::Release);
        match &runtime {
            Err(problem) => predictor.update(&app, |s| s.problem = Some(problem.clone())),
            Ok(runtime) => {
                if let Err(problem) = open_wanted(&app, &store, runtime, &mut active).await {
                    active = None;
                    *predictor.model_id.lock().unwrap_or_else(|e| e.into_inner()) = None;
                    predictor.update(&app, |s| {
                        s.problem = Some(problem);
                        s.predicts = false;
                        s.progress = EmbedProgress {
                            paused: s.progress.paused,
                            ..EmbedProgress::default()
                        };
                    });
                }
            }
        }
        if let Some(a) = &active {
            if !predictor.paused.load(Ordering::Acquire) {
                embed(&app, &store, a).await;
            } else if let Ok((done, total)) = store.embed_counts(a.model_id).await {
                predictor.update(&app, |s| {
                    s.progress.done = done;
                    s.progress.total = total;
                    s.progress.running = false;
                });
            }
        }
        predictor.wake.notified().await;
    }
}

fn load_runtime() -> Result<Runtime, String> {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(PathBuf::from));
    let configured = std::env::var_os(ORT_VARIABLE).map(PathBuf::from);
    let candidates = library_candidates(exe_dir.as_deref(), configured.as_deref());
    let library = find_library(&candidates).map_err(|e| e.to_string())?;
    Runtime::load(&library).map_err(|e| e.to_string())
}

/// Opens the pack the user wants (the one chosen now or before, else the first usable one with
/// a score head, else the first usable one) unless it is already open.
async fn open_wanted(
    app: &AppHandle,
    store: &Store,
    runtime: &Runtime,
    active: &mut Option<Active>,
) -> Result<(), String> {
    let predictor = &app.state::<AppContext>().predictor;
    let packs = predictor.packs();
    let asked = predictor
        .wanted
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let remembered = store.setting(ACTIVE_SETTING).await.ok().flatten();
    let Some((info, dir)) = choose_pack(&packs, asked.or(remembered).as_deref()).cloned() else {
        return Err(format!(
            "No model pack is installed, so there are no predictions; everything else works. \
             Put a pack (a folder with pack.toml) in {}.",
            predictor.packs_dir.display()
        ));
    };
    let id = info.id.clone();
    if active.as_ref().is_some_and(|a| a.id == id) {
        return Ok(());
    }
    predictor.update(app, |s| {
        s.active = Some(id.clone());
        s.problem = Some(format!("Opening the model pack “{}”…", info.name));
    });
    let runtime = runtime.clone();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    // Opened on a low-priority thread: ONNX Runtime's worker threads, created now, inherit it.
    let handle = tokio::runtime::Handle::current();
    let thread_store = store.clone();
    let opened = in_background(move || {
        let pack = Pack::open(&runtime, &dir, threads).map_err(|e| e.to_string())?;
        let hash = fingerprint(&handle, &thread_store, &pack)?;
        Ok::<_, String>((pack, hash))
    })
    .await?;
    let (pack, hash) = opened;
    let model_id = store
        .model_id(&hash, &pack.manifest.name)
        .await
        .map_err(|e| e.to_string())?;
    let predicts = pack.manifest.head.is_some();
    *active = Some(Active {
        id: id.clone(),
        pack: Arc::new(pack),
        model_id,
    });
    *predictor.model_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(model_id);
    predictor.update(app, |s| {
        s.active = Some(id);
        s.predicts = predicts;
        s.problem = None;
    });
    Ok(())
}

/// Embeds what is missing with the active pack, reporting each batch.
async fn embed(app: &AppHandle, store: &Store, active: &Active) {
    let predictor = &app.state::<AppContext>().predictor;
    let (done, total) = match store.embed_counts(active.model_id).await {
        Ok(counts) => counts,
        Err(e) => return crate::indexer::report(app, e.into()),
    };
    predictor.update(app, |s| {
        s.progress.done = done;
        s.progress.total = total;
        s.progress.running = done < total;
    });
    if done >= total {
        return;
    }
    let handle = tokio::runtime::Handle::current();
    let (thread_app, thread_store, pack, model_id) = (
        app.clone(),
        store.clone(),
        active.pack.clone(),
        active.model_id,
    );
    // Decoding and inference run on a low-priority thread (and the decoders it starts), so
    // they use idle CPU and yield it to the window and the commands.
    let result = in_background(move || {
        let app = &thread_app;
        let predictor = &app.state::<AppContext>().predictor;
        let last_update = Mutex::new(std::time::Instant::now());
        embed_library_blocking(
            &handle,
            &thread_store,
            &pack,
            model_id,
            &predictor.cancel,
            |report| {
                // A fast model finishes dozens of batches a second: tell the UI a few times a second.
                let now = std::time::Instant::now();
                {
                    let mut last = last_update.lock().unwrap_or_else(|e| e.into_inner());
                    if now.duration_since(*last) < PROGRESS_EVERY {
                        return;
                    }
                    *last = now;
                }
                let done = done + (report.computed + report.failed) as u32;
                predictor.update(app, |s| s.progress.done = done.min(s.progress.total));
            },
        )
        .map_err(|e| e.to_string())
    })
    .await;
    let counts = store.embed_counts(active.model_id).await;
    predictor.update(app, |s| {
        if let Ok((done, total)) = counts {
            s.progress.done = done;
            s.progress.total = total;
        }
        s.progress.running = false;
    });
    match result {
        Ok(report) if report.failed > 0 => {
            crate::indexer::report(
                app,
                image_scorer_protocol::AppError::new(
                    image_scorer_protocol::ErrorKind::Model,
                    format!(
                        "{} image(s) could not be decoded for predictions; they are now listed \
                         with the unreadable files.",
                        report.failed
                    ),
                ),
            );
            crate::indexer::emit_library(app).await;
        }
        Ok(_) => {}
        Err(e) => crate::indexer::report(
            app,
            image_scorer_protocol::AppError::new(image_scorer_protocol::ErrorKind::Model, e),
        ),
    }
}

/// The pack's fingerprint, computed once per version of its files: hashing a CLIP ViT-L/14
/// tower reads over a gigabyte, so it is remembered under the files' path, size and time.
fn fingerprint(
    handle: &tokio::runtime::Handle,
    store: &Store,
    pack: &Pack,
) -> Result<String, String> {
    let key = pack_stat_key(&pack.dir, &pack.manifest)
        .map(|k| format!("fingerprint:{k}"))
        .map_err(|e| e.to_string())?;
    if let Ok(Some(known)) = handle.block_on(store.setting(&key)) {
        return Ok(known);
    }
    let hash = pack_fingerprint(&pack.dir, &pack.manifest).map_err(|e| e.to_string())?;
    let _ = handle.block_on(store.set_setting(&key, &hash));
    Ok(hash)
}

/// Runs `work` on a thread of its own at low CPU priority and waits for its answer.
async fn in_background<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("predictions".into())
        .spawn(move || {
            lower_priority();
            let _ = tx.send(work());
        })
        .map_err(|e| format!("cannot start the predictions thread: {e}"))?;
    rx.await
        .map_err(|_| "the predictions thread stopped unexpectedly".to_owned())?
}

/// Lowers the calling thread's CPU priority as far as it goes: Linux's idle scheduling class
/// (it runs only when nothing else wants the CPU), else nice 19. On Linux both belong to the
/// thread, and threads started from it inherit them.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: both calls only read their arguments; pid / who 0 is the calling thread.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, 0, 19);
        }
    }
}
