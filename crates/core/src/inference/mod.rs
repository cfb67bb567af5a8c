//! In-process inference with ONNX Runtime (`ort`, loaded at run time): the runtime, image
//! preprocessing, and running a model on a batch.

pub mod preprocess;
pub mod runtime;

pub use preprocess::{preprocess, Preprocess};
pub use runtime::{Model, Runtime};
