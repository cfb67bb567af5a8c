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
