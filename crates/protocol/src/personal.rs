//! A rater's own model of their scores, learned while they rate: how good it is, and whether it
//! is shown instead of the pack's prediction.

use serde::{Deserialize, Serialize};

/// Cross-validated quality of a rater's model at some number of ratings (10-fold, or fewer
/// folds with fewer ratings), next to the pack's head on the same ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelQuality {
    /// Ratings the figures are over (the rater's first, in the order given).
    pub ratings: u32,
    /// Spearman's correlation of the held-out predictions with the scores.
    pub spearman: f64,
    /// Their mean absolute error, in score points.
    pub mae: f64,
    /// The pack head's Spearman on the same ratings (0 without a head).
    pub head_spearman: f64,
    /// The pack head's mean absolute error on them.
    pub head_mae: f64,
    /// The held-out mean absolute error of predicting the mean score (the baseline).
    pub mean_mae: f64,
}

/// What [`crate::commands::ExportOwnModel`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnModelExported {
    /// The files: the ONNX head, then its weights and bias as `.npy`.
    pub files: Vec<String>,
    /// The ratings the model was fitted on.
    pub ratings: u32,
    /// Whether the model is the pack's head plus the rater's difference from it (its output is
    /// then `own_score`, beside the head's own output), rather than a linear model alone
    /// (output `score`).
    pub over_head: bool,
    /// The ONNX input (the embedding) and output (the score) names.
    pub input: String,
    /// The output's name.
    pub output: String,
}

/// What is known of a rater's own model for the active pack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonalModel {
    /// The ratings it is fitted on (the rater's scores of images the pack has embedded).
    pub ratings: u32,
    /// Its quality now (the curve's last point), once there are enough ratings.
    pub quality: Option<ModelQuality>,
    /// Its quality as the ratings grew: the learning curve.
    pub curve: Vec<ModelQuality>,
    /// Whether it predicts better than the pack (a lower cross-validated error than the head's,
    /// or than the mean without a head): the Rate page then starts from it.
    pub better_than_pack: bool,
    /// Whether the active pack has a head (the model learns the difference from it).
    pub has_head: bool,
    /// The ridge penalty chosen by generalised cross-validation.
    pub lambda: Option<f64>,
    /// Whether every score given so far is in it (no refit waiting or running).
    pub settled: bool,
}
