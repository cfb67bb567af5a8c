//! The Score and Rate experiments: raters, the queue, an image's scores, and undo.

use serde::{Deserialize, Serialize};

/// Who is rating.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rater {
    /// The rater this door starts with (the one chosen last, else the operating-system user).
    pub name: String,
    /// Every rater known, oldest first.
    pub all: Vec<String>,
}

/// One image in the scoring queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    /// Its SHA-1 (its address under the image scheme).
    pub sha1: String,
    /// The path of one of its files, below its folder.
    pub name: String,
}

/// The images to score, in order, and the rater's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreQueue {
    /// Unrated first (shuffled once per session), then the rated ones if asked for.
    pub items: Vec<QueueItem>,
    /// How many of the first items the team still wants from this rater under the library's
    /// [`QueueRule`](crate::QueueRule) (fewer raters than the overlap first, then disputed
    /// ones); the page reserves each with [`ClaimImages`](crate::commands::ClaimImages) as it
    /// comes to it. The unrated images after them have their raters already.
    #[serde(default)]
    pub needed: u32,
    /// How many images the rater has scored.
    pub rated: u32,
    /// How many images can be scored.
    pub total: u32,
    /// Asked for a [`QueueWindow`](crate::commands::QueueWindow): how many images of the
    /// queue come after `items` (neither in it nor known).
    #[serde(default)]
    pub rest: u32,
    /// Asked for a window: its known images that are no longer in the queue (gone from the
    /// library, unreadable, or scored when rated ones are left out).
    #[serde(default)]
    pub absent: Vec<String>,
    /// How many images of the whole queue the team still wants from this rater (`needed`
    /// counts those in `items`).
    #[serde(default)]
    pub wanted: u32,
}

/// One image's scores as the Score page shows them, and the rater's progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreState {
    /// The image.
    pub sha1: String,
    /// The asking rater's current score.
    pub mine: Option<f64>,
    /// The mean of every rater's current score.
    pub mean: Option<f64>,
    /// How many raters scored it.
    pub raters: u32,
    /// The active pack's predicted score, when it has one.
    pub predicted: Option<f64>,
    /// The asking rater's own model's prediction (learned from their scores), once it has
    /// ratings and the image an embedding.
    pub own_predicted: Option<f64>,
    /// Whether the own model predicts better than the pack by cross-validation: the Rate page
    /// then starts from it and says so.
    pub own_better: bool,
    /// How many images the rater has scored.
    pub rated: u32,
    /// How many images can be scored.
    pub total: u32,
}

/// What an undo took back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undone {
    /// The judgement, now flagged undone.
    pub judgement: crate::Judgement,
    /// For a score or a rating, its image's state now (so the page can show it again).
    pub score: Option<ScoreState>,
}
