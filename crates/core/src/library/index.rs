//! Indexing one file: its content hash and what its header says, read in one pass.

use super::content_hash::hash_file_with;
use super::probe::{probe, probe_bytes};
use super::walk::{mtime_ns, Found};
use crate::domain::{FileRecord, Outcome};

/// Reads the file `found` once: its hash, and what its header says. `None` when the file changed
/// while it was read (still being written, or gone): it is picked up again once it settles.
pub fn index_file(found: &Found) -> Option<FileRecord> {
    // A small file is probed from the bytes hashed; a larger one is opened again.
    let outcome = match hash_file_with(&found.path, |whole| whole.map(probe_bytes)) {
        Err(e) => Outcome::FileError(format!("cannot be read: {e}")),
        Ok((hashed, probed)) => {
            let now = std::fs::metadata(&found.path).ok()?;
            if hashed.len != found.size
                || (now.len(), mtime_ns(&now)) != (found.size, found.mtime_ns)
            {
                return None;
            }
            if hashed.len == 0 {
                Outcome::FileError("is empty (0 bytes)".into())
            } else {
                let probe = probed.unwrap_or_else(|| probe(&found.path, &hashed.tail, hashed.len));
                Outcome::Image {
                    sha1: hashed.sha1,
                    probe,
                }
            }
        }
    };
    Some(FileRecord {
        rel_path: found.rel_path.clone(),
        size: found.size,
        mtime_ns: found.mtime_ns,
        outcome,
    })
}
