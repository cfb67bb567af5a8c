//! The library: every image below the open folders, identified by the SHA-1 of its bytes.
//!
//! [`walk`] lists the candidate files of a folder, [`content_hash`] reads each one once (SHA-1
//! and integrity tail in one pass), [`probe`] reads its header by content ([`formats`],
//! [`decoding`], [`avif`]), and [`index_file`] ties them together for one file. [`serve`] reads
//! an image's bytes, thumbnail or rendition for the webview. Nothing here touches the store:
//! the app's indexer (`app::indexer`) scans folders and watches them with these, and records
//! what they find. A file that cannot be read or decoded is reported with its error; nothing in
//! here stops a scan because of one bad file.

pub mod avif;
pub mod content_hash;
pub mod decoding;
pub mod formats;
mod index;
pub mod probe;
pub mod serve;
pub mod walk;

pub use crate::domain::excludes::{Excludes, DEFAULT_EXCLUDES};
pub use index::index_file;

/// Decodes the image file at `path` by its content, whatever its name says (a mislabelled
/// file decodes as what it is). The error says why it cannot be decoded.
pub fn decode_file(path: &std::path::Path) -> Result<image::DynamicImage, String> {
    decode_at_least(path, u32::MAX)
}

/// Decoded images larger than this (in bytes at 4 per pixel) are decoded one at a time.
pub const LARGE_DECODE_BYTES: u64 = 64 << 20;
static LARGE_DECODES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// [`decode_file`] for a use that needs no more than `side` pixels on the shorter side (a
/// model's input, a hash, a thumbnail). A large image (over [`LARGE_DECODE_BYTES`]) is decoded
/// while no other large one is, and shrunk in its own pixel type before it is returned, so a
/// decompression bomb under the pixel limit costs one decode's memory, not one per thread.
pub fn decode_at_least(path: &std::path::Path, side: u32) -> Result<image::DynamicImage, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let decoder = formats::decoder(std::io::BufReader::new(file))
        .map_err(|e| format!("cannot be decoded: {e}"))?;
    let (width, height) = decoder.dimensions();
    let decode = || {
        image::DynamicImage::from_decoder(decoder).map_err(|e| format!("cannot be decoded: {e}"))
    };
    if u64::from(width) * u64::from(height) * 4 <= LARGE_DECODE_BYTES {
        return decode();
    }
    let _turn = LARGE_DECODES.lock().unwrap_or_else(|e| e.into_inner());
    Ok(shrink(decode()?, side))
}

/// Runs `work` (a decode of a large image and what shrinks it) while no other large decode
/// runs, when `pixels` is large; at once otherwise.
pub fn one_large_decode_at_a_time<T>(pixels: u64, work: impl FnOnce() -> T) -> T {
    if pixels * 4 <= LARGE_DECODE_BYTES {
        return work();
    }
    let _turn = LARGE_DECODES.lock().unwrap_or_else(|e| e.into_inner());
    work()
}

/// `image` scaled down (in its own pixel type) so its shorter side is `side`, if it is longer.
fn shrink(image: image::DynamicImage, side: u32) -> image::DynamicImage {
    let shorter = image.width().min(image.height()).max(1);
    if side >= shorter {
        return image;
    }
    let scale = f64::from(side) / f64::from(shorter);
    let w = (f64::from(image.width()) * scale).ceil() as u32;
    let h = (f64::from(image.height()) * scale).ceil() as u32;
    image.thumbnail(w.max(1), h.max(1))
}

#[cfg(test)]
/// Inserts an APP1 EXIF segment with the given orientation after the JPEG's SOI marker.
pub(crate) fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian TIFF, IFD at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}
