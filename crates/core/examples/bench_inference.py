"""What a user would write instead: Pillow + numpy + onnxruntime, same images, model, batch and
threads as bench_inference.rs. Prints images/s of the full pipeline and of bare ONNX Runtime."""
import os, sys, time
import numpy as np
import onnxruntime as ort
from PIL import Image

models, fixtures, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
BATCH, THREADS, SIZE = 8, 2, 224
photos = sorted(os.path.join(fixtures, f) for f in os.listdir(fixtures) if f.endswith((".png", ".jpg")))
files = [photos[i % len(photos)] for i in range(count)]
opts = ort.SessionOptions()
opts.intra_op_num_threads = THREADS
session = ort.InferenceSession(os.path.join(models, "efficientnet-lite0-imagenet.onnx"), opts,
                               providers=["CPUExecutionProvider"])

def preprocess(path):
    img = Image.open(path).convert("RGB")
    w, h = img.size
    s = SIZE / min(w, h)
    img = img.resize((max(SIZE, round(w * s)), max(SIZE, round(h * s))), Image.BICUBIC)
    left, top = (img.width - SIZE) // 2, (img.height - SIZE) // 2
    img = img.crop((left, top, left + SIZE, top + SIZE))
    x = (np.asarray(img, dtype=np.float32) - 127.0) / 128.0
    return x.transpose(2, 0, 1)

def run(paths):
    for i in range(0, len(paths), BATCH):
        batch = np.stack([preprocess(p) for p in paths[i:i + BATCH]])
        session.run(["features"], {"pixel_values": batch})

run(files[:BATCH])
start = time.perf_counter()
run(files)
full = count / (time.perf_counter() - start)
ready = np.stack([preprocess(p) for p in files])
start = time.perf_counter()
for i in range(0, count, BATCH):
    session.run(["features"], {"pixel_values": ready[i:i + BATCH]})
bare = count / (time.perf_counter() - start)
print(f"  python pipeline (Pillow + numpy + onnxruntime {ort.__version__}): {full:7.1f} images/s; bare onnxruntime {bare:7.1f} images/s")
print(f"PYTHON_PIPELINE_IMAGES_PER_S={full:.3f}")
