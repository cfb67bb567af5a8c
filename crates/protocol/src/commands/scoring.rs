//! The Score and Rate pages' commands: who rates, their queue, their scores and undo.

use serde::{Deserialize, Serialize};

/// The rater this door starts with (the one chosen last, else the operating-system user) and
/// every known rater.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetRater {}

/// Adds the rater `name` if new and remembers them as the one this door starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRater {
    /// 1 to 64 characters; surrounding spaces are trimmed.
    pub name: String,
}

/// The images for `rater` to score: those they have not scored first, shuffled by `seed` (one
/// per session), then the scored ones when `include_rated`. With `predicted_first` (the Rate
/// page), unscored images the active pack has predicted come before the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetScoreQueue {
    /// Who is rating.
    pub rater: String,
    /// Also the images they scored already.
    pub include_rated: bool,
    /// The session's shuffle.
    pub seed: u32,
    /// Predicted images first.
    pub predicted_first: bool,
    /// "Teach my model": the unscored images the rater's own model is least sure about, and
    /// unlike each other, first (up to 50, from a sample of 2,000), instead of the shuffle.
    #[serde(default)]
    pub teach: bool,
    /// Only a part of the queue (a page reads a large library's queue a window at a time);
    /// without one, the whole queue.
    #[serde(default)]
    pub window: Option<QueueWindow>,
}

/// A part of the scoring queue: its first `limit` images that are not `known` (those the page
/// holds already), so a page tops up what it holds as it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueWindow {
    /// At most this many images.
    pub limit: u32,
    /// The SHA-1s the page holds: left out of the window; those no longer in the queue come
    /// back in [`ScoreQueue::absent`](crate::ScoreQueue::absent).
    #[serde(default)]
    pub known: Vec<String>,
}

/// An image's scores (the rater's, the mean), its prediction, and the rater's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetScoreState {
    /// Who is asking.
    pub rater: String,
    /// The image.
    pub sha1: String,
}

/// Records `value` (1-10) as `rater`'s score of the image (the Score experiment); answers
/// once it is committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddScore {
    /// Who scores.
    pub rater: String,
    /// The image.
    pub sha1: String,
    /// 1 to 10.
    pub value: f64,
}

/// Records `value` (1-10, kept to one decimal) from the Rate experiment, with the prediction
/// that was on screen; answers once it is committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddRating {
    /// Who rates.
    pub rater: String,
    /// The image.
    pub sha1: String,
    /// 1 to 10, one decimal.
    pub value: f64,
    /// The prediction shown, if any.
    pub predicted: Option<f64>,
    /// Whether the prediction shown was the rater's own model's (else the pack's).
    #[serde(default)]
    pub own: bool,
}

/// Undoes `rater`'s newest judgement that is not undone yet, whatever its kind; `None` when
/// there is nothing to undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undo {
    /// Whose judgement.
    pub rater: String,
}

/// The library's rule for handing images out to a team ([`QueueRule`](crate::QueueRule)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetQueueRule {}

/// Sets the library's rule for handing images out (the desktop's owner's, or a team's admin's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetQueueRule {
    /// The new rule.
    pub rule: crate::QueueRule,
}

/// Reserves, of `images` (the page's next ones, in order), up to `hold` that the team still
/// wants from `rater`; the answer also names those the rater need not score any more. An image
/// already reserved for the rater has its reservation renewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimImages {
    /// Who is rating.
    pub rater: String,
    /// The candidates, by SHA-1, in the page's order (at most 64).
    pub images: Vec<String>,
    /// How many to reserve at most.
    pub hold: u32,
}

/// Gives back `rater`'s reservations of `images` (skipped, or the page left).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseImages {
    /// Whose reservations.
    pub rater: String,
    /// The images, by SHA-1 (at most 64).
    pub images: Vec<String>,
}
