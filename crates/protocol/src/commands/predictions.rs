//! The model packs' commands, and each rater's own model.

use crate::PackFrom;
use serde::{Deserialize, Serialize};

/// Installs a model pack from a folder or a .zip (chosen in the native picker: the path never
/// comes from the webview) or from a .zip at a URL, validates it, and lists it; `None` when the
/// picker is cancelled. Progress shows in [`crate::PredictorState::installing`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallPack {
    /// Where from.
    pub from: PackFrom,
}

/// The packs found, the active one, and how far the embedding of the library is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetPredictor {}

/// Makes the pack `id` (as listed in [`crate::PredictorState::packs`]) the active one; remembered
/// across restarts. Embeddings computed with any pack stay cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPack {
    /// The pack's id.
    pub id: String,
}

/// Pauses (`true`) or resumes the background embedding; what is done stays done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PausePredictions {
    /// Pause or resume.
    pub paused: bool,
}

/// What is known of `rater`'s own model for the active pack: its ratings, its cross-validated
/// quality as they grew, and whether it is shown instead of the pack's prediction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetPersonalModel {
    /// Whose model.
    pub rater: String,
}

/// Shows the save dialog and writes `rater`'s own model there as an ONNX head (embedding in,
/// score out, usable as a pack's head), with its weights and bias as `.npy` beside it; `None`
/// when the user cancels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOwnModel {
    /// Whose model.
    pub rater: String,
}
