""""What could it become?" on real half-drawings: is the object the child meant among those offered, do the
endings stay on the paper and look like what they are named, and how long does it take (issue 31).

The cases are evaluate_fit's (the first half of the strokes of real drawings of a split, placed on an 800x600
paper at three sizes); each goes to ``buddy.imagine`` with the app's defaults (6 objects) and the shipped models:
- offered: the drawing's own object is among the objects offered (target >= 80%);
- on paper: every offered ending lies on the paper;
- recognised: the independent judge (training/judge) names (half + ending) as the object it was offered as (an
  ending offered as an object the judge has not learnt is left out);
- time: wall time of one call on this machine, median and p95 (the API adds JSON and HTTP on top).

    python -m training.evaluate_imagine [--split valid] [--per-object 4] [--count 6]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from app.engine import buddy
from app.engine.classifier import Classifier
from app.engine.decoder import load_decoder
from training.evaluate_fit import HEIGHT, WIDTH, cases, named, on_paper, top1, unknown_to
from training.paths import JUDGE_DIR, QUICKDRAW_DIR, ROOT
from training.stats import wilson

TARGETS = {"offered": 0.80, "median_ms": 300}


def evaluate(models_dir: Path, split: str, per_object: int, count: int, data_dir: Path = QUICKDRAW_DIR,
             judge_dir: Path = JUDGE_DIR) -> dict:
    decoders = {p.stem: load_decoder(p) for p in sorted(Path(models_dir).glob("*.npz"))}
    classifier = Classifier.load(models_dir)
    judge = Classifier.load(judge_dir) if (Path(judge_dir) / "classifier.json").exists() else None
    cases_ = cases(sorted(decoders), split, per_object, data_dir)
    buddy.imagine(decoders, cases_[0]["half"], WIDTH, HEIGHT, count=count, seed=0, classifier=classifier)  # warm
    offered, papers, times, judged = [], [], [], []
    for k, case in enumerate(cases_):
        started = time.perf_counter()
        endings, _ = buddy.imagine(decoders, case["half"], WIDTH, HEIGHT, count=count, seed=k, classifier=classifier)
        times.append((time.perf_counter() - started) * 1000)
        offered.append(case["name"] in [name for name, _ in endings])
        papers.extend(on_paper(c.lines) for _, c in endings)
        guesses = top1(judge, [[*case["half"], *c.lines] for _, c in endings])
        judged.extend(hit for g, (name, _) in zip(guesses, endings)
                      if (hit := named(judge, g, name)) is not None)
    result = {"split": split, "per_object": per_object, "cases": len(cases_), "count": count, "targets": TARGETS,
              "offered": round(float(np.mean(offered)), 4), "offered_ci95": wilson(sum(offered), len(offered)),
              "on_paper": round(float(np.mean(papers)), 4),
              "recognised_by_judge": round(float(np.mean(judged)), 4) if judged else None,
              "recognised_by_judge_ci95": wilson(sum(judged), len(judged)) if judged else None,
              "unknown_to_judge": unknown_to(judge, decoders),
              "median_ms": round(statistics.median(times)), "p95_ms": round(float(np.percentile(times, 95)))}
    print(json.dumps(result), flush=True)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "valid", "test"), default="valid")
    parser.add_argument("--per-object", type=int, default=4)
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = evaluate(args.models, args.split, args.per_object, args.count, args.data_dir)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
