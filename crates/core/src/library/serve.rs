//! Serving library images to the webview, by content hash only.
//!
//! A request names an image by its SHA-1, never by a path: [`parse_request`] accepts exactly
//! `/<40 hex>` or `/thumb/<40 hex>` and nothing else (no decoding, no `..`, no slashes). The
//! bytes served are read from a present file of that image and checked against the hash, so only
//! content that is in the library ever leaves.

use super::content_hash::hash_reader;
use crate::{CoreError, Result};
use image::{DynamicImage, ImageDecoder};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIZE: u32 = 384;

/// What the webview asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRequest {
    /// The original file's bytes (a PNG rendition for formats webviews do not show).
    Original(String),
    /// A small JPEG of the image, EXIF orientation applied.
    Thumbnail(String),
}

impl ImageRequest {
    /// The SHA-1 asked for.
    pub fn sha1(&self) -> &str {
        match self {
            ImageRequest::Original(s) | ImageRequest::Thumbnail(s) => s,
        }
    }
}

/// An answer: bytes and their content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// The body.
    pub bytes: Vec<u8>,
    /// The `Content-Type`.
    pub content_type: &'static str,
}

/// Parses the path of an image URI. Anything but `/<sha1>` or `/thumb/<sha1>` (lowercase hex)
/// is `None`, which the caller answers with 404.
pub fn parse_request(path: &str) -> Option<ImageRequest> {
    let (thumb, hash) = match path.strip_prefix("/thumb/") {
        Some(hash) => (true, hash),
        None => (false, path.strip_prefix('/')?),
    };
    let valid = hash.len() == 40 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !valid {
        return None;
    }
    let hash = hash.to_owned();
    Some(if thumb {
        ImageRequest::Thumbnail(hash)
    } else {
        ImageRequest::Original(hash)
    })
}

/// Answers `request` for the image whose present files are `files` (none: not in the library,
/// or not any more) and whose format is `format`, caching thumbnails and renditions below
/// `cache_dir`. `Ok(None)` means "not in the library" (404).
pub async fn serve_files(
    files: Vec<PathBuf>,
    format: String,
    cache_dir: &Path,
    request: &ImageRequest,
) -> Result<Option<Served>> {
    let sha1 = request.sha1().to_owned();
    let cache = thumbnail_path(cache_dir, &sha1);
    let rendition = rendition_path(cache_dir, &sha1);
    let thumb = matches!(request, ImageRequest::Thumbnail(_));
    tokio::task::spawn_blocking(move || {
        if files.is_empty() {
            // Not in the library (any more): its file was deleted, its folder closed, or it
            // became unreadable. A thumbnail or rendition kept from before is neither served
            // nor kept.
            let _ = std::fs::remove_file(&cache);
            let _ = std::fs::remove_file(&rendition);
            return Ok(None);
        }
        let shown_as_is = shown_by_webviews(&format);
        let cached = match (thumb, shown_as_is) {
            (true, _) => Some((&cache, "image/jpeg")),
            (false, false) => Some((&rendition, "image/png")),
            (false, true) => None,
        };
        if let Some((path, content_type)) = cached {
            if let Ok(bytes) = std::fs::read(path) {
                return Ok(Some(Served {
                    bytes,
                    content_type,
                }));
            }
        }
        let Some(bytes) = read_verified(&files, &sha1) else {
            return Ok(None);
        };
        let (made, path, content_type) = match (thumb, shown_as_is) {
            (false, true) => {
                return Ok(Some(Served {
                    bytes,
                    content_type: content_type(&format),
                }))
            }
            (false, false) => (make_rendition(&bytes)?, &rendition, "image/png"),
            (true, _) => (make_thumbnail(&bytes)?, &cache, "image/jpeg"),
        };
        store_atomically(path, &made);
        Ok(Some(Served {
            bytes: made,
            content_type,
        }))
    })
    .await
    .map_err(|e| CoreError::Internal(format!("serving an image stopped: {e}")))?
}

/// Whether every webview the app shows images in (WebKitGTK, Chromium, Android's WebView)
/// decodes `format` itself. Others (TIFF, JPEG XL) are served as a PNG rendition.
pub fn shown_by_webviews(format: &str) -> bool {
    matches!(
        format,
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "bmp" | "avif"
    )
}

/// The image in `bytes` as a PNG a webview shows: full size, turned upright by its EXIF
/// orientation, 8 bits per channel, alpha kept.
pub fn make_rendition(bytes: &[u8]) -> Result<Vec<u8>> {
    let fail = |e: image::ImageError| CoreError::Internal(format!("cannot show this image: {e}"));
    let mut decoder = super::formats::decoder(Cursor::new(bytes)).map_err(fail)?;
    let orientation = decoder.orientation().map_err(fail)?;
    let (w, h) = decoder.dimensions();
    let mut image = crate::library::one_large_decode_at_a_time(u64::from(w) * u64::from(h), || {
        DynamicImage::from_decoder(decoder)
    })
    .map_err(fail)?;
    image.apply_orientation(orientation);
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    let mut out = Vec::new();
    image
        .write_with_encoder(image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        ))
        .map_err(fail)?;
    Ok(out)
}

/// The bytes of the first of `files` whose content still has this hash.
fn read_verified(files: &[PathBuf], sha1: &str) -> Option<Vec<u8>> {
    files.iter().find_map(|path| {
        let bytes = std::fs::read(path).ok()?;
        let hashed = hash_reader(&bytes[..]).ok()?;
        (hashed.sha1 == sha1).then_some(bytes)
    })
}

/// Decodes `bytes`, turns it upright by its EXIF orientation, and shrinks it to a JPEG.
pub fn make_thumbnail(bytes: &[u8]) -> Result<Vec<u8>> {
    let fail = |e: image::ImageError| CoreError::Internal(format!("cannot make a thumbnail: {e}"));
    let mut decoder = super::formats::decoder(Cursor::new(bytes)).map_err(fail)?;
    let orientation = decoder.orientation().map_err(fail)?;
    let (w, h) = decoder.dimensions();
    // Shrunk before it is turned or converted; a large one while no other large one decodes.
    let small = crate::library::one_large_decode_at_a_time(u64::from(w) * u64::from(h), || {
        DynamicImage::from_decoder(decoder).map(|i| i.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    })
    .map_err(fail)?;
    let mut small = small;
    small.apply_orientation(orientation);
    let small = small.into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&small)
        .map_err(fail)?;
    Ok(out)
}

fn rendition_path(cache_dir: &Path, sha1: &str) -> PathBuf {
    cache_dir
        .join("renditions")
        .join(&sha1[..2])
        .join(format!("{sha1}.png"))
}

fn thumbnail_path(cache_dir: &Path, sha1: &str) -> PathBuf {
    cache_dir
        .join("thumbnails")
        .join(&sha1[..2])
        .join(format!("{sha1}-{THUMBNAIL_SIZE}.jpg"))
}

/// Writes `bytes` to `path` through a temporary file, so a reader never sees half a thumbnail.
/// A failure only costs the cache.
fn store_atomically(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The content type of a stored format name.
pub fn content_type(format: &str) -> &'static str {
    match format {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "gif" => "image/gif",
        "avif" => "image/avif",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn accepts_only_exact_hash_paths() {
        assert_eq!(
            parse_request(&format!("/{HASH}")),
            Some(ImageRequest::Original(HASH.into()))
        );
        assert_eq!(
            parse_request(&format!("/thumb/{HASH}")),
            Some(ImageRequest::Thumbnail(HASH.into()))
        );
        let refused = [
            String::new(),
            "/".into(),
            format!("/{}", &HASH[..39]),
            format!("/{HASH}0"),
            format!("/{}", HASH.to_uppercase()),
            HASH.to_string(),
            format!("//{HASH}"),
            format!("/thumb//{HASH}"),
            format!("/thumb/../{HASH}"),
            "/../../etc/passwd".into(),
            "/..%2f..%2fetc%2fpasswd".into(),
            "/%2e%2e/%2e%2e/etc/passwd".into(),
            "/etc/passwd".into(),
            "//etc/passwd".into(),
            "/C:\\Windows\\win.ini".into(),
            format!("/{HASH}/../../secret.png"),
            format!("/{HASH}%00.png"),
            format!("/thumb/{HASH}/x"),
            format!("/full/{HASH}"),
            "/0123456789abcdef0123456789abcdef0123456g".into(),
        ];
        for path in refused {
            assert_eq!(parse_request(&path), None, "{path:?} must be refused");
        }
    }

    #[test]
    fn thumbnails_are_upright_and_small() {
        // A 600x200 landscape JPEG tagged "rotate 90°" must come out as a portrait thumbnail.
        let mut jpeg = Vec::new();
        image::RgbImage::from_pixel(600, 200, image::Rgb([10, 200, 10]))
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        let tagged = crate::library::with_exif_orientation(&jpeg, 6);
        let thumb = image::load_from_memory(&make_thumbnail(&tagged).unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (128, THUMBNAIL_SIZE));
        let plain = image::load_from_memory(&make_thumbnail(&jpeg).unwrap()).unwrap();
        assert_eq!((plain.width(), plain.height()), (THUMBNAIL_SIZE, 128));
    }
}
