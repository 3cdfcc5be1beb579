"""Evaluate the shipped models against Google's and write the model card: ``models/manifest.json``,
``models/README.md`` and ``models/samples.svg``. Every figure in them comes from this script.

    python -m training.evaluate

For each decoder in ``models/`` (real drawings of the test split, which no model of the project trains on):
- reconstruction loss (the paper's L_R per step, offsets in 0..255 box units so decoders of any scale
  compare), ours and Google's, and their ratio (target: ours within 10% of Google's);
- completions of half-drawn test sketches (the first half of the strokes), ``--variations`` per sketch at the
  app's default temperature, recognised by the shipped classifier as the object (top-1), ours and Google's
  (target: ours at least Google's minus 5 points).
For the classifier: top-1 / top-3 on the real test split of every class, per class, and the confusions.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict
from pathlib import Path

import jinja2
import numpy as np

from app.engine import buddy
from app.engine.catalog import label
from app.engine.classifier import Classifier
from app.engine.decoder import Decoder, load_decoder, load_gen_json, reconstruction_loss
from app.engine.strokes import stroke3_to_lines
from app.engine.tuning import TUNING
from training import evaluate_fewshot, evaluate_fit, evaluate_imagine, evaluate_redraw, recipe
from training.data import real_drawings
from training.google_drawings import sample_drawings
from training.paths import JUDGE_FEWSHOT_DIR, PRETRAINED_DIR, PRIOR_PATH, QUICKDRAW_DIR, ROOT
from training.stats import paired_bootstrap, wilson
from training.train_classifier import CARD_OPTIONS, build_parser, classify_split, metrics, schedule_sentence

TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                               undefined=jinja2.StrictUndefined)
TEMPLATES.filters.update(string_g=lambda v: f"{v:g}", pct=lambda x: _pct(x), difference=lambda d: _difference(d),
                         meets=lambda d: _meets(d))
LOSS_TARGET = 1.10  # ours / Google's
RECOGNITION_MARGIN = 0.05  # ours >= Google's - this
FEW_TEST_DRAWINGS = 20  # an object with fewer real test drawings is named on the card as resting on few
# decoders whose shipped recipe was picked after comparing recipes on their own test sketches (the first fifteen:
# their earlier recipe against the careful one; strawberry: two recipes), which flatters their figures; the others
# were trained once with the careful recipe (but those in CHOSEN_OFF_TEST), and from issue 30 on a recipe is chosen
# on drawings the card never uses
CHOSEN_ON_TEST = ("bee", "bicycle", "cat", "crab", "dog", "duck", "flower", "octopus", "owl", "pig", "rabbit",
                  "sheep", "snail", "strawberry", "whale")
# decoders whose recipe was chosen on real drawings the card never uses (issue 30.3), and how
CHOSEN_OFF_TEST = {
    "ant": "its 48 valid sketches: 4,000 completions by Google's decoder of real beginnings with bird's cooler "
           "temperatures (0.5 0.4 0.3 0.2) against those temperatures alone and the careful recipe",
    "bird": "its 147 valid sketches and 968 real train drawings (which none of the recipes learns from): 40,000 "
            "drawings by Google's decoder at cooler temperatures (0.5 0.4 0.3 0.2) against 20,000 at them, the careful "
            "recipe, colder ones (0.3 0.25 0.2 0.15), 4,000 completions by Google's decoder and its real drawings once "
            "per epoch",
    "helicopter": "its 33 real train drawings (which neither recipe learns from) and 6 valid sketches: "
                  "Google's decoder's default temperatures (1.0 1.0 0.8 0.6) against the careful recipe",
    "kangaroo": "its 41 real train drawings (which none of the recipes learns from) and 5 valid sketches: "
                "Google's decoder's default temperatures (1.0 1.0 0.8 0.6) against the careful recipe and bird's "
                "cooler ones (0.5 0.4 0.3 0.2)",
    "penguin": "its 31 real train drawings (which neither recipe learns from) and 4 valid sketches: bird's cooler "
               "temperatures (0.5 0.4 0.3 0.2) against the careful recipe",
}
OUTLIER_MEAN_OVER_MEDIAN = 2.0  # a Google mean loss over this times its median gets a note on the card
GOOGLE_CHECK_SEED = 10_000  # training samples Google's decoders with seed 0
BOX = 255.0
TINY_STROKE = 8.0  # box units of ink: a stroke shorter than this is a dot or a dash


def half_drawing(stroke3: np.ndarray) -> list[np.ndarray]:
    """The first half of a drawing's strokes (of its points when it is one stroke), as box-unit lines."""
    return evaluate_fit.half_drawing(stroke3_to_lines(stroke3, (0.0, 0.0)))


def completion_looks(completion: buddy.Completion) -> tuple[int, int, bool]:
    """What one completion looks like: its strokes, how many of them are tiny (under ``TINY_STROKE`` box units of
    ink: a dot or a dash), and whether the model ended the drawing."""
    ink = [float(np.hypot(*np.diff(line, axis=0).T).sum()) if len(line) > 1 else 0.0 for line in completion.lines]
    return len(ink), sum(length < TINY_STROKE for length in ink), completion.finished


def summarize_looks(looks: list[tuple[int, int, bool]]) -> dict:
    """Means over completions of ``completion_looks``: strokes, tiny strokes, share finished."""
    table = np.asarray(looks, np.float64).reshape(-1, 3)
    strokes, tiny, finished = table.mean(axis=0) if len(table) else np.zeros(3)
    return {"strokes": round(float(strokes), 2), "tiny_strokes": round(float(tiny), 2),
            "finished": round(float(finished), 4)}


def recognition_hits(decoder: Decoder, classifier: Classifier, drawings, variations: int,
                     seed: int, looks: list | None = None) -> np.ndarray:
    """Per half-drawn sketch, how many of its ``variations`` completions (half drawing + new strokes) the
    classifier names as the decoder's object; ``looks`` (a list) collects ``completion_looks`` of each."""
    hits = []
    for i, d in enumerate(drawings):
        half = half_drawing(d)
        # raw sampling (no fitting or selection): the decoders are compared, not the engine's choice among them
        completions, _ = buddy.complete(decoder, half, BOX, BOX, variations=variations, seed=seed + i,
                                         fitted=False)
        if looks is not None:
            looks.extend(completion_looks(completion) for completion in completions)
        hits.append(sum(bool(guesses) and guesses[0][0] == decoder.name for guesses in (
            classifier.classify([*half, *completion.lines], BOX, BOX, top=1) for completion in completions)))
    return np.asarray(hits, np.int64)


def variations_per_sketch(sketches: int, variations: int, min_completions: int) -> int:
    """Completions per half-drawn sketch: ``variations``, or more where an object has so few test sketches
    that it would get fewer than ``min_completions`` in all (sampling noise; the sketches stay the few)."""
    return max(variations, math.ceil(min_completions / sketches)) if sketches else variations


def hit_share(hits: np.ndarray, variations: int) -> float:
    """The share of all completions that were recognised, from ``recognition_hits``."""
    return float(hits.sum()) / max(len(hits) * variations, 1)


def recognition_rate(decoder: Decoder, classifier: Classifier, drawings, variations: int, seed: int) -> float:
    """Share of completions (half drawing + new strokes) that the classifier names as the decoder's object."""
    return hit_share(recognition_hits(decoder, classifier, drawings, variations, seed), variations)


def paired_interval(ours: np.ndarray, google: np.ndarray, variations: int, resamples: int = 2000,
                    seed: int = 0) -> list[float]:
    """95% bootstrap interval of (ours - Google's) recognition share, resampling the test sketches (both
    decoders completed the same ones): how far a few test drawings let the figure move."""
    _, low, high = paired_bootstrap(google / variations, ours / variations, resamples, seed)
    return [round(low, 4), round(high, 4)]


def evaluate_decoder(path: Path, classifier: Classifier | None, args) -> dict:
    """Loss and recognition figures of one shipped decoder next to Google's for the same object."""
    ours = load_decoder(path)
    test = [d for d in real_drawings(ours.name, args.data_dir)["test"] if 2 <= len(d) < ours.max_seq_len]
    result = {"name": ours.name, "file": path.name, "bytes": path.stat().st_size, "config": asdict(ours.config),
              "scale_factor": round(ours.scale_factor, 3), "max_seq_len": ours.max_seq_len,
              "data": ours.meta.get("data"), "training": ours.meta.get("training"),
              "recipe": recipe.normalised(ours.meta["recipe"]) if "recipe" in ours.meta else None,
              "test_drawings": len(test), "fewshot": fewshot_decoder(ours)}
    google_path = Path(args.pretrained_dir) / f"{ours.name}.gen.json"
    google = load_gen_json(google_path) if google_path.exists() else None
    if test:
        losses = reconstruction_loss(ours, test, box_units=True)
        result["loss"], result["loss_median"] = round(float(losses.mean()), 4), round(float(np.median(losses)), 4)
        if google is not None:
            google_losses = reconstruction_loss(google, test, box_units=True)
            result["google_loss"] = round(float(google_losses.mean()), 4)
            result["google_loss_median"] = round(float(np.median(google_losses)), 4)
            result["google_loss_max"] = round(float(google_losses.max()), 1)
            result["loss_ratio"] = round(result["loss"] / result["google_loss"], 4)
        if google is not None and args.google_check:
            # fresh drawings from Google's decoder at temperature 1 (its own distribution; a seed no training
            # run uses): our NLL - Google's NLL on them estimates KL(Google's || ours) per step
            fresh = sample_drawings(google, args.google_check, temperatures=(1.0,), seed=GOOGLE_CHECK_SEED)
            fresh = [d for d in fresh if len(d) < ours.max_seq_len]
            result["google_drawings_checked"] = len(fresh)
            result["google_gap"] = round(float(reconstruction_loss(ours, fresh, box_units=True).mean()
                                                - reconstruction_loss(google, fresh, box_units=True).mean()), 4)
        if classifier is not None and ours.name not in classifier.names:
            # every completion would be named as another object: 0% for both decoders, a "pass" that says nothing
            result["recognition_unmeasured"] = "the classifier does not know this object yet"
        elif classifier is not None:
            sample = test[: args.completions]
            variations = variations_per_sketch(len(sample), args.variations, args.min_completions)
            result["variations"] = variations
            result["completion_drawings"] = len(sample) * variations
            looks, google_looks = [], []
            hits = recognition_hits(ours, classifier, sample, variations, 0, looks)
            result["recognised"] = round(hit_share(hits, variations), 4)
            result["completion_looks"] = summarize_looks(looks)
            if google is not None:
                google_hits = recognition_hits(google, classifier, sample, variations, 0, google_looks)
                result["google_completion_looks"] = summarize_looks(google_looks)
                result["google_recognised"] = round(hit_share(google_hits, variations), 4)
                result["recognised_difference_ci95"] = paired_interval(hits, google_hits, variations)
    result["meets_loss"] = result.get("loss_ratio", math.inf) <= LOSS_TARGET
    result["meets_recognition"] = meets_recognition(result.get("recognised"), result.get("google_recognised"))
    print(json.dumps({k: result.get(k) for k in ("name", "test_drawings", "loss", "google_loss", "loss_ratio",
                                                  "google_gap", "recognised", "google_recognised")}), flush=True)
    return result


def fewshot_decoder(decoder: Decoder) -> bool:
    """A decoder fine-tuned from the prior for an object Google never made: its bars are the few-shot section's."""
    return bool(decoder.meta.get("init_from")) and decoder.meta.get("google_decoder") is None


def fewshot_figures(args, names: list[str]) -> dict:
    """``training.evaluate_fewshot``'s figures on the test split for these objects."""
    return evaluate_fewshot.evaluate(names, args.models, "test", args.fewshot_scratch, args.prior, args.fewshot_judge,
                                     args.data_dir)


def fewshot_share(figure: dict | None) -> str:
    """A share of ``evaluate_fewshot`` with its interval, in whole percents ("–" unmeasured)."""
    if not figure or figure.get("share") is None:
        return "–"
    low, high = figure["ci95"]
    return f"{figure['share']:.0%} ({low:.0%}–{high:.0%}, n={figure['n']})"


def meets_recognition(ours: float | None, google: float | None) -> bool:
    """Ours is recognised at least as often as Google's, less the margin; shares are compared in whole
    hundredths of a point, so 47.5% against 52.5% is within 5 points (not lost to 0.525 - 0.05 in floats)."""
    if ours is None or google is None:
        return False
    return round((ours - google + RECOGNITION_MARGIN) * 1e4) >= 0


def evaluate_classifier(classifier: Classifier, args) -> dict:
    """Top-1 / top-3 of the shipped classifier on every class's real test split, as /api/classify guesses."""
    result = metrics(*classify_split(classifier, "test", args.data_dir), classifier.names)
    print(f"classifier: {result['n']} real test drawings, top-1 {result['top1']}, top-3 {result['top3']}",
          flush=True)
    return result


def classifier_architecture(model) -> dict:
    """What the loaded CNN is: the filters of its conv layers, whether it uses batch norm, its parameters."""
    kinds = [type(layer).__name__ for layer in model.layers]
    return {"conv_filters": [layer.filters for layer in model.layers if type(layer).__name__ == "Conv2D"],
            "batch_norm": "BatchNormalization" in kinds, "parameters": int(model.count_params())}


def samples_svg(decoders: list[Decoder], per_row: int = 5, cell: int = 120, seed: int = 7) -> str:
    """An SVG grid: one row per object, ``per_row`` drawings each made from scratch by our decoder."""
    rows = []
    for r, decoder in enumerate(decoders):
        completions, _ = buddy.complete(decoder, [], BOX, BOX, variations=per_row, seed=seed)
        y0 = r * cell
        rows.append(f'<text x="6" y="{y0 + cell / 2 + 5}" font-family="sans-serif" font-size="15">'
                    f'{decoder.name}</text>')
        for c, completion in enumerate(completions):
            x0 = 100 + c * cell
            scale = (cell - 10) / BOX
            for line in completion.lines:
                pts = " ".join(f"{x0 + 5 + x * scale:.1f},{y0 + 5 + y * scale:.1f}" for x, y in line)
                rows.append(f'<polyline points="{pts}" fill="none" stroke="#23324a" stroke-width="1.6" '
                            f'stroke-linecap="round" stroke-linejoin="round"/>')
    width, height = 100 + per_row * cell, len(decoders) * cell
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="#fffdf7"/>'
            + "".join(rows) + "</svg>\n")


def _outlier(d: dict) -> bool:
    """An object whose Google loss is carried by a few test drawings that Google's decoder finds near-impossible
    (its mean over ``OUTLIER_MEAN_OVER_MEDIAN`` times its median per drawing): there the ratio of means says little,
    so the card gives the medians beside it."""
    mean, median = d.get("google_loss"), d.get("google_loss_median")
    return not (mean is None or median is None or median <= 0 or mean <= OUTLIER_MEAN_OVER_MEDIAN * median)


def model_card(manifest: dict) -> str:
    """models/README.md from the manifest, through ``training/templates/model_card.md``."""
    decoders = manifest["decoders"]
    c = manifest.get("classifier")
    fresh = []
    if c:
        new = set(c["classes"]) - set((c.get("initialised_from") or {}).get("classes", c["classes"]))
        fresh = [x for x in c["test_real"]["confusions"] if x["true"] in new or x["guessed"] in new][:10]
    hyper = (c or {}).get("hyper_parameters", {})
    redraw = manifest.get("redraw")
    redraw_objects = (redraw or {}).get("objects") or {}
    augmentation = (" ".join(filter(None, (f"Training augmentation: {hyper['augmentation']}.",
                                           f"Answers: {hyper.get('test_time', 'the render alone')}.",
                                           schedule_sentence(hyper))))
                    if hyper.get("augmentation") else "")
    return TEMPLATES.get_template("model_card.md").render(
        decoders=decoders, data_counts=recipe.data_counts, interval=_interval,
        loss_target=LOSS_TARGET, recognition_margin=RECOGNITION_MARGIN, few_test_drawings=FEW_TEST_DRAWINGS,
        unmeasured=[d["name"] for d in decoders if d.get("recognition_unmeasured")],
        few=[d for d in decoders if (d.get("test_drawings") or 0) < FEW_TEST_DRAWINGS],
        seen=[d["name"] for d in decoders if d["name"] in CHOSEN_ON_TEST],
        off=[d["name"] for d in decoders if d["name"] in CHOSEN_OFF_TEST], chosen_off_test=CHOSEN_OFF_TEST,
        study=manifest.get("units_study"), c=c, m=manifest.get("melody"), commands=manifest["commands"],
        augmentation_sentence=augmentation, fresh_confusions=fresh, label=label, tiny_stroke=TINY_STROKE,
        fit=manifest.get("fit"), imagine=manifest.get("imagine"), unknown_note=unknown_note,
        fewshot=manifest.get("fewshot"), fewshot_share=fewshot_share,
        redraw=redraw, vae_recipes={name: _vae_recipe(r) for name, r in redraw_objects.items()},
        vae_commands=[recipe.command([name], r["recipe"]) for name, r in redraw_objects.items() if r.get("recipe")],
        morph_objects={name: r["morph"] for name, r in redraw_objects.items() if r.get("morph")},
        backtrack=evaluate_redraw.BACKTRACK, redraw_candidates_per=TUNING.redraw_candidates_per,
        outliers=[d for d in decoders if _outlier(d)], looks=[d for d in decoders if d.get("completion_looks")],
        subsets=classifier_subsets(c) if c else [])


def _interval(share: float, n: int) -> str:
    """A share's 95% Wilson interval, in hundredths."""
    low, high = wilson(round(share * n), n)
    return f"{low:.2f}–{high:.2f}"


def classifier_subsets(card: dict) -> list[dict]:
    """Top-1 / top-3 of a classifier that started from another (``--init-from``) over the objects that one knew
    and over the new ones (every guess among all its objects), beside the first classifier's own figure."""
    first = card.get("initialised_from")
    if not first:
        return []
    per_class = card["test_real"]["per_class"]
    groups = []
    for group, names in (("the objects it started with", [n for n in per_class if n in first["classes"]]),
                         ("the new objects", [n for n in per_class if n not in first["classes"]])):
        n = sum(per_class[k]["n"] for k in names)
        if not n:
            continue
        top1, top3 = (sum(per_class[k][key] * per_class[k]["n"] for k in names) / n for key in ("top1", "top3"))
        old = first.get("test_real") if group.startswith("the objects it started") else None
        groups.append({"group": group, "objects": len(names), "n": n, "top1": top1, "top3": top3, "first": old})
    return groups


def unknown_note(names: list[str] | None) -> str:
    """A sentence naming the objects the judge has not learnt, whose drawings its figures leave out."""
    if not names:
        return ""
    return (f" The judge has not learnt {', '.join(names)} yet: its figures leave their drawings out (it could "
            "only call them something else).")


def _vae_recipe(r: dict) -> str:
    """A sketch VAE's recipe in a few words, for the card's redraw table."""
    rec = recipe.normalised(r["recipe"]) if r.get("recipe") else {}  # a recipe stored under old names too
    if not rec:
        return "–"
    run = r.get("epochs_run")
    epochs = (f"{run} of {rec.get('epochs')} epochs (stopped by patience)" if run and run < (rec.get("epochs") or 0)
              else f"{rec.get('epochs')} epochs")
    return (f"z {rec.get('z_size')}, {rec.get('google_drawings')} drawings by Google's decoder, {epochs}"
            + (", started from its decoder" if rec.get("init_decoder") else ""))


def decoder_commands(decoders: list[dict]) -> list[str]:
    """The training commands that made the shipped decoders, one per resolved recipe (``training.recipe``)."""
    groups: dict[str, tuple[dict, list[str]]] = {}
    for d in decoders:
        if not d.get("recipe"):  # not trained by the project (e.g. Google's own, measured as a reference)
            continue
        values = recipe.normalised(d["recipe"])
        groups.setdefault(json.dumps(values, sort_keys=True), (values, []))[1].append(d["name"])
    return [recipe.command(names, values) for values, names in groups.values()]


def classifier_commands(classifier: Classifier | None) -> list[str]:
    """The commands that trained the shipped classifier: its card's hyper-parameters that are off the trainer's
    defaults (the epoch budget always; the objects of a study on chosen ones), after the commands of the classifier
    it started from (``--init-from``)."""
    return card_commands(classifier.card) if classifier is not None else []


def card_commands(card: dict) -> list[str]:
    """``classifier_commands`` for a classifier's card."""
    hyper = card.get("hyper_parameters", {})
    parser = build_parser()
    command = "python -m training.train_classifier"
    for key, option in CARD_OPTIONS.items():
        if key in hyper and (key == "epochs_max" or hyper[key] != parser.get_default(option)):
            value = hyper[key]
            value = f"{value:g}" if isinstance(value, float) else " ".join(value) if isinstance(value, list) else value
            command += f" --{option.replace('_', '-')}" + ("" if value is True else f" {value}")
    first = card_commands(card["initialised_from"]) if card.get("initialised_from") else []
    return [*first, command]


def evaluate_command(parser: argparse.ArgumentParser, args) -> str:
    """This run's command with the sampling options that differ from the defaults (they change the figures)."""
    command = "python -m training.evaluate"
    for option in ("completions", "variations", "min_completions", "google_check", "fit_per_object"):
        if getattr(args, option) != parser.get_default(option):
            command += f" --{option.replace('_', '-')} {getattr(args, option)}"
    return command


def _meets(d: dict) -> str:
    """The card's verdict on both bars; an object the classifier does not know has only its loss judged; an object
    Google never made has the few-shot section's bars."""
    if d.get("fewshot"):
        return "few-shot: its section"
    if d.get("recognition_unmeasured"):
        return "loss only: yes" if d["meets_loss"] else "loss only: no"
    return "yes" if d["meets_loss"] and d["meets_recognition"] else "no"


def _difference(d: dict) -> str:
    """Ours minus Google's recognition in points, with its bootstrap interval."""
    if d.get("recognised") is None or d.get("google_recognised") is None:
        return "–"
    text = f"{(d['recognised'] - d['google_recognised']) * 100:+.1f}"
    if d.get("recognised_difference_ci95"):
        low, high = d["recognised_difference_ci95"]
        text += f" ({round(low * 100):+d} to {round(high * 100):+d})"  # a whole number: never "-0"
    return text


def _pct(x):
    return "–" if x is None else f"{x * 100:.0f}%"


def argument_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m training.evaluate``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--pretrained-dir", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--classifier-dir", type=Path, help="where the classifier is (default: --models)")
    parser.add_argument("--completions", type=int, default=60, help="half-drawn test sketches per object")
    parser.add_argument("--variations", type=int, default=3, help="completions per sketch")
    parser.add_argument("--min-completions", type=int, default=0,
                        help="more completions per sketch for objects with few test sketches, to reach this many")
    parser.add_argument("--fit-per-object", type=int, default=8,
                        help="test drawings per object for the fitting protocol (training.evaluate_fit; 0: skip)")
    parser.add_argument("--google-check", type=int, default=200,
                        help="fresh drawings by Google's decoder for the distillation gap (0: skip)")
    parser.add_argument("--prior", type=Path, default=PRIOR_PATH, help="the prior the few-shot decoders start from")
    parser.add_argument("--fewshot-scratch", type=Path, metavar="DIR",
                        help="the few-shot recipe's decoders trained from scratch (the comparison)")
    parser.add_argument("--fewshot-judge", type=Path, default=JUDGE_FEWSHOT_DIR)
    parser.add_argument("--update", nargs="+", metavar="OBJECT",
                        help="measure only these decoders again (new or retrained) and keep every other figure of "
                             "the existing manifest (the same models give the same figures: every run is seeded)")
    return parser


def main(argv=None):
    """Evaluate everything in the models directory and write the manifest, card and sample grid."""
    parser = argument_parser()
    args = parser.parse_args(argv)
    classifier_dir = args.classifier_dir or args.models
    classifier = Classifier.load(classifier_dir) if (classifier_dir / "classifier.json").exists() else None
    if args.update:
        update(args, parser, classifier)
        return
    decoders = [evaluate_decoder(p, classifier, args) for p in sorted(args.models.glob("*.npz"))]
    manifest = {"format": "doodle-buddy-manifest", "format_version": 1,
                "decoders": decoders,
                "commands": [*decoder_commands(decoders), *classifier_commands(classifier),
                             "python -m training.train_melody", evaluate_command(parser, args)]}
    if (args.models / "units-study.json").exists():
        manifest["units_study"] = json.loads((args.models / "units-study.json").read_text())
        manifest["commands"].insert(-1, manifest["units_study"]["command"])
    if (args.models / "melody.json").exists():
        melody = json.loads((args.models / "melody.json").read_text())
        manifest["melody"] = {k: melody[k] for k in ("model", "corpus", "order_chosen", "held_out", "trained_by")}
        manifest["melody"]["bytes"] = (args.models / "melody.json").stat().st_size
    if classifier is not None:
        card = dict(classifier.card)
        card["test_real"] = evaluate_classifier(classifier, args)
        card["architecture"] = classifier_architecture(classifier.model)
        card["files"] = {"model": "classifier.keras", "card": "classifier.json",
                         "bytes": (classifier_dir / "classifier.keras").stat().st_size}
        manifest["classifier"] = card
    if args.fit_per_object:
        manifest["fit"] = evaluate_fit.evaluate(args.models, "test", args.fit_per_object, args.data_dir)
    if (args.models / "classifier.json").exists() and args.fit_per_object:
        manifest["imagine"] = evaluate_imagine.evaluate(args.models, "test", 4, 6, args.data_dir)
    if any((args.models / "vae").glob("*.npz")):
        manifest["redraw"] = evaluate_redraw.evaluate(args.models, "test", 40, 3, args.data_dir)
    fewshot = [d["name"] for d in decoders if d["fewshot"]]  # the rows know: no decoder is read again
    if fewshot:
        manifest["fewshot"] = fewshot_figures(args, fewshot)
    write_card(args.models, manifest)


def update(args, parser: argparse.ArgumentParser, classifier: Classifier | None) -> None:
    """``--update``: the named decoders measured again, every other figure kept from the existing manifest."""
    manifest = json.loads((args.models / "manifest.json").read_text())
    kept = {d["name"]: d for d in manifest["decoders"]}
    for name in args.update:
        path = args.models / f"{name}.npz"
        if not path.exists():
            parser.error(f"no decoder {path}")
        kept[name] = evaluate_decoder(path, classifier, args)
    files = sorted(args.models.glob("*.npz"))
    missing = [p.stem for p in files if p.stem not in kept]
    if missing:
        parser.error(f"not on the card yet: {', '.join(missing)}; name them in --update")
    decoders = [kept[p.stem] for p in files]
    manifest["decoders"] = decoders
    fewshot = [name for name in args.update if kept[name].get("fewshot")]
    if fewshot:  # the named few-shot objects measured again, the others' figures kept
        fresh = fewshot_figures(args, fewshot)
        kept_objects = (manifest.get("fewshot") or {}).get("objects", {})
        manifest["fewshot"] = {**fresh, "objects": {**kept_objects, **fresh["objects"]}}
    manifest["commands"] = [*decoder_commands(decoders),
                            *[c for c in manifest["commands"] if not c.startswith("python -m training.train_decoder")]]
    write_card(args.models, manifest)


def write_card(models: Path, manifest: dict) -> None:
    """The manifest, the card and the sample grid of every decoder in ``models``."""
    (models / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    decoders = manifest["decoders"]
    (models / "samples.svg").write_text(samples_svg([load_decoder(models / d["file"]) for d in decoders]))
    (models / "README.md").write_text(model_card(manifest))
    print(f"wrote {models}/manifest.json, README.md, samples.svg", flush=True)


if __name__ == "__main__":
    main()
