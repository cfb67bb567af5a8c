//! Reading judgements made elsewhere: the old tool's `ratings.db` ([`old_tool`]) and Image
//! Scorer's own JSONL exports ([`jsonl`]). A reader turns a file into an
//! [`ImportBatch`](crate::store::ImportBatch) and counts what it left out and why; the store
//! writes the batch ([`crate::Store::import`]).

pub mod jsonl;
pub mod old_tool;
pub mod time;

use crate::store::ImportBatch;
use crate::{CoreError, Result};
use image_scorer_protocol::Skipped;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Rows left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skips(BTreeMap<String, u32>);

impl Skips {
    /// One more left out for `reason`.
    pub fn add(&mut self, reason: &str) {
        self.add_n(reason, 1);
    }

    /// `n` more left out for `reason` (none: nothing is noted).
    pub fn add_n(&mut self, reason: &str, n: usize) {
        if n > 0 {
            *self.0.entry(reason.to_owned()).or_default() += n as u32;
        }
    }

    /// The reasons with their counts, most first.
    pub fn into_list(self) -> Vec<Skipped> {
        let mut list: Vec<Skipped> = self
            .0
            .into_iter()
            .map(|(reason, count)| Skipped { reason, count })
            .collect();
        list.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
        list
    }
}

/// Reads the file at `path` by what it holds (an SQLite database is the old tool's, anything
/// else a JSONL export); every judgement is checked as the app checks its own, and those that
/// fail are left out with the reason.
pub fn read(path: &Path) -> Result<(ImportBatch, Skips)> {
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| CoreError::io(path, e))?;
    let (mut batch, mut skips) = if &head[..n] == b"SQLite format 3\0" {
        old_tool::read(path)?
    } else {
        jsonl::read(path)?
    };
    batch.judgements.retain(|j| match j.judgement.validate() {
        Ok(()) => true,
        Err(e) => {
            skips.add(&format!("judgements the log refuses ({e})"));
            false
        }
    });
    Ok((batch, skips))
}

/// The file's name without its folder, for messages and the report.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
