//! Image Scorer's own JSONL exports from another machine (a tablet, a colleague), merged by
//! image, rater and time: each line of an image export gives each rater's current score with
//! its time; each line of a comparisons export one comparison. Lines of either kind may mix.

use super::time::TimeReader;
use super::Skips;
use crate::store::{ImportBatch, ImportJudgement, ImportRater, NewJudgement};
use crate::{CoreError, Result};
use image_scorer_protocol::{ComparisonOutcome, ImageRole, JudgementKind};
use serde_json::Value;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

/// What the report calls the format.
pub const FORMAT: &str = "an Image Scorer JSONL export";

/// The longest line read, in bytes: an image's line with every rater's score is far shorter.
/// A longer one stops the import before it is held in memory.
pub const LONGEST_LINE: usize = 1 << 20;

/// The largest file read, in bytes (its judgements are held in memory as one batch): an
/// export of a million images with several raters each is well under it.
pub const LARGEST_FILE: u64 = 2 << 30;

/// Reads the JSONL file at `path` into a batch, counting the lines and values left out.
pub fn read(path: &Path) -> Result<(ImportBatch, Skips)> {
    let name = super::file_name(path);
    let file = std::fs::File::open(path).map_err(|e| CoreError::io(path, e))?;
    let size = file.metadata().map_err(|e| CoreError::io(path, e))?.len();
    if size > LARGEST_FILE {
        return Err(CoreError::InvalidInput(format!(
            "“{name}” is {} MiB: an import reads at most {} MiB; split it (each line stands \
             alone) and import the parts.",
            size >> 20,
            LARGEST_FILE >> 20
        )));
    }
    let times = TimeReader::new()?;
    let mut skips = Skips::default();
    let mut batch = ImportBatch {
        source: name.clone(),
        format: FORMAT.into(),
        ..ImportBatch::default()
    };
    let mut raters: HashMap<String, usize> = HashMap::new();
    let mut rater = |batch: &mut ImportBatch, name: &str| -> usize {
        *raters.entry(name.to_owned()).or_insert_with(|| {
            batch.raters.push(ImportRater::Named(name.to_owned()));
            batch.raters.len() - 1
        })
    };
    let mut lines = 0;
    let mut understood = 0;
    let mut reader = std::io::BufReader::new(file);
    let mut number = 0;
    while let Some(line) = next_line(&mut reader, &name, &mut number)? {
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        let Ok(Value::Object(object)) = serde_json::from_str::<Value>(&line) else {
            skips.add("lines that are not a JSON object");
            continue;
        };
        if object.contains_key("outcome") {
            understood += 1;
            comparison(&object, &times, &mut skips, &mut batch, &mut rater)?;
        } else if let Some(Value::String(sha1)) = object.get("sha1") {
            understood += 1;
            let Some(sha1) = valid_sha1(sha1) else {
                skips.add("images whose sha1 is not a SHA-1");
                continue;
            };
            let Some(Value::Object(scores)) = object.get("scores") else {
                continue;
            };
            for (who, score) in scores {
                let value = score.get("score").and_then(Value::as_f64);
                let Some(value) = value.filter(|v| (1.0..=10.0).contains(v)) else {
                    skips.add("scores outside 1-10 (or not a number)");
                    continue;
                };
                let Some(created) = times.read(score.get("time").unwrap_or(&Value::Null))? else {
                    skips.add("scores without a time that can be read");
                    continue;
                };
                if !valid_rater(who) {
                    skips.add("scores by a rater name of over 64 characters, or none");
                    continue;
                }
                let kind = score
                    .get("kind")
                    .and_then(Value::as_str)
                    .and_then(JudgementKind::parse)
                    .filter(|k| k.is_score())
                    .unwrap_or(JudgementKind::Imported);
                let rater = rater(&mut batch, who.trim());
                batch.judgements.push(ImportJudgement {
                    rater,
                    created,
                    judgement: NewJudgement::score(kind, 0, &sha1, value),
                });
            }
        } else {
            skips.add("lines that are neither an image nor a comparison");
        }
    }
    if lines > 0 && understood == 0 {
        return Err(CoreError::InvalidInput(format!(
            "“{name}” is not an Image Scorer export: none of its {lines} lines is an image or a \
             comparison."
        )));
    }
    Ok((batch, skips))
}

/// One line of a comparisons export.
/// The next line of `reader` (without its end), or `None` at the end; refused when it is
/// longer than [`LONGEST_LINE`] (read no further than that) or not UTF-8.
fn next_line(reader: &mut impl BufRead, name: &str, number: &mut usize) -> Result<Option<String>> {
    let mut bytes = Vec::new();
    let cap = LONGEST_LINE as u64 + 1;
    let n = std::io::Read::take(&mut *reader, cap)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| CoreError::InvalidInput(format!("“{name}” cannot be read: {e}")))?;
    if n == 0 {
        return Ok(None);
    }
    *number += 1;
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    } else if bytes.len() > LONGEST_LINE {
        return Err(CoreError::InvalidInput(format!(
            "“{name}” has a line longer than {} KiB (line {number}): an import reads lines up \
             to that; nothing was imported.",
            LONGEST_LINE >> 10
        )));
    }
    String::from_utf8(bytes).map(Some).map_err(|e| {
        CoreError::InvalidInput(format!(
            "“{name}” is not a text file of JSON lines: line {number}: {e}"
        ))
    })
}

fn comparison(
    object: &serde_json::Map<String, Value>,
    times: &TimeReader,
    skips: &mut Skips,
    batch: &mut ImportBatch,
    rater: &mut impl FnMut(&mut ImportBatch, &str) -> usize,
) -> Result<()> {
    let outcome = object
        .get("outcome")
        .and_then(Value::as_str)
        .and_then(ComparisonOutcome::parse);
    let who = object
        .get("rater")
        .and_then(Value::as_str)
        .filter(|r| valid_rater(r));
    let images: Option<Vec<String>> =
        object
            .get("images")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter()
                    .map(|i| i.get("sha1").and_then(Value::as_str).and_then(valid_sha1))
                    .collect()
            });
    let winner = object.get("winner").and_then(Value::as_u64);
    let (Some(outcome), Some(who), Some(images)) = (outcome, who, images) else {
        skips.add("comparisons without a rater, an outcome or their images' SHA-1s");
        return Ok(());
    };
    let Some(created) = times.read(object.get("time").unwrap_or(&Value::Null))? else {
        skips.add("comparisons without a time that can be read");
        return Ok(());
    };
    let images = images
        .into_iter()
        .enumerate()
        .map(|(k, sha1)| {
            let role = if Some(k as u64) == winner && outcome == ComparisonOutcome::Pick {
                ImageRole::Winner
            } else {
                ImageRole::Shown
            };
            (sha1, role)
        })
        .collect();
    let rater = rater(batch, who.trim());
    batch.judgements.push(ImportJudgement {
        rater,
        created,
        judgement: NewJudgement::comparison(0, images, outcome),
    });
    Ok(())
}

fn valid_sha1(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    (s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())).then_some(s)
}

fn valid_rater(name: &str) -> bool {
    let n = name.trim().chars().count();
    (1..=64).contains(&n)
}
