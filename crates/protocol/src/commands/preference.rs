//! The Preference page's commands: its settings, the next set, a choice and the ranking.

use crate::{ComparisonOutcome, PreferenceSettings, SetChoice};
use serde::{Deserialize, Serialize};

/// The Preference page's settings (best of 2 or 4, active or random choice).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetPreference {}

/// Remembers the Preference page's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPreference {
    /// The settings; `size` is 2 or 4.
    pub settings: PreferenceSettings,
}

/// The next set of `size` images (2 or 4) for `rater` to compare, in a random screen order,
/// chosen from their ranking as it is now; `None` when the library has fewer images. None of
/// `exclude` (the set on screen: the page asks for the next set while the person judges it)
/// while the library has enough others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextSet {
    /// Who compares.
    pub rater: String,
    /// 2 or 4.
    pub size: u32,
    /// Active or random.
    pub choice: SetChoice,
    /// Images not to use, by SHA-1.
    pub exclude: Vec<String>,
}

/// Records `rater`'s choice among `images` (as shown, in screen order): a pick (with the
/// winner's position), a tie, or "none of these"; the rankings take it in before the answer.
/// Refused, recording nothing, when an image is no longer in the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordComparison {
    /// Who chose.
    pub rater: String,
    /// The images by SHA-1, in screen order (2 or 4).
    pub images: Vec<String>,
    /// How it ended.
    pub outcome: ComparisonOutcome,
    /// For a pick, the winner's screen position (0 first); `None` otherwise.
    pub winner: Option<u32>,
}

/// The `limit` strongest images of `rater`'s ranking, or of every rater's judgements pooled
/// (`rater` `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetRanking {
    /// Whose ranking.
    pub rater: Option<String>,
    /// At most this many (the app caps it at 10,000).
    pub limit: u32,
}
