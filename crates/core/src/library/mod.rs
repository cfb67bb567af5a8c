//! The library: every image below the open folders, identified by the SHA-1 of its bytes.
//!
//! [`walk`] lists the candidate files of a folder, [`hash`] reads each one once (hash and
//! integrity tail in one pass), [`probe`] reads its header, and [`scan`] ties them together and
//! records the outcome in the store. A file that cannot be read or decoded is recorded with its
//! error; nothing in here stops a scan because of one bad file.

pub mod excludes;
pub mod hash;
pub mod probe;
pub mod scan;
pub mod serve;
pub mod walk;
pub mod watch;

pub use excludes::Excludes;
pub use scan::{scan_root, ScanProgress, ScanReport};
pub use watch::{watch, watched_root, LibraryWatcher, WatchEvent, WatchedRoot};

/// Decodes the image file at `path` by its content, whatever its name says (a mislabelled
/// file decodes as what it is). The error says why it cannot be decoded.
pub fn decode_file(path: &std::path::Path) -> Result<image::DynamicImage, String> {
    image::ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| format!("cannot be read: {e}"))?
        .decode()
        .map_err(|e| format!("cannot be decoded: {e}"))
}
