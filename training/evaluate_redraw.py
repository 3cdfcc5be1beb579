"""How well Buddy redraws a child's drawing (issue 31): the sketch VAEs in ``models/vae/`` on real drawings.

For each object with a VAE, real drawings of a split (``--split``: valid to tune, test once for the card) are
placed on an 800x600 paper (longest side 60% of its height, centred) and sent to ``buddy.redraw`` as the API
does (``--count`` drawings each, the app's default temperature). Per object and overall:
- recognised: the independent judge (``training/judge/``, never used by the app) names Buddy's redraw as the
  object; beside it, how often it names the child's drawing itself (the reference);
- on the paper: every point of every redraw on the paper;
- loss: the VAE's reconstruction loss (decoding each drawing from its own z = mu) against the object's decoder
  alone on the same drawings (``models/<object>.npz``): how much the encoder tells the decoder.

    python -m training.evaluate_redraw [--split valid] [--per-object 40] [--count 3] [--out redraw.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from app import buddy
from app.classifier import Classifier
from app.decoder import load_decoder, reconstruction_loss
from app.strokes import stroke3_to_lines
from training.data import QUICKDRAW_DIR, real_drawings
from training.evaluate_fit import HEIGHT, JUDGE_DIR, WIDTH, on_paper, top1, wilson

ROOT = Path(__file__).resolve().parents[1]
SIZE = 0.6  # the drawing's longest side, a share of the paper's height


def placed(stroke3: np.ndarray) -> list[np.ndarray]:
    """A real drawing (stroke-3, box units) centred on the paper, its longest side SIZE of the paper's height."""
    lines = [line for line in stroke3_to_lines(stroke3, (0.0, 0.0)) if len(line)]
    allp = np.concatenate(lines)
    low, high = allp.min(axis=0), allp.max(axis=0)
    scale = SIZE * HEIGHT / max(float((high - low).max()), 1.0)
    centre = np.array([WIDTH, HEIGHT]) / 2
    return [(line - (low + high) / 2) * scale + centre for line in lines]


def evaluate(models: Path, split: str, per_object: int, count: int, data_dir: Path = QUICKDRAW_DIR,
             judge_dir: Path = JUDGE_DIR) -> dict:
    """The figures per object and overall."""
    judge = Classifier.load(judge_dir) if (Path(judge_dir) / "classifier.json").exists() else None
    result = {"split": split, "per_object": per_object, "count": count, "size": SIZE,
              "judge": str(judge_dir) if judge else None, "objects": {}}
    totals = {"recognised": [0, 0], "reference": [0, 0], "on_paper": [0, 0]}
    for path in sorted((Path(models) / "vae").glob("*.npz")):
        vae = load_decoder(path)
        drawings = [d for d in real_drawings(vae.name, data_dir)[split] if 2 <= len(d) < vae.max_seq_len]
        drawings = drawings[:per_object]
        if not drawings:
            continue
        children, redraws = [], []
        for k, d in enumerate(drawings):
            child = placed(d)
            out, _ = buddy.redraw(vae, child, WIDTH, HEIGHT, count=count, seed=k)
            children.append(child)
            redraws += [o.lines for o in out]
        figures = {"drawings": len(drawings), "redraws": len(redraws),
                   "on_paper": float(np.mean([on_paper(r) for r in redraws]))}
        totals["on_paper"][0] += sum(on_paper(r) for r in redraws)
        totals["on_paper"][1] += len(redraws)
        if judge is not None:
            hits = sum(g == vae.name for g in top1(judge, redraws))
            reference = sum(g == vae.name for g in top1(judge, children))
            figures.update(recognised=hits / len(redraws), recognised_ci95=wilson(hits, len(redraws)),
                           reference=reference / len(children), reference_ci95=wilson(reference, len(children)))
            totals["recognised"][0] += hits
            totals["recognised"][1] += len(redraws)
            totals["reference"][0] += reference
            totals["reference"][1] += len(children)
        figures["loss_vae"] = round(float(np.mean(reconstruction_loss(vae, drawings))), 4)
        decoder_path = Path(models) / f"{vae.name}.npz"
        if decoder_path.exists():
            figures["loss_decoder"] = round(float(np.mean(reconstruction_loss(load_decoder(decoder_path),
                                                                              drawings))), 4)
        figures["recipe"] = vae.meta.get("recipe")
        result["objects"][vae.name] = figures
        print(vae.name, json.dumps({k: v for k, v in figures.items() if k != "recipe"}), flush=True)
    result["all"] = {k: (round(h / n, 4) if n else None) for k, (h, n) in totals.items()}
    result["all"].update({f"{k}_ci95": wilson(h, n) for k, (h, n) in totals.items() if n})
    print("all", json.dumps(result["all"]), flush=True)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "valid", "test"), default="valid")
    parser.add_argument("--per-object", type=int, default=40)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--judge", type=Path, default=JUDGE_DIR)
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = evaluate(args.models, args.split, args.per_object, args.count, args.data_dir, args.judge)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
