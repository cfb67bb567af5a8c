//! The plain facts and rules several parts of core share, with no I/O: what indexing found
//! of a file (the library produces it, the store records it), and a folder's exclusion
//! patterns ([`excludes`]: the library walks by them, the store keeps only patterns that
//! compile). Below the library and the store, so neither imports the other.

pub mod excludes;

/// Whether an image can be shown and rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Recognised, whole, within limits.
    Ok,
    /// Not an image, damaged, truncated, or over the limits.
    Unreadable,
    /// An image format this build cannot decode (e.g. AVIF, HEIC).
    Unsupported,
}

impl Status {
    /// The value stored in `images.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Unreadable => "unreadable",
            Status::Unsupported => "unsupported",
        }
    }
}

/// The outcome of probing one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The format detected from the content (`png`, `jpeg`, …), if any.
    pub format: Option<&'static str>,
    /// Width and height in pixels, if the header could be read.
    pub dimensions: Option<(u32, u32)>,
    /// Whether it can be shown.
    pub status: Status,
    /// Why not, for the user.
    pub error: Option<String>,
}

/// What indexing one file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The content, identified, and what it is.
    Image {
        /// SHA-1 of the bytes (hex).
        sha1: String,
        /// Format, size and status from the header.
        probe: Probe,
    },
    /// The file itself could not be read (or is empty): no image.
    FileError(String),
}

/// One file's new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Path below the root, '/'-separated.
    pub rel_path: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, ns since the epoch.
    pub mtime_ns: i64,
    /// What it holds.
    pub outcome: Outcome,
}
