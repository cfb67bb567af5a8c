"""The numpy side of `cargo xtask bench similarity`: top-k of one query over ROWS x DIM unit
vectors as `E @ q` plus `argpartition` (then the k sorted), with the BLAS threads the caller
sets (OMP_NUM_THREADS / OPENBLAS_NUM_THREADS). Prints NUMPY_TOPK_P50_MS=<ms>."""

import sys
import time

import numpy as np

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
dim = int(sys.argv[2]) if len(sys.argv) > 2 else 768
k = 10
rng = np.random.default_rng(11)
e = rng.random((rows, dim), dtype=np.float32) - 0.5
e /= np.linalg.norm(e, axis=1, keepdims=True)
times = []
for q in range(40):
    query = e[q * 5]
    t = time.perf_counter()
    scores = e @ query
    top = np.argpartition(-scores, k)[:k]
    top = top[np.argsort(-scores[top])]
    times.append((time.perf_counter() - t) * 1e3)
times.sort()
print(f"numpy {np.__version__}: top-{k} of {rows} x {dim}: p50 {times[len(times) // 2]:.1f} ms")
print(f"NUMPY_TOPK_P50_MS={times[len(times) // 2]:.3f}")
