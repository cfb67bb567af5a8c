//! The predictor's background work: open the pack wanted (loading ONNX Runtime once,
//! fingerprinting the pack's files), then embed what the library lacks, batch by batch on a
//! thread of its own, until a switch, a pause or a stop.

use super::*;

/// How often the progress of an embedding job run by another process is read.
const ELSEWHERE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl Predictor {
    /// Runs until the task is dropped: loads ONNX Runtime, opens the active pack, embeds the
    /// library, then sleeps until the library changes (`library`) or the user switches packs
    /// or resumes.
    pub async fn run(self: Arc<Self>, mut library: watch::Receiver<u64>) {
        let candidates = self.config.onnx_runtime.clone();
        let runtime = tokio::task::spawn_blocking(move || load_runtime(&candidates))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        let mut active: Option<Active> = None;
        let mut library_open = true;
        loop {
            library.borrow_and_update();
            self.cancel.store(false, Ordering::Release);
            match &runtime {
                Err(problem) => self.update(|s| s.problem = Some(problem.clone())),
                Ok(runtime) => {
                    if let Err(problem) = self.open_wanted(runtime, &mut active).await {
                        active = None;
                        *self.model_id.lock().unwrap_or_else(|e| e.into_inner()) = None;
                        *self.open.lock().unwrap_or_else(|e| e.into_inner()) = None;
                        self.update(|s| {
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
            let here = self.embeds_here.load(Ordering::Acquire);
            if let Some(a) = &active {
                if !self.paused.load(Ordering::Acquire) && here {
                    self.embed(a).await;
                } else if let Ok((done, total)) = self.store.embed_counts(a.model_id).await {
                    self.update(|s| {
                        s.progress.done = done;
                        s.progress.total = total;
                        s.progress.running = false;
                    });
                }
            }
            tokio::select! {
                _ = self.control.notified() => {}
                changed = library.changed(), if library_open => {
                    library_open = changed.is_ok();
                }
                // Another process embeds: its progress, as the database has it.
                _ = tokio::time::sleep(ELSEWHERE_EVERY), if !here => {}
            }
        }
    }

    /// Opens the pack the user wants (the one chosen now or before, else the first usable one
    /// with a score head, else the first usable one) unless it is already open.
    async fn open_wanted(
        &self,
        runtime: &Runtime,
        active: &mut Option<Active>,
    ) -> Result<(), String> {
        let packs = self.packs();
        let asked = self
            .wanted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let remembered = self.store.setting(settings::PACK).await.ok().flatten();
        // Without a choice of the user's, the pack in use stays in use (a pack installed meanwhile
        // does not take its place by sorting first).
        let current = active.as_ref().map(|a| a.id.clone());
        let Some((info, dir)) =
            choose_pack(&packs, asked.or(remembered).or(current).as_deref()).cloned()
        else {
            return Err(format!(
                "No model pack is installed, so there are no predictions; everything else works. \
                 Put a pack (a folder with pack.toml) in {}.",
                self.config.packs_dir.display()
            ));
        };
        let id = info.id.clone();
        if active.as_ref().is_some_and(|a| a.id == id) {
            return Ok(());
        }
        self.update(|s| {
            s.active = Some(id.clone());
            s.problem = Some(format!("Opening the model pack “{}”…", info.name));
        });
        let runtime = runtime.clone();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        // Opened on the background thread: ONNX Runtime's worker threads, created now,
        // inherit its priority.
        let handle = tokio::runtime::Handle::current();
        let store = self.store.clone();
        let (pack, hash) = self
            .in_background(move || {
                let pack = Pack::open(&runtime, &dir, threads).map_err(|e| e.to_string())?;
                let hash = fingerprint(&handle, &store, &pack)?;
                Ok::<_, String>((pack, hash))
            })
            .await?;
        let model_id = self
            .store
            .model_id(&hash, &pack.manifest.name)
            .await
            .map_err(|e| e.to_string())?;
        let predicts = pack.manifest.head.is_some();
        *active = Some(Active {
            id: id.clone(),
            pack: Arc::new(pack),
            model_id,
            fault: std::sync::OnceLock::new(),
        });
        *self.model_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(model_id);
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) =
            active.as_ref().map(|a| a.pack.clone());
        self.update(|s| {
            s.active = Some(id);
            s.predicts = predicts;
            s.problem = None;
        });
        Ok(())
    }

    /// Embeds what is missing with the active pack, reporting each batch.
    async fn embed(self: &Arc<Self>, active: &Active) {
        if active.fault.get().is_some() {
            return;
        }
        let (done, total) = match self.store.embed_counts(active.model_id).await {
            Ok(counts) => counts,
            Err(e) => return report(&*self.sink, e.into()),
        };
        self.update(|s| {
            s.progress.done = done;
            s.progress.total = total;
            s.progress.running = done < total;
        });
        if done >= total {
            return;
        }
        let handle = tokio::runtime::Handle::current();
        let (this, pack, model_id) = (self.clone(), active.pack.clone(), active.model_id);
        let result = self
            .in_background(move || {
                let last_update = Mutex::new(std::time::Instant::now());
                let job = EmbedJob {
                    store: &this.store,
                    pack: &pack,
                    model_id,
                    cancel: &this.cancel,
                };
                let run = job.run_blocking(&handle, |report| {
                    // A fast model finishes dozens of batches a second: tell the UI a few
                    // times a second.
                    let now = std::time::Instant::now();
                    {
                        let mut last = last_update.lock().unwrap_or_else(|e| e.into_inner());
                        if now.duration_since(*last) < PROGRESS_EVERY {
                            return;
                        }
                        *last = now;
                    }
                    let done = done + (report.computed + report.failed) as u32;
                    this.progress(|s| s.progress.done = done.min(s.progress.total));
                });
                // The job's own failure is kept whole: a fault of the pack's models is told
                // apart from the rest.
                Ok(run)
            })
            .await;
        let counts = self.store.embed_counts(active.model_id).await;
        self.update(|s| {
            if let Ok((done, total)) = counts {
                s.progress.done = done;
                s.progress.total = total;
            }
            s.progress.running = false;
        });
        match result {
            Ok(Ok(run)) if run.failed > 0 => {
                report(
                    &*self.sink,
                    AppError::new(
                        ErrorKind::Model,
                        format!(
                            "{} could not be decoded for predictions; {} now listed \
                             with the unreadable files.",
                            image_scorer_protocol::text::count(run.failed, "image", "images"),
                            if run.failed == 1 { "it is" } else { "they are" }
                        ),
                    ),
                );
                self.indexer.changed().await;
            }
            Ok(Ok(_)) => {}
            Ok(Err(crate::CoreError::Model(fault))) => {
                // The pack's models gave what cannot be used (NaN, a wrong shape, a failure to
                // run): no predictions from it, said where the pack is shown; the rest of the
                // app goes on without them.
                self.update(|s| s.problem = Some(fault.clone()));
                let _ = active.fault.set(fault.clone());
                report(&*self.sink, AppError::new(ErrorKind::Model, fault));
            }
            Ok(Err(e)) => report(&*self.sink, AppError::new(ErrorKind::Model, e.to_string())),
            Err(e) => report(&*self.sink, AppError::new(ErrorKind::Model, e)),
        }
    }

    /// Runs `work` on a thread of its own (at low CPU priority when so configured) and waits
    /// for its answer.
    async fn in_background<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let low = self.config.low_priority;
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("predictions".into())
            .spawn(move || {
                if low {
                    lower_priority();
                }
                let _ = tx.send(work());
            })
            .map_err(|e| format!("cannot start the predictions thread: {e}"))?;
        rx.await
            .map_err(|_| "the predictions thread stopped unexpectedly".to_owned())?
    }
}

pub(super) fn load_runtime(candidates: &[PathBuf]) -> Result<Runtime, String> {
    let library = find_library(candidates).map_err(|e| e.to_string())?;
    Runtime::load(&library).map_err(|e| e.to_string())
}

/// The pack's fingerprint, computed once per version of its files: hashing a CLIP ViT-L/14
/// tower reads over a gigabyte, so it is remembered under the files' path, size and time.
fn fingerprint(
    handle: &tokio::runtime::Handle,
    store: &Store,
    pack: &Pack,
) -> Result<String, String> {
    let key = pack_stat_key(&pack.dir, &pack.manifest)
        .map(|k| settings::fingerprint(&k))
        .map_err(|e| e.to_string())?;
    if let Ok(Some(hash)) = handle.block_on(store.setting(&key)) {
        return Ok(hash);
    }
    let hash = pack_fingerprint(&pack.dir, &pack.manifest).map_err(|e| e.to_string())?;
    let _ = handle.block_on(store.set_setting(&key, &hash));
    Ok(hash)
}
