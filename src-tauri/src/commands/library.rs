//! Commands about the library: which folders are open.

use crate::state::AppContext;
use image_scorer_protocol::{
    events, AppError, AppState, ErrorKind, ImagePage, LibraryState, Problem,
};
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
    // Indexing the new folder runs in the background and reports its progress.
    changed(app, &context).await.map(Some)
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

/// Closes the folder `root_id`: its files leave the library; images and judgements stay.
#[tauri::command]
#[specta::specta]
pub async fn remove_folder(
    app: AppHandle,
    context: State<'_, AppContext>,
    root_id: i32,
) -> Result<LibraryState, AppError> {
    context.store.remove_root(i64::from(root_id)).await?;
    changed(app, &context).await
}

/// Sets the exclusion patterns of the folder `root_id` (one glob per line) and re-indexes it.
#[tauri::command]
#[specta::specta]
pub async fn set_excludes(
    app: AppHandle,
    context: State<'_, AppContext>,
    root_id: i32,
    patterns: String,
) -> Result<LibraryState, AppError> {
    context
        .store
        .set_excludes(i64::from(root_id), &patterns)
        .await?;
    changed(app, &context).await
}

/// After the set of folders or their patterns changed: tell every window, re-index and re-watch.
async fn changed(app: AppHandle, context: &AppContext) -> Result<LibraryState, AppError> {
    let library = context.store.library().await?;
    let _ = app.emit(events::LIBRARY_CHANGED, &library);
    tauri::async_runtime::spawn(crate::indexer::index_and_watch(app));
    Ok(library)
}

/// The first `limit` files that cannot be shown, with what is wrong with each.
#[tauri::command]
#[specta::specta]
pub async fn list_problems(
    context: State<'_, AppContext>,
    limit: u32,
) -> Result<Vec<Problem>, AppError> {
    Ok(context.store.problems(limit.min(10_000)).await?)
}
