"""Fit Buddy's drawing to the child's: how big the child's whole drawing will be, and which endings to show.

A child draws at any size, anywhere on the paper; a decoder draws at the size it was trained on (the longest side
of a whole drawing spans Quick, Draw!'s 0..255 box). So the engine
1. guesses the extent of the child's *whole* drawing from what is drawn so far: the part's extent divided by the
   share of the whole that such a part usually spans (``extent_ratio_table``, learnt per object from real
   drawings and stored in the decoder's file; ``whole_extents`` gives a few hypotheses from its quantiles);
2. primes the decoder with the child's strokes scaled so that whole spans the box, samples many candidates in one
   batch, and maps them back at the child's scale from where the child's last stroke ended (``app.engine.buddy``);
3. scores the candidates (``describe``) and shows the best (``select``): endings that stay on the paper first, then
   the ones the classifier recognises as the object, that do not scribble over the child's strokes, that are not
   tiny or degenerate and that make a whole of the guessed size; several variations also differ from one another.
   If no candidate stays on the paper, the least bad one is shrunk towards its start until it fits
   (``shrink_to_paper``): what the model drew keeps its shape, never clipped or squashed.

Everything here is pure NumPy on canvas-pixel lines ((n, 2) arrays), deterministic.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from app.engine.strokes import even_points, rdp_lines, stroke3_to_lines
from app.engine.tuning import TUNING

QUANTILES = (0.25, 0.5, 0.75)  # the share-of-the-whole quantiles kept per object: three size hypotheses
STROKE_BUCKETS = 4  # ratios are kept for parts of 1, 2, 3 and 4+ strokes
# Pooled over the 23 shipped objects' real train drawings (``python -m training.fit_placement --pooled``):
# the fallback for a decoder whose file carries no table (Google's .gen.json decoders).
DEFAULT_RATIOS = {"1": [0.306, 0.51, 0.769], "2": [0.455, 0.685, 0.922], "3": [0.541, 0.78, 1.0],
                  "4": [0.694, 0.918, 1.0]}


def extent(lines) -> float:
    """The longest side of the lines' bounding box (0 for no points)."""
    pts = [np.asarray(line, np.float64).reshape(-1, 2) for line in lines if len(line)]
    if not pts:
        return 0.0
    allp = np.concatenate(pts)
    return float((allp.max(axis=0) - allp.min(axis=0)).max())


def part_ratios(stroke3: np.ndarray) -> list[tuple[int, float]]:
    """(strokes drawn, share of the whole's extent they span) for every beginning of one drawing (stroke-3): its
    first k strokes for k = 1 .. n-1, or the first half of its points when it is one stroke."""
    lines = stroke3_to_lines(stroke3, (0.0, 0.0))
    whole = extent(lines)
    if whole <= 0:
        return []
    if len(lines) == 1:
        return [(1, min(extent([lines[0][: max(2, len(lines[0]) // 2)]]) / whole, 1.0))]
    return [(k, min(extent(lines[:k]) / whole, 1.0)) for k in range(1, len(lines))]


def extent_ratio_table(drawings) -> dict:
    """Per number of strokes drawn (1, 2, 3, 4+), the ``QUANTILES`` of the share of the whole drawing's extent
    that its beginnings span, over stroke-3 drawings; a bucket with under 10 beginnings takes the pooled ones."""
    pairs = [p for d in drawings for p in part_ratios(d)]
    if not pairs:
        return {}
    table = np.asarray(pairs, np.float64)
    pooled = np.quantile(table[:, 1], QUANTILES)
    out, counts = {}, {}
    for k in range(1, STROKE_BUCKETS + 1):
        rows = table[np.minimum(table[:, 0], STROKE_BUCKETS) == k, 1]
        counts[str(k)] = int(len(rows))
        out[str(k)] = [round(float(q), 3) for q in (np.quantile(rows, QUANTILES) if len(rows) >= 10 else pooled)]
    return {"quantiles": list(QUANTILES), "ratios": out, "beginnings": counts, "drawings": len(drawings)}


def whole_extents(lines_px, table: dict | None, width: float, height: float) -> list[float]:
    """Hypotheses (largest first, the median in the middle) for the extent in pixels of the child's whole drawing,
    from the extent of the part drawn and the object's ratio table (``DEFAULT_RATIOS`` without one)."""
    ratios = (table or {}).get("ratios") or DEFAULT_RATIOS
    strokes = max(1, min(len([line for line in lines_px if len(line)]), STROKE_BUCKETS))
    part = max(extent(lines_px), 1.0)
    low, high = TUNING.min_whole * min(width, height), max(part, TUNING.max_whole * min(width, height))
    return [float(np.clip(part / max(r, 1e-3), low, high)) for r in ratios[str(strokes)]]


@dataclass
class Look:
    """What one candidate ending looks like next to the child's drawing, in pixels (``describe``)."""

    on_paper: bool  # every point of the ending is on the paper
    overflow: float  # how far its farthest point is off the paper, a share of the whole's extent (0 on it)
    ink: float  # its length of ink, a share of the whole's extent
    tiny: float  # the share of its strokes that are dots or dashes
    over_child: float  # the share of its ink that runs over the child's strokes
    size_error: float  # |log(extent of child + ending / the guessed whole's extent)|
    recognised: float  # the classifier's probability that child + ending is the object (1 without a classifier)
    ink_points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False, compare=False)

    def score(self, recognition: float = TUNING.recognition_weight) -> float:
        """Higher is better, among endings on the paper (``select`` puts those first); ``recognition`` weighs how
        much the classifier's probability counts."""
        degenerate = self.ink < TUNING.degenerate_ink
        t = TUNING
        return (recognition * math.log(max(self.recognised, 0.01)) - t.weight_over_child * self.over_child
                - t.weight_tiny * self.tiny - t.weight_degenerate * degenerate - t.weight_size_error * self.size_error)


def _near(points: np.ndarray, lines, distance: float) -> np.ndarray:
    """For each point, whether it lies within ``distance`` of a segment of ``lines``."""
    segs = [np.asarray(line, np.float64).reshape(-1, 2) for line in lines if len(line)]
    if not segs or not len(points):
        return np.zeros(len(points), bool)
    a = np.concatenate([s[:-1] if len(s) > 1 else s for s in segs])
    b = np.concatenate([s[1:] if len(s) > 1 else s for s in segs])
    ab = b - a
    ap = points[:, None, :] - a[None]
    t = np.clip((ap * ab[None]).sum(2) / np.maximum((ab * ab).sum(1), 1e-12), 0.0, 1.0)
    d = ap - t[..., None] * ab[None]
    return (d * d).sum(2).min(1) <= distance * distance


def simplify_child(child, whole: float) -> list[np.ndarray]:
    """The child's lines simplified to what ``describe`` needs for a whole of ``whole`` pixels (done once)."""
    return rdp_lines([line for line in child if len(line)], whole * TUNING.overlap_near / 2)


def describe(child, ending, whole: float, width: float, height: float, recognised: float = 1.0) -> Look:
    """How one ending (pixel lines) looks beside the child's lines (best ``simplify_child``-ed for speed), for a
    guessed whole of ``whole`` pixels."""
    [look] = describe_many([child], [ending], [0], [whole], width, height)
    return dataclasses.replace(look, recognised=recognised)


def describe_many(children, endings, hypotheses, wholes, width: float, height: float) -> list[Look]:
    """``describe`` for many endings: ending i beside ``children[hypotheses[i]]`` for a whole of
    ``wholes[hypotheses[i]]`` pixels, the endings of one hypothesis measured together (a few NumPy passes, not a
    few per ending)."""
    looks: list = [None] * len(endings)
    for h in sorted(set(hypotheses)):
        child, whole = children[h], wholes[h]
        members = [i for i, hyp in enumerate(hypotheses) if hyp == h]
        mine = {i: [np.asarray(line, np.float64).reshape(-1, 2) for line in endings[i] if len(line)] for i in members}
        lines = [line for i in members for line in mine[i]]
        line_of = np.repeat(members, [len(mine[i]) for i in members])  # the ending each line belongs to
        if lines:
            ink, lengths, owner = even_points(lines, whole / 32)
            point_of = line_of[owner]
            near = _near(ink, child, whole * TUNING.overlap_near)
        for i in members:
            if not mine[i]:
                looks[i] = Look(True, 0.0, 0.0, 0.0, 0.0, abs(math.log(max(extent(child), 1.0) / whole)), 1.0)
                continue
            allp = np.concatenate(mine[i])
            beyond = np.maximum(np.maximum(-allp, allp - [width, height]), 0.0).max()
            at, own = point_of == i, lengths[line_of == i]
            total = extent([*child, allp])
            looks[i] = Look(bool(beyond <= 0), float(beyond / whole), float(own.sum()) / whole,
                            float((own < TUNING.tiny_stroke * whole).mean()),
                            float(near[at].mean()) if at.any() else 0.0,
                            abs(math.log(max(total, 1.0) / whole)), 1.0, ink[at])
    return looks


def _grid(points: np.ndarray, low, span) -> np.ndarray:
    """An ending's ink points as a normalised occupancy grid over the box (low, low + span): what ``select``
    compares."""
    grid = np.zeros((TUNING.similar_grid, TUNING.similar_grid))
    if len(points):
        cells = np.clip(((points - low) / span * TUNING.similar_grid).astype(int), 0, TUNING.similar_grid - 1)
        np.add.at(grid, (cells[:, 1], cells[:, 0]), 1.0)
    norm = np.linalg.norm(grid)
    return grid / norm if norm > 0 else grid


def standing(look: Look, recognition: float = TUNING.recognition_weight) -> float:
    """What ``select`` ranks an ending by before likeness: on the paper before off it (then least overflow), then
    ``Look.score``."""
    return (0.0 if look.on_paper else -100.0 - 10.0 * look.overflow) + look.score(recognition)


def select(looks: list[Look], n: int, diversity: float = 1.0,
           recognition: float = TUNING.recognition_weight) -> list[int]:
    """Indices of the ``n`` endings to show, best first: on the paper before off it (then least overflow), best
    ``Look.score`` (``recognition`` weighs the classifier's opinion); each pick after the first also pays
    ``diversity`` times its likeness to those already picked (their ink on a coarse grid), so variations differ.
    Deterministic: ties go to the earlier candidate."""
    base = [standing(look, recognition) for look in looks]
    pts = [look.ink_points for look in looks if len(look.ink_points)]
    grids = None
    if pts and diversity and n > 1:
        allp = np.concatenate(pts)
        low, span = allp.min(axis=0), max(float((allp.max(axis=0) - allp.min(axis=0)).max()), 1.0)
        grids = [_grid(look.ink_points, low, span) for look in looks]
    chosen: list[int] = []
    while len(chosen) < min(n, len(looks)):
        best, best_value = -1, -math.inf
        for i, value in enumerate(base):
            if i in chosen:
                continue
            if grids is not None:
                value -= diversity * max((float((grids[i] * grids[j]).sum()) for j in chosen), default=0.0)
            if value > best_value:
                best, best_value = i, value
        chosen.append(best)
    return chosen


def shrink_to_paper(ending, anchor, width: float, height: float) -> list[np.ndarray]:
    """The ending scaled about ``anchor`` (where it starts: the child's last point, on the paper) by the largest
    factor <= 1 that puts every point on the paper: its shape kept, never clipped or squashed."""
    pts = [np.asarray(line, np.float64).reshape(-1, 2) for line in ending]
    if not any(len(p) for p in pts):
        return pts
    a = np.clip(np.asarray(anchor, np.float64).reshape(2), [0.0, 0.0], [width, height])
    d = np.concatenate([p for p in pts if len(p)]) - a
    limit = np.array([width, height]) - a
    factor = 1.0
    for axis in (0, 1):
        pos, neg = d[:, axis] > 1e-9, d[:, axis] < -1e-9
        if pos.any():
            factor = min(factor, float((limit[axis] / d[pos, axis]).min()))
        if neg.any():
            factor = min(factor, float((-a[axis] / d[neg, axis]).min()))
    factor = max(factor, 0.0)
    return [np.clip(a + (p - a) * factor, [0.0, 0.0], [width, height]) if len(p) else p for p in pts]
