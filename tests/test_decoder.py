"""The decoder engine: loaders, equivalence with sketch-rnn-js's math, batching, seeds and robustness."""

import json

import numpy as np
import pytest

from app.engine.decoder import (
    WEIGHT_NAMES,
    Decoder,
    load_decoder,
    noise_table,
    prime,
    reconstruction_loss,
    sample,
    save_decoder,
)
from tests import reference_sketch_rnn as ref
from tests.conftest import gen_json_quantized, make_tiny_decoder, write_gen_json

PRIME = np.array([[10.0, 0.0, 1.0, 0.0, 0.0], [0.0, 10.0, 1.0, 0.0, 0.0], [-10.0, 0.0, 0.0, 1.0, 0.0],
                  [5.0, 5.0, 1.0, 0.0, 0.0], [3.0, -2.0, 0.0, 1.0, 0.0]])


def test_engine_matches_sketch_rnn_js_math(tiny_decoder):
    """Same weights, same uniforms: the batched XLA loop reproduces the one-row JS transcription."""
    steps, seed, temperature = 40, 7, 0.6
    state = prime(tiny_decoder, PRIME)
    [(rows, _)] = sample(tiny_decoder, state, [seed], temperature=temperature, max_steps=steps,
                             stop_at_end=False)
    expected = ref.continue_drawing(tiny_decoder.weights, tiny_decoder.box_scale_factor, PRIME,
                                    noise_table(seed, steps), temperature, steps)
    assert rows.shape == (steps, 5)
    np.testing.assert_array_equal(rows[:, 2:], expected[:, 2:])
    np.testing.assert_allclose(rows[:, :2], expected[:, :2], rtol=1e-3, atol=1e-3)


def test_a_batch_equals_single_runs_with_the_same_seeds(tiny_decoder):
    state = prime(tiny_decoder, PRIME)
    seeds = [[3, i] for i in range(5)]
    batch = sample(tiny_decoder, state, seeds, temperature=0.5, max_steps=50)
    for seed, (rows, finished) in zip(seeds, batch):
        [(single, single_finished)] = sample(tiny_decoder, state, [seed], temperature=0.5, max_steps=50)
        assert finished == single_finished
        np.testing.assert_allclose(rows, single, rtol=1e-4, atol=1e-3)  # float rounding of B=5 vs B=1


def test_same_seed_same_drawing_and_other_seeds_differ(tiny_decoder):
    state = prime(tiny_decoder, PRIME)
    a = sample(tiny_decoder, state, [1, 1, 2], temperature=0.8, max_steps=30, stop_at_end=False)
    np.testing.assert_array_equal(a[0][0], a[1][0])
    assert not np.allclose(a[0][0], a[2][0])
    # a longer cap only extends the same drawing: the seed's noise table is a prefix
    [(longer, _)] = sample(tiny_decoder, state, [1], temperature=0.8, max_steps=100, stop_at_end=False)
    np.testing.assert_allclose(longer[:30], a[0][0], rtol=1e-5, atol=1e-4)


def test_stops_at_end_of_drawing_and_at_pen_up():
    decoder = make_tiny_decoder(seed=3)
    # bias the pen logits: with p_end certain the drawing ends at once, with p_up likely a stroke closes early
    decoder.weights["output_b"][:3] = [-50.0, -50.0, 50.0]
    [(rows, finished)] = sample(decoder, prime(decoder, PRIME), [0], temperature=0.5, max_steps=40)
    assert finished and len(rows) == 0
    decoder.weights["output_b"][:3] = [0.0, 0.0, -50.0]
    decoder.tensors = None  # the weights changed
    results = sample(decoder, prime(decoder, PRIME), list(range(8)), temperature=0.5, max_steps=40,
                         stop_at_pen_up=True)
    for rows, finished in results:
        assert not finished
        assert rows[-1, 3] == 1.0 or len(rows) == 40  # ended on the pen-up that closed the stroke
        last_up = np.flatnonzero(rows[:-1, 3] == 1.0)
        stroke = rows[(last_up[-1] + 1 if len(last_up) else 0):]
        assert len(stroke) >= 2  # a stroke of two or more points, not a dot


@pytest.mark.parametrize("poison", [np.nan, np.inf, -np.inf, 1e30])
def test_degenerate_weights_never_give_nan_or_raise(poison):
    decoder = make_tiny_decoder(seed=5)
    decoder.weights["output_w"][:, :] = poison
    decoder.weights["output_b"][:] = poison
    results = sample(decoder, prime(decoder, PRIME), [0, 1, 2], temperature=0.5, max_steps=20,
                         stop_at_end=False)
    for rows, _ in results:
        assert np.isfinite(rows).all()
        np.testing.assert_array_equal(rows[:, 2:].sum(axis=1), 1.0)


def test_own_format_round_trip_in_float16(tmp_path, tiny_decoder):
    tiny_decoder.meta["metrics"] = {"loss": -0.5}
    path = tmp_path / "tiny.npz"
    save_decoder(tiny_decoder, path)
    loaded = load_decoder(path)
    assert loaded.config == tiny_decoder.config and loaded.scale_factor == tiny_decoder.scale_factor
    assert loaded.max_seq_len == tiny_decoder.max_seq_len and loaded.meta["metrics"] == {"loss": -0.5}
    for name in WEIGHT_NAMES:
        np.testing.assert_allclose(loaded.weights[name], tiny_decoder.weights[name], rtol=1e-3, atol=1e-3)


def test_gen_json_loader_reads_int16_little_endian(tmp_path, tiny_decoder):
    """Write a tiny model in Google's published format and read it back."""
    q = gen_json_quantized(tiny_decoder)
    loaded = load_decoder(write_gen_json(tiny_decoder, tmp_path / "tiny.gen.json"))
    assert loaded.config.num_units == 16 and loaded.config.num_mixtures == 20
    for name in WEIGHT_NAMES:
        np.testing.assert_allclose(loaded.weights[name], q[name] * 10.0 / 32767, rtol=1e-6)


def test_bad_files_are_refused(tmp_path):
    bad = tmp_path / "x.gen.json"
    bad.write_text(json.dumps([{"mode": 0, "name": "x"}, [[1]], ["AAAA"]]))
    with pytest.raises(ValueError):
        load_decoder(bad)
    with pytest.raises(ValueError):
        load_decoder(tmp_path / "model.h5")


@pytest.mark.shared
@pytest.mark.slow
def test_google_cat_decoder_knows_cats(cat_decoder, real_cats):
    """The loader reads the weights right: real cats score a much lower loss than other drawings or
    than the same model with its weights shuffled."""
    from training.data import QUICKDRAW_DIR, ndjson_stroke3

    cats = [d for d in real_cats if len(d) < cat_decoder.max_seq_len][:200]
    cat_loss = reconstruction_loss(cat_decoder, cats).mean()
    for other in ("bicycle", "flamingo", "dog"):
        drawings = [d for d in ndjson_stroke3(QUICKDRAW_DIR / f"{other}.ndjson", limit=200)
                    if len(d) < cat_decoder.max_seq_len]
        assert cat_loss < reconstruction_loss(cat_decoder, drawings).mean() - 0.15, other
    rng = np.random.default_rng(0)
    shuffled = Decoder("shuffled", cat_decoder.config, cat_decoder.scale_factor, cat_decoder.max_seq_len,
                           {k: rng.permutation(v.reshape(-1)).reshape(v.shape) for k, v in cat_decoder.weights.items()},
                           data_scale=cat_decoder.data_scale)
    assert cat_loss < reconstruction_loss(shuffled, cats).mean() - 1.0


def test_the_jit_setting_rebuilds_the_compiled_loops_only_when_it_changes():
    from app.engine import decoder

    before, compiled = decoder.JIT_COMPILE, dict(decoder._compiled)
    try:
        decoder._compiled["sample"] = "built"
        decoder.set_jit(before)
        assert decoder._compiled["sample"] == "built"  # unchanged: nothing rebuilt
        decoder.set_jit(not before)
        assert decoder.JIT_COMPILE is (not before) and decoder._compiled == {}
    finally:
        decoder.JIT_COMPILE = before
        decoder._compiled.clear()
        decoder._compiled.update(compiled)
