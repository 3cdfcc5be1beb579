"""What the features ask of a decoder, in canvas pixels: finish a drawing, show variations, hint, draw it.

Data flow: canvas lines -> box units (the child's guessed whole drawing spans the box, ``app.engine.fitting``),
RDP-simplified -> stroke-5 -> prime the LSTM -> sample candidates in one batch -> back to canvas pixels at the
child's scale, starting where the child's last stroke ended -> the best shown (``fitting.select``).
"""

from __future__ import annotations

import dataclasses
import math
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from app.engine import fitting
from app.engine.decoder import Decoder, batch_bucket, encode, prime_many, sample_states
from app.engine.render import render_many
from app.engine.strokes import (
    BOX,
    box_to_canvas,
    chamfer_many,
    lines_to_stroke3,
    rdp_lines,
    shape_points,
    shape_points_many,
    stroke3_to_lines,
    stroke3_to_stroke5,
    stroke5_to_stroke3,
)
from app.engine.strokes import progress as strokes_progress
from app.engine.tuning import TUNING


@dataclass
class Completion:
    """New strokes for the canvas and whether the model ended the drawing."""

    lines: list[np.ndarray]  # canvas-pixel polylines, each (n, 2)
    finished: bool
    shrunk: bool = False  # no candidate stayed on the paper: this one was shrunk towards its start to fit


def new_seed() -> int:
    """A fresh random seed for a request that gave none."""
    return secrets.randbits(31)


def variation_seeds(seed: int, n: int) -> list:
    """Per-variation seeds: variation i of request seed s is the run with seed (s, i)."""
    return [[seed, i] for i in range(n)]


def candidates_for(variations: int) -> int:
    """Candidates sampled (one batch) to show ``variations`` endings: at least ``TUNING.candidates_per_ending`` times as
    many and at least ``TUNING.candidates_min``, padded to the batch size the compiled loop runs anyway
    (``decoder.batch_bucket``)."""
    return batch_bucket(max(TUNING.candidates_min, TUNING.candidates_per_ending * variations))


@dataclass
class Fit:
    """How the child's drawing is put to the decoder: one primed state per size hypothesis."""

    states: list  # (c, h, x) per hypothesis, largest whole first
    wholes: list[float]  # the hypotheses: extent of the whole drawing in pixels
    anchor: np.ndarray | None  # the child's last point, pixels (None: drawing from scratch)
    used: int  # stroke-5 rows primed
    child: list  # the child's non-empty lines, (n, 2) pixel arrays


def fit_to_model(decoder: Decoder, lines_px, width, height, *, fitted: bool = True) -> Fit:
    """Prime the decoder on the child's lines at each size hypothesis (``fitting.whole_extents``): the child's
    drawing is scaled so the guessed whole spans the decoder's 0..255 box. Without ``fitted`` (the engine before
    fitting, kept for the evaluation's "before"), one hypothesis: the paper's longest side is the box."""
    lines_px = [np.asarray(line, np.float64).reshape(-1, 2) for line in lines_px if len(line)]
    if not lines_px:
        return Fit(prime_many(decoder, [np.zeros((0, 5))]), [float(max(width, height))], None, 0, [])
    if fitted:
        wholes = fitting.whole_extents(lines_px, decoder.meta.get("fit"), width, height)
    else:
        wholes = [float(max(width, height))]
    middle = wholes[len(wholes) // 2]
    # simplified once, at the middle hypothesis's scale; the other hypotheses scale the same points
    lines = rdp_lines([line * (BOX / middle) for line in lines_px])
    stroke5 = stroke3_to_stroke5(lines_to_stroke3(lines), end=False)
    drawings = []
    for whole in wholes:
        scaled = stroke5.copy()
        scaled[:, :2] *= middle / whole
        drawings.append(scaled)
    return Fit(prime_many(decoder, drawings), wholes, lines_px[-1][-1], len(stroke5), lines_px)


def _place_from_scratch(lines: list[np.ndarray], width: float, height: float) -> list[np.ndarray]:
    """Centre a drawing made from scratch (box units, any origin) on the canvas, shrunk to fit if needed."""
    if not lines:
        return lines
    allp = np.concatenate(lines)
    low, high = allp.min(axis=0), allp.max(axis=0)
    canvas = np.array([width, height], np.float64) * BOX / max(width, height)
    extent = np.maximum(high - low, 1e-9)
    scale = min(1.0, float(np.min(TUNING.scratch_fill * canvas / extent)))
    centre = (low + high) / 2
    return [(line - centre) * scale + canvas / 2 for line in lines]


def _new_lines(rows: np.ndarray, fit: Fit, hypothesis: int, width: float, height: float) -> list[np.ndarray]:
    """Sampled stroke-5 rows (box units of one hypothesis) -> canvas lines: continuing from the child's last point
    at the child's scale, or, for a drawing from scratch, centred on the canvas."""
    s3 = stroke5_to_stroke3(rows)
    if fit.anchor is None:
        lines = _place_from_scratch(stroke3_to_lines(s3, (0.0, 0.0)), width, height)
        return box_to_canvas([line for line in lines if len(line)], width, height)
    lines = stroke3_to_lines(s3, (0.0, 0.0), start_lifted=True)
    to_px = fit.wholes[hypothesis] / BOX
    return [fit.anchor + line * to_px for line in lines if len(line)]


def hypothesis_of(i: int, hypotheses: int) -> int:
    """The size hypothesis candidate i is sampled at: half at the middle one, the rest alternating smaller and
    larger (with one hypothesis, always it)."""
    if hypotheses == 1:
        return 0
    return (1, 0, 1, 2)[i % 4] if hypotheses == 3 else i % hypotheses


def _recognise(looks: list, classifier, name: str, child, endings, width, height, count: int,
               mirror: bool = False) -> list:
    """``looks`` with the classifier's probability that child + ending is the object, for the ``count`` endings
    that rank best without it (the rest count as unrecognised): rendering and classifying every candidate would
    cost more than sampling them. ``mirror``: each is also judged mirrored (probabilities averaged). Unchanged without a
    classifier or for an object it does not know."""
    if classifier is None or name not in classifier.names:
        return looks
    k = classifier.names.index(name)
    ranked = fitting.select(looks, count, diversity=0.0)
    probs = classifier.probabilities_of([endings[i] for i in ranked], width, height, mirror=mirror, prefix=child)
    recognised = dict(zip(ranked, probs[:, k].tolist()))
    return [dataclasses.replace(look, recognised=recognised.get(i, 0.0)) for i, look in enumerate(looks)]


def complete(decoder: Decoder, lines_px, width: float, height: float, *,
             temperature: float = TUNING.default_temperature, variations: int = 1, seed: int | None = None,
             max_steps: int | None = None, sampler=None, classifier=None,
             fitted: bool = True, candidates: int | None = None,
             judged: int | None = None) -> tuple[list[Completion], int]:
    """Continue the child's drawing with ``variations`` endings; empty ``lines_px`` draws from scratch.

    Fitted (the default): candidates sampled at the child's size in one batch (``candidates_for``), the best shown
    (``fitting.select``: on the paper, recognised by ``classifier`` when given, not over the child's strokes, not
    degenerate, different from one another); if none stays on the paper the least bad is shrunk to fit.
    ``fitted=False`` is the engine before fitting (the paper's longest side is the box, candidate i shown as
    variation i): the evaluation's "before". ``candidates`` / ``judged`` override how many candidates are
    sampled and judged by the classifier (``candidates_for`` and RECOGNISE_*). ``sampler`` runs the batched loop
    (``decoder.sample_rows`` or a
    ``Batcher.sample_rows`` that pools requests). Returns the completions (only the new strokes, canvas pixels)
    and the seed used. The same seed gives the same endings.
    """
    seed = new_seed() if seed is None else seed
    sampler = sampler or sample_states
    fit = fit_to_model(decoder, lines_px, width, height, fitted=fitted)
    if max_steps is None:  # room left under the model's longest drawing, but never less than a quarter of it
        max_steps = max(decoder.max_seq_len - fit.used, decoder.max_seq_len // 4)
    count = (candidates or candidates_for(variations)) if fitted else variations
    hyps = [hypothesis_of(i, len(fit.states)) for i in range(count)]
    results = sampler(decoder, [fit.states[h] for h in hyps], variation_seeds(seed, count),
                      temperature=temperature, max_steps=max_steps)
    endings = [_new_lines(rows, fit, h, width, height) for (rows, _), h in zip(results, hyps)]
    if not fitted:
        return [Completion(e, finished) for e, (_, finished) in zip(endings, results)], seed
    child = fit.child
    simple = [fitting.simplify_child(child, whole) for whole in fit.wholes]
    looks = fitting.describe_many(simple, endings, hyps, fit.wholes, width, height)
    looks = _recognise(looks, classifier, decoder.name, child, endings, width, height,
                       judged or max(TUNING.recognise_min, math.ceil(TUNING.recognise_per_ending * variations)))
    out = []
    for i in fitting.select(looks, variations):
        lines, shrunk = endings[i], not looks[i].on_paper
        if shrunk:
            lines = fitting.shrink_to_paper(lines, fit.anchor, width, height)
        out.append(Completion(lines, results[i][1], shrunk))
    return out, seed


def hint(decoder: Decoder, lines_px, width: float, height: float, *,
         temperature: float = TUNING.default_temperature, seed: int | None = None, sampler=None,
         fitted: bool = True, classifier=None, judged: int | None = None) -> tuple[np.ndarray | None, int]:
    """The next pen-down stroke (canvas pixels, (n, 2)) after the child's drawing, or None if the model would end
    the drawing here. Returns (stroke, seed).

    Fitted (the default): ``TUNING.hint_candidates`` next strokes sampled at the child's size in one request,
    around ``temperature`` (``TUNING.hint_temperatures``), the best shown (on the paper, not over the child's
    strokes, not a dot, and with ``classifier``, making child + stroke look most like the object:
    ``TUNING.hint_judged`` of them, or ``judged``, are judged); if none stays on the paper the least bad is shrunk
    to fit. ``fitted=False``: the engine before fitting, one sample."""
    seed = new_seed() if seed is None else seed
    sampler = sampler or sample_states
    fit = fit_to_model(decoder, lines_px, width, height, fitted=fitted)
    count = TUNING.hint_candidates if fitted else 1
    hyps = [hypothesis_of(i, len(fit.states)) for i in range(count)]
    factors = TUNING.hint_temperatures
    temperatures = [min(temperature * factors[i % len(factors)], TUNING.temperature_range[1])
                    for i in range(count)] if fitted else temperature
    results = sampler(decoder, [fit.states[h] for h in hyps], variation_seeds(seed, count) if fitted else [seed],
                      temperature=temperatures, max_steps=decoder.max_seq_len, stop_at_pen_up=True)
    strokes = []
    for (rows, _), h in zip(results, hyps):
        lines = [line for line in _new_lines(rows, fit, h, width, height) if len(line) >= 2]
        strokes.append(lines[-1:])
    if not fitted:
        return (strokes[0][0] if strokes[0] else None), seed
    drawn = [i for i, s in enumerate(strokes) if s]
    if len(drawn) * 2 < count:  # most candidates end the drawing here: so does the hint
        return None, seed
    child = fit.child
    simple = [fitting.simplify_child(child, whole) for whole in fit.wholes]
    looks = fitting.describe_many(simple, [strokes[i] for i in drawn], [hyps[i] for i in drawn], fit.wholes, width,
                                  height)
    looks = _recognise(looks, classifier, decoder.name, child, [strokes[i] for i in drawn], width, height,
                       judged or TUNING.hint_judged, mirror=TUNING.hint_mirror)
    best = drawn[fitting.select(looks, 1, recognition=TUNING.hint_recognition)[0]]
    stroke = strokes[best]
    if not looks[drawn.index(best)].on_paper:
        stroke = fitting.shrink_to_paper(stroke, fit.anchor if fit.anchor is not None else stroke[0][0],
                                         width, height)
    return stroke[0], seed


def imagine_objects(classifier, lines_px, width: float, height: float, drawable: list[str], count: int,
                    seed: int) -> list[str]:
    """Which objects could finish this beginning: the classifier's likeliest drawable objects first
    (TUNING.imagine_plausible of ``count``), then others drawn at random for variety (all at random without a
    classifier). The same seed gives the same objects."""
    rng = np.random.default_rng(seed)
    drawable = sorted(drawable)
    count = min(count, len(drawable))
    ranked = []
    if classifier is not None:
        known = [n for n in drawable if n in classifier.names]
        guesses = classifier.classify(lines_px, width, height, top=len(known), allowed=set(known)) if known else []
        ranked = [name for name, _ in guesses][:max(1, round(TUNING.imagine_plausible * count))]
    others = [n for n in drawable if n not in ranked]
    return ranked + [others[i] for i in rng.permutation(len(others))[:count - len(ranked)]]


def imagine(decoders: dict, lines_px, width: float, height: float, *, count: int = TUNING.imagine_count,
            temperature: float = TUNING.default_temperature, seed: int | None = None, sampler=None,
            classifier=None) -> tuple[list[tuple[str, Completion]], int]:
    """"What could it become?": one ending of the same beginning by each of ``count`` objects' decoders
    (``imagine_objects``), each fitted and chosen as Finish chooses (at the child's size and place, on the
    paper, recognised as that object), from TUNING.imagine_candidates candidates. Returns [(object, completion)] in
    the order offered, and the seed used."""
    seed = new_seed() if seed is None else seed
    names = imagine_objects(classifier, lines_px, width, height, list(decoders), count, seed)
    object_seeds = np.random.SeedSequence(seed).generate_state(len(names)).tolist()  # one per object, from the seed

    def one(name: str, object_seed: int) -> tuple[str, Completion]:
        [completion], _ = complete(decoders[name], lines_px, width, height, temperature=temperature, variations=1,
                                   seed=object_seed, sampler=sampler, classifier=classifier,
                                   candidates=TUNING.imagine_candidates, judged=TUNING.imagine_judged)
        return name, completion

    # two objects at a time: one object's Python work (fitting, describing, rendering) overlaps the other's
    # network passes; the same seed still gives the same endings, in the same order
    with ThreadPoolExecutor(max_workers=TUNING.imagine_threads) as pool:
        return list(pool.map(one, names, object_seeds)), seed


def _child_lines(lines_px) -> list[np.ndarray]:
    """The non-empty lines of a drawing as (n, 2) float arrays."""
    return [np.asarray(line, np.float64).reshape(-1, 2) for line in lines_px if len(line)]


def _encode_drawing(vae: Decoder, child: list[np.ndarray]) -> np.ndarray:
    """A drawing's latent vector (z = mu): as Quick, Draw!'s data, top-left aligned, the longest side 0..255,
    simplified, then read by the VAE's encoder."""
    allp = np.concatenate(child)
    low, high = allp.min(axis=0), allp.max(axis=0)
    size = max(float((high - low).max()), 1.0)
    mu, _ = encode(vae, lines_to_stroke3(rdp_lines([(line - low) * (BOX / size) for line in child])))
    return mu


def _paper_box(child: list[np.ndarray], width: float, height: float) -> tuple[np.ndarray, float]:
    """Where a drawing is on the paper (strokes may reach past its edge): its on-paper box's centre and longest
    side, pixels."""
    on_paper = np.clip(np.concatenate(child), 0.0, [width, height])
    low, high = on_paper.min(axis=0), on_paper.max(axis=0)
    return (low + high) / 2, max(float((high - low).max()), 1.0)


def _decoded_in_box(rows: np.ndarray, centre: np.ndarray, size: float, width: float,
                    height: float) -> list[np.ndarray]:
    """A VAE's drawing (stroke-5 rows) centred on ``centre`` with its longest side ``size`` pixels, or the largest
    size under that which keeps it on the paper about that centre."""
    lines = [line for line in stroke3_to_lines(stroke5_to_stroke3(rows), (0.0, 0.0)) if len(line)]
    if not lines:
        return lines
    drawn = np.concatenate(lines)
    d_low, d_high = drawn.min(axis=0), drawn.max(axis=0)
    scale = size / max(float((d_high - d_low).max()), 1e-9)
    half = (d_high - d_low) / 2 * scale
    room = np.minimum(centre, np.array([width, height]) - centre)
    scale *= min(1.0, float(np.min(np.where(half > 0, room / np.maximum(half, 1e-9), np.inf))))
    return [(line - (d_low + d_high) / 2) * scale + centre for line in lines]


def redraw(vae: Decoder, lines_px, width: float, height: float, *, count: int = TUNING.redraw_count,
           temperature: float = TUNING.default_temperature, seed: int | None = None,
           sampler=None, classifier=None) -> tuple[list[Completion], int]:
    """"Buddy redraws it": the child's whole drawing read by the object's sketch VAE (``decoder.encode``: its
    latent vector, z = mu) and drawn again from z at ``temperature``: ``TUNING.redraw_candidates_per`` candidates per
    drawing asked for are sampled in one batch and the ``count`` most like the child's drawing are shown, most
    alike first (``likeness``: their shapes compared, whatever their places and sizes; with ``classifier``, the
    nearest eighth of the candidates also score for looking like the object), each in the child's place and size
    (its bounding box's centre and longest side; shrunk about that centre if it would leave the paper).
    Returns the drawings (canvas pixels) and the seed used; the same seed gives the same drawings."""
    seed = new_seed() if seed is None else seed
    sampler = sampler or sample_states
    child = _child_lines(lines_px)
    if not child:
        raise ValueError("redraw needs a drawing")
    n = batch_bucket(min(TUNING.redraw_candidates_max, max(count, TUNING.redraw_candidates_per * count)))
    [state] = prime_many(vae, [np.zeros((0, 5))], [_encode_drawing(vae, child)])
    results = sampler(vae, [state] * n, variation_seeds(seed, n), temperature=temperature,
                      max_steps=vae.max_seq_len)
    # the candidates as drawn (model units): how alike two shapes are and how the classifier sees a drawing do not
    # depend on place and size, so only the drawings shown are placed
    drawn = [[line for line in stroke3_to_lines(stroke5_to_stroke3(rows), (0.0, 0.0)) if len(line)]
             for rows, _ in results]
    score = likeness(child, drawn)
    if classifier is not None and vae.name in classifier.names:
        nearest = np.argsort(-score, kind="stable")[:max(count, n // TUNING.redraw_judged_share)]
        judged = [i for i in nearest if np.isfinite(score[i])]
        if judged:
            probs = classifier.probabilities_of([drawn[i] for i in judged], BOX, BOX, mirror=False)
            score[judged] += TUNING.redraw_recognised * probs[:, classifier.names.index(vae.name)]
    centre, size = _paper_box(child, width, height)
    return [Completion(_decoded_in_box(results[i][0], centre, size, width, height), results[i][1])
            for i in np.argsort(-score, kind="stable")[:count]], seed


def likeness(drawing: list[np.ndarray], others: list[list[np.ndarray]]) -> np.ndarray:
    """How much each of ``others`` looks like ``drawing``, whatever their places and sizes: minus the chamfer
    distance of their shapes (``strokes.shape_points``, longest side 1; 0 for the same shape), -inf for an empty
    one. (On the valid split's birds, cats and owls, choosing redraws by this rather than by the cosine of their
    28x28 renders lifted the redraws the judge recognised from 71.7% to 75.8% of 360.)"""
    out = np.full(len(others), -np.inf)
    drawn = [i for i, other in enumerate(others) if any(len(line) for line in other)]
    if drawn:
        out[drawn] = -chamfer_many(shape_points_many([others[i] for i in drawn]), shape_points(drawing))
    return out


def slerp(z0: np.ndarray, z1: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation from z0 (t = 0) to z1 (t = 1), as sketch-rnn's notebook morphs latent vectors
    (a straight line between two points of a Gaussian passes through its unlikely middle); straight when the two
    point the same way."""
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    cos = float(np.dot(z0, z1) / max(np.linalg.norm(z0) * np.linalg.norm(z1), 1e-12))
    omega = math.acos(min(1.0, max(-1.0, cos)))
    if abs(math.sin(omega)) < 1e-6:
        return (1 - t) * z0 + t * z1
    return (math.sin((1 - t) * omega) * z0 + math.sin(t * omega) * z1) / math.sin(omega)


def morph(vae: Decoder, lines_px, width: float, height: float, *, to_lines=None, decoder: Decoder | None = None,
          frames: int = TUNING.morph_frames, temperature: float = TUNING.morph_temperature, seed: int | None = None,
          sampler=None, classifier=None) -> tuple[list[Completion], int]:
    """"Morph": ``frames`` drawings from the child's drawing to another, decoded at ``temperature`` (low) from
    latent vectors spaced evenly along the spherical path (``slerp``) between the two drawings' z. The other
    drawing is ``to_lines`` (canvas pixels, e.g. the child's previous drawing) or, without it, one Buddy draws with
    the object's ``decoder`` (as "Show me how" does, from the seed) and the VAE reads. (A z drawn from the VAE's
    prior would not do: the encoder puts real drawings in a small part of that space, |mu| about 2-4 for the cat
    VAEs trained so far against 8 for a draw from the prior, and the decoder scribbles far from it.) Each frame is
    sampled ``TUNING.morph_rows // frames`` times (all in one batch) and ``flip_book`` shows the run of candidates that
    moves steadily from one drawing to the other and looks like the object to ``classifier``. Frame i sits between
    the two drawings' places and sizes on the paper (the child's for a drawing Buddy draws), shrunk about its
    centre if it would leave the paper. Returns the frames and the seed used; the same seed gives the same frames."""
    seed = new_seed() if seed is None else seed
    sampler = sampler or sample_states
    child = _child_lines(lines_px)
    if not child:
        raise ValueError("morph needs a drawing")
    target = _child_lines(to_lines or [])
    z0 = _encode_drawing(vae, child)
    other = target  # the drawing the morph ends at
    if not target:
        if decoder is None:
            raise ValueError("morph needs the other drawing or the object's decoder to draw one")
        other = child  # (should Buddy's drawing come out empty three times: no morph, the child's drawing throughout)
        for attempt in range(3):
            [drawn], _ = complete(decoder, [], width, height, seed=seed + attempt, sampler=sampler)
            if _child_lines(drawn.lines):
                other = _child_lines(drawn.lines)
                break
    z1 = _encode_drawing(vae, other)
    (c0, s0), (c1, s1) = _paper_box(child, width, height), _paper_box(target or child, width, height)
    ts = np.linspace(0.0, 1.0, frames)
    per_frame = max(1, TUNING.morph_rows // frames)
    primed = prime_many(vae, [np.zeros((0, 5))] * frames, [slerp(z0, z1, t).astype(np.float32) for t in ts])
    states = [state for state in primed for _ in range(per_frame)]
    results = sampler(vae, states, variation_seeds(seed, per_frame) * frames, temperature=temperature,
                      max_steps=vae.max_seq_len)
    candidates = [[Completion(_decoded_in_box(rows, (1 - t) * c0 + t * c1, float((1 - t) * s0 + t * s1), width,
                                              height), finished)
                   for rows, finished in results[i * per_frame:(i + 1) * per_frame]] for i, t in enumerate(ts)]
    return flip_book(candidates, ts, child, other, vae.name, classifier), seed


def flip_book(candidates: list[list[Completion]], ts, start, end, name: str, classifier=None) -> list[Completion]:
    """One of each frame's candidates: the run of frames (found by Viterbi over all of them) that best balances,
    frame by frame, looking like its place t on the way from ``start`` to ``end`` (more like the start early, more
    like the end late, and its ``strokes.progress`` near t) and looking like the object ``name`` to
    ``classifier`` (when it knows the object), and, from one frame to the next, looking alike and never falling
    back towards the start (``TUNING.morph_backward``)."""
    flat = [c.lines for frame in candidates for c in frame]
    renders = render_many([start, end, *flat])
    units = _unit_vectors(renders)
    like_start, like_end, units = units[2:] @ units[0], units[2:] @ units[1], units[2:]
    empty = ~units.any(axis=1)
    # how far along each candidate is, by the shape distance (``strokes.progress``; an empty one counts as halfway)
    shapes = [shape_points(lines) for lines in (start, end)]
    progress = np.full(len(flat), 0.5)
    drawn = np.flatnonzero(~empty)
    progress[drawn] = strokes_progress(shape_points_many([flat[i] for i in drawn]), *shapes)
    frame_of = np.repeat(np.arange(len(ts)), [len(frame) for frame in candidates])
    t_of = np.asarray(ts, np.float64)[frame_of]
    looks = np.where(empty, -np.inf, (1 - t_of) * like_start + t_of * like_end
                     - TUNING.morph_near_progress * np.abs(progress - t_of))
    recognised = np.zeros(len(flat))
    if classifier is not None and name in classifier.names:
        # classifying every candidate would cost more than sampling them: the best few of each frame by looks
        judged = np.concatenate([np.flatnonzero(frame_of == i)[np.argsort(-looks[frame_of == i])[:TUNING.morph_judged]]
                                 for i in range(len(ts))])
        probs = classifier.probabilities_padded(renders[2:][judged], mirror=False)
        recognised[judged] = probs[:, classifier.names.index(name)]
    unary = np.where(empty, -1e6, looks + TUNING.morph_recognised * recognised)  # an empty frame only if all are
    starts = np.concatenate([[0], np.cumsum([len(frame) for frame in candidates])])
    # the best path through the frames (Viterbi): each frame's own score, plus, from one frame to the next,
    # looking alike and never falling back on the way from start to end
    total, back = unary[starts[0]:starts[1]], []
    for f in range(1, len(candidates)):
        here, before = slice(starts[f], starts[f + 1]), slice(starts[f - 1], starts[f])
        step = (TUNING.morph_near_previous * (units[here] @ units[before].T)
                - TUNING.morph_backward * np.maximum(progress[before][None, :] - progress[here][:, None], 0.0))
        through = total[None, :] + step  # (here, before)
        back.append(np.argmax(through, axis=1))
        total = unary[here] + through[np.arange(len(back[-1])), back[-1]]
    path = [int(np.argmax(total))]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    chosen = [frame[k] for frame, k in zip(candidates, reversed(path))]
    return chosen


def _unit_vectors(renders: np.ndarray) -> np.ndarray:
    """Renders (n, 28, 28) as unit vectors (zero for an empty one): their dot products are cosines."""
    flat = renders.reshape(len(renders), -1).astype(np.float64)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return np.where(norms > 0, flat / np.maximum(norms, 1e-12), 0.0)
