"""Buddy finishes the child's drawing at the child's size, where the child drew, on the paper (issue 26).

The engine tests use the shipped cat decoder (``models/cat.npz``, committed) and a cat head drawn by hand, so they
run without ../shared; the selection and shrinking rules are checked on their own with made-up endings."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from app.engine import buddy, fitting
from app.engine.decoder import FORGET_BIAS, START_TOKEN, load_decoder, prime_many, sample, sample_states
from app.engine.tuning import TUNING
from app.web.validation import TEMPERATURE_RANGE

MODELS = Path(__file__).resolve().parents[1] / "models"
W, H = 800, 600
# a cat's head and ears as a child draws them, in a 100-unit box: the outline, two eyes, a nose
HEAD = [[[10, 100], [10, 20], [30, 45], [70, 45], [90, 20], [90, 100], [50, 110], [10, 100]],
        [[32, 65], [36, 69]], [[64, 65], [68, 69]], [[45, 85], [50, 90], [55, 85]]]


def head(size: float, at=(0.0, 0.0)) -> list[np.ndarray]:
    """The cat head scaled to ``size`` pixels across, its corner at ``at``."""
    return [np.asarray(line, np.float64) * size / 100 + at for line in HEAD]


@pytest.fixture(scope="module")
def shipped_cat():
    """The project's own cat decoder, as the app serves it."""
    return load_decoder(MODELS / "cat.npz")


def on_paper(lines) -> bool:
    allp = np.concatenate(lines)
    return bool((allp >= 0).all() and (allp[:, 0] <= W).all() and (allp[:, 1] <= H).all())


def ending_extent(child, lines) -> float:
    return fitting.extent([*child, *lines])


@pytest.mark.parametrize("size,at", [(60, (40, 40)), (160, (300, 120)), (300, (450, 40))])
def test_endings_of_a_small_a_medium_and_a_large_head_stay_on_the_paper(shipped_cat, size, at):
    child = head(size, at)
    completions, _ = buddy.complete(shipped_cat, child, W, H, variations=9, seed=4)
    assert len(completions) == 9
    for completion in completions:
        assert completion.lines and on_paper(completion.lines)
        # it starts near where the child stopped, at the child's scale
        assert np.hypot(*(completion.lines[0][0] - child[-1][-1])) < 2 * size


def test_the_ending_scales_with_the_childs_drawing(shipped_cat):
    small, large = head(60, (100, 100)), head(240, (100, 100))
    extents = {}
    for name, child in (("small", small), ("large", large)):
        completions, _ = buddy.complete(shipped_cat, child, W, H, variations=9, seed=8)
        extents[name] = np.median([ending_extent(child, c.lines) for c in completions])
    # four times the drawing: about four times the whole (the model's own variety allows some slack)
    assert 2.5 < extents["large"] / extents["small"] < 6.0, extents
    assert extents["small"] < 60 * 3  # a small head gets a small cat, never one drawn at the paper's size


def test_the_same_seed_gives_the_same_endings(shipped_cat):
    child = head(150, (200, 200))
    a, _ = buddy.complete(shipped_cat, child, W, H, variations=3, seed=21)
    b, _ = buddy.complete(shipped_cat, child, W, H, variations=3, seed=21)
    c, _ = buddy.complete(shipped_cat, child, W, H, variations=3, seed=22)
    for x, y in zip(a, b):
        assert len(x.lines) == len(y.lines)
        for lx, ly in zip(x.lines, y.lines):
            np.testing.assert_array_equal(lx, ly)
    assert any(len(x.lines) != len(z.lines) or not np.array_equal(x.lines[0], z.lines[0]) for x, z in zip(a, c))


def test_variations_differ_from_one_another(shipped_cat):
    completions, _ = buddy.complete(shipped_cat, head(150, (200, 150)), W, H, variations=4, seed=3)
    firsts = {tuple(np.round(c.lines[0][-1])) for c in completions if c.lines}
    assert len(firsts) == 4


def test_a_hint_for_a_head_in_the_corner_stays_on_the_paper(shipped_cat):
    child = head(180, (W - 185, H - 190))  # drawn in the lower-right corner: the body would run off the paper
    for seed in range(6):
        stroke, _ = buddy.hint(shipped_cat, child, W, H, seed=seed)
        if stroke is not None:
            assert len(stroke) >= 2 and on_paper([stroke])


def test_a_head_in_the_corner_is_still_finished_on_the_paper(shipped_cat):
    child = head(200, (W - 205, H - 205))
    completions, _ = buddy.complete(shipped_cat, child, W, H, variations=2, seed=1)
    for completion in completions:
        assert on_paper(completion.lines)


def test_drawing_from_scratch_keeps_its_centring_and_fill(shipped_cat):
    completions, _ = buddy.complete(shipped_cat, [], W, H, variations=2, seed=5)
    for completion in completions:
        allp = np.concatenate(completion.lines)
        low, high = allp.min(axis=0), allp.max(axis=0)
        assert on_paper(completion.lines)
        np.testing.assert_allclose((low + high) / 2, [W / 2, H / 2], atol=1.0)
        assert (high - low).max() > 0.5 * H  # it fills the paper, not a corner of it


def look(on_paper=True, overflow=0.0, recognised=1.0, over_child=0.0, ink=1.0):
    return fitting.Look(on_paper, overflow, ink, 0.0, over_child, 0.0, recognised)


def test_selection_never_shows_an_ending_off_the_paper_when_one_on_it_was_sampled():
    looks = [look(False, 0.01, recognised=0.99), look(True, recognised=0.02), look(False, 0.5, recognised=0.9)]
    assert fitting.select(looks, 1) == [1]
    assert fitting.select(looks, 3) == [1, 0, 2]  # then the least overflow


def test_selection_prefers_recognised_endings_that_leave_the_childs_strokes_alone():
    looks = [look(recognised=0.2), look(recognised=0.9, over_child=0.9), look(recognised=0.8),
             look(recognised=0.9, ink=0.01)]
    assert fitting.select(looks, 1) == [2]


def test_an_ending_is_described_as_a_child_would_see_it_and_many_at_once_as_each_alone():
    child = [np.array([[300.0, 300.0], [500.0, 300.0]])]
    over = [np.array([[320.0, 301.0], [480.0, 301.0]])]  # drawn right over the child's line
    beside = [np.array([[300.0, 400.0], [500.0, 400.0]]), np.array([[400.0, 450.0]])]  # a line and a dot
    off = [np.array([[500.0, 300.0], [900.0, 300.0]])]  # runs off the 800 px paper
    endings = [over, beside, [], off]
    looks = fitting.describe_many([child, child], endings, [0, 1, 0, 1], [200.0, 250.0], W, H)
    assert looks[0].over_child == 1.0 and looks[1].over_child == 0.0
    assert looks[1].ink == pytest.approx(200.0 / 250.0) and looks[1].tiny == 0.5  # of its two strokes, one dot
    assert looks[2].on_paper and looks[2].ink == 0.0  # nothing drawn
    assert not looks[3].on_paper and looks[3].overflow == pytest.approx(100.0 / 250.0)
    for one, ending, hypothesis in zip(looks, endings, [0, 1, 0, 1]):
        alone = fitting.describe(child, ending, [200.0, 250.0][hypothesis], W, H)
        assert dataclasses.astuple(dataclasses.replace(alone, ink_points=None)) == pytest.approx(
            dataclasses.astuple(dataclasses.replace(one, ink_points=None)))
        np.testing.assert_allclose(alone.ink_points, one.ink_points)


def test_shrinking_to_the_paper_keeps_the_shape():
    anchor = np.array([700.0, 500.0])
    ending = [np.array([[710.0, 510.0], [900.0, 520.0], [880.0, 700.0]]), np.array([[650.0, 480.0], [600.0, 450.0]])]
    shrunk = fitting.shrink_to_paper(ending, anchor, W, H)
    assert on_paper(shrunk)
    factors = [(s - anchor) / (e - anchor) for s, e in zip(np.concatenate(shrunk), np.concatenate(ending))]
    np.testing.assert_allclose(np.concatenate(factors), factors[0][0])  # one factor: scaled, not squashed
    assert 0.4 < factors[0][0] < 1.0


def test_the_whole_is_guessed_from_the_part_and_the_objects_table():
    table = fitting.extent_ratio_table([np.array([[0, 100, 1], [100, 0, 1], [0, -100, 1], [-200, 0, 1]], float)])
    # a drawing of 4 strokes: its first stroke spans 100 of 200, the first two and three all of it
    assert table["ratios"]["1"] == [0.5, 0.5, 0.5] and table["beginnings"]["2"] == 1
    wholes = fitting.whole_extents(head(100, (10, 10)), table, W, H)
    assert wholes == sorted(wholes, reverse=True)
    bigger = fitting.whole_extents(head(200, (10, 10)), table, W, H)
    np.testing.assert_allclose(np.asarray(bigger) / wholes, 2.0)


def test_a_shipped_decoder_carries_its_table(shipped_cat):
    fit = shipped_cat.meta["fit"]
    assert fit["drawings"] > 100 and set(fit["ratios"]) == {"1", "2", "3", "4"}
    assert all(0 < q <= 1 for qs in fit["ratios"].values() for q in qs)


def test_rows_with_their_own_states_in_one_batch_equal_single_runs(tiny_decoder):
    states = prime_many(tiny_decoder, [np.full((4, 5), 0.2) * k for k in (1, 2, 3)])
    batch = sample_states(tiny_decoder, states, [7, 8, 9], temperature=0.6, max_steps=30)
    for state, seed, (rows, finished) in zip(states, [7, 8, 9], batch):
        [(alone, alone_finished)] = sample(tiny_decoder, state, [seed], temperature=0.6, max_steps=30)
        np.testing.assert_allclose(rows, alone, rtol=1e-5, atol=1e-5)
        assert finished == alone_finished


def test_priming_in_chunks_equals_one_long_prime(tiny_decoder):
    rows = np.random.default_rng(0).normal(size=(150, 5)).astype(np.float32)  # three chunks of 64
    [(c, h, x)] = prime_many(tiny_decoder, [rows])
    reference = tiny_decoder.weights
    cr = hr = np.zeros((1, tiny_decoder.config.num_units))
    model_rows = rows.astype(np.float64)
    model_rows[:, :2] /= tiny_decoder.box_scale_factor  # the model sees offsets in its own units
    seq = np.concatenate([[START_TOKEN], model_rows])
    for step in seq[:-1]:
        z = step[None] @ reference["lstm_w_xh"] + hr @ reference["lstm_w_hh"] + reference["lstm_bias"]
        i, j, f, o = np.split(z, 4, axis=1)
        sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        cr = cr * sig(f + FORGET_BIAS) + sig(i) * np.tanh(j)
        hr = np.tanh(cr) * sig(o)
    np.testing.assert_allclose(c, cr, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(h, hr, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(x, seq[-1:], rtol=1e-6)


def test_a_hint_is_the_stroke_that_makes_the_drawing_look_most_like_the_object(shipped_cat):
    class LongestStroke:  # "a cat" only the drawing with the longest new stroke: an opinion easy to check
        names = ["dog", "cat"]

        def probabilities_of(self, drawings, width, height, mirror=True, prefix=()):
            lengths = [sum(len(line) for line in d) for d in drawings]
            self.favoured = drawings[int(np.argmax(lengths))][0]
            cat = np.where(np.arange(len(drawings)) == np.argmax(lengths), 1.0, 0.01)
            return np.stack([1 - cat, cat], axis=1)

    child = head(150, (300, 250))
    followed = 0
    for seed in range(4):
        judge = LongestStroke()
        stroke, _ = buddy.hint(shipped_cat, child, W, H, seed=seed, classifier=judge, judged=TUNING.hint_candidates)
        plain, _ = buddy.hint(shipped_cat, child, W, H, seed=seed)
        if stroke is None or not on_paper([judge.favoured]):
            continue
        np.testing.assert_array_equal(stroke, judge.favoured)
        followed += not np.array_equal(stroke, plain)  # the classifier changed the choice
    assert followed >= 1


def test_a_hint_chooses_among_bolder_and_more_careful_strokes_and_judges_the_best_looking(shipped_cat):
    class Looks:  # remembers how it was asked to look
        names = ["dog", "cat"]

        def probabilities_of(self, drawings, width, height, mirror=True, prefix=()):
            self.mirror, self.judged = mirror, len(drawings)
            return np.tile([0.5, 0.5], (len(drawings), 1))

    asked = []

    def sampler(decoder, states, seeds, *, temperature, **kwargs):
        asked.append(temperature)
        return sample_states(decoder, states, seeds, temperature=temperature, **kwargs)

    judge = Looks()
    stroke, _ = buddy.hint(shipped_cat, head(150, (300, 250)), W, H, seed=0, temperature=0.4, classifier=judge,
                           sampler=sampler)
    assert stroke is not None
    [temperatures] = asked  # one request for every candidate
    assert len(temperatures) == TUNING.hint_candidates
    assert sorted(set(np.round(temperatures, 6))) == [0.25, 0.4, 0.6]
    assert judge.mirror is False and judge.judged == TUNING.hint_judged

    asked.clear()
    buddy.hint(shipped_cat, head(150, (300, 250)), W, H, seed=0, temperature=1.4, sampler=sampler)
    assert max(asked[0]) == TEMPERATURE_RANGE[1]  # never wilder than a request may ask
