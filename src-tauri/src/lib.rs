//! The Image Scorer desktop and mobile shell: the window around core's [`App`].
//!
//! [`run`] is the one entry point (desktop `main` and the mobile runtime both call it). The shell
//! keeps only OS glue: the window, the native file dialogs and the network door ([`desktop`]),
//! the image scheme's registration, the plugins, and the event sink over Tauri's `AppHandle`.
//! Every command goes to [`App`] through one entry ([`commands::call`]).

pub mod cli;
pub mod commands;
pub mod desktop;
pub mod image_protocol;
pub mod sink;

use image_scorer_core::{App, AppConfig};
use std::sync::Arc;
use tauri::Manager;

/// Starts the app: opens (or repairs) the database, registers the plugins and commands, opens
/// the folder given on the command line, starts the background work, and shows the main window.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let args = cli::Args::parse(std::env::args_os().skip(1));
    let context = tauri::generate_context!();
    let mut config = match AppConfig::for_identifier(&context.config().identifier) {
        Ok(config) => config,
        Err(e) => fail(&e.to_string()),
    };
    if cfg!(debug_assertions) {
        // Development builds also offer the repository's packs.
        let models = concat!(env!("CARGO_MANIFEST_DIR"), "/../models");
        config.extra_packs.push(("models".into(), models.into()));
    }

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![commands::call])
        .register_asynchronous_uri_scheme_protocol(
            image_scorer_protocol::IMAGE_SCHEME,
            |context, request, responder| {
                let app = context.app_handle().state::<App>().inner().clone();
                let path = request.uri().path().to_owned();
                tauri::async_runtime::spawn(async move {
                    responder.respond(image_protocol::respond(&app, &path).await);
                });
            },
        )
        .on_window_event(|window, event| {
            // A file dropped on the window: the library images most like it. The path comes
            // from the window system's drop event, never from the webview.
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                if let Some(path) = paths.first().cloned() {
                    let app = window.state::<App>().inner().clone();
                    tauri::async_runtime::spawn(async move { app.dropped_file(&path).await });
                }
            }
        })
        .setup(move |tauri_app| {
            // Every event goes to the window and to the devices on the network (when shared).
            let network_events = image_scorer_server::EventHub::default();
            let sink = Arc::new(image_scorer_core::app::FanOut(vec![
                Arc::new(sink::WindowSink(tauri_app.handle().clone())),
                Arc::new(network_events.clone()),
            ]));
            let app = match tauri::async_runtime::block_on(App::open(config, sink)) {
                Ok(app) => app,
                Err(e) => {
                    // A database from a newer version, or one that cannot be read or written:
                    // said in a window (a desktop start has no terminal), then the app ends.
                    refuse_to_start(tauri_app.handle(), &e.to_string());
                    return Ok(());
                }
            };
            for error in args.errors {
                app.add_startup_error(error);
            }
            if let Some(folder) = &args.folder {
                if let Err(e) = tauri::async_runtime::block_on(app.open_folder(folder)) {
                    app.add_startup_error(e);
                }
            }
            app.attach_desktop(Arc::new(desktop::WindowDesktop::new(
                tauri_app.handle().clone(),
                network_events,
            )));
            tauri::async_runtime::block_on(async { app.start() });
            tauri_app.manage(app);
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        fail(&e.to_string());
    }
}

/// Shows why the app cannot start and ends it when the message is closed.
fn refuse_to_start(handle: &tauri::AppHandle, message: &str) {
    use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
    eprintln!("image-scorer: {message}");
    // The page behind could only fail: the message alone is shown.
    if let Some(window) = handle.get_webview_window("main") {
        let _ = window.hide();
    }
    handle
        .dialog()
        .message(message)
        .title("Image Scorer cannot start")
        .kind(MessageDialogKind::Error)
        .show(|_| std::process::exit(1));
}

fn fail(message: &str) -> ! {
    eprintln!("image-scorer: {message}");
    std::process::exit(1);
}
