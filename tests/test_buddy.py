"""Canvas-level features: finish a half-drawn cat, variations, hints, drawing from scratch."""

import dataclasses
import itertools

import numpy as np
import pytest

from app.engine import buddy
from app.engine.strokes import normalize_lines, stroke3_to_lines

W, H = 800, 600


def half_cat_on_canvas(stroke3):
    """A real cat's first half, as a child would draw it: the whole cat would fill 500 px of the canvas."""
    lines = normalize_lines(stroke3_to_lines(stroke3), size=500.0)
    return [line + [150.0, 50.0] for line in lines[: max(1, len(lines) // 2)]]


def test_finish_a_tiny_model_drawing(tiny_decoder):
    child = [np.array([[100.0, 100.0], [200.0, 120.0], [250.0, 200.0]])]
    completions, seed = buddy.complete(tiny_decoder, child, W, H, variations=3, seed=11)
    assert seed == 11 and len(completions) == 3
    again, _ = buddy.complete(tiny_decoder, child, W, H, variations=3, seed=11)
    for a, b in zip(completions, again):
        assert len(a.lines) == len(b.lines)
        for la, lb in zip(a.lines, b.lines):
            np.testing.assert_allclose(la, lb)


@pytest.mark.shared
def test_completions_of_a_half_cat_start_at_its_last_point_and_stay_sane(cat_decoder, real_cats):
    child = half_cat_on_canvas(real_cats[0])
    last = child[-1][-1]
    completions, _ = buddy.complete(cat_decoder, child, W, H, variations=9, seed=5, temperature=0.3)
    assert len(completions) == 9
    drew = 0
    for completion in completions:
        if not completion.lines:
            assert completion.finished
            continue
        drew += 1
        first = completion.lines[0][0]
        # the first new point is one pen move away from where the child's last stroke ended
        assert np.hypot(*(first - last)) < 0.5 * max(W, H)
        allp = np.concatenate(completion.lines)
        assert np.isfinite(allp).all()
        # sane: within the canvas grown by its own size on every side (a units slip would be far outside)
        assert (allp.min(axis=0) > [-W, -H]).all() and (allp.max(axis=0) < [2 * W, 2 * H]).all()
    assert drew >= 5  # a half cat is rarely judged finished


@pytest.mark.shared
def test_hint_is_one_stroke_after_the_last_point(cat_decoder, real_cats):
    child = half_cat_on_canvas(real_cats[1])
    stroke, _ = buddy.hint(cat_decoder, child, W, H, seed=3)
    assert stroke is not None and stroke.ndim == 2 and len(stroke) >= 2


@pytest.mark.shared
def test_draw_a_cat_from_scratch_fits_the_canvas(cat_decoder):
    completions, _ = buddy.complete(cat_decoder, [], W, H, variations=4, seed=2, temperature=0.3)
    for completion in completions:
        allp = np.concatenate(completion.lines)
        assert len(allp) > 10
        assert (allp >= 0).all() and (allp[:, 0] <= W).all() and (allp[:, 1] <= H).all()


def test_a_redraw_of_a_drawing_past_the_papers_edge_stays_on_the_paper():
    from app.engine.buddy import redraw
    from tests.conftest import make_tiny_vae

    vae = make_tiny_vae(name="cat")
    past = [np.array([[700.0, 500.0], [1000.0, 800.0], [760.0, 750.0]])]  # its middle is beyond an 800x600 paper
    drawn = 0
    for seed in range(4):
        [drawing], _ = redraw(vae, past, 800, 600, count=1, seed=seed)
        for line in drawing.lines:
            assert (line >= -1e-6).all() and (line <= [800 + 1e-6, 600 + 1e-6]).all()
            drawn += np.ptp(line, axis=0).max() > 1  # a drawing, not everything squashed into a point
    assert drawn


def test_slerp_runs_from_one_latent_vector_to_the_other_on_the_sphere():
    from app.engine.buddy import slerp

    z0, z1 = np.array([3.0, 0.0, 0.0]), np.array([0.0, 3.0, 0.0])
    np.testing.assert_allclose(slerp(z0, z1, 0.0), z0, atol=1e-12)
    np.testing.assert_allclose(slerp(z0, z1, 1.0), z1, atol=1e-12)
    middle = slerp(z0, z1, 0.5)
    np.testing.assert_allclose(np.linalg.norm(middle), 3.0)  # on the arc, not the chord (whose middle is 2.12 long)
    np.testing.assert_allclose(middle, [3 / np.sqrt(2), 3 / np.sqrt(2), 0.0])
    np.testing.assert_allclose(slerp(z0, 2 * z0, 0.5), 1.5 * z0)  # the same direction: a straight line


def _same_lines(one, two) -> bool:
    return len(one) == len(two) and all(a.shape == b.shape and np.allclose(a, b, atol=1e-3) for a, b in zip(one, two))


def test_a_morph_runs_from_the_child_drawing_s_z_to_the_other_s_each_frame_chosen_among_its_candidates():
    from app.engine.buddy import _decoded_in_box, _encode_drawing, flip_book, morph, slerp, variation_seeds
    from app.engine.decoder import prime_many, sample_states
    from app.engine.tuning import TUNING
    from tests.conftest import make_tiny_vae

    vae = make_tiny_vae(name="cat", scale=60.0)
    child = [np.array([[100.0, 100.0], [200.0, 120.0], [180.0, 220.0]])]  # top left, about 120 px
    other = [np.array([[500.0, 300.0], [760.0, 320.0], [700.0, 560.0]]), np.array([[520.0, 500.0], [600.0, 540.0]])]
    frames, seed = morph(vae, child, 800, 600, to_lines=other, frames=7, temperature=0.1, seed=11)
    assert seed == 11 and len(frames) == 7
    # every frame is one of the candidates decoded from its own point on the path between the two z, in its place
    z0, z1 = _encode_drawing(vae, child), _encode_drawing(vae, other)
    per_frame = TUNING.morph_rows // 7
    ts = np.linspace(0.0, 1.0, 7)
    candidates = []
    for t, frame in zip(ts, frames):
        [state] = prime_many(vae, [np.zeros((0, 5))], [slerp(z0, z1, t).astype(np.float32)])
        runs = sample_states(vae, [state] * per_frame, variation_seeds(11, per_frame), temperature=0.1,
                             max_steps=vae.max_seq_len)
        centre, size = (1 - t) * np.array([150.0, 160.0]) + t * np.array([630.0, 430.0]), (1 - t) * 120 + t * 260
        mine = [_decoded_in_box(rows, centre, size, 800, 600) for rows, _ in runs]
        candidates.append([buddy.Completion(lines, True) for lines in mine])
        assert any(_same_lines(frame.lines, c) for c in mine)
    # and the one the flip-book's rule picks
    picked = flip_book(candidates, ts, child, other, "cat")
    assert all(_same_lines(got.lines, want.lines) for got, want in zip(frames, picked))
    centres = []
    for frame in frames:
        assert frame.lines, "a frame with nothing drawn"
        allp = np.concatenate(frame.lines)
        assert (allp >= -1e-6).all() and (allp <= [800 + 1e-6, 600 + 1e-6]).all()
        centres.append((allp.min(axis=0) + allp.max(axis=0)) / 2)
    # each frame sits between the two drawings' places: from the child's (top left) to the other's (bottom right)
    np.testing.assert_allclose(centres, np.linspace([150.0, 160.0], [630.0, 430.0], 7), atol=0.5)
    again, _ = morph(vae, child, 800, 600, to_lines=other, frames=7, temperature=0.1, seed=11)
    assert all(len(a.lines) == len(b.lines) and all(np.array_equal(x, y) for x, y in zip(a.lines, b.lines))
               for a, b in zip(frames, again))  # the same seed, the same frames


def test_the_flip_book_moves_from_the_start_to_the_end_and_never_shows_an_empty_frame():
    from app.engine.buddy import Completion, flip_book

    square = [np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0], [0.0, 0.0]])]
    cross = [np.array([[0.0, 0.0], [100.0, 100.0]]), np.array([[100.0, 0.0], [0.0, 100.0]])]
    both = [*square, *cross]
    ts = np.linspace(0.0, 1.0, 5)
    options = [Completion([], True), Completion(cross, True), Completion(square, True), Completion(both, True)]
    chosen = flip_book([options] * 5, ts, square, cross, "cat")
    assert chosen[0].lines is square and chosen[-1].lines is cross
    assert any(c.lines is both for c in chosen[1:-1])  # half-way, the drawing with both in it
    assert all(c.lines for c in chosen)


def test_the_flip_book_never_falls_back_towards_the_childs_drawing_when_it_can_go_on():
    from app.engine.buddy import Completion, flip_book
    from app.engine.strokes import progress, shape_points

    square = [np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0], [0.0, 0.0]])]
    cross = [np.array([[0.0, 0.0], [100.0, 100.0]]), np.array([[100.0, 0.0], [0.0, 100.0]])]
    half = [*square, cross[0]]  # the square with one stroke of the cross
    both = [*square, *cross]
    shapes = [square, half, both, cross]
    along = dict(zip(map(id, shapes), progress([shape_points(s) for s in shapes], *map(shape_points, (square, cross)))))
    rng = np.random.default_rng(3)
    ts = np.linspace(0.0, 1.0, 7)
    for _ in range(30):  # each frame offers two of the four, in any order: some offers tempt a step back
        offers = [[square]] + [[shapes[k] for k in rng.choice(4, 2, replace=False)] for _ in ts[1:-1]] + [[cross]]
        chosen = flip_book([[Completion(s, True) for s in offer] for offer in offers], ts, square, cross, "cat")
        steps = [along[id(c.lines)] for c in chosen]
        can_go_on = any(all(b >= a for a, b in zip(path, path[1:]))
                        for path in itertools.product(*[[along[id(s)] for s in offer] for offer in offers]))
        assert not can_go_on or all(later >= earlier for earlier, later in zip(steps, steps[1:])), steps


def test_a_redraw_the_classifier_takes_for_the_object_is_shown_before_one_only_a_little_more_alike(monkeypatch):
    from app.engine.buddy import likeness, redraw
    from tests.conftest import make_tiny_vae

    class StrokeCounter:  # "a cat" the more strokes a drawing has: a classifier with an opinion easy to check
        names = ["dog", "cat"]

        def probabilities_of(self, drawings, width, height, mirror=True, prefix=()):
            cat = np.array([min(len(d), 10) / 10 for d in drawings], np.float64)
            return np.stack([1 - cat, cat], axis=1)

    vae = make_tiny_vae(name="cat", scale=60.0)
    child = [np.array([[300.0, 200.0], [300.0, 120.0], [340.0, 160.0], [380.0, 120.0], [380.0, 200.0]])]
    by_shape, _ = redraw(vae, child, 800, 600, count=3, seed=4)
    # recognition outweighs any difference in shape
    monkeypatch.setattr(buddy, "TUNING", dataclasses.replace(buddy.TUNING, redraw_recognised=100.0))
    judged, _ = redraw(vae, child, 800, 600, count=3, seed=4, classifier=StrokeCounter())
    strokes = [len(d.lines) for d in judged]
    assert strokes == sorted(strokes, reverse=True) and strokes[0] >= max(len(d.lines) for d in by_shape)
    assert likeness(child, [d.lines for d in judged]).min() > -np.inf  # never an empty one
    monkeypatch.setattr(buddy, "TUNING", dataclasses.replace(buddy.TUNING, redraw_recognised=0.0))
    same, _ = redraw(vae, child, 800, 600, count=3, seed=4, classifier=StrokeCounter())
    assert all(_same_lines(a.lines, b.lines) for a, b in zip(same, by_shape))  # without weight: by shape alone


def test_a_morph_into_a_drawing_buddy_draws_stays_in_the_childs_place():
    from app.engine.buddy import morph
    from tests.conftest import make_tiny_decoder, make_tiny_vae

    vae = make_tiny_vae(name="cat", scale=60.0)
    decoder = make_tiny_decoder(name="cat")
    child = [np.array([[600.0, 400.0], [700.0, 420.0], [680.0, 500.0]])]
    with pytest.raises(ValueError):
        morph(vae, child, 800, 600, frames=5, seed=1)  # neither another drawing nor a decoder to draw one
    one, _ = morph(vae, child, 800, 600, decoder=decoder, frames=5, seed=1)
    two, _ = morph(vae, child, 800, 600, decoder=decoder, frames=5, seed=2)
    assert len(one) == 5
    assert not all(np.array_equal(a, b) for a, b in zip(one[-1].lines, two[-1].lines))  # another seed, another end
    for frame in one:
        allp = np.concatenate(frame.lines)
        np.testing.assert_allclose((allp.min(axis=0) + allp.max(axis=0)) / 2, [650.0, 450.0], atol=0.5)
        assert np.ptp(allp, axis=0).max() <= 100.5  # never bigger than the child's drawing


def test_a_redraw_shows_the_candidates_most_like_the_childs_drawing_most_alike_first():
    from app.engine.buddy import likeness, redraw
    from tests.conftest import make_tiny_vae

    vae = make_tiny_vae(name="cat", scale=60.0)
    child = [np.array([[300.0, 200.0], [300.0, 120.0], [340.0, 160.0], [380.0, 120.0], [380.0, 200.0]])]
    three, _ = redraw(vae, child, 800, 600, count=3, seed=4)
    four, _ = redraw(vae, child, 800, 600, count=4, seed=4)  # the same 32 candidates: one more shown
    alike = likeness(child, [d.lines for d in four])
    assert list(alike) == sorted(alike, reverse=True)  # most alike first
    for a, b in zip(three, four[:3]):
        assert all(np.allclose(x, y) for x, y in zip(a.lines, b.lines))
    # the likeness itself: a drawing is most like itself, and like a moved, smaller copy just as much
    moved = [line * 0.5 + 20 for line in child]
    scores = likeness(child, [child, moved, [np.array([[0.0, 0.0], [800.0, 0.0]])], []])
    assert scores[0] == 0.0 and scores[1] == pytest.approx(0.0, abs=1e-9)
    assert scores[2] < -0.05 and scores[3] == -np.inf
