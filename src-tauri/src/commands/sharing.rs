//! The Share panel's commands: the network door ([`image_scorer_server`]) started and stopped
//! from the desktop window only, serving the UI files embedded in this app.

use image_scorer_core::App;
use image_scorer_protocol::commands::{GetSharing, StartSharing, StopSharing};
use image_scorer_protocol::{AppError, ErrorKind, SharingState};
use image_scorer_server::{Assets, EventHub, Server, ServerOptions};
use std::borrow::Cow;
use std::sync::Arc;
use tauri::{AppHandle, State};

/// The network door's state: the events it forwards (the window's sink sends each one here
/// too) and the server while it runs.
#[derive(Default)]
pub struct Sharing {
    pub events: EventHub,
    server: tokio::sync::Mutex<Option<Server>>,
}

impl Sharing {
    async fn state(&self) -> SharingState {
        match self.server.lock().await.as_ref() {
            Some(server) => SharingState {
                running: true,
                url: Some(server.pairing_url()),
                qr_svg: Some(server.qr_svg()),
                devices: server.sessions() as u32,
            },
            None => SharingState::default(),
        }
    }

    /// Stops the server if it runs (the app is closing, or the user asked).
    pub async fn stop(&self) {
        if let Some(server) = self.server.lock().await.take() {
            server.stop().await;
        }
    }
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

/// See [`GetSharing`].
#[tauri::command]
#[specta::specta]
pub async fn sharing(
    sharing: State<'_, Sharing>,
    request: GetSharing,
) -> Result<SharingState, AppError> {
    let GetSharing {} = request;
    Ok(sharing.state().await)
}

/// See [`StartSharing`]: listens on the local network with a new pairing (a running server
/// is kept, with its pairing).
#[tauri::command]
#[specta::specta]
pub async fn start_sharing(
    handle: AppHandle,
    app: State<'_, App>,
    sharing: State<'_, Sharing>,
    request: StartSharing,
) -> Result<SharingState, AppError> {
    let StartSharing {} = request;
    {
        let mut held = sharing.server.lock().await;
        if held.is_none() {
            let assets = Arc::new(EmbeddedUi(handle));
            let server = Server::start(
                app.inner().clone(),
                sharing.events.clone(),
                assets,
                ServerOptions::default(),
            )
            .await
            .map_err(|e| {
                AppError::new(
                    ErrorKind::Io,
                    format!("Cannot share on the local network: {e}"),
                )
            })?;
            *held = Some(server);
        }
    }
    Ok(sharing.state().await)
}

/// See [`StopSharing`].
#[tauri::command]
#[specta::specta]
pub async fn stop_sharing(
    sharing: State<'_, Sharing>,
    request: StopSharing,
) -> Result<SharingState, AppError> {
    let StopSharing {} = request;
    sharing.stop().await;
    Ok(sharing.state().await)
}
