"""Train the doodle classifier: a small CNN over the engine's own 28x28 renders, and export it to ``models/``.

    python -m training.train_classifier

Classes: every object with a Google decoder in ../shared/pretrained (45) plus any decoder shipped in
``models/``. Data per class: the real drawings of the fixed train split (``training.data.split_of``) and
``--google-drawings`` drawings sampled from Google's decoder; each drawing is rendered ``--copies`` times with a
random x/y scale (+-15%) by ``app.engine.render.render``, the function serving uses. Evaluation is on the real
test split, which no model of the project ever trains on. Renders are cached in ``training/cache/``.
With ``--other-objects`` the real drawings of the objects in ``--data-dir`` that have no decoder are learnt too,
as extra outputs that the exported model drops. With ``--new-objects`` objects that have no decoder yet are
served outputs, learnt from their real drawings (the judge of issue 51 knows them before Buddy draws them). With
``--bitmaps-more PATH...`` Google's own 28x28 bitmaps of real drawings (a folder of ``<object>.npy``, e.g.
../shared/data/quickdraw_bitmaps_more, or one ``<object>.npy`` file) join the train split as they are (realigned
first: ``training.studies.bitmaps.realign``, which also shows that our renders match them); the valid and test
splits stay the stroke data's own. ``--balance P`` weighs each object's training images by its count to the power
-P (0: every image alike; 1: every object alike). ``--architecture resnet`` trains a small ResNet instead of the
served VGG-style CNN (the independent judge: another architecture).

The exported model is ``models/classifier.keras`` (Keras' own format: architecture + weights; input
uint8-valued 28x28, the rescaling is inside the model) and ``models/classifier.json`` (classes, data counts,
metrics, provenance).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from app.engine.classifier import GUESS_VIEWS, views_average
from app.engine.render import SIDE, render
from app.engine.strokes import stroke3_to_lines
from training import fit_verbosity
from training.data import object_name, real_drawings, realign
from training.google_drawings import TEMPERATURES, google_drawings
from training.paths import BITMAPS_DIR, CACHE_DIR, PRETRAINED_DIR, QUICKDRAW_DIR, ROOT

JITTER = 0.15  # random x/y scale of the extra renders of a real drawing
SHIFT = 0.06  # random shift, a share of the side (inside the model, while training)
TURN = 0.04  # random turn, a share of a full circle (inside the model, while training)
OTHER_CAP = 2000  # --other-objects: at most this many real train drawings of each (Google's full files have 70,000)
PLATEAU = {"factor": 0.3, "patience": 2}  # --schedule plateau: the learning rate's cut and the epochs it waits


def class_names(pretrained_dir: Path = PRETRAINED_DIR, models_dir: Path = ROOT / "models") -> list[str]:
    """Objects with a Google decoder, plus objects with a shipped decoder, sorted."""
    names = {p.name[: -len(".gen.json")] for p in Path(pretrained_dir).glob("*.gen.json")}
    names |= {p.stem for p in Path(models_dir).glob("*.npz")}
    return sorted(names)


def bitmap_files(paths) -> dict[str, Path]:
    """Object -> its bitmaps file, from ``--bitmaps-more``'s folders (every ``<object>.npy`` in them) and files."""
    found: dict[str, Path] = {}
    for path in map(Path, paths or ()):
        for f in sorted(path.glob("*.npy")) if path.is_dir() else [path]:
            if f.stem in found:
                raise SystemExit(f"--bitmaps-more: {f.stem} twice ({found[f.stem]} and {f})")
            found[f.stem] = f
    return found


def bitmaps_key(paths) -> str:
    """The cache key's part for ``--bitmaps-more`` (one folder keeps the key it had before several were allowed)."""
    return hashlib.sha1("\n".join(str(Path(p).resolve()) for p in paths).encode()).hexdigest()[:6]


def other_objects(data_dir: Path, names: list[str]) -> list[str]:
    """Objects with real drawings in ``data_dir`` (``<name>.ndjson`` or ``<name>.npz``) but not among ``names``,
    sorted: Quick, Draw! has 345, the decoders cover 45."""
    return sorted(data_objects(data_dir) - set(names))


def data_objects(data_dir: Path) -> set[str]:
    """The objects with real drawings in ``data_dir`` (``<name>.ndjson`` or ``<name>.npz``)."""
    return {object_name(p.stem) for pattern in ("*.ndjson", "*.npz") for p in Path(data_dir).glob(pattern)}


def render_many(drawings, rng, copies: int, jitter: float = JITTER, renderer=render) -> np.ndarray:
    """Render stroke-3 drawings (each ``copies`` times; copies beyond the first get a random x/y scale) with
    ``renderer`` (lines -> one uint8 render: ``app.engine.render.render``'s (28, 28), or a study's with channels)."""
    out = []
    for d in drawings:
        for k in range(copies):
            d3 = np.asarray(d, np.float64).copy()
            if k:
                d3[:, :2] *= rng.uniform(1 - jitter, 1 + jitter, size=2)
            out.append(renderer(stroke3_to_lines(d3)))
    return np.asarray(out, np.uint8).reshape(-1, *renderer([]).shape)


def build_data(names, args, others=()) -> dict:
    """Rendered train / valid / test sets and per-class counts (cached by the arguments that shape them).

    ``others``: objects learnt as extra outputs from the train split of their real drawings (at most
    ``OTHER_CAP`` each, one render each); their labels follow the served objects' and their counts are not in
    ``counts``.
    """
    others = list(others)
    more = getattr(args, "bitmaps_more", None) or []
    bitmaps_of = bitmap_files(more)
    key = (f"classifier-{len(names)}-{args.google_drawings}-{args.copies}-{args.seed}"
           + (f"-o{len(others)}" if others else "")
           + (f"-m{bitmaps_key(more)}" if more else ""))
    path = Path(args.cache_dir) / f"{key}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            cached = {k: data[k] for k in data.files}
        if list(cached["names"]) == names and list(cached.get("others", [])) == others:
            return cached
    rng = np.random.default_rng(args.seed)
    parts = {split: ([], []) for split in ("train", "valid", "test")}
    counts = np.zeros((len(names), 5), np.int64)  # real train, Google's train, real valid, real test, bitmaps train
    for label, name in enumerate(names):
        started = time.time()
        real = real_drawings(name, args.data_dir)
        google = (google_drawings(name, args.google_drawings, pretrained_dir=args.pretrained_dir)
                   if (Path(args.pretrained_dir) / f"{name}.gen.json").exists() and args.google_drawings else [])
        train_images = [render_many(real["train"], rng, args.copies), render_many(google, rng, 1)]
        bitmaps = (realign(np.load(bitmaps_of[name])) if name in bitmaps_of
                   else np.zeros((0, SIDE, SIDE), np.uint8))
        train_images.append(bitmaps)
        for split, images in (("train", np.concatenate(train_images)),
                              ("valid", render_many(real["valid"], rng, 1)),
                              ("test", render_many(real["test"], rng, 1))):
            parts[split][0].append(images)
            parts[split][1].append(np.full(len(images), label, np.int64))
        counts[label] = [len(real["train"]), len(google), len(real["valid"]), len(real["test"]), len(bitmaps)]
        print(f"{name}: real {len(real['train'])}/{len(real['valid'])}/{len(real['test'])}, "
              f"Google's {len(google)} ({time.time() - started:.0f} s)", flush=True)
    for label, name in enumerate(others, start=len(names)):
        images = render_many(real_drawings(name, args.data_dir)["train"][:OTHER_CAP], rng, 1)
        parts["train"][0].append(images)
        parts["train"][1].append(np.full(len(images), label, np.int64))
    data = {"names": np.asarray(names), "counts": counts, "others": np.asarray(others, dtype=str)}
    for split, (images, labels) in parts.items():
        data[f"x_{split}"], data[f"y_{split}"] = np.concatenate(images), np.concatenate(labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **data)
    return data


ARCHITECTURES = ("vgg", "resnet")


def front() -> list:
    """The layers every architecture begins with: the rescaling and the training-time augmentation (mirror images,
    small shifts and turns), inside the model, so serving feeds the raw 0..255 render. No object here depends on
    which way it faces, so a mirrored drawing keeps its label."""
    from keras import layers

    return [layers.Rescaling(1.0 / 255), layers.RandomFlip("horizontal"),
            layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant"),
            layers.RandomRotation(TURN, fill_mode="constant")]


def make_model(num_classes: int, width: int = 32, channels: int = 1, architecture: str = "vgg"):
    """A small VGG-style CNN: conv-batchnorm-relu blocks of width w, 2w, 4w, 8w at 28, 14, 7 and 3 pixels, over
    28x28 renders of ``channels`` channels (the served model: 1, the ink; ``training.studies.stroke_order``: 3);
    ``architecture="resnet"``: ``make_resnet``'s instead."""
    import keras
    from keras import layers

    if architecture == "resnet":
        return make_resnet(num_classes, width, channels)
    if architecture != "vgg":
        raise ValueError(f"architecture {architecture!r}: one of {', '.join(ARCHITECTURES)}")

    def block(filters: int, convs: int) -> list:
        return [layer for _ in range(convs) for layer in (
            layers.Conv2D(filters, 3, padding="same", use_bias=False), layers.BatchNormalization(),
            layers.Activation("relu"))]

    return keras.Sequential([
        keras.Input((SIDE, SIDE, channels)),
        *front(),
        *block(width, 1), layers.MaxPooling2D(),
        *block(2 * width, 2), layers.MaxPooling2D(),
        *block(4 * width, 2), layers.MaxPooling2D(),
        *block(8 * width, 1),
        layers.GlobalAveragePooling2D(),
        layers.Dropout(0.3),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(num_classes, activation="softmax"),
    ], name="doodle_classifier")


def make_resnet(num_classes: int, width: int = 32, channels: int = 1):
    """A small ResNet, the independent judge's network (issue 51: not the served CNN's architecture): a 3x3 stem of
    width w, then three stages of two residual blocks (two 3x3 conv-batchnorm layers and a shortcut) of width w, 2w,
    4w at 28, 14 and 7 pixels (a stage's first block halves the side by a strided conv, its shortcut by 2x2 average
    pooling before a 1x1 conv, as ResNet-D: a 1x1 conv of stride 2 crashes TensorFlow's oneDNN kernels on this CPU
    now and then), global average pooling, dropout and one softmax layer; ``front``'s rescaling and augmentation
    first."""
    import keras
    from keras import layers

    def conv_bn(x, filters: int, size: int, strides: int = 1):
        x = layers.Conv2D(filters, size, strides=strides, padding="same", use_bias=False)(x)
        return layers.BatchNormalization()(x)

    inputs = keras.Input((SIDE, SIDE, channels))
    x = inputs
    for layer in front():
        x = layer(x)
    x = layers.Activation("relu")(conv_bn(x, width, 3))
    for stage, filters in enumerate((width, 2 * width, 4 * width)):
        for block in range(2):
            strides = 2 if stage and not block else 1
            y = conv_bn(layers.Activation("relu")(conv_bn(x, filters, 3, strides)), filters, 3)
            shortcut = x if strides == 1 else layers.AveragePooling2D(strides, padding="same")(x)
            shortcut = shortcut if shortcut.shape[-1] == filters else conv_bn(shortcut, filters, 1)
            x = layers.Activation("relu")(layers.Add()([y, shortcut]))
    x = layers.Dropout(0.3)(layers.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x), name="doodle_judge")


def keep_outputs(model, keep: int, width: int, architecture: str = "vgg"):
    """The same CNN answering only its first ``keep`` objects: the other objects' output units are dropped, so
    its softmax is the full model's probabilities renormalised over the kept objects."""
    kept = make_model(keep, width, architecture=architecture)
    weights = model.get_weights()
    weights[-2], weights[-1] = weights[-2][:, :keep], weights[-1][:keep]
    kept.set_weights(weights)
    return kept


def init_from(model, directory: Path, names: list[str], width: int, architecture: str = "vgg") -> dict:
    """Start ``model`` (objects ``names``) from the classifier in ``directory``: every layer's weights, and each
    object's output unit where that classifier knew the object; a new object's unit starts at random with the
    known units' mean bias. Returns that classifier's card (its objects, how it was trained)."""
    import keras

    card = json.loads((Path(directory) / "classifier.json").read_text())
    if card.get("hyper_parameters", {}).get("width", width) != width:
        raise SystemExit(f"--init-from: that classifier has width {card['hyper_parameters']['width']}, "
                         f"not --width {width}")
    if card.get("hyper_parameters", {}).get("architecture", "vgg") != architecture:
        raise SystemExit(f"--init-from: that classifier is a {card['hyper_parameters'].get('architecture', 'vgg')}, "
                         f"not --architecture {architecture}")
    old = keras.saving.load_model(Path(directory) / "classifier.keras", compile=False)
    weights, previous = model.get_weights(), old.get_weights()
    kernel, bias = weights[-2], weights[-1]
    known = [(k, card["classes"].index(name)) for k, name in enumerate(names) if name in card["classes"]]
    bias[:] = previous[-1].mean()
    for k, j in known:
        kernel[:, k], bias[k] = previous[-2][:, j], previous[-1][j]
    model.set_weights([*previous[:-2], kernel, bias])
    return card


def classify_split(classifier, split: str, data_dir: Path, names: list[str] | None = None):
    """A shipped-format classifier's guesses (its looks averaged, as /api/classify) for every real drawing of
    ``split`` of ``names`` (its own objects unless given), and each drawing's index in ``names``."""
    names = classifier.names if names is None else names
    images, labels = [], []
    for k, name in enumerate(names):
        rendered = render_many(real_drawings(name, data_dir)[split], None, copies=1)
        images.append(rendered)
        labels.append(np.full(len(rendered), k))
    return classifier.guess_probabilities(np.concatenate(images)), np.concatenate(labels)


def metrics(probs: np.ndarray, labels: np.ndarray, names: list[str]) -> dict:
    """Top-1 / top-3 accuracy, per class, and the most frequent confusion pairs."""
    order = np.argsort(-probs, axis=1)
    top1 = order[:, 0] == labels
    top3 = (order[:, :3] == labels[:, None]).any(axis=1)
    per_class = {}
    for k, name in enumerate(names):
        mask = labels == k
        if mask.any():
            per_class[name] = {"n": int(mask.sum()), "top1": round(float(top1[mask].mean()), 4),
                               "top3": round(float(top3[mask].mean()), 4)}
    pairs: dict[tuple[str, str], int] = {}
    for truth, guess in zip(labels[~top1], order[~top1, 0]):
        pairs[(names[truth], names[guess])] = pairs.get((names[truth], names[guess]), 0) + 1
    confusions = [{"true": t, "guessed": g, "count": c} for (t, g), c in sorted(pairs.items(), key=lambda kv: -kv[1])]
    return {"n": int(len(labels)), "top1": round(float(top1.mean()), 4), "top3": round(float(top3.mean()), 4),
            "per_class": per_class, "confusions": confusions[:40]}


def class_weights(labels: np.ndarray, balance: float) -> dict[int, float] | None:
    """``--balance P``: each label's weight, its count to the power -P, scaled so the mean weight over the training
    images is 1 (None for P = 0: every image alike)."""
    if not balance:
        return None
    counts = np.bincount(labels)
    raw = np.where(counts > 0, np.maximum(counts, 1).astype(np.float64) ** -balance, 0.0)
    scale = len(labels) / float((raw * counts).sum())
    return {k: float(raw[k] * scale) for k in range(len(counts))}


def save_for_serving(model, path: Path) -> None:
    """Save architecture + weights only: an uncompiled copy, so the file carries no optimizer state (a third of
    the size)."""
    copy = model.__class__.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    copy.save(path)


TEST_TIME = (f"probabilities averaged over {GUESS_VIEWS} looks: the render and its mirror image, each as drawn "
             "and moved one pixel left, right, up and down")


def predict(model, images: np.ndarray) -> np.ndarray:
    """The trained model's probabilities for renders, averaged over the looks /api/classify averages."""
    return views_average(lambda batch: model.predict(batch, verbose=0, batch_size=256), images)


def google_bitmap_check(model, names: list[str], bitmaps_dir: Path, trained: dict | None = None) -> dict:
    """Accuracy on Google's own 28x28 bitmaps for the classes that have them (cat, bicycle) - a sanity check
    that our renders match theirs (not for a file the model trained on: ``trained``, from ``bitmap_files``)."""
    out = {}
    trained_files = {Path(f).resolve() for f in (trained or {}).values()}
    for name in ("cat", "bicycle"):
        path = Path(bitmaps_dir) / f"{name}.npy"
        if name not in names or not path.exists() or path.resolve() in trained_files:
            continue
        x = np.load(path).reshape(-1, SIDE, SIDE, 1)[:1000].astype(np.float32)
        probs = predict(model, x)
        order = np.argsort(-probs, axis=1)
        k = names.index(name)
        out[name] = {"n": len(x), "top1": round(float((order[:, 0] == k).mean()), 4),
                     "top3": round(float((order[:, :3] == k).any(axis=1).mean()), 4)}
    return out


# the card's hyper-parameter -> the option that sets it (the reproduce command lists those off their default)
CARD_OPTIONS = {"epochs_max": "epochs", "google_drawings_per_class": "google_drawings", "copies": "copies",
                "width": "width", "batch_size": "batch_size", "seed": "seed", "schedule": "schedule",
                "learning_rate": "lr",
                "classes": "classes", "other_objects": "other_objects", "bitmaps_more": "bitmaps_more",
                "init_from": "init_from", "architecture": "architecture", "new_objects": "new_objects",
                "balance": "balance"}


def schedule_sentence(hyper: dict) -> str:
    """The card's sentence on the learning-rate schedule of a run (its ``hyper_parameters``); "" for a card that
    predates ``--schedule``."""
    if "schedule" not in hyper:
        return ""
    if hyper["schedule"] == "cosine":
        return (f"Learning rate: a one-epoch warm-up to {hyper['learning_rate']:g}, then a cosine decay to 0 over "
                f"{hyper['epochs_max']} epochs.")
    return (f"Learning rate: {hyper['learning_rate']:g}, cut {PLATEAU['factor']}× after {PLATEAU['patience']} epochs "
            "without a better valid loss.")


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m training.train_classifier``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--google-drawings", type=int, default=1500, help="drawings by Google's decoder per class")
    parser.add_argument("--copies", type=int, default=3, help="renders of each real training drawing")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--width", type=int, default=32, help="filters of the first conv block (then 2x, 4x, 8x)")
    parser.add_argument("--architecture", choices=ARCHITECTURES, default="vgg",
                        help="the served VGG-style CNN, or a small ResNet (the independent judge's)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--schedule", choices=("plateau", "cosine"), default="plateau",
                        help=f"learning rate: cut {PLATEAU['factor']}x after {PLATEAU['patience']} epochs without a "
                             "better valid loss, or a one-epoch warm-up to --lr then a cosine decay to 0 over --epochs")
    parser.add_argument("--lr", type=float, default=1e-3, help="(peak) learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--classes", nargs="+", metavar="OBJECT",
                        help="train on these objects only (a quick study of confusable ones); default: all of them")
    parser.add_argument("--new-objects", nargs="+", metavar="OBJECT",
                        help="objects without a decoder learnt as served outputs from their real drawings (a judge "
                             "for objects Buddy is still to learn)")
    parser.add_argument("--balance", type=float, default=0.0, metavar="P",
                        help="weigh each object's training images by its count to the power -P (0: none; 1: every "
                             "object weighs alike)")
    parser.add_argument("--other-objects", action="store_true",
                        help=f"also learn the real drawings (train split, at most {OTHER_CAP} each) of every object "
                             "in --data-dir that has no decoder, as extra outputs the exported model drops")
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--pretrained-dir", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--bitmaps-dir", type=Path, default=BITMAPS_DIR)
    parser.add_argument("--bitmaps-more", type=Path, nargs="+", metavar="PATH",
                        help="more real drawings as Google's bitmaps, added to the train split: folders of "
                             "<object>.npy or single <object>.npy files")
    parser.add_argument("--init-from", metavar="DIR",
                        help="start from the classifier in DIR (e.g. models, before a new object joins): its "
                             "weights, and its output units for the objects it knew; the card keeps its recipe")
    parser.add_argument("--out", type=Path,
                        help="where to export (default: models/, or the run's folder for a --classes study)")
    parser.add_argument("--runs-dir", type=Path, default=ROOT / "training" / "runs", help="checkpoints and logs")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="rendered data sets")
    return parser


def main(argv=None):
    """Build the data, train with early stopping and checkpoints (resumable), evaluate, export."""
    import keras

    parser = build_parser()
    args = parser.parse_args(argv)

    started = time.time()
    names = class_names(args.pretrained_dir, args.out or ROOT / "models")
    if args.new_objects:
        unknown = sorted(set(args.new_objects) - data_objects(args.data_dir))
        if unknown:
            parser.error(f"--new-objects: no real drawings of {', '.join(unknown)} in {args.data_dir}")
        names = sorted(set(names) | set(args.new_objects))
    others = other_objects(args.data_dir, names) if args.other_objects else []
    classes_tag = ""
    if args.classes:
        unknown = sorted(set(args.classes) - set(names))
        if unknown:
            parser.error(f"--classes: no decoder for {', '.join(unknown)} (known: {', '.join(names)})")
        names = sorted(set(args.classes))
        classes_tag = f"-{len(names)}of-{hashlib.sha1(' '.join(names).encode()).hexdigest()[:6]}"
    data = build_data(names, args, others)
    keras.utils.set_random_seed(args.seed)
    schedule_tag = "" if args.schedule == "plateau" and args.lr == 1e-3 else f"-{args.schedule}{args.lr:g}"
    run_dir = (Path(args.runs_dir) / f"classifier-w{args.width}-t{args.google_drawings}-c{args.copies}-s{args.seed}"
                                     f"{schedule_tag}{classes_tag}{f'-o{len(others)}' if others else ''}"
                                     f"{'-more' if args.bitmaps_more else ''}{'-init' if args.init_from else ''}"
                                     f"{'' if args.architecture == 'vgg' else '-' + args.architecture}"
                                     f"{f'-n{len(args.new_objects)}' if args.new_objects else ''}"
                                     f"{f'-b{args.balance:g}' if args.balance else ''}")
    run_dir.mkdir(parents=True, exist_ok=True)
    out = args.out or (run_dir if args.classes else ROOT / "models")  # a study never replaces the shipped model
    x_train, y_train = data["x_train"][..., None], data["y_train"]
    other_train = int((y_train >= len(names)).sum())  # the other objects' labels follow the served objects'
    if others:
        print(f"{len(others)} other objects: {other_train} real train drawings", flush=True)
    steps_per_epoch = -(-len(x_train) // args.batch_size)
    if args.schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(
            0.0, decay_steps=max(1, args.epochs - 1) * steps_per_epoch, warmup_target=args.lr,
            warmup_steps=steps_per_epoch)
        schedule_callbacks = []
    else:
        learning_rate = args.lr
        schedule_callbacks = [keras.callbacks.ReduceLROnPlateau(**PLATEAU),
                              keras.callbacks.EarlyStopping(patience=5)]
    model = make_model(len(names) + len(others), args.width, architecture=args.architecture)
    initial = (init_from(model, Path(args.init_from), names, args.width, args.architecture) if args.init_from
               else None)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(3, name="top3")])
    # the valid set: the real valid split (thin per class) - what the checkpoint and early stopping watch
    x_valid, y_valid = data["x_valid"][..., None], data["y_valid"]
    weights_file = run_dir / "best.weights.h5"
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, validation_data=(x_valid, y_valid),
              class_weight=class_weights(y_train, args.balance), shuffle=True, verbose=fit_verbosity(), callbacks=[
                  keras.callbacks.BackupAndRestore(str(run_dir / "backup"), delete_checkpoint=False),
                  keras.callbacks.ModelCheckpoint(str(weights_file), monitor="val_loss", save_best_only=True,
                                                  save_weights_only=True),
                  *schedule_callbacks,
                  keras.callbacks.CSVLogger(str(run_dir / "history.csv"), append=True)])
    model.load_weights(str(weights_file))
    if others:
        model = keep_outputs(model, len(names), args.width, args.architecture)
    test = metrics(predict(model, data["x_test"]), data["y_test"], names)
    counts = {name: dict(zip(("real_train", "google_train", "real_valid", "real_test", "bitmaps_train"),
                              map(int, row)))
              for name, row in zip(names, data["counts"])}
    card = {"format": "doodle-buddy-classifier", "format_version": 1, "classes": names,
            "input": {"side": SIDE, "renderer": "app.engine.render.render", "values": "0..255, 255 = ink"},
            "trained_by": "python -m training.train_classifier", "seconds_this_run": round(time.time() - started, 1),
            "hyper_parameters": {"google_drawings_per_class": args.google_drawings, "copies": args.copies,
                                 "width": args.width,
                                 "batch_size": args.batch_size, "epochs_max": args.epochs, "seed": args.seed,
                                 "schedule": args.schedule, "learning_rate": args.lr,
                                 "google_temperatures": list(TEMPERATURES),
                                 "augmentation": (f"horizontal mirror, shift {SHIFT:.0%}, turn {TURN}, "
                                                  f"x/y scale {JITTER:.0%}"),
                                 "test_time": TEST_TIME,
                                 **({"classes": names} if args.classes else {}),
                                 **({"other_objects": True} if others else {}),
                                 **({"bitmaps_more": [str(p) for p in args.bitmaps_more]} if args.bitmaps_more
                                    else {}),
                                 **({"init_from": str(args.init_from)} if args.init_from else {}),
                                 **({"architecture": args.architecture} if args.architecture != "vgg" else {}),
                                 **({"new_objects": sorted(args.new_objects)} if args.new_objects else {}),
                                 **({"balance": args.balance} if args.balance else {})},
            # the classifier this one started from: its objects and how it was made (its own recipe and figures)
            **({"initialised_from": {k: initial.get(k) for k in ("classes", "hyper_parameters", "training",
                                                                  "seconds_this_run", "test_real",
                                                                  "initialised_from")}} if initial else {}),
            "training": {"epochs_run": len((run_dir / "history.csv").read_text().splitlines()) - 1},
            "data": counts,
            **({"other_objects": {"objects": len(others), "real_train": other_train}} if others else {}),
            "test_real": test,
            "google_bitmaps": google_bitmap_check(model, names, args.bitmaps_dir, bitmap_files(args.bitmaps_more)),
            "license": "trained on Quick, Draw! data (CC BY 4.0) and drawings by Magenta's models (Apache 2.0)"}
    out.mkdir(parents=True, exist_ok=True)
    save_for_serving(model, out / "classifier.keras")
    (out / "classifier.json").write_text(json.dumps(card, indent=1) + "\n")
    print(f"classifier: {len(names)} classes, real test top-1 {test['top1']:.3f}, top-3 {test['top3']:.3f}, "
          f"google bitmaps {card['google_bitmaps']}; exported to {out}", flush=True)


if __name__ == "__main__":
    main()
