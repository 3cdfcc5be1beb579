"""What a child sees after pressing Finish or after a stroke in Draw with me: does Buddy's ending fit the paper, the
child's size and the object? Before (raw sampling) and after (the fitted engine), on real drawings.

Protocol (issue 26): the first half of the strokes of real Quick, Draw! drawings of a split (``--split``; the test
split for the model card, the valid split to tune on) is placed on an 800x600 paper with the *whole* real drawing's
longest side at 30%, 60% and 90% of the paper's height, at a random spot where the whole fits, and sent to the
engine with the app's defaults. Per ending:
- on the paper: every point of the ending lies on the paper;
- IoU: bounding-box IoU of (half + ending) with the whole real drawing as placed;
- recognised: the top guess for (half + ending) is the object, by an independent judge (a second classifier,
  ``training/judge/``, trained separately for evaluation only and never used by the engine), and by the shipped
  classifier (which the engine's selection uses, so its figure is self-graded) beside it.
The first hint (Draw with me) gets the same on-paper and IoU figures (half + hint), and how often the judge names
half + hint as the object, beside how often it names the half alone (a hint is one stroke: it can add little).
For reference, the judge also names the child's own real whole drawing (as placed): Buddy's endings can hardly be
recognised more often than the real drawings they stand in for.

The judge was trained with the project's classifier trainer, separately from the shipped classifier (the same
recipe and seed, so the same drawings by Google's decoder, but also on the 24,431 real 28x28 bitmaps of
``quickdraw_bitmaps_more``, which the shipped classifier never saw; issue 32), into ``training/judge/``:
    python -m training.train_classifier --out training/judge --google-drawings 1500 --copies 3 --width 48 --epochs 16 \
        --schedule cosine --lr 0.002 --seed 0 --bitmaps-more ../shared/data/quickdraw_bitmaps_more
It names 80% of the real test drawings (the shipped classifier: 79%). The judge before it (width 24, 500 teacher
drawings per object, 8 epochs, seed 1) named only 70% of the real whole drawings on this protocol, so it held every
recognised figure down, Buddy's and the real drawings' alike. The price: the new judge shares more of its training
with the shipped classifier, so their mistakes overlap more (on the valid split one is right where the other is wrong
on 118 of 1,222 real drawings); the card keeps the shipped classifier's own figure beside the judge's.

    python -m training.evaluate_fit [--split valid] [--per-object 8] [--out fit.json]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from app.engine import buddy
from app.engine.classifier import Classifier
from app.engine.decoder import load_decoder
from app.engine.fitting import extent
from app.engine.strokes import stroke3_to_lines
from app.engine.tuning import TUNING
from training.data import real_drawings
from training.paths import JUDGE_DIR, QUICKDRAW_DIR, ROOT
from training.stats import wilson

WIDTH, HEIGHT = 800.0, 600.0
SIZES = (0.3, 0.6, 0.9)  # the whole drawing's longest side, a share of the paper's height


def judge_name(judge_dir: Path) -> str:
    """The judge's folder as the card names it: relative to the project where it lies inside it."""
    path = Path(judge_dir).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


TARGETS = {"on_paper": 0.95, "iou": 0.72, "recognised": 0.85}


def half_drawing(lines: list[np.ndarray]) -> list[np.ndarray]:
    """The first half of a drawing's strokes (of its points when it is one stroke)."""
    if len(lines) >= 2:
        return lines[: math.ceil(len(lines) / 2)]
    return [lines[0][: max(2, len(lines[0]) // 2)]]


def place(lines: list[np.ndarray], size: float, rng: np.random.Generator) -> list[np.ndarray]:
    """The drawing scaled so its longest side is ``size`` of the paper's height, at a random spot where it fits."""
    allp = np.concatenate(lines)
    low, high = allp.min(axis=0), allp.max(axis=0)
    scale = size * HEIGHT / max(float((high - low).max()), 1e-9)
    span = (high - low) * scale
    corner = rng.uniform([0.0, 0.0], np.maximum([WIDTH, HEIGHT] - span, 0.0))
    return [(line - low) * scale + corner for line in lines]


def box(lines) -> np.ndarray:
    """[x0, y0, x1, y1] of the lines."""
    allp = np.concatenate([np.asarray(line).reshape(-1, 2) for line in lines if len(line)])
    return np.concatenate([allp.min(axis=0), allp.max(axis=0)])


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def on_paper(lines) -> bool:
    """Every point of the lines is on the paper."""
    pts = [np.asarray(line).reshape(-1, 2) for line in lines if len(line)]
    if not pts:
        return True
    allp = np.concatenate(pts)
    return bool((allp >= 0).all() and (allp[:, 0] <= WIDTH).all() and (allp[:, 1] <= HEIGHT).all())


def top1(classifier: Classifier | None, drawings: list[list[np.ndarray]]) -> list[str | None]:
    """The classifier's top guess for each canvas drawing (None without a classifier)."""
    if classifier is None:
        return [None] * len(drawings)
    probs = classifier.probabilities_of(drawings, WIDTH, HEIGHT)
    return [classifier.names[int(np.argmax(p))] if p.sum() > 0 else None for p in probs]


def named(model: Classifier | None, guess: str | None, name: str) -> bool | None:
    """Whether ``model``'s guess is the object; None (not measured) without a guess, or for an object the model
    has not learnt (it could only be wrong: a figure about the model, not about Buddy's drawing)."""
    if guess is None or name not in model.names:
        return None
    return guess == name


def unknown_to(model: Classifier | None, names) -> list[str]:
    """The objects among ``names`` that ``model`` has not learnt (all of them without a model)."""
    return sorted(n for n in names if model is None or n not in model.names)


def cases(names: list[str], split: str, per_object: int, data_dir: Path, seed: int = 0):
    """(object, whole, half) placed on the paper: ``per_object`` drawings of each object's split at each size."""
    out = []
    for name in names:
        rng = np.random.default_rng([seed, len(name), sum(map(ord, name))])
        drawings = [stroke3_to_lines(d, (0.0, 0.0)) for d in real_drawings(name, data_dir)[split]]
        drawings = [d for d in drawings if extent(d) > 0][:per_object]
        for i, lines in enumerate(drawings):
            for size in SIZES:
                whole = place(lines, size, rng)
                out.append({"name": name, "index": i, "size": size, "whole": whole, "half": half_drawing(whole)})
    return out


def run(decoders: dict, classifier, judge, cases_: list[dict], fitted: bool,
        temperature: float = TUNING.default_temperature) -> list[dict]:
    """Finish and first hint of every case with the engine (``fitted`` or raw) -> one result row per case."""
    rows = []
    for k, case in enumerate(cases_):
        decoder = decoders[case["name"]]
        [completion], _ = buddy.complete(decoder, case["half"], WIDTH, HEIGHT, seed=k, classifier=classifier,
                                          fitted=fitted, temperature=temperature)
        stroke, _ = buddy.hint(decoder, case["half"], WIDTH, HEIGHT, seed=k, fitted=fitted, temperature=temperature,
                               classifier=classifier)
        target = box(case["whole"])
        finished = [*case["half"], *completion.lines]
        hinted = [*case["half"], *([stroke] if stroke is not None else [])]
        rows.append({"name": case["name"], "size": case["size"], "drawn": bool(completion.lines),
                     "on_paper": on_paper(completion.lines), "shrunk": completion.shrunk,
                     "iou": iou(box(finished), target),
                     "hint_on_paper": on_paper([stroke] if stroke is not None else []),
                     "hint_iou": iou(box(hinted), target), "finished_lines": finished, "hinted_lines": hinted})
    judged = (("judge", judge, "finished_lines"), ("shipped", classifier, "finished_lines"),
              ("hint_judge", judge, "hinted_lines"))
    for key, model, drawing in judged:
        for r, guess in zip(rows, top1(model, [r[drawing] for r in rows])):
            r[key] = named(model, guess, r["name"])
    # the references: how often the judge names the child's own whole drawing (the real one, as placed), and the
    # half alone (what a hint adds to)
    for key, part in (("judge_real", "whole"), ("judge_half", "half")):
        for r, guess in zip(rows, top1(judge, [case[part] for case in cases_])):
            r[key] = named(judge, guess, r["name"])
    for r in rows:
        del r["finished_lines"], r["hinted_lines"]
    return rows


def summarize(rows: list[dict]) -> dict:
    """Shares (with 95% intervals) and median IoUs of result rows."""
    n = len(rows)
    out = {"n": n}
    for key in ("on_paper", "shrunk", "hint_on_paper", "judge", "shipped", "judge_real", "hint_judge", "judge_half"):
        vals = [r[key] for r in rows if r[key] is not None]
        if vals:
            out[key] = round(sum(vals) / len(vals), 4)
            out[f"{key}_ci95"] = wilson(sum(vals), len(vals))
    for key in ("iou", "hint_iou"):
        out[key] = round(float(np.median([r[key] for r in rows])), 4) if rows else None
    return out


def evaluate(models_dir: Path, split: str, per_object: int, data_dir: Path = QUICKDRAW_DIR,
             judge_dir: Path = JUDGE_DIR, names: list[str] | None = None,
             engines: tuple[str, ...] = ("before", "after"), temperature: float = TUNING.default_temperature) -> dict:
    """The protocol over the decoders in ``models_dir``: before and after, overall, per size and per object."""
    decoders = {p.stem: load_decoder(p) for p in sorted(Path(models_dir).glob("*.npz"))}
    names = names or sorted(decoders)
    classifier = Classifier.load(models_dir) if (Path(models_dir) / "classifier.json").exists() else None
    judge = Classifier.load(judge_dir) if (Path(judge_dir) / "classifier.json").exists() else None
    cases_ = cases(names, split, per_object, data_dir)
    result = {"split": split, "per_object": per_object, "paper": [WIDTH, HEIGHT], "sizes": list(SIZES),
              "cases": len(cases_), "judge": judge_name(judge_dir) if judge else None, "targets": TARGETS,
              "temperature": temperature, "unknown_to_judge": unknown_to(judge, names),
              "unknown_to_classifier": unknown_to(classifier, names)}
    for label, fitted in (("before", False), ("after", True)):
        if label not in engines:
            continue
        started = time.time()
        rows = run(decoders, classifier, judge, cases_, fitted, temperature)
        result[label] = {"all": summarize(rows),
                         "by_size": {str(s): summarize([r for r in rows if r["size"] == s]) for s in SIZES},
                         "by_object": {n: summarize([r for r in rows if r["name"] == n]) for n in names},
                         "seconds": round(time.time() - started, 1)}
        print(label, json.dumps(result[label]["all"]), json.dumps(
            {s: {k: v.get(k) for k in ("on_paper", "shrunk", "iou", "judge", "judge_real", "hint_on_paper")} for s, v in
             result[label]["by_size"].items()}), flush=True)
    return result


def main(argv=None) -> None:
    """Run the protocol and print (and optionally save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "valid", "test"), default="valid")
    parser.add_argument("--per-object", type=int, default=8, help="real drawings per object (each at 3 sizes)")
    parser.add_argument("--objects", nargs="+", help="default: every decoder in --models")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--judge", type=Path, default=JUDGE_DIR)
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--engines", nargs="+", choices=("before", "after"), default=["before", "after"],
                        help="tuning on the valid split needs only 'after'")
    parser.add_argument("--temperature", type=float, default=TUNING.default_temperature,
                        help="sampling temperature (default: the app's, %(default)s)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    result = evaluate(args.models, args.split, args.per_object, args.data_dir, args.judge, args.objects,
                      tuple(args.engines), args.temperature)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
