//! Loading ONNX Runtime and running models.

use crate::{CoreError, Result};
use ort::session::Session;
use ort::value::{Outlet, TensorRef};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// The loaded ONNX Runtime. Loading happens once per process; later calls reuse it.
#[derive(Clone)]
pub struct Runtime {
    environment: &'static ort::environment::Environment,
}

static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();

impl Runtime {
    /// Loads the ONNX Runtime shared library at `library`, or says clearly why it cannot.
    pub fn load(library: &Path) -> Result<Self> {
        if !library.is_file() {
            return Err(CoreError::Model(format!(
                "The ONNX Runtime library was not found at {}; predictions are off until it is \
                 installed (cargo xtask setup fetches it).",
                library.display()
            )));
        }
        if let Some(environment) = ENVIRONMENT.get() {
            return Ok(Self { environment });
        }
        let environment = ort::init_from(library)
            .map_err(|e| {
                CoreError::Model(format!(
                    "ONNX Runtime at {} could not be loaded: {e}",
                    library.display()
                ))
            })?
            .with_name("image-scorer")
            .build()
            .map_err(|e| CoreError::Model(format!("ONNX Runtime did not start: {e}")))?;
        Ok(Self {
            environment: ENVIRONMENT.get_or_init(|| environment),
        })
    }

    /// Opens the ONNX model at `path`, using `threads` threads per run.
    pub fn model(&self, path: &Path, threads: usize) -> Result<Model> {
        let fail = |e: ort::Error| {
            CoreError::Model(format!(
                "The model {} could not be opened: {e}",
                path.display()
            ))
        };
        let session = Session::builder(self.environment)
            .map_err(fail)?
            .with_intra_threads(threads.max(1))
            .map_err(|e| fail(e.into()))?
            .commit_from_file(path)
            .map_err(fail)?;
        let input_shapes = describe(session.inputs());
        let output_shapes = describe(session.outputs());
        Ok(Model {
            session: Mutex::new(session),
            inputs: input_shapes.iter().map(|(n, _)| n.clone()).collect(),
            outputs: output_shapes.iter().map(|(n, _)| n.clone()).collect(),
            input_shapes,
            output_shapes,
        })
    }
}

fn describe(outlets: &[Outlet]) -> Vec<(String, Vec<i64>)> {
    outlets
        .iter()
        .map(|o| {
            let shape = o
                .dtype()
                .tensor_shape()
                .map(|s| s.to_vec())
                .unwrap_or_default();
            (o.name().to_owned(), shape)
        })
        .collect()
}

/// An opened model.
pub struct Model {
    session: Mutex<Session>,
    /// Its input names.
    pub inputs: Vec<String>,
    /// Its output names.
    pub outputs: Vec<String>,
    /// Each input's name and shape (-1 for a dynamic dimension).
    pub input_shapes: Vec<(String, Vec<i64>)>,
    /// Each output's name and shape (-1 for a dynamic dimension).
    pub output_shapes: Vec<(String, Vec<i64>)>,
}

impl Model {
    /// The last dimension of the input (`input == true`) or output called `name`, if fixed.
    pub fn width(&self, name: &str, input: bool) -> Option<usize> {
        let list = if input {
            &self.input_shapes
        } else {
            &self.output_shapes
        };
        let shape = &list.iter().find(|(n, _)| n == name)?.1;
        shape.last().and_then(|d| usize::try_from(*d).ok())
    }

    /// Runs the model on one f32 input tensor of `shape` and returns the output `output`
    /// (its shape and values).
    pub fn run(
        &self,
        input: &str,
        shape: &[usize],
        data: &[f32],
        output: &str,
    ) -> Result<(Vec<usize>, Vec<f32>)> {
        let fail = |e: ort::Error| CoreError::Model(format!("The model failed to run: {e}"));
        let tensor = TensorRef::from_array_view((shape.to_vec(), data)).map_err(fail)?;
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = session.run(ort::inputs![input => tensor]).map_err(fail)?;
        let value = outputs.get(output).ok_or_else(|| {
            CoreError::Model(format!("The model has no output named “{output}”."))
        })?;
        let (out_shape, values) = value.try_extract_tensor::<f32>().map_err(fail)?;
        Ok((
            out_shape.iter().map(|d| *d as usize).collect(),
            values.to_vec(),
        ))
    }
}
