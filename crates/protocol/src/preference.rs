//! The Preference experiment: sets of 2 or 4 images to compare, the choice recorded, and the
//! one ranking of the library that every judgement feeds.

use crate::QueueItem;
use serde::{Deserialize, Serialize};

/// How the next set is chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetChoice {
    /// The set expected to teach the ranking most.
    #[default]
    Active,
    /// Any images, uniformly (the old tool's way).
    Random,
}

/// The Preference page's settings, remembered across restarts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceSettings {
    /// Best of 2 or best of 4.
    pub size: u32,
    /// How the next set is chosen.
    pub choice: SetChoice,
}

impl Default for PreferenceSettings {
    fn default() -> Self {
        Self {
            size: 2,
            choice: SetChoice::Active,
        }
    }
}

/// A set to compare, in screen order (left to right; a 2 × 2 grid in reading order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonSet {
    /// The images.
    pub images: Vec<QueueItem>,
}

/// A comparison, committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonSaved {
    /// Its id in the judgement log.
    pub id: u32,
    /// How many comparisons the rater has made (not undone).
    pub comparisons: u32,
}

/// One image of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedImage {
    /// Its place, 1 the strongest.
    pub rank: u32,
    /// Its SHA-1.
    pub sha1: String,
    /// The path of one of its files, below its folder (empty when it left the library).
    pub name: String,
    /// Its strength (0 is the middle of the prior; a difference of 1 is odds of e to 1).
    pub strength: f64,
    /// The strength's standard error.
    pub se: f64,
    /// How many comparisons showed it.
    pub comparisons: u32,
    /// How many current scores it has.
    pub scores: u32,
    /// Whether it is in the library now (an image that left keeps its part in the fit).
    pub shown: bool,
}

/// The strongest images of a ranking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RankingPage {
    /// Whose ranking: a rater's, or `None` for every rater pooled.
    pub rater: Option<String>,
    /// The strongest images, strongest first.
    pub entries: Vec<RankedImage>,
    /// How many images the ranking has.
    pub total: u32,
    /// How many comparisons it was fitted from.
    pub comparisons: u32,
    /// How many current scores it was fitted from.
    pub scores: u32,
    /// Whether the active pack's predictions are its prior.
    pub predicted_prior: bool,
}
