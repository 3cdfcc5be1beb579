"""Training code: the Keras decoder is the engine's decoder (same step outputs, same loss), augmentation and
batching keep drawings intact, and a training run exports a model the app loads and resumes when re-run."""

import json

import numpy as np
import pytest

from app.decoder import LOG_SIGMA_MAX, LOG_SIGMA_MIN, START_TOKEN, DecoderConfig, load_decoder, lstm_step, prime, sample
from app.decoder import reconstruction_loss as engine_reconstruction_loss
from app.strokes import lines_to_stroke3, stroke3_to_lines
from tests.conftest import make_tiny_decoder, write_gen_json
from training.keras_decoder import (
    build_model,
    distillation_loss,
    export_weights,
    import_weights,
    reconstruction_loss,
    teacher_inputs,
    teacher_targets,
)
from training.teacher import prefixes
from training.train_decoder import BUCKET, Batches, augment, simplify_stroke3, to_box


def write_ndjson(path, word, drawings):
    """A Quick, Draw! simplified ndjson file: one record per drawing (a list of strokes [[xs], [ys]])."""
    with open(path, "w") as fh:
        for i, drawing in enumerate(drawings):
            fh.write(json.dumps({"word": word, "key_id": str(i), "recognized": True, "drawing": drawing}) + "\n")


def random_drawing(rng, n=20):
    """A stroke-3 drawing with a few pen-ups."""
    d = np.zeros((n, 3), np.float32)
    d[:, :2] = rng.normal(0, 10, (n, 2))
    d[rng.choice(n, 3, replace=False), 2] = 1
    d[-1, 2] = 1
    return d


def test_exported_keras_weights_give_the_engines_step_outputs():
    import tensorflow as tf

    config = DecoderConfig(num_units=8)
    model = build_model(config)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])
    weights = {k: tf.constant(v) for k, v in export_weights(model, config).items()}
    x = rng.normal(0, 1, (2, 6, 5)).astype(np.float32)
    keras_out = np.asarray(model(x))
    c = h = tf.zeros((2, 8))
    for t in range(6):
        c, h = lstm_step(tf, weights, tf.constant(x[:, t]), c, h)
        step_out = tf.matmul(h, weights["output_w"]) + weights["output_b"]
        np.testing.assert_allclose(step_out.numpy(), keras_out[:, t], rtol=1e-4, atol=1e-5)


def test_import_then_export_is_the_identity():
    tiny = make_tiny_decoder(num_units=8)
    model = build_model(tiny.config)
    import_weights(model, tiny.weights, tiny.config)
    for name, value in export_weights(model, tiny.config).items():
        np.testing.assert_allclose(value, tiny.weights[name], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("weight_scale", [0.3, 12.0])
def test_the_training_loss_is_the_engines_reconstruction_loss(weight_scale):
    """Also with weights so large that log sigma leaves LOG_SIGMA_MIN..MAX: one mixture split, one set of clips."""
    tiny = make_tiny_decoder(num_units=8, weight_scale=weight_scale)
    model = build_model(tiny.config)
    import_weights(model, tiny.weights, tiny.config)
    rng = np.random.default_rng(1)
    drawings = [random_drawing(rng, 12), random_drawing(rng, 20)]
    if weight_scale > 1:
        _, y = Batches([drawings[0]], tiny.scale_factor, 1, augmented=False).make([drawings[0]], [0], BUCKET)
        raw = np.asarray(model(teacher_inputs(y[..., :5])))[..., 3:].reshape(*y.shape[:2], 6, -1)[..., 3:5, :]
        assert raw.min() < LOG_SIGMA_MIN or raw.max() > LOG_SIGMA_MAX
    engine = engine_reconstruction_loss(tiny, drawings)
    for drawing, expected in zip(drawings, engine):
        _, y = Batches([drawing], tiny.scale_factor, 1, augmented=False).make([drawing], [0], BUCKET)
        keras_loss = float(np.mean(reconstruction_loss(y, model(teacher_inputs(y[..., :5])))))
        assert keras_loss == pytest.approx(float(expected), rel=1e-4)


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


def small_teacher(name="tiny"):
    """A tiny random decoder that finishes most drawings it is asked to continue within a few steps."""
    return make_tiny_decoder(num_units=8, weight_scale=0.3, name=name)


def test_a_beginning_is_the_first_strokes_of_its_drawing_and_ends_with_the_pen_up():
    rng = np.random.default_rng(5)
    drawings = [random_drawing(rng, 20) for _ in range(30)]
    one_stroke = np.zeros((12, 3))
    one_stroke[:, 0], one_stroke[-1, 2] = 5.0, 1.0
    beginnings = prefixes([*drawings, one_stroke], rng)
    assert len(beginnings) == 31
    for drawing, beginning in zip(drawings, beginnings):
        np.testing.assert_array_equal(beginning, drawing[: len(beginning)])
        assert beginning[-1, 2] == 1 and 1 <= beginning[:, 2].sum() < drawing[:, 2].sum()
    assert len({len(b) for b in beginnings[:30]}) > 1  # the cut varies
    assert 3 <= len(beginnings[30]) < 12 and beginnings[30][-1, 2] == 1 and beginnings[30][:-1, 2].sum() == 0


@pytest.mark.slow
def test_teacher_completions_are_real_beginnings_finished_by_the_teacher():
    """Each completion is a beginning of a given drawing followed by exactly what the engine samples from the
    teacher primed on that beginning: row i of the first batch uses seed (seed, 0, i), and only the rows the
    teacher finished are kept, in order."""
    from app.strokes import stroke3_to_stroke5, stroke5_to_stroke3
    from training.teacher import BATCH, complete_drawings

    teacher = small_teacher()
    rng = np.random.default_rng(6)
    drawings = [random_drawing(rng, 16) for _ in range(5)]
    out = complete_drawings(teacher, drawings, 12, temperatures=(0.7,), seed=3)
    assert len(out) == 12
    cut_rng, pool = np.random.default_rng([3, 1]), []
    while len(pool) < BATCH:
        pool += prefixes(drawings, cut_rng)
    expected = []
    for i, beginning in enumerate(pool[:BATCH]):
        state = prime(teacher, stroke3_to_stroke5(beginning, end=False))
        cap = max(teacher.max_seq_len - len(beginning), teacher.max_seq_len // 4)
        [(rows, finished)] = sample(teacher, state, [[3, 0, i]], temperature=0.7, max_steps=cap)
        if finished and len(rows):
            expected.append(np.concatenate([beginning, stroke5_to_stroke3(rows)]))
    assert len(expected) >= 12
    for want, got in zip(expected, out):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)  # float32, batch of 64 vs 1
    assert len({len(d) for d in out}) > 1


def test_teacher_completions_are_cached_by_the_drawings_they_continue(tmp_path):
    from training.teacher import teacher_completions

    pretrained = tmp_path / "pretrained"
    pretrained.mkdir()
    write_gen_json(small_teacher("line"), pretrained / "line.gen.json", "line", 40)
    rng = np.random.default_rng(7)
    drawings = [random_drawing(rng, 10) for _ in range(4)]
    first = teacher_completions("line", drawings, 8, pretrained_dir=pretrained, cache_dir=tmp_path / "cache")
    (pretrained / "line.gen.json").unlink()  # a second call must not need the teacher
    again = teacher_completions("line", drawings, 8, pretrained_dir=pretrained, cache_dir=tmp_path / "cache")
    assert len(first) == len(again) == 8
    for a, b in zip(first, again):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    with pytest.raises(FileNotFoundError):  # other drawings: not the cached file
        teacher_completions("line", drawings[:3], 8, pretrained_dir=pretrained, cache_dir=tmp_path / "cache")


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


def test_the_distillation_loss_is_the_drawing_loss_plus_the_teachers_when_the_teacher_agrees():
    """With the teacher's K samples all at the drawn point and its pen probabilities one-hot on the drawn state,
    the soft part equals the hard part: the loss is (1 + weight) x L_R."""
    tiny = make_tiny_decoder(num_units=8, weight_scale=0.3)
    model = build_model(tiny.config)
    import_weights(model, tiny.weights, tiny.config)
    rng = np.random.default_rng(5)
    drawing = random_drawing(rng, 15)
    _, y = Batches([drawing], tiny.scale_factor, 1, augmented=False).make([drawing], [0], BUCKET)
    k = 3
    agreeing = np.concatenate([y, np.tile(y[..., :2], (1, 1, k)), y[..., 2:5]], axis=-1)
    y_pred = model(teacher_inputs(y[..., :5]))
    hard = float(np.mean(reconstruction_loss(y, y_pred)))
    soft = float(np.mean(distillation_loss(k, weight=0.5)(agreeing, y_pred)))
    assert soft == pytest.approx(1.5 * hard, rel=1e-5)


def test_teacher_targets_sample_the_teachers_mixture_in_student_units():
    rng = np.random.default_rng(6)
    out = np.zeros((2, 4, 3 + 6 * 20))
    out[..., :3] = [2.0, 0.0, -1.0]
    out[..., 3] = 30.0  # component 0 takes (almost) all the weight
    out[..., 3 + 20], out[..., 3 + 40] = 1.5, -0.5  # its mean (1.5, -0.5) in teacher units
    out[..., 3 + 60], out[..., 3 + 80] = np.log(0.1), np.log(0.2)  # sigmas 0.1, 0.2
    xy, pen = teacher_targets(out, 4000, to_student=2.0, rng=rng)
    assert xy.shape == (2, 4, 8000) and pen.shape == (2, 4, 3)
    np.testing.assert_allclose(pen.sum(-1), 1.0, rtol=1e-6)
    pts = xy.reshape(2, 4, 4000, 2)
    np.testing.assert_allclose(pts.mean(axis=2), np.broadcast_to([3.0, -1.0], (2, 4, 2)), atol=0.02)
    np.testing.assert_allclose(pts.std(axis=2), np.broadcast_to([0.2, 0.4], (2, 4, 2)), rtol=0.06)


def test_distilled_batches_carry_the_teachers_distribution_from_its_own_step_outputs():
    from training.train_decoder import Teacher

    teacher = make_tiny_decoder(num_units=8, weight_scale=0.3, scale=30.0)
    rng = np.random.default_rng(7)
    drawings = [random_drawing(rng, n) for n in (10, 25)]
    batches = Batches(drawings, 12.0, 2, augmented=False, teacher=Teacher(teacher, samples=2))
    [(x, y)] = list(batches.epoch())
    assert y.shape[-1] == batches.target_width == 6 + 2 * 2 + 3
    # the pen probabilities are the engine's for the teacher on the same strokes (in the teacher's units)
    import tensorflow as tf

    weights = {k: tf.constant(v) for k, v in teacher.weights.items()}
    xt = x.copy()
    xt[..., :2] *= 12.0 / teacher.box_scale_factor
    c = h = tf.zeros((2, 8))
    for t in range(3):
        c, h = lstm_step(tf, weights, tf.constant(xt[:, t]), c, h)
        pen_logits = (tf.matmul(h, weights["output_w"]) + weights["output_b"])[:, :3]
        np.testing.assert_allclose(y[:, t, -3:], tf.nn.softmax(pen_logits).numpy(), rtol=1e-4, atol=1e-6)


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


@pytest.mark.slow
def test_the_width_study_measures_loss_recognition_and_speed(tmp_path):
    """units_study.measure on a tiny decoder and a tiny classifier: every figure is there and sane."""
    from argparse import Namespace

    from app.classifier import Classifier
    from tests.test_classifier import make_tiny_classifier
    from training.units_study import measure

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
    """The command comes from the recipe stored in the model file (or rebuilt from an older file's facts): the
    recipe file it matches, plus only the options that differ from it."""
    from training import recipe
    from training.evaluate import decoder_commands

    careful = recipe.load("careful")

    def shipped(name, **changes):
        return {"name": name, "config": {"num_units": 256}, "recipe": {**careful, **changes}}

    older = {"name": "dog", "config": {"num_units": 512}, "data": {},  # made before recipe files
             "training": {"epochs_max": 50, "teacher_requested": 6000, "teacher_rdp": 2.0}}
    commands = decoder_commands([shipped("cat"), shipped("owl"), shipped("crab", teacher_box=True),
                                 shipped("pig", teacher_temperatures=[0.6, 0.4]),
                                 shipped("bird", teacher_completions=3000, epochs=20), older])
    assert commands == [
        "python -m training.train_decoder cat owl",
        "python -m training.train_decoder crab --teacher-box",
        "python -m training.train_decoder pig --teacher-temperatures 0.6 0.4",
        "python -m training.train_decoder bird --epochs 20 --teacher-completions 3000",
        "python -m training.train_decoder dog --units 512 --epochs 50 --teacher 6000 --teacher-temperatures 1 1 0.8 "
        "0.6 --real-copies 1"]


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
    assert recipe.run_name("cat", "careful", values) != recipe.run_name("cat", "careful", recipe.load("careful"))


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


def test_teacher_drawings_at_other_temperatures_are_cached_apart(tmp_path, monkeypatch):
    """Careful teacher drawings (--teacher-temperatures) never come back for a request at the default spread,
    nor the other way round; a larger cached set serves a smaller request at the same temperatures."""
    from training import teacher

    asked = []

    def fake_sample(decoder, n, temperatures=teacher.TEMPERATURES, seed=0):
        asked.append((n, tuple(temperatures)))
        scale = 1.0 if tuple(temperatures) == teacher.TEMPERATURES else 2.0
        return [np.array([[scale * (i + 1), 0.0, 1.0], [0.0, 1.0, 1.0]]) for i in range(n)]

    monkeypatch.setattr(teacher, "sample_drawings", fake_sample)
    monkeypatch.setattr(teacher, "load_gen_json", lambda path: None)
    default = teacher.teacher_drawings("cat", 4, cache_dir=tmp_path)
    careful = teacher.teacher_drawings("cat", 3, cache_dir=tmp_path, temperatures=(0.6, 0.4))
    assert asked == [(4, teacher.TEMPERATURES), (3, (0.6, 0.4))]
    assert default[0][0, 0] == 1.0 and careful[0][0, 0] == 2.0
    again = teacher.teacher_drawings("cat", 2, cache_dir=tmp_path, temperatures=[0.6, 0.4])
    assert len(asked) == 2 and [d[0, 0] for d in again] == [2.0, 4.0]
    assert len(teacher.teacher_drawings("cat", 3, cache_dir=tmp_path)) == 3 and len(asked) == 2


def test_a_completion_of_dots_counts_its_tiny_strokes_and_whether_it_ended():
    from app.buddy import Completion
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
    from training.evaluate import outlier_notes

    flamingo = {"name": "flamingo", "loss": 8.51, "loss_median": 8.47, "google_loss": 595.8,
                "google_loss_median": 18.83, "google_loss_max": 68342.9}
    cat = {"name": "cat", "loss": 7.9, "loss_median": 7.8, "google_loss": 7.7, "google_loss_median": 7.6,
           "google_loss_max": 12.0}
    [note, blank] = outlier_notes([cat, flamingo, {"name": "made_up"}])
    assert note.startswith("Flamingo:") and "68,342.9" in note and "595.8" in note
    assert "18.83 against our 8.47 (ratio 0.450)" in note and blank == ""
    assert outlier_notes([cat]) == []


def test_the_card_writes_a_difference_interval_touching_zero_as_plus_zero():
    from training.evaluate import _difference

    row = {"recognised": 0.875, "google_recognised": 0.8125, "recognised_difference_ci95": [-0.0021, 0.1229]}
    assert _difference(row) == "+6.2 (+0 to +12)"
    assert _difference({"recognised": 0.5, "google_recognised": None}) == "–"
