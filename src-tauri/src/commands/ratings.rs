//! The Ratings page's commands. Those that write or read a file ([`export`], [`import_ratings`],
//! [`save_plot`]) take its path from the native dialog, never from the webview.

use image_scorer_core::App;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{
    AppError, ErrorKind, ExportFormat, ExportSummary, GalleryPage, ImageDetail, ImportReport,
    OwnModelExported, PersonalModel, Plot, Rater, RatingStats,
};
use std::path::PathBuf;
use tauri::State;
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder};

/// The environment variable that answers the file dialogs of this module with a path instead
/// of showing them: for end-to-end tests, which cannot reach a native dialog. Set by whoever
/// starts the app, never by the webview.
pub const DIALOG_ANSWER: &str = "IMAGE_SCORER_DIALOG_FILE";

/// Shows `dialog` and waits for the user: the chosen path, or `None` when they cancel.
async fn chosen(
    dialog: FileDialogBuilder<tauri::Wry>,
    save: bool,
) -> Result<Option<PathBuf>, AppError> {
    if let Some(answer) = std::env::var_os(DIALOG_ANSWER) {
        return Ok(Some(PathBuf::from(answer)));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let send = move |file| {
        let _ = tx.send(file);
    };
    if save {
        dialog.save_file(send);
    } else {
        dialog.pick_file(send);
    }
    let Some(file) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    file.into_path().map(Some).map_err(|e| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("The file dialog returned something that is not a file: {e}"),
        )
    })
}

/// See [`GetGallery`].
#[tauri::command]
#[specta::specta]
pub async fn gallery(app: State<'_, App>, request: GetGallery) -> Result<GalleryPage, AppError> {
    app.call(request).await
}

/// See [`GetImageDetail`].
#[tauri::command]
#[specta::specta]
pub async fn image_detail(
    app: State<'_, App>,
    request: GetImageDetail,
) -> Result<ImageDetail, AppError> {
    app.call(request).await
}

/// See [`GetRatingStats`].
#[tauri::command]
#[specta::specta]
pub async fn rating_stats(
    app: State<'_, App>,
    request: GetRatingStats,
) -> Result<RatingStats, AppError> {
    app.call(request).await
}

/// See [`GetPlot`].
#[tauri::command]
#[specta::specta]
pub async fn plot(app: State<'_, App>, request: GetPlot) -> Result<Plot, AppError> {
    app.call(request).await
}

/// See [`SavePlot`]: the save dialog, then the plot written there as SVG.
#[tauri::command]
#[specta::specta]
pub async fn save_plot(
    window: tauri::AppHandle,
    app: State<'_, App>,
    request: SavePlot,
) -> Result<Option<String>, AppError> {
    let dialog = window
        .dialog()
        .file()
        .set_title("Save the plot")
        .set_file_name(format!("{}.svg", request.plot.kind.as_str()))
        .add_filter("SVG image", &["svg"]);
    let Some(path) = chosen(dialog, true).await? else {
        return Ok(None);
    };
    app.save_plot(&path, request.plot).await.map(Some)
}

/// See [`Export`]: the save dialog, then the export written there.
#[tauri::command]
#[specta::specta]
pub async fn export(
    window: tauri::AppHandle,
    app: State<'_, App>,
    request: Export,
) -> Result<Option<ExportSummary>, AppError> {
    let format = request.options.format;
    let name = match format {
        ExportFormat::Comparisons => "comparisons.jsonl".to_owned(),
        other => format!("ratings.{}", other.extension()),
    };
    let dialog = window
        .dialog()
        .file()
        .set_title(format!("Export {}", format.label()))
        .set_file_name(name)
        .add_filter(format.label(), &[format.extension()]);
    let Some(path) = chosen(dialog, true).await? else {
        return Ok(None);
    };
    app.export_to(&path, &request.options).await.map(Some)
}

/// See [`ImportRatings`]: the file dialog, then the chosen file imported.
#[tauri::command]
#[specta::specta]
pub async fn import_ratings(
    window: tauri::AppHandle,
    app: State<'_, App>,
    request: ImportRatings,
) -> Result<Option<ImportReport>, AppError> {
    let ImportRatings {} = request;
    let dialog = window
        .dialog()
        .file()
        .set_title("Import ratings (the old tool's ratings.db, or an Image Scorer JSONL export)")
        .add_filter("Ratings", &["db", "sqlite", "jsonl", "json"]);
    let Some(path) = chosen(dialog, false).await? else {
        return Ok(None);
    };
    app.import_file(&path, &|_, _| {}).await.map(Some)
}

/// See [`RenameRater`].
#[tauri::command]
#[specta::specta]
pub async fn rename_rater(app: State<'_, App>, request: RenameRater) -> Result<Rater, AppError> {
    app.call(request).await
}

/// See [`ExportOwnModel`]: the save dialog chooses the `.onnx` file.
#[tauri::command]
#[specta::specta]
pub async fn export_own_model(
    window: tauri::AppHandle,
    app: State<'_, App>,
    request: ExportOwnModel,
) -> Result<Option<OwnModelExported>, AppError> {
    let dialog = window
        .dialog()
        .file()
        .set_title("Export your own model as an ONNX head")
        .set_file_name("my-model.onnx")
        .add_filter("ONNX", &["onnx"]);
    let Some(path) = chosen(dialog, true).await? else {
        return Ok(None);
    };
    app.export_own_model(&path, &request.rater).await.map(Some)
}

/// See [`GetPersonalModel`].
#[tauri::command]
#[specta::specta]
pub async fn personal_model(
    app: State<'_, App>,
    request: GetPersonalModel,
) -> Result<PersonalModel, AppError> {
    app.call(request).await
}
