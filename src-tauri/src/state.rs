//! State managed by Tauri and shared by every command.

use image_scorer_core::Store;
use image_scorer_protocol::AppError;
use std::sync::Mutex;

/// Everything a command may need.
pub struct AppContext {
    /// The database (through the SQL plugin's pool).
    pub store: Store,
    startup_errors: Mutex<Vec<AppError>>,
}

impl AppContext {
    /// A context over `store`, holding the problems met while starting.
    pub fn new(store: Store, startup_errors: Vec<AppError>) -> Self {
        Self {
            store,
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
