//! Turning an image into a model's input tensor, in Rust.

use image::imageops::FilterType;
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
    let (w, h) = (image.width().max(1), image.height().max(1));
    let scale = p.size as f64 / w.min(h) as f64;
    let (nw, nh) = (
        ((w as f64 * scale).round() as u32).max(p.size),
        ((h as f64 * scale).round() as u32).max(p.size),
    );
    let resized = image.to_rgb8();
    let resized = image::imageops::resize(&resized, nw, nh, FilterType::CatmullRom);
    let (left, top) = ((nw - p.size) / 2, (nh - p.size) / 2);
    let plane = (p.size * p.size) as usize;
    let mut out = vec![0f32; 3 * plane];
    for y in 0..p.size {
        for x in 0..p.size {
            let px = resized.get_pixel(left + x, top + y).0;
            let i = (y * p.size + x) as usize;
            for c in 0..3 {
                let source = if p.bgr { 2 - c } else { c };
                let value = (f32::from(px[source]) / 255.0 - p.mean[c]) / p.std[c];
                match p.layout {
                    Layout::Nchw => out[c * plane + i] = value,
                    Layout::Nhwc => out[i * 3 + c] = value,
                }
            }
        }
    }
    out
}
