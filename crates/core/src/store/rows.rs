//! The rows the store reads of the library, in core's own types: the app turns them into what
//! the doors show (`app::wire`), so the store knows nothing of the protocol's wire types.

/// The open folders and how many images they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    /// The open folders, oldest first.
    pub roots: Vec<Folder>,
    /// How many images can be shown, and how many cannot.
    pub counts: super::Counts,
}

/// An open folder (`roots`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Its id.
    pub id: i64,
    /// Its canonical path.
    pub path: String,
    /// Its exclusion patterns, one glob per line.
    pub excludes: String,
}

/// An image that can be shown, by the path of its first file below its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedImage {
    /// Its SHA-1.
    pub sha1: String,
    /// The path of its first present file, below its folder.
    pub name: String,
}

/// An image that can be shown, with its size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizedImage {
    /// Its SHA-1.
    pub sha1: String,
    /// The path of its first present file, below its folder.
    pub name: String,
    /// Pixels, as displayed.
    pub width: u32,
    /// Pixels, as displayed.
    pub height: u32,
}

/// A present file that cannot be shown, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnshownFile {
    /// Its folder's path.
    pub folder: String,
    /// Its content's SHA-1, when it was read at all.
    pub sha1: Option<String>,
    /// Its path below its folder.
    pub name: String,
    /// Why it cannot be shown.
    pub error: String,
}

/// What the log and the caches say of one gallery image, for one rater and one model.
#[derive(Debug, Clone, PartialEq)]
pub struct TileRow {
    /// The image (its size 0 when unknown).
    pub image: SizedImage,
    /// The rater's current score, everyone's mean and how many scored it.
    pub scores: super::ScoreSummary,
    /// The model's prediction.
    pub predicted: Option<f64>,
    /// How many judgements (not undone) name it.
    pub judgements: u32,
    /// Marked as a duplicate.
    pub duplicate: bool,
}

/// An image of a near-duplicate group: what tells which to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupMember {
    /// Its SHA-1.
    pub sha1: String,
    /// The path of its first present file, below its folder.
    pub name: String,
    /// Pixels, when known.
    pub width: Option<u32>,
    /// Pixels, when known.
    pub height: Option<u32>,
    /// Bytes of its largest present file.
    pub bytes: u64,
}
