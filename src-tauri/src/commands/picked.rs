//! The commands whose files come from the native picker (never a path from the webview):
//! importing images into a library in app storage, and installing a model pack from a folder or
//! a .zip (or from a URL, which needs no picker).

use super::{ratings, IMAGE_EXTENSIONS};
use image_scorer_core::App;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{AppError, ErrorKind, ImportedImages, PackInfo};
use tauri::State;
use tauri_plugin_dialog::DialogExt;

/// See [`ImportImages`]: shows the system file picker (several images) and copies the chosen
/// files into the library in app storage.
#[tauri::command]
#[specta::specta]
pub async fn import_images(
    window: tauri::AppHandle,
    app: State<'_, App>,
    request: ImportImages,
) -> Result<Option<ImportedImages>, AppError> {
    let ImportImages {} = request;
    if app.app_storage().is_none() {
        // Said before a picker opens for nothing.
        return app
            .import_images(&[])
            .await
            .map(Some)
            .map_err(AppError::from);
    }
    let paths = match std::env::var_os(ratings::DIALOG_ANSWER) {
        Some(answer) => vec![std::path::PathBuf::from(answer)],
        None => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            window
                .dialog()
                .file()
                .set_title("Import images into the library")
                .add_filter("Images", IMAGE_EXTENSIONS)
                .pick_files(move |files| {
                    let _ = tx.send(files);
                });
            let Some(files) = rx.await.ok().flatten() else {
                return Ok(None);
            };
            // A content address (Android's picker) is not a path: reading it needs the file
            // system plugin, not in this build (docs/mobile.md).
            files
                .into_iter()
                .map(|f| {
                    f.into_path().map_err(|e| {
                        AppError::new(
                            ErrorKind::InvalidInput,
                            format!("The file picker returned something that is not a file: {e}"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    app.import_images(&paths)
        .await
        .map(Some)
        .map_err(AppError::from)
}

/// See [`InstallPack`]: a folder or a .zip chosen in the native picker (never a path from the
/// webview), or a URL.
#[tauri::command]
#[specta::specta]
pub async fn install_pack(
    window: tauri::AppHandle,
    app: State<'_, App>,
    request: InstallPack,
) -> Result<Option<PackInfo>, AppError> {
    use image_scorer_core::app::pack_install::PackSource;
    let answered = std::env::var_os(ratings::DIALOG_ANSWER).map(std::path::PathBuf::from);
    let pick = |folder: bool| async move {
        if let Some(path) = answered {
            return Ok(Some(path));
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let dialog = window.dialog().file();
        if folder {
            dialog
                .set_title("Install a model pack: its folder")
                .pick_folder(move |f| {
                    let _ = tx.send(f);
                });
        } else {
            dialog
                .set_title("Install a model pack: its .zip")
                .add_filter("Zip", &["zip", "ZIP"])
                .pick_file(move |f| {
                    let _ = tx.send(f);
                });
        }
        match rx.await.ok().flatten() {
            None => Ok(None),
            Some(f) => f.into_path().map(Some).map_err(|e| {
                AppError::new(
                    ErrorKind::InvalidInput,
                    format!("The file picker returned something that is not a file: {e}"),
                )
            }),
        }
    };
    let source = match request.from {
        image_scorer_protocol::PackFrom::Folder => match pick(true).await? {
            Some(path) => PackSource::Folder(path),
            None => return Ok(None),
        },
        image_scorer_protocol::PackFrom::Zip => match pick(false).await? {
            Some(path) => PackSource::Zip(path),
            None => return Ok(None),
        },
        from @ image_scorer_protocol::PackFrom::Url { .. } => {
            return app.call(InstallPack { from }).await;
        }
    };
    app.install_pack_shown(source)
        .await
        .map(Some)
        .map_err(AppError::from)
}
