//! The `image://` URI scheme: library images by content hash, and nothing else.

use crate::state::AppContext;
use image_scorer_core::library::serve::{parse_request, serve};
use tauri::http::{header, Response, StatusCode};
use tauri::{AppHandle, Manager};

/// Answers one request for `path` (the URI's path; the query is ignored).
pub async fn respond(app: &AppHandle, path: &str) -> Response<Vec<u8>> {
    let Some(request) = parse_request(path) else {
        return status(StatusCode::NOT_FOUND, "not an image address");
    };
    let context = app.state::<AppContext>();
    let cache = match app.path().app_cache_dir() {
        Ok(dir) => dir,
        Err(e) => return status(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    match serve(&context.store, &cache, &request).await {
        Ok(Some(served)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, served.content_type)
            // The address is the content's hash: the answer never changes.
            .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
            .body(served.bytes)
            .unwrap_or_else(|e| status(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())),
        Ok(None) => status(StatusCode::NOT_FOUND, "no such image in the library"),
        Err(e) => status(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn status(code: StatusCode, message: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(message.as_bytes().to_vec())
        .expect("a static response")
}
