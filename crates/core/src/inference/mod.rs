//! In-process inference with ONNX Runtime (`ort`, loaded at run time): the runtime, image
//! preprocessing, and running a model on a batch.

pub mod discover;
pub mod job;
pub mod pack;
pub mod pipeline;
pub mod preprocess;
pub mod runtime;

pub use discover::{
    choose_pack, discover_packs, find_library, library_candidates, pack_fingerprint, pack_stat_key,
};
pub use job::{embed_library, embed_library_blocking, EmbedReport};
pub use pack::{Pack, PackManifest};
pub use pipeline::{embed_files, Embedded};
pub use preprocess::{preprocess, Layout, Preprocess};
pub use runtime::{Model, Runtime};
