//! In-process inference with ONNX Runtime (`ort`, loaded at run time): the runtime, the model
//! packs, image preprocessing, and running a model on a batch of files. Nothing here touches
//! the store: the app's predictor (`app::predictor`) embeds the library with these and caches
//! what they compute.

pub mod discover;
pub mod pack;
pub mod pipeline;
pub mod preprocess;
pub mod runtime;

pub use discover::{
    choose_pack, discover_packs, find_library, library_candidates, pack_fingerprint, pack_stat_key,
};
pub use pack::{Pack, PackManifest};
pub use pipeline::{embed_files, Embedded};
pub use preprocess::{preprocess, Layout, Preprocess};
pub use runtime::{Model, Runtime};
