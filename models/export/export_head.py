#!/usr/bin/env python3
"""Export an aesthetic score head (an MLP over image embeddings) to ONNX for an Image Scorer pack.

Reads either
  * a LAION "improved aesthetic predictor" checkpoint (.pth, a PyTorch state dict such as
    sac+logos+ava1-l14-linearMSE.pth; reading it needs torch), or
  * the old tool's .safetensors head, whose metadata carries `ae_model` (the head's name) and
    `ae_embedding_size` (the embedding width it takes); reading it needs only numpy and
    safetensors.

The weights must be Linear layers, `<prefix>.<index>.weight` [out, in] and `.bias` [out],
applied in index order and ending in one output: the LAION MLP (768 -> 1024 -> 128 -> 64 -> 16
-> 1, dropout between layers at training time only, no activation). Heads with a ReLU between
the layers take `--activation relu` (chosen by itself when `ae_model` mentions relu). Anything
else is refused with a message that says what was found.

The ONNX model takes `embedding` f32 [N, width] and gives `score` f32 [N, 1]. With --pack, it is
written into that pack folder as head.onnx and the pack's pack.toml gets a [head] section.

  python export_head.py sac+logos+ava1-l14-linearMSE.pth --pack packs/clip-vit-l14
  python export_head.py old-tool-head.safetensors --out head.onnx
"""

import argparse
import re
import sys
from pathlib import Path

import numpy as np

INPUT = "embedding"
OUTPUT = "score"


def fail(message):
    sys.exit(f"export_head: {message}")


def load_weights(path):
    """The tensors (name -> float32 array) and metadata of a .pth or .safetensors file."""
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            metadata = f.metadata() or {}
            tensors = {k: f.get_tensor(k).astype(np.float32) for k in f.keys()}
        return tensors, metadata
    if path.suffix in (".pth", ".pt", ".ckpt"):
        try:
            import torch
        except ImportError:
            fail(f"reading {path.name} needs PyTorch: pip install torch")
        state = torch.load(str(path), map_location="cpu", weights_only=True)
        if isinstance(state, dict) and "state_dict" in state:
            state = state["state_dict"]
        tensors = {k: v.float().numpy() for k, v in state.items() if hasattr(v, "numpy")}
        return tensors, {}
    fail(f"{path.name}: expected a .pth or .safetensors file")


def linear_layers(tensors):
    """[(weight [out, in], bias [out])] in layer order, checked to chain into one output."""
    pattern = re.compile(r"^(.*?)(\d+)\.(weight|bias)$")
    layers = {}
    for name, value in tensors.items():
        m = pattern.match(name)
        if not m:
            fail(f"unexpected tensor {name!r}: a head is Linear layers named <prefix>.<n>.weight/.bias")
        layers.setdefault((m.group(1), int(m.group(2))), {})[m.group(3)] = value
    if len({prefix for prefix, _ in layers}) != 1:
        fail(f"the layers have several prefixes: {sorted({p for p, _ in layers})}")
    chain = []
    for key in sorted(layers, key=lambda k: k[1]):
        layer = layers[key]
        if "weight" not in layer or "bias" not in layer or layer["weight"].ndim != 2:
            fail(f"layer {key[0]}{key[1]} is not a Linear layer (weight [out, in] and bias [out])")
        chain.append((layer["weight"], layer["bias"]))
    for (w1, _), (w2, _) in zip(chain, chain[1:]):
        if w1.shape[0] != w2.shape[1]:
            fail(f"layer widths do not chain: {w1.shape[0]} outputs feed {w2.shape[1]} inputs")
    if chain[-1][0].shape[0] != 1:
        fail(f"the last layer gives {chain[-1][0].shape[0]} values, not one score")
    return chain


def build_onnx(chain, activation, name):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    width = chain[0][0].shape[1]
    nodes, initializers = [], []
    current = INPUT
    for i, (weight, bias) in enumerate(chain):
        initializers += [
            numpy_helper.from_array(weight.astype(np.float32), f"layer{i}.weight"),
            numpy_helper.from_array(bias.astype(np.float32), f"layer{i}.bias"),
        ]
        last = i == len(chain) - 1
        out = OUTPUT if last else f"layer{i}.out"
        nodes.append(helper.make_node("Gemm", [current, f"layer{i}.weight", f"layer{i}.bias"], [out], transB=1))
        current = out
        if activation == "relu" and not last:
            nodes.append(helper.make_node("Relu", [current], [f"layer{i}.act"]))
            current = f"layer{i}.act"
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["batch", width])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", 1])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="image-scorer export_head.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, width


def add_head_to_pack(pack, file_name):
    manifest = pack / "pack.toml"
    if not manifest.is_file():
        fail(f"{manifest} does not exist: make the encoder pack first (export_clip.py)")
    text = manifest.read_text()
    # Drop an earlier [head] section (it runs to the next section or the end).
    text = re.sub(r"(?ms)^\[head\].*?(?=^\[|\Z)", "", text).rstrip() + "\n"
    text += f'\n[head]\nfile = "{file_name}"\ninput = "{INPUT}"\noutput = "{OUTPUT}"\n'
    manifest.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("weights", type=Path, help="the head's .pth or .safetensors file")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--pack", type=Path, help="a pack folder: writes head.onnx there and adds [head] to its pack.toml")
    where.add_argument("--out", type=Path, help="where to write the ONNX file")
    parser.add_argument("--activation", choices=["none", "relu"], help="between layers (default: none, or relu when ae_model says so)")
    args = parser.parse_args()

    if not args.weights.is_file():
        fail(f"{args.weights} does not exist")
    tensors, metadata = load_weights(args.weights)
    chain = linear_layers(tensors)
    name = metadata.get("ae_model") or args.weights.stem
    activation = args.activation or ("relu" if "relu" in name.lower() else "none")
    model, width = build_onnx(chain, activation, name)
    declared = metadata.get("ae_embedding_size")
    if declared is not None and int(declared) != width:
        fail(f"ae_embedding_size says {declared}, but the first layer takes {width}-wide embeddings")
    import onnx

    out = args.out or args.pack / "head.onnx"
    onnx.save(model, str(out))
    if args.pack:
        add_head_to_pack(args.pack, out.name)
    layers = " -> ".join([str(width)] + [str(w.shape[0]) for w, _ in chain])
    print(f"wrote {out}: {name}, {layers}, activation {activation}")


if __name__ == "__main__":
    main()
