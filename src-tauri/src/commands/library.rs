//! Commands about the library: which folders are open.

use crate::state::AppContext;
use image_scorer_protocol::{events, AppError, AppState, ErrorKind, ImagePage, LibraryState};
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_dialog::DialogExt;

/// The library and any problem met while starting; the UI calls this once when it loads.
#[tauri::command]
#[specta::specta]
pub async fn get_state(context: State<'_, AppContext>) -> Result<AppState, AppError> {
    Ok(AppState {
        library: context.store.library().await?,
        startup_errors: context.startup_errors(),
    })
}

/// Shows the system folder picker and opens the chosen folder. Returns `None` when the user
/// cancels. The path comes from the native dialog, never from the webview.
#[tauri::command]
#[specta::specta]
pub async fn choose_folder(
    app: AppHandle,
    context: State<'_, AppContext>,
) -> Result<Option<LibraryState>, AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
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
    context.store.open_folder(&path).await?;
    let library = context.store.library().await?;
    // Other windows follow the library through this event; indexing the new folder runs in the
    // background and reports its progress.
    let _ = app.emit(events::LIBRARY_CHANGED, &library);
    tauri::async_runtime::spawn(crate::indexer::index_and_watch(app.clone()));
    Ok(Some(library))
}

/// The first `limit` images of the library that can be shown, by file path, and the total.
#[tauri::command]
#[specta::specta]
pub async fn list_images(
    context: State<'_, AppContext>,
    limit: u32,
) -> Result<ImagePage, AppError> {
    Ok(context.store.image_page(limit.min(10_000)).await?)
}
