#!/usr/bin/env python3
"""Tests of export_head.py (run by `cargo xtask test` in a virtual environment with numpy, onnx,
safetensors and onnxruntime). The shared LAION head's weights, saved as the old tool's
.safetensors with `ae_model` / `ae_embedding_size` metadata, must export to a head that
reproduces aesthetic-reference.json within its tolerance and joins a pack; bad files are refused
with a clear message. export_clip.py needs PyTorch and the internet, so here it is only
compiled.

    python test_export.py MODELS_DIR
"""

import json
import py_compile
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import numpy_helper
from safetensors.numpy import save_file

HERE = Path(__file__).resolve().parent
LAION = "aesthetic-sac+logos+ava1-l14-linearMSE.onnx"


def export(*args):
    return subprocess.run([sys.executable, str(HERE / "export_head.py"), *map(str, args)], capture_output=True, text=True)


def reference_inputs():
    i = np.arange(8)[:, None]
    j = np.arange(768)[None, :]
    x = np.sin(0.001 * (i * 768 + j) + i).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def main():
    models = Path(sys.argv[1])
    reference = json.loads((models / "aesthetic-reference.json").read_text())
    weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(models / LAION)).graph.initializer}
    assert weights, "the LAION head has no weights"
    failures = []

    def check(name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
        if not ok:
            failures.append(name)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        head = tmp / "old-tool-head.safetensors"
        save_file(weights, str(head), metadata={"ae_model": "sac+logos+ava1-l14-linearMSE", "ae_embedding_size": "768"})
        pack = tmp / "pack"
        pack.mkdir()
        (pack / "pack.toml").write_text('name = "Test"\n\n[encoder]\nfile = "e.onnx"\n\n[head]\nfile = "old.onnx"\ninput = "x"\noutput = "y"\n')

        run = export(head, "--pack", pack)
        check("the old tool's safetensors head exports into a pack", run.returncode == 0, run.stderr)
        if run.returncode == 0:
            session = onnxruntime.InferenceSession(str(pack / "head.onnx"), providers=["CPUExecutionProvider"])
            scores = session.run(["score"], {"embedding": reference_inputs()})[0][:, 0]
            diff = float(np.max(np.abs(scores - np.array(reference["scores"]))))
            check("the exported head reproduces aesthetic-reference.json", diff <= reference["tolerance"], f"differs by {diff}")
            manifest = (pack / "pack.toml").read_text()
            check(
                "pack.toml gets one [head] naming head.onnx",
                manifest.count("[head]") == 1 and 'file = "head.onnx"' in manifest and 'file = "e.onnx"' in manifest,
                manifest,
            )

        wrong = tmp / "wrong-width.safetensors"
        save_file(weights, str(wrong), metadata={"ae_model": "x", "ae_embedding_size": "1280"})
        run = export(wrong, "--out", tmp / "wrong.onnx")
        check("a declared width that differs from the weights is refused", run.returncode != 0 and "ae_embedding_size says 1280" in run.stderr, run.stderr)

        odd = dict(weights)
        odd["conv.kernel"] = np.zeros((3, 3), np.float32)
        bad = tmp / "not-mlp.safetensors"
        save_file(odd, str(bad))
        run = export(bad, "--out", tmp / "bad.onnx")
        check("a tensor that is not a Linear layer is refused", run.returncode != 0 and "conv.kernel" in run.stderr, run.stderr)

        run = export(tmp / "missing.safetensors", "--out", tmp / "m.onnx")
        check("a missing file is refused", run.returncode != 0 and "does not exist" in run.stderr, run.stderr)

    try:
        with tempfile.TemporaryDirectory() as tmp:
            py_compile.compile(str(HERE / "export_clip.py"), cfile=str(Path(tmp) / "c.pyc"), doraise=True)
        check("export_clip.py compiles", True)
    except py_compile.PyCompileError as e:
        check("export_clip.py compiles", False, str(e))

    if failures:
        sys.exit(f"{len(failures)} export test(s) failed")


if __name__ == "__main__":
    main()
