"""Readers for the drawing data sets: Quick, Draw! ndjson (simplified or raw) and sketch-rnn ``.npz``.

Both small local slices (../shared/data) and Google's full files read the same way:
- ``<class>.ndjson``: one JSON object per line with ``word``, ``key_id``, ``recognized`` and ``drawing``,
  a list of strokes ``[[xs], [ys]]`` (simplified: integers 0..255) or ``[[xs], [ys], [ts]]`` (raw: canvas
  pixels with timestamps). Raw drawings are simplified here with Google's recipe.
- ``<class>.npz`` (sketch-rnn): keys ``train``/``valid``/``test``, object arrays of int16 stroke-3 drawings.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from app.engine.render import SIDE
from app.engine.strokes import lines_to_stroke3, quickdraw_to_lines, simplify_raw_lines
from training.paths import QUICKDRAW_DIR


def read_ndjson(path: str | os.PathLike, limit: int | None = None) -> Iterator[dict]:
    """Yield drawings from a Quick, Draw! ndjson file as dicts with ``word``, ``key_id``, ``recognized``
    and ``lines`` (simplified box-unit polylines); raw drawings (with timestamps) are simplified first."""
    with open(path, encoding="utf-8") as fh:
        count = 0
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            drawing = record["drawing"]
            lines = quickdraw_to_lines(drawing)
            if drawing and len(drawing[0]) == 3:  # raw: [xs, ys, ts]
                lines = simplify_raw_lines(lines)
            yield {"word": record.get("word"), "key_id": record.get("key_id"),
                   "recognized": record.get("recognized"), "lines": lines}
            count += 1
            if limit is not None and count >= limit:
                return


def ndjson_stroke3(path: str | os.PathLike, limit: int | None = None) -> list[np.ndarray]:
    """All drawings of an ndjson file as stroke-3 arrays (box units)."""
    return [lines_to_stroke3(d["lines"]) for d in read_ndjson(path, limit)]


def read_sketchrnn_npz(path: str | os.PathLike) -> dict[str, list[np.ndarray]]:
    """A sketch-rnn ``.npz`` -> {split: [stroke-3 float arrays]}; its first row is already an offset."""
    # Google's files are object arrays pickled by Python 2: latin1 decodes them.
    with np.load(path, allow_pickle=True, encoding="latin1") as data:
        return {split: [np.asarray(d, np.float64) for d in data[split]] for split in data.files}


def split_of(key_id) -> str:
    """The split a real drawing belongs to, fixed by its key_id: 70% train, 10% valid, 20% test.

    Every model of the project uses this one split, so "test" drawings are never seen by any of them.
    """
    bucket = zlib.crc32(str(key_id).encode()) % 10
    return "test" if bucket < 2 else "valid" if bucket == 2 else "train"


def object_name(file_stem: str) -> str:
    """The project's name of an object from a data file's name: Google's full files spell objects with spaces
    ("sea turtle.ndjson"), its decoders and this project with underscores ("sea_turtle")."""
    return file_stem.replace(" ", "_")


def data_file(name: str, suffix: str, data_dir: str | os.PathLike = QUICKDRAW_DIR) -> Path:
    """``<name><suffix>`` in ``data_dir``, or Google's spelling with spaces when only that is there."""
    path = Path(data_dir) / f"{name}{suffix}"
    spaced = path.with_name(f"{name.replace('_', ' ')}{suffix}")
    return spaced if not path.exists() and spaced.exists() else path


def real_drawings(name: str, data_dir: str | os.PathLike = QUICKDRAW_DIR) -> dict[str, list[np.ndarray]]:
    """Real drawings of one object as stroke-3 (box units) by split, from Google's full sketch-rnn ``.npz``
    (``<name>.npz``, its own train/valid/test) when that file is in ``data_dir``, else from ``<name>.ndjson``
    split by ``split_of`` (either spelt with spaces for underscores, as Google's files are)."""
    npz = data_file(name, ".npz", data_dir)
    if npz.exists():
        return read_sketchrnn_npz(npz)
    splits = {"train": [], "valid": [], "test": []}
    for record in read_ndjson(data_file(name, ".ndjson", data_dir)):
        stroke3 = lines_to_stroke3(record["lines"])
        if len(stroke3):
            splits[split_of(record["key_id"])].append(stroke3)
    return splits


def realign(images: np.ndarray) -> np.ndarray:
    """Google's 28x28 bitmaps (n, 28, 28) with those read one byte late (ink in the last column, which Google's
    renders never touch) moved back one pixel: image = its bytes from the second on, and a blank last pixel. Some of the
    ``quickdraw_bitmaps_more`` files were cut a byte off (``training.studies.bitmaps`` found it)."""
    images = np.asarray(images, np.uint8).reshape(-1, SIDE, SIDE).copy()
    late = images[:, :, -1].any(axis=1)
    flat = images[late].reshape(-1, SIDE * SIDE)
    images[late] = np.concatenate([flat[:, 1:], np.zeros((len(flat), 1), np.uint8)], axis=1).reshape(-1, SIDE, SIDE)
    return images
