"""Shared fixtures: tiny decoders built by the tests, and the real data in ../shared when it is there."""

from pathlib import Path

import numpy as np
import pytest

from app.decoder import Decoder, DecoderConfig, WEIGHT_NAMES
from training.data import PRETRAINED_DIR, QUICKDRAW_DIR


def make_tiny_decoder(num_units=16, seed=0, name="tiny", scale=20.0, weight_scale=0.5) -> Decoder:
    """A random decoder small enough to reason about and fast to run."""
    config = DecoderConfig(num_units=num_units)
    rng = np.random.default_rng(seed)
    out = 3 + 6 * config.num_mixtures
    shapes = {"output_w": (num_units, out), "output_b": (out,), "lstm_w_xh": (5, 4 * num_units),
              "lstm_w_hh": (num_units, 4 * num_units), "lstm_bias": (4 * num_units,)}
    weights = {k: (rng.standard_normal(shapes[k]) * weight_scale).astype(np.float32) for k in WEIGHT_NAMES}
    return Decoder(name, config, scale, 60, weights, {"source": "test"})


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
    from app.decoder import load_gen_json

    return load_gen_json(need(PRETRAINED_DIR / "cat.gen.json"))


@pytest.fixture(scope="session")
def real_cats():
    """Real cat drawings (stroke-3, box units) from ../shared."""
    from training.data import ndjson_stroke3

    return ndjson_stroke3(need(QUICKDRAW_DIR / "cat.ndjson"), limit=300)
