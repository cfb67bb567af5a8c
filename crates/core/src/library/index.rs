//! Indexing one file: its content hash and what its header says, read in one pass.

use super::content_hash::hash_file;
use super::probe::probe;
use super::walk::{mtime_ns, Found};
use crate::domain::{FileRecord, Outcome};

/// Reads the file `found` once: its hash, and what its header says. `None` when the file changed
/// while it was read (still being written, or gone): it is picked up again once it settles.
pub fn index_file(found: &Found) -> Option<FileRecord> {
    let outcome = match hash_file(&found.path) {
        Err(e) => Outcome::FileError(format!("cannot be read: {e}")),
        Ok(hashed) => {
            let now = std::fs::metadata(&found.path).ok()?;
            if hashed.len != found.size
                || (now.len(), mtime_ns(&now)) != (found.size, found.mtime_ns)
            {
                return None;
            }
            if hashed.len == 0 {
                Outcome::FileError("is empty (0 bytes)".into())
            } else {
                let probe = probe(&found.path, &hashed.tail, hashed.len);
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
