"""Reads Image Scorer's exports the way trainers read them and checks them against what the Rust
test (exports.rs) expects: python read_exports.py EXPECTED.json

- CSV: csv.DictReader, as the aesthetic-scorer scripts read `file,score`;
- parquet: pyarrow.parquet.read_table, with LAION's IMAGEPATH and AVERAGE_RATING columns;
- both with the optional count of raters (`count`, `RATING_COUNT`);
- npy: numpy.load of the embeddings (N x D float32, unit rows) and ratings (N x 1 float32), with
  the paths file row-aligned, as the LAION and candle predictor trainers read them;
- JSONL: json.loads of each line.
"""

import csv
import json
import sys

import numpy as np
import pyarrow.parquet as pq


def close(a, b, tol=1e-6):
    return abs(float(a) - float(b)) <= tol


def check_csv_mean(spec):
    with open(spec["file"], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [list(r.keys()) for r in rows[:1]] == [["file", "score"]], rows[:1]
    got = {r["file"]: float(r["score"]) for r in rows}
    assert len(got) == len(rows), "one row per image"
    want = spec["rows"]
    assert set(got) == set(want), (sorted(got), sorted(want))
    for path, score in want.items():
        assert close(got[path], score), (path, got[path], score)


def check_csv_rater(spec):
    with open(spec["file"], newline="", encoding="utf-8") as f:
        rows = [[r["file"], float(r["score"]), r["rater"]] for r in csv.DictReader(f)]
    assert sorted(rows) == sorted(spec["rows"]), (rows, spec["rows"])


def check_parquet(spec):
    table = pq.read_table(spec["file"])
    assert table.column_names == ["IMAGEPATH", "AVERAGE_RATING"], table.schema
    paths = table.column("IMAGEPATH").to_pylist()
    ratings = table.column("AVERAGE_RATING").to_pylist()
    got = dict(zip(paths, ratings))
    assert set(got) == set(spec["rows"]), (sorted(got), sorted(spec["rows"]))
    for path, score in spec["rows"].items():
        assert close(got[path], score), (path, got[path], score)


def check_csv_count(spec):
    with open(spec["file"], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == ["file", "score", "count"], rows[:1]
    got = {r["file"]: [float(r["score"]), int(r["count"])] for r in rows}
    assert got == spec["rows"], (got, spec["rows"])


def check_parquet_count(spec):
    table = pq.read_table(spec["file"])
    assert table.column_names == ["IMAGEPATH", "AVERAGE_RATING", "RATING_COUNT"], table.schema
    got = {
        p: [r, c]
        for p, r, c in zip(
            table.column("IMAGEPATH").to_pylist(),
            table.column("AVERAGE_RATING").to_pylist(),
            table.column("RATING_COUNT").to_pylist(),
        )
    }
    assert got == spec["rows"], (got, spec["rows"])


def check_npy(spec):
    x_file, y_file, paths_file = spec["files"]
    x = np.load(x_file)
    y = np.load(y_file)
    with open(paths_file, encoding="utf-8") as f:
        paths = f.read().split("\n")[:-1]
    assert x.dtype == np.float32 and y.dtype == np.float32, (x.dtype, y.dtype)
    assert x.ndim == 2 and y.shape == (x.shape[0], 1), (x.shape, y.shape)
    assert len(paths) == x.shape[0], (len(paths), x.shape)
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5), "rows at unit length"
    assert set(paths) == set(spec["rows"]), (paths, sorted(spec["rows"]))
    for i, path in enumerate(paths):
        assert close(y[i, 0], spec["rows"][path], 1e-5), (path, y[i, 0])
        want = np.array(spec["embeddings"][path], dtype=np.float32)
        assert want.shape == x[i].shape and np.allclose(x[i], want, atol=1e-6), path


def check_jsonl(spec):
    with open(spec["file"], encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    got = {line["sha1"]: line for line in lines}
    assert len(got) == len(lines), "one line per image"
    assert set(got) == set(spec["images"]), (sorted(got), sorted(spec["images"]))
    for sha1, want in spec["images"].items():
        line = got[sha1]
        assert line["paths"] == want["paths"], (line["paths"], want["paths"])
        scores = {rater: s["score"] for rater, s in line["scores"].items()}
        assert scores == want["scores"], (sha1, scores, want["scores"])
        for s in line["scores"].values():
            assert s["time"].endswith("Z") and s["kind"] in ("score", "rate", "imported"), s
        if want["mean"] is None:
            assert line["mean"] is None, line
        else:
            assert close(line["mean"], want["mean"]), (line["mean"], want["mean"])
        assert line["count"] == len(want["scores"]), line
        assert line["comparisons"] == want["comparisons"], (sha1, line["comparisons"])
        assert close(line["predictions"][spec["pack"]], spec["predictions"][sha1], 1e-9), line
        assert isinstance(line["strength"], float) and line["strength_se"] > 0, line


def check_comparisons(spec):
    with open(spec["file"], encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    got = [
        {
            "rater": c["rater"],
            "images": [i["sha1"] for i in c["images"]],
            "outcome": c["outcome"],
            "winner": c["winner"],
        }
        for c in lines
    ]
    assert got == spec["rows"], (got, spec["rows"])
    for c in lines:
        assert c["time"].endswith("Z") and all(i["path"] for i in c["images"]), c


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        expected = json.load(f)
    check_csv_mean(expected["csv_mean"])
    check_csv_rater(expected["csv_rater"])
    check_parquet(expected["parquet"])
    check_csv_count(expected["csv_count"])
    check_parquet_count(expected["parquet_count"])
    check_npy(expected["npy"])
    check_jsonl(expected["jsonl"])
    check_comparisons(expected["comparisons"])
    print("every export read back as trainers read it")


if __name__ == "__main__":
    main()
