//! The table exports: CSV, parquet, and embeddings + ratings as `.npy` with a paths file.

use super::{npy_files, write_atomically, Row};
use crate::import::Skips;
use crate::{CoreError, Result};
use image_scorer_protocol::ScoreMode;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An error of a writer library while writing `path`, as an I/O error on it.
pub(super) fn failed(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// `file,score` rows (and `rater` in per-rater mode, then `count` with `count`: how many
/// raters score the image), with a header.
pub(super) fn csv(path: &Path, mode: ScoreMode, count: bool, rows: &[Row]) -> Result<()> {
    write_atomically(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        let mut header = vec!["file", "score"];
        if mode == ScoreMode::PerRater {
            header.push("rater");
        }
        if count {
            header.push("count");
        }
        out.write_record(&header).map_err(|e| failed(path, e))?;
        for row in rows {
            let score = row.score.to_string();
            let raters = row.image.scores.len().to_string();
            let mut record = vec![row.path.as_str(), score.as_str()];
            record.extend(row.rater);
            if count {
                record.push(raters.as_str());
            }
            out.write_record(&record).map_err(|e| failed(path, e))?;
        }
        out.flush().map_err(|e| failed(path, e))
    })
}

/// Parquet with LAION's columns: `IMAGEPATH` (UTF-8) and `AVERAGE_RATING` (double), then with
/// `count` `RATING_COUNT` (int32: how many raters score the image).
pub(super) fn parquet(path: &Path, count: bool, rows: &[Row]) -> Result<()> {
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    let schema = format!(
        "message ratings {{
            REQUIRED BYTE_ARRAY IMAGEPATH (UTF8);
            REQUIRED DOUBLE AVERAGE_RATING;
            {}
        }}",
        if count {
            "REQUIRED INT32 RATING_COUNT;"
        } else {
            ""
        }
    );
    let schema = Arc::new(parse_message_type(&schema).map_err(|e| failed(path, e))?);
    let properties = Arc::new(WriterProperties::builder().build());
    write_atomically(path, |w| {
        let bad = |e| failed(path, e);
        let mut file = SerializedFileWriter::new(w, schema, properties).map_err(bad)?;
        let mut group = file.next_row_group().map_err(bad)?;
        let paths: Vec<ByteArray> = rows
            .iter()
            .map(|r| ByteArray::from(r.path.as_str()))
            .collect();
        let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
        if let Some(mut column) = group.next_column().map_err(bad)? {
            column
                .typed::<ByteArrayType>()
                .write_batch(&paths, None, None)
                .map_err(bad)?;
            column.close().map_err(bad)?;
        }
        if let Some(mut column) = group.next_column().map_err(bad)? {
            column
                .typed::<DoubleType>()
                .write_batch(&scores, None, None)
                .map_err(bad)?;
            column.close().map_err(bad)?;
        }
        if count {
            let counts: Vec<i32> = rows.iter().map(|r| r.image.scores.len() as i32).collect();
            if let Some(mut column) = group.next_column().map_err(bad)? {
                column
                    .typed::<Int32Type>()
                    .write_batch(&counts, None, None)
                    .map_err(bad)?;
                column.close().map_err(bad)?;
            }
        }
        group.close().map_err(bad)?;
        file.close().map_err(bad)?;
        Ok(())
    })
}

/// Embeddings (N x D float32, each row at unit length), ratings (N x 1 float32) and the paths
/// (one a line), row-aligned; rows without an embedding (or whose path has a line break) are
/// left out of all three.
pub(super) fn npy(
    path: &Path,
    rows: &[Row],
    embeddings: Option<&(String, Vec<Option<Vec<f32>>>)>,
    skips: &mut Skips,
) -> Result<(Vec<PathBuf>, usize)> {
    use ndarray_npy::WriteNpyExt;
    let Some((pack, vectors)) = embeddings else {
        return Err(CoreError::InvalidInput(
            "An embeddings export needs a model pack: install one and let it embed the library."
                .into(),
        ));
    };
    let mut width = 0;
    let mut flat: Vec<f32> = Vec::new();
    let mut ratings: Vec<f32> = Vec::new();
    let mut paths = String::new();
    for row in rows {
        if row.path.contains(['\n', '\r']) {
            skips.add("rated images whose path has a line break (the paths file has one a line)");
            continue;
        }
        let Some(vector) = vectors.get(row.index).and_then(Option::as_ref) else {
            skips.add(&format!("rated images with no embedding by “{pack}” yet"));
            continue;
        };
        let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !(norm.is_finite() && norm > 0.0) {
            skips.add("rated images whose embedding has no direction (all zero, or not finite)");
            continue;
        }
        width = vector.len();
        flat.extend(vector.iter().map(|v| v / norm));
        ratings.push(row.score as f32);
        paths.push_str(&row.path);
        paths.push('\n');
    }
    let n = ratings.len();
    let x = ndarray::Array2::from_shape_vec((n, width), flat).map_err(|e| failed(path, e))?;
    let y = ndarray::Array2::from_shape_vec((n, 1), ratings).map_err(|e| failed(path, e))?;
    let [x_path, y_path, paths_path] = npy_files(path);
    write_atomically(&x_path, |w| x.write_npy(w).map_err(|e| failed(&x_path, e)))?;
    write_atomically(&y_path, |w| y.write_npy(w).map_err(|e| failed(&y_path, e)))?;
    write_atomically(&paths_path, |w| {
        std::io::Write::write_all(w, paths.as_bytes()).map_err(|e| failed(&paths_path, e))
    })?;
    Ok((vec![x_path, y_path, paths_path], n))
}
