//! What format a file is, from its first bytes, and the decoder for it: `image`'s own decoders,
//! AVIF ([`super::avif`]) and JPEG XL (jxl-oxide). HEIC is recognised and refused with its reason.

use super::decoding::{damaged, unsupported};
use image::error::{ImageFormatHint, UnsupportedError, UnsupportedErrorKind};
use image::{ImageDecoder, ImageFormat, ImageReader, ImageResult};
use std::io::{BufRead, Seek, SeekFrom};

/// How many bytes [`sniff`] looks at.
pub const HEAD_LEN: usize = 64;

/// A format recognised by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One `image` knows.
    Image(ImageFormat),
    /// AV1 in HEIF.
    Avif,
    /// JPEG XL (bare codestream or container).
    Jxl,
    /// HEVC in HEIF.
    Heic,
}

impl Kind {
    /// The name stored in `images.format` (an extension of the format).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Image(format) => format
                .extensions_str()
                .first()
                .copied()
                .unwrap_or("unknown"),
            Kind::Avif => "avif",
            Kind::Jxl => "jxl",
            Kind::Heic => "heic",
        }
    }

    /// Why this build cannot decode it, or `None` when it can.
    pub fn unsupported(self) -> Option<String> {
        match self {
            Kind::Image(
                ImageFormat::Png
                | ImageFormat::Jpeg
                | ImageFormat::WebP
                | ImageFormat::Bmp
                | ImageFormat::Tiff
                | ImageFormat::Gif,
            )
            | Kind::Avif
            | Kind::Jxl => None,
            Kind::Heic => Some(
                "is a HEIC image, which this build cannot decode (no HEVC decoder can be shipped \
                 with it); export it as JPEG or AVIF"
                    .into(),
            ),
            Kind::Image(_) => Some(format!(
                "is a {} image, which this build cannot decode",
                self.name().to_uppercase()
            )),
        }
    }
}

/// The format of a file starting with `head` (up to [`HEAD_LEN`] bytes), by content alone.
pub fn sniff(head: &[u8]) -> Option<Kind> {
    if head.starts_with(&[0xFF, 0x0A]) || head.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Some(Kind::Jxl);
    }
    if let Some(brands) = ftyp_brands(head) {
        let has = |names: &[&[u8; 4]]| brands.iter().any(|b| names.contains(b));
        if has(&[b"avif", b"avis"]) {
            return Some(Kind::Avif);
        }
        if has(&[
            b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
        ]) {
            return Some(Kind::Heic);
        }
    }
    image::guess_format(head).ok().map(Kind::Image)
}

/// The major and compatible brands of an ISO-BMFF `ftyp` box at the start of `head`.
fn ftyp_brands(head: &[u8]) -> Option<Vec<&[u8; 4]>> {
    if head.get(4..8)? != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes(head[..4].try_into().ok()?) as usize;
    let end = size.min(head.len());
    let mut brands = vec![head.get(8..12)?.try_into().ok()?];
    let mut at = 16;
    while at + 4 <= end {
        brands.push(head[at..at + 4].try_into().ok()?);
        at += 4;
    }
    Some(brands)
}

/// A decoder for the image `reader` holds, chosen by its content (a mislabelled file decodes as
/// what it is), with `image`'s default limits.
pub fn decoder<'a, R: BufRead + Seek + 'a>(
    mut reader: R,
) -> ImageResult<Box<dyn ImageDecoder + 'a>> {
    let start = reader.stream_position()?;
    let mut head = Vec::with_capacity(HEAD_LEN);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut reader, HEAD_LEN as u64),
        &mut head,
    )?;
    reader.seek(SeekFrom::Start(start))?;
    let mut decoder: Box<dyn ImageDecoder + 'a> = match sniff(&head) {
        Some(Kind::Avif) => Box::new(super::avif::AvifDecoder::new(reader)?),
        Some(Kind::Jxl) => Box::new(jxl_decoder(reader)?),
        Some(Kind::Image(format)) => {
            return Ok(Box::new(
                ImageReader::with_format(reader, format).into_decoder()?,
            ))
        }
        Some(Kind::Heic) => return Err(unsupported("HEIC", "HEVC pictures")),
        // `image` guessed nothing either (sniff asked it).
        None => {
            return Err(image::ImageError::Unsupported(
                UnsupportedError::from_format_and_kind(
                    ImageFormatHint::Unknown,
                    UnsupportedErrorKind::Format(ImageFormatHint::Unknown),
                ),
            ))
        }
    };
    decoder.set_limits(image::Limits::default())?;
    Ok(decoder)
}

/// jxl-oxide's decoder, for a file whose first picture is whole: given a cut file, jxl-oxide
/// renders what it has (the top of the picture, or a blurred preview), which must not be rated
/// as the image.
fn jxl_decoder(
    mut reader: impl std::io::Read,
) -> ImageResult<jxl_oxide::integration::JxlDecoder<std::io::Cursor<Vec<u8>>>> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let truncated = |why: String| damaged("JPEG XL", why);
    let loaded = jxl_oxide::JxlImage::builder()
        .read(bytes.as_slice())
        .map_err(|e| truncated(e.to_string()))?;
    if loaded.num_loaded_keyframes() == 0 {
        return Err(truncated(format!(
            "the file ends after {} bytes, before its picture does",
            bytes.len()
        )));
    }
    jxl_oxide::integration::JxlDecoder::new(std::io::Cursor::new(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heif_brands_tell_avif_from_heic() {
        let ftyp = |major: &[u8; 4], compatible: &[&[u8; 4]]| {
            let mut b = ((16 + 4 * compatible.len()) as u32).to_be_bytes().to_vec();
            b.extend_from_slice(b"ftyp");
            b.extend_from_slice(major);
            b.extend_from_slice(&[0; 4]);
            for c in compatible {
                b.extend_from_slice(*c);
            }
            b.extend_from_slice(&[0; 8]);
            b
        };
        assert_eq!(sniff(&ftyp(b"avif", &[b"mif1"])), Some(Kind::Avif));
        // Some writers put AVIF only among the compatible brands.
        assert_eq!(sniff(&ftyp(b"mif1", &[b"avif", b"miaf"])), Some(Kind::Avif));
        assert_eq!(sniff(&ftyp(b"heic", &[b"mif1"])), Some(Kind::Heic));
        assert_eq!(sniff(&ftyp(b"mif1", &[b"heic"])), Some(Kind::Heic));
        // An MP4 video is none of them.
        assert_eq!(sniff(&ftyp(b"isom", &[b"mp41"])), None);
        assert_eq!(sniff(&[0xFF, 0x0A, 1, 2]), Some(Kind::Jxl));
        assert_eq!(sniff(b"\0\0\0\x0cJXL \r\n\x87\n\0\0"), Some(Kind::Jxl));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0"),
            Some(Kind::Image(ImageFormat::Png))
        );
        assert!(Kind::Heic.unsupported().unwrap().contains("HEIC"));
        assert_eq!(Kind::Avif.unsupported(), None);
    }
}
