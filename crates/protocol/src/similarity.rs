//! The Similarity experiment: how alike two images look to a person against their cosine
//! similarity, the images most like one, and groups of near-duplicates.

use crate::QueueItem;
use serde::{Deserialize, Serialize};

/// The lowest cosine threshold for near-duplicates the app offers.
pub const MIN_THRESHOLD: f64 = 0.8;
/// The cosine threshold the near-duplicate slider starts at (measured: see the README).
pub const DEFAULT_THRESHOLD: f64 = 0.85;
/// The most bits two perceptual hashes may differ in and still be near-duplicates, at most.
pub const MAX_DISTANCE: u32 = 16;
/// The perceptual-hash distance the slider starts at (measured: see the README).
pub const DEFAULT_DISTANCE: u32 = 4;

/// One library image and how alike it is to the query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarImage {
    /// Its SHA-1.
    pub sha1: String,
    /// The path of one of its files, below its folder.
    pub name: String,
    /// Cosine similarity of the two embeddings, -1 to 1 (1: the same picture to the model).
    pub cosine: f64,
}

/// The images most like a query, most alike first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarImages {
    /// The query when it is a library image; `None` for an outside file.
    pub query: Option<QueueItem>,
    /// The outside file's name (no folder), when the query is one.
    pub file_name: Option<String>,
    /// The pack whose embeddings were compared.
    pub model: String,
    /// Most alike first; never the query itself.
    pub results: Vec<SimilarImage>,
    /// How many library images have an embedding to compare with.
    pub searched: u32,
}

/// Which pair to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairKind {
    /// Two images drawn at random.
    #[default]
    Random,
    /// An image drawn at random and one of its nearest neighbours.
    Near,
}

/// Two images with their cosine similarity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarityPair {
    /// The two images, left first.
    pub images: Vec<QueueItem>,
    /// Their cosine similarity under the active pack.
    pub cosine: f64,
    /// How the pair was drawn.
    pub kind: PairKind,
    /// The pack whose embeddings were compared.
    pub model: String,
}

/// A likeness judgement was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikenessSaved {
    /// Its id in the log.
    pub id: u32,
    /// How many likeness judgements the rater has made, not undone.
    pub count: u32,
}

/// One likeness judgement for the plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LikenessPoint {
    /// 1 ("nothing alike") to 5 ("the same picture").
    pub value: u32,
    /// The cosine that was shown.
    pub cosine: f64,
    /// Whether the asking rater made it.
    pub mine: bool,
}

/// Every likeness judgement not undone, against the cosine shown with it (one model).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LikenessSummary {
    /// The pack whose cosines these are (`None` without an active pack).
    pub model: Option<String>,
    /// The judgements made with that pack's cosine.
    pub points: Vec<LikenessPoint>,
    /// Spearman's rank correlation of value and cosine over all points, once there are 3.
    pub correlation: Option<f64>,
}

/// How near-duplicates are found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum DuplicateMethod {
    /// The active pack's embeddings: images whose cosine is at least `threshold`.
    Embedding {
        /// 0.8 to 1.
        threshold: f64,
    },
    /// The perceptual hash (works without a pack): images whose 64-bit hashes differ in at
    /// most `distance` bits.
    Hash {
        /// 0 to 16.
        distance: u32,
    },
}

/// An image of a near-duplicate group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupImage {
    /// Its SHA-1.
    pub sha1: String,
    /// The path of one of its files, below its folder.
    pub name: String,
    /// Pixels, when known.
    pub width: Option<u32>,
    /// Pixels, when known.
    pub height: Option<u32>,
    /// Bytes of its file (as a float: exact to 9 PB, and JavaScript's number).
    pub bytes: f64,
}

/// The most images of a near-duplicate group listed (the largest): a group is reviewed side by
/// side, each with its key (1-9), and a mark names only images the person saw.
pub const GROUP_SHOWN: usize = 9;

/// Images that are near-duplicates of each other (linked by pairs above the threshold).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// Largest first (most pixels, then most bytes): the one to keep, usually; at most
    /// [`GROUP_SHOWN`] of them.
    pub images: Vec<GroupImage>,
    /// How many images the group holds (more than `images` lists when it is larger than
    /// [`GROUP_SHOWN`]: a mark marks only those seen).
    pub size: u32,
    /// The highest similarity of a pair in the group (cosine, or 1 - bits/64 for the hash).
    pub closest: f64,
}

/// The near-duplicate groups among the images not marked as duplicates yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroups {
    /// How they were found.
    pub method: DuplicateMethod,
    /// The first `limit` groups, closest first.
    pub groups: Vec<DuplicateGroup>,
    /// How many groups there are.
    pub total: u32,
    /// How many images are in a group.
    pub images: u32,
    /// How many images could take part (embedded, or hashed).
    pub searched: u32,
    /// How many images are in the library (shown, not marked).
    pub library: u32,
}

/// How far the search for near-duplicate pairs among the embeddings is (the payload of
/// [`crate::events::DUPLICATES_PROGRESS`]): sent while a large library's pairs are computed,
/// the last time with `done` at 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DuplicatesProgress {
    /// The images whose pairs are being computed (those new since the last search).
    pub images: u32,
    /// The share of the work done, 0 to 1.
    pub done: f32,
}

/// Duplicates were marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicatesMarked {
    /// The judgement's id in the log (undo undoes it).
    pub id: u32,
    /// How many images are marked as duplicates now, by anyone.
    pub marked: u32,
}
