"""Shared fixtures: tiny decoders built by the tests, and the real data in ../shared when it is there."""

import base64
import json
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from app.engine.decoder import GEN_JSON_WEIGHT_SCALE, WEIGHT_NAMES, Decoder, DecoderConfig
from training.paths import PRETRAINED_DIR, QUICKDRAW_DIR

SLOW_MODULES = {"test_scale_out.py", "test_server.py"}  # whole modules of real servers


def pytest_collection_modifyitems(items):
    """Browser and container tests, and the modules of real servers, are slow too (``pytest -m "not slow"``)."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("container") or \
                item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def make_tiny_decoder(num_units=16, seed=0, name="tiny", scale=20.0, weight_scale=0.5) -> Decoder:
    """A random decoder small enough to reason about and fast to run."""
    config = DecoderConfig(num_units=num_units)
    rng = np.random.default_rng(seed)
    out = 3 + 6 * config.num_mixtures
    shapes = {"output_w": (num_units, out), "output_b": (out,), "lstm_w_xh": (5, 4 * num_units),
              "lstm_w_hh": (num_units, 4 * num_units), "lstm_bias": (4 * num_units,)}
    weights = {k: (rng.standard_normal(shapes[k]) * weight_scale).astype(np.float32) for k in WEIGHT_NAMES}
    return Decoder(name, config, scale, 60, weights, {"source": "test"})


def make_tiny_vae(name="tiny", num_units=8, z_size=3, enc_units=4, seed=0, scale=20.0) -> Decoder:
    """A random sketch VAE (``app.engine.decoder.VAE_WEIGHT_NAMES`` too), small enough to run in a blink."""
    from app.engine.decoder import check_shapes, weight_names

    config = DecoderConfig(num_units=num_units, z_size=z_size, enc_units=enc_units)
    h, e, z, d, o = num_units, enc_units, z_size, config.input_dim, 3 + 6 * config.num_mixtures
    shapes = {"output_w": (h, o), "output_b": (o,), "lstm_w_xh": (d, 4 * h), "lstm_w_hh": (h, 4 * h),
              "lstm_bias": (4 * h,), "lstm_w_zh": (z, 4 * h), "init_w": (z, 2 * h), "init_b": (2 * h,),
              "mu_w": (2 * e, z), "mu_b": (z,), "presig_w": (2 * e, z), "presig_b": (z,)}
    for side in ("fw", "bw"):
        shapes.update({f"enc_{side}_w_xh": (d, 4 * e), f"enc_{side}_w_hh": (e, 4 * e), f"enc_{side}_bias": (4 * e,)})
    rng = np.random.default_rng(seed)
    weights = {k: (rng.standard_normal(shapes[k]) * 0.5).astype(np.float32) for k in weight_names(config)}
    weights["output_b"][:3] += np.float32([2.0, 0.0, -3.0])  # pen down likelier, the end rarer: it draws lines
    vae = Decoder(name, config, scale, 60, weights, {"source": "test", "kind": "sketch-vae"})
    check_shapes(vae)
    return vae


def gen_json_quantized(decoder: Decoder) -> dict:
    """The decoder's weights as Google's int16 blobs hold them (float = q x 10 / 32767)."""
    return {k: np.clip(np.round(v / GEN_JSON_WEIGHT_SCALE), -32767, 32767).astype("<i2")
            for k, v in decoder.weights.items()}


def write_gen_json(decoder: Decoder, path: Path, name: str | None = None, max_seq_len: int = 60) -> Path:
    """Write a decoder in Google's published ``.gen.json`` format ([info, shapes, base64 blobs])."""
    q = gen_json_quantized(decoder)
    info = {"name": name or decoder.name, "mode": 2, "version": 6, "max_seq_len": max_seq_len,
            "scale_factor": decoder.scale_factor}
    path.write_text(json.dumps([info, [list(q[k].shape) for k in WEIGHT_NAMES],
                                [base64.b64encode(q[k].tobytes()).decode() for k in WEIGHT_NAMES]]))
    return path


@pytest.fixture
def tiny_decoder():
    """A 16-unit random decoder."""
    return make_tiny_decoder()


def need(path: Path) -> Path:
    """Skip the test, saying why, when a file from ../shared is missing."""
    if not path.exists():
        pytest.skip(f"needs {path} (the shared Quick, Draw! data and pretrained models are not here)")
    return path


@pytest.fixture(scope="session")
def cat_decoder():
    """Google's pretrained cat decoder from ../shared."""
    from app.engine.decoder import load_gen_json

    return load_gen_json(need(PRETRAINED_DIR / "cat.gen.json"))


@pytest.fixture(scope="session")
def real_cats():
    """Real cat drawings (stroke-3, box units) from ../shared."""
    from training.data import ndjson_stroke3

    return ndjson_stroke3(need(QUICKDRAW_DIR / "cat.ndjson"), limit=300)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A models directory with two tiny decoders in the project's own format, and a tiny VAE for one of them."""
    from app.engine.decoder import save_decoder

    path = tmp_path_factory.mktemp("models")
    for i, name in enumerate(["cat", "pig"]):
        save_decoder(make_tiny_decoder(seed=i, name=name), path / f"{name}.npz")
    (path / "vae").mkdir()
    save_decoder(make_tiny_vae(name="cat"), path / "vae" / "cat.npz")  # Buddy can redraw a cat, not a pig
    return path


@pytest.fixture(scope="session")
def app(model_dir, tmp_path_factory):
    """The app on the tiny models (no warm-up: tests compile what they use)."""
    from app import create_app

    db = tmp_path_factory.mktemp("db") / "classrooms.sqlite3"
    return create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False,
                       "DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "test-secret",
                       "MAX_STROKES": 50, "MAX_POINTS": 500, "MAX_CONTENT_LENGTH": 100_000, "TESTING": True,
                       "RATELIMIT_ENABLED": False})  # the fuzz tests send thousands; limits: test_api's own app


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


def empty_postgres() -> str:
    """The test PostgreSQL database (DOODLE_TEST_DATABASE_URL) with the classroom tables dropped: a new, empty
    database. Skips without one, and fails under .ci/run (DOODLE_REQUIRE_POSTGRES=1), which starts one."""
    import os

    from sqlalchemy import create_engine, text

    url = os.environ.get("DOODLE_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("DOODLE_REQUIRE_POSTGRES") == "1":
            pytest.fail("DOODLE_TEST_DATABASE_URL is not set")
        pytest.skip("no PostgreSQL server: set DOODLE_TEST_DATABASE_URL (.ci/run starts one)")
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in ("pin_tries", "classrooms", "schema_version"):
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()
    return url


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(env_overrides: dict, tmp_path: Path):
    """The real server (the README's command, ``python -m app``) on a free port, healthy: yields (url, process)."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    root = Path(__file__).resolve().parents[1]
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DOODLE_LOG_LEVEL": "WARNING", "DOODLE_SECRET_KEY": "test-secret",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'classrooms.sqlite3'}", **env_overrides}
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=root, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not become healthy")
            time.sleep(0.3)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_server(env_overrides: dict, tmp_path: Path):
    """A session fixture's server: yields its URL."""
    with running_server(env_overrides, tmp_path) as (url, _):
        yield url


@pytest.fixture(scope="session")
def live_server(model_dir, tmp_path_factory):
    """The real server on the tiny models."""
    yield from start_server({"DOODLE_MODEL_DIRS": str(model_dir), "DOODLE_EXTRA_MODEL_DIRS": "",
                               "DOODLE_WARMUP": "0"}, tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="session")
def shipped_server(tmp_path_factory):
    """The real server on its embedded defaults: the models shipped in models/, warmed up, as a school runs it
    (the classroom database in a temporary SQLite file)."""
    import os

    if "DOODLE_MODEL_DIRS" in os.environ or os.environ.get("DOODLE_EXTRA_MODEL_DIRS"):
        pytest.skip("DOODLE_MODEL_DIRS / DOODLE_EXTRA_MODEL_DIRS are set here: the embedded defaults cannot be tried")
    yield from start_server({}, tmp_path_factory.mktemp("shipped"))


def write_ndjson(path, word, drawings):
    """A Quick, Draw! simplified ndjson file: one record per drawing (a list of strokes [[xs], [ys]])."""
    with open(path, "w") as fh:
        for i, drawing in enumerate(drawings):
            fh.write(json.dumps({"word": word, "key_id": str(i), "recognized": True, "drawing": drawing}) + "\n")


def random_drawing(rng, n=20):
    """A stroke-3 drawing with a few pen-ups."""
    d = np.zeros((n, 3), np.float32)
    d[:, :2] = rng.normal(0, 10, (n, 2))
    d[rng.choice(n, 3, replace=False), 2] = 1
    d[-1, 2] = 1
    return d


def small_google_decoder(name="tiny"):
    """A tiny random decoder that finishes most drawings it is asked to continue within a few steps."""
    return make_tiny_decoder(num_units=8, weight_scale=0.3, name=name)
