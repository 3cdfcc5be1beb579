"""What the features ask of a decoder, in canvas pixels: finish a drawing, show variations, hint, draw it.

Data flow (DESIGN.md): canvas lines -> box units, RDP-simplified -> stroke-5 -> prime the LSTM ->
sample N continuations in one batch -> back to canvas pixels, starting where the child's last stroke ended.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import numpy as np

from app import decoder as dec
from app import strokes as fmt

DEFAULT_TEMPERATURE = 0.4  # "careful" side of Magenta's demos (0.25 .. 0.65): recognisable but not rigid
SCRATCH_FILL = 0.8  # a drawing made from scratch fills at most this share of the canvas


@dataclass
class Completion:
    """New strokes for the canvas and whether the model ended the drawing."""

    lines: list[np.ndarray]  # canvas-pixel polylines, each (n, 2)
    finished: bool


def new_seed() -> int:
    """A fresh random seed for a request that gave none."""
    return secrets.randbits(31)


def variation_seeds(seed: int, n: int) -> list:
    """Per-variation seeds: variation i of request seed s is the run with seed (s, i)."""
    return [[seed, i] for i in range(n)]


def _primed(decoder: dec.Decoder, lines_px, width, height):
    """Prime the decoder on the child's canvas lines -> (state, last point in box units or None, rows used)."""
    lines = fmt.canvas_to_box_lines(lines_px, width, height)
    if not lines:
        return dec.prime(decoder, np.zeros((0, 5))), None, 0
    stroke5 = fmt.stroke3_to_stroke5(fmt.lines_to_stroke3(lines), end=False)
    return dec.prime(decoder, stroke5), lines[-1][-1], len(stroke5)


def _place_from_scratch(lines: list[np.ndarray], width: float, height: float) -> list[np.ndarray]:
    """Centre a drawing made from scratch (box units, any origin) on the canvas, shrunk to fit if needed."""
    if not lines:
        return lines
    allp = np.concatenate(lines)
    low, high = allp.min(axis=0), allp.max(axis=0)
    canvas = np.array([width, height], np.float64) * fmt.BOX / max(width, height)
    extent = np.maximum(high - low, 1e-9)
    scale = min(1.0, float(np.min(SCRATCH_FILL * canvas / extent)))
    centre = (low + high) / 2
    return [(line - centre) * scale + canvas / 2 for line in lines]


def _new_lines(rows: np.ndarray, last, width: float, height: float) -> list[np.ndarray]:
    """Sampled stroke-5 rows (box units) -> canvas lines: continuing from ``last`` (pen up there),
    or, for a drawing from scratch (``last`` None), centred on the canvas."""
    s3 = fmt.stroke5_to_stroke3(rows)
    if last is None:
        lines = _place_from_scratch(fmt.stroke3_to_lines(s3, (0.0, 0.0)), width, height)
    else:
        lines = fmt.stroke3_to_lines(s3, last, start_lifted=True)
    return fmt.box_to_canvas([line for line in lines if len(line)], width, height)


def complete(decoder: dec.Decoder, lines_px, width: float, height: float, *,
             temperature: float = DEFAULT_TEMPERATURE, variations: int = 1, seed: int | None = None,
             max_steps: int | None = None, sampler=dec.sample) -> tuple[list[Completion], int]:
    """Continue the child's drawing ``variations`` times (one batch); empty ``lines_px`` draws from scratch.

    ``sampler`` runs the batched loop (``decoder.sample``, or a ``Batcher.sample`` that pools requests).
    Returns the completions (only the new strokes, canvas pixels) and the seed used.
    """
    seed = new_seed() if seed is None else seed
    state, last, used = _primed(decoder, lines_px, width, height)
    if max_steps is None:  # room left under the model's longest drawing, but never less than a quarter of it
        max_steps = max(decoder.max_seq_len - used, decoder.max_seq_len // 4)
    results = sampler(decoder, state, variation_seeds(seed, variations), temperature=temperature,
                      max_steps=max_steps)
    return [Completion(_new_lines(rows, last, width, height), finished) for rows, finished in results], seed


def hint(decoder: dec.Decoder, lines_px, width: float, height: float, *,
         temperature: float = DEFAULT_TEMPERATURE, seed: int | None = None,
         sampler=dec.sample) -> tuple[np.ndarray | None, int]:
    """The next pen-down stroke (canvas pixels, (n, 2)) after the child's drawing, or None if the model
    would end the drawing here. Returns (stroke, seed)."""
    seed = new_seed() if seed is None else seed
    state, last, _ = _primed(decoder, lines_px, width, height)
    [(rows, _)] = sampler(decoder, state, [seed], temperature=temperature, max_steps=decoder.max_seq_len,
                          stop_at_pen_up=True)
    strokes = [line for line in _new_lines(rows, last, width, height) if len(line) >= 2]
    return (strokes[-1] if strokes else None), seed
