"""How well Buddy redraws a child's drawing (issue 31): the sketch VAEs in ``models/vae/`` on real drawings.

For each object with a VAE, real drawings of a split (``--split``: valid to tune, test once for the card) are
placed on an 800x600 paper (longest side 60% of its height, centred) and sent to ``buddy.redraw`` as the API
does (``--count`` drawings each, the app's default temperature). Per object and overall:
- recognised: the independent judge (``training/judge/``, never used by the app) names Buddy's redraw as the
  object; beside it, how often it names the child's drawing itself (the reference);
- on the paper: every point of every redraw on the paper;
- loss: the VAE's reconstruction loss (decoding each drawing from its own z = mu) against the object's decoder
  alone on the same drawings (``models/<object>.npz``): how much the encoder tells the decoder; and the KL of the
  encoder's z from the prior per latent dimension (``kl_divergence``);
- its own: in groups of ``GROUP`` drawings, how often a drawing's redraw is nearer its own original than the
  other nine (``chamfer``: the mean distance from each point of one drawing to the other's nearest, both ways,
  on the drawings' lines resampled evenly with the longest side 1; the app picks the redraws it shows by the same
  distance, so this figure is partly what the app aims at); and the same by the judge's features (the cosine of
  its penultimate layer, ``judge_features``), a measure the app never uses;
- morph: pairs of drawings morphed into each other (``buddy.morph``, the app's defaults: ``MORPH_FRAMES`` frames,
  the careful temperature, the frames chosen with the app's classifier, never the judge): the share of frames
  the judge names as the object, and how often the frames move steadily from one end to the other
  (``progress``: the nearness to the end drawing against the start, by ``chamfer``, never going back by more
  than ``BACKTRACK``), with the mean Spearman correlation of frame order and progress and the mean span
  (the last frame's progress less the first's: how far the morph moves; the app's choice of frames uses the same
  ``progress``, so "steady" is partly what that choice aims at).

    python -m training.evaluate_redraw [--split valid] [--per-object 40] [--count 3] [--morphs 20] [--out redraw.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from app.engine import buddy
from app.engine.classifier import Classifier
from app.engine.decoder import encode, load_decoder, reconstruction_loss
from app.engine.render import render_many
from app.engine.strokes import canvas_to_box_lines, chamfer, progress, shape_points, stroke3_to_lines
from app.engine.tuning import TUNING
from training.data import real_drawings
from training.evaluate_fit import HEIGHT, WIDTH, judge_name, on_paper, top1
from training.paths import JUDGE_DIR, QUICKDRAW_DIR, ROOT
from training.stats import wilson

SIZE = 0.6  # the drawing's longest side, a share of the paper's height
GROUP = 10  # "its own": a redraw is compared with its original and GROUP - 1 other drawings of the object
BACKTRACK = 0.05  # a morph moves steadily if its progress never falls back by more than this


def spearman(values: list[float]) -> float:
    """Spearman's rank correlation of a sequence with its order."""
    ranks = np.argsort(np.argsort(values)).astype(np.float64)
    order = np.arange(len(values), dtype=np.float64)
    return float(np.corrcoef(ranks, order)[0, 1]) if np.ptp(ranks) > 0 else 0.0


def placed(stroke3: np.ndarray) -> list[np.ndarray]:
    """A real drawing (stroke-3, box units) centred on the paper, its longest side SIZE of the paper's height."""
    lines = [line for line in stroke3_to_lines(stroke3, (0.0, 0.0)) if len(line)]
    allp = np.concatenate(lines)
    low, high = allp.min(axis=0), allp.max(axis=0)
    scale = SIZE * HEIGHT / max(float((high - low).max()), 1.0)
    centre = np.array([WIDTH, HEIGHT]) / 2
    return [(line - (low + high) / 2) * scale + centre for line in lines]


def kl_divergence(mu: np.ndarray, presig: np.ndarray) -> float:
    """KL(q(z | drawing) || N(0, I)) per latent dimension, as sketch-rnn's loss has it (its floor, ``kl_min``,
    is on this figure): how much the encoder's z says about the drawing."""
    return float(-0.5 * np.mean(1.0 + presig - mu * mu - np.exp(presig)))


def its_own(originals: list[list[np.ndarray]], redraws: list[list[np.ndarray]], judge=None) -> tuple[int, int]:
    """In groups of GROUP drawings: (redraws nearer their own original than the group's others, redraws). Near:
    by ``chamfer`` of their shapes, or, with ``judge``, by the cosine of the judge's features (``judge_features``),
    a measure the app never uses."""
    hits = n = 0
    for start in range(0, len(originals) - GROUP + 1, GROUP):
        group, mine = originals[start:start + GROUP], redraws[start:start + GROUP]
        n += GROUP
        if judge is not None:
            drawn = [k for k in range(GROUP) if mine[k]]
            if drawn:
                f_group, f_mine = judge_features(judge, group), judge_features(judge, [mine[k] for k in drawn])
                hits += sum(int(np.argmax(f_group @ f) == k) for k, f in zip(drawn, f_mine))
            continue
        shapes = [shape_points(o) for o in group]
        for k in range(GROUP):
            if mine[k]:
                r = shape_points(mine[k])
                hits += int(np.argmin([chamfer(r, g) for g in shapes]) == k)
    return hits, n


def judge_features(judge: Classifier, drawings: list[list[np.ndarray]]) -> np.ndarray:
    """The judge's penultimate layer (the last dense layer before its output) for canvas drawings, unit vectors:
    what the judge sees in a drawing, as a measure of likeness independent of the app's."""
    import keras

    model = judge.model
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    x = render_many([canvas_to_box_lines(d, WIDTH, HEIGHT) for d in drawings]).astype(np.float32)[..., None]
    for layer in model.layers:  # the judge is a Sequential: its layers in order, up to that one
        x = layer(x, training=False)
        if layer is dense[-2]:
            break
    f = np.asarray(x, np.float64)
    return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-12)


def morph_figures(vae, drawings: list[np.ndarray], morphs: int, judge, classifier=None) -> dict:
    """``morphs`` pairs of the drawings (placed as the app's paper holds them) morphed into each other, the frames
    chosen with the app's ``classifier`` as the app chooses them."""
    steady, frames_all, rho, span = 0, [], [], []
    pairs = [(drawings[2 * k], drawings[2 * k + 1]) for k in range(min(morphs, len(drawings) // 2))]
    for k, (a, b) in enumerate(pairs):
        start, end = placed(a), placed(b)
        frames, _ = buddy.morph(vae, start, WIDTH, HEIGHT, to_lines=end, seed=k, classifier=classifier)
        drawn = [f.lines for f in frames]
        frames_all += drawn
        if all(drawn):
            p = progress([shape_points(f) for f in drawn], shape_points(start), shape_points(end))
            steady += all(later >= earlier - BACKTRACK for earlier, later in zip(p, p[1:]))
            rho.append(spearman(p))
            span.append(p[-1] - p[0])
    out = {"morphs": len(pairs), "frames": len(frames_all), "steady": steady / max(len(pairs), 1),
           "steady_ci95": wilson(steady, len(pairs)), "spearman": round(float(np.mean(rho)), 3) if rho else None,
           "span": round(float(np.mean(span)), 3) if span else None}
    if judge is not None:
        hits = sum(g == vae.name for g in top1(judge, frames_all))
        out.update(recognised=hits / len(frames_all), recognised_ci95=wilson(hits, len(frames_all)))
    return out


def evaluate(models: Path, split: str, per_object: int, count: int, data_dir: Path = QUICKDRAW_DIR,
             judge_dir: Path = JUDGE_DIR, morphs: int = 20) -> dict:
    """The figures per object and overall."""
    judge = Classifier.load(judge_dir) if (Path(judge_dir) / "classifier.json").exists() else None
    app_classifier = Classifier.load(models) if (Path(models) / "classifier.json").exists() else None
    result = {"split": split, "per_object": per_object, "count": count, "size": SIZE, "group": GROUP,
              "morphs": morphs, "frames": TUNING.morph_frames, "morph_temperature": TUNING.morph_temperature,
              "judge": judge_name(judge_dir) if judge else None, "objects": {}}
    totals = {"recognised": [0, 0], "reference": [0, 0], "on_paper": [0, 0], "own": [0, 0], "own_judge": [0, 0]}
    for path in sorted((Path(models) / "vae").glob("*.npz")):
        vae = load_decoder(path)
        drawings = [d for d in real_drawings(vae.name, data_dir)[split] if 2 <= len(d) < vae.max_seq_len]
        drawings = drawings[:per_object]
        if not drawings:
            continue
        children, redraws = [], []
        for k, d in enumerate(drawings):
            child = placed(d)
            out, _ = buddy.redraw(vae, child, WIDTH, HEIGHT, count=count, seed=k, classifier=app_classifier)
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
        own, groups = its_own(children, [redraws[k * count] for k in range(len(children))])
        if groups:
            figures.update(own=own / groups, own_ci95=wilson(own, groups))
            totals["own"][0] += own
            totals["own"][1] += groups
        if judge is not None and groups:
            own_judge, _ = its_own(children, [redraws[k * count] for k in range(len(children))], judge)
            figures.update(own_judge=own_judge / groups, own_judge_ci95=wilson(own_judge, groups))
            totals["own_judge"][0] += own_judge
            totals["own_judge"][1] += groups
        if morphs:
            figures["morph"] = morph_figures(vae, drawings, morphs, judge, app_classifier)
        figures["loss_vae"] = round(float(np.mean(reconstruction_loss(vae, drawings))), 4)
        figures["kl"] = round(float(np.mean([kl_divergence(*encode(vae, d)) for d in drawings])), 4)
        decoder_path = Path(models) / f"{vae.name}.npz"
        if decoder_path.exists():
            figures["loss_decoder"] = round(float(np.mean(reconstruction_loss(load_decoder(decoder_path),
                                                                              drawings))), 4)
        figures["recipe"] = vae.meta.get("recipe")
        figures["epochs_run"] = (vae.meta.get("training") or {}).get("epochs_run")
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
    parser.add_argument("--morphs", type=int, default=20, help="pairs of drawings morphed per object")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--judge", type=Path, default=JUDGE_DIR)
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = evaluate(args.models, args.split, args.per_object, args.count, args.data_dir, args.judge, args.morphs)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
