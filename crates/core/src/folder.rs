//! Checking a folder before it joins the library.

use crate::{CoreError, Result};
use std::path::{Path, PathBuf};

/// Resolves `path` to an absolute canonical folder that exists and can be listed, or says
/// precisely why not. `path` may be relative (to the current directory) and may contain `..`.
pub fn check_folder(path: &Path) -> Result<PathBuf> {
    let canonical = std::fs::canonicalize(path).map_err(|e| CoreError::io(path, e))?;
    let meta = std::fs::metadata(&canonical).map_err(|e| CoreError::io(&canonical, e))?;
    if !meta.is_dir() {
        return Err(CoreError::NotAFolder(canonical));
    }
    // Listing is what scanning needs; metadata alone succeeds on folders without read permission.
    std::fs::read_dir(&canonical).map_err(|source| CoreError::FolderUnreadable {
        path: canonical.clone(),
        source,
    })?;
    if canonical.to_str().is_none() {
        return Err(CoreError::NonUtf8Path(canonical));
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image_scorer_protocol::ErrorKind;

    #[test]
    fn accepts_a_folder_and_canonicalises_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let dotted = dir.path().join("sub").join("..").join("sub");
        let got = check_folder(&dotted).unwrap();
        assert_eq!(got, dir.path().join("sub").canonicalize().unwrap());
        assert!(got.is_absolute());
    }

    #[test]
    fn missing_folder_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let err = check_folder(&dir.path().join("nope")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn a_file_is_not_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.png");
        std::fs::write(&file, b"x").unwrap();
        let err = check_folder(&file).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotAFolder);
        assert!(err.to_string().contains("a.png"), "{err}");
    }

    #[test]
    fn permission_denied_is_reported_as_such() {
        // Root lists every folder, so the refusal itself is not observable in CI; the mapping is.
        let err = CoreError::io(
            Path::new("/x/locked"),
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert!(err.to_string().contains("may not read"), "{err}");
    }
}
