//! Typed calls to the app's commands and events, over `window.__TAURI__` (the app sets
//! `withGlobalTauri`). Arguments and results are the `image-scorer-protocol` types.

use image_scorer_protocol::{
    events, AppError, AppState, ErrorKind, ImagePage, LibraryState, PredictorState, Problem, Rater,
    ScanStatus, ScoreQueue, ScoreState, IMAGE_SCHEME,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(
        event: &str,
        handler: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;
}

/// Invokes the command `cmd` with `args` (an object whose fields are the command's arguments,
/// camelCase) and decodes its result.
pub async fn invoke<A: Serialize, R: DeserializeOwned>(cmd: &str, args: &A) -> Result<R, AppError> {
    let args = serde_wasm_bindgen::to_value(args).map_err(internal)?;
    let value = tauri_invoke(cmd, args).await.map_err(from_js_error)?;
    serde_wasm_bindgen::from_value(value).map_err(internal)
}

/// No arguments.
#[derive(Serialize)]
struct NoArgs {}

/// The library and the problems met while starting.
pub async fn get_state() -> Result<AppState, AppError> {
    invoke("get_state", &NoArgs {}).await
}

/// Lets the user pick a folder and opens it; `None` when they cancel.
pub async fn choose_folder() -> Result<Option<LibraryState>, AppError> {
    invoke("choose_folder", &NoArgs {}).await
}

/// Closes the folder `root_id`.
pub async fn remove_folder(root_id: i32) -> Result<LibraryState, AppError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        root_id: i32,
    }
    invoke("remove_folder", &Args { root_id }).await
}

/// Sets the exclusion patterns of the folder `root_id`.
pub async fn set_excludes(root_id: i32, patterns: String) -> Result<LibraryState, AppError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        root_id: i32,
        patterns: String,
    }
    invoke("set_excludes", &Args { root_id, patterns }).await
}

/// The first `limit` images of the library that can be shown, and the total.
pub async fn list_images(limit: u32) -> Result<ImagePage, AppError> {
    #[derive(Serialize)]
    struct Args {
        limit: u32,
    }
    invoke("list_images", &Args { limit }).await
}

/// The current rater and every known one.
pub async fn get_rater() -> Result<Rater, AppError> {
    invoke("get_rater", &NoArgs {}).await
}

/// Switches to (or adds) the rater `name`.
pub async fn set_rater(name: String) -> Result<Rater, AppError> {
    #[derive(Serialize)]
    struct Args {
        name: String,
    }
    invoke("set_rater", &Args { name }).await
}

/// The scoring queue for this session's `seed`; with `predicted_first`, predicted images first.
pub async fn score_queue(
    include_rated: bool,
    seed: u32,
    predicted_first: bool,
) -> Result<ScoreQueue, AppError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        include_rated: bool,
        seed: u32,
        predicted_first: bool,
    }
    invoke(
        "score_queue",
        &Args {
            include_rated,
            seed,
            predicted_first,
        },
    )
    .await
}

#[derive(Serialize)]
struct Sha1Arg {
    sha1: String,
}

/// An image's scores and the rater's progress.
pub async fn score_state(sha1: String) -> Result<ScoreState, AppError> {
    invoke("score_state", &Sha1Arg { sha1 }).await
}

/// Scores an image; answers once the score is committed.
pub async fn add_score(sha1: String, value: f64) -> Result<ScoreState, AppError> {
    #[derive(Serialize)]
    struct Args {
        sha1: String,
        value: f64,
    }
    invoke("add_score", &Args { sha1, value }).await
}

/// Records a value from the Rate page with the prediction shown; answers once it is committed.
pub async fn add_rating(
    sha1: String,
    value: f64,
    predicted: Option<f64>,
) -> Result<ScoreState, AppError> {
    #[derive(Serialize)]
    struct Args {
        sha1: String,
        value: f64,
        predicted: Option<f64>,
    }
    invoke(
        "add_rating",
        &Args {
            sha1,
            value,
            predicted,
        },
    )
    .await
}

/// The model packs, the active one, and the embedding progress.
pub async fn get_predictor() -> Result<PredictorState, AppError> {
    invoke("get_predictor", &NoArgs {}).await
}

/// Makes the pack `id` the active one.
pub async fn set_pack(id: String) -> Result<PredictorState, AppError> {
    #[derive(Serialize)]
    struct Args {
        id: String,
    }
    invoke("set_pack", &Args { id }).await
}

/// Pauses or resumes the background embedding.
pub async fn pause_predictions(paused: bool) -> Result<PredictorState, AppError> {
    #[derive(Serialize)]
    struct Args {
        paused: bool,
    }
    invoke("pause_predictions", &Args { paused }).await
}

/// Undoes the rater's newest score.
pub async fn undo_score() -> Result<Option<ScoreState>, AppError> {
    invoke("undo_score", &NoArgs {}).await
}

/// Tells the app an image could not be displayed.
pub async fn image_failed(sha1: String) -> Result<(), AppError> {
    invoke("image_failed", &Sha1Arg { sha1 }).await
}

/// The first `limit` files that cannot be shown, with their errors.
pub async fn list_problems(limit: u32) -> Result<Vec<Problem>, AppError> {
    #[derive(Serialize)]
    struct Args {
        limit: u32,
    }
    invoke("list_problems", &Args { limit }).await
}

/// The address of an image's thumbnail under the app's image scheme.
pub fn thumbnail_url(sha1: &str) -> String {
    stand_in_image().unwrap_or_else(|| format!("{}/thumb/{sha1}", image_base()))
}

/// The address of an image's original.
pub fn image_url(sha1: &str) -> String {
    stand_in_image().unwrap_or_else(|| format!("{}/{sha1}", image_base()))
}

/// Browser tests have no image scheme: they set `window.__IMAGE_SCORER_STAND_IN__` to an image
/// address that every image then uses. The app never sets it.
fn stand_in_image() -> Option<String> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str("__IMAGE_SCORER_STAND_IN__"))
        .ok()?
        .as_string()
}

/// Linux and macOS webviews see custom schemes as `scheme://localhost`; Windows and Android
/// as `http://scheme.localhost`.
fn image_base() -> String {
    let windows_like = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|ua| ua.contains("Windows") || ua.contains("Android"));
    if windows_like {
        format!("http://{IMAGE_SCHEME}.localhost")
    } else {
        format!("{IMAGE_SCHEME}://localhost")
    }
}

/// A subscription to an app event; unsubscribes when dropped.
pub struct Subscription {
    unlisten: Option<js_sys::Function>,
    _handler: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(unlisten) = self.unlisten.take() {
            let _ = unlisten.call0(&JsValue::NULL);
        }
    }
}

/// Calls `on_change` with the new library whenever the app emits
/// [`events::LIBRARY_CHANGED`].
pub async fn on_library_changed(
    on_change: impl Fn(LibraryState) + 'static,
) -> Result<Subscription, AppError> {
    subscribe(events::LIBRARY_CHANGED, on_change).await
}

/// Calls `on_progress` as folders are indexed.
pub async fn on_scan_progress(
    on_progress: impl Fn(ScanStatus) + 'static,
) -> Result<Subscription, AppError> {
    subscribe(events::SCAN_PROGRESS, on_progress).await
}

/// Calls `on_change` when the packs or the embedding progress change.
pub async fn on_predictor_changed(
    on_change: impl Fn(PredictorState) + 'static,
) -> Result<Subscription, AppError> {
    subscribe(events::PREDICTOR_CHANGED, on_change).await
}

/// Calls `on_error` when background work in the app fails.
pub async fn on_app_error(on_error: impl Fn(AppError) + 'static) -> Result<Subscription, AppError> {
    subscribe(events::APP_ERROR, on_error).await
}

async fn subscribe<T: DeserializeOwned + 'static>(
    event: &str,
    on_event: impl Fn(T) + 'static,
) -> Result<Subscription, AppError> {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let payload = js_sys::Reflect::get(&event, &JsValue::from_str("payload"))
            .ok()
            .and_then(|p| serde_wasm_bindgen::from_value::<T>(p).ok());
        if let Some(payload) = payload {
            on_event(payload);
        }
    });
    let unlisten = tauri_listen(event, &handler).await.map_err(from_js_error)?;
    Ok(Subscription {
        unlisten: unlisten.dyn_into::<js_sys::Function>().ok(),
        _handler: handler,
    })
}

/// A rejected command: the app's `{kind, message}`, or whatever the bridge threw.
fn from_js_error(value: JsValue) -> AppError {
    serde_wasm_bindgen::from_value::<AppError>(value.clone()).unwrap_or_else(|_| {
        let text = value
            .as_string()
            .or_else(|| {
                value
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| format!("{value:?}"));
        AppError::new(
            ErrorKind::Internal,
            format!("The app did not answer as expected: {text}"),
        )
    })
}

fn internal(e: serde_wasm_bindgen::Error) -> AppError {
    AppError::new(
        ErrorKind::Internal,
        format!("The app and its window disagree on a message: {e}"),
    )
}
