"""Which fine-tuning recipe serves the new objects best (issue 51), chosen on the valid split pooled across them?

Each candidate is the fewshot recipe (``training/recipes/fewshot.toml``) with some values changed
(``--candidates lr=0.001 mirror=0,lr=0.001 ...``: one candidate per argument, ``key=value`` pairs joined by commas;
``base`` is the recipe as it is). Every candidate fine-tunes the prior on each object's real train drawings
(``train_decoder`` into ``--runs-dir``/fewshot-study/<candidate>/, resumable like every run); each object's own
valid drawings pick its epoch (early stopping), and the candidates are compared on all the objects' valid drawings
pooled (a few per object: pooled across the objects they are enough to rank recipes; no test drawing is read):
- the mean loss per step (box units) over the pooled valid drawings, and each candidate's paired difference to
  ``base`` with its bootstrap interval (the same drawings);
- with ``--judged``: what a child would see, ``training.evaluate_fewshot``'s figures on the valid split pooled
  (Finish and Show me how named by the independent judge, on the paper, against the judge's ceiling).
``init_from=none`` is the same recipe from scratch (the prior's comparison).

    python -m training.studies.fewshot --objects house tree sun car --candidates base lr=0.001 init_from=none \
        --out training/runs/fewshot-study.json
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from app.engine.classifier import Classifier
from app.engine.decoder import load_decoder, reconstruction_loss
from training import evaluate_fewshot, recipe, train_decoder
from training.data import real_drawings
from training.paths import JUDGE_FEWSHOT_DIR, MODELS_DIR, QUICKDRAW_DIR, RUNS_DIR
from training.stats import paired_bootstrap, wilson

BASE = "base"


def parse_candidate(text: str) -> dict:
    """``lr=0.001,mirror=0`` -> {"lr": 0.001, "mirror": 0.0} in the recipe's types (``base``: no change)."""
    if text == BASE:
        return {}
    values = {}
    for pair in text.split(","):
        key, _, value = pair.partition("=")
        if key not in recipe.FINETUNE_KEYS or not value:
            raise SystemExit(f"--candidates {text}: {key!r} is not a fewshot recipe key=value "
                             f"({', '.join(recipe.FINETUNE_KEYS)})")
        values[key] = value if key in recipe.STRINGS else float(value) if key in recipe.FLOATS else (
            [float(v) for v in value.split()] if key == "google_temperatures" else int(value))
    return values


def folder_name(text: str) -> str:
    """A candidate's run folder name: ``lr=0.001,init_from=/a/prior.npz`` -> ``lr-0.001_init_from-_a_prior.npz``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text.replace("=", "-"))


def train_candidate(tag: str, changes: dict, objects: list[str], args) -> Path:
    """Fine-tune every object with the candidate's recipe; returns the folder of its decoders."""
    out = Path(args.runs_dir) / "fewshot-study" / tag
    argv = [*objects, "--recipe", "fewshot", "--out", str(out), "--runs-dir", str(out / "runs"),
            "--data-dir", str(args.data_dir)]
    for key, value in changes.items():
        argv += [f"--{key.replace('_', '-')}", *(map(str, value) if isinstance(value, list) else [str(value)])]
    if args.prior and "init_from" not in changes:
        argv += ["--init-from", str(args.prior)]
    train_decoder.main(argv)
    return out


def pooled(values: list[dict]) -> dict:
    """``evaluate_fewshot`` shares summed across objects (hits and counts), with the pooled Wilson interval."""
    hits, n = sum(v["hits"] for v in values), sum(v["n"] for v in values)
    return {"share": round(hits / n, 4) if n else None, "hits": hits, "n": n, "ci95": wilson(hits, n)}


def study(objects: list[str], candidates: list[str], args) -> dict:
    """Train and measure every candidate; the figures by candidate, pooled over the objects."""
    valid = {name: [d for d in real_drawings(name, args.data_dir)["valid"] if len(d) >= 2] for name in objects}
    classifier = Classifier.load(args.models) if (Path(args.models) / "classifier.json").exists() else None
    judge = Classifier.load(args.judge) if args.judged and (Path(args.judge) / "classifier.json").exists() else None
    result = {"objects": objects, "valid_drawings": {n: len(v) for n, v in valid.items()}, "candidates": {}}
    losses = {}
    for text in candidates:
        changes = {**parse_candidate(args.common), **parse_candidate(text)}
        folder = train_candidate(folder_name(text), changes, objects, args)
        per = []
        figures = {"finish": [], "show": [], "ceiling": [], "on_paper": []}
        for name in objects:
            decoder = load_decoder(folder / f"{name}.npz")
            drawings = [d for d in valid[name] if len(d) < decoder.max_seq_len]
            per.append(reconstruction_loss(decoder, drawings, box_units=True) if drawings else np.zeros(0))
            if judge is not None:
                row = evaluate_fewshot.evaluate_object(name, decoder, {}, classifier, judge, "valid", args.data_dir,
                                                       args.show)
                figures["finish"].append(row["finish"]["recognised"])
                figures["show"].append(row["show_me_how"]["recognised"])
                figures["ceiling"].append(row["ceiling"])
                figures["on_paper"].append(row["finish"]["on_paper"])
        losses[text] = np.concatenate(per)
        entry = {"loss": round(float(losses[text].mean()), 4),
                 "per_object": {n: round(float(v.mean()), 4) for n, v in zip(objects, per) if len(v)}}
        if judge is not None:
            entry.update({key: pooled(values) for key, values in figures.items()})
        result["candidates"][text] = entry
        print(json.dumps({"candidate": text, **{k: v for k, v in entry.items() if k != "per_object"}}), flush=True)
    if BASE in losses:
        for text, values in losses.items():
            if text != BASE:
                diff, low, high = paired_bootstrap(losses[BASE], values)
                result["candidates"][text]["minus_base"] = {"mean": round(diff, 4),
                                                            "ci95": [round(low, 4), round(high, 4)]}
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", nargs="+", default=list(evaluate_fewshot.NEW_OBJECTS[:10]))
    parser.add_argument("--candidates", nargs="+", default=[BASE], metavar="KEY=VALUE[,KEY=VALUE]")
    parser.add_argument("--common", default=BASE, metavar="KEY=VALUE[,KEY=VALUE]",
                        help="changes to the recipe for every candidate (e.g. a shorter run)")
    parser.add_argument("--prior", type=Path, help="the prior to start from (default: the recipe's init_from)")
    parser.add_argument("--judged", action="store_true", help="also what a child would see (the judge's figures)")
    parser.add_argument("--show", type=int, default=10, help="Show me how drawings per object (with --judged)")
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="the shipped classifier (the engine's)")
    parser.add_argument("--judge", type=Path, default=JUDGE_FEWSHOT_DIR)
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--runs-dir", type=Path, default=RUNS_DIR)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    for text in [args.common, *args.candidates]:
        parse_candidate(text)  # every candidate readable before the first one trains
    result = study(args.objects, args.candidates, args)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
