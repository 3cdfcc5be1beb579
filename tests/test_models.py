"""The shipped models describe themselves, the model card matches them, and (with ../shared) a shipped decoder
is as good as Google's on real drawings it never saw."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine.decoder import load_decoder, load_gen_json, reconstruction_loss
from training import recipe

MODELS = Path(__file__).resolve().parents[1] / "models"
DECODERS = sorted(MODELS.glob("*.npz"))


def test_at_least_twelve_objects_ship_and_each_describes_itself():
    assert len(DECODERS) >= 12, [p.stem for p in DECODERS]
    for path in DECODERS:
        d = load_decoder(path)
        assert d.name == path.stem and d.meta["source"] == "doodle-buddy"
        assert d.scale_factor > 0 and d.max_seq_len > 0 and d.data_scale == 1.0
        assert {"real_train", "google_train"} <= set(d.meta["data"]) and d.meta["training"]["epochs_run"] >= 1
        assert recipe.normalised(d.meta["recipe"])  # the recipe that trained it, in today's keys
        # float16 weights: a 512-unit decoder (Google's width) is about 2.1 MB, against 3.0 MB for Google's JSON
        assert path.stat().st_size < 2_500_000
        with np.load(path) as raw:
            assert raw["lstm_w_hh"].dtype == np.float16


def test_the_manifest_and_model_card_match_the_files():
    manifest = json.loads((MODELS / "manifest.json").read_text())
    assert {d["file"]: d["bytes"] for d in manifest["decoders"]} == {p.name: p.stat().st_size for p in DECODERS}
    card = (MODELS / "README.md").read_text()
    for d in manifest["decoders"]:
        assert f"| {d['name']} |" in card and str(d["loss"]) in card
    assert "CC BY 4.0" in card and "Apache 2.0" in card
    classifier = json.loads((MODELS / "classifier.json").read_text())
    assert {p.stem for p in DECODERS} <= set(classifier["classes"])
    assert manifest["classifier"]["test_real"]["top1"] > 0.5
    study = MODELS / "units-study.json"
    if study.exists():  # the width trade-off is in the card as measured
        assert manifest["units_study"] == json.loads(study.read_text())
        assert manifest["units_study"]["command"] in card


@pytest.mark.shared
@pytest.mark.slow
def test_the_shipped_cat_is_within_ten_percent_of_googles_cat_on_real_test_cats():
    from tests.conftest import need
    from training.data import real_drawings
    from training.paths import PRETRAINED_DIR

    google = load_gen_json(need(PRETRAINED_DIR / "cat.gen.json"))
    ours = load_decoder(MODELS / "cat.npz")
    test = [d for d in real_drawings("cat")["test"] if len(d) < ours.max_seq_len][:150]
    ratio = reconstruction_loss(ours, test, box_units=True).mean() / reconstruction_loss(
        google, test, box_units=True).mean()
    assert ratio < 1.10, ratio
