"""The download command fetches Google's full files from a mirror laid out like Google's storage (a local HTTP
server here, since this machine has no internet), checks each with the project's reader, and the training
readers then use them."""

from __future__ import annotations

import functools
import http.server
import json
import threading

import numpy as np
import pytest

from app.engine.decoder import load_decoder
from tests.conftest import make_tiny_decoder, write_gen_json
from training import download
from training.data import real_drawings


@pytest.fixture
def mirror(tmp_path):
    """A local HTTP server over a folder with Google's paths; yields (folder, base URL)."""
    root = tmp_path / "mirror"
    root.mkdir()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def put(root, kind, name, data: bytes):
    path = root / download.KINDS[kind][0].format(name=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def sketchrnn_npz(tmp_path, sizes=(7, 2, 3)) -> bytes:
    """A small file in sketch-rnn's form: object arrays of int16 stroke-3 per split."""
    rng = np.random.default_rng(0)
    splits = {}
    for split, n in zip(("train", "valid", "test"), sizes):
        arr = np.empty(n, dtype=object)
        for i in range(n):
            d = rng.integers(-20, 20, (12, 3)).astype(np.int16)
            d[:, 2] = 0
            d[[5, 11], 2] = 1
            arr[i] = d
        splits[split] = arr
    path = tmp_path / "x.npz"
    np.savez(path, **splits)
    return path.read_bytes()


def test_urls_are_googles():
    assert download.url_for("sketchrnn", "cat") == "https://storage.googleapis.com/quickdraw_dataset/sketchrnn/cat.npz"
    assert download.url_for("simplified", "hot air balloon") == (
        "https://storage.googleapis.com/quickdraw_dataset/full/simplified/hot%20air%20balloon.ndjson")
    assert download.url_for("decoder", "owl") == (
        "https://storage.googleapis.com/quickdraw-models/sketchRNN/models/owl.gen.json")


def test_downloaded_sketchrnn_file_feeds_training_with_its_own_splits(mirror, tmp_path):
    root, base = mirror
    put(root, "sketchrnn", "cat", sketchrnn_npz(tmp_path))
    put(root, "simplified", "cat", json.dumps({"word": "cat", "key_id": "1", "recognized": True,
                                               "drawing": [[[0, 10, 20], [0, 5, 0]]]}).encode() + b"\n")
    out = tmp_path / "downloads"
    assert download.main(["sketchrnn", "cat", "--to", str(out), "--base", base]) == 0
    assert download.main(["simplified", "cat", "--to", str(out), "--base", base]) == 0
    splits = real_drawings("cat", out)  # the full .npz wins over the ndjson beside it
    assert [len(splits[s]) for s in ("train", "valid", "test")] == [7, 2, 3]
    assert splits["train"][0].shape == (12, 3)


def test_downloaded_decoder_loads_in_the_engine(mirror, tmp_path):
    root, base = mirror
    put(root, "decoder", "owl", write_gen_json(make_tiny_decoder(), tmp_path / "x.gen.json", "owl").read_bytes())
    out = tmp_path / "decoders"
    assert download.main(["decoder", "owl", "--to", str(out), "--base", base]) == 0
    assert load_decoder(out / "owl.gen.json").config.num_units == 16


def test_broken_or_missing_files_leave_nothing_behind(mirror, tmp_path, capsys):
    root, base = mirror
    put(root, "sketchrnn", "dog", b"not an npz file")
    out = tmp_path / "downloads"
    assert download.main(["sketchrnn", "dog", "pig", "--to", str(out), "--base", base]) == 1
    assert list(out.iterdir()) == []
    err = capsys.readouterr().err
    assert "dog: could not download" in err and "pig: could not download" in err


def test_present_files_are_kept(mirror, tmp_path):
    _, base = mirror
    out = tmp_path / "downloads"
    out.mkdir()
    (out / "cat.npy").write_bytes(b"mine")
    assert download.main(["bitmap", "cat", "--to", str(out), "--base", base]) == 0
    assert (out / "cat.npy").read_bytes() == b"mine"
