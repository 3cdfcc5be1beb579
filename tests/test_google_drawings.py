"""Drawings by Google's decoders to learn from (training.google_drawings): beginnings, completions, caches."""

import numpy as np
import pytest

from app.engine.decoder import prime, sample
from tests.conftest import random_drawing, small_google_decoder, write_gen_json
from training.google_drawings import prefixes


def test_a_beginning_is_the_first_strokes_of_its_drawing_and_ends_with_the_pen_up():
    rng = np.random.default_rng(5)
    drawings = [random_drawing(rng, 20) for _ in range(30)]
    one_stroke = np.zeros((12, 3))
    one_stroke[:, 0], one_stroke[-1, 2] = 5.0, 1.0
    beginnings = prefixes([*drawings, one_stroke], rng)
    assert len(beginnings) == 31
    for drawing, beginning in zip(drawings, beginnings):
        np.testing.assert_array_equal(beginning, drawing[: len(beginning)])
        assert beginning[-1, 2] == 1 and 1 <= beginning[:, 2].sum() < drawing[:, 2].sum()
    assert len({len(b) for b in beginnings[:30]}) > 1  # the cut varies
    assert 3 <= len(beginnings[30]) < 12 and beginnings[30][-1, 2] == 1 and beginnings[30][:-1, 2].sum() == 0


@pytest.mark.slow
def test_googles_completions_are_real_beginnings_finished_by_googles_decoder():
    """Each completion is a beginning of a given drawing followed by exactly what the engine samples from the
    decoder primed on that beginning: row i of the first batch uses seed (seed, 0, i), and only the rows the
    decoder finished are kept, in order."""
    from app.engine.strokes import stroke3_to_stroke5, stroke5_to_stroke3
    from training.google_drawings import BATCH, complete_drawings

    google = small_google_decoder()
    rng = np.random.default_rng(6)
    drawings = [random_drawing(rng, 16) for _ in range(5)]
    out = complete_drawings(google, drawings, 12, temperatures=(0.7,), seed=3)
    assert len(out) == 12
    cut_rng, pool = np.random.default_rng([3, 1]), []
    while len(pool) < BATCH:
        pool += prefixes(drawings, cut_rng)
    expected = []
    for i, beginning in enumerate(pool[:BATCH]):
        state = prime(google, stroke3_to_stroke5(beginning, end=False))
        cap = max(google.max_seq_len - len(beginning), google.max_seq_len // 4)
        [(rows, finished)] = sample(google, state, [[3, 0, i]], temperature=0.7, max_steps=cap)
        if finished and len(rows):
            expected.append(np.concatenate([beginning, stroke5_to_stroke3(rows)]))
    assert len(expected) >= 12
    for want, got in zip(expected, out):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)  # float32, batch of 64 vs 1
    assert len({len(d) for d in out}) > 1


def test_googles_completions_are_cached_by_the_drawings_they_continue(tmp_path):
    from training.google_drawings import google_completions

    pretrained = tmp_path / "pretrained"
    pretrained.mkdir()
    write_gen_json(small_google_decoder("line"), pretrained / "line.gen.json", "line", 40)
    rng = np.random.default_rng(7)
    drawings = [random_drawing(rng, 10) for _ in range(4)]
    first = google_completions("line", drawings, 8, pretrained_dir=pretrained, cache_dir=tmp_path / "cache")
    (pretrained / "line.gen.json").unlink()  # a second call must not need Google's decoder
    again = google_completions("line", drawings, 8, pretrained_dir=pretrained, cache_dir=tmp_path / "cache")
    assert len(first) == len(again) == 8
    for a, b in zip(first, again):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    with pytest.raises(FileNotFoundError):  # other drawings: not the cached file
        google_completions("line", drawings[:3], 8, pretrained_dir=pretrained, cache_dir=tmp_path / "cache")


def test_googles_drawings_at_other_temperatures_are_cached_apart(tmp_path, monkeypatch):
    """Careful drawings by Google's decoder (--google-temperatures) never come back for a request at the default
    spread, nor the other way round; a larger cached set serves a smaller request at the same temperatures."""
    from training import google_drawings as google_drawings_module

    asked = []

    def fake_sample(decoder, n, temperatures=google_drawings_module.TEMPERATURES, seed=0):
        asked.append((n, tuple(temperatures)))
        scale = 1.0 if tuple(temperatures) == google_drawings_module.TEMPERATURES else 2.0
        return [np.array([[scale * (i + 1), 0.0, 1.0], [0.0, 1.0, 1.0]]) for i in range(n)]

    monkeypatch.setattr(google_drawings_module, "sample_drawings", fake_sample)
    monkeypatch.setattr(google_drawings_module, "load_gen_json", lambda path: None)
    default = google_drawings_module.google_drawings("cat", 4, cache_dir=tmp_path)
    careful = google_drawings_module.google_drawings("cat", 3, cache_dir=tmp_path, temperatures=(0.6, 0.4))
    assert asked == [(4, google_drawings_module.TEMPERATURES), (3, (0.6, 0.4))]
    assert default[0][0, 0] == 1.0 and careful[0][0, 0] == 2.0
    again = google_drawings_module.google_drawings("cat", 2, cache_dir=tmp_path, temperatures=[0.6, 0.4])
    assert len(asked) == 2 and [d[0, 0] for d in again] == [2.0, 4.0]
    assert len(google_drawings_module.google_drawings("cat", 3, cache_dir=tmp_path)) == 3 and len(asked) == 2
