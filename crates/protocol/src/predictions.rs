//! Predictions: the model packs, the active one, and the background embedding job.

use serde::{Deserialize, Serialize};

/// A model pack the app found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackInfo {
    /// Its id (`<where>/<folder name>`); the only way the UI names a pack.
    pub id: String,
    /// Its name, from `pack.toml` (the folder's name when the manifest cannot be read).
    pub name: String,
    /// Where it was found: the app's packs folder (`packs`) or the development `models` folder.
    pub source: String,
    /// Whether it has a score head (can predict scores), not only an encoder.
    pub has_head: bool,
    /// Why it cannot be used, if it cannot.
    pub problem: Option<String>,
}

/// How far the background embedding of the library with the active pack is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedProgress {
    /// Images done (embedded, or failed to decode) with the active pack.
    pub done: u32,
    /// Images in the library that can be shown.
    pub total: u32,
    /// Whether the job is working now.
    pub running: bool,
    /// Whether the user paused it.
    pub paused: bool,
}

/// Everything about predictions the UI shows (the payload of
/// [`crate::events::PREDICTOR_CHANGED`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictorState {
    /// Why predictions are off, in words for the user (no ONNX Runtime, no pack, a broken pack);
    /// `None` when the active pack works.
    pub problem: Option<String>,
    /// Every pack found, in order.
    pub packs: Vec<PackInfo>,
    /// The id of the active pack, if any.
    pub active: Option<String>,
    /// Whether the active pack predicts scores (has a head).
    pub predicts: bool,
    /// The folder where the user puts packs.
    pub packs_dir: String,
    /// The background job.
    pub progress: EmbedProgress,
    /// Counts the predictor's changes: a snapshot with a lower number is older. Events and
    /// command answers reach the UI by different ways, so an answer can arrive after an
    /// event that was sent later; the UI keeps the newer one.
    #[serde(default)]
    pub revision: u32,
    /// A pack being installed: how far the copy or download is.
    #[serde(default)]
    pub installing: Option<InstallProgress>,
}

/// How far the installation of a pack is, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallProgress {
    /// Copied or downloaded so far.
    pub done_kib: u32,
    /// In all, when known.
    pub total_kib: Option<u32>,
}

/// Where a pack to install comes from ([`crate::commands::InstallPack`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PackFrom {
    /// A folder with pack.toml and its models, chosen in the native folder picker.
    Folder,
    /// A .zip of one, chosen in the native file picker.
    Zip,
    /// A .zip on the web (downloaded with resume), with its SHA-256 when the publisher gives
    /// one.
    Url { url: String, sha256: Option<String> },
}
