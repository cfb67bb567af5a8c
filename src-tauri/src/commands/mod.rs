//! The commands the webview can invoke: one handler per command of `image-scorer-protocol`,
//! each a line over core's [`App`]. No command takes a file-system path from the webview; the
//! only ones with OS glue, [`choose_folder`], [`find_similar_to_file`], the Ratings page's
//! export, import and plot saving ([`ratings`]), and importing images and installing packs
//! ([`picked`]), get their path from the native dialog.

use image_scorer_core::App;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{
    AppError, AppState, ComparisonSaved, ComparisonSet, DuplicateGroups, DuplicatesMarked,
    ErrorKind, ImagePage, LibraryState, LikenessSaved, LikenessSummary, PredictorState,
    PreferenceSettings, Problem, RankingPage, Rater, ScoreQueue, ScoreState, SimilarImages,
    SimilarityPair, Undone,
};
use tauri::State;
use tauri_plugin_dialog::DialogExt;
use tauri_specta::{collect_commands, Builder};

pub mod picked;
pub mod ratings;
pub mod sharing;

/// See [`GetState`].
#[tauri::command]
#[specta::specta]
pub async fn get_state(app: State<'_, App>, request: GetState) -> Result<AppState, AppError> {
    app.call(request).await
}

/// See [`ChooseFolder`]: shows the system folder picker and opens the chosen folder.
#[tauri::command]
#[specta::specta]
pub async fn choose_folder(
    window: tauri::AppHandle,
    app: State<'_, App>,
    request: ChooseFolder,
) -> Result<Option<LibraryState>, AppError> {
    let ChooseFolder {} = request;
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_title("Open a folder of images")
        .pick_folder(move |folder| {
            let _ = tx.send(folder);
        });
    let Some(folder) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = folder.into_path().map_err(|e| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("The folder picker returned something that is not a folder: {e}"),
        )
    })?;
    app.open_folder(&path).await.map(Some)
}

/// See [`AppResumed`].
#[tauri::command]
#[specta::specta]
pub async fn app_resumed(app: State<'_, App>, request: AppResumed) -> Result<(), AppError> {
    app.call(request).await
}

/// See [`ListImages`].
#[tauri::command]
#[specta::specta]
pub async fn list_images(app: State<'_, App>, request: ListImages) -> Result<ImagePage, AppError> {
    app.call(request).await
}

/// See [`ListProblems`].
#[tauri::command]
#[specta::specta]
pub async fn list_problems(
    app: State<'_, App>,
    request: ListProblems,
) -> Result<Vec<Problem>, AppError> {
    app.call(request).await
}

/// See [`RemoveFolder`].
#[tauri::command]
#[specta::specta]
pub async fn remove_folder(
    app: State<'_, App>,
    request: RemoveFolder,
) -> Result<LibraryState, AppError> {
    app.call(request).await
}

/// See [`SetExcludes`].
#[tauri::command]
#[specta::specta]
pub async fn set_excludes(
    app: State<'_, App>,
    request: SetExcludes,
) -> Result<LibraryState, AppError> {
    app.call(request).await
}

/// See [`GetRater`].
#[tauri::command]
#[specta::specta]
pub async fn get_rater(app: State<'_, App>, request: GetRater) -> Result<Rater, AppError> {
    app.call(request).await
}

/// See [`SetRater`].
#[tauri::command]
#[specta::specta]
pub async fn set_rater(app: State<'_, App>, request: SetRater) -> Result<Rater, AppError> {
    app.call(request).await
}

/// See [`GetScoreQueue`].
#[tauri::command]
#[specta::specta]
pub async fn score_queue(
    app: State<'_, App>,
    request: GetScoreQueue,
) -> Result<ScoreQueue, AppError> {
    app.call(request).await
}

/// See [`GetScoreState`].
#[tauri::command]
#[specta::specta]
pub async fn score_state(
    app: State<'_, App>,
    request: GetScoreState,
) -> Result<ScoreState, AppError> {
    app.call(request).await
}

/// See [`AddScore`].
#[tauri::command]
#[specta::specta]
pub async fn add_score(app: State<'_, App>, request: AddScore) -> Result<ScoreState, AppError> {
    app.call(request).await
}

/// See [`AddRating`].
#[tauri::command]
#[specta::specta]
pub async fn add_rating(app: State<'_, App>, request: AddRating) -> Result<ScoreState, AppError> {
    app.call(request).await
}

/// See [`Undo`].
#[tauri::command]
#[specta::specta]
pub async fn undo(app: State<'_, App>, request: Undo) -> Result<Option<Undone>, AppError> {
    app.call(request).await
}

/// See [`ImageFailed`].
#[tauri::command]
#[specta::specta]
pub async fn image_failed(app: State<'_, App>, request: ImageFailed) -> Result<(), AppError> {
    app.call(request).await
}

/// See [`GetPredictor`].
#[tauri::command]
#[specta::specta]
pub async fn get_predictor(
    app: State<'_, App>,
    request: GetPredictor,
) -> Result<PredictorState, AppError> {
    app.call(request).await
}

/// See [`SetPack`].
#[tauri::command]
#[specta::specta]
pub async fn set_pack(app: State<'_, App>, request: SetPack) -> Result<PredictorState, AppError> {
    app.call(request).await
}

/// See [`PausePredictions`].
#[tauri::command]
#[specta::specta]
pub async fn pause_predictions(
    app: State<'_, App>,
    request: PausePredictions,
) -> Result<PredictorState, AppError> {
    app.call(request).await
}

/// See [`GetPreference`].
#[tauri::command]
#[specta::specta]
pub async fn get_preference(
    app: State<'_, App>,
    request: GetPreference,
) -> Result<PreferenceSettings, AppError> {
    app.call(request).await
}

/// See [`SetPreference`].
#[tauri::command]
#[specta::specta]
pub async fn set_preference(
    app: State<'_, App>,
    request: SetPreference,
) -> Result<PreferenceSettings, AppError> {
    app.call(request).await
}

/// See [`NextSet`].
#[tauri::command]
#[specta::specta]
pub async fn next_set(
    app: State<'_, App>,
    request: NextSet,
) -> Result<Option<ComparisonSet>, AppError> {
    app.call(request).await
}

/// See [`RecordComparison`].
#[tauri::command]
#[specta::specta]
pub async fn record_comparison(
    app: State<'_, App>,
    request: RecordComparison,
) -> Result<ComparisonSaved, AppError> {
    app.call(request).await
}

/// See [`GetRanking`].
#[tauri::command]
#[specta::specta]
pub async fn get_ranking(
    app: State<'_, App>,
    request: GetRanking,
) -> Result<RankingPage, AppError> {
    app.call(request).await
}

/// See [`FindSimilar`].
#[tauri::command]
#[specta::specta]
pub async fn find_similar(
    app: State<'_, App>,
    request: FindSimilar,
) -> Result<SimilarImages, AppError> {
    app.call(request).await
}

/// The image formats the app reads, for the file picker.
pub(crate) const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif", "JPG", "JPEG", "PNG", "WEBP",
];

/// See [`FindSimilarToFile`]: shows the system file picker and finds the library images most
/// like the chosen file, which is not added to the library.
#[tauri::command]
#[specta::specta]
pub async fn find_similar_to_file(
    window: tauri::AppHandle,
    app: State<'_, App>,
    request: FindSimilarToFile,
) -> Result<Option<SimilarImages>, AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_title("Find images like this one")
        .add_filter("Images", IMAGE_EXTENSIONS)
        .pick_file(move |file| {
            let _ = tx.send(file);
        });
    let Some(file) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = file.into_path().map_err(|e| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("The file picker returned something that is not a file: {e}"),
        )
    })?;
    app.similar_to_file(&path, request.k).await.map(Some)
}

/// See [`GetSimilarPair`].
#[tauri::command]
#[specta::specta]
pub async fn similar_pair(
    app: State<'_, App>,
    request: GetSimilarPair,
) -> Result<Option<SimilarityPair>, AppError> {
    app.call(request).await
}

/// See [`RecordLikeness`].
#[tauri::command]
#[specta::specta]
pub async fn record_likeness(
    app: State<'_, App>,
    request: RecordLikeness,
) -> Result<LikenessSaved, AppError> {
    app.call(request).await
}

/// See [`GetLikeness`].
#[tauri::command]
#[specta::specta]
pub async fn get_likeness(
    app: State<'_, App>,
    request: GetLikeness,
) -> Result<LikenessSummary, AppError> {
    app.call(request).await
}

/// See [`GetDuplicateGroups`].
#[tauri::command]
#[specta::specta]
pub async fn duplicate_groups(
    app: State<'_, App>,
    request: GetDuplicateGroups,
) -> Result<DuplicateGroups, AppError> {
    app.call(request).await
}

/// See [`MarkDuplicates`].
#[tauri::command]
#[specta::specta]
pub async fn mark_duplicates(
    app: State<'_, App>,
    request: MarkDuplicates,
) -> Result<DuplicatesMarked, AppError> {
    app.call(request).await
}

/// Every command, registered for Tauri and for the TypeScript bindings.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new().commands(collect_commands![
        get_state,
        choose_folder,
        picked::import_images,
        app_resumed,
        picked::install_pack,
        list_images,
        list_problems,
        remove_folder,
        set_excludes,
        get_rater,
        set_rater,
        score_queue,
        score_state,
        add_score,
        add_rating,
        undo,
        image_failed,
        get_predictor,
        set_pack,
        pause_predictions,
        get_preference,
        set_preference,
        next_set,
        record_comparison,
        get_ranking,
        find_similar,
        find_similar_to_file,
        similar_pair,
        record_likeness,
        get_likeness,
        duplicate_groups,
        mark_duplicates,
        ratings::gallery,
        ratings::image_detail,
        ratings::rating_stats,
        ratings::plot,
        ratings::save_plot,
        ratings::export,
        ratings::import_ratings,
        ratings::rename_rater,
        ratings::personal_model,
        ratings::export_own_model,
        sharing::sharing,
        sharing::start_sharing,
        sharing::stop_sharing,
    ])
}

/// Writes the TypeScript bindings of every command and type to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Regenerate with: cargo xtask bindings"),
            path,
        )
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    /// The committed bindings are what the commands generate. `cargo xtask bindings` (which sets
    /// `UPDATE_BINDINGS=1`) rewrites them.
    #[test]
    fn bindings_are_up_to_date() {
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bindings.ts");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            super::export_bindings(&committed).unwrap();
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("bindings.ts");
        super::export_bindings(&fresh).unwrap();
        let fresh = std::fs::read_to_string(fresh).unwrap();
        let committed = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            fresh == committed,
            "src-tauri/bindings.ts is out of date with the commands: run `cargo xtask bindings` \
             and commit the result"
        );
    }

    /// Every command of the protocol has its handler here, registered under the protocol's
    /// name with one `request` argument, and there is no handler outside the protocol.
    #[test]
    fn every_protocol_command_has_a_handler_under_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bindings.ts");
        super::export_bindings(&path).unwrap();
        let bindings = std::fs::read_to_string(path).unwrap();
        for name in image_scorer_protocol::COMMAND_NAMES {
            assert!(
                bindings.contains(&format!("__TAURI_INVOKE(\"{name}\", {{ request }})")),
                "no handler for the command {name} (with one `request` argument)"
            );
        }
        let registered = bindings.matches("__TAURI_INVOKE(\"").count();
        assert_eq!(registered, image_scorer_protocol::COMMAND_NAMES.len());
    }
}
