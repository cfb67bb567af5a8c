//! Every command the UI can send, defined once: its name, its request (the command's
//! arguments, as one struct) and its response. The Tauri shell registers one handler per
//! command, the UI calls them through its transport with [`Command::NAME`], and the browser
//! tests' stub answers them with the same types.
//!
//! A command that acts for a person (a judgement, a queue, an undo) names its `rater`: the
//! app has no current rater of its own, so two devices can rate as two people at once.

use crate::{
    AppError, AppState, ComparisonOutcome, ComparisonSaved, ComparisonSet, DuplicateGroups,
    DuplicateMethod, DuplicatesMarked, ExportOptions, ExportSummary, GalleryPage, GalleryQuery,
    ImageDetail, ImagePage, ImportReport, ImportedImages, LibraryState, LikenessSaved,
    LikenessSummary, OwnModelExported, PackFrom, PackInfo, PairKind, PersonalModel, Plot, PlotKind,
    PredictorState, PreferenceSettings, Problem, RankingPage, Rater, RatingStats, ScoreQueue,
    ScoreState, SetChoice, SharingState, SimilarImages, SimilarityPair, Undone,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use specta::Type;

/// A command: a request type that knows its name and the type of its answer. Failures are
/// always an [`AppError`].
pub trait Command: Serialize + DeserializeOwned + Send + 'static {
    /// The command's name on every transport (snake_case).
    const NAME: &'static str;
    /// What the command answers with.
    type Response: Serialize + DeserializeOwned + Send + 'static;
}

/// What a command answers: its response, or an error for the user.
pub type Reply<C> = Result<<C as Command>::Response, AppError>;

macro_rules! commands {
    ($($name:literal => $request:ident -> $response:ty;)*) => {
        $(
            impl Command for $request {
                const NAME: &'static str = $name;
                type Response = $response;
            }
        )*
        /// The name of every command, in the order of the table.
        pub const COMMAND_NAMES: &[&str] = &[$($name),*];
    };
}

commands! {
    "get_state" => GetState -> AppState;
    "choose_folder" => ChooseFolder -> Option<LibraryState>;
    "import_images" => ImportImages -> Option<ImportedImages>;
    "app_resumed" => AppResumed -> ();
    "install_pack" => InstallPack -> Option<PackInfo>;
    "list_images" => ListImages -> ImagePage;
    "list_problems" => ListProblems -> Vec<Problem>;
    "remove_folder" => RemoveFolder -> LibraryState;
    "set_excludes" => SetExcludes -> LibraryState;
    "get_rater" => GetRater -> Rater;
    "set_rater" => SetRater -> Rater;
    "score_queue" => GetScoreQueue -> ScoreQueue;
    "score_state" => GetScoreState -> ScoreState;
    "add_score" => AddScore -> ScoreState;
    "add_rating" => AddRating -> ScoreState;
    "undo" => Undo -> Option<Undone>;
    "image_failed" => ImageFailed -> ();
    "get_predictor" => GetPredictor -> PredictorState;
    "set_pack" => SetPack -> PredictorState;
    "pause_predictions" => PausePredictions -> PredictorState;
    "get_preference" => GetPreference -> PreferenceSettings;
    "set_preference" => SetPreference -> PreferenceSettings;
    "next_set" => NextSet -> Option<ComparisonSet>;
    "record_comparison" => RecordComparison -> ComparisonSaved;
    "get_ranking" => GetRanking -> RankingPage;
    "find_similar" => FindSimilar -> SimilarImages;
    "find_similar_to_file" => FindSimilarToFile -> Option<SimilarImages>;
    "similar_pair" => GetSimilarPair -> Option<SimilarityPair>;
    "record_likeness" => RecordLikeness -> LikenessSaved;
    "get_likeness" => GetLikeness -> LikenessSummary;
    "duplicate_groups" => GetDuplicateGroups -> DuplicateGroups;
    "mark_duplicates" => MarkDuplicates -> DuplicatesMarked;
    "gallery" => GetGallery -> GalleryPage;
    "image_detail" => GetImageDetail -> ImageDetail;
    "rating_stats" => GetRatingStats -> RatingStats;
    "plot" => GetPlot -> Plot;
    "save_plot" => SavePlot -> Option<String>;
    "export" => Export -> Option<ExportSummary>;
    "import_ratings" => ImportRatings -> Option<ImportReport>;
    "rename_rater" => RenameRater -> Rater;
    "personal_model" => GetPersonalModel -> PersonalModel;
    "export_own_model" => ExportOwnModel -> Option<OwnModelExported>;
    "sharing" => GetSharing -> SharingState;
    "start_sharing" => StartSharing -> SharingState;
    "stop_sharing" => StopSharing -> SharingState;
}

/// The library and any problem met while starting; the UI asks once when it loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetState {}

/// Shows the system folder picker and opens the chosen folder; `None` when the user cancels.
/// The path comes from the native dialog, never from the webview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChooseFolder {}

/// Shows the system file picker (several images) and copies the chosen files into the app's
/// own library folder, where the library is that folder ([`AppState::app_storage`], a phone or
/// tablet); `None` when the user cancels. The paths come from the native dialog, never from the
/// webview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ImportImages {}

/// Installs a model pack from a folder or a .zip (chosen in the native picker: the path never
/// comes from the webview) or from a .zip at a URL, validates it, and lists it; `None` when the
/// picker is cancelled. Progress shows in [`crate::PredictorState::installing`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct InstallPack {
    /// Where from.
    pub from: PackFrom,
}

/// The app's page came back to the front (it was hidden: another app, a locked screen). A
/// library in app storage is scanned again, so images shared into it meanwhile appear; folders
/// on the desktop are watched, and nothing more is done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AppResumed {}

/// The first `limit` images that can be shown, by file path, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ListImages {
    /// At most this many (the app caps it at 10,000).
    pub limit: u32,
}

/// The first `limit` files that cannot be shown, with what is wrong with each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ListProblems {
    /// At most this many (the app caps it at 10,000).
    pub limit: u32,
}

/// Closes a folder: its files leave the library; images and judgements stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RemoveFolder {
    /// The folder's id.
    pub root_id: i32,
}

/// Sets a folder's exclusion patterns (one glob per line) and indexes it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SetExcludes {
    /// The folder's id.
    pub root_id: i32,
    /// One glob per line.
    pub patterns: String,
}

/// The rater this door starts with (the one chosen last, else the operating-system user) and
/// every known rater.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetRater {}

/// Adds the rater `name` if new and remembers them as the one this door starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SetRater {
    /// 1 to 64 characters; surrounding spaces are trimmed.
    pub name: String,
}

/// The images for `rater` to score: those they have not scored first, shuffled by `seed` (one
/// per session), then the scored ones when `include_rated`. With `predicted_first` (the Rate
/// page), unscored images the active pack has predicted come before the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetScoreQueue {
    /// Who is rating.
    pub rater: String,
    /// Also the images they scored already.
    pub include_rated: bool,
    /// The session's shuffle.
    pub seed: u32,
    /// Predicted images first.
    pub predicted_first: bool,
    /// "Teach my model": the unscored images the rater's own model is least sure about, and
    /// unlike each other, first (up to 50, from a sample of 2,000), instead of the shuffle.
    #[serde(default)]
    pub teach: bool,
}

/// An image's scores (the rater's, the mean), its prediction, and the rater's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetScoreState {
    /// Who is asking.
    pub rater: String,
    /// The image.
    pub sha1: String,
}

/// Records `value` (1-10) as `rater`'s score of the image (the Score experiment); answers
/// once it is committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AddScore {
    /// Who scores.
    pub rater: String,
    /// The image.
    pub sha1: String,
    /// 1 to 10.
    pub value: f64,
}

/// Records `value` (1-10, kept to one decimal) from the Rate experiment, with the prediction
/// that was on screen; answers once it is committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AddRating {
    /// Who rates.
    pub rater: String,
    /// The image.
    pub sha1: String,
    /// 1 to 10, one decimal.
    pub value: f64,
    /// The prediction shown, if any.
    pub predicted: Option<f64>,
    /// Whether the prediction shown was the rater's own model's (else the pack's).
    #[serde(default)]
    pub own: bool,
}

/// Undoes `rater`'s newest judgement that is not undone yet, whatever its kind; `None` when
/// there is nothing to undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Undo {
    /// Whose judgement.
    pub rater: String,
}

/// The webview could not display the image: it is recorded as unreadable and leaves the queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ImageFailed {
    /// The image.
    pub sha1: String,
}

/// The packs found, the active one, and how far the embedding of the library is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetPredictor {}

/// Makes the pack `id` (as listed in [`PredictorState::packs`]) the active one; remembered
/// across restarts. Embeddings computed with any pack stay cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SetPack {
    /// The pack's id.
    pub id: String,
}

/// Pauses (`true`) or resumes the background embedding; what is done stays done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PausePredictions {
    /// Pause or resume.
    pub paused: bool,
}

/// The Preference page's settings (best of 2 or 4, active or random choice).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetPreference {}

/// Remembers the Preference page's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SetPreference {
    /// The settings; `size` is 2 or 4.
    pub settings: PreferenceSettings,
}

/// The next set of `size` images (2 or 4) for `rater` to compare, in a random screen order,
/// chosen from their ranking as it is now; `None` when the library has fewer images. None of
/// `exclude` (the set on screen: the page asks for the next set while the person judges it)
/// while the library has enough others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct NextSet {
    /// Who compares.
    pub rater: String,
    /// 2 or 4.
    pub size: u32,
    /// Active or random.
    pub choice: SetChoice,
    /// Images not to use, by SHA-1.
    pub exclude: Vec<String>,
}

/// Records `rater`'s choice among `images` (as shown, in screen order): a pick (with the
/// winner's position), a tie, or "none of these"; the rankings take it in before the answer.
/// Refused, recording nothing, when an image is no longer in the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RecordComparison {
    /// Who chose.
    pub rater: String,
    /// The images by SHA-1, in screen order (2 or 4).
    pub images: Vec<String>,
    /// How it ended.
    pub outcome: ComparisonOutcome,
    /// For a pick, the winner's screen position (0 first); `None` otherwise.
    pub winner: Option<u32>,
}

/// The `limit` strongest images of `rater`'s ranking, or of every rater's judgements pooled
/// (`rater` `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetRanking {
    /// Whose ranking.
    pub rater: Option<String>,
    /// At most this many (the app caps it at 10,000).
    pub limit: u32,
}

/// The `k` library images most like the image `sha1` under the active pack's cached
/// embeddings, most alike first. Refused when there is no active pack or the image has no
/// embedding yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FindSimilar {
    /// The query image.
    pub sha1: String,
    /// How many (the app caps it at 200).
    pub k: u32,
}

/// Shows the system file picker; the chosen image (not added to the library) is embedded with
/// the active pack and its `k` most similar library images are the answer. `None` when the
/// user cancels. The path comes from the native dialog, never from the webview; a file
/// dropped on the window gives the same answer as the event
/// [`crate::events::SimilarToFile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FindSimilarToFile {
    /// How many (the app caps it at 200).
    pub k: u32,
}

/// A pair of images to judge for likeness, with their cosine: drawn at random, or an image
/// and one of its nearest neighbours. None of `exclude` (the pair on screen) while there are
/// enough others; images marked as duplicates never. `None` when fewer than two images have
/// an embedding; refused without an active pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetSimilarPair {
    /// Random or near.
    pub kind: PairKind,
    /// Images not to use, by SHA-1.
    pub exclude: Vec<String>,
}

/// Records how alike `rater` finds the two `images` (as shown, left first): 1 ("nothing
/// alike") to 5 ("the same picture"), with the cosine that was shown. Refused, recording
/// nothing, when an image left the library or the cosine is not the active pack's (the pack
/// changed since the pair was shown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RecordLikeness {
    /// Who judged.
    pub rater: String,
    /// The two images by SHA-1, left first.
    pub images: Vec<String>,
    /// 1 to 5.
    pub value: u32,
    /// The cosine shown.
    pub cosine: f64,
}

/// Every likeness judgement made with the active pack's cosine (the plot), with the asking
/// rater's marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetLikeness {
    /// Who asks.
    pub rater: String,
}

/// The near-duplicate groups among the library images not marked as duplicates, found by
/// `method`; the first `limit` of them, closest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct GetDuplicateGroups {
    /// Embeddings with a threshold, or the perceptual hash with a distance.
    pub method: DuplicateMethod,
    /// At most this many groups (the app caps it at 1,000).
    pub limit: u32,
}

/// Keeps `keep` and marks each of `duplicates` as its duplicate: they leave every queue (the
/// files are never touched). One judgement in the log, which undo takes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MarkDuplicates {
    /// Who decided.
    pub rater: String,
    /// The image kept.
    pub keep: String,
    /// The images marked (1 to 100).
    pub duplicates: Vec<String>,
}

/// The gallery's tiles from position `start` in the order and filters of `query`, at most
/// `limit`. The order is computed when the query or the library changed, or with `refresh`
/// (the page asks for it when it opens); later pages of the same query keep it, so a tile
/// scored from the grid does not jump away while the rater works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetGallery {
    /// The order and the filters.
    pub query: GalleryQuery,
    /// The first position.
    pub start: u32,
    /// At most this many (the app caps it at 1,000).
    pub limit: u32,
    /// Compute the order again.
    pub refresh: bool,
}

/// Everything known of the image `sha1`: its files, every judgement, each pack's prediction,
/// its ranking and its nearest neighbours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetImageDetail {
    /// The image.
    pub sha1: String,
}

/// The counts, each rater's mean and spread, their agreement, and the predictions against the
/// scores, over the judgements of `raters` (every rater when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetRatingStats {
    /// Whose judgements, by name.
    pub raters: Vec<String>,
}

/// The plot `kind` over the judgements of `raters` (every rater when empty), as SVG.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetPlot {
    /// Which plot.
    pub kind: PlotKind,
    /// Whose judgements, by name.
    pub raters: Vec<String>,
}

/// Shows the system save dialog and writes the plot there as an SVG file; the path written,
/// or `None` when the user cancels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SavePlot {
    /// The plot.
    pub plot: GetPlot,
}

/// Shows the system save dialog and exports there; what was written, or `None` when the user
/// cancels. The file is written beside its place and renamed into it, so a crash never leaves
/// half a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Export {
    /// What to export.
    pub options: ExportOptions,
}

/// Shows the system file dialog and imports the chosen file: the old tool's `ratings.db`, or
/// an Image Scorer JSONL export from another machine. What it brought, or `None` when the user
/// cancels. Importing the same file again adds nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ImportRatings {}

/// Renames the rater `from` to `to` (a name no rater has yet); every judgement goes with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RenameRater {
    /// The rater's name now.
    pub from: String,
    /// The new name (1 to 64 characters).
    pub to: String,
}

/// What is known of `rater`'s own model for the active pack: its ratings, its cross-validated
/// quality as they grew, and whether it is shown instead of the pack's prediction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetPersonalModel {
    /// Whose model.
    pub rater: String,
}

/// Shows the save dialog and writes `rater`'s own model there as an ONNX head (embedding in,
/// score out, usable as a pack's head), with its weights and bias as `.npy` beside it; `None`
/// when the user cancels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ExportOwnModel {
    /// Whose model.
    pub rater: String,
}

/// Whether the library is shared on the local network, and how a device pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct GetSharing {}

/// Starts sharing the library on the local network with a new pairing code (the desktop app
/// only; a device on the network cannot).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct StartSharing {}

/// Stops sharing: nothing listens any more, and every device's session ends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct StopSharing {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for name in COMMAND_NAMES {
            assert!(seen.insert(name), "{name} is listed twice");
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name} is not snake_case"
            );
        }
        assert_eq!(AddScore::NAME, "add_score");
    }

    #[test]
    fn requests_travel_as_plain_objects() {
        let request = AddRating {
            rater: "ana".into(),
            sha1: "a".repeat(40),
            value: 6.4,
            predicted: None,
            own: false,
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"rater": "ana", "sha1": "a".repeat(40), "value": 6.4, "predicted": null, "own": false})
        );
        assert_eq!(serde_json::from_value::<AddRating>(json).unwrap(), request);
        // An empty request is an empty object, which is what a transport sends for no arguments.
        assert_eq!(
            serde_json::from_value::<GetState>(serde_json::json!({})).unwrap(),
            GetState {}
        );
    }
}
