//! The Ratings page's gallery: every image of the library in pages, sorted and filtered, and one
//! image's whole record.

use crate::{Judgement, SimilarImage};
use serde::{Deserialize, Serialize};

/// How the gallery is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GallerySort {
    /// By place in everyone's ranking (1 first when descending).
    Rank,
    /// By the mean of every rater's current score.
    Mean,
    /// By the asking rater's current score.
    Mine,
    /// By the active pack's prediction.
    Predicted,
    /// By the asking rater's own model's prediction (learned from their scores).
    Own,
    /// By how far the mean score is from the prediction, |score - prediction|.
    Disagreement,
    /// By how many judgements name the image.
    Judgements,
    /// By when the image first appeared in the library.
    #[default]
    Newest,
    /// By the path of its first file.
    Name,
}

impl GallerySort {
    /// Every order, as the page offers them.
    pub const ALL: [GallerySort; 9] = [
        GallerySort::Rank,
        GallerySort::Mean,
        GallerySort::Mine,
        GallerySort::Predicted,
        GallerySort::Own,
        GallerySort::Disagreement,
        GallerySort::Judgements,
        GallerySort::Newest,
        GallerySort::Name,
    ];

    /// A stable name (element values, tests).
    pub fn as_str(self) -> &'static str {
        match self {
            GallerySort::Rank => "rank",
            GallerySort::Mean => "mean",
            GallerySort::Mine => "mine",
            GallerySort::Predicted => "predicted",
            GallerySort::Own => "own",
            GallerySort::Disagreement => "disagreement",
            GallerySort::Judgements => "judgements",
            GallerySort::Newest => "newest",
            GallerySort::Name => "name",
        }
    }

    /// The order called `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What a person reads in the menu.
    pub fn label(self) -> &'static str {
        match self {
            GallerySort::Rank => "Rank",
            GallerySort::Mean => "Mean score",
            GallerySort::Mine => "My score",
            GallerySort::Predicted => "Prediction",
            GallerySort::Own => "My model's prediction",
            GallerySort::Disagreement => "|score − prediction|",
            GallerySort::Judgements => "Judgements",
            GallerySort::Newest => "Newest",
            GallerySort::Name => "Name",
        }
    }
}

/// Whether images with (or without) something are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// With or without.
    #[default]
    Any,
    /// Only with.
    With,
    /// Only without.
    Without,
}

/// Which images the gallery lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GalleryShow {
    /// Every image that can be shown (those marked as duplicates too, with a badge).
    #[default]
    All,
    /// Only images marked as duplicates.
    Duplicates,
    /// Only files that cannot be shown, with the reason.
    Unreadable,
    /// Only images whose raters disagree: their scores spread more than the team queue's
    /// rule allows (1.5 points, as a standard deviation, when the rule has no spread).
    NeedsReview,
}

/// The gallery's order and filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GalleryQuery {
    /// Whose score is "mine" (the door's rater).
    pub rater: String,
    /// The order.
    pub sort: GallerySort,
    /// Largest (or newest, or last by name) first.
    pub descending: bool,
    /// Which images.
    pub show: GalleryShow,
    /// Only images below this open folder.
    pub folder: Option<i32>,
    /// Scored, or not, by `rated_by` (by anyone when `None`).
    pub rated: Presence,
    /// The rater `rated` asks about.
    pub rated_by: Option<String>,
    /// With a prediction of the active pack, or without.
    pub predicted: Presence,
}

/// One tile of the gallery.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GalleryTile {
    /// The image (empty for a file that is not an image).
    pub sha1: String,
    /// The path of its first file below its folder.
    pub name: String,
    /// Width in pixels (0 when unknown).
    pub width: u32,
    /// Height in pixels (0 when unknown).
    pub height: u32,
    /// The asking rater's current score.
    pub mine: Option<f64>,
    /// The mean of every rater's current score.
    pub mean: Option<f64>,
    /// How many raters scored it.
    pub raters: u32,
    /// The active pack's prediction.
    pub predicted: Option<f64>,
    /// The asking rater's own model's prediction, once that model has scores to learn from.
    #[serde(default)]
    pub own: Option<f64>,
    /// Its place in everyone's ranking (1 strongest).
    pub rank: Option<u32>,
    /// How many judgements (not undone) name it.
    pub judgements: u32,
    /// Marked as a duplicate of another image.
    pub duplicate: bool,
    /// Why it cannot be shown (the unreadable list only).
    pub problem: Option<String>,
}

/// A run of the gallery's tiles, from `start`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GalleryPage {
    /// The order these positions belong to: it changes whenever the order is computed again,
    /// and pages of an older one are stale.
    pub order: u32,
    /// The position of the first tile.
    pub start: u32,
    /// The tiles.
    pub tiles: Vec<GalleryTile>,
    /// How many images match the filters.
    pub total: u32,
}

/// One file of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFile {
    /// Its full path.
    pub path: String,
    /// Whether it is there now.
    pub present: bool,
}

/// One pack's prediction of an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackPrediction {
    /// The pack.
    pub pack: String,
    /// The predicted score.
    pub score: f64,
}

/// Everything known of one image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageDetail {
    /// The image.
    pub sha1: String,
    /// Width and height in pixels (0 when unknown).
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// The format found in its content.
    pub format: Option<String>,
    /// Every file with this content, present or not.
    pub files: Vec<ImageFile>,
    /// Every judgement that names it, undone ones too, oldest first.
    pub judgements: Vec<Judgement>,
    /// Each pack's prediction.
    pub predictions: Vec<PackPrediction>,
    /// Its place, strength and standard error in everyone's ranking.
    pub rank: Option<u32>,
    /// See `rank`.
    pub strength: Option<f64>,
    /// See `rank`.
    pub se: Option<f64>,
    /// Its nearest neighbours under the active pack (empty without one or its embedding).
    pub neighbours: Vec<SimilarImage>,
}
