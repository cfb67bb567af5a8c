//! Model packs: a folder with `pack.toml`, an image encoder and an optional score head.
//!
//! ```toml
//! name = "CLIP ViT-L/14 + LAION aesthetic"
//! [encoder]
//! file = "clip-vit-l14.onnx"     # relative to the pack folder
//! input = "pixel_values"
//! output = "image_embeds"
//! layout = "nchw"                # or "nhwc"
//! size = 224                     # shorter side resized to this, centre crop
//! channels = "rgb"               # or "bgr"
//! mean = [0.4815, 0.4578, 0.4082] # in 0..1 units; or scale/offset: value = x/255 * scale + offset
//! std = [0.2686, 0.2613, 0.2758]
//! width = 768                    # embedding width
//! normalize = true               # L2-normalise embeddings
//! [head]                          # optional
//! file = "aesthetic.onnx"
//! input = "embedding"
//! output = "score"
//! ```

use super::preprocess::{preprocess, Layout, Preprocess};
use super::runtime::{Model, Runtime};
use crate::{CoreError, Result};
use image::DynamicImage;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The manifest file's name.
pub const MANIFEST: &str = "pack.toml";

/// Whether a model path of `pack.toml` stays inside the pack's folder: relative, with plain
/// names only (no `..`, no root, no drive).
pub fn inside_pack(file: &Path) -> bool {
    !file.as_os_str().is_empty()
        && file
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// `pack.toml`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackManifest {
    /// The name shown to the user.
    pub name: String,
    /// The image encoder.
    pub encoder: EncoderManifest,
    /// The score head, if the pack predicts scores.
    pub head: Option<HeadManifest>,
}

/// The encoder section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncoderManifest {
    /// The ONNX file, relative to the pack folder.
    pub file: PathBuf,
    /// Input name.
    pub input: String,
    /// Output name (the embedding).
    pub output: String,
    /// Tensor layout.
    #[serde(default = "nchw")]
    pub layout: Layout,
    /// Input side in pixels.
    pub size: u32,
    /// `rgb` or `bgr`.
    #[serde(default = "rgb")]
    pub channels: String,
    /// Per-channel mean in 0..1 units.
    pub mean: Option<[f32; 3]>,
    /// Per-channel standard deviation in 0..1 units.
    pub std: Option<[f32; 3]>,
    /// Alternative to mean/std: value = x/255 * scale + offset.
    pub scale: Option<f32>,
    /// See `scale`.
    pub offset: Option<f32>,
    /// Embedding width.
    pub width: usize,
    /// Whether to L2-normalise embeddings.
    #[serde(default)]
    pub normalize: bool,
}

/// The head section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadManifest {
    /// The ONNX file, relative to the pack folder.
    pub file: PathBuf,
    /// Input name (the embedding).
    pub input: String,
    /// Output name (the score).
    pub output: String,
}

fn nchw() -> Layout {
    Layout::Nchw
}

fn rgb() -> String {
    "rgb".into()
}

/// A validated, opened pack.
pub struct Pack {
    /// Its manifest.
    pub manifest: PackManifest,
    /// Its folder.
    pub dir: PathBuf,
    preprocess: Preprocess,
    encoder: Model,
    head: Option<Model>,
}

impl Pack {
    /// Reads and validates the pack in `dir`, opening its models with `threads` threads each.
    /// Each fault (missing file, not an ONNX model, wrong input or output name, a head whose
    /// input width differs from the encoder's output width) is an error that says which.
    pub fn open(runtime: &Runtime, dir: &Path, threads: usize) -> Result<Self> {
        let fault =
            |what: String| CoreError::Model(format!("The model pack {}: {what}", dir.display()));
        let text = std::fs::read_to_string(dir.join(MANIFEST))
            .map_err(|e| fault(format!("cannot read {MANIFEST}: {e}")))?;
        let manifest: PackManifest =
            toml::from_str(&text).map_err(|e| fault(format!("{MANIFEST} is not valid: {e}")))?;
        let e = &manifest.encoder;
        let (mean, std) = match (e.mean, e.std, e.scale, e.offset) {
            (Some(mean), Some(std), None, None) => (mean, std),
            // x/255*scale + offset == (x/255 - mean)/std with std = 1/scale, mean = -offset/scale.
            (None, None, Some(scale), offset) if scale != 0.0 => {
                let offset = offset.unwrap_or(0.0);
                ([-offset / scale; 3], [1.0 / scale; 3])
            }
            _ => {
                return Err(fault(
                    "the encoder needs either mean and std, or scale (and offset)".into(),
                ))
            }
        };
        let bgr = match e.channels.as_str() {
            "rgb" => false,
            "bgr" => true,
            other => {
                return Err(fault(format!(
                    "channels must be \"rgb\" or \"bgr\", not \"{other}\""
                )))
            }
        };
        let open = |file: &Path, role: &str| -> Result<Model> {
            if !inside_pack(file) {
                return Err(fault(format!(
                    "the {role} file “{}” must be a path inside the pack (no .., no absolute path)",
                    file.display()
                )));
            }
            let path = dir.join(file);
            if !path.is_file() {
                return Err(fault(format!(
                    "the {role} file {} is missing",
                    path.display()
                )));
            }
            runtime
                .model(&path, threads)
                .map_err(|err| fault(format!("the {role} is not a usable ONNX model: {err}")))
        };
        let encoder = open(&e.file, "encoder")?;
        check_name(&encoder.inputs, &e.input, "encoder input").map_err(&fault)?;
        check_name(&encoder.outputs, &e.output, "encoder output").map_err(&fault)?;
        if let Some((h, w)) = image_side(&encoder, &e.input, e.layout)
            .filter(|&(h, w)| h != i64::from(e.size) || w != i64::from(e.size))
        {
            return Err(fault(format!(
                "the encoder takes images of {w} x {h} pixels, but the manifest says size = {}",
                e.size
            )));
        }
        if let Some(w) = encoder.width(&e.output, false).filter(|w| *w != e.width) {
            return Err(fault(format!(
                "the encoder's output is {w} wide, but the manifest says width = {}",
                e.width
            )));
        }
        let head = match &manifest.head {
            None => None,
            Some(h) => {
                let head = open(&h.file, "head")?;
                check_name(&head.inputs, &h.input, "head input").map_err(&fault)?;
                check_name(&head.outputs, &h.output, "head output").map_err(&fault)?;
                if let Some(w) = head.width(&h.input, true).filter(|w| *w != e.width) {
                    return Err(fault(format!(
                        "the head takes embeddings {w} wide, but the encoder gives {} (they do not belong together)",
                        e.width
                    )));
                }
                Some(head)
            }
        };
        let preprocess = Preprocess {
            size: e.size,
            mean,
            std,
            layout: e.layout,
            bgr,
        };
        Ok(Self {
            manifest,
            dir: dir.to_owned(),
            preprocess,
            encoder,
            head,
        })
    }

    /// The side of the square images the encoder takes, in pixels.
    pub fn input_side(&self) -> u32 {
        self.manifest.encoder.size
    }

    /// The tensor for one image, as this pack's encoder wants it.
    pub fn preprocess(&self, image: &DynamicImage) -> Vec<f32> {
        preprocess(image, &self.preprocess)
    }

    /// Embeds a batch of preprocessed images (each from [`Pack::preprocess`]).
    pub fn embed(&self, tensors: &[Vec<f32>]) -> Result<Vec<Vec<f32>>> {
        let e = &self.manifest.encoder;
        let side = e.size as usize;
        let shape = match e.layout {
            Layout::Nchw => [tensors.len(), 3, side, side],
            Layout::Nhwc => [tensors.len(), side, side, 3],
        };
        let batch: Vec<f32> = tensors.concat();
        let (_, values) = self.encoder.run(&e.input, &shape, &batch, &e.output)?;
        self.check_output(&values, tensors.len() * e.width, "encoder")?;
        let mut embeddings: Vec<Vec<f32>> = values.chunks(e.width).map(<[f32]>::to_vec).collect();
        if e.normalize {
            for v in &mut embeddings {
                let norm = v
                    .iter()
                    .map(|x| x * x)
                    .sum::<f32>()
                    .sqrt()
                    .max(f32::EPSILON);
                v.iter_mut().for_each(|x| *x /= norm);
            }
        }
        Ok(embeddings)
    }

    /// Scores embeddings with the head; `None` when the pack has no head.
    pub fn score(&self, embeddings: &[Vec<f32>]) -> Result<Option<Vec<f32>>> {
        let (Some(head), Some(h)) = (&self.head, &self.manifest.head) else {
            return Ok(None);
        };
        let batch = embeddings.concat();
        let (_, values) = head.run(
            &h.input,
            &[embeddings.len(), self.manifest.encoder.width],
            &batch,
            &h.output,
        )?;
        self.check_output(&values, embeddings.len(), "head")?;
        Ok(Some(values))
    }

    /// A model's output must have the size the manifest promises and hold only numbers: a NaN
    /// or an infinity would end up in every sort, plot and ranking as if it were a score.
    fn check_output(&self, values: &[f32], want: usize, role: &str) -> Result<()> {
        let fault = |what: String| {
            CoreError::Model(format!("The model pack {}: {what}", self.dir.display()))
        };
        if values.len() != want {
            return Err(fault(format!(
                "its {role} returned {} values where {want} were expected (its output's shape does not match the manifest)",
                values.len()
            )));
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(fault(format!(
                "its {role} returned {bad}, which is not a number a prediction can be made of; no prediction of this pack is kept"
            )));
        }
        Ok(())
    }
}

/// The height and width of the images `input` takes, where the model fixes them.
fn image_side(model: &Model, input: &str, layout: Layout) -> Option<(i64, i64)> {
    let shape = &model.input_shapes.iter().find(|(n, _)| n == input)?.1;
    let (h, w) = match (layout, shape.as_slice()) {
        (Layout::Nchw, [_, _, h, w]) | (Layout::Nhwc, [_, h, w, _]) => (*h, *w),
        _ => return None,
    };
    (h > 0 && w > 0).then_some((h, w))
}

fn check_name(names: &[String], want: &str, role: &str) -> std::result::Result<(), String> {
    if names.iter().any(|n| n == want) {
        Ok(())
    } else {
        Err(format!("the {role} is called {names:?}, not \"{want}\""))
    }
}
