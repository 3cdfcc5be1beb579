"""The 28x28 rendering the classifier sees, made the way Google made Quick, Draw!'s ``numpy_bitmap`` files.

Google rendered each *simplified* drawing (aligned top-left, longest side 0..255) with cairo: the drawing is
centred in a 256 box, drawn with round caps and joins at a line diameter of 16 box units, with 16 units of
padding plus half a line on every side, and scaled to 28x28 (28 / (256 + 2*16 + 16)), anti-aliased,
255 = ink. (Recipe from the quickdraw-dataset maintainers' answer on how the bitmaps were made.)
Here the same geometry is drawn with a distance field: a pixel's ink is its estimated coverage by the
thick line, ``clip((radius - distance) / EDGE + 0.5, 0, 1)``, measured at the pixel's centre. The same function
serves training and serving, so the classifier always sees what it was trained on.
"""

from __future__ import annotations

import numpy as np

from app.engine.strokes import normalize_lines, rdp_lines

SIDE = 28  # output bitmap side, pixels
ORIGINAL_SIDE = 256.0  # the box the simplified drawing is centred in
LINE_DIAMETER = 16.0  # pen width in box units
PADDING = 16.0  # margin on each side, in box units, beyond half the pen width
SCALE = SIDE / (ORIGINAL_SIDE + 2 * PADDING + LINE_DIAMETER)  # box units -> output pixels
EDGE = 1.1  # anti-aliasing ramp width, output pixels: matched to the ink statistics of Google's bitmaps
MAX_POINTS = 2000  # a denser drawing is simplified first (RDP), so its cost is bounded whatever was sent
SIMPLIFY = (0.5, 1.0, 2.0, 4.0)  # RDP tolerances tried in turn, box units (0.05-0.4 output pixels)
CHUNK = 256  # segments measured at once: memory stays ~784 x CHUNK floats whatever the drawing's size

_CENTRES = (np.stack(np.meshgrid(np.arange(SIDE), np.arange(SIDE), indexing="xy"), axis=-1).reshape(-1, 2)
            + 0.5).astype(np.float32)  # (784, 2) pixel centres as (x, y), row-major like the bitmaps
_CENTRES2 = (_CENTRES * _CENTRES).sum(axis=1)[:, None]  # (784, 1) their squared lengths


def _bounded(lines: list[np.ndarray]) -> list[np.ndarray]:
    """Lines with at most MAX_POINTS points: unchanged when they have (as real drawings do), else simplified
    with the smallest tolerance that gets there (the largest one's result if none does)."""
    for epsilon in SIMPLIFY:
        if sum(len(line) for line in lines) <= MAX_POINTS:
            break
        lines = rdp_lines(lines, epsilon)
    return lines


def _segments(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Lines -> segment starts and ends (S, 2); a single point becomes a zero-length segment (a dot)."""
    starts, ends = [], []
    for line in lines:
        line = np.asarray(line, np.float64).reshape(-1, 2)
        if len(line) == 1:
            line = np.repeat(line, 2, axis=0)
        starts.append(line[:-1])
        ends.append(line[1:])
    return np.concatenate(starts), np.concatenate(ends)


def render(lines: list[np.ndarray]) -> np.ndarray:
    """Absolute lines in any units -> uint8 bitmap (28, 28), 0 = background, 255 = ink; blank if no points."""
    return render_many([lines])[0]


def render_many(drawings: list[list[np.ndarray]]) -> np.ndarray:
    """Several drawings (each a list of lines, any units) -> uint8 bitmaps (n, 28, 28), each as ``render`` makes it.
    Small drawings share one distance computation (their segments side by side, at most CHUNK at once): a
    classifier's batch of candidates costs a few matrix products, not a few per drawing."""
    out = np.zeros((len(drawings), SIDE * SIDE), np.uint8)
    placed = [(i, *placed_segments(lines)) for i, lines in enumerate(drawings) if any(len(ln) for ln in lines)]
    group: list[tuple] = []
    for item in [*placed, None]:
        if group and (item is None or sum(len(g[1]) for g in group) + len(item[1]) > CHUNK):
            nearest = _nearest(group)
            out[[g[0] for g in group]] = _ink(nearest).T
            group = []
        if item is not None:
            group.append(item)
    return out.reshape(len(drawings), SIDE, SIDE)


def placed_segments(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """A drawing's segments in output pixels, placed as Google placed its drawings (centred, padded)."""
    lines = [np.asarray(line, np.float64).reshape(-1, 2) for line in lines if len(line)]
    lines = _bounded(normalize_lines(lines))
    extent = np.concatenate(lines).max(axis=0)
    offset = (ORIGINAL_SIDE - extent) / 2.0 + PADDING + LINE_DIAMETER / 2.0
    return _segments([(line + offset) * SCALE for line in lines])


def _nearest(group: list[tuple]) -> np.ndarray:
    """Squared distance (784, len(group)) from each pixel centre to each drawing's nearest segment: one drawing
    a chunk of segments at a time, or several small ones in one product."""
    if len(group) == 1:
        _, a, b = group[0]
        nearest = np.full(len(_CENTRES), np.inf, np.float32)
        for i in range(0, len(a), CHUNK):
            nearest = np.minimum(nearest, squared_distances(a[i:i + CHUNK], b[i:i + CHUNK]).min(axis=1))
        return nearest[:, None]
    starts = np.cumsum([0] + [len(g[1]) for g in group[:-1]])
    d2 = squared_distances(np.concatenate([g[1] for g in group]), np.concatenate([g[2] for g in group]))
    return np.minimum.reduceat(d2, starts, axis=1)


def _ink(nearest: np.ndarray) -> np.ndarray:
    """Squared distances to the line's centre -> uint8 ink (anti-aliased coverage of the thick line)."""
    ink = np.clip((LINE_DIAMETER * SCALE / 2.0 - np.sqrt(nearest)) / EDGE + 0.5, 0.0, 1.0)
    return np.round(ink * 255.0).astype(np.uint8)


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared distance (P, S) from every pixel centre to every segment a->b (S, 2), from dot products (matrix
    products, no (P, S, 2) temporaries): with t the clipped projection,
    |ap - t ab|^2 = |ap|^2 - 2t ap.ab + t^2|ab|^2. In float32 (output pixels are 0..28: about 1e-4 pixel)."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    ab = b - a
    length2 = np.maximum((ab * ab).sum(axis=1), np.float32(1e-12))  # (S,)
    ap_ab = _CENTRES @ ab.T - (a * ab).sum(axis=1)  # (P, S): (p - a) . ab
    ap2 = _CENTRES2 - 2.0 * (_CENTRES @ a.T) + (a * a).sum(axis=1)  # |p - a|^2
    t = np.clip(ap_ab / length2, 0.0, 1.0)
    return np.maximum(ap2 - 2.0 * t * ap_ab + t * t * length2, 0.0)
