//! Exports, each in the format a trainer reads as it is: CSV `file,score` (the aesthetic-scorer
//! scripts), JSONL (one object per image; also what [`crate::import::jsonl`] merges), embeddings
//! and ratings as `.npy` with a paths file (the LAION and candle predictor trainers), parquet
//! with `IMAGEPATH` and `AVERAGE_RATING` (LAION's prepare step), and comparisons as JSONL (reward
//! models). Every file is written beside its place and renamed into it ([`atomic`]), so a crash
//! never leaves half a file.

mod atomic;
mod jsonl;
mod onnx_head;
mod tables;

pub use atomic::write_atomically;
pub use onnx_head::{head_model, write_head, PackHead, OUTPUT as OWN_OUTPUT};

use crate::import::Skips;
use crate::store::{LoggedComparison, RatedImage, Ratings};
use crate::Result;
use image_scorer_protocol::{ExportFormat, ExportOptions, ExportSummary, PathStyle, ScoreMode};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Everything an export is made from.
#[derive(Debug, Clone, Default)]
pub struct ExportData {
    /// The chosen raters' judgements.
    pub ratings: Ratings,
    /// Each image's strength and its standard error in the ranking, by SHA-1.
    pub strengths: HashMap<String, (f64, f64)>,
    /// For `npy`: the pack whose embeddings are written, and each image's embedding (aligned
    /// with `ratings.images`).
    pub embeddings: Option<(String, Vec<Option<Vec<f32>>>)>,
    /// For `comparisons`: the chosen raters' comparisons.
    pub comparisons: Vec<LoggedComparison>,
}

/// One row of a table export: a path and a score (with its rater in per-rater mode).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row<'a> {
    /// The image.
    pub image: &'a RatedImage,
    /// Its index in [`Ratings::images`].
    pub index: usize,
    /// The path as written.
    pub path: String,
    /// The score.
    pub score: f64,
    /// The rater, in per-rater mode.
    pub rater: Option<&'a str>,
}

/// Writes `data` to `path` as `options` say; the files written, the rows, and what was left out.
pub fn write(path: &Path, options: &ExportOptions, data: &ExportData) -> Result<ExportSummary> {
    let mut skips = Skips::default();
    let (files, rows) = match options.format {
        ExportFormat::Csv => {
            let rows = rows(options, &data.ratings, &mut skips);
            tables::csv(path, options.mode, options.count, &rows)?;
            (vec![path.to_owned()], rows.len())
        }
        ExportFormat::Parquet => {
            let rows = rows(options, &data.ratings, &mut skips);
            tables::parquet(path, options.count, &rows)?;
            (vec![path.to_owned()], rows.len())
        }
        ExportFormat::Npy => {
            let rows = rows(options, &data.ratings, &mut skips);
            tables::npy(path, &rows, data.embeddings.as_ref(), &mut skips)?
        }
        ExportFormat::Jsonl => {
            let n = jsonl::images(path, options, data, &mut skips)?;
            (vec![path.to_owned()], n)
        }
        ExportFormat::Comparisons => {
            let n = jsonl::comparisons(path, options.paths, &data.comparisons)?;
            (vec![path.to_owned()], n)
        }
    };
    Ok(ExportSummary {
        files: files.iter().map(|f| f.display().to_string()).collect(),
        rows: rows as u32,
        skipped: skips.into_list(),
    })
}

/// The rows of a table export: each rated image with a file in the library (duplicates only
/// when asked for), with the mean of the chosen raters' scores or one row per rater.
fn rows<'a>(options: &ExportOptions, ratings: &'a Ratings, skips: &mut Skips) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for (index, image) in ratings.images.iter().enumerate() {
        if image.scores.is_empty() {
            continue;
        }
        if image.duplicate && !options.include_duplicates {
            skips.add("rated images marked as duplicates");
            continue;
        }
        let Some(path) = path_of(&image.files, options.paths) else {
            skips.add("rated images with no file in the library now");
            continue;
        };
        match options.mode {
            ScoreMode::Mean => rows.push(Row {
                image,
                index,
                path,
                score: image.mean().unwrap_or_default(),
                rater: None,
            }),
            ScoreMode::PerRater => rows.extend(image.scores.iter().map(|s| Row {
                image,
                index,
                path: path.clone(),
                score: s.value,
                rater: Some(ratings.raters[s.rater].1.as_str()),
            })),
        }
    }
    rows
}

/// The path of the first of `files`, written in `style`.
pub(crate) fn path_of(files: &[(String, String)], style: PathStyle) -> Option<String> {
    let (root, rel) = files.first()?;
    Some(written_path(root, rel, style))
}

/// A file's path in `style`: the full path, or the path below its folder.
pub(crate) fn written_path(root: &str, rel: &str, style: PathStyle) -> String {
    match style {
        PathStyle::Absolute => Path::new(root).join(rel).display().to_string(),
        PathStyle::Relative => rel.to_owned(),
    }
}

/// The files an `npy` export of `path` writes: embeddings, ratings and paths, side by side
/// (`data.npy` → `data.embeddings.npy`, `data.ratings.npy`, `data.paths.txt`).
pub fn npy_files(path: &Path) -> [PathBuf; 3] {
    let stem = match path.extension() {
        Some(e) if e == "npy" => path.with_extension(""),
        _ => path.to_owned(),
    };
    let with = |suffix: &str| {
        let mut name = stem.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [
        with(".embeddings.npy"),
        with(".ratings.npy"),
        with(".paths.txt"),
    ]
}
