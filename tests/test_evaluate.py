"""The model card (training.evaluate, training.studies.units): its figures, intervals, bars and the commands that
reproduce the shipped models."""

from pathlib import Path

import numpy as np
import pytest

from app.engine.classifier import Classifier
from app.engine.decoder import load_decoder
from tests.conftest import make_tiny_decoder, random_drawing, write_ndjson


@pytest.mark.slow
def test_the_width_study_measures_loss_recognition_and_speed(tmp_path):
    """units_study.measure on a tiny decoder and a tiny classifier: every figure is there and sane."""
    from argparse import Namespace

    from app.engine.classifier import Classifier
    from tests.test_classifier import make_tiny_classifier
    from training.studies.units import measure

    classifier = Classifier.load(make_tiny_classifier(tmp_path))
    tiny = make_tiny_decoder(num_units=8, weight_scale=0.3, name="cat")
    rng = np.random.default_rng(9)
    test = [random_drawing(rng, 12) * [3, 3, 1] for _ in range(3)]
    row = measure(tiny, test, classifier, google_loss=1.0, args=Namespace(completions=2, variations=2),
                  prime_rows=np.asarray([[5.0, 0.0, 1.0, 0.0, 0.0]] * 4))
    assert row["units"] == 8 and row["parameters"] == sum(w.size for w in tiny.weights.values())
    assert row["loss_ratio"] == pytest.approx(row["loss"], rel=1e-3)  # against a loss of 1.0
    assert 0.0 <= row["recognised"] <= 1.0
    assert 0 < row["one_ms"] and 0 < row["nine_ms"]


def write_zigzags(path, word: str, count: int, seed: int) -> None:
    """An ndjson file of ``count`` random two-stroke zigzags (Quick, Draw!'s simplified format) for ``word``."""
    rng = np.random.default_rng(seed)
    drawings = []
    for _ in range(count):
        xs = np.sort(rng.integers(0, 255, 6)).tolist()
        drawings.append([[xs[:3], rng.integers(0, 255, 3).tolist()], [xs[3:], rng.integers(0, 255, 3).tolist()]])
    write_ndjson(path, word, drawings)

def test_the_card_names_the_evaluate_options_that_changed_its_figures():
    """The manifest's reproduce command for the evaluation carries the sample sizes it was run with."""
    from training.evaluate import argument_parser, evaluate_command

    parser = argument_parser()
    assert evaluate_command(parser, parser.parse_args([])) == "python -m training.evaluate"
    args = parser.parse_args(["--completions", "40", "--variations", "2", "--models", "elsewhere"])
    assert evaluate_command(parser, args) == "python -m training.evaluate --completions 40 --variations 2"
    args = parser.parse_args(["--min-completions", "120"])
    assert evaluate_command(parser, args) == "python -m training.evaluate --min-completions 120"


def test_objects_with_few_test_sketches_get_more_completions_per_sketch():
    """Recognition on 6 test sketches x 2 completions would swing 8 points on one completion: such objects
    get enough completions per sketch to reach --min-completions; objects with many sketches keep --variations."""
    from training.evaluate import variations_per_sketch

    assert variations_per_sketch(6, 2, 120) == 20
    assert variations_per_sketch(7, 2, 120) == 18  # 126 completions: never fewer than asked
    assert variations_per_sketch(120, 2, 120) == 2
    assert variations_per_sketch(40, 3, 0) == 3
    assert variations_per_sketch(0, 3, 120) == 3


def test_the_card_gives_each_decoder_the_command_that_trained_it():
    """The command comes from the recipe stored in the model file: the recipe file it matches, plus only the
    options that differ from it. A recipe stored with a retired option at the value it always had reads as the
    same recipe; one that used a retired option cannot be rebuilt, and says so."""
    from training import recipe
    from training.evaluate import decoder_commands

    careful = recipe.load("careful")

    def shipped(name, **changes):
        return {"name": name, "config": {"num_units": 256}, "recipe": {**careful, **changes}}

    commands = decoder_commands([shipped("cat"), shipped("owl", teacher_box=False, distill=0),
                                 shipped("pig", google_temperatures=[0.6, 0.4]),
                                 shipped("bird", google_completions=3000, epochs=20)])
    assert commands == [
        "python -m training.train_decoder cat owl",
        "python -m training.train_decoder pig --google-temperatures 0.6 0.4",
        "python -m training.train_decoder bird --epochs 20 --google-completions 3000"]
    with pytest.raises(ValueError, match="retired recipe options {'teacher_box': True}"):
        decoder_commands([shipped("crab", teacher_box=True)])


def test_every_shipped_decoder_has_a_command_from_the_shipped_recipe_file():
    """The shipped recipe reproduces the shipped decoders: most with no option at all."""
    from pathlib import Path

    from training.evaluate import decoder_commands

    decoders = []
    for path in sorted((Path(__file__).resolve().parents[1] / "models").glob("*.npz")):
        d = load_decoder(path)
        decoders.append({"name": d.name, "config": {"num_units": d.config.num_units}, **d.meta})
    commands = decoder_commands(decoders)
    named = [word for c in commands for word in c.split(" --")[0].split()[3:]]
    assert sorted(named) == sorted(d["name"] for d in decoders)  # every decoder named once
    assert any("--" not in c for c in commands)


def test_a_completion_of_dots_counts_its_tiny_strokes_and_whether_it_ended():
    from app.engine.buddy import Completion
    from training.evaluate import completion_looks, summarize_looks

    dots = Completion([np.array([[10.0, 10.0], [12.0, 11.0]]), np.array([[50.0, 50.0]]),
                       np.array([[0.0, 0.0], [30.0, 40.0]])], finished=False)
    assert completion_looks(dots) == (3, 2, False)  # a 2.2-unit dash and a dot are tiny; the 50-unit line is not
    line = Completion([np.array([[0.0, 0.0], [100.0, 0.0]])], finished=True)
    assert summarize_looks([completion_looks(dots), completion_looks(line)]) == {
        "strokes": 2.0, "tiny_strokes": 1.0, "finished": 0.5}


def test_the_recognition_difference_comes_with_an_interval_that_narrows_with_more_sketches():
    from training.evaluate import paired_interval

    assert paired_interval(np.array([2, 1, 0, 2]), np.array([2, 1, 0, 2]), 2) == [0.0, 0.0]
    assert paired_interval(np.full(5, 2), np.zeros(5, np.int64), 2) == [1.0, 1.0]
    rng = np.random.default_rng(9)
    ours, google = rng.integers(0, 3, 400), rng.integers(0, 3, 400)
    low, high = paired_interval(ours, google, 2)
    difference = (ours.sum() - google.sum()) / 800
    assert low < difference < high
    few_low, few_high = paired_interval(ours[:16], google[:16], 2)
    assert few_high - few_low > 2 * (high - low)


def test_recognised_exactly_five_points_below_googles_is_within_the_bar():
    from training.evaluate import meets_recognition

    assert meets_recognition(0.475, 0.525)  # 0.525 - 0.05 is 0.47500000000000003 in floats
    assert meets_recognition(0.9, 0.8)
    assert not meets_recognition(0.4749, 0.525)
    assert not meets_recognition(None, 0.5) and not meets_recognition(0.5, None)


def test_the_card_gives_medians_where_a_few_drawings_carry_googles_mean_loss():
    """Google's flamingo decoder finds a few real flamingos near-impossible (a per-step loss in the tens of
    thousands), and those carry its mean: the card says so and gives the medians; ordinary rows get no note."""
    from training.evaluate import model_card

    flamingo = {**card_row("flamingo"), "loss": 8.51, "loss_median": 8.47, "google_loss": 595.8,
                "google_loss_median": 18.83, "google_loss_max": 68342.9}
    cat = {**card_row("cat"), "loss": 7.9, "loss_median": 7.8, "google_loss": 7.7, "google_loss_median": 7.6,
           "google_loss_max": 12.0}
    card = model_card({"decoders": [cat, flamingo, card_row("made_up")], "commands": []}).splitlines()
    [note] = [line for line in card if "near-impossible" in line]
    assert note.startswith("Flamingo:") and "68,342.9" in note and "595.8" in note
    assert "18.83 against our 8.47 (ratio 0.450)" in note and card[card.index(note) + 1] == ""
    assert "near-impossible" not in model_card({"decoders": [cat], "commands": []})


def test_the_card_writes_a_difference_interval_touching_zero_as_plus_zero():
    from training.evaluate import _difference

    row = {"recognised": 0.875, "google_recognised": 0.8125, "recognised_difference_ci95": [-0.0021, 0.1229]}
    assert _difference(row) == "+6.2 (+0 to +12)"
    assert _difference({"recognised": 0.5, "google_recognised": None}) == "–"


@pytest.mark.slow
def test_the_fit_protocol_places_half_drawings_and_its_card_section_reads_the_figures(tmp_path):
    """evaluate_fit on a tiny model: each case placed on the paper, before and after, and the card's table."""
    from app.engine.decoder import save_decoder
    from training import evaluate_fit
    from training.evaluate import model_card

    write_zigzags(tmp_path / "zigzag.ndjson", "zigzag", 60, seed=2)
    models = tmp_path / "models"
    models.mkdir()
    save_decoder(make_tiny_decoder(name="zigzag"), models / "zigzag.npz")
    fit = evaluate_fit.evaluate(models, "train", 2, tmp_path, judge_dir=tmp_path / "no-judge")
    assert fit["cases"] == 2 * len(evaluate_fit.SIZES) and fit["judge"] is None
    for engine in ("before", "after"):
        figures = fit[engine]["all"]
        assert figures["n"] == fit["cases"] and 0 <= figures["on_paper"] <= 1 and 0 <= figures["iou"] <= 1
        assert "judge" not in figures and "judge_real" not in figures  # no judge: no recognition figure
    assert fit["after"]["all"]["on_paper"] == 1.0  # the fitted engine keeps its endings on the paper
    section = model_card({"decoders": [], "commands": [], "fit": fit})
    assert "| after | all | 6 | 100.0%" in section and "real whole drawing, judge" in section


def test_the_redraw_evaluation_redraws_real_drawings_on_the_paper_and_compares_losses(tmp_path):
    from app.engine.decoder import save_decoder
    from tests.conftest import make_tiny_vae
    from training import evaluate_redraw

    write_zigzags(tmp_path / "zigzag.ndjson", "zigzag", 40, seed=3)
    (tmp_path / "models" / "vae").mkdir(parents=True)
    save_decoder(make_tiny_vae(name="zigzag"), tmp_path / "models" / "vae" / "zigzag.npz")
    save_decoder(make_tiny_decoder(name="zigzag"), tmp_path / "models" / "zigzag.npz")
    result = evaluate_redraw.evaluate(tmp_path / "models", "train", 10, 2, tmp_path, tmp_path / "no-judge", morphs=3)
    figures = result["objects"]["zigzag"]
    assert figures["drawings"] == 10 and figures["redraws"] == 20 and figures["on_paper"] == 1.0
    assert figures["loss_vae"] > 0 and figures["loss_decoder"] > 0 and "recognised" not in figures  # no judge
    assert figures["kl"] > 0
    assert 0 <= figures["own"] <= 1 and figures["own_ci95"][0] <= figures["own"]  # one group of ten
    assert figures["morph"]["morphs"] == 3 and figures["morph"]["frames"] == 27 and 0 <= figures["morph"]["steady"] <= 1
    assert result["all"]["on_paper"] == 1.0


def test_its_own_finds_each_drawing_nearest_its_own_redraw_and_progress_runs_from_start_to_end():
    from app.engine.strokes import progress, shape_points
    from training.evaluate_redraw import its_own, spearman

    rng = np.random.default_rng(0)
    originals = [[rng.uniform(0, 500, (5, 2))] for _ in range(10)]
    moved = [[line * 0.5 + 40 for line in d] for d in originals]  # the same drawings, smaller and elsewhere
    assert its_own(originals, moved) == (10, 10)  # the distance compares shapes, not places or sizes
    assert its_own(originals, moved[1:] + moved[:1])[0] == 0  # each "redraw" is another drawing's
    # and by what a classifier sees in them, no strokes compared
    judge = Classifier.load(Path(__file__).resolve().parents[1] / "models")
    assert its_own(originals, moved, judge) == (10, 10)
    assert its_own(originals, moved[1:] + moved[:1], judge)[0] == 0
    start, end = shape_points(originals[0]), shape_points(originals[1])
    frames = [start, start, end]
    p = progress(frames, start, end)
    assert p[0] == 0.0 and p[2] == 1.0
    assert spearman([0.1, 0.2, 0.3]) == 1.0 and spearman([0.3, 0.2, 0.1]) == -1.0


def test_the_kl_of_a_z_is_zero_at_the_prior_and_grows_as_the_encoder_says_more():
    from training.evaluate_redraw import kl_divergence

    zero = np.zeros(4)
    assert kl_divergence(zero, zero) == 0.0  # the prior itself: z says nothing about the drawing
    assert kl_divergence(np.full(4, 2.0), zero) == 2.0  # mu 2, sigma 1: mu^2 / 2 per dimension
    assert kl_divergence(zero, np.full(4, np.log(0.25))) > 0  # a narrower z than the prior


def test_the_card_has_a_section_per_vae_with_its_redraw_figures():
    from training import recipe
    from training.evaluate import model_card

    def redraw_section(redraw):
        return model_card({"decoders": [], "commands": [], "redraw": redraw})

    assert "## Buddy redraws it" not in redraw_section(None) + redraw_section({"objects": {}})
    trained = {**recipe.load("vae"), "teacher": 5000, "epochs": 30, "init_decoder": False}  # an old key name
    figures = {"split": "test", "per_object": 40, "count": 3, "size": 0.6, "objects": {"cat": {
        "drawings": 40, "redraws": 120, "on_paper": 1.0, "recognised": 0.5, "recognised_ci95": [0.41, 0.59],
        "reference": 0.75, "reference_ci95": [0.6, 0.86], "own": 0.2, "own_ci95": [0.1, 0.35],
        "own_judge": 0.1, "own_judge_ci95": [0.03, 0.24], "loss_vae": 0.9,
        "loss_decoder": 0.7, "kl": 0.31, "recipe": trained,
        "morph": {"morphs": 20, "frames": 180, "steady": 0.15, "steady_ci95": [0.05, 0.36], "spearman": 0.48,
                  "span": 0.12, "recognised": 0.61, "recognised_ci95": [0.53, 0.67]}}}}
    text = redraw_section(figures)
    assert "## Buddy redraws it" in text
    assert ("| cat | z 64, 5000 drawings by Google's decoder, 30 epochs | 40 (120) | 100% | 50% (41%–59%) "
            "| 75% (60%–86%) | 20% (10%–35%) | 10% (3%–24%) | 0.9 | 0.7 | 0.31 |") in text
    assert "| cat | 20 (180) | 61% (53%–67%) | 15% (5%–36%) | 0.48 | 0.12 |" in text
    figures["objects"]["cat"]["epochs_run"] = 9  # patience stopped it early: the card says so
    assert "| cat | z 64, 5000 drawings by Google's decoder, 9 of 30 epochs (stopped by patience) |" in redraw_section(
        figures)
    assert "`python -m training.train_vae cat --google-drawings 5000 --no-init-decoder`" in text


def test_the_card_says_how_often_what_could_it_become_offers_the_drawings_own_object():
    from training.evaluate import model_card
    from training.evaluate_imagine import TARGETS

    assert "## What could it become?" not in model_card({"decoders": [], "commands": [], "imagine": None})
    figures = {"split": "test", "per_object": 4, "cases": 276, "count": 6, "targets": TARGETS, "offered": 0.8587,
               "offered_ci95": [0.8121, 0.8952], "on_paper": 0.998, "recognised_by_judge": 0.46, "median_ms": 231,
               "p95_ms": 260}
    text = model_card({"decoders": [], "commands": [], "imagine": figures})
    assert "## What could it become?" in text and "--split test --per-object 4 --count 6" in text
    assert "| 85.9% (81.2%–89.5%) | 99.8% | 46.0% | 231 ms (260 ms) |" in text


def card_row(name: str) -> dict:
    """A decoder's manifest row with just what the card's recipe paragraph reads."""
    return {"name": name, "file": f"{name}.npz", "bytes": 560_000, "config": {"num_units": 256},
            "test_drawings": 40, "meets_loss": True, "meets_recognition": True}


def test_the_card_names_the_decoders_whose_recipe_was_picked_on_their_test_sketches():
    """issue 30.3: a recipe compared on the test split flatters its figures, and the card says which ones were."""
    from training.evaluate import model_card

    card = model_card({"decoders": [card_row("strawberry"), card_row("truck")], "commands": []})
    said = next(line for line in card.splitlines() if line.startswith("How the recipes were chosen"))
    assert "strawberry" in said and "truck" not in said
    assert "How the recipes were chosen" not in model_card({"decoders": [card_row("truck")], "commands": []})


def test_the_card_says_which_recipes_were_chosen_off_the_test_split():
    """issue 30.3: bird's and helicopter's recipes were picked on drawings the card never uses, and the card says
    on which and against what."""
    from training.evaluate import model_card

    decoders = [card_row(name) for name in ("bird", "cat", "helicopter", "truck")]
    said = next(line for line in model_card({"decoders": decoders, "commands": []}).splitlines()
                if line.startswith("How the recipes were chosen"))
    assert "for cat the shipped recipe was picked" in said
    assert "Every other decoder but bird, helicopter was trained once" in said
    assert "bird's recipe was chosen on its 147 valid sketches" in said
    assert "helicopter's recipe was chosen on its 33 real train drawings" in said and "default temperatures" in said


def test_a_recipe_is_compared_with_googles_decoder_on_the_valid_sketches(tmp_path):
    """training.compare_decoders: the card's recognition protocol on another split. A candidate that is Google's own
    decoder is level with it on every sketch; each counts only the chosen split's sketches."""
    from app.engine.classifier import Classifier
    from app.engine.decoder import load_gen_json, save_decoder
    from tests.conftest import write_gen_json
    from tests.test_classifier import make_tiny_classifier
    from training.compare_decoders import compare
    from training.data import split_of

    write_zigzags(tmp_path / "cat.ndjson", "cat", 40, seed=4)
    valid = sum(split_of(str(i)) == "valid" for i in range(40))
    google = make_tiny_decoder(name="cat")
    (tmp_path / "pretrained").mkdir()
    write_gen_json(google, tmp_path / "pretrained" / "cat.gen.json")
    (tmp_path / "models").mkdir()
    save_decoder(load_gen_json(tmp_path / "pretrained" / "cat.gen.json"), tmp_path / "models" / "cat.npz")
    classifier = Classifier.load(make_tiny_classifier(tmp_path))
    same = compare("cat", tmp_path / "models", "valid", 2, classifier, tmp_path, tmp_path / "pretrained")
    assert same["sketches"] == valid > 0 and same["completions"] == 2 * valid
    assert same["recognised"] == same["google_recognised"] and same["difference_ci95"] == [0.0, 0.0]
    assert abs(same["loss_ratio"] - 1.0) < 0.01  # the project's file stores float16
    assert same["new_strokes"]["mean"] >= 0 and 0 <= same["new_strokes"]["none"] <= 1
    assert same["real_new_strokes"] == 1.0  # two-stroke zigzags: the half is the first stroke
    against = compare("cat", tmp_path / "models", "valid", 2, classifier, tmp_path, tmp_path / "pretrained",
                      baseline=tmp_path / "models")  # --baseline: a decoder completes the same sketches, paired
    assert against["baseline_recognised"] == against["recognised"] == same["recognised"]
    assert against["baseline_difference_ci95"] == [0.0, 0.0]


def test_recipes_are_compared_on_the_valid_sketches_of_several_objects_pooled(tmp_path):
    """compare_decoders --pooled: a few valid sketches per object, ranked together. The pooled figures are the
    objects' sketches side by side (each sketch's hits and loss), and a decoder against itself differs by nothing."""
    from app.engine.classifier import Classifier
    from app.engine.decoder import load_gen_json, save_decoder
    from tests.conftest import write_gen_json
    from tests.test_classifier import make_tiny_classifier
    from training.compare_decoders import compare, pooled

    (tmp_path / "pretrained").mkdir()
    (tmp_path / "models").mkdir()
    for seed, name in enumerate(("cat", "dog")):
        write_zigzags(tmp_path / f"{name}.ndjson", name, 40, seed=6 + seed)
        write_gen_json(make_tiny_decoder(name=name, seed=seed), tmp_path / "pretrained" / f"{name}.gen.json")
        save_decoder(load_gen_json(tmp_path / "pretrained" / f"{name}.gen.json"), tmp_path / "models" / f"{name}.npz")
    classifier = Classifier.load(make_tiny_classifier(tmp_path))
    results = [compare(name, tmp_path / "models", "valid", 3, classifier, tmp_path, tmp_path / "pretrained",
                       baseline=tmp_path / "models", keep=True) for name in ("cat", "dog")]
    together = pooled(results, 3)
    assert together["objects"] == ["cat", "dog"]
    assert together["sketches"] == sum(r["sketches"] for r in results) > 0
    hits = sum(r["recognised"] * r["completions"] for r in results)
    assert abs(together["recognised"] - hits / (3 * together["sketches"])) < 1e-3
    assert together["baseline_recognised"] == together["recognised"] and together["baseline_difference_ci95"] == [0, 0]
    assert together["loss_minus_baseline"] == [0.0, 0.0, 0.0]
    losses = np.concatenate([r["per_sketch"]["loss"] for r in results])
    assert together["loss"] == round(float(losses.mean()), 4)


def test_a_recipe_is_compared_on_the_real_train_drawings_its_decoder_never_saw(tmp_path):
    """compare_decoders --split train: a decoder that learnt only from the teacher's drawings is measured on all the
    real train drawings; one that learnt from them, or from their beginnings finished by the teacher, cannot be."""
    from app.engine.classifier import Classifier
    from app.engine.decoder import load_gen_json, save_decoder
    from tests.conftest import write_gen_json
    from tests.test_classifier import make_tiny_classifier
    from training import recipe
    from training.compare_decoders import compare
    from training.data import real_drawings

    write_zigzags(tmp_path / "cat.ndjson", "cat", 40, seed=5)
    train = real_drawings("cat", tmp_path)["train"]
    (tmp_path / "pretrained").mkdir()
    write_gen_json(make_tiny_decoder(name="cat"), tmp_path / "pretrained" / "cat.gen.json")
    decoder = load_gen_json(tmp_path / "pretrained" / "cat.gen.json")
    classifier = Classifier.load(make_tiny_classifier(tmp_path))
    (tmp_path / "models").mkdir()
    for values, unseen in (({"google_completions": 0}, len(train)),
                           ({"google_completions": 100}, None),
                           ({"real_copies": 1}, None)):
        decoder.meta["recipe"] = {**recipe.load("careful"), **values}
        save_decoder(decoder, tmp_path / "models" / "cat.npz")
        if unseen is None:
            with pytest.raises(ValueError):
                compare("cat", tmp_path / "models", "train", 1, classifier, tmp_path, tmp_path / "pretrained")
        else:
            result = compare("cat", tmp_path / "models", "train", 1, classifier, tmp_path, tmp_path / "pretrained")
            assert result["sketches"] == unseen > 0


def test_the_fit_protocol_leaves_out_of_the_judges_figures_an_object_the_judge_has_not_learnt(tmp_path):
    """A judge that never learnt zigzag can only call a zigzag something else: that says nothing about Buddy's
    drawing, so its figures leave zigzag out and the card names it; the known cat is judged."""
    from app.engine.decoder import save_decoder
    from tests.test_classifier import TINY_CLASSES, make_tiny_classifier
    from training import evaluate_fit
    from training.evaluate import model_card

    assert "cat" in TINY_CLASSES and "zigzag" not in TINY_CLASSES
    write_zigzags(tmp_path / "zigzag.ndjson", "zigzag", 60, seed=2)
    write_zigzags(tmp_path / "cat.ndjson", "cat", 60, seed=3)
    models, judge = tmp_path / "models", tmp_path / "judge"
    models.mkdir(), judge.mkdir()
    for name in ("cat", "zigzag"):
        save_decoder(make_tiny_decoder(name=name), models / f"{name}.npz")
    make_tiny_classifier(judge)
    fit = evaluate_fit.evaluate(models, "train", 1, tmp_path, judge_dir=judge, engines=("after",))
    assert fit["unknown_to_judge"] == ["zigzag"]
    by_object = fit["after"]["by_object"]
    assert "judge" in by_object["cat"] and "judge_real" in by_object["cat"]
    assert "judge" not in by_object["zigzag"] and "judge_real" not in by_object["zigzag"]
    assert fit["after"]["all"]["n"] == 2 * len(evaluate_fit.SIZES)  # both still count for the paper and IoU
    fit["before"] = fit["after"]
    assert "The judge has not learnt zigzag yet" in model_card({"decoders": [], "commands": [], "fit": fit})


def test_a_decoder_for_an_object_the_classifier_does_not_know_has_its_recognition_left_unmeasured(tmp_path):
    """A classifier that does not know butterfly names every completion as something else, ours and Google's
    alike: 0% against 0% would pass the bar and say nothing, so the card judges its loss only and says so."""
    from app.engine.classifier import Classifier
    from app.engine.decoder import load_gen_json, save_decoder
    from tests.conftest import write_gen_json
    from tests.test_classifier import make_tiny_classifier
    from training.evaluate import argument_parser, evaluate_decoder, model_card

    write_zigzags(tmp_path / "butterfly.ndjson", "butterfly", 60, seed=6)
    (tmp_path / "pretrained").mkdir()
    write_gen_json(make_tiny_decoder(name="butterfly"), tmp_path / "pretrained" / "butterfly.gen.json")
    (tmp_path / "models").mkdir()
    save_decoder(load_gen_json(tmp_path / "pretrained" / "butterfly.gen.json"), tmp_path / "models" / "butterfly.npz")
    classifier = Classifier.load(make_tiny_classifier(tmp_path))
    args = argument_parser().parse_args(["--data-dir", str(tmp_path), "--pretrained-dir", str(tmp_path / "pretrained"),
                                         "--google-check", "0", "--completions", "2", "--variations", "1"])
    row = evaluate_decoder(tmp_path / "models" / "butterfly.npz", classifier, args)
    assert row["recognition_unmeasured"] and "recognised" not in row and not row["meets_recognition"]
    assert row["meets_loss"]  # Google's own decoder, stored in float16
    card = model_card({"decoders": [row], "commands": []})
    assert "| loss only: yes |" in card
    assert "Recognition not measured yet" in card and "butterfly" in card


def test_the_card_measures_a_new_decoder_and_keeps_every_other_figure(tmp_path):
    """``evaluate --update bee`` measures bee and leaves cat's row as the full run wrote it; a decoder neither on
    the card nor named is refused, so a card never silently drops a shipped model."""
    import json

    from app.engine.decoder import load_gen_json, save_decoder
    from tests.conftest import write_gen_json
    from training.evaluate import main

    (tmp_path / "pretrained").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / "none").mkdir()
    for seed, name in enumerate(("cat", "bee", "pig")):
        write_zigzags(tmp_path / f"{name}.ndjson", name, 60, seed=seed)
        write_gen_json(make_tiny_decoder(name=name, seed=seed), tmp_path / "pretrained" / f"{name}.gen.json")
    options = ["--models", str(tmp_path / "models"), "--data-dir", str(tmp_path), "--pretrained-dir",
               str(tmp_path / "pretrained"), "--classifier-dir", str(tmp_path / "none"), "--google-check", "0",
               "--fit-per-object", "0"]
    save_decoder(load_gen_json(tmp_path / "pretrained" / "cat.gen.json"), tmp_path / "models" / "cat.npz")
    main(options)
    before = json.loads((tmp_path / "models" / "manifest.json").read_text())
    save_decoder(load_gen_json(tmp_path / "pretrained" / "bee.gen.json"), tmp_path / "models" / "bee.npz")
    main([*options, "--update", "bee"])
    after = json.loads((tmp_path / "models" / "manifest.json").read_text())
    assert [d["name"] for d in after["decoders"]] == ["bee", "cat"]
    assert after["decoders"][1] == before["decoders"][0]
    assert after["decoders"][0]["loss_ratio"] == pytest.approx(1.0, abs=0.01)
    assert "| bee |" in (tmp_path / "models" / "README.md").read_text()
    save_decoder(load_gen_json(tmp_path / "pretrained" / "pig.gen.json"), tmp_path / "models" / "pig.npz")
    with pytest.raises(SystemExit):
        main([*options, "--update", "bee"])


def test_the_card_gives_a_grown_classifier_its_figures_on_the_old_objects_and_the_new_with_intervals():
    """A classifier that started from one knowing cat and pig and learnt owl: top-1 over the old objects beside the
    old classifier's, over the new one, each object's interval, and the confusions that involve the new object."""
    from training.evaluate import model_card

    per_class = {"cat": {"n": 40, "top1": 0.9, "top3": 1.0}, "pig": {"n": 60, "top1": 0.7, "top3": 0.9},
                 "owl": {"n": 20, "top1": 0.5, "top3": 0.8}}
    confusions = [{"true": "pig", "guessed": "cat", "count": 9}, {"true": "owl", "guessed": "cat", "count": 6},
                  {"true": "cat", "guessed": "owl", "count": 2}]
    classifier = {"classes": ["cat", "owl", "pig"], "hyper_parameters": {"google_drawings_per_class": 10},
                  "test_real": {"n": 120, "top1": 0.725, "top3": 0.917, "per_class": per_class,
                                "confusions": confusions},
                  "initialised_from": {"classes": ["cat", "pig"], "test_real": {"n": 100, "top1": 0.8, "top3": 0.95}}}
    card = model_card({"decoders": [], "commands": [], "classifier": classifier})
    assert "Over the objects it started with (2, 100 real test drawings): top-1 0.780 (0.69–0.85)" in card
    assert "the classifier it started from, among those objects only: top-1 0.800 (0.71–0.87)" in card
    assert "Over the new objects (1, 20 real test drawings): top-1 0.500 (0.30–0.70)" in card
    assert "| owl | 20 | 0.50 (0.30–0.70) | 0.80 |" in card
    assert "with an object new to this classifier: owl → cat: 6; cat → owl: 2." in card
