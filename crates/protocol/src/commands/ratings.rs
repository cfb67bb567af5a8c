//! The Ratings page's commands: the gallery, an image's detail, statistics, plots, exports and imports.

use crate::{ExportOptions, GalleryQuery, PlotKind};
use serde::{Deserialize, Serialize};

/// The gallery's tiles from position `start` in the order and filters of `query`, at most
/// `limit`. The order is computed when the query or the library changed, or with `refresh`
/// (the page asks for it when it opens); later pages of the same query keep it, so a tile
/// scored from the grid does not jump away while the rater works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetGallery {
    /// The order and the filters.
    pub query: GalleryQuery,
    /// The first position.
    pub start: u32,
    /// At most this many (the app caps it at 1,000).
    pub limit: u32,
    /// Compute the order again.
    pub refresh: bool,
}

/// Everything known of the image `sha1`: its files, every judgement, each pack's prediction,
/// its ranking and its nearest neighbours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetImageDetail {
    /// The image.
    pub sha1: String,
}

/// The counts, each rater's mean and spread, their agreement, and the predictions against the
/// scores, over the judgements of `raters` (every rater when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetRatingStats {
    /// Whose judgements, by name.
    pub raters: Vec<String>,
}

/// The plot `kind` over the judgements of `raters` (every rater when empty), as SVG.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetPlot {
    /// Which plot.
    pub kind: PlotKind,
    /// Whose judgements, by name.
    pub raters: Vec<String>,
}

/// Shows the system save dialog and writes the plot there as an SVG file; the path written,
/// or `None` when the user cancels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavePlot {
    /// The plot.
    pub plot: GetPlot,
}

/// Shows the system save dialog and exports there; what was written, or `None` when the user
/// cancels. The file is written beside its place and renamed into it, so a crash never leaves
/// half a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// What to export.
    pub options: ExportOptions,
}

/// Shows the system file dialog and imports the chosen file: the old tool's `ratings.db`, or
/// an Image Scorer JSONL export from another machine. What it brought, or `None` when the user
/// cancels. Importing the same file again adds nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRatings {}

/// Renames the rater `from` to `to` (a name no rater has yet); every judgement goes with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameRater {
    /// The rater's name now.
    pub from: String,
    /// The new name (1 to 64 characters).
    pub to: String,
}
