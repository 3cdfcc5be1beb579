"""Choose a decoder's recipe on the valid split: a candidate's completions against Google's on the same sketches.

    python -m training.compare_decoders bird --models training/runs/candidates --split valid

The model card's recognition protocol (``training.evaluate``: half of each real drawing's strokes, finished by raw
sampling ``--variations`` times, named by a classifier) on any split, so recipes are compared on drawings the card
never uses: ``valid``, or ``train``: the real train drawings, for a decoder that never saw them (``real_copies = 0``
and no ``google_completions``, ``unseen_train``).
Prints one JSON line per object: recognised, ours and Google's, the paired difference's 95% bootstrap interval over
the sketches (``--baseline models``: also the shipped decoder's, against ours), the loss ratio, and how many
strokes each adds to the half (and how often none: the drawing ended at once) against the real second halves.
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
            baseline: Path | None = None) -> dict:
    """One object's decoder in ``models`` against Google's on the real drawings of ``split`` (and against the
    object's decoder in ``baseline``, e.g. the shipped one, on the same sketches)."""
    ours = load_decoder(Path(models) / f"{name}.npz")
    google = load_gen_json(Path(pretrained_dir) / f"{name}.gen.json")
    drawings = real_drawings(name, data_dir)
    chosen = unseen_train(ours, drawings["train"]) if split == "train" else drawings[split]
    sketches = [d for d in chosen if 2 <= len(d) < ours.max_seq_len]
    looks, google_looks = [], []
    hits = recognition_hits(ours, classifier, sketches, variations, 0, looks)
    google_hits = recognition_hits(google, classifier, sketches, variations, 0, google_looks)
    loss = reconstruction_loss(ours, sketches, box_units=True).mean()
    real = [len(stroke3_to_lines(d, (0.0, 0.0))) - len(half_drawing(d)) for d in sketches]
    against = {}
    if baseline is not None:
        baseline_hits = recognition_hits(load_decoder(Path(baseline) / f"{name}.npz"), classifier, sketches,
                                         variations, 0)
        against = {"baseline": str(baseline), "baseline_recognised": round(hit_share(baseline_hits, variations), 4),
                   "baseline_difference_ci95": paired_interval(hits, baseline_hits, variations)}
    return {"name": name, "models": str(models), "split": split, "sketches": len(sketches),
            "completions": len(sketches) * variations, "recognised": round(hit_share(hits, variations), 4),
            "google_recognised": round(hit_share(google_hits, variations), 4),
            "difference_ci95": paired_interval(hits, google_hits, variations),
            "loss_ratio": round(float(loss / reconstruction_loss(google, sketches, box_units=True).mean()), 4),
            # how much each adds to the half (new strokes, and the share that added none: ended at once), and
            # how many strokes the real second halves have
            "new_strokes": new_strokes(looks), "google_new_strokes": new_strokes(google_looks),
            "real_new_strokes": round(float(np.mean(real)), 2) if real else None, **against}


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
    args = parser.parse_args(argv)
    classifier = Classifier.load(args.classifier_dir)
    for name in args.names:
        try:
            result = compare(name, args.models, args.split, args.variations, classifier, args.data_dir,
                             args.pretrained_dir, args.baseline)
        except ValueError as e:  # no drawings it never saw on this split
            parser.error(f"--split {args.split}: {e}")
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
