//! Listing the image files below a folder.

use super::Excludes;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use walkdir::WalkDir;

/// Extensions the library indexes (compared without case): those it decodes and HEIC, which
/// is recorded as unsupported with its reason, never dropped silently.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "jpe", "webp", "bmp", "tif", "tiff", "gif", "avif", "jxl", "heic", "heif",
];

/// Extensions of the formats the app decodes (lower case): what a file dialog for images
/// offers.
pub const DECODED_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "jpe", "webp", "bmp", "tif", "tiff", "gif", "avif", "jxl",
];

/// An image file found below the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The path below the root, '/'-separated.
    pub rel_path: String,
    /// The full path.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// Something below the root that could not be listed or named, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The path below the root ('/'-separated, lossy where the name is not UTF-8).
    pub rel_path: String,
    /// What went wrong, for the user.
    pub error: String,
}

/// Whether `name` has one of the [`IMAGE_EXTENSIONS`].
pub fn has_image_extension(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| IMAGE_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

/// Whether `name` is hidden (starts with a dot).
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// Lists every image file below `root`, following symbolic links (loops are reported), skipping
/// hidden and excluded files and folders.
pub fn walk(root: &Path, excludes: &Excludes) -> (Vec<Found>, Vec<Problem>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || {
                let name = entry.file_name().to_string_lossy();
                let rel = rel_path_lossy(root, entry.path());
                !is_hidden(&name) && !excludes.excludes(&name, &rel)
            }
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e
                    .path()
                    .map(|p| rel_path_lossy(root, p))
                    .unwrap_or_default();
                let dangling = e.path().is_some_and(|p| {
                    p.symlink_metadata()
                        .is_ok_and(|m| m.file_type().is_symlink())
                        && !p.exists()
                });
                let error = if e.loop_ancestor().is_some() {
                    "is a symbolic link that loops back to a folder above it; skipped".to_owned()
                } else if dangling {
                    "is a symbolic link to something that does not exist (any more); skipped"
                        .to_owned()
                } else {
                    match e.io_error() {
                        Some(io) => format!("cannot be read: {io}"),
                        None => format!("cannot be read: {e}"),
                    }
                };
                problems.push(Problem {
                    rel_path: rel,
                    error,
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let lossy_name = entry.file_name().to_string_lossy();
        if !has_image_extension(&lossy_name) {
            continue;
        }
        let Some(rel_path) = rel_path(root, entry.path()) else {
            problems.push(Problem {
                rel_path: rel_path_lossy(root, entry.path()),
                error: "has a name that is not valid UTF-8; rename it to include it".into(),
            });
            continue;
        };
        match entry.metadata() {
            Ok(meta) => found.push(Found {
                rel_path,
                path: entry.path().to_owned(),
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
            }),
            Err(e) => problems.push(Problem {
                rel_path,
                error: format!("cannot be read: {e}"),
            }),
        }
    }
    (found, problems)
}

/// Modification time in nanoseconds since the epoch (0 where the platform has none).
pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// `path` below `root`, '/'-separated; `None` when a component is not UTF-8.
pub fn rel_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

fn rel_path_lossy(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decoded_format_is_indexed() {
        for ext in DECODED_EXTENSIONS {
            assert!(
                IMAGE_EXTENSIONS.contains(ext),
                "{ext} is decoded but not indexed"
            );
        }
    }

    #[test]
    fn extensions_ignore_case_and_need_a_dot() {
        assert!(has_image_extension("a.PNG"));
        assert!(has_image_extension("b.c.jpeg"));
        assert!(has_image_extension("x.avif"));
        assert!(!has_image_extension("png"));
        assert!(!has_image_extension("notes.txt"));
    }

    #[test]
    fn walks_nested_folders_skipping_hidden_and_excluded() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for p in [
            "a.png",
            "sub/b.JPG",
            "sub/deeper/c.webp",
            "sub/c_mask.png",
            "masks/d.png",
            ".hidden/e.png",
            "sub/.f.png",
            "notes.txt",
        ] {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        let (found, problems) = walk(root, &Excludes::parse("*mask*").unwrap());
        let rels: Vec<_> = found.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(rels, ["a.png", "sub/b.JPG", "sub/deeper/c.webp"]);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(found.iter().all(|f| f.size == 1 && f.mtime_ns > 0));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_a_problem_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.png"), b"x").unwrap();
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        let (found, problems) = walk(root, &Excludes::none());
        assert_eq!(found.len(), 1);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].rel_path, "sub/loop");
        assert!(problems[0].error.contains("loops"), "{problems:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_is_a_problem() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.png");
        std::fs::write(dir.path().join(name), b"x").unwrap();
        std::fs::write(dir.path().join("ok.png"), b"x").unwrap();
        let (found, problems) = walk(dir.path(), &Excludes::none());
        assert_eq!(found.len(), 1);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].error.contains("not valid UTF-8"));
        assert_eq!(problems[0].rel_path, "caf\u{fffd}.png");
    }
}
