"""Data readers: ndjson (simplified and raw), sketch-rnn .npz."""

import json

import numpy as np
import pytest

from tests.conftest import need
from training.data import ndjson_stroke3, read_ndjson, read_sketchrnn_npz
from training.paths import SHARED


def test_simplified_and_raw_ndjson(tmp_path):
    path = tmp_path / "cat.ndjson"
    simplified = {"word": "cat", "key_id": "1", "recognized": True,
                  "drawing": [[[0, 255], [0, 100]], [[10, 20], [30, 40]]]}
    raw = {"word": "cat", "key_id": "2", "recognized": False,
           "drawing": [[[500, 700, 900], [500, 500, 500], [0, 10, 20]], [[500, 500], [500, 900], [30, 40]]]}
    path.write_text(json.dumps(simplified) + "\n\n" + json.dumps(raw) + "\n")
    a, b = list(read_ndjson(path))
    assert a["key_id"] == "1" and np.array_equal(a["lines"][0], [[0, 0], [255, 100]])
    assert b["recognized"] is False
    np.testing.assert_allclose(b["lines"][0], [[0, 0], [255, 0]])  # aligned, scaled to 255, straight run simplified
    np.testing.assert_allclose(b["lines"][1], [[0, 0], [0, 255]])
    assert [len(s) for s in ndjson_stroke3(path)] == [3, 3]
    assert len(list(read_ndjson(path, limit=1))) == 1


def test_sketchrnn_npz(tmp_path):
    drawings = np.empty(2, dtype=object)
    drawings[0] = np.array([[1, 2, 0], [3, 4, 1]], np.int16)
    drawings[1] = np.array([[5, 6, 1]], np.int16)
    path = tmp_path / "x.npz"
    np.savez(path, train=drawings, valid=drawings[:1], test=drawings[1:])
    data = read_sketchrnn_npz(path)
    assert [len(data[k]) for k in ("train", "valid", "test")] == [2, 1, 1]
    np.testing.assert_array_equal(data["train"][0], [[1, 2, 0], [3, 4, 1]])


@pytest.mark.shared
def test_reads_sketch_rnns_own_npz():
    data = read_sketchrnn_npz(need(SHARED / "data" / "aaron_sheep" / "aaron_sheep.npz"))
    assert [len(data[k]) for k in ("train", "valid", "test")] == [7400, 300, 300]
    assert all(d.shape[1] == 3 for d in data["train"][:50])


def test_googles_full_files_spelt_with_spaces_read_as_the_projects_underscored_objects(tmp_path):
    from training.data import real_drawings
    from training.train_classifier import other_objects

    for stem in ("sea turtle", "hot air balloon"):  # as Google names its full files
        record = {"word": stem, "key_id": "7", "recognized": True, "drawing": [[[0, 100, 200], [0, 50, 0]]]}
        (tmp_path / f"{stem}.ndjson").write_text(json.dumps(record) + "\n")
    splits = real_drawings("sea_turtle", tmp_path)  # the decoder's spelling
    assert sum(len(drawings) for drawings in splits.values()) == 1
    # sea turtle has a decoder, so it is not also learnt as another object
    assert other_objects(tmp_path, ["sea_turtle"]) == ["hot_air_balloon"]
    assert sum(len(drawings) for drawings in real_drawings("hot_air_balloon", tmp_path).values()) == 1
