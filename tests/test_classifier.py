"""The classifier: loads its self-describing files, guesses the top 3 over the API, and (with ../shared)
the shipped classifier recognises real drawings it never saw."""

import json
from pathlib import Path

import numpy as np
import pytest

from tests.test_api import CANVAS, CAT_SO_FAR, post

ROOT = Path(__file__).resolve().parents[1]
TINY_CLASSES = ["cat", "pig", "bicycle", "owl"]


def make_tiny_classifier(directory: Path) -> Path:
    """A random 4-class CNN saved the way training/train_classifier.py saves the real one."""
    import keras

    from training.train_classifier import make_model

    keras.utils.set_random_seed(0)
    model = make_model(len(TINY_CLASSES), width=8)
    model.save(directory / "classifier.keras")
    card = {"format": "doodle-buddy-classifier", "format_version": 1, "classes": TINY_CLASSES}
    (directory / "classifier.json").write_text(json.dumps(card))
    return directory


@pytest.fixture(scope="module")
def classifier_client(tmp_path_factory, model_dir):
    """An app whose first model directory has a tiny classifier (decoders from the tiny model_dir)."""
    from app import create_app

    directory = make_tiny_classifier(tmp_path_factory.mktemp("classifier"))
    app = create_app({"MODEL_DIRS": [str(directory), str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False,
                      "TESTING": True})
    return app.test_client()


def test_the_loaded_classifier_gives_the_saved_models_probabilities(tmp_path):
    import keras

    from app.engine.classifier import Classifier

    make_tiny_classifier(tmp_path)
    classifier = Classifier.load(tmp_path)
    model = keras.saving.load_model(tmp_path / "classifier.keras")
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28)).astype(np.uint8)
    x = images[..., None].astype(np.float32)
    expected = (model.predict(x, verbose=0) + model.predict(x[:, :, ::-1], verbose=0)) / 2  # render + mirror image
    np.testing.assert_allclose(classifier.probabilities(images), expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(expected, model.predict(x, verbose=0), atol=1e-4)  # the mirror image counts


def test_a_guess_looks_at_the_drawing_and_its_mirror_image_each_moved_a_pixel_four_ways(tmp_path):
    import keras

    from app.engine.classifier import GUESS_VIEWS, Classifier

    make_tiny_classifier(tmp_path)
    classifier = Classifier.load(tmp_path)
    model = keras.saving.load_model(tmp_path / "classifier.keras")
    images = np.zeros((2, 28, 28), np.uint8)
    images[:, 8:20, 6:12] = 255  # a bar left of the middle, away from the edges
    images[1, 4:8, 14:24] = 200
    x = images[..., None].astype(np.float32)
    looks = [np.roll(v, shift, axis=(1, 2)) for v in (x, x[:, :, ::-1])
             for shift in ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0))]
    expected = np.mean([model.predict(look, verbose=0) for look in looks], axis=0)
    assert GUESS_VIEWS == len(looks)
    np.testing.assert_allclose(classifier.guess_probabilities(images), expected, rtol=1e-5, atol=1e-6)
    # a drawing and its mirror image are the same ten looks: the same guess, whichever way it faces
    np.testing.assert_allclose(classifier.guess_probabilities(images[:, :, ::-1]), expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(expected, classifier.probabilities(images), atol=1e-4)  # the moved looks count


def test_judging_many_drawings_at_once_gives_each_the_probabilities_it_gets_alone(tmp_path):
    from app.engine.classifier import Classifier, classify_bucket

    make_tiny_classifier(tmp_path)
    classifier = Classifier.load(tmp_path)
    images = np.random.default_rng(1).integers(0, 256, (24, 28, 28)).astype(np.uint8)
    assert [classify_bucket(n) for n in (0, 1, 3, 17, 24, 25, 48, 64, 65)] == [1, 1, 4, 24, 24, 32, 48, 64, 128]
    together = classifier.probabilities_padded(images, mirror=False)  # a hint's judged strokes: 24 rows, no padding
    alone = np.concatenate([classifier.probabilities_padded(image[None], mirror=False) for image in images])
    assert together.shape == (24, len(TINY_CLASSES))
    np.testing.assert_allclose(together, alone, rtol=1e-4, atol=1e-6)


@pytest.mark.slow
def test_a_trained_classifier_is_saved_without_its_optimizer_and_predicts_the_same(tmp_path):
    import zipfile

    import h5py
    import keras

    from training.train_classifier import make_model, save_for_serving

    keras.utils.set_random_seed(0)
    model = make_model(len(TINY_CLASSES), width=8)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    images = np.random.default_rng(1).integers(0, 256, (32, 28, 28, 1)).astype(np.float32)
    model.fit(images, np.arange(32) % len(TINY_CLASSES), epochs=1, verbose=0)
    save_for_serving(model, tmp_path / "classifier.keras")
    with zipfile.ZipFile(tmp_path / "classifier.keras") as archive:
        archive.extract("model.weights.h5", tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as weights:
        assert "optimizer" not in weights and "layers" in weights
    loaded = keras.saving.load_model(tmp_path / "classifier.keras", compile=False)
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0), rtol=1e-5,
                               atol=1e-6)


def test_a_card_that_does_not_match_the_model_is_refused(tmp_path):
    from app.engine.classifier import Classifier

    make_tiny_classifier(tmp_path)
    (tmp_path / "classifier.json").write_text(json.dumps({"format": "doodle-buddy-classifier",
                                                          "classes": ["cat", "pig"]}))
    with pytest.raises(ValueError, match="outputs"):
        Classifier.load(tmp_path)


def test_classify_answers_the_top_three_guesses(classifier_client):
    r = post(classifier_client, "/api/classify", {"strokes": CAT_SO_FAR, "canvas": CANVAS})
    assert r.status_code == 200
    guesses = r.json["guesses"]
    assert len(guesses) == 3
    assert {g["class"] for g in guesses} <= set(TINY_CLASSES)
    probabilities = [g["probability"] for g in guesses]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0001
    assert all(g["label"] and g["icon"] for g in guesses)


def test_classify_of_an_empty_drawing_has_no_guesses(classifier_client):
    r = post(classifier_client, "/api/classify", {"strokes": [], "canvas": CANVAS})
    assert r.status_code == 200 and r.json["guesses"] == []


@pytest.mark.shared
@pytest.mark.slow
def test_the_shipped_classifier_recognises_real_drawings_it_never_saw():
    from app.engine.classifier import Classifier
    from app.engine.strokes import stroke3_to_lines
    from tests.conftest import need
    from training.data import QUICKDRAW_DIR, real_drawings

    need(QUICKDRAW_DIR)
    classifier = Classifier.load(ROOT / "models")
    hits = {}
    for name in ("cat", "bicycle", "owl"):
        test = real_drawings(name)["test"][:60]
        top3 = [classifier.classify(stroke3_to_lines(d), 255, 255) for d in test]
        hits[name] = np.mean([name in [g for g, _ in guesses] for guesses in top3])
    assert min(hits.values()) >= 0.8, hits


ANGLES = np.linspace(0, 2 * np.pi, 12)  # the points of a fixture circle


def write_fixture_objects(tmp_path, names=("circle", "zigzag")):
    """ndjson files of 50 drawings per object (circles, zigzags or squares of random size) and a placeholder
    decoder naming each object; returns (data_dir, pretrained_dir)."""
    rng = np.random.default_rng(2)
    data_dir, pretrained_dir = tmp_path / "data", tmp_path / "pretrained"
    data_dir.mkdir()
    pretrained_dir.mkdir()
    for name in names:
        (pretrained_dir / f"{name}.gen.json").write_text("{}")  # names the class; --google-drawings 0 never reads it
        with open(data_dir / f"{name}.ndjson", "w") as fh:
            for i in range(50):
                r = rng.uniform(50, 120)
                if name == "circle":
                    xs, ys = 128 + r * np.cos(ANGLES), 128 + r * np.sin(ANGLES)
                elif name == "zigzag":
                    xs, ys = np.linspace(128 - r, 128 + r, 12), 128 + r / 3 * (-1) ** np.arange(12)
                else:
                    xs, ys = 128 + r * np.array([-1, 1, 1, -1, -1]), 128 + r * np.array([-1, -1, 1, 1, -1])
                fh.write(json.dumps({"word": name, "key_id": f"{name}{i}", "recognized": True,
                                     "drawing": [[xs.round().tolist(), ys.round().tolist()]]}) + "\n")
    return data_dir, pretrained_dir


def tiny_run(tmp_path, data_dir, pretrained_dir) -> list[str]:
    """The trainer's options for a seconds-long run on fixture objects, its files under ``tmp_path``."""
    return ["--google-drawings", "0", "--copies", "1", "--width", "4", "--batch-size", "16",
            "--data-dir", str(data_dir),
            "--pretrained-dir", str(pretrained_dir), "--bitmaps-dir", str(tmp_path / "no-bitmaps"),
            "--runs-dir", str(tmp_path / "runs"), "--cache-dir", str(tmp_path / "cache")]


@pytest.mark.slow
def test_a_training_run_exports_a_classifier_the_app_loads_with_its_card_and_command(tmp_path):
    from app.engine.classifier import Classifier
    from training.evaluate import classifier_commands
    from training.train_classifier import main, schedule_sentence

    data_dir, pretrained_dir = write_fixture_objects(tmp_path)
    main([*tiny_run(tmp_path, data_dir, pretrained_dir), "--epochs", "2", "--schedule", "cosine", "--lr", "0.002",
          "--out", str(tmp_path / "models")])

    classifier = Classifier.load(tmp_path / "models")
    card = classifier.card
    assert classifier.names == ["circle", "zigzag"] and card["training"]["epochs_run"] == 2
    real = sum(card["data"]["circle"][split] for split in ("real_train", "real_valid", "real_test"))
    assert real == 50 and card["data"]["circle"]["google_train"] == 0
    assert card["test_real"]["n"] == card["data"]["circle"]["real_test"] + card["data"]["zigzag"]["real_test"]
    assert card["hyper_parameters"]["schedule"] == "cosine"
    assert schedule_sentence(card["hyper_parameters"]) == (
        "Learning rate: a one-epoch warm-up to 0.002, then a cosine decay to 0 over 2 epochs.")
    assert classifier_commands(classifier) == [
        "python -m training.train_classifier --epochs 2 --google-drawings 0 --copies 1 --width 4 --batch-size 16 "
        "--schedule cosine --lr 0.002"]
    circle = [[[128 + 80 * np.cos(a), 128 + 80 * np.sin(a)] for a in ANGLES]]
    assert {name for name, _ in classifier.classify(circle, 255, 255, top=2)} == {"circle", "zigzag"}


@pytest.mark.slow
def test_a_study_trains_on_the_chosen_objects_only_and_its_card_says_so(tmp_path):
    from app.engine.classifier import Classifier
    from training.evaluate import classifier_commands
    from training.train_classifier import main

    data_dir, pretrained_dir = write_fixture_objects(tmp_path, ("circle", "square", "zigzag"))
    common = [*tiny_run(tmp_path, data_dir, pretrained_dir), "--epochs", "1"]
    with pytest.raises(SystemExit):
        main([*common, "--classes", "circle", "unicorn"])

    main([*common, "--classes", "zigzag", "circle"])  # no --out: the study exports into its run folder
    [run_dir] = (tmp_path / "runs").iterdir()
    classifier = Classifier.load(run_dir)
    assert classifier.names == ["circle", "zigzag"] and set(classifier.card["data"]) == {"circle", "zigzag"}
    assert classifier_commands(classifier) == [
        "python -m training.train_classifier --epochs 1 --google-drawings 0 --copies 1 --width 4 --batch-size 16 "
        "--classes circle zigzag"]


@pytest.mark.slow
def test_objects_without_a_decoder_are_learnt_as_extra_outputs_that_the_exported_classifier_drops(tmp_path):
    from app.engine.classifier import Classifier
    from training.data import real_drawings
    from training.evaluate import classifier_commands, model_card
    from training.train_classifier import main

    data_dir, pretrained_dir = write_fixture_objects(tmp_path, ("circle", "square", "zigzag"))
    (pretrained_dir / "zigzag.gen.json").unlink()  # zigzags: real drawings, no decoder
    main([*tiny_run(tmp_path, data_dir, pretrained_dir), "--epochs", "1", "--other-objects",
          "--out", str(tmp_path / "models")])

    classifier = Classifier.load(tmp_path / "models")
    assert classifier.names == ["circle", "square"] and classifier.model.output_shape == (None, 2)
    zigzags = len(real_drawings("zigzag", data_dir)["train"])
    assert classifier.card["other_objects"] == {"objects": 1, "real_train": zigzags}
    assert classifier.card["hyper_parameters"]["other_objects"] is True
    assert classifier_commands(classifier) == [
        "python -m training.train_classifier --epochs 1 --google-drawings 0 --copies 1 --width 4 --batch-size 16 "
        "--other-objects"]
    card = model_card({"decoders": [], "classifier": classifier.card, "commands": classifier_commands(classifier)})
    assert (f"the real drawings (train split) of 1 other Quick, Draw! objects without a decoder ({zigzags} drawings)"
            in card)


@pytest.mark.slow
def test_a_classifier_started_from_the_shipped_one_keeps_its_units_and_learns_the_new_object(tmp_path):
    """--init-from: a new object joins without training the rest from scratch. Before any training the started
    model scores the objects it knew exactly as the old one did; after it, it knows the new object, and the card and
    its reproduce commands keep the recipe of the classifier it started from."""
    import keras

    from app.engine.classifier import Classifier
    from training.evaluate import classifier_commands
    from training.train_classifier import init_from, main, make_model

    data_dir, pretrained_dir = write_fixture_objects(tmp_path, ("circle", "square", "zigzag"))
    (pretrained_dir / "square.gen.json").unlink()  # the old classifier knew circles and zigzags only
    main([*tiny_run(tmp_path, data_dir, pretrained_dir), "--epochs", "1", "--out", str(tmp_path / "old")])
    old = Classifier.load(tmp_path / "old")
    started = make_model(3, width=4)
    card = init_from(started, tmp_path / "old", ["circle", "square", "zigzag"], width=4)
    assert card["classes"] == ["circle", "zigzag"]
    images = np.random.default_rng(0).uniform(0, 255, (5, 28, 28, 1)).astype(np.float32)
    logits = [keras.Model(m.inputs, m.layers[-1].input) for m in (old.model, started)]  # before the softmax
    hidden_old, hidden_new = (m.predict(images, verbose=0) for m in logits)
    np.testing.assert_allclose(hidden_new, hidden_old, rtol=1e-5, atol=1e-5)
    w_old, w_new = old.model.get_weights()[-2], started.get_weights()[-2]
    np.testing.assert_array_equal(w_new[:, [0, 2]], w_old)

    (pretrained_dir / "square.gen.json").write_text("{}")  # square joins
    main([*tiny_run(tmp_path, data_dir, pretrained_dir), "--epochs", "1", "--init-from", str(tmp_path / "old"),
          "--out", str(tmp_path / "new")])
    new = Classifier.load(tmp_path / "new")
    assert new.names == ["circle", "square", "zigzag"]
    assert new.card["initialised_from"]["classes"] == ["circle", "zigzag"]
    assert classifier_commands(new) == [
        "python -m training.train_classifier --epochs 1 --google-drawings 0 --copies 1 --width 4 --batch-size 16",
        "python -m training.train_classifier --epochs 1 --google-drawings 0 --copies 1 --width 4 --batch-size 16 "
        f"--init-from {tmp_path / 'old'}"]
    with pytest.raises(SystemExit):
        init_from(make_model(3, width=8), tmp_path / "old", ["circle", "square", "zigzag"], width=8)


def test_dropping_outputs_renormalises_the_probabilities_over_the_objects_kept():
    from training.train_classifier import keep_outputs, make_model

    full = make_model(5, width=4)
    images = np.random.default_rng(0).uniform(0, 255, (6, 28, 28, 1)).astype(np.float32)
    probs = full.predict(images, verbose=0)
    kept = keep_outputs(full, 3, width=4).predict(images, verbose=0)
    np.testing.assert_allclose(kept, probs[:, :3] / probs[:, :3].sum(axis=1, keepdims=True), rtol=1e-4, atol=1e-6)


def test_the_card_says_how_the_learning_rate_moved_or_nothing_for_an_older_card():
    from training.train_classifier import PLATEAU, schedule_sentence

    plateau = {"schedule": "plateau", "learning_rate": 0.001, "epochs_max": 30}
    assert schedule_sentence(plateau) == (
        f"Learning rate: 0.001, cut {PLATEAU['factor']}× after {PLATEAU['patience']} epochs "
        "without a better valid loss.")
    assert schedule_sentence({"learning_rate": 0.001}) == ""


@pytest.mark.slow
def test_more_real_drawings_as_bitmaps_join_the_train_split_only_and_the_card_says_so(tmp_path):
    from app.engine.classifier import Classifier
    from app.engine.render import render
    from training.evaluate import classifier_commands
    from training.train_classifier import main

    data_dir, pretrained_dir = write_fixture_objects(tmp_path)
    more = tmp_path / "more"
    more.mkdir()
    circles = np.stack([render([np.array([[128 + r * np.cos(a), 128 + r * np.sin(a)] for a in ANGLES])])
                        for r in (40, 60, 80, 100)]).reshape(4, 784)
    late = np.concatenate([np.zeros((4, 1), np.uint8), circles[:, :-1]], axis=1)  # two read a byte late
    np.save(more / "circle.npy", np.concatenate([circles[:2], late[2:]]))
    main([*tiny_run(tmp_path, data_dir, pretrained_dir), "--epochs", "1", "--bitmaps-more", str(more),
          "--out", str(tmp_path / "models")])
    card = Classifier.load(tmp_path / "models").card
    assert card["data"]["circle"]["bitmaps_train"] == 4 and card["data"]["zigzag"]["bitmaps_train"] == 0
    assert card["test_real"]["n"] == card["data"]["circle"]["real_test"] + card["data"]["zigzag"]["real_test"]
    assert classifier_commands(Classifier.load(tmp_path / "models"))[0].endswith(f"--bitmaps-more {more}")


@pytest.mark.slow
def test_a_judge_of_another_architecture_knows_objects_buddy_is_still_to_learn_from_their_real_drawings(tmp_path):
    """issue 51's judge: a ResNet, not the served CNN; squares have no decoder yet but are served outputs, learnt
    from their real drawings and their bitmaps (one file named alone), weighed up against the bigger objects."""
    from app.engine.classifier import Classifier
    from app.engine.render import render
    from training.evaluate import classifier_commands
    from training.train_classifier import main

    data_dir, pretrained_dir = write_fixture_objects(tmp_path, ("circle", "square", "zigzag"))
    (pretrained_dir / "square.gen.json").unlink()
    with pytest.raises(SystemExit):
        main([*tiny_run(tmp_path, data_dir, pretrained_dir), "--new-objects", "unicorn"])
    squares = np.stack([render([np.array([[128 - r, 128 - r], [128 + r, 128 - r], [128 + r, 128 + r],
                                          [128 - r, 128 + r], [128 - r, 128 - r]])]) for r in (40, 60, 80)])
    np.save(tmp_path / "square.npy", squares.reshape(3, 784))
    main([*tiny_run(tmp_path, data_dir, pretrained_dir), "--epochs", "1", "--architecture", "resnet",
          "--new-objects", "square", "--balance", "0.5", "--bitmaps-more", str(tmp_path / "square.npy"),
          "--out", str(tmp_path / "judge")])

    judge = Classifier.load(tmp_path / "judge")
    assert judge.names == ["circle", "square", "zigzag"] and judge.model.name == "doodle_judge"
    assert any(type(layer).__name__ == "Add" for layer in judge.model.layers)  # residual blocks
    assert judge.card["data"]["square"]["bitmaps_train"] == 3 and judge.card["data"]["square"]["google_train"] == 0
    assert classifier_commands(judge) == [
        "python -m training.train_classifier --epochs 1 --google-drawings 0 --copies 1 --width 4 --batch-size 16 "
        f"--bitmaps-more {tmp_path / 'square.npy'} --architecture resnet --new-objects square --balance 0.5"]
    with pytest.raises(SystemExit):  # a ResNet does not start a VGG-style classifier
        main([*tiny_run(tmp_path, data_dir, pretrained_dir), "--epochs", "1", "--init-from", str(tmp_path / "judge"),
              "--new-objects", "square", "--out", str(tmp_path / "other")])


def test_balancing_weighs_a_small_object_up_and_keeps_the_mean_weight_one():
    from training.train_classifier import class_weights

    labels = np.array([0] * 90 + [1] * 10)
    assert class_weights(labels, 0.0) is None
    flat = class_weights(labels, 1.0)
    assert flat[0] * 90 == pytest.approx(flat[1] * 10)  # every object weighs alike
    half = class_weights(labels, 0.5)
    assert half[1] / half[0] == pytest.approx(3.0)  # sqrt(90 / 10)
    assert (half[0] * 90 + half[1] * 10) / 100 == pytest.approx(1.0)


def test_dropping_outputs_of_the_judges_resnet_renormalises_too():
    from training.train_classifier import keep_outputs, make_model

    full = make_model(5, width=4, architecture="resnet")
    images = np.random.default_rng(0).uniform(0, 255, (6, 28, 28, 1)).astype(np.float32)
    probs = full.predict(images, verbose=0)
    kept = keep_outputs(full, 3, width=4, architecture="resnet").predict(images, verbose=0)
    np.testing.assert_allclose(kept, probs[:, :3] / probs[:, :3].sum(axis=1, keepdims=True), rtol=1e-4, atol=1e-6)


def test_comparing_two_classifiers_counts_the_drawings_each_gets_right_and_flags_an_object_that_got_worse():
    from training.studies.classifiers import compare, report

    names = ["cat", "dog"]
    labels = np.array([0] * 40 + [1] * 40)

    def probs(right: np.ndarray) -> np.ndarray:  # confident and right where ``right``, confident and wrong elsewhere
        out = np.zeros((len(labels), 2))
        out[np.arange(len(labels)), np.where(right, labels, 1 - labels)] = 1.0
        return out

    old_right = np.array([True] * 20 + [False] * 20 + [True] * 36 + [False] * 4)  # cats 50%, dogs 90%
    new_right = np.array([True] * 38 + [False] * 2 + [True] * 20 + [False] * 20)  # cats 95%, dogs 50%
    result = compare(probs(old_right), probs(new_right), labels, names)
    assert result["old"]["top1"] == 0.7 and result["new"]["top1"] == 0.725
    assert result["top1_difference"]["gained"] == 18 and result["top1_difference"]["lost"] == 16
    low, high = result["top1_difference"]["ci95"]
    assert low < 0.025 < high and low < 0 < high  # 2 drawings net of 80: no clear gain
    assert result["per_object"]["cat"]["new"] == 0.95 and not result["per_object"]["cat"]["worse_beyond_interval"]
    assert result["worse_beyond_interval"] == ["dog"]  # 90% -> 50%: far outside the old interval
    assert result["new"]["confusions"][0] == {"true": "dog", "guessed": "cat", "count": 20}
    assert "| dog | 40 |" in report(result)
    same = compare(probs(old_right), probs(old_right), labels, names)
    assert same["top1_difference"] == {"difference": 0.0, "ci95": [0.0, 0.0], "gained": 0, "lost": 0}
    assert same["worse_beyond_interval"] == []


def test_the_stroke_order_study_sees_the_ink_as_served_and_when_each_part_was_drawn():
    """issue 32's study: its first channel is the served render; the second is brighter where the child drew first."""
    from app.engine.render import render
    from training.studies.stroke_order import render_order

    # two strokes drawn top to bottom, of ten points each: a segment's time is its middle's
    first = np.stack([np.full(10, 10.0), np.linspace(10.0, 240.0, 10)], axis=1)
    last = first + [230.0, 0.0]
    channels = render_order([first, last])
    assert channels.shape == (28, 28, 3)
    assert np.abs(channels[..., 0].astype(int) - render([first, last]).astype(int)).max() <= 1
    left, right = channels[:, :14, 1], channels[:, 14:, 1]
    assert left.max() > 2 * right.max() > 0
    down = channels[:, :14, 2].max(axis=1)  # along the first stroke, drawn top to bottom
    assert down[6] > down[20] > 0
