//! The Similarity page's commands: look-alikes, likeness judgements and near-duplicates.

use crate::{DuplicateMethod, PairKind};
use serde::{Deserialize, Serialize};

/// The `k` library images most like the image `sha1` under the active pack's cached
/// embeddings, most alike first. Refused when there is no active pack or the image has no
/// embedding yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindSimilar {
    /// The query image.
    pub sha1: String,
    /// How many (the app caps it at 200).
    pub k: u32,
}

/// Shows the system file picker; the chosen image (not added to the library) is embedded with
/// the active pack and its `k` most similar library images are the answer. `None` when the
/// user cancels. The path comes from the native dialog, never from the webview; a file
/// dropped on the window gives the same answer as the event
/// [`crate::events::SimilarToFile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindSimilarToFile {
    /// How many (the app caps it at 200).
    pub k: u32,
}

/// A pair of images to judge for likeness, with their cosine: drawn at random, or an image
/// and one of its nearest neighbours. None of `exclude` (the pair on screen) while there are
/// enough others; images marked as duplicates never. `None` when fewer than two images have
/// an embedding; refused without an active pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetSimilarPair {
    /// Random or near.
    pub kind: PairKind,
    /// Images not to use, by SHA-1.
    pub exclude: Vec<String>,
}

/// Records how alike `rater` finds the two `images` (as shown, left first): 1 ("nothing
/// alike") to 5 ("the same picture"), with the cosine that was shown. Refused, recording
/// nothing, when an image left the library or the cosine is not the active pack's (the pack
/// changed since the pair was shown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordLikeness {
    /// Who judged.
    pub rater: String,
    /// The two images by SHA-1, left first.
    pub images: Vec<String>,
    /// 1 to 5.
    pub value: u32,
    /// The cosine shown.
    pub cosine: f64,
}

/// Every likeness judgement made with the active pack's cosine (the plot), with the asking
/// rater's marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetLikeness {
    /// Who asks.
    pub rater: String,
}

/// The near-duplicate groups among the library images not marked as duplicates, found by
/// `method`; the first `limit` of them, closest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetDuplicateGroups {
    /// Embeddings with a threshold, or the perceptual hash with a distance.
    pub method: DuplicateMethod,
    /// At most this many groups (the app caps it at 1,000).
    pub limit: u32,
}

/// Keeps `keep` and marks each of `duplicates` as its duplicate: they leave every queue (the
/// files are never touched). One judgement in the log, which undo takes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkDuplicates {
    /// Who decided.
    pub rater: String,
    /// The image kept.
    pub keep: String,
    /// The images marked (1 to 100).
    pub duplicates: Vec<String>,
}
