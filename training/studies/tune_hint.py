"""Choose how Draw with me picks its hint, on the valid split, from one pool of candidates (issue 26).

``collect`` runs the fitting protocol's first hints (``evaluate_fit.cases``) and keeps, for every case, ``--per``
candidate next strokes at each of ``--temperatures`` (the engine's own sizing, seeds and looks), the shipped
classifier's probability of the object under its ten looks, and whether the independent judge names child +
stroke. ``score`` then replays ways of choosing over that pool (how many candidates at which temperatures, how many
judged, with how many looks, how much the classifier's opinion weighs) and prints each one's share recognised by
the judge, with a paired bootstrap against the way that shipped before. The judge only scores: no way of choosing
sees it.

    python -m training.studies.tune_hint collect --split valid --out training/runs/hint-pool-valid.pkl
    python -m training.studies.tune_hint score training/runs/hint-pool-valid.pkl

Answer (2026-12-01): the shipped hint: 144 candidates at the request's temperature x1, x0.625 and x1.5, the 64
best-looking judged once, the classifier weighed 4 (valid: judge-recognised 82.4% -> 84.9%, paired +2.5, +0.2 to
+4.9).
"""

from __future__ import annotations

import argparse
import math
import pickle
import time
from pathlib import Path

import numpy as np

from app.engine import buddy, fitting
from app.engine.classifier import GUESS_SHIFTS, Classifier, views
from app.engine.decoder import load_decoder, sample_states
from app.engine.render import render_many
from app.engine.strokes import canvas_to_box_lines
from app.engine.tuning import TUNING
from training import evaluate_fit as ef
from training.paths import JUDGE_DIR, MODELS_DIR, QUICKDRAW_DIR, RUNS_DIR

AS_DRAWN, MIRRORED = 0, len(GUESS_SHIFTS)  # the look indices of ``looks_of``: the render, its mirror image


def looks_of(classifier: Classifier, renders: np.ndarray) -> np.ndarray:
    """The classifier's probabilities (looks, n, classes) for renders under ``views_average``'s ten looks."""
    return np.stack([np.asarray(classifier.probabilities_padded(v[..., 0], mirror=False)) for v in views(renders)])


def collect(split: str, temperatures: list[float], per: int, out: Path, models_dir: Path = MODELS_DIR):
    decoders = {p.stem: load_decoder(p) for p in sorted(models_dir.glob("*.npz"))}
    classifier, judge = Classifier.load(models_dir), Classifier.load(JUDGE_DIR)
    cases = ef.cases(sorted(decoders), split, 8, QUICKDRAW_DIR)
    pool, started = [], time.time()
    for k, case in enumerate(cases):
        decoder, name = decoders[case["name"]], case["name"]
        fit = buddy.fit_to_model(decoder, case["half"], ef.WIDTH, ef.HEIGHT)
        simple = [fitting.simplify_child(fit.child, whole) for whole in fit.wholes]
        hyps = [buddy.hypothesis_of(i, len(fit.states)) for i in range(per)]
        record = {"name": name, "size": case["size"], "temperatures": {},
                  "judge_half": ef.top1(judge, [case["half"]])[0] == name}
        for t in temperatures:
            # at the default temperature the engine's own seeds: its "before" is exactly the hint shipped before
            seeds = buddy.variation_seeds(k, per) if t == TUNING.default_temperature else [
                [k, round(1000 * t), i] for i in range(per)]
            results = sample_states(decoder, [fit.states[h] for h in hyps], seeds, temperature=t,
                                    max_steps=decoder.max_seq_len, stop_at_pen_up=True)
            strokes = [[line for line in buddy._new_lines(rows, fit, h, ef.WIDTH, ef.HEIGHT) if len(line) >= 2][-1:]
                       for (rows, _), h in zip(results, hyps)]
            drawn = [i for i, s in enumerate(strokes) if s]
            looks = fitting.describe_many(simple, [strokes[i] for i in drawn], [hyps[i] for i in drawn], fit.wholes,
                                          ef.WIDTH, ef.HEIGHT)
            probs = np.zeros((len(drawn), 2 * len(GUESS_SHIFTS)), np.float32)
            named = np.zeros(len(drawn), bool)
            if drawn:
                shared = canvas_to_box_lines(fit.child, ef.WIDTH, ef.HEIGHT)
                renders = render_many([[*shared, *canvas_to_box_lines(strokes[i], ef.WIDTH, ef.HEIGHT, simplify=False)]
                                       for i in drawn])
                probs = looks_of(classifier, renders)[:, :, classifier.names.index(name)].T
                named = np.array([g == name for g in ef.top1(judge, [[*case["half"], strokes[i][0]] for i in drawn])])
            for look in looks:
                look.ink_points = np.zeros((0, 2))  # not needed to choose one stroke
            record["temperatures"][t] = {"drawn": drawn, "looks": looks, "probs": probs, "judge": named}
        pool.append(record)
        if k % 100 == 0:
            print(f"{k}/{len(cases)} cases, {time.time() - started:.0f} s", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps({"split": split, "per": per, "cases": pool}))
    print(f"wrote {out}: {len(pool)} cases in {time.time() - started:.0f} s")


def choose(record: dict, temperatures, per: int, judged: int, looks: list[int], weight: float):
    """The judge's verdict on the stroke a way of choosing picks (the half's alone when the hint would end)."""
    candidates = [(t, j) for t in temperatures for j, i in enumerate(record["temperatures"][t]["drawn"]) if i < per]
    if len(candidates) * 2 < len(temperatures) * per:  # most candidates end the drawing: so does the hint
        return record["judge_half"]
    # what ``select`` ranks by before the classifier is asked
    plain = {c: fitting.standing(record["temperatures"][c[0]]["looks"][c[1]], 0.0) for c in candidates}
    ranked = set(sorted(candidates, key=lambda c: -plain[c])[:judged])

    def value(c):
        p = float(np.mean(record["temperatures"][c[0]]["probs"][c[1], looks])) if c in ranked else 0.0
        return plain[c] + weight * math.log(max(p, 0.01))

    t, j = max(candidates, key=value)
    return bool(record["temperatures"][t]["judge"][j])


def score(path: Path) -> None:
    data = pickle.loads(path.read_bytes())
    pool, per = data["cases"], data["per"]
    temps = sorted(pool[0]["temperatures"])
    default = TUNING.default_temperature

    def run(temperatures, n, judged, looks, weight):
        return np.array([choose(r, temperatures, n, judged, looks, weight) for r in pool], float)

    before = run([default], per, per, [AS_DRAWN, MIRRORED], 2.0)
    rng = np.random.default_rng(0)
    resamples = rng.integers(0, len(pool), (2000, len(pool)))
    print(f"{data['split']} split, {len(pool)} first hints; the judge names the half alone "
          f"{np.mean([r['judge_half'] for r in pool]):.1%}")
    print(f"before ({per} at {default}, all judged mirrored, weight 2): {before.mean():.1%}")
    ways = [(f"{per} at {t}, all judged mirrored, weight 2", [t], per, per, [AS_DRAWN, MIRRORED], 2.0) for t in temps]
    ways += [(f"{per} at {default}, all judged mirrored, weight {w}", [default], per, per, [AS_DRAWN, MIRRORED], w)
             for w in (1.0, 3.0, 4.0)]
    ways += [(f"{per} at {default}, all judged, ten looks, weight 2", [default], per, per, list(range(10)), 2.0)]
    every = len(temps) * per
    for judged in (per, 4 * per // 3, 2 * per, every):
        for looks, label in (([AS_DRAWN], "one look"), ([AS_DRAWN, MIRRORED], "mirrored")):
            for w in (2.0, 4.0):
                ways.append((f"{every} at {temps}, {judged} judged, {label}, weight {w}", temps, per, judged, looks, w))
    for label, *way in ways:
        got = run(*way)
        diff = got - before
        spread = np.percentile(diff[resamples].mean(axis=1), [2.5, 97.5])
        print(f"{label}: {got.mean():.1%} (paired {100 * diff.mean():+.1f} points, "
              f"{100 * spread[0]:+.1f} to {100 * spread[1]:+.1f})", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--split", default="valid", choices=["train", "valid"])  # never the test split
    c.add_argument("--temperatures", type=float, nargs="+", default=[0.25, 0.4, 0.6])
    c.add_argument("--per", type=int, default=48, help="candidates per temperature")
    c.add_argument("--out", type=Path, default=RUNS_DIR / "hint-pool-valid.pkl")
    s = sub.add_parser("score")
    s.add_argument("pool", type=Path)
    args = parser.parse_args(argv)
    if args.command == "collect":
        collect(args.split, args.temperatures, args.per, args.out)
    else:
        score(args.pool)


if __name__ == "__main__":
    main()
