"""The 28x28 renderer against Google's numpy_bitmap files."""

import numpy as np
import pytest

from app.engine.render import CHUNK, render, render_many
from tests.conftest import need
from training.data import read_ndjson
from training.paths import QUICKDRAW_DIR, SHARED


def test_blank_and_centred():
    assert render([]).sum() == 0
    img = render([np.array([[0.0, 0.0], [100.0, 0.0]])])
    # a horizontal line is centred vertically and spans the width between the margins
    rows = np.flatnonzero(img.sum(axis=1))
    assert rows.min() + rows.max() == 27
    assert img.max() > 150 and img[:, 0].sum() == 0 and img[:, -1].sum() == 0
    np.testing.assert_array_equal(img, img[:, ::-1])


@pytest.mark.shared
@pytest.mark.parametrize("cls", ["cat", "bicycle", "apple", "fish"])
def test_ink_statistics_match_googles_bitmaps(cls):
    google = np.load(need(SHARED / "data" / "quickdraw_bitmaps" / f"{cls}.npy")).reshape(-1, 784) / 255.0
    ours = np.array([render(d["lines"]).reshape(-1) / 255.0
                     for d in read_ndjson(need(QUICKDRAW_DIR / f"{cls}.ndjson"), limit=300)])
    assert abs(ours.mean() - google.mean()) < 0.1 * google.mean()  # total ink (line thickness)
    assert abs((ours > 0).mean() - (google > 0).mean()) < 0.1 * (google > 0).mean()  # inked area
    assert abs((ours == 1).mean() - (google == 1).mean()) < 0.3 * (google == 1).mean()  # solid core


def test_a_huge_drawing_renders_in_bounded_memory():
    import tracemalloc

    rng = np.random.default_rng(0)  # 300 scribbled strokes, 10,000 points: the most one request may send
    lines = [np.cumsum(rng.normal(0, 3, (33, 2)), axis=0) + rng.uniform(0, 400, 2) for _ in range(300)]
    tracemalloc.start()
    image = render(lines)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert image.shape == (28, 28) and image.max() == 255
    assert peak < 30e6  # was 362 MB with every pixel-segment distance held at once


def test_a_bitmap_read_one_byte_late_is_moved_back_and_a_good_one_is_left_alone():
    from training.data import realign

    cat = render([np.array([[0.0, 0.0], [255.0, 60.0], [120.0, 120.0], [0.0, 0.0]])])  # wider than tall
    late = np.concatenate([[0], cat.reshape(-1)[:-1]]).reshape(28, 28)  # the file cut one byte off
    assert late[:, -1].any() and not cat[:, -1].any()
    fixed = realign(np.stack([late, cat]))
    assert (fixed[0] == cat).all() and (fixed[1] == cat).all()


def test_a_batch_of_drawings_renders_each_exactly_as_alone():
    """The classifier's candidates are rendered together: small ones share one product, a big one goes alone."""
    rng = np.random.default_rng(3)
    drawings = [[rng.normal(0, 40, (rng.integers(1, 30), 2)).cumsum(0) for _ in range(rng.integers(1, 6))]
                for _ in range(12)]
    drawings[4] = []  # nothing drawn: blank
    drawings[7] = [rng.normal(0, 5, (3 * CHUNK, 2)).cumsum(0)]  # more segments than one chunk
    batch = render_many(drawings)
    assert batch.shape == (12, 28, 28) and not batch[4].any()
    for drawing, image in zip(drawings, batch):
        np.testing.assert_array_equal(image, render(drawing))
