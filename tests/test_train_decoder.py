"""Training a decoder (training.train_decoder, training.recipe): augmentation and batching keep drawings intact,
the recipe file gives every option, and a training run exports a model the app loads and resumes when re-run."""

import json

import numpy as np
import pytest

from app.engine.decoder import START_TOKEN, load_decoder, prime, sample
from app.engine.strokes import lines_to_stroke3, stroke3_to_lines
from tests.conftest import random_drawing, small_google_decoder, write_gen_json, write_ndjson
from training.train_decoder import BUCKET, Batches, augment, simplify_stroke3


def test_augmentation_keeps_the_strokes_and_the_path():
    rng = np.random.default_rng(2)
    d = random_drawing(rng, 40)
    out = augment(d, rng, scale=0.0, drop=0.5)
    assert len(out) < len(d)
    assert out[:, 2].sum() == d[:, 2].sum()  # no stroke lost
    np.testing.assert_allclose(out[:, :2].sum(0), d[:, :2].sum(0), atol=1e-3)  # same end point


def test_a_mirrored_drawing_swaps_left_and_right_and_keeps_its_strokes():
    rng = np.random.default_rng(7)
    d = random_drawing(rng, 30)
    out = augment(d, rng, scale=0.0, drop=0.0, mirror=1.0)
    np.testing.assert_allclose(out[:, 0], -d[:, 0], atol=1e-5)
    np.testing.assert_allclose(out[:, 1:], d[:, 1:], atol=1e-5)
    seen = [augment(d, np.random.default_rng(k), scale=0.0, drop=0.0, mirror=0.5)[0, 0] for k in range(200)]
    assert 60 < sum(np.sign(x) != np.sign(d[0, 0]) for x in seen) < 140  # about half of them


def test_simplified_drawings_by_googles_decoder_keep_their_strokes_and_shape_with_fewer_points():
    """--google-rdp: a dense drawing (a circle in small steps, then a straight line) loses the points that lie
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
    args = ["circle", "--units", "8", "--google-drawings", "0", "--real-copies", "1", "--batch-size", "16",
            "--data-dir", str(data_dir),
            "--out", str(tmp_path / "models"), "--runs-dir", str(tmp_path / "runs")]
    main([*args, "--epochs", "1"])
    decoder = load_decoder(tmp_path / "models" / "circle.npz")
    assert decoder.config.num_units == 8 and decoder.meta["data"]["google_train"] == 0
    assert decoder.meta["training"]["epochs_run"] == 1
    main([*args, "--epochs", "2", "--force"])  # continues from the checkpoint: one more epoch, not two
    decoder = load_decoder(tmp_path / "models" / "circle.npz")
    assert decoder.meta["training"]["epochs_run"] == 2
    [(rows, _)] = sample(decoder, prime(decoder, np.zeros((0, 5))), [1], temperature=0.5, max_steps=30)
    assert np.isfinite(rows).all()


@pytest.mark.slow
def test_a_run_with_googles_completions_trains_on_them_and_says_how_many(tmp_path):
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
    write_gen_json(small_google_decoder("zigzag"), pretrained / "zigzag.gen.json", "zigzag", 40)
    main(["zigzag", "--units", "8", "--google-drawings", "0", "--google-completions", "20", "--batch-size", "16",
          "--epochs", "1", "--data-dir", str(data_dir), "--pretrained-dir", str(pretrained),
          "--out", str(tmp_path / "models"), "--runs-dir", str(tmp_path / "runs"), "--cache-dir", str(tmp_path)])
    decoder = load_decoder(tmp_path / "models" / "zigzag.npz")
    assert decoder.meta["recipe"]["google_completions"] == 20
    assert decoder.meta["data"]["google_completions_train"] == 20
    assert decoder.meta["data"]["google_valid"] == 0  # completions never enter the validation set


def test_real_copies_weight_the_real_drawings_and_leave_validation_alone(tmp_path):
    from argparse import Namespace

    from training.train_decoder import prepare

    rng = np.random.default_rng(11)
    write_ndjson(tmp_path / "wave.ndjson", "wave", [[[np.sort(rng.integers(0, 255, 6)).tolist(),
                                                     rng.integers(0, 255, 6).tolist()]] for _ in range(40)])
    args = Namespace(data_dir=tmp_path, google_drawings=0, google_completions=0, google_rdp=0.0,
                     max_len=200, pretrained_dir=tmp_path, cache_dir=tmp_path, real_copies=1)
    once = prepare("wave", args)
    args.real_copies = 3
    thrice = prepare("wave", args)
    assert once["counts"] == thrice["counts"] and once["counts"]["real_train"] > 20
    assert len(thrice["train"]) == 3 * len(once["train"])
    assert len(thrice["valid"]) == len(once["valid"])
    assert thrice["scale_factor"] == pytest.approx(once["scale_factor"])


def test_a_drawing_by_googles_decoder_with_a_blown_up_step_is_dropped_and_leaves_the_scale_factor_alone(tmp_path):
    """At temperature 1 Google's strawberry decoder sampled 13 of 20,000 drawings with a step of 1,000 to 1.6
    million box units; they set the scale factor (std of the offsets) to 1,527 instead of 31."""
    from argparse import Namespace

    from training.google_drawings import save_drawings
    from training.train_decoder import MAX_STEP, prepare

    rng = np.random.default_rng(12)
    google = [random_drawing(rng) for _ in range(60)]
    blown_up = random_drawing(rng)
    blown_up[5, 0] = 1.6e6
    args = Namespace(data_dir=tmp_path, google_drawings=61, google_completions=0, google_rdp=0.0,
                     google_temperatures=(1.0, 1.0, 0.8, 0.6), max_len=200, pretrained_dir=tmp_path,
                     cache_dir=tmp_path, real_copies=0)
    write_ndjson(tmp_path / "wave.ndjson", "wave", [])  # no real drawings: Google's decoder's only
    save_drawings(tmp_path / "google-wave-61-0.npz", [*google[:30], blown_up, *google[30:]])
    data = prepare("wave", args)
    assert len(data["train"]) + len(data["valid"]) == 60  # every drawing but the blown-up one
    assert all(np.abs(d[:, :2]).max() <= MAX_STEP for d in data["train"] + data["valid"])
    offsets = np.concatenate([d[:, :2] for d in data["train"]])
    assert data["scale_factor"] == pytest.approx(float(np.std(offsets))) and data["scale_factor"] < 20


def test_drawings_and_counts_stored_under_the_old_teacher_names_read_under_todays(tmp_path):
    """issue 48.2: Google's drawings cached before the rename (teacher-<object>-<n>-<seed>.npz) are found, not
    sampled again; a model file's data counts stored as teacher_* read as google_*."""
    from training import recipe
    from training.google_drawings import google_drawings, save_drawings

    rng = np.random.default_rng(3)
    cached = [random_drawing(rng) for _ in range(12)]
    save_drawings(tmp_path / "teacher-wave-12-0.npz", cached)  # no wave.gen.json here: sampling would fail
    got = google_drawings("wave", 10, pretrained_dir=tmp_path, cache_dir=tmp_path)
    assert len(got) == 10 and all(np.allclose(a, b) for a, b in zip(got, cached[:10], strict=False))
    old = {"real_train": 3, "teacher_train": 19000, "teacher_completions_train": 0, "teacher_valid": 1000}
    assert recipe.data_counts(old) == {"real_train": 3, "google_train": 19000, "google_completions_train": 0,
                                       "google_valid": 1000}


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


def test_a_recipe_stored_under_the_old_teacher_names_reads_under_todays():
    """issue 48.2: "teacher" is the person who makes a classroom; the recipe keys that meant Google's decoder were
    renamed, and a model file that stored them under the old names still gives its recipe and its command."""
    from training import recipe

    careful = recipe.load("careful")
    old = {("teacher" + k[len("google_drawings"):] if k == "google_drawings" else
            k.replace("google_", "teacher_")): v for k, v in careful.items()}
    assert {"teacher", "teacher_temperatures", "teacher_rdp", "teacher_completions"} <= set(old)
    assert recipe.normalised(old) == careful
    assert recipe.command(["cat"], {**old, "teacher_completions": 3000}) == (
        "python -m training.train_decoder cat --google-completions 3000")


def test_one_command_lists_the_recipe_of_every_shipped_model(capsys):
    """``python -m training.recipe`` names, for every decoder and sketch VAE in models/, the command that made it
    (from the recipe the file stores)."""
    from training import recipe
    from training.paths import MODELS_DIR

    recipe.main([])
    said = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    files = sorted(str(p.relative_to(MODELS_DIR)) for p in [*MODELS_DIR.glob("*.npz"), *MODELS_DIR.glob("vae/*.npz")])
    assert sorted(said) == files
    for file, command in said.items():
        name = file.removeprefix("vae/").removesuffix(".npz")
        trainer = "train_vae" if file.startswith("vae/") else "train_decoder"
        assert command.startswith(f"python -m training.{trainer} {name}")
