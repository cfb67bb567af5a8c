//! What the window does for core's [`App`] ([`Desktop`]): the native file dialogs, through one
//! helper ([`show`]), and the network door for tablets that the Share panel starts and stops,
//! serving the UI files this app embeds.

use image_scorer_core::app::{Desktop, DesktopFuture, FileDialog, Pick, SharingChange};
use image_scorer_core::App;
use image_scorer_protocol::{AppError, ErrorKind, SharingState};
use image_scorer_server::{Assets, EventHub, Server, ServerOptions};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

/// The environment variable that answers every file dialog with a path instead of showing it:
/// for end-to-end tests, which cannot reach a native dialog. Set by whoever starts the app,
/// never by the webview; only in a build with the `e2e` feature (the tests' own).
#[cfg(feature = "e2e")]
pub const DIALOG_ANSWER: &str = "IMAGE_SCORER_DIALOG_FILE";

/// The window's dialogs and network door.
pub struct WindowDesktop {
    handle: AppHandle,
    /// The events the network door forwards (the window's sink sends each one here too).
    events: EventHub,
    server: tokio::sync::Mutex<Option<Server>>,
}

impl WindowDesktop {
    /// The desktop of the window `handle`, whose network door forwards `events`.
    pub fn new(handle: AppHandle, events: EventHub) -> Self {
        Self {
            handle,
            events,
            server: tokio::sync::Mutex::new(None),
        }
    }

    async fn state(&self) -> SharingState {
        match self.server.lock().await.as_ref() {
            Some(server) => SharingState {
                running: true,
                url: Some(server.pairing_url()),
                qr_svg: Some(server.qr_svg()),
                devices: server.sessions() as u32,
                paired: server.devices(),
            },
            None => SharingState::default(),
        }
    }

    async fn start(&self) -> Result<(), AppError> {
        let mut held = self.server.lock().await;
        if held.is_some() {
            return Ok(());
        }
        let app = self.handle.state::<App>().inner().clone();
        let assets = Arc::new(EmbeddedUi(self.handle.clone()));
        let server = Server::start(app, self.events.clone(), assets, ServerOptions::default())
            .await
            .map_err(|e| {
                AppError::new(
                    ErrorKind::Io,
                    format!("Cannot share on the local network: {e}"),
                )
            })?;
        *held = Some(server);
        Ok(())
    }

    async fn stop(&self) {
        if let Some(server) = self.server.lock().await.take() {
            server.stop().await;
        }
    }
}

impl Desktop for WindowDesktop {
    fn pick(&self, dialog: FileDialog) -> DesktopFuture<'_, Option<Vec<PathBuf>>> {
        Box::pin(show(&self.handle, dialog))
    }

    fn sharing(&self, change: SharingChange) -> DesktopFuture<'_, SharingState> {
        Box::pin(async move {
            match change {
                SharingChange::None => {}
                SharingChange::Start => self.start().await?,
                SharingChange::Stop => self.stop().await,
                SharingChange::Unpair(device) => {
                    if let Some(server) = self.server.lock().await.as_ref() {
                        server.unpair(device);
                    }
                }
            }
            Ok(self.state().await)
        })
    }
}

/// Shows `dialog` (its extensions offered in lower and upper case: the file chooser matches
/// them as written) and waits for the person; in the tests' build, `DIALOG_ANSWER` answers it
/// instead.
async fn show(handle: &AppHandle, dialog: FileDialog) -> Result<Option<Vec<PathBuf>>, AppError> {
    #[cfg(feature = "e2e")]
    if let Some(answer) = std::env::var_os(DIALOG_ANSWER) {
        return Ok(Some(vec![PathBuf::from(answer)]));
    }
    let mut builder = handle.dialog().file().set_title(&dialog.title);
    if let Some((label, extensions)) = &dialog.filter {
        let cased: Vec<String> = extensions
            .iter()
            .flat_map(|e| [e.to_lowercase(), e.to_uppercase()])
            .collect();
        let cased: Vec<&str> = cased.iter().map(String::as_str).collect();
        builder = builder.add_filter(label, &cased);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let one = move |file: Option<tauri_plugin_dialog::FilePath>| {
        let _ = tx.send(file.map(|f| vec![f]));
    };
    match dialog.pick {
        Pick::Folder => builder.pick_folder(one),
        Pick::File => builder.pick_file(one),
        Pick::Save(name) => builder.set_file_name(name).save_file(one),
        Pick::Files => {
            let (many_tx, many_rx) = tokio::sync::oneshot::channel();
            builder.pick_files(move |files| {
                let _ = many_tx.send(files);
            });
            return paths(many_rx.await.ok().flatten());
        }
    }
    paths(rx.await.ok().flatten())
}

/// The dialog's answer as paths. A content address (Android's picker) is not a path: reading
/// it needs the file system plugin, not in this build (docs/mobile.md).
fn paths(
    files: Option<Vec<tauri_plugin_dialog::FilePath>>,
) -> Result<Option<Vec<PathBuf>>, AppError> {
    let Some(files) = files else {
        return Ok(None);
    };
    files
        .into_iter()
        .map(|f| {
            f.into_path().map_err(|e| {
                AppError::new(
                    ErrorKind::InvalidInput,
                    format!("The file dialog returned something that is not a file: {e}"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The UI's files as this app embeds them (what the window itself loads).
struct EmbeddedUi(AppHandle);

impl Assets for EmbeddedUi {
    fn get(&self, name: &str) -> Option<(Cow<'static, [u8]>, String)> {
        let asset = self.0.asset_resolver().get(name.to_owned())?;
        Some((
            Cow::Owned(asset.bytes().to_vec()),
            asset.mime_type().to_owned(),
        ))
    }
}
