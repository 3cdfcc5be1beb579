"""Two classifiers on the same real drawings (issue 32): is the new one better, by how much, and for which objects?

Both classify every real drawing of a split (``--split valid`` to choose, ``test`` once for the card) as the
app guesses (``Classifier.guess_probabilities``: the render and its mirror image, each as drawn and shifted a pixel
four ways). Printed, and written as JSON with ``--out``:
- top-1 and top-3 of each with 95% Wilson intervals, and the paired difference of top-1 (new - old) with its
  95% interval (the same drawings: the normal approximation for paired proportions);
- per object: n, top-1 of each with intervals, and whether the new one is worse than the old by more than the
  old one's interval (the issue's "no object worse than today by more than its interval");
- the most frequent confusion pairs (true -> guessed) of each.

    python -m training.studies.classifiers --old models --new training/runs/classifier-more-export [--split valid]

Answer (2026-11-30): a tool, not one question: it chose issue 32's classifier (guesses over ten looks: valid top-1
77.6% -> 79.4%, paired +1.8 points, +0.8 to +2.8) and the judge (valid top-1 77.7% against the shipped 77.6%).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from app.engine.classifier import Classifier
from training.paths import QUICKDRAW_DIR, ROOT
from training.stats import paired_bootstrap, wilson
from training.train_classifier import classify_split, metrics


def paired_difference(old_right: np.ndarray, new_right: np.ndarray) -> dict:
    """new - old accuracy on the same items, with its paired bootstrap 95% interval, and how many items each
    got right that the other did not."""
    diff, low, high = paired_bootstrap(old_right, new_right)
    return {"difference": round(diff, 4), "ci95": [round(low, 4), round(high, 4)],
            "gained": int(np.sum(new_right & ~old_right)), "lost": int(np.sum(old_right & ~new_right))}


def compare(old_probs: np.ndarray, new_probs: np.ndarray, labels: np.ndarray, names: list[str]) -> dict:
    """The comparison of two classifiers' probabilities (n, classes) for the same labelled drawings."""
    old, new = metrics(old_probs, labels, names), metrics(new_probs, labels, names)
    old_right, new_right = old_probs.argmax(1) == labels, new_probs.argmax(1) == labels
    out = {"n": int(len(labels)), "old": {}, "new": {}, "per_object": {}}
    for key, m, probs in (("old", old, old_probs), ("new", new, new_probs)):
        top3 = (np.argsort(-probs, axis=1)[:, :3] == labels[:, None]).any(axis=1)
        right = probs.argmax(1) == labels
        out[key] = {"top1": m["top1"], "top1_ci95": wilson(int(right.sum()), len(labels)),
                    "top3": m["top3"], "top3_ci95": wilson(int(top3.sum()), len(labels)),
                    "confusions": m["confusions"]}
    out["top1_difference"] = paired_difference(old_right, new_right)
    worse = []
    for k, name in enumerate(names):
        mask = labels == k
        if not mask.any():
            continue
        n, a, b = int(mask.sum()), int(old_right[mask].sum()), int(new_right[mask].sum())
        low = wilson(a, n)[0]
        row = {"n": n, "old": round(a / n, 4), "old_ci95": wilson(a, n), "new": round(b / n, 4),
               "new_ci95": wilson(b, n), "worse_beyond_interval": b / n < low}
        out["per_object"][name] = row
        if row["worse_beyond_interval"]:
            worse.append(name)
    out["worse_beyond_interval"] = worse
    return out


def report(result: dict) -> str:
    """The comparison as markdown: the totals, the objects, the confusion pairs."""
    o, w, d = result["old"], result["new"], result["top1_difference"]

    def pct(value, ci):
        return f"{value:.1%} ({ci[0]:.1%}–{ci[1]:.1%})"

    lines = [f"{result['n']} real drawings ({result.get('split', '?')} split)", "",
             "| | old | new |", "|---|---|---|",
             f"| top-1 | {pct(o['top1'], o['top1_ci95'])} | {pct(w['top1'], w['top1_ci95'])} |",
             f"| top-3 | {pct(o['top3'], o['top3_ci95'])} | {pct(w['top3'], w['top3_ci95'])} |", "",
             f"top-1, new - old: {d['difference']:+.1%} ({d['ci95'][0]:+.1%} to {d['ci95'][1]:+.1%}); "
             f"{d['gained']} drawings gained, {d['lost']} lost", "",
             "| object | n | old top-1 | new top-1 | worse beyond the old interval |", "|---|---|---|---|---|"]
    for name, r in result["per_object"].items():
        lines.append(f"| {name} | {r['n']} | {pct(r['old'], r['old_ci95'])} | {pct(r['new'], r['new_ci95'])} | "
                     f"{'**yes**' if r['worse_beyond_interval'] else ''} |")
    for key in ("old", "new"):
        pairs = ", ".join(f"{c['true']}→{c['guessed']} {c['count']}" for c in result[key]["confusions"][:8])
        lines += ["", f"confusions ({key}): {pairs}"]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, default=ROOT / "models", help="a classifier's directory (the shipped one)")
    parser.add_argument("--new", type=Path, required=True, help="the other classifier's directory")
    parser.add_argument("--split", choices=("valid", "test"), default="valid")
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    old, new = Classifier.load(args.old), Classifier.load(args.new)
    if not set(old.names) <= set(new.names):
        parser.error(f"the new classifier does not know {sorted(set(old.names) - set(new.names))}")
    # the old objects' drawings, as each classifier guesses them among all it knows: a new classifier that learnt
    # more objects is judged on the old ones (its guesses may go to a new object, which counts as wrong)
    old_probs, labels = classify_split(old, args.split, args.data_dir)
    new_probs, _ = classify_split(new, args.split, args.data_dir, names=old.names)
    columns = [new.names.index(name) for name in old.names]
    padded = np.zeros((len(labels), len(new.names)), old_probs.dtype)
    padded[:, columns] = old_probs
    result = {"split": args.split, "old_dir": str(args.old), "new_dir": str(args.new),
              "new_objects": sorted(set(new.names) - set(old.names)),
              **compare(padded, new_probs, np.asarray(columns)[labels], new.names)}
    print(report(result), flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
