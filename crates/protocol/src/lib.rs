//! The types that cross the IPC boundary between the Yew UI (wasm32) and the Tauri app (native).
//!
//! Everything here is plain data with serde and specta derives: no I/O, no platform code, so the
//! same definitions compile on both sides and generate the committed TypeScript bindings.

mod error;
mod library;

pub use error::{AppError, ErrorKind};
pub use library::{AppState, LibraryState, Root};

/// Names of the events the app emits to the UI.
pub mod events {
    /// Emitted with a [`crate::LibraryState`] payload whenever the set of open folders changes.
    pub const LIBRARY_CHANGED: &str = "library-changed";
}
