//! The library: which folders are open.

use crate::AppError;
use serde::{Deserialize, Serialize};

/// A folder the user opened; every image below it belongs to the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    /// Database id of the folder (stable while it stays open).
    pub id: i32,
    /// Absolute, canonical path of the folder.
    pub path: String,
    /// Exclusion patterns, one glob per line (matched against names, or against the path below
    /// the folder when the pattern has a `/`).
    pub excludes: String,
}

/// How many images the library holds (only images with a file present count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryCounts {
    /// Images that can be shown and rated.
    pub ok: u32,
    /// Images and files that cannot: damaged, not images, unsupported formats, unreadable.
    pub unreadable: u32,
}

/// The open folders, oldest first, and what they hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryState {
    /// Every open folder.
    pub roots: Vec<Root>,
    /// The images below them.
    pub counts: LibraryCounts,
}

/// Where the indexing of one folder stands (the payload of
/// [`crate::events::SCAN_PROGRESS`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanStatus {
    /// The folder.
    pub root_id: i32,
    /// Image files found so far.
    pub found: u32,
    /// Of those, how many are new or changed and need reading.
    pub to_hash: u32,
    /// How many of those are read.
    pub hashed: u32,
    /// Whether this scan is finished.
    pub done: bool,
}

/// What the UI needs when it starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppState {
    /// The library as stored.
    pub library: LibraryState,
    /// Problems met while starting (e.g. the folder given on the command line does not exist),
    /// to be shown to the user once.
    pub startup_errors: Vec<AppError>,
    /// The library is the app's own folder (a phone's or tablet's app storage): images are
    /// imported into it ([`crate::commands::ImportImages`]) and it is rescanned when the app
    /// comes back to the front; no other folder is opened or watched.
    #[serde(default)]
    pub app_storage: bool,
}

/// What [`crate::commands::ImportImages`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedImages {
    /// Files copied into the library.
    pub copied: u32,
    /// Files whose content the library already had (not copied again).
    pub already: u32,
    /// Files not copied, each with its reason.
    pub problems: Vec<String>,
    /// The library after the import (indexed).
    pub library: LibraryState,
}

/// One image of the library, as a gallery shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSummary {
    /// SHA-1 of its bytes: its identity, and its address under [`crate::IMAGE_SCHEME`].
    pub sha1: String,
    /// The path of one of its files, below its folder.
    pub name: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// A page of the library's images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagePage {
    /// The images, by file path.
    pub images: Vec<ImageSummary>,
    /// How many images there are in all.
    pub total: u32,
}

/// A file of the library that cannot be shown, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The open folder it is in.
    pub folder: String,
    /// Its path below that folder.
    pub name: String,
    /// What is wrong, as a phrase that follows the name ("is a truncated JPG file: …").
    pub error: String,
}
