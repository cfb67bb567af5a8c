//! The types that cross between the Yew UI (wasm32) and the app (native), whatever carries them:
//! Tauri's IPC in the window, HTTP for a browser on the network.
//!
//! Every command is defined once, in [`commands`]: its name, its request type, its response
//! type, who on the network may send it ([`Command`]), and the one entry that answers any of
//! them ([`dispatch`]). Every event likewise, in [`events`] ([`Event`]). Everything here is
//! plain data with serde derives: no I/O, no platform code, so the same definitions compile on
//! both sides. Integers that cross are 32-bit, never 64-bit: a browser's numbers hold 53 bits.

pub mod commands;
mod error;
pub mod events;
mod gallery;
mod judgements;
mod library;
mod personal;
mod predictions;
mod preference;
mod queue;
mod ratings;
mod scoring;
mod sharing;
mod similarity;
pub mod text;

pub use commands::{dispatch, Command, Handler, Handles, Remote, Reply, COMMAND_NAMES};
pub use error::{AppError, ErrorKind};
pub use events::{AppEvent, Event};
pub use gallery::{
    GalleryPage, GalleryQuery, GalleryShow, GallerySort, GalleryTile, ImageDetail, ImageFile,
    PackPrediction, Presence,
};
pub use judgements::{
    ComparisonOutcome, ImageRole, JudgedImage, Judgement, JudgementKind, JudgementsChanged,
};
pub use library::{
    AppState, ImagePage, ImageSummary, ImportedImages, LibraryCounts, LibraryState, Problem, Root,
    ScanStatus,
};
pub use personal::{ModelQuality, OwnModelExported, PersonalModel};
pub use predictions::{EmbedProgress, InstallProgress, PackFrom, PackInfo, PredictorState};
pub use preference::{
    ComparisonSaved, ComparisonSet, PreferenceSettings, RankedImage, RankingPage, SetChoice,
};
pub use queue::{spread, Claimed, QueueRule, Standing, TeamProgress};
pub use ratings::{
    ExportFormat, ExportOptions, ExportSummary, ImportReport, PathStyle, Plot, PlotKind,
    PredictionFit, RaterStats, RatingStats, ScoreMode, Skipped,
};
pub use scoring::{QueueItem, Rater, ScoreQueue, ScoreState, Undone};
pub use sharing::{PairedDevice, SharingState};
pub use similarity::{
    DuplicateGroup, DuplicateGroups, DuplicateMethod, DuplicatesMarked, DuplicatesProgress,
    GroupImage, LikenessPoint, LikenessSaved, LikenessSummary, PairKind, SimilarImage,
    SimilarImages, SimilarityPair, DEFAULT_DISTANCE, DEFAULT_THRESHOLD, GROUP_SHOWN, MAX_DISTANCE,
    MIN_THRESHOLD,
};

/// The URI scheme that serves library images to the webview, by content hash:
/// `image://localhost/<sha1>` (the original) and `image://localhost/thumb/<sha1>` (a thumbnail).
/// On Windows and Android the webview sees it as `http://image.localhost/…`.
pub const IMAGE_SCHEME: &str = "image";
