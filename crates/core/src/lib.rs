//! The Image Scorer domain, independent of any UI: the library of images, the SQLite store,
//! and (in later modules) inference, ranking, similarity, export and import.
//!
//! Everything here runs in plain `cargo test -p image-scorer-core` on real temp folders and a
//! real SQLite file; the Tauri app only calls into it.

pub mod error;
pub mod folder;
pub mod inference;
pub mod library;
pub mod store;

pub use error::{CoreError, Result};
pub use store::Store;
