//! The Ratings page's numbers and files: exports in the formats trainers read, imports (the old
//! tool's `ratings.db`, another machine's JSONL export), the statistics and the plots.

use serde::{Deserialize, Serialize};

/// The file an export writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// `file,score` rows (the aesthetic-scorer scripts' CSV).
    #[default]
    Csv,
    /// One JSON object per image: paths, each rater's score, the mean, predictions, strength.
    Jsonl,
    /// Embeddings (N x D float32, rows at unit length) + ratings (N x 1 float32) `.npy` and a
    /// paths file, row-aligned (what the LAION and candle predictor trainers read).
    Npy,
    /// Parquet with the columns `IMAGEPATH` and `AVERAGE_RATING` (LAION's prepare step).
    Parquet,
    /// One JSON object per comparison: rater, time, images shown in screen order, outcome.
    Comparisons,
}

impl ExportFormat {
    /// Every format, in the order the UI offers them.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Csv,
        ExportFormat::Jsonl,
        ExportFormat::Npy,
        ExportFormat::Parquet,
        ExportFormat::Comparisons,
    ];

    /// The name on the command line (`--format`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Npy => "npy",
            ExportFormat::Parquet => "parquet",
            ExportFormat::Comparisons => "comparisons",
        }
    }

    /// The format called `name` ([`ExportFormat::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The file name extension of what it writes (for npy, of its embeddings file).
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl | ExportFormat::Comparisons => "jsonl",
            ExportFormat::Npy => "npy",
            ExportFormat::Parquet => "parquet",
        }
    }

    /// What it is, for a person choosing.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV (file,score)",
            ExportFormat::Jsonl => "JSONL (one image a line)",
            ExportFormat::Npy => "Embeddings + ratings (.npy)",
            ExportFormat::Parquet => "Parquet (IMAGEPATH, AVERAGE_RATING)",
            ExportFormat::Comparisons => "Comparisons (JSONL)",
        }
    }
}

/// Which score a row carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreMode {
    /// One row per image: the mean of the chosen raters' current scores.
    #[default]
    Mean,
    /// One row per image and rater: each chosen rater's current score.
    PerRater,
}

/// How file paths are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathStyle {
    /// The full path.
    #[default]
    Absolute,
    /// The path below the image's open folder.
    Relative,
}

/// What to export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// The file's format.
    pub format: ExportFormat,
    /// Whose judgements, by name; empty for every rater.
    pub raters: Vec<String>,
    /// The mean over raters, or each rater's own score.
    pub mode: ScoreMode,
    /// Full paths, or paths below the folder.
    pub paths: PathStyle,
    /// Also the images marked as duplicates (left out by default).
    pub include_duplicates: bool,
    /// Adds how many raters each image's mean rests on, to CSV (`count`) and parquet
    /// (`RATING_COUNT`), so a trainer can weight or filter by it (JSONL always has it).
    #[serde(default)]
    pub count: bool,
}

/// Rows left out of an export or an import for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Why, as a phrase ("a score outside 1-10").
    pub reason: String,
    /// How many.
    pub count: u32,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// The files written (full paths), the main one first.
    pub files: Vec<String>,
    /// The rows (or objects) written.
    pub rows: u32,
    /// What was left out, and why.
    pub skipped: Vec<Skipped>,
}

/// What an import brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The file's name.
    pub source: String,
    /// What it was read as ("the old tool's ratings.db", "an Image Scorer JSONL export").
    pub format: String,
    /// The raters its judgements went to (added if new).
    pub raters: Vec<String>,
    /// Scores added.
    pub scores: u32,
    /// Comparisons added.
    pub comparisons: u32,
    /// Judgements the database already had (an earlier import of the same rows): not added again.
    pub already: u32,
    /// Images the file names that the library has no file of yet: their judgements are kept
    /// and attach when a file with that content appears.
    pub absent_images: u32,
    /// Rows that made no sense, by reason.
    pub skipped: Vec<Skipped>,
}

/// One rater's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterStats {
    /// The rater.
    pub name: String,
    /// How many images they have a current score for.
    pub scored: u32,
    /// The mean of those scores.
    pub mean: Option<f64>,
    /// Their sample standard deviation.
    pub sd: Option<f64>,
    /// Comparisons made (not undone).
    pub comparisons: u32,
}

/// How the active pack's predictions compare with the scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionFit {
    /// The pack.
    pub pack: String,
    /// Images with both a score (the mean of the chosen raters) and a prediction.
    pub n: u32,
    /// Pearson's correlation.
    pub pearson: Option<f64>,
    /// Spearman's rank correlation.
    pub spearman: Option<f64>,
    /// The mean absolute error.
    pub mae: Option<f64>,
}

/// The numbers of the Ratings page and of the CLI's `stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatingStats {
    /// Images that can be shown.
    pub images: u32,
    /// Of those, images with a current score by a chosen rater.
    pub scored: u32,
    /// Images known only from an import (no file with their content yet).
    pub absent: u32,
    /// Current scores (one per image and rater).
    pub scores: u32,
    /// Comparisons (not undone).
    pub comparisons: u32,
    /// Each chosen rater, oldest first.
    pub raters: Vec<RaterStats>,
    /// Krippendorff's alpha (interval) over the images scored by two chosen raters or more.
    pub agreement: Option<f64>,
    /// How many images that is.
    pub pairable: u32,
    /// The active pack's predictions against the scores, when there is a pack.
    pub prediction: Option<PredictionFit>,
    /// How far the team has come under the library's queue rule (over every rater, whichever
    /// are chosen).
    #[serde(default)]
    pub team: crate::TeamProgress,
}

/// Which plot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlotKind {
    /// How often each score was given, per rater.
    #[default]
    Histogram,
    /// The active pack's prediction against the mean score, with Pearson, Spearman and MAE.
    Predicted,
    /// The ranking's strengths, strongest first, with their 95 % intervals.
    Strengths,
    /// Each rater's mean and spread, with the raters' agreement.
    Agreement,
    /// One rater's own model as their scores grew: its cross-validated Spearman, against the
    /// pack head's on the same scores.
    OwnModel,
}

impl PlotKind {
    /// Every plot, in the order of the page.
    pub const ALL: [PlotKind; 5] = [
        PlotKind::Histogram,
        PlotKind::Predicted,
        PlotKind::Strengths,
        PlotKind::Agreement,
        PlotKind::OwnModel,
    ];

    /// A stable name for files and element ids.
    pub fn as_str(self) -> &'static str {
        match self {
            PlotKind::Histogram => "histogram",
            PlotKind::Predicted => "predicted",
            PlotKind::Strengths => "strengths",
            PlotKind::Agreement => "agreement",
            PlotKind::OwnModel => "own-model",
        }
    }
}

/// A plot, drawn as SVG by the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plot {
    /// Which.
    pub kind: PlotKind,
    /// Its title.
    pub title: String,
    /// The SVG document; empty when there is nothing to plot yet (see `note`).
    pub svg: String,
    /// The numbers it shows, or why there is nothing to plot yet.
    pub note: String,
}
