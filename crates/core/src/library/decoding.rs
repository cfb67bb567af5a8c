//! What every decoder of the library shares: the pixel limit and `image`'s errors for damaged
//! and unsupported files. Below [`super::formats`], [`super::avif`] and [`super::probe`], so
//! their imports run one way.

use image::error::{DecodingError, ImageFormatHint, UnsupportedError, UnsupportedErrorKind};
use image::ImageError;

/// Images declaring more pixels than this are not loaded (a decompression bomb, or a file no
/// screen shows): 250 megapixels.
pub const MAX_PIXELS: u64 = 250_000_000;

/// `image`'s error for a damaged file of `format`.
pub fn damaged(format: &str, why: impl std::fmt::Display) -> ImageError {
    ImageError::Decoding(DecodingError::new(
        ImageFormatHint::Name(format.into()),
        why.to_string(),
    ))
}

/// `image`'s error for a file of `format` using a feature (`what`) this build does not decode.
pub fn unsupported(format: &str, what: &str) -> ImageError {
    ImageError::Unsupported(UnsupportedError::from_format_and_kind(
        ImageFormatHint::Name(format.into()),
        UnsupportedErrorKind::GenericFeature(what.into()),
    ))
}
