"""The generic sketch prior (issue 51, ``training.train_prior``): one decoder that learns from every object's real
drawings and every Google decoder's drawings, exported where the app does not serve it as an object."""

import numpy as np
import pytest

from app.engine.decoder import load_decoder, prime, sample
from tests.conftest import small_google_decoder, write_gen_json, write_ndjson
from training import recipe


def prior_data(tmp_path, rng, shapes: dict) -> tuple:
    """A data folder with 30 random drawings of each object (name -> (strokes, points)) and an empty pretrained
    folder beside it, for the test's Google decoders; returns both folders."""
    data_dir, pretrained = tmp_path / "data", tmp_path / "pretrained"
    data_dir.mkdir()
    pretrained.mkdir()
    for name, (strokes, points) in shapes.items():
        write_ndjson(data_dir / f"{name}.ndjson", name, [lines(rng, strokes, points) for _ in range(30)])
    return data_dir, pretrained


def lines(rng, strokes=2, points=5):
    return [[np.sort(rng.integers(0, 255, points)).tolist(), rng.integers(0, 255, points).tolist()]
            for _ in range(strokes)]


@pytest.mark.slow
def test_the_prior_learns_from_every_object_and_every_googles_decoder(tmp_path):
    from app.engine.registry import Registry
    from training.train_prior import main

    rng = np.random.default_rng(5)
    data_dir, pretrained = prior_data(tmp_path, rng, {"zigzag": (2, 5), "hot air balloon": (1, 8)})
    models = tmp_path / "models"
    write_gen_json(small_google_decoder("zigzag"), pretrained / "zigzag.gen.json", "zigzag", 40)
    main(["--units", "8", "--google-drawings", "40", "--batch-size", "16", "--epochs", "1",
          "--data-dir", str(data_dir), "--pretrained-dir", str(pretrained), "--out", str(models / "prior"),
          "--runs-dir", str(tmp_path / "runs"), "--cache-dir", str(tmp_path / "cache")])
    prior = load_decoder(models / "prior" / "prior.npz")
    data = prior.meta["data"]
    assert prior.meta["kind"] == "sketch-prior" and prior.meta["recipe"]["objects"] == "all"
    assert data["real_objects"] == 2 and data["google_objects"] == 1
    assert data["real_train"] > 30 and data["google_train"] + data["google_valid"] > 30  # both objects, Google's too
    assert "fit" not in prior.meta  # a placement table is one object's
    assert recipe.command(["prior"], prior.meta["recipe"]).startswith(
        "python -m training.train_prior --units 8 --epochs 1")
    [(rows, _)] = sample(prior, prime(prior, np.zeros((0, 5))), [1], temperature=0.5, max_steps=30)
    assert np.isfinite(rows).all()
    registry = Registry(batching=False).load([str(models)], [])  # models/prior/ is not an object to draw
    assert "prior" not in registry.decoders

    # a new object fine-tuned from it: it starts from the prior's weights and keeps its scale factor (here with a
    # learning rate too small to move them, so the export is the prior itself, to float16's precision)
    from training.train_decoder import main as train_decoder

    write_ndjson(data_dir / "house.ndjson", "house", [lines(rng, 3, 4) for _ in range(30)])
    train_decoder(["house", "--recipe", "fewshot", "--units", "8", "--init-from", str(models / "prior" / "prior.npz"),
                   "--epochs", "1", "--lr", "1e-12", "--batch-size", "16", "--data-dir", str(data_dir),
                   "--out", str(models), "--runs-dir", str(tmp_path / "runs")])
    house = load_decoder(models / "house.npz")
    assert house.scale_factor == pytest.approx(prior.scale_factor)
    assert house.meta["init_from"]["file"].endswith("prior.npz") and house.meta["data"]["google_train"] == 0
    for key, value in prior.weights.items():
        np.testing.assert_allclose(house.weights[key], value, atol=2e-3)
    assert recipe.command(["house"], house.meta["recipe"]).startswith("python -m training.train_decoder house "
                                                                      "--recipe fewshot")


def test_a_prior_recipe_names_its_objects_a_fewshot_recipe_its_prior_and_other_recipes_neither():
    assert recipe.load("prior")["objects"] == "all"
    assert recipe.load("fewshot")["init_from"] == "models/prior/prior.npz"
    assert not {"objects", "init_from"} & set(recipe.load("careful"))


@pytest.mark.slow
def test_the_class_conditional_prior_exports_a_plain_decoder_and_each_objects_shift_beside_it(tmp_path):
    from training.evaluate_fewshot import prior_as
    from training.train_decoder import class_decoder, prior_decoder
    from training.train_decoder import main as train_decoder
    from training.train_prior import main

    data_dir, pretrained = prior_data(tmp_path, np.random.default_rng(6), {"zigzag": (2, 5), "line": (1, 3)})
    write_gen_json(small_google_decoder("dot"), pretrained / "dot.gen.json", "dot", 40)
    main(["--recipe", "prior-cond", "--class-embedding", "3", "--units", "8", "--google-drawings", "40",
          "--batch-size", "16", "--epochs", "1", "--data-dir", str(data_dir), "--pretrained-dir", str(pretrained),
          "--out", str(tmp_path / "prior"), "--runs-dir", str(tmp_path / "runs"), "--cache-dir", str(tmp_path / "c")])
    prior = load_decoder(tmp_path / "prior" / "prior.npz")
    assert prior.meta["recipe"]["class_embedding"] == 3 and prior.meta["classes_file"] == "prior.classes.npz"
    assert recipe.command(["prior"], prior.meta["recipe"]).startswith(
        "python -m training.train_prior --recipe prior-cond --units 8")
    zigzag, line = class_decoder(tmp_path / "prior" / "prior.npz", "zigzag"), class_decoder(
        tmp_path / "prior" / "prior.npz", "line")
    assert zigzag.name == "zigzag" and not np.allclose(zigzag.weights["lstm_bias"], line.weights["lstm_bias"])
    assert all(np.array_equal(zigzag.weights[k], prior.weights[k]) for k in prior.weights if k != "lstm_bias")
    with pytest.raises(ValueError):
        class_decoder(tmp_path / "prior" / "prior.npz", "unicorn")
    [(rows, _)] = sample(zigzag, prime(zigzag, np.zeros((0, 5))), [1], temperature=0.5, max_steps=30)
    assert np.isfinite(rows).all()

    # an object it learnt is fine-tuned from its own embedding (a learning rate too small to move the weights, so the
    # export is that object's decoder); an object it never saw starts from the mean, as "the prior alone" does
    for name, start in (("zigzag", zigzag), ("house", prior)):
        if name == "house":
            write_ndjson(data_dir / "house.ndjson", "house", [lines(np.random.default_rng(7), 3, 4) for _ in range(30)])
        train_decoder([name, "--recipe", "fewshot", "--units", "8", "--init-from",
                       str(tmp_path / "prior" / "prior.npz"), "--epochs", "1", "--lr", "1e-12", "--batch-size", "16",
                       "--data-dir", str(data_dir), "--out", str(tmp_path / "models"),
                       "--runs-dir", str(tmp_path / "runs")])
        tuned = load_decoder(tmp_path / "models" / f"{name}.npz")
        assert tuned.meta["init_from"].get("class") == ("zigzag" if name == "zigzag" else None)
        np.testing.assert_allclose(tuned.weights["lstm_bias"], start.weights["lstm_bias"], atol=2e-3)
        alone = prior_as(prior_decoder(tmp_path / "prior" / "prior.npz", name), name, data_dir)
        np.testing.assert_array_equal(alone.weights["lstm_bias"], start.weights["lstm_bias"])


def test_a_prior_stored_before_the_class_embedding_existed_reads_as_unconditional_and_keeps_its_run():
    values = recipe.load("prior")
    old = {k: v for k, v in values.items() if k != "class_embedding"}
    assert recipe.normalised(old)["class_embedding"] == 0
    assert recipe.run_name("prior", "prior", old) == recipe.run_name("prior", "prior", values)


def test_a_prior_on_googles_full_files_takes_at_most_its_cap_of_each_objects_real_drawings(tmp_path):
    from argparse import Namespace

    from training.train_decoder import VALID_PER_TRAIN, prepare

    rng = np.random.default_rng(8)
    write_ndjson(tmp_path / "zigzag.ndjson", "zigzag", [lines(rng) for _ in range(400)])
    write_ndjson(tmp_path / "line.ndjson", "line", [lines(rng, 1, 3) for _ in range(30)])
    args = Namespace(objects="all", data_dir=tmp_path, pretrained_dir=tmp_path / "none", max_len=200,
                     google_drawings=0, google_completions=0, real_copies=1, real_per_object=16)
    capped = prepare("prior", args)
    everything = prepare("prior", Namespace(**{**vars(args), "real_per_object": 0}))
    assert capped["counts"]["real_train"] == 32 < everything["counts"]["real_train"]  # 16 of each object
    assert capped["counts"]["real_valid"] == 2 * (16 // VALID_PER_TRAIN) < everything["counts"]["real_valid"]
    assert capped["counts"]["real_test"] == everything["counts"]["real_test"]  # the test split is never cut
