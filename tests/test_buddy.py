"""Canvas-level features: finish a half-drawn cat, variations, hints, drawing from scratch."""

import numpy as np
import pytest

from app import buddy
from app.strokes import normalize_lines, stroke3_to_lines

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
    from app.buddy import redraw
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
