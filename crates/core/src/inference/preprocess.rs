//! Turning an image into a model's input tensor, in Rust.

use image::imageops::FilterType as FilterType_;
use image::DynamicImage;

/// Where the channels go in the tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Channels first: `[N, 3, H, W]`.
    Nchw,
    /// Channels last: `[N, H, W, 3]`.
    Nhwc,
}

/// How a model wants its input: resize the shorter side to `size` (Catmull-Rom, as bicubic),
/// crop the centre `size` x `size`, scale to 0..1, subtract `mean` and divide by `std` per
/// channel, in RGB (or BGR) order, in the given layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Preprocess {
    /// Side of the square input.
    pub size: u32,
    /// Per-channel mean (after scaling to 0..1).
    pub mean: [f32; 3],
    /// Per-channel standard deviation (after scaling to 0..1).
    pub std: [f32; 3],
    /// Tensor layout.
    pub layout: Layout,
    /// Blue, green, red channel order instead of red, green, blue.
    pub bgr: bool,
}

impl Preprocess {
    /// CLIP's preprocessing (224 px, OpenAI mean and std).
    pub const CLIP: Preprocess = Preprocess {
        size: 224,
        mean: [0.481_454_66, 0.457_827_5, 0.408_210_73],
        std: [0.268_629_54, 0.261_302_6, 0.275_777_1],
        layout: Layout::Nchw,
        bgr: false,
    };
}

/// The tensor (`3 * size * size` values, in `p.layout`) for one `image`.
pub fn preprocess(image: &DynamicImage, p: &Preprocess) -> Vec<f32> {
    // An RGB image is read where it is; only other pixel types are converted (a copy).
    let converted;
    let rgb = match image.as_rgb8() {
        Some(rgb) => rgb,
        None => {
            converted = image.to_rgb8();
            &converted
        }
    };
    let pixels = resize_and_crop(rgb, p.size);
    let plane = (p.size * p.size) as usize;
    let mut out = vec![0f32; 3 * plane];
    for (i, px) in pixels.chunks_exact(3).enumerate() {
        for c in 0..3 {
            let source = if p.bgr { 2 - c } else { c };
            let value = (f32::from(px[source]) / 255.0 - p.mean[c]) / p.std[c];
            match p.layout {
                Layout::Nchw => out[c * plane + i] = value,
                Layout::Nhwc => out[i * 3 + c] = value,
            }
        }
    }
    out
}

/// The `size` x `size` RGB pixels of "resize the shorter side to `size` (Catmull-Rom, SIMD), then
/// crop the centre".
fn resize_and_crop(rgb: &image::RgbImage, size: u32) -> Vec<u8> {
    use fast_image_resize::{
        images::Image, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer,
    };
    let (w, h) = (rgb.width().max(1), rgb.height().max(1));
    let scale = f64::from(size) / f64::from(w.min(h));
    // The two-step geometry, in destination pixels, mapped back to the source.
    let resized_w = ((f64::from(w) * scale).round() as u32).max(size);
    let resized_h = ((f64::from(h) * scale).round() as u32).max(size);
    let mut dst = Image::new(resized_w, resized_h, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    match Resizer::new().resize(rgb, &mut dst, &options) {
        Ok(()) => {
            // Crop the centre rows and columns out of the resized image.
            let (left, top) = ((resized_w - size) / 2, (resized_h - size) / 2);
            let row = resized_w as usize * 3;
            let pixels = dst.into_vec();
            (top..top + size)
                .flat_map(|y| {
                    let start = y as usize * row + left as usize * 3;
                    pixels[start..start + size as usize * 3].to_vec()
                })
                .collect()
        }
        // Not expected for RGB input; the portable path gives the same pixels, slower.
        Err(_) => {
            let resized =
                image::imageops::resize(rgb, resized_w, resized_h, FilterType_::CatmullRom);
            image::imageops::crop_imm(
                &resized,
                (resized_w - size) / 2,
                (resized_h - size) / 2,
                size,
                size,
            )
            .to_image()
            .into_raw()
        }
    }
}
