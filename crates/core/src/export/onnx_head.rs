//! A rater's own model as an ONNX head: embedding in (`[N, D]` float32), score out (`[N, 1]`),
//! the shape of a pack's head, so the app can use it as one and other tools can run it; and its
//! weights as `.npy` in the layout of a PyTorch `nn.Linear(D, 1)` (`weight` `[1, D]`, `bias`
//! `[1]`).
//!
//! Without a pack head the graph is `score = embedding · weight + bias`. Over a pack head the
//! model is the head plus the rater's difference from it, so the file is the head's own model
//! with three nodes appended: protobuf merges a message written after another into it (repeated
//! fields append), so the head's bytes followed by a graph of the new nodes, weights and output
//! are one model, the head's graph untouched, with the output `own_score` beside the head's.
//!
//! The ONNX messages used are declared here with prost, by their field numbers in `onnx.proto`.

use super::tables::failed;
use super::write_atomically;
use crate::{CoreError, Result};
use prost::Message;
use std::path::{Path, PathBuf};

/// `TensorProto.DataType.FLOAT`.
const FLOAT: i32 = 1;
/// The output named in a pack's `pack.toml` for the exported head.
pub const OUTPUT: &str = "own_score";

#[derive(Clone, PartialEq, Message)]
struct ModelProto {
    #[prost(int64, tag = "1")]
    ir_version: i64,
    #[prost(string, tag = "2")]
    producer_name: String,
    #[prost(string, tag = "3")]
    producer_version: String,
    #[prost(string, tag = "6")]
    doc_string: String,
    #[prost(message, optional, tag = "7")]
    graph: Option<GraphProto>,
    #[prost(message, repeated, tag = "8")]
    opset_import: Vec<OperatorSetIdProto>,
}

#[derive(Clone, PartialEq, Message)]
struct OperatorSetIdProto {
    #[prost(string, tag = "1")]
    domain: String,
    #[prost(int64, tag = "2")]
    version: i64,
}

#[derive(Clone, PartialEq, Message)]
struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    node: Vec<NodeProto>,
    #[prost(string, tag = "2")]
    name: String,
    #[prost(message, repeated, tag = "5")]
    initializer: Vec<TensorProto>,
    #[prost(message, repeated, tag = "11")]
    input: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "12")]
    output: Vec<ValueInfoProto>,
}

#[derive(Clone, PartialEq, Message)]
struct NodeProto {
    #[prost(string, repeated, tag = "1")]
    input: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    output: Vec<String>,
    #[prost(string, tag = "3")]
    name: String,
    #[prost(string, tag = "4")]
    op_type: String,
}

#[derive(Clone, PartialEq, Message)]
struct TensorProto {
    #[prost(int64, repeated, tag = "1")]
    dims: Vec<i64>,
    #[prost(int32, tag = "2")]
    data_type: i32,
    #[prost(float, repeated, tag = "4")]
    float_data: Vec<f32>,
    #[prost(string, tag = "8")]
    name: String,
}

#[derive(Clone, PartialEq, Message)]
struct ValueInfoProto {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, optional, tag = "2")]
    r#type: Option<TypeProto>,
}

#[derive(Clone, PartialEq, Message)]
struct TypeProto {
    #[prost(message, optional, tag = "1")]
    tensor_type: Option<TensorType>,
}

#[derive(Clone, PartialEq, Message)]
struct TensorType {
    #[prost(int32, tag = "1")]
    elem_type: i32,
    #[prost(message, optional, tag = "2")]
    shape: Option<TensorShapeProto>,
}

#[derive(Clone, PartialEq, Message)]
struct TensorShapeProto {
    #[prost(message, repeated, tag = "1")]
    dim: Vec<Dimension>,
}

#[derive(Clone, PartialEq, Message)]
struct Dimension {
    #[prost(int64, optional, tag = "1")]
    dim_value: Option<i64>,
    #[prost(string, optional, tag = "2")]
    dim_param: Option<String>,
}

/// A float tensor of `dims` holding `values`, called `name`.
fn tensor(name: &str, dims: &[i64], values: Vec<f32>) -> TensorProto {
    TensorProto {
        dims: dims.to_vec(),
        data_type: FLOAT,
        float_data: values,
        name: name.into(),
    }
}

/// A float `[N, width]` value called `name` (N any).
fn batch_of(name: &str, width: i64) -> ValueInfoProto {
    let dim = |value: Option<i64>, param: Option<&str>| Dimension {
        dim_value: value,
        dim_param: param.map(Into::into),
    };
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorType {
                elem_type: FLOAT,
                shape: Some(TensorShapeProto {
                    dim: vec![dim(None, Some("N")), dim(Some(width), None)],
                }),
            }),
        }),
    }
}

fn node(op: &str, inputs: &[&str], output: &str) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| (*s).into()).collect(),
        output: vec![output.into()],
        name: format!("own_{}", output.trim_start_matches("own_")),
        op_type: op.into(),
    }
}

/// The pack head the own model is fitted over: its ONNX file and its input and output names.
#[derive(Debug, Clone)]
pub struct PackHead {
    /// The head's ONNX file.
    pub file: PathBuf,
    /// Its input (the embedding).
    pub input: String,
    /// Its output (the score).
    pub output: String,
}

/// The ONNX model of `score = head(x) + weights·x + bias` (without `head`, `weights·x + bias`),
/// as bytes; its input and output names.
pub fn head_model(
    weights: &[f64],
    bias: f64,
    head: Option<&PackHead>,
) -> Result<(Vec<u8>, String, String)> {
    let width = weights.len() as i64;
    let weight = tensor(
        "own_weight",
        &[width, 1],
        weights.iter().map(|w| *w as f32).collect(),
    );
    let bias_tensor = tensor("own_bias", &[1], vec![bias as f32]);
    match head {
        None => {
            let graph = GraphProto {
                node: vec![
                    node("MatMul", &["embedding", "own_weight"], "own_linear"),
                    node("Add", &["own_linear", "own_bias"], "score"),
                ],
                name: "image-scorer own model".into(),
                initializer: vec![weight, bias_tensor],
                input: vec![batch_of("embedding", width)],
                output: vec![batch_of("score", 1)],
            };
            let model = ModelProto {
                ir_version: 8,
                producer_name: "image-scorer".into(),
                producer_version: env!("CARGO_PKG_VERSION").into(),
                doc_string:
                    "A rater's own model of their scores: score = embedding · weight + bias".into(),
                graph: Some(graph),
                opset_import: vec![OperatorSetIdProto {
                    domain: String::new(),
                    version: 13,
                }],
            };
            Ok((model.encode_to_vec(), "embedding".into(), "score".into()))
        }
        Some(h) => {
            let mut bytes = std::fs::read(&h.file).map_err(|e| {
                CoreError::Model(format!(
                    "The pack's head {} could not be read: {e}",
                    h.file.display()
                ))
            })?;
            // Appended fields merge into the head's graph.
            let appended = ModelProto {
                graph: Some(GraphProto {
                    node: vec![
                        node("MatMul", &[&h.input, "own_weight"], "own_linear"),
                        node("Add", &["own_linear", "own_bias"], "own_residual"),
                        node("Add", &[&h.output, "own_residual"], OUTPUT),
                    ],
                    initializer: vec![weight, bias_tensor],
                    output: vec![batch_of(OUTPUT, 1)],
                    ..GraphProto::default()
                }),
                ..ModelProto::default()
            };
            appended.encode(&mut bytes).expect("a Vec grows");
            Ok((bytes, h.input.clone(), OUTPUT.into()))
        }
    }
}

/// Writes the own model at `path` (`.onnx`) and its weights beside it (`<stem>.weight.npy`,
/// `<stem>.bias.npy`); the files written.
pub fn write_head(
    path: &Path,
    weights: &[f64],
    bias: f64,
    head: Option<&PackHead>,
) -> Result<Vec<PathBuf>> {
    use ndarray_npy::WriteNpyExt;
    let (bytes, _, _) = head_model(weights, bias, head)?;
    write_atomically(path, |w| {
        std::io::Write::write_all(w, &bytes).map_err(|e| failed(path, e))
    })?;
    let stem = path.with_extension("");
    let weight_path = PathBuf::from(format!("{}.weight.npy", stem.display()));
    let bias_path = PathBuf::from(format!("{}.bias.npy", stem.display()));
    let weight = ndarray::Array2::from_shape_vec(
        (1, weights.len()),
        weights.iter().map(|w| *w as f32).collect(),
    )
    .expect("one row");
    let bias_array = ndarray::Array1::from(vec![bias as f32]);
    write_atomically(&weight_path, |w| {
        weight.write_npy(w).map_err(|e| failed(&weight_path, e))
    })?;
    write_atomically(&bias_path, |w| {
        bias_array.write_npy(w).map_err(|e| failed(&bias_path, e))
    })?;
    Ok(vec![path.to_owned(), weight_path, bias_path])
}
