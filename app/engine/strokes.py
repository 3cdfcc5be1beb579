"""Stroke formats and the conversions between them, as small pure functions.

Formats (names as in Magenta's sketch-rnn):
- lines:    absolute polylines, a list of strokes, each a float array of shape (n_points, 2) as [x, y].
            Canvas strokes are lines in canvas pixels; Quick, Draw! "simplified" drawings are lines in the
            0..255 box (``[[xs], [ys]]`` per stroke in the ndjson, converted by ``quickdraw_to_lines``).
- stroke-3: float array (n, 3) of [dx, dy, pen_lifted]; pen_lifted = 1 on the last point of each stroke.
            Offsets are from the previous point; the first row is the offset from the drawing's first
            point to its second (the absolute start is dropped, as sketch-rnn-js's ``linesToStrokes`` does).
- stroke-5: float array (n, 5) of [dx, dy, p_down, p_up, p_end], one-hot pen state; p_end marks the end
            of the drawing (a row with no point).

Coordinate systems (the one table; every other docstring refers here):

| system           | what it is                                            | to the next row                          |
|------------------|-------------------------------------------------------|------------------------------------------|
| canvas pixels    | the child's paper in the browser, y down              | the span mapped onto the box: the        |
|                  | (``{"width", "height"}`` of each request)              | child's guessed whole drawing when       |
|                  |                                                       | fitted (``fitting``), the canvas's       |
|                  |                                                       | longest side for a drawing from scratch  |
|                  |                                                       | (``box_to_canvas``, ``canvas_to_box``)   |
| box units        | Quick, Draw!'s 0..255 box (``BOX``): the simplified   | divide by the decoder's                  |
|                  | data, RDP at ``RDP_EPSILON``, the classifier's render | ``box_scale_factor``                     |
| model units      | what a decoder reads and writes: box offsets / its    | -                                        |
|                  | scale factor (the std of its training offsets)        |                                          |
| Google's scale   | the data Magenta's decoders learnt from: about        | ``GEN_JSON_DATA_SCALE`` of its units per |
|                  | ``decoder.GEN_JSON_DATA_SCALE`` (2.8) times the       | unit, folded into their                  |
|                  | box; their files state no scale                       | ``box_scale_factor`` when loaded         |
"""

from __future__ import annotations

import numpy as np

BOX = 255.0  # Quick, Draw!'s coordinate box: drawings are scaled so their longest side spans 0..255
RDP_EPSILON = 2.0  # Google's Ramer-Douglas-Peucker tolerance for the simplified data, in box units


def rdp(points: np.ndarray, epsilon: float = RDP_EPSILON) -> np.ndarray:
    """Ramer-Douglas-Peucker simplification of one polyline (n, 2) -> (m, 2); endpoints are always kept."""
    return rdp_lines([points], epsilon)[0]


def rdp_lines(lines: list[np.ndarray], epsilon: float = RDP_EPSILON) -> list[np.ndarray]:
    """``rdp`` of each line, all at once: every interval still to split, of every line, is measured in one NumPy
    pass per level of the recursion. (A loop over intervals held the interpreter for seconds on a 9,000-point
    drawing, and every other request waited.)"""
    lines = [np.asarray(line, dtype=np.float64).reshape(-1, 2) for line in lines]
    if not lines:
        return []
    lengths = np.array([len(line) for line in lines])
    ends = np.cumsum(lengths)
    points = np.concatenate(lines)
    keep = np.zeros(len(points), dtype=bool)
    keep[ends[lengths > 0] - 1] = keep[(ends - lengths)[lengths > 0]] = True
    firsts, lasts = ends - lengths, ends - 1
    while len(firsts):
        wide = lasts - firsts >= 2
        firsts, lasts = firsts[wide], lasts[wide]
        if not len(firsts):
            break
        counts = lasts - firsts - 1  # inner points of each interval, laid side by side
        bounds = np.cumsum(counts) - counts
        owner = np.repeat(np.arange(len(firsts)), counts)
        inner = firsts[owner] + 1 + np.arange(int(counts.sum())) - bounds[owner]
        start, seg = points[firsts][owner], (points[lasts] - points[firsts])[owner]
        seg_len = np.hypot(seg[:, 0], seg[:, 1])
        rel = points[inner] - start
        dist = np.where(seg_len == 0.0, np.hypot(rel[:, 0], rel[:, 1]),  # else the distance to the line
                        np.abs(seg[:, 0] * rel[:, 1] - seg[:, 1] * rel[:, 0]) / np.where(seg_len == 0.0, 1.0, seg_len))
        best = np.maximum.reduceat(dist, bounds)
        at_best = np.flatnonzero(dist == best[owner])  # the first farthest point of each interval splits it
        at_best = at_best[np.r_[True, owner[at_best][1:] != owner[at_best][:-1]]]
        split = best > epsilon
        middles = inner[at_best][split]
        keep[middles] = True
        firsts, lasts = np.r_[firsts[split], middles], np.r_[middles, lasts[split]]
    return [points[a:b][keep[a:b]] for a, b in zip(ends - lengths, ends)]


def quickdraw_to_lines(drawing: list) -> list[np.ndarray]:
    """Quick, Draw! ndjson ``drawing`` ([[xs], [ys](, [ts])] per stroke) -> lines [(n, 2) float arrays]."""
    return [np.stack([np.asarray(s[0], np.float64), np.asarray(s[1], np.float64)], axis=1) for s in drawing]


def normalize_lines(lines: list[np.ndarray], size: float = BOX) -> list[np.ndarray]:
    """Align lines to the top-left corner and scale uniformly so the longest side spans 0..size."""
    allp = np.concatenate(lines)
    low = allp.min(axis=0)
    extent = float((allp.max(axis=0) - low).max())
    scale = size / extent if extent > 0 else 1.0
    return [(line - low) * scale for line in lines]


def resample_line(line: np.ndarray, spacing: float = 1.0) -> np.ndarray:
    """Resample a polyline at (about) equal arc-length spacing, keeping both endpoints."""
    seg = np.hypot(*np.diff(line, axis=0).T)
    total = seg.sum()
    if len(line) < 2 or total == 0.0:
        return line.copy()
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    at = np.linspace(0.0, total, max(int(np.ceil(total / spacing)) + 1, 2))
    return np.stack([np.interp(at, arc, line[:, 0]), np.interp(at, arc, line[:, 1])], axis=1)


def simplify_raw_lines(lines: list[np.ndarray]) -> list[np.ndarray]:
    """Google's recipe for the 'simplified' data set: align, scale to 0..255, resample at 1 px, RDP 2.0."""
    return [np.round(line) for line in rdp_lines([resample_line(line) for line in normalize_lines(lines)])]


def canvas_to_box_lines(lines: list[np.ndarray], width: float, height: float,
                        simplify: bool = True) -> list[np.ndarray]:
    """Canvas-pixel lines -> box-unit lines (canvas's longest side = 255), simplified by RDP epsilon 2.0 (unless
    ``simplify`` is False). Empty lines are dropped."""
    scale = BOX / max(width, height)
    lines = [np.asarray(line, np.float64).reshape(-1, 2) * scale for line in lines if len(line)]
    return rdp_lines(lines) if simplify else lines


def lines_to_stroke3(lines: list[np.ndarray]) -> np.ndarray:
    """lines -> stroke-3 (n, 3); single-point strokes become dots (the point repeated)."""
    rows = []
    for line in lines:
        line = np.asarray(line, np.float64).reshape(-1, 2)
        if len(line) == 1:
            line = np.repeat(line, 2, axis=0)
        if len(line) == 0:
            continue
        pen = np.zeros((len(line), 1))
        pen[-1] = 1.0
        rows.append(np.concatenate([line, pen], axis=1))
    if not rows:
        return np.zeros((0, 3))
    absolute = np.concatenate(rows)
    stroke3 = absolute.copy()
    stroke3[1:, :2] = np.diff(absolute[:, :2], axis=0)
    return stroke3[1:]  # the absolute start is not an offset


def stroke3_to_lines(stroke3: np.ndarray, start=(0.0, 0.0), start_lifted: bool = False) -> list[np.ndarray]:
    """stroke-3 (n, 3) -> lines, the offsets taken from the absolute point ``start``.

    With ``start_lifted`` False the start point is the drawing's first point (the one ``lines_to_stroke3``
    dropped); with True the pen is up there, so the start is not drawn (a continuation of a drawing).
    """
    stroke3 = np.asarray(stroke3, np.float64).reshape(-1, 3)
    start = np.asarray(start, np.float64).reshape(1, 2)
    points = np.concatenate([start, start + np.cumsum(stroke3[:, :2], axis=0)])
    lifted = np.concatenate([[1.0 if start_lifted else 0.0], stroke3[:, 2]])
    lines, begin = [], 0
    for end in np.flatnonzero(lifted > 0.5):
        lines.append(points[begin:end + 1])
        begin = end + 1
    if begin < len(points):
        lines.append(points[begin:])
    return lines[1:] if start_lifted else lines


def stroke3_to_stroke5(stroke3: np.ndarray, end: bool = True) -> np.ndarray:
    """stroke-3 (n, 3) -> stroke-5 (n [+1], 5); with ``end`` an end-of-drawing row [0, 0, 0, 0, 1] is added."""
    stroke3 = np.asarray(stroke3, np.float64).reshape(-1, 3)
    n = len(stroke3)
    out = np.zeros((n + int(end), 5))
    out[:n, :2] = stroke3[:, :2]
    out[:n, 3] = stroke3[:, 2]
    out[:n, 2] = 1.0 - stroke3[:, 2]
    if end:
        out[n, 4] = 1.0
    return out


def stroke5_to_stroke3(stroke5: np.ndarray) -> np.ndarray:
    """stroke-5 (n, 5) -> stroke-3 (m, 3), stopping at the first end-of-drawing row."""
    stroke5 = np.asarray(stroke5, np.float64).reshape(-1, 5)
    ends = np.flatnonzero(stroke5[:, 4] > 0.5)
    if len(ends):
        stroke5 = stroke5[:ends[0]]
    return np.concatenate([stroke5[:, :2], stroke5[:, 3:4]], axis=1)


def box_to_canvas(lines: list[np.ndarray], width: float, height: float) -> list[np.ndarray]:
    """Box-unit lines -> canvas-pixel lines (inverse scale of ``canvas_to_box_lines``)."""
    scale = max(width, height) / BOX
    return [np.asarray(line, np.float64) * scale for line in lines]


SHAPE_STEP = 0.02  # ``shape_points``: lines resampled every this share of the drawing's longest side


def even_points(lines, spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points along the lines every ``spacing`` pixels (their vertices for a dot), (n, 2); each line's length (0
    for a dot); and the line each point lies on (its index in ``lines``). Each line is sampled evenly along its
    length, all lines in one pass (laid end to end on one arc-length axis, a gap of 1 between lines so no sample
    falls between two of them); the points of the lines come first, in order, then the dots'."""
    lines = [np.asarray(line, np.float64).reshape(-1, 2) for line in lines]
    lengths = np.zeros(len(lines))
    dot_ids = [i for i, line in enumerate(lines) if len(line) < 2]
    dots = [lines[i] for i in dot_ids]
    dot_owner = np.repeat(np.asarray(dot_ids, np.int64), [len(d) for d in dots])
    dot_points = np.concatenate(dots) if dots else np.zeros((0, 2))
    line_ids = np.asarray([i for i, line in enumerate(lines) if len(line) >= 2], np.int64)
    if not len(line_ids):
        return dot_points, lengths, dot_owner
    lines = [lines[i] for i in line_ids]
    pts = np.concatenate(lines)
    sizes = np.array([len(line) for line in lines])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])  # each line's first row in pts
    seg = np.hypot(*np.diff(pts, axis=0).T)
    seg[first[1:] - 1] = 0.0  # no length from one line's end to the next line's start
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    drawn = arc[first + sizes - 1] - arc[first]
    arc = arc + np.repeat(np.arange(len(lines), dtype=np.float64), sizes)  # the gap between lines
    counts = np.maximum(2, (drawn / max(spacing, 1e-6)).astype(int) + 1)
    line_of = np.repeat(np.arange(len(lines)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    at = arc[first][line_of] + drawn[line_of] * k / (counts[line_of] - 1)
    sampled = np.stack([np.interp(at, arc, pts[:, 0]), np.interp(at, arc, pts[:, 1])], axis=1)
    lengths[line_ids] = drawn
    return np.concatenate([sampled, dot_points]), lengths, np.concatenate([line_ids[line_of], dot_owner])


def shape_points(lines: list[np.ndarray]) -> np.ndarray:
    """A drawing's shape, whatever its place and size: its lines as evenly spaced points (``even_points``, every
    SHAPE_STEP), scaled so its longest side is 1 and centred on 0, (n, 2). What ``chamfer`` compares."""
    return shape_points_many([lines])[0]


def shape_points_many(drawings: list[list[np.ndarray]]) -> list[np.ndarray]:
    """``shape_points`` of several drawings (each with a point), all their lines resampled in one pass."""
    normalised, owner = [], []
    for k, lines in enumerate(drawings):
        lines = [np.asarray(line, np.float64).reshape(-1, 2) for line in lines if len(line)]
        allp = np.concatenate(lines)
        low, high = allp.min(axis=0), allp.max(axis=0)
        scale = 1.0 / max(float((high - low).max()), 1e-9)
        normalised += [(line - (low + high) / 2) * scale for line in lines]
        owner += [k] * len(lines)
    points, _, line = even_points(normalised, SHAPE_STEP)
    drawing = np.asarray(owner, np.int64)[line]
    order = np.argsort(drawing, kind="stable")  # each drawing's points, in even_points' order
    return np.split(points[order], np.cumsum(np.bincount(drawing, minlength=len(drawings)))[:-1])


def chamfer(a: np.ndarray, b: np.ndarray) -> float:
    """Symmetric chamfer distance of two point sets (``shape_points``): how unlike two shapes are."""
    return float(chamfer_many([a], b)[0])


def chamfer_many(shapes: list[np.ndarray], b: np.ndarray) -> np.ndarray:
    """``chamfer`` of each of ``shapes`` with ``b``: the mean distance from each point of one to the other's
    nearest, both ways, averaged."""
    bb, minus_2b = (b * b).sum(1)[None, :], -2.0 * b.T
    out = np.empty(len(shapes))
    for i, a in enumerate(shapes):
        d2 = a @ minus_2b  # squared distances, by BLAS (in place, no temporaries) ...
        d2 += (a * a).sum(1)[:, None]
        d2 += bb
        # ... whose rounding would leave a point on the other a hair away (or a hair below 0)
        near_a, near_b = (np.sqrt(np.where(m < 1e-12, 0.0, m)) for m in (d2.min(axis=1), d2.min(axis=0)))
        out[i] = (near_a.mean() + near_b.mean()) / 2
    return out


def progress(shapes: list[np.ndarray], start: np.ndarray, end: np.ndarray) -> list[float]:
    """How far along the way from ``start`` to ``end`` each shape is (``shape_points``), 0 (like the start) .. 1
    (like the end): d(start) / (d(start) + d(end)) by ``chamfer``."""
    if not shapes:
        return []
    to_start, to_end = chamfer_many(shapes, start), chamfer_many(shapes, end)
    return (to_start / np.maximum(to_start + to_end, 1e-12)).tolist()
