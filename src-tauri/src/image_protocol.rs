//! The `image://` URI scheme: core answers with library images by content hash, and nothing
//! else; this turns its answer into an HTTP response for the webview.

use image_scorer_core::App;
use tauri::http::{header, Response, StatusCode};

/// Answers one request for `path` (the URI's path; the query is ignored).
pub async fn respond(app: &App, path: &str) -> Response<Vec<u8>> {
    let answer = app.serve_image(path).await;
    let mut response = Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, answer.content_type);
    if answer.status == 200 {
        // The address is the content's hash: the answer never changes.
        response = response.header(header::CACHE_CONTROL, "max-age=31536000, immutable");
    }
    response.body(answer.body).unwrap_or_else(|e| {
        Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(e.to_string().into_bytes())
            .expect("a static response")
    })
}
