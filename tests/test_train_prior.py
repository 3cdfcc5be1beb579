"""The generic sketch prior (issue 51, ``training.train_prior``): one decoder that learns from every object's real
drawings and every Google decoder's drawings, exported where the app does not serve it as an object."""

import numpy as np
import pytest

from app.engine.decoder import load_decoder, prime, sample
from tests.conftest import small_google_decoder, write_gen_json, write_ndjson
from training import recipe


def lines(rng, strokes=2, points=5):
    return [[np.sort(rng.integers(0, 255, points)).tolist(), rng.integers(0, 255, points).tolist()]
            for _ in range(strokes)]


@pytest.mark.slow
def test_the_prior_learns_from_every_object_and_every_googles_decoder(tmp_path):
    from app.engine.registry import Registry
    from training.train_prior import main

    rng = np.random.default_rng(5)
    data_dir, pretrained, models = tmp_path / "data", tmp_path / "pretrained", tmp_path / "models"
    data_dir.mkdir()
    pretrained.mkdir()
    write_ndjson(data_dir / "zigzag.ndjson", "zigzag", [lines(rng) for _ in range(30)])
    write_ndjson(data_dir / "hot air balloon.ndjson", "hot air balloon", [lines(rng, 1, 8) for _ in range(30)])
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


def test_a_prior_recipe_names_its_objects_and_other_recipes_do_not():
    assert recipe.load("prior")["objects"] == "all"
    assert "objects" not in recipe.load("careful")
