"""drawings by Google's decoder: whole drawings sampled from Google's pretrained decoder (knowledge distillation).

Real drawings are thin here for most objects (30-60 each), so a student decoder or the classifier also
learns from drawings that Google's decoder (trained on 70,000 real drawings of the object) makes from
scratch, at a spread of temperatures. Only drawings Google's decoder finished (ended with end-of-drawing
before its maximum length) are kept. Samples are cached under ``training/cache/`` (not committed;
``python -m training.google_drawings`` or any training command recreates them, the same for the same seed).

Google's completions: the first strokes of a real training drawing, finished by Google's decoder (what the app asks
of a decoder when a child presses "Finish it"). The student then sees real-looking beginnings continued the
way Google's decoder would continue them, where the scratch drawings only show Google's decoder's own beginnings.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from app.engine.decoder import Decoder, load_gen_json, prime, sample, sample_rows
from app.engine.strokes import stroke3_to_stroke5, stroke5_to_stroke3
from training.paths import CACHE_DIR, PRETRAINED_DIR

TEMPERATURES = (1.0, 1.0, 0.8, 0.6)  # equal shares: half at Google's decoder's own distribution, half more careful
BATCH = 64


def sample_drawings(decoder: Decoder, n: int, temperatures=TEMPERATURES, seed: int = 0) -> list[np.ndarray]:
    """n finished drawings (stroke-3, box units) from scratch, cycling through the temperatures per batch."""
    state = prime(decoder, np.zeros((0, 5)))
    out, batch_index = [], 0
    while len(out) < n:
        temperature = temperatures[batch_index % len(temperatures)]
        seeds = [[seed, batch_index, i] for i in range(BATCH)]
        for rows, finished in sample(decoder, state, seeds, temperature=temperature,
                                         max_steps=decoder.max_seq_len):
            if finished and len(rows) >= 2:
                out.append(stroke5_to_stroke3(rows))
        batch_index += 1
        if batch_index > 4 * n // BATCH + 20:  # a Google decoder that almost never finishes: give what we have
            break
    return out[:n]


def temperature_tag(temperatures) -> str:
    """How file and run names mark drawings by Google's decoder made at other than the default temperatures ("" for
    those)."""
    temperatures = tuple(float(t) for t in temperatures)
    return "" if temperatures == TEMPERATURES else "-t" + "_".join(f"{t:g}" for t in temperatures)


def google_drawings(name: str, n: int, seed: int = 0, pretrained_dir: Path = PRETRAINED_DIR,
                     cache_dir: Path = CACHE_DIR, temperatures=TEMPERATURES) -> list[np.ndarray]:
    """n drawings by Google's decoder of one object, from the cache when they were made before."""
    stem = f"google-{name}{temperature_tag(temperatures)}"
    # a cached run of n or more drawings with the same seed starts with these n (batches are made in order); a
    # cache made before the rename is named teacher-...
    for old in (False, True):
        prefix = "teacher" + stem[len("google"):] if old else stem
        for cached in sorted(Path(cache_dir).glob(f"{prefix}-*-{seed}.npz")):
            count = cached.stem[len(prefix) + 1:].split("-")[0]
            if count.isdigit() and int(count) >= n:
                return load_drawings(cached)[:n]
    drawings = sample_drawings(load_gen_json(Path(pretrained_dir) / f"{name}.gen.json"), n,
                               temperatures=temperatures, seed=seed)
    save_drawings(Path(cache_dir) / f"{stem}-{n}-{seed}.npz", drawings)
    return drawings


def save_drawings(path: Path, drawings: list[np.ndarray]) -> None:
    """Cache stroke-3 drawings in one file: their rows end to end and where each one ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = np.concatenate(drawings).astype(np.float32) if drawings else np.zeros((0, 3), np.float32)
    np.savez_compressed(path, rows=rows, ends=np.cumsum([len(d) for d in drawings], dtype=np.int64))


def load_drawings(path: Path) -> list[np.ndarray]:
    """The drawings ``save_drawings`` cached."""
    with np.load(path) as data:
        return np.split(data["rows"], data["ends"][:-1]) if len(data["ends"]) else []


def prefixes(drawings: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """One beginning of each drawing (stroke-3): its first k strokes, k drawn uniformly from 1..strokes-1, or,
    for a drawing of one stroke, the first 25..75% of its points (the last point then lifts the pen)."""
    out = []
    for d in drawings:
        d = np.asarray(d, np.float64)
        ends = np.flatnonzero(d[:, 2] > 0.5)
        if len(ends) >= 2:
            k = int(rng.integers(1, len(ends)))
            out.append(d[: ends[k - 1] + 1].copy())
        elif len(d) >= 4:
            cut = d[: int(rng.integers(len(d) // 4, 3 * len(d) // 4)) + 1].copy()  # never the whole line
            cut[-1, 2] = 1.0
            out.append(cut)
    return out


def complete_drawings(decoder: Decoder, drawings: list[np.ndarray], n: int, temperatures=TEMPERATURES,
                      seed: int = 0) -> list[np.ndarray]:
    """n drawings (stroke-3, box units): a random beginning of one of ``drawings`` (``prefixes``), finished by the
    decoder, cycling through the drawings and the temperatures; only
    finished completions are kept."""
    rng = np.random.default_rng([seed, 1])
    out, batch_index, pool = [], 0, []
    while len(out) < n and drawings:
        while len(pool) < BATCH:
            more = prefixes(drawings, rng)
            if not more:  # no drawing long enough to cut
                break
            pool += more
        batch, pool = pool[:BATCH], pool[BATCH:]
        if not batch:
            break
        temperature = temperatures[batch_index % len(temperatures)]
        states, caps = [], []
        for prefix in batch:
            states.append(prime(decoder, stroke3_to_stroke5(prefix, end=False)))
            caps.append(max(decoder.max_seq_len - len(prefix), decoder.max_seq_len // 4))
        seeds = [[seed, batch_index, i] for i in range(len(batch))]
        results = sample_rows(decoder, states, seeds, [temperature] * len(batch), caps)
        for prefix, (rows, finished) in zip(batch, results):
            if finished and len(rows) >= 1:
                out.append(np.concatenate([prefix, stroke5_to_stroke3(rows)]))
        batch_index += 1
        if batch_index > 4 * n // BATCH + 20:
            break
    return out[:n]


def google_completions(name: str, drawings: list[np.ndarray], n: int, seed: int = 0,
                        pretrained_dir: Path = PRETRAINED_DIR, cache_dir: Path = CACHE_DIR) -> list[np.ndarray]:
    """n Google's completions of beginnings of ``drawings`` (the real train split), cached by their content."""
    digest = hashlib.sha1(b"".join(np.asarray(d, np.float32).tobytes() for d in drawings)).hexdigest()[:10]
    path = Path(cache_dir) / f"completions-{name}-{digest}-{n}-{seed}.npz"
    if path.exists():
        return load_drawings(path)
    out = complete_drawings(load_gen_json(Path(pretrained_dir) / f"{name}.gen.json"), drawings, n, seed=seed)
    save_drawings(path, out)
    return out


def main(argv=None):
    """Make (and cache) drawings by Google's decoder for the named objects."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+")
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for name in args.names:
        drawings = google_drawings(name, args.count, args.seed)
        lengths = [len(d) for d in drawings]
        print(f"{name}: {len(drawings)} drawings, median length {int(np.median(lengths))}", flush=True)


if __name__ == "__main__":
    main()
