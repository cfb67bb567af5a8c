//! Keeping the library current in the background: index every open folder, then watch them,
//! telling the UI what changed. Rating never waits for this.

use crate::state::AppContext;
use image_scorer_core::library::{scan_root, watch, watched_root, ScanProgress, WatchEvent};
use image_scorer_core::CoreError;
use image_scorer_protocol::{events, AppError, ScanStatus};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};

/// How often the UI hears of live changes at most.
const LIBRARY_EVERY: Duration = Duration::from_millis(150);

/// Indexes every open folder (only what changed since last time is read), then (re)starts the
/// watcher over them. Runs are serialised; call it again whenever the set of folders changes.
pub async fn index_and_watch(app: AppHandle) {
    let context = app.state::<AppContext>();
    let _one_at_a_time = context.indexing.lock().await;
    let store = context.store.clone();
    let roots = match store.library().await {
        Ok(library) => library.roots,
        Err(e) => return report(&app, e.into()),
    };
    // Stop watching while scanning: the scan sees everything anyway.
    *context.watcher.lock().await = None;
    let mut watched = Vec::new();
    for root in &roots {
        let id = i64::from(root.id);
        let path = Path::new(&root.path);
        let progress = |p: ScanProgress| emit_progress(&app, root.id, p, false);
        match scan_root(&store, id, path, progress).await {
            Ok(report) => emit_progress(
                &app,
                root.id,
                ScanProgress {
                    found: report.found,
                    to_hash: report.hashed + report.changing,
                    hashed: report.hashed + report.changing,
                },
                true,
            ),
            Err(e @ CoreError::FolderNotFound(_)) => {
                emit_progress(&app, root.id, ScanProgress::default(), true);
                report(&app, e.into());
                continue;
            }
            Err(e) => report(&app, e.into()),
        }
        match watched_root(&store, id, path).await {
            Ok(w) => watched.push(w),
            Err(e) => report(&app, e.into()),
        }
        emit_library(&app).await;
    }
    let handle = app.clone();
    let scheduled = Arc::new(AtomicBool::new(false));
    let on_event = move |event: WatchEvent| match event {
        // A burst of changes becomes one update every LIBRARY_EVERY, so the UI never drowns.
        WatchEvent::Changed(_) => {
            if !scheduled.swap(true, Ordering::AcqRel) {
                let app = handle.clone();
                let scheduled = scheduled.clone();
                tauri::async_runtime::spawn(async move {
                    tokio::time::sleep(LIBRARY_EVERY).await;
                    scheduled.store(false, Ordering::Release);
                    emit_library(&app).await;
                });
            }
        }
        WatchEvent::Scanning(root, p) => emit_progress(&handle, root as i32, p, false),
        WatchEvent::Scanned(root) => {
            emit_progress(&handle, root as i32, ScanProgress::default(), true)
        }
        WatchEvent::Error(message) => report(
            &handle,
            AppError::new(image_scorer_protocol::ErrorKind::Io, message),
        ),
    };
    match watch(store, watched, on_event) {
        Ok(watcher) => *context.watcher.lock().await = Some(watcher),
        Err(e) => report(&app, e.into()),
    }
    emit_library(&app).await;
}

/// Sends the current library (folders and counts) to the UI.
pub async fn emit_library(app: &AppHandle) {
    let store = app.state::<AppContext>().store.clone();
    match store.library().await {
        Ok(library) => {
            let _ = app.emit(events::LIBRARY_CHANGED, &library);
            // New images get their embeddings and predictions.
            app.state::<AppContext>().predictor.wake();
        }
        Err(e) => report(app, e.into()),
    }
}

fn emit_progress(app: &AppHandle, root_id: i32, p: ScanProgress, done: bool) {
    let status = ScanStatus {
        root_id,
        found: p.found as u32,
        to_hash: p.to_hash as u32,
        hashed: p.hashed as u32,
        done,
    };
    let _ = app.emit(events::SCAN_PROGRESS, status);
}

/// Tells the user about a failure in background work.
pub fn report(app: &AppHandle, error: AppError) {
    eprintln!("image-scorer: {error}");
    let _ = app.emit(events::APP_ERROR, error);
}
