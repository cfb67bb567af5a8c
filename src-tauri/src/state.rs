//! State managed by Tauri and shared by every command.

use crate::predictor::Predictor;
use image_scorer_core::library::LibraryWatcher;
use image_scorer_core::Store;
use image_scorer_protocol::AppError;
use std::sync::Mutex;

/// Everything a command may need.
pub struct AppContext {
    /// The database (through the SQL plugin's pool).
    pub store: Store,
    /// The watcher over the open folders, once indexing has started it.
    pub watcher: tokio::sync::Mutex<Option<LibraryWatcher>>,
    /// The current rater: (id, name).
    pub rater: tokio::sync::Mutex<(i64, String)>,
    /// Held while indexing runs, so runs never overlap.
    pub indexing: tokio::sync::Mutex<()>,
    /// Packs, the active one, and the background embedding job.
    pub predictor: Predictor,
    startup_errors: Mutex<Vec<AppError>>,
}

impl AppContext {
    /// A context over `store`, holding the problems met while starting.
    pub fn new(
        store: Store,
        rater: (i64, String),
        predictor: Predictor,
        startup_errors: Vec<AppError>,
    ) -> Self {
        Self {
            store,
            rater: tokio::sync::Mutex::new(rater),
            watcher: tokio::sync::Mutex::new(None),
            indexing: tokio::sync::Mutex::new(()),
            predictor,
            startup_errors: Mutex::new(startup_errors),
        }
    }

    /// The problems met while starting (the UI lets the user dismiss them).
    pub fn startup_errors(&self) -> Vec<AppError> {
        self.startup_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
