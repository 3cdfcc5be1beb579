"""Choose a decoder's recipe on the valid split: a candidate's completions against Google's on the same sketches.

    python -m training.compare_decoders bird --models training/runs/candidates --split valid

The model card's recognition protocol (``training.evaluate``: half of each real drawing's strokes, finished by raw
sampling ``--variations`` times, named by a classifier) on any split, so recipes are compared on drawings the card
never uses: ``valid``, or ``train``: the real train drawings, for a decoder that never saw them (``real_copies = 0``
and no ``google_completions``, ``unseen_train``).
Prints one JSON line per object: recognised, ours and Google's, the paired difference's 95% bootstrap interval over
the sketches (``--baseline models``: also the shipped decoder's, against ours), the loss ratio, and how many
strokes each adds to the half (and how often none: the drawing ended at once) against the real second halves.
``--pooled``: then one line for all the named objects' sketches together (a few valid sketches per object rank
recipes only when pooled), with paired intervals over the pooled sketches.

    python -m training.compare_decoders tiger kangaroo castle --models DIR --baseline models --variations 8 --pooled
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from app.engine.classifier import Classifier
from app.engine.decoder import load_decoder, load_gen_json, reconstruction_loss
from app.engine.strokes import stroke3_to_lines
from training import recipe
from training.data import real_drawings
from training.evaluate import half_drawing, hit_share, paired_interval, recognition_hits
from training.paths import PRETRAINED_DIR, QUICKDRAW_DIR, ROOT
from training.stats import paired_bootstrap


def unseen_train(decoder, train: list) -> list:
    """The real train drawings, for a decoder that never learnt from them: not from the drawings themselves
    (``real_copies``), nor from their beginnings finished by Google's decoder (``google_completions``)."""
    values = recipe.normalised(decoder.meta["recipe"])
    if values["real_copies"]:
        raise ValueError(f"{decoder.name} learnt from its real train drawings (real_copies {values['real_copies']})")
    if values["google_completions"]:
        raise ValueError(f"{decoder.name} learnt from the beginnings of its real train drawings "
                         f"(google_completions {values['google_completions']})")
    return train


def compare(name: str, models: Path, split: str, variations: int, classifier: Classifier,
            data_dir: Path = QUICKDRAW_DIR, pretrained_dir: Path = PRETRAINED_DIR,
            baseline: Path | None = None, keep: bool = False) -> dict:
    """One object's decoder in ``models`` against Google's on the real drawings of ``split`` (and against the
    object's decoder in ``baseline``, e.g. the shipped one, on the same sketches); ``keep``: also each sketch's
    hits and loss (``per_sketch``, for ``pooled``)."""
    ours = load_decoder(Path(models) / f"{name}.npz")
    google = load_gen_json(Path(pretrained_dir) / f"{name}.gen.json")
    drawings = real_drawings(name, data_dir)
    chosen = unseen_train(ours, drawings["train"]) if split == "train" else drawings[split]
    sketches = [d for d in chosen if 2 <= len(d) < ours.max_seq_len]
    if not sketches:  # nothing to compare on (bulldozer's valid split is empty)
        return {"name": name, "models": str(models), "split": split, "sketches": 0}
    looks, google_looks = [], []
    hits = recognition_hits(ours, classifier, sketches, variations, 0, looks)
    google_hits = recognition_hits(google, classifier, sketches, variations, 0, google_looks)
    losses = reconstruction_loss(ours, sketches, box_units=True)
    google_losses = reconstruction_loss(google, sketches, box_units=True)
    per_sketch = {"hits": hits, "google_hits": google_hits, "loss": losses, "google_loss": google_losses}
    real = [len(stroke3_to_lines(d, (0.0, 0.0))) - len(half_drawing(d)) for d in sketches]
    against = {}
    if baseline is not None:
        baseline_decoder = load_decoder(Path(baseline) / f"{name}.npz")
        baseline_hits = recognition_hits(baseline_decoder, classifier, sketches, variations, 0)
        if keep:  # the baseline's loss only for the pooled figures
            per_sketch.update(baseline_hits=baseline_hits,
                              baseline_loss=reconstruction_loss(baseline_decoder, sketches, box_units=True))
        against = {"baseline": str(baseline), "baseline_recognised": round(hit_share(baseline_hits, variations), 4),
                   "baseline_difference_ci95": paired_interval(hits, baseline_hits, variations)}
    return {"name": name, "models": str(models), "split": split, "sketches": len(sketches),
            "completions": len(sketches) * variations, "recognised": round(hit_share(hits, variations), 4),
            "google_recognised": round(hit_share(google_hits, variations), 4),
            "difference_ci95": paired_interval(hits, google_hits, variations),
            "loss_ratio": round(float(losses.mean() / google_losses.mean()), 4),
            # how much each adds to the half (new strokes, and the share that added none: ended at once), and
            # how many strokes the real second halves have
            "new_strokes": new_strokes(looks), "google_new_strokes": new_strokes(google_looks),
            "real_new_strokes": round(float(np.mean(real)), 2) if real else None, **against,
            **({"per_sketch": per_sketch} if keep else {})}


def pooled(results: list[dict], variations: int) -> dict:
    """The objects' sketches together (``compare(..., keep=True)`` results): recognised and loss per step, ours
    against Google's (and the baseline's), each difference with its 95% paired bootstrap interval over the
    pooled sketches."""
    joined = {key: np.concatenate([r["per_sketch"][key] for r in results]) for key in results[0]["per_sketch"]}
    out = {"objects": [r["name"] for r in results], "sketches": len(joined["hits"]),
           "recognised": round(hit_share(joined["hits"], variations), 4),
           "google_recognised": round(hit_share(joined["google_hits"], variations), 4),
           "difference_ci95": paired_interval(joined["hits"], joined["google_hits"], variations),
           "loss": round(float(joined["loss"].mean()), 4), "google_loss": round(float(joined["google_loss"].mean()), 4)}
    if "baseline_hits" in joined:
        difference, low, high = paired_bootstrap(joined["baseline_loss"], joined["loss"])
        out.update(baseline_recognised=round(hit_share(joined["baseline_hits"], variations), 4),
                   baseline_difference_ci95=paired_interval(joined["hits"], joined["baseline_hits"], variations),
                   baseline_loss=round(float(joined["baseline_loss"].mean()), 4),
                   loss_minus_baseline=[round(v, 4) for v in (difference, low, high)])
    return out


def new_strokes(looks: list) -> dict:
    """Mean new strokes per completion and the share of completions that added none (``completion_looks``)."""
    if not looks:
        return {"mean": None, "none": None}
    strokes = np.asarray([look[0] for look in looks], np.float64)
    return {"mean": round(float(strokes.mean()), 2), "none": round(float((strokes == 0).mean()), 4)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", metavar="OBJECT")
    parser.add_argument("--models", type=Path, default=ROOT / "models", help="the candidates' folder")
    parser.add_argument("--split", choices=("valid", "train"), default="valid")
    parser.add_argument("--variations", type=int, default=4, help="completions per sketch")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also the object's decoder in DIR (models: the shipped one) on the same sketches")
    parser.add_argument("--classifier-dir", type=Path, default=ROOT / "models",
                        help="the classifier that names the completions (training/judge: the independent one)")
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--pretrained-dir", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--pooled", action="store_true", help="then one line for all the objects' sketches together")
    args = parser.parse_args(argv)
    classifier = Classifier.load(args.classifier_dir)
    results = []
    for name in args.names:
        try:
            result = compare(name, args.models, args.split, args.variations, classifier, args.data_dir,
                             args.pretrained_dir, args.baseline, keep=args.pooled)
        except ValueError as e:  # no drawings it never saw on this split
            parser.error(f"--split {args.split}: {e}")
        results += [result] if result["sketches"] else []
        print(json.dumps({k: v for k, v in result.items() if k != "per_sketch"}), flush=True)
    if args.pooled and results:
        print(json.dumps({"pooled": pooled(results, args.variations)}), flush=True)


if __name__ == "__main__":
    main()
