//! Whole files or none: an export is written to a hidden file beside its place, flushed to disk,
//! and renamed over it, so a crash (or a full disk) leaves either the old file or the new one.

use crate::{CoreError, Result};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes the file at `path` with `fill`, atomically (see the module).
pub fn write_atomically<T>(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<&std::fs::File>) -> Result<T>,
) -> Result<T> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let io = |e: std::io::Error| CoreError::Io {
        path: path.to_owned(),
        source: e,
    };
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(folder)
        .map_err(io)?;
    let out = {
        let mut writer = BufWriter::new(temp.as_file());
        let out = fill(&mut writer)?;
        writer.flush().map_err(io)?;
        out
    };
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_partial_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let failed: Result<()> = write_atomically(&path, |w| {
            w.write_all(b"half a fi").unwrap();
            Err(CoreError::Internal("stopped".into()))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        write_atomically(&path, |w| {
            w.write_all(b"new").unwrap();
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the file itself is left");
    }
}
