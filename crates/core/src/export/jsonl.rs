//! The JSONL exports: one object per image, and one per comparison.

use super::{path_of, write_atomically, written_path, ExportData};
use crate::import::Skips;
use crate::store::LoggedComparison;
use crate::{CoreError, Result};
use image_scorer_protocol::{ComparisonOutcome, ExportOptions, PathStyle};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::Path;

fn failed(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Io {
        path: path.to_owned(),
        source: e,
    }
}

/// One line per image the chosen raters judged:
///
/// ```json
/// {"sha1": "…", "paths": ["…"], "scores": {"ana": {"score": 7.0, "time": "…", "kind": "score"}},
///  "mean": 7.0, "count": 1, "predictions": {"pack": 6.2}, "strength": 0.4, "strength_se": 0.3,
///  "comparisons": 2, "duplicate": false}
/// ```
///
/// `count` is how many chosen raters have a current score; `strength` is `null` for an image
/// the ranking does not hold. The number of lines written.
pub(super) fn images(
    path: &Path,
    options: &ExportOptions,
    data: &ExportData,
    skips: &mut Skips,
) -> Result<usize> {
    let ratings = &data.ratings;
    write_atomically(path, |w| {
        let mut n = 0;
        for image in &ratings.images {
            if image.duplicate && !options.include_duplicates {
                skips.add("judged images marked as duplicates");
                continue;
            }
            let paths: Vec<String> = image
                .files
                .iter()
                .map(|(root, rel)| written_path(root, rel, options.paths))
                .collect();
            let scores: Map<String, Value> = image
                .scores
                .iter()
                .map(|s| {
                    let value =
                        json!({"score": s.value, "time": s.created, "kind": s.kind.as_str()});
                    (ratings.raters[s.rater].1.clone(), value)
                })
                .collect();
            let predictions: Map<String, Value> = image
                .predictions
                .iter()
                .map(|(m, score)| (ratings.models[*m].1.clone(), json!(score)))
                .collect();
            let strength = data.strengths.get(&image.sha1);
            let line = json!({
                "sha1": image.sha1,
                "paths": paths,
                "scores": scores,
                "mean": image.mean(),
                "count": image.scores.len(),
                "predictions": predictions,
                "strength": strength.map(|s| s.0),
                "strength_se": strength.map(|s| s.1),
                "comparisons": image.comparisons,
                "duplicate": image.duplicate,
            });
            serde_json::to_writer(&mut *w, &line).map_err(|e| failed(path, e.into()))?;
            w.write_all(b"\n").map_err(|e| failed(path, e))?;
            n += 1;
        }
        Ok(n)
    })
}

/// One line per comparison, oldest first:
///
/// ```json
/// {"rater": "ana", "time": "…", "images": [{"sha1": "…", "path": "…"}, …],
///  "outcome": "pick", "winner": 1}
/// ```
///
/// The images in screen order; `winner` is the picked one's position (`null` for a tie or
/// "none"); `path` is `null` for an image with no file in the library now.
pub(super) fn comparisons(
    path: &Path,
    style: PathStyle,
    comparisons: &[LoggedComparison],
) -> Result<usize> {
    write_atomically(path, |w| {
        for c in comparisons {
            let images: Vec<Value> = c
                .images
                .iter()
                .map(|(sha1, file, _)| {
                    let file = file.as_ref().map(|f| vec![f.clone()]).unwrap_or_default();
                    json!({"sha1": sha1, "path": path_of(&file, style)})
                })
                .collect();
            let winner = c.images.iter().position(|(_, _, w)| *w);
            let line = json!({
                "rater": c.rater,
                "time": c.created,
                "images": images,
                "outcome": c.outcome.as_str(),
                "winner": winner.filter(|_| c.outcome == ComparisonOutcome::Pick),
            });
            serde_json::to_writer(&mut *w, &line).map_err(|e| failed(path, e.into()))?;
            w.write_all(b"\n").map_err(|e| failed(path, e))?;
        }
        Ok(comparisons.len())
    })
}
