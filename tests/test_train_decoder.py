"""Training a decoder (training.train_decoder, training.recipe): augmentation and batching keep drawings intact,
the recipe file gives every option, and a training run exports a model the app loads and resumes when re-run."""

import json

import numpy as np
import pytest

from app.decoder import START_TOKEN, load_decoder, prime, sample
from app.strokes import lines_to_stroke3, stroke3_to_lines
from tests.conftest import make_tiny_decoder, random_drawing, small_teacher, write_gen_json, write_ndjson
from training.train_decoder import BUCKET, Batches, augment, simplify_stroke3, to_box


def test_augmentation_keeps_the_strokes_and_the_path():
    rng = np.random.default_rng(2)
    d = random_drawing(rng, 40)
    out = augment(d, rng, scale=0.0, drop=0.5)
    assert len(out) < len(d)
    assert out[:, 2].sum() == d[:, 2].sum()  # no stroke lost
    np.testing.assert_allclose(out[:, :2].sum(0), d[:, :2].sum(0), atol=1e-3)  # same end point


def test_teacher_drawings_scaled_to_the_box_span_0_to_255_and_keep_their_shape():
    """--teacher-box: a drawing 360 units wide and 180 high becomes 255 wide and 127.5 high, with the same
    strokes and proportions; a single dot (no extent) is left as it is."""
    wide = lines_to_stroke3([np.array([[0.0, 0.0], [360.0, 0.0]]), np.array([[0.0, 20.0], [90.0, 180.0]])])
    out = to_box(wide)
    points = np.cumsum(out[:, :2], axis=0)
    np.testing.assert_allclose(points.max(0) - points.min(0), [255.0, 127.5])
    np.testing.assert_array_equal(out[:, 2], wide[:, 2])
    np.testing.assert_allclose(out[:, :2], wide[:, :2] * 255.0 / 360.0)
    dot = np.array([[5.0, 5.0, 1.0]])
    np.testing.assert_array_equal(to_box(dot), dot)


def test_simplified_teacher_drawings_keep_their_strokes_and_shape_with_fewer_points():
    """--teacher-rdp: a dense drawing (a circle in small steps, then a straight line) loses the points that lie
    within epsilon of its outline, but keeps every stroke, its end point, and its shape."""
    t = np.linspace(0, 2 * np.pi, 400)
    circle = np.stack([100 + 80 * np.cos(t), 100 + 80 * np.sin(t)], axis=1)
    line = np.stack([np.linspace(20, 220, 200), np.full(200, 240.0)], axis=1)
    dense = lines_to_stroke3([circle, line])
    out = simplify_stroke3(dense, 2.0)
    assert 10 < len(out) < len(dense) // 10
    assert out[:, 2].sum() == dense[:, 2].sum() == 2
    np.testing.assert_allclose(out[:, :2].sum(0), dense[:, :2].sum(0), atol=1e-6)
    simple_circle, simple_line = stroke3_to_lines(out, start=circle[0])
    assert len(simple_line) == 2  # a straight line is its two ends
    np.testing.assert_allclose(simple_line, line[[0, -1]], atol=1e-6)
    np.testing.assert_allclose(np.hypot(*(simple_circle - 100).T), 80, atol=1e-6)  # kept points are the circle's
    chords = np.hypot(*np.diff(simple_circle, axis=0).T)
    assert np.all(80 - np.sqrt(80**2 - (chords / 2) ** 2) <= 2.0 + 1e-6)  # no chord strays more than epsilon


def test_batches_pad_to_buckets_and_mask_points_plus_the_end_row():
    rng = np.random.default_rng(3)
    drawings = [random_drawing(rng, n) for n in (5, 30, 31, 70)]
    seen = 0
    for inputs, y in Batches(drawings, 10.0, 2, augmented=False).epoch():
        assert inputs.shape[1] % BUCKET == 0 and y.shape[:2] == inputs.shape[:2]
        np.testing.assert_array_equal(inputs[:, 0], np.tile(START_TOKEN, (len(inputs), 1)))
        seen += int(y[..., 5].sum())
    assert seen == sum(len(d) + 1 for d in drawings)


@pytest.mark.slow
def test_a_training_run_exports_a_decoder_the_app_loads_and_resumes(tmp_path):
    from training.train_decoder import main

    rng = np.random.default_rng(4)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with open(data_dir / "circle.ndjson", "w") as fh:
        for i in range(60):
            t = np.linspace(0, 2 * np.pi, 12)
            r = rng.uniform(60, 120)
            xs, ys = (128 + r * np.cos(t)).round().tolist(), (128 + r * np.sin(t)).round().tolist()
            fh.write(json.dumps({"word": "circle", "key_id": str(i), "recognized": True,
                                 "drawing": [[xs, ys]]}) + "\n")
    args = ["circle", "--units", "8", "--teacher", "0", "--real-copies", "1", "--batch-size", "16",
            "--data-dir", str(data_dir),
            "--out", str(tmp_path / "models"), "--runs-dir", str(tmp_path / "runs")]
    main([*args, "--epochs", "1"])
    decoder = load_decoder(tmp_path / "models" / "circle.npz")
    assert decoder.config.num_units == 8 and decoder.meta["data"]["teacher_train"] == 0
    assert decoder.meta["training"]["epochs_run"] == 1
    main([*args, "--epochs", "2", "--force"])  # continues from the checkpoint: one more epoch, not two
    decoder = load_decoder(tmp_path / "models" / "circle.npz")
    assert decoder.meta["training"]["epochs_run"] == 2
    [(rows, _)] = sample(decoder, prime(decoder, np.zeros((0, 5))), [1], temperature=0.5, max_steps=30)
    assert np.isfinite(rows).all()


@pytest.mark.slow
def test_a_distilled_training_run_exports_a_decoder(tmp_path):
    from training.train_decoder import main

    rng = np.random.default_rng(8)
    data_dir, pretrained = tmp_path / "data", tmp_path / "pretrained"
    data_dir.mkdir()
    pretrained.mkdir()
    write_ndjson(data_dir / "line.ndjson", "line",
                 [[[np.sort(rng.integers(0, 255, 6)).tolist(), [128] * 6]] for _ in range(40)])
    write_gen_json(make_tiny_decoder(num_units=8, weight_scale=0.3), pretrained / "line.gen.json", "line", 40)
    main(["line", "--units", "8", "--teacher", "0", "--real-copies", "1", "--distill", "2", "--batch-size", "16",
          "--epochs", "1",
          "--data-dir", str(data_dir), "--pretrained-dir", str(pretrained), "--out", str(tmp_path / "models"),
          "--runs-dir", str(tmp_path / "runs")])
    decoder = load_decoder(tmp_path / "models" / "line.npz")
    assert decoder.meta["recipe"]["distill"] == 2 and decoder.meta["recipe"]["distill_weight"] == 1.0
    [run] = (tmp_path / "runs").iterdir()  # named after the recipe and its resolved values
    assert run.name.startswith("line-careful-") and (run / "done.json").exists()


@pytest.mark.slow
def test_a_run_with_teacher_completions_trains_on_them_and_says_how_many(tmp_path):
    from training.train_decoder import main

    rng = np.random.default_rng(10)
    data_dir, pretrained = tmp_path / "data", tmp_path / "pretrained"
    data_dir.mkdir()
    pretrained.mkdir()
    drawings = []
    for _ in range(30):
        xs, ys = np.sort(rng.integers(0, 255, 8)).tolist(), rng.integers(0, 255, 8).tolist()
        drawings.append([[xs[:4], ys[:4]], [xs[4:], ys[4:]]])
    write_ndjson(data_dir / "zigzag.ndjson", "zigzag", drawings)
    write_gen_json(small_teacher("zigzag"), pretrained / "zigzag.gen.json", "zigzag", 40)
    main(["zigzag", "--units", "8", "--teacher", "0", "--teacher-completions", "20", "--batch-size", "16",
          "--epochs", "1", "--data-dir", str(data_dir), "--pretrained-dir", str(pretrained),
          "--out", str(tmp_path / "models"), "--runs-dir", str(tmp_path / "runs"), "--cache-dir", str(tmp_path)])
    decoder = load_decoder(tmp_path / "models" / "zigzag.npz")
    assert decoder.meta["recipe"]["teacher_completions"] == 20
    assert decoder.meta["data"]["teacher_completions_train"] == 20
    assert decoder.meta["data"]["teacher_valid"] == 0  # completions never enter the validation set


def test_real_copies_weight_the_real_drawings_and_leave_validation_alone(tmp_path):
    from argparse import Namespace

    from training.train_decoder import prepare

    rng = np.random.default_rng(11)
    write_ndjson(tmp_path / "wave.ndjson", "wave", [[[np.sort(rng.integers(0, 255, 6)).tolist(),
                                                     rng.integers(0, 255, 6).tolist()]] for _ in range(40)])
    args = Namespace(data_dir=tmp_path, teacher=0, teacher_completions=0, teacher_box=False, teacher_rdp=0.0,
                     max_len=200, pretrained_dir=tmp_path, cache_dir=tmp_path, real_copies=1)
    once = prepare("wave", args)
    args.real_copies = 3
    thrice = prepare("wave", args)
    assert once["counts"] == thrice["counts"] and once["counts"]["real_train"] > 20
    assert len(thrice["train"]) == 3 * len(once["train"])
    assert len(thrice["valid"]) == len(once["valid"])
    assert thrice["scale_factor"] == pytest.approx(once["scale_factor"])


def test_a_teacher_drawing_with_a_blown_up_step_is_dropped_and_leaves_the_scale_factor_alone(tmp_path):
    """At temperature 1 Google's strawberry decoder sampled 13 of 20,000 drawings with a step of 1,000 to 1.6
    million box units; they set the scale factor (std of the offsets) to 1,527 instead of 31."""
    from argparse import Namespace

    from training.teacher import save_drawings
    from training.train_decoder import MAX_STEP, prepare

    rng = np.random.default_rng(12)
    teacher = [random_drawing(rng) for _ in range(60)]
    blown_up = random_drawing(rng)
    blown_up[5, 0] = 1.6e6
    args = Namespace(data_dir=tmp_path, teacher=61, teacher_completions=0, teacher_box=False, teacher_rdp=0.0,
                     teacher_temperatures=(1.0, 1.0, 0.8, 0.6), max_len=200, pretrained_dir=tmp_path,
                     cache_dir=tmp_path, real_copies=0)
    write_ndjson(tmp_path / "wave.ndjson", "wave", [])  # no real drawings: the teacher's only
    save_drawings(tmp_path / "teacher-wave-61-0.npz", [*teacher[:30], blown_up, *teacher[30:]])
    data = prepare("wave", args)
    assert len(data["train"]) + len(data["valid"]) == 60  # every drawing but the blown-up one
    assert all(np.abs(d[:, :2]).max() <= MAX_STEP for d in data["train"] + data["valid"])
    offsets = np.concatenate([d[:, :2] for d in data["train"]])
    assert data["scale_factor"] == pytest.approx(float(np.std(offsets))) and data["scale_factor"] < 20


class InkAtTheLeftEdge:
    """A stand-in classifier: "wave" when the render has ink in its leftmost drawn column (a long flat stroke,
    which the render stretches edge to edge), "other" when not (a tall thin one, which it centres)."""
    names = ["other", "wave"]

    def probabilities(self, renders, mirror=True):
        wave = (np.asarray(renders)[:, :, 3] > 0).any(axis=1).astype(np.float32)
        return np.stack([1 - wave, wave], axis=1)


def test_with_teacher_recognised_the_student_learns_only_the_teacher_drawings_the_classifier_names(tmp_path,
                                                                                                monkeypatch):
    """--teacher-recognised: the teacher's drawings the classifier does not name as the object leave the training
    set (and are counted); the validation set keeps them all."""
    from argparse import Namespace

    from training import train_decoder
    from training.teacher import save_drawings

    flat = lines_to_stroke3([np.array([[0.0, 0.0], [60.0, 2.0], [120.0, 0.0]])])
    tall = lines_to_stroke3([np.array([[0.0, 0.0], [2.0, 60.0], [0.0, 120.0]])])
    teacher = [flat if i % 3 else tall for i in range(60)]  # 20 tall ones (i = 0, 3, ...)
    write_ndjson(tmp_path / "wave.ndjson", "wave", [])
    save_drawings(tmp_path / "teacher-wave-60-0.npz", teacher)
    monkeypatch.setattr(train_decoder.Classifier, "load", classmethod(lambda cls, directory: InkAtTheLeftEdge()))
    args = Namespace(data_dir=tmp_path, teacher=60, teacher_completions=0, teacher_box=False, teacher_rdp=0.0,
                     teacher_temperatures=(1.0, 1.0, 0.8, 0.6), max_len=200, pretrained_dir=tmp_path,
                     cache_dir=tmp_path, real_copies=0, classifier_dir=tmp_path, teacher_recognised=False)
    everything = train_decoder.prepare("wave", args)
    args.teacher_recognised = True
    recognised = train_decoder.prepare("wave", args)
    n_valid = len(everything["valid"])
    tall_in_train = sum(i % 3 == 0 for i in range(n_valid, 60))
    assert recognised["counts"]["teacher_train"] == everything["counts"]["teacher_train"] - tall_in_train
    assert recognised["counts"]["teacher_unrecognised_dropped"] == tall_in_train > 0
    assert all(np.array_equal(d, flat) for d in recognised["train"])
    assert len(recognised["valid"]) == n_valid and any(np.array_equal(d, tall) for d in recognised["valid"])
    with pytest.raises(ValueError, match="does not know 'owl'"):
        train_decoder.recognised_only("owl", [flat], InkAtTheLeftEdge())


def test_a_recipe_file_must_name_every_option_and_no_other(tmp_path):
    from training import recipe

    text = (recipe.RECIPES_DIR / "careful.toml").read_text()
    (tmp_path / "short.toml").write_text(text.replace("patience = 3", ""))
    (tmp_path / "odd.toml").write_text(text + "dropout = 0.1\n")
    with pytest.raises(ValueError, match="missing patience"):
        recipe.load(tmp_path / "short.toml")
    with pytest.raises(ValueError, match="unknown dropout"):
        recipe.load(tmp_path / "odd.toml")
    values = recipe.resolve("careful", {"epochs": 5, "units": None})  # None: not given on the command line
    assert values["epochs"] == 5 and values["units"] == 256
    careful = recipe.load("careful")
    assert recipe.run_name("cat", "careful", values) == recipe.run_name("cat", "careful", careful)  # longer only
    assert recipe.run_name("cat", "careful", {**careful, "units": 128}) != recipe.run_name("cat", "careful", careful)


def test_teacher_completions_can_begin_with_only_the_first_share_of_the_real_drawings(tmp_path, monkeypatch):
    """--completion-share 0.5: the teacher finishes beginnings of the first half of the real train drawings; the
    other half stays unseen, for compare_decoders --split train."""
    from argparse import Namespace

    from training import train_decoder
    from training.data import real_drawings

    rng = np.random.default_rng(13)
    write_ndjson(tmp_path / "wave.ndjson", "wave", [[[np.sort(rng.integers(0, 255, 6)).tolist(),
                                                     rng.integers(0, 255, 6).tolist()]] for _ in range(40)])
    given = []
    monkeypatch.setattr(train_decoder, "teacher_completions",
                        lambda name, drawings, n, **kw: given.append(drawings) or drawings[:n])
    args = Namespace(data_dir=tmp_path, teacher=0, teacher_completions=5, completion_share=0.5,
                     completion_augment=False, teacher_box=False, teacher_rdp=0.0, max_len=200,
                     pretrained_dir=tmp_path, cache_dir=tmp_path, real_copies=0)
    data = train_decoder.prepare("wave", args)
    train = real_drawings("wave", tmp_path)["train"]
    assert len(given[0]) == round(len(train) / 2) and all(np.array_equal(a, b) for a, b in zip(given[0], train))
    assert data["counts"]["teacher_completions_train"] == 5 and data["counts"]["real_train"] == 0
