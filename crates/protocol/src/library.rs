//! The library: which folders are open.

use crate::AppError;
use serde::{Deserialize, Serialize};
use specta::Type;

/// A folder the user opened; every image below it belongs to the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Root {
    /// Database id of the folder (stable while it stays open).
    pub id: i32,
    /// Absolute, canonical path of the folder.
    pub path: String,
}

/// The open folders, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LibraryState {
    /// Every open folder.
    pub roots: Vec<Root>,
}

/// What the UI needs when it starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AppState {
    /// The library as stored.
    pub library: LibraryState,
    /// Problems met while starting (e.g. the folder given on the command line does not exist),
    /// to be shown to the user once.
    pub startup_errors: Vec<AppError>,
}
