//! What a file is, from its content: format, size in pixels, and whether it is whole, without
//! decoding the pixels.

pub use crate::domain::{Probe, Status};

use super::decoding::MAX_PIXELS;
use super::formats::{self, Kind};
use image::ImageFormat;
use std::io::{BufRead, BufReader, Cursor, Seek};
use std::path::Path;

/// A probe that found `status` with `error` (no dimensions).
fn failed(status: Status, format: Option<&'static str>, error: String) -> Probe {
    Probe {
        format,
        dimensions: None,
        status,
        error: Some(error),
    }
}

/// Probes the file at `path`, whose last bytes (see [`super::content_hash`]) are `tail` and whose length
/// is `len`.
pub fn probe(path: &Path, tail: &[u8], len: u64) -> Probe {
    probe_with(|| std::fs::File::open(path).map(BufReader::new), tail, len)
}

/// [`probe`] of a file's whole content, read already: nothing is read again.
pub fn probe_bytes(bytes: &[u8]) -> Probe {
    let tail = &bytes[bytes.len().saturating_sub(super::content_hash::TAIL_LEN)..];
    probe_with(|| Ok(Cursor::new(bytes)), tail, bytes.len() as u64)
}

/// [`probe`] of what `open` reads (from its start, each time it is called).
fn probe_with<R: BufRead + Seek>(
    open: impl Fn() -> std::io::Result<R>,
    tail: &[u8],
    len: u64,
) -> Probe {
    // The format comes from the content alone: a name can lie.
    let mut head = [0u8; 64];
    let read = open().and_then(|mut f| super::content_hash::fill(&mut f, &mut head));
    let head_len = match read {
        Ok(n) => n,
        Err(e) => return failed(Status::Unreadable, None, format!("cannot be read: {e}")),
    };
    let Some(kind) = formats::sniff(&head[..head_len]) else {
        return failed(
            Status::Unreadable,
            None,
            "is not an image: its content matches no known image format".into(),
        );
    };
    let name = kind.name();
    if let Some(reason) = kind.unsupported() {
        return failed(Status::Unsupported, Some(name), reason);
    }
    let dimensions = open().map_err(image::ImageError::IoError).and_then(|f| {
        let mut decoder = formats::decoder(f)?;
        let (width, height) = image::ImageDecoder::dimensions(&decoder);
        // As displayed: an image turned a quarter by its EXIF orientation is as wide as it
        // is stored high. A damaged EXIF block only loses the turn.
        let turned = matches!(
            image::ImageDecoder::orientation(&mut decoder),
            Ok(image::metadata::Orientation::Rotate90
                | image::metadata::Orientation::Rotate270
                | image::metadata::Orientation::Rotate90FlipH
                | image::metadata::Orientation::Rotate270FlipH)
        );
        Ok(if turned {
            (height, width)
        } else {
            (width, height)
        })
    });
    let (width, height) = match dimensions {
        Ok(d) => d,
        Err(image::ImageError::Unsupported(e)) => {
            return failed(
                Status::Unsupported,
                Some(name),
                format!(
                    "is a {} image this build cannot decode: {e}",
                    name.to_uppercase()
                ),
            )
        }
        Err(e) => {
            return failed(
                Status::Unreadable,
                Some(name),
                format!("is a damaged {} file: {e}", name.to_uppercase()),
            )
        }
    };
    let dimensions = Some((width, height));
    let error = if u64::from(width) * u64::from(height) > MAX_PIXELS {
        Some(format!(
            "declares {width} × {height} pixels ({} megapixels); images over {} megapixels are not loaded",
            u64::from(width) * u64::from(height) / 1_000_000,
            MAX_PIXELS / 1_000_000
        ))
    } else if width == 0 || height == 0 {
        Some(format!("declares {width} × {height} pixels"))
    } else {
        truncation(kind, tail, len)
    };
    Probe {
        format: Some(name),
        dimensions,
        status: if error.is_some() {
            Status::Unreadable
        } else {
            Status::Ok
        },
        error,
    }
}

/// Whether the end of the file shows that it was cut short, for formats with an end marker.
fn truncation(kind: Kind, tail: &[u8], len: u64) -> Option<String> {
    let whole = match kind {
        // End of image marker; some writers add bytes after it.
        Kind::Image(ImageFormat::Jpeg) => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
        Kind::Image(ImageFormat::Png) => tail.windows(4).any(|w| w == b"IEND"),
        Kind::Image(ImageFormat::Gif) => tail.contains(&0x3B),
        _ => true,
    };
    (!whole).then(|| {
        format!(
            "is a truncated {} file: it ends after {len} bytes, before its end marker",
            kind.name().to_uppercase()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::content_hash::hash_file;

    /// The file's probe, the same whether read from the file or from its bytes in memory.
    fn probed(name: &str, bytes: &[u8]) -> Probe {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let h = hash_file(&path).unwrap();
        let from_file = probe(&path, &h.tail, h.len);
        assert_eq!(from_file, probe_bytes(bytes), "{name}");
        from_file
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::from_pixel(width, height, image::Rgb([200, 10, 10]))
            .write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn jpeg() -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 5, 90]))
            .write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Jpeg)
            .unwrap();
        out
    }

    #[test]
    fn a_whole_png_is_ok_with_its_size() {
        let p = probed("a.png", &png(7, 5));
        assert_eq!(p.status, Status::Ok, "{p:?}");
        assert_eq!(p.format, Some("png"));
        assert_eq!(p.dimensions, Some((7, 5)));
    }

    #[test]
    fn sizes_are_as_displayed_after_each_of_the_eight_exif_orientations() {
        let mut stored = Vec::new();
        image::RgbImage::from_pixel(60, 20, image::Rgb([10, 200, 10]))
            .write_to(&mut std::io::Cursor::new(&mut stored), ImageFormat::Jpeg)
            .unwrap();
        for orientation in 1..=8u16 {
            let p = probed(
                "o.jpg",
                &crate::library::with_exif_orientation(&stored, orientation),
            );
            let want = if orientation >= 5 { (20, 60) } else { (60, 20) };
            assert_eq!(
                p.status,
                Status::Ok,
                "orientation {orientation}: {:?}",
                p.error
            );
            assert_eq!(p.dimensions, Some(want), "orientation {orientation}");
        }
    }

    #[test]
    fn a_mislabelled_file_is_probed_by_content() {
        let p = probed("really-a-jpeg.png", &jpeg());
        assert_eq!((p.status, p.format), (Status::Ok, Some("jpg")), "{p:?}");
        assert_eq!(p.dimensions, Some((64, 48)));
    }

    #[test]
    fn a_truncated_jpeg_is_unreadable() {
        let bytes = jpeg();
        let p = probed("cut.jpg", &bytes[..bytes.len() * 2 / 3]);
        assert_eq!(p.status, Status::Unreadable);
        assert!(
            p.error.as_deref().unwrap().contains("truncated JPG"),
            "{p:?}"
        );
    }

    #[test]
    fn text_named_jpg_is_not_an_image() {
        let p = probed("notes.jpg", b"just some text, not a picture\n");
        assert_eq!(p.status, Status::Unreadable);
        assert!(p.error.unwrap().contains("not an image"));
    }

    #[test]
    fn a_png_declaring_fifty_thousand_square_is_refused_without_decoding() {
        // A valid 1x1 PNG whose header is patched to say 50000 x 50000 (CRC fixed up).
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        let p = probed("huge.png", &bytes);
        assert_eq!(p.status, Status::Unreadable, "{p:?}");
        assert_eq!(p.dimensions, Some((50_000, 50_000)));
        assert!(p.error.unwrap().contains("50000 × 50000"));
    }

    #[test]
    fn heic_is_recorded_as_unsupported_and_a_broken_avif_as_damaged() {
        // The start of a HEIF file: an ftyp box with the heic brand.
        let mut bytes = vec![0, 0, 0, 0x18];
        bytes.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        bytes.extend_from_slice(&[0u8; 64]);
        let p = probed("photo.heic", &bytes);
        assert_eq!(p.status, Status::Unsupported, "{p:?}");
        assert!(p.error.unwrap().contains("HEIC"));
        // The same with the avif brand: decodable, but these bytes hold no picture.
        bytes[8..12].copy_from_slice(b"avif");
        let p = probed("new.avif", &bytes);
        assert_eq!(
            (p.status, p.format),
            (Status::Unreadable, Some("avif")),
            "{p:?}"
        );
        assert!(p.error.unwrap().contains("damaged AVIF"));
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
