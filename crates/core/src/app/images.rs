//! Library images for a door (the window's image scheme, the network door): looked up in the
//! store by content hash, then read, checked and shrunk by [`crate::library::serve`].

use super::App;
use crate::library::serve::{parse_request, serve_files, ImageRequest, Served};
use crate::{Result, Store};
use std::path::Path;

/// An image for the webview, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageResponse {
    /// The HTTP status: 200, 404 (not an image address, or not in the library) or 500.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body: the image, or a sentence saying why not.
    pub body: Vec<u8>,
}

/// Answers `request` from the library in `store`, caching thumbnails below `cache_dir`.
/// `Ok(None)` means "not in the library" (404).
pub async fn serve(
    store: &Store,
    cache_dir: &Path,
    request: &ImageRequest,
) -> Result<Option<Served>> {
    let sha1 = request.sha1();
    let files = store.image_files(sha1).await?;
    let format = store.image_format(sha1).await?.unwrap_or_default();
    serve_files(files, format, cache_dir, request).await
}

impl App {
    /// Answers a request for an image by the path of its address (`/<sha1>` or
    /// `/thumb/<sha1>`): only images in the library, checked against their hash, are served.
    pub async fn serve_image(&self, path: &str) -> ImageResponse {
        let text = |status: u16, message: &str| ImageResponse {
            status,
            content_type: "text/plain; charset=utf-8",
            body: message.as_bytes().to_vec(),
        };
        let Some(request) = parse_request(path) else {
            return text(404, "not an image address");
        };
        match serve(&self.0.store, &self.0.cache_dir, &request).await {
            Ok(Some(served)) => ImageResponse {
                status: 200,
                content_type: served.content_type,
                body: served.bytes,
            },
            Ok(None) => text(404, "no such image in the library"),
            Err(e) => text(500, &e.to_string()),
        }
    }
}
