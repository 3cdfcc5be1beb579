"""Stroke formats: round trips, RDP against hand-computed cases, canvas <-> box units."""

import numpy as np
import pytest

from app.engine.strokes import (
    box_to_canvas,
    canvas_to_box_lines,
    lines_to_stroke3,
    rdp,
    rdp_lines,
    simplify_raw_lines,
    stroke3_to_lines,
    stroke3_to_stroke5,
    stroke5_to_stroke3,
)

LINES = [np.array([[10.0, 10.0], [50.0, 12.0], [90.0, 40.0]]), np.array([[20.0, 80.0], [25.0, 100.0]]),
         np.array([[60.0, 60.0]])]


def test_lines_stroke3_round_trip():
    s3 = lines_to_stroke3(LINES)
    assert s3.shape == (6, 3)  # 3 + 2 + 2 (a dot is its point twice) points, minus the dropped start
    assert s3[:, 2].tolist() == [0, 1, 0, 1, 0, 1]
    back = stroke3_to_lines(s3, start=LINES[0][0])
    assert len(back) == 3
    np.testing.assert_allclose(back[0], LINES[0])
    np.testing.assert_allclose(back[1], LINES[1])
    np.testing.assert_allclose(back[2], [[60, 60], [60, 60]])


def test_stroke3_stroke5_round_trip():
    s3 = lines_to_stroke3(LINES)
    s5 = stroke3_to_stroke5(s3)
    assert s5.shape == (7, 5)
    np.testing.assert_array_equal(s5[-1], [0, 0, 0, 0, 1])
    np.testing.assert_array_equal(s5[:-1, 2:].sum(axis=1), 1)
    np.testing.assert_allclose(stroke5_to_stroke3(s5), s3)


def test_continuation_starts_with_the_pen_up():
    # a continuation from (100, 100): the first offset moves the pen without drawing
    s3 = np.array([[5.0, 0.0, 0.0], [5.0, 0.0, 1.0], [0.0, 10.0, 0.0], [3.0, 0.0, 1.0]])
    lines = stroke3_to_lines(s3, start=(100.0, 100.0), start_lifted=True)
    assert [line.tolist() for line in lines] == [[[105, 100], [110, 100]], [[110, 110], [113, 110]]]


@pytest.mark.parametrize("points, epsilon, expected", [
    # a straight line keeps only its ends
    ([[0, 0], [1, 0], [2, 0], [3, 0]], 2.0, [[0, 0], [3, 0]]),
    # a bump of 3 > 2 is kept; 1 < 2 is dropped
    ([[0, 0], [5, 3], [10, 0]], 2.0, [[0, 0], [5, 3], [10, 0]]),
    ([[0, 0], [5, 1], [10, 0]], 2.0, [[0, 0], [10, 0]]),
    # exactly at epsilon is dropped (strictly greater splits)
    ([[0, 0], [5, 2], [10, 0]], 2.0, [[0, 0], [10, 0]]),
    # an L: the corner is 7.07 from the chord, the two middles are under 2 from their chords after the split
    ([[0, 0], [5, 0.5], [10, 0], [10, 5], [10, 10]], 2.0, [[0, 0], [10, 0], [10, 10]]),
    # a closed loop (start == end): distances from the start point pick (10, 10) (14.1); then (10, 0) is
    # 7.07 from the chord (0, 0)-(10, 10) and stays
    ([[0, 0], [10, 0], [10, 10], [0, 0]], 2.0, [[0, 0], [10, 0], [10, 10], [0, 0]]),
    ([[0, 0], [5, 4], [10, 10], [5, 6], [0, 0]], 2.0, [[0, 0], [10, 10], [0, 0]]),
    ([[1, 1]], 2.0, [[1, 1]]),
    ([[1, 1], [2, 2]], 2.0, [[1, 1], [2, 2]]),
])
def test_rdp_hand_computed(points, epsilon, expected):
    np.testing.assert_allclose(rdp(np.array(points, float), epsilon), expected)


def reference_rdp(points, epsilon):
    """The textbook recursion, one interval at a time (what ``rdp`` computed before it measured every interval
    of a level at once)."""
    keep = np.zeros(len(points), bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        start, seg, inner = points[first], points[last] - points[first], points[first + 1:last]
        seg_len = np.hypot(*seg)
        dist = (np.hypot(*(inner - start).T) if seg_len == 0.0 else
                np.abs(seg[0] * (inner[:, 1] - start[1]) - seg[1] * (inner[:, 0] - start[0])) / seg_len)
        i = int(np.argmax(dist))
        if dist[i] > epsilon:
            keep[first + 1 + i] = True
            stack += [(first, first + 1 + i), (first + 1 + i, last)]
    return points[keep]


@pytest.mark.parametrize("seed", range(40))
def test_rdp_keeps_the_same_points_as_the_textbook_recursion(seed):
    """Random walks, zig-zags, loops back to the start, repeated points and integer grids (ties in distance):
    the same points, in the same order."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 400))
    kind = seed % 4
    if kind == 0:
        points = np.cumsum(rng.normal(0, 3, (n, 2)), axis=0)
    elif kind == 1:
        points = np.round(rng.uniform(0, 20, (n, 2)))
    elif kind == 2:
        points = np.cumsum(rng.normal(0, 3, (n, 2)), axis=0)
        points[-1] = points[0]
    else:
        points = np.repeat(np.round(rng.uniform(0, 50, (n // 2 + 2, 2))), 2, axis=0)
    for epsilon in (0.5, 2.0, 6.0):
        np.testing.assert_array_equal(rdp(points, epsilon), reference_rdp(points, epsilon))
    pieces = np.split(points, np.sort(rng.choice(np.arange(1, n), size=min(n - 1, 6), replace=False)))
    for got, piece in zip(rdp_lines([*pieces, points[:1]], 2.0), [*pieces, points[:1]], strict=True):
        np.testing.assert_array_equal(got, reference_rdp(piece, 2.0) if len(piece) > 2 else piece)


def test_canvas_to_box_uses_the_longest_side():
    lines = [np.array([[0.0, 0.0], [800.0, 400.0]])]
    box = canvas_to_box_lines(lines, width=800, height=400)
    np.testing.assert_allclose(box[0], [[0, 0], [255, 127.5]])
    np.testing.assert_allclose(box_to_canvas(box, 800, 400)[0], lines[0])


def test_simplify_raw_lines_fits_the_box():
    raw = [np.array([[100.0, 100.0], [300.0, 100.0], [300.0, 200.0]]), np.array([[150.0, 150.0], [150.0, 151.0]])]
    out = simplify_raw_lines(raw)
    allp = np.concatenate(out)
    assert allp.min() == 0 and allp.max() == 255
    np.testing.assert_allclose(out[0], [[0, 0], [255, 0], [255, 127.5]], atol=0.5)  # straight runs collapse


def test_shapes_compare_whatever_their_place_and_size():
    from app.engine.strokes import chamfer, chamfer_many, shape_points, shape_points_many

    square = [np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]])]
    moved = [line * 7.0 + [300.0, -40.0] for line in square]
    cross = [np.array([[0.0, 0.0], [10.0, 10.0]]), np.array([[0.0, 10.0], [10.0, 0.0]]), np.array([[5.0, 5.0]])]
    assert chamfer(shape_points(square), shape_points(moved)) < 1e-9  # the same shape, elsewhere and bigger
    assert chamfer(shape_points(square), shape_points(cross)) > 0.1
    together = shape_points_many([square, cross, moved])  # one pass gives what one drawing at a time gives
    for drawing, points in zip([square, cross, moved], together):
        np.testing.assert_allclose(points, shape_points(drawing), atol=1e-12)
    def nearest(p, q):  # the mean distance from each point of p to q's nearest, one point at a time
        return np.mean([np.hypot(*(q - point).T).min() for point in p])

    d = chamfer_many(together, together[0])
    np.testing.assert_allclose(d[1], (nearest(together[1], together[0]) + nearest(together[0], together[1])) / 2)
    assert d[0] < 1e-9 and d[2] < 1e-9
