//! The types that cross the IPC boundary between the Yew UI (wasm32) and the Tauri app (native).
//!
//! Everything here is plain data with serde and specta derives: no I/O, no platform code, so the
//! same definitions compile on both sides and generate the committed TypeScript bindings.

mod error;
mod library;
mod predictions;
mod scoring;

pub use error::{AppError, ErrorKind};
pub use library::{
    AppState, ImagePage, ImageSummary, LibraryCounts, LibraryState, Problem, Root, ScanStatus,
};
pub use predictions::{EmbedProgress, PackInfo, PredictorState};
pub use scoring::{QueueItem, Rater, ScoreQueue, ScoreState};

/// Names of the events the app emits to the UI.
pub mod events {
    /// Emitted with a [`crate::LibraryState`] payload whenever the open folders or the images
    /// below them change.
    pub const LIBRARY_CHANGED: &str = "library-changed";
    /// Emitted with a [`crate::ScanStatus`] payload while a folder is being indexed.
    pub const SCAN_PROGRESS: &str = "scan-progress";
    /// Emitted with an [`crate::AppError`] payload when background work fails.
    pub const APP_ERROR: &str = "app-error";
    /// Emitted with a [`crate::PredictorState`] payload when the packs, the active pack or the
    /// embedding job's progress change.
    pub const PREDICTOR_CHANGED: &str = "predictor-changed";
}

/// The URI scheme that serves library images to the webview, by content hash:
/// `image://localhost/<sha1>` (the original) and `image://localhost/thumb/<sha1>` (a thumbnail).
/// On Windows and Android the webview sees it as `http://image.localhost/…`.
pub const IMAGE_SCHEME: &str = "image";
