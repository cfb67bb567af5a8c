//! The Image Scorer domain and the app itself, independent of any UI: the library of images,
//! the SQLite store with its judgement log, inference, and [`App`], the service that ties them
//! together behind the commands of `image-scorer-protocol`.
//!
//! Everything here runs in plain `cargo test -p image-scorer-core` on real temp folders and a
//! real SQLite file; the Tauri shell, and any other door, only calls into it.

pub mod app;
pub mod domain;
pub mod error;
pub mod export;
pub mod folder;
pub mod import;
pub mod inference;
pub mod library;
pub mod plots;
pub mod similarity;
pub mod stats;
pub mod store;

pub use app::{App, AppConfig};
pub use error::{CoreError, Result};
pub use image_scorer_ranking as ranking;
pub use store::Store;
