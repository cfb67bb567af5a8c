//! In-process inference with ONNX Runtime (`ort`, loaded at run time): the runtime, image
//! preprocessing, and running a model on a batch.

pub mod job;
pub mod pack;
pub mod pipeline;
pub mod preprocess;
pub mod runtime;

pub use job::{embed_library, EmbedReport};
pub use pack::{Pack, PackManifest};
pub use pipeline::{embed_files, Embedded};
pub use preprocess::{preprocess, Layout, Preprocess};
pub use runtime::{Model, Runtime};
