//! The Image Scorer desktop and mobile shell: Tauri wiring around `image-scorer-core`.
//!
//! [`run`] is the one entry point (desktop `main` and the mobile runtime both call it). The shell
//! stays thin: commands in [`commands`] parse arguments, call core, and map errors.

pub mod cli;
pub mod commands;
pub mod database;
pub mod image_protocol;
pub mod indexer;
pub mod predictor;
pub mod state;

use image_scorer_protocol::AppError;
use state::AppContext;
use tauri::Manager;

/// Starts the app: opens (or repairs) the database, registers plugins and commands, opens the
/// folder given on the command line, and shows the main window.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let args = cli::Args::parse(std::env::args_os().skip(1));
    let mut context = tauri::generate_context!();
    let mut startup_errors: Vec<AppError> = args.errors.clone();

    let db = match database::prepare(&context.config().identifier) {
        Ok(db) => db,
        Err(message) => {
            eprintln!("image-scorer: {message}");
            std::process::exit(1);
        }
    };
    startup_errors.extend(db.notice.clone());
    database::configure_sql_plugin(context.config_mut(), &db.url);

    let specta = commands::specta_builder();
    let result = tauri::Builder::default()
        .plugin(
            tauri_plugin_sql::Builder::new()
                .add_migrations(&db.url, database::plugin_migrations())
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(specta.invoke_handler())
        .register_asynchronous_uri_scheme_protocol(
            image_scorer_protocol::IMAGE_SCHEME,
            |context, request, responder| {
                let app = context.app_handle().clone();
                let path = request.uri().path().to_owned();
                tauri::async_runtime::spawn(async move {
                    responder.respond(image_protocol::respond(&app, &path).await);
                });
            },
        )
        .setup(move |app| {
            specta.mount_events(app);
            let store =
                tauri::async_runtime::block_on(database::store_from_plugin(app.handle(), &db.url))?;
            if let Some(folder) = &args.folder {
                if let Err(e) = tauri::async_runtime::block_on(store.open_folder(folder)) {
                    startup_errors.push(e.into());
                }
            }
            let rater = tauri::async_runtime::block_on(database::current_rater(&store))?;
            let predictor = predictor::Predictor::new(app.path().app_data_dir()?.join("packs"));
            app.manage(AppContext::new(
                store.clone(),
                rater,
                predictor,
                startup_errors,
            ));
            tauri::async_runtime::spawn(indexer::index_and_watch(app.handle().clone()));
            tauri::async_runtime::spawn(predictor::run(app.handle().clone(), store));
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("image-scorer: {e}");
        std::process::exit(1);
    }
}
