"""Train per-object sketch-rnn decoders on real + Google's drawings and export them to ``models/``.

    python -m training.train_decoder owl dog                      # the shipped recipe: training/recipes/careful.toml
    python -m training.train_decoder owl --recipe my.toml --epochs 10   # another recipe, one value overridden

Every option that shapes a decoder comes from a recipe file (``training.recipe``); the resolved recipe is stored in
the model file (meta ``recipe``) and names the run folder. The options (sketch-rnn's recipe, sized for 2 CPU cores):
- data: the object's real drawings (``training.data.real_drawings``: the fixed train split) plus
  ``--google-drawings`` drawings sampled from Google's pretrained decoder (``training.google_drawings``);
  drawings longer than ``--max-len`` steps are dropped, and so are drawings with a step longer than four boxes
  (``MAX_STEP``:
  at temperature 1 Google's decoder now and then samples a step of up to a million box units, which sets the scale);
  the scale factor is the std of the training offsets;
  ``--google-rdp 2`` simplifies Google's decoder's drawings as Quick, Draw!'s simplified data (and the app's
  input) are, so real and drawings by Google's decoder have one point density (``simplify_stroke3``);
  ``--google-completions N`` adds N drawings that begin as a real training drawing (its first strokes) and
  are finished by Google's decoder (``training.google_drawings.google_completions``): how to go on from a real
  beginning, which is what "Finish it" asks of a decoder (train only; the validation set stays as it was);
  ``--real-copies K`` weights the real drawings against Google's decoder's (K passes of them per epoch; 0: none);
- each epoch re-augments every drawing: random x/y scale (+-15%) and stroke augmentation (a point inside a
  stroke is merged into the next with probability 0.1), as sketch-rnn's ``random_scale_factor`` and
  ``augment_stroke_prob``;
- length bucketing: batches are cut from drawings of similar length, padded to a multiple of 32 steps, so
  little work is wasted on padding and only a few shapes are compiled;
- Adam (``--lr`` 2e-3, times 0.93 each epoch), gradient norm clipped at 1.0; the loss is the paper's L_R
  per step; a progress bar in a terminal, one line per epoch in a log file;
- checkpoints every epoch under ``training/runs/<name>-<recipe>-<digest of the values>/`` (``BackupAndRestore``):
  the same command resumes
  after an interruption; early stop on the validation loss (real valid split + held-out drawings by Google's decoder),
  the best epoch is exported. A finished object is skipped unless ``--force``, which continues from the last
  checkpoint; delete the object's run folder to start over.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from pathlib import Path

import numpy as np

from app.engine.decoder import Decoder, DecoderConfig, load_decoder, save_decoder
from app.engine.strokes import BOX, lines_to_stroke3, rdp, stroke3_to_lines, stroke3_to_stroke5
from training import fit_verbosity, recipe
from training.data import real_drawings
from training.fit_placement import placement_table
from training.google_drawings import google_completions, google_drawings
from training.keras_decoder import (
    build_conditional,
    build_model,
    build_vae,
    export_conditional,
    forced_inputs,
    import_weights,
    kl_annealing,
    reconstruction_loss,
    to_decoder,
)
from training.paths import CACHE_DIR, PRETRAINED_DIR, QUICKDRAW_DIR, ROOT, RUNS_DIR

BUCKET = 32  # sequences are padded to a multiple of this many steps
GOOGLE_VALID_SHARE = 0.05
VALID_PER_TRAIN = 8  # real_per_object N: at most N train and N / 8 valid drawings of each object
MAX_STEP = 4 * BOX  # box units: a step longer than four boxes is a blow-up of Google's decoder's mixture, not a drawing


def augment(stroke3: np.ndarray, rng: np.random.Generator, scale: float = 0.15, drop: float = 0.1,
            mirror: float = 0.0) -> np.ndarray:
    """Random x/y scaling, sketch-rnn's stroke augmentation (merge a mid-stroke point into the next), and with
    probability ``mirror`` the drawing's mirror image (left and right swapped)."""
    d = np.asarray(stroke3, np.float32).copy()
    d[:, :2] *= rng.uniform(1 - scale, 1 + scale, size=2).astype(np.float32)
    if mirror and rng.random() < mirror:
        d[:, 0] = -d[:, 0]
    if drop <= 0 or len(d) < 3:
        return d
    out = [d[0].copy()]
    for i in range(1, len(d)):
        prev_in_stroke = out[-1][2] == 0 and d[i - 1][2] == 0
        if d[i][2] == 0 and prev_in_stroke and len(out) > 1 and out[-2][2] == 0 and rng.random() < drop:
            out[-1][:2] += d[i][:2]  # merge this offset into the previous point: one fewer point in the line
            continue
        out.append(d[i].copy())
    return np.asarray(out, np.float32)


class Batches:
    """Length-bucketed, re-augmented batches of one epoch: (inputs (B, T, 5), targets+mask (B, T, 6))."""

    target_width = 6

    def __init__(self, drawings, scale_factor, batch_size, seed=0, augmented=True, mirror=0.0, labels=None):
        """drawings: stroke-3 arrays (box units); offsets are divided by ``scale_factor``; ``mirror``: the share of
        each epoch's drawings seen as their mirror image; ``labels``: each drawing's object index, for a
        class-conditional prior (its inputs are then (rows, object indices))."""
        self.drawings, self.scale_factor, self.batch_size = drawings, scale_factor, batch_size
        self.rng, self.augmented, self.mirror = np.random.default_rng(seed), augmented, mirror
        self.labels = None if labels is None else np.asarray(labels, np.int32)

    def epoch(self):
        """Yield the batches of one pass over the data, in random order."""
        items, batches = self._plan()
        for size, idx in batches:
            yield self.make(items, idx, size)

    def batch_count(self) -> int:
        """Batches in one pass of the unaugmented data (what validation runs), without building them."""
        return len(self._plan()[1])

    def _plan(self):
        """This pass's (augmented) drawings and its batches as (padded size, drawing indices)."""
        items = [augment(d, self.rng, mirror=self.mirror) if self.augmented else np.asarray(d, np.float32)
                 for d in self.drawings]
        order = self.rng.permutation(len(items)) if self.augmented else np.arange(len(items))
        by_bucket: dict[int, list[int]] = {}
        for i in order:
            by_bucket.setdefault(math.ceil((len(items[i]) + 1) / BUCKET) * BUCKET, []).append(i)
        batches = [(size, idx[k:k + self.batch_size]) for size, idx in by_bucket.items()
                   for k in range(0, len(idx), self.batch_size)]
        if self.augmented:
            batches = [batches[k] for k in self.rng.permutation(len(batches))]
        return items, batches

    def make(self, items, idx, size):
        """Pad the chosen drawings to ``size`` steps; the mask column marks real steps (points + end row)."""
        y = np.zeros((len(idx), size, 6), np.float32)
        for row, i in enumerate(idx):
            s5 = stroke3_to_stroke5(items[i], end=True).astype(np.float32)
            s5[:, :2] /= self.scale_factor
            y[row, :len(s5), :5] = s5
            y[row, :len(s5), 5] = 1.0
            y[row, len(s5):, 4] = 1.0  # padding reads as "ended", like sketch-rnn's
        if self.labels is not None:
            return (forced_inputs(y[..., :5]), self.labels[np.asarray(idx)]), y
        return forced_inputs(y[..., :5]), y


def dataset(batches: Batches, repeat: bool):
    """A tf.data pipeline over ``Batches`` with a dynamic time axis."""
    import tensorflow as tf

    def gen():
        while True:
            yield from batches.epoch()
            if not repeat:
                return

    rows = tf.TensorSpec((None, None, 5), tf.float32)
    spec = (rows if batches.labels is None else (rows, tf.TensorSpec((None,), tf.int32)),
            tf.TensorSpec((None, None, batches.target_width), tf.float32))
    return tf.data.Dataset.from_generator(gen, output_signature=spec).prefetch(2)


def objects_of(name: str, args) -> tuple[list[str], list[str]]:
    """The objects whose real drawings and whose Google decoder's drawings a model learns from: its own, or for a
    prior's recipe (``objects = "all"``) every object in the data folder and every decoder in the pretrained one."""
    if getattr(args, "objects", None) is None:
        return [name], [name]
    if args.objects != "all":
        raise SystemExit(f"{name}: objects = {args.objects!r}: a prior learns from \"all\" objects")
    real = sorted({p.name.split(".")[0] for p in Path(args.data_dir).glob("*.ndjson")}
                  | {p.stem for p in Path(args.data_dir).glob("*.npz")})
    google = sorted(p.name[:-len(".gen.json")] for p in Path(args.pretrained_dir).glob("*.gen.json"))
    return real, google


def prepare(name: str, args) -> dict:
    """Real + drawings by Google's decoder of one object (or of every object, for a prior), filtered by length,
    and the scale factor."""
    real_names, google_names = objects_of(name, args)

    def keep(ds):
        return [d for d in ds if 2 <= len(d) < args.max_len and np.abs(d[:, :2]).max() <= MAX_STEP]

    classes = sorted(set(real_names) | set(google_names))  # a class-conditional prior's objects, in index order
    index = {n: k for k, n in enumerate(classes)}
    real = {"train": [], "valid": [], "test": []}
    unfiltered_train = []  # the beginnings Google's decoder completes are cut from every real train drawing
    labels = {"real_train": [], "real_valid": [], "google_train": [], "google_valid": []}
    cap = getattr(args, "real_per_object", 0) or 0  # a prior's, for Google's full files (70,000 drawings an object)
    for object_name in real_names:
        for split, drawings in real_drawings(object_name, args.data_dir).items():
            if cap and split != "test":
                drawings = drawings[:cap if split == "train" else max(1, cap // VALID_PER_TRAIN)]
            unfiltered_train += drawings if split == "train" else []
            drawings = drawings if split == "test" else keep(drawings)
            real[split] += drawings
            if split != "test":
                labels[f"real_{split}"] += [index[object_name]] * len(drawings)
    google_train, google_valid, completions = [], [], []
    for object_name in google_names if args.google_drawings else []:
        google = google_drawings(object_name, args.google_drawings, pretrained_dir=args.pretrained_dir,
                                 cache_dir=args.cache_dir, temperatures=args.google_temperatures)
        if args.google_rdp:
            google = [simplify_stroke3(d, args.google_rdp) for d in google]
        n_valid = int(len(google) * GOOGLE_VALID_SHARE)
        for part, drawings in (("train", keep(google[n_valid:])), ("valid", keep(google[:n_valid]))):
            (google_train if part == "train" else google_valid).extend(drawings)
            labels[f"google_{part}"] += [index[object_name]] * len(drawings)
    if args.google_completions:
        completions = google_completions(name, unfiltered_train, args.google_completions,
                                         pretrained_dir=args.pretrained_dir, cache_dir=args.cache_dir)
        if args.google_rdp:
            completions = [simplify_stroke3(d, args.google_rdp) for d in completions]
    real_train = real["train"] if args.real_copies else []
    completions = keep(completions)
    train = real_train * args.real_copies + google_train + completions
    valid = real["valid"] + google_valid
    offsets = np.concatenate([d[:, :2] for d in train])
    counts = {"real_train": len(real_train), "google_train": len(google_train),
              "google_completions_train": len(completions),
              "real_valid": len(real["valid"]), "google_valid": len(google_valid),
              "real_test": len(real["test"])}
    out = {"train": train, "valid": valid, "scale_factor": float(np.std(offsets)), "counts": counts}
    if getattr(args, "objects", None) is not None:
        counts.update(real_objects=len(real_names), google_objects=len(google_names))
        out["classes"] = classes
        out["train_labels"] = (labels["real_train"] * args.real_copies if real_train else []) + labels["google_train"]
        out["valid_labels"] = labels["real_valid"] + labels["google_valid"]
    return out


def simplify_stroke3(stroke3: np.ndarray, epsilon: float) -> np.ndarray:
    """A stroke-3 drawing with every stroke simplified by Ramer-Douglas-Peucker (``epsilon`` box units).

    Google's decoders were trained on drawings about 2.8x larger than the 0..255 box before RDP, so their
    drawings, in box units, have about 1.7 times the points they keep after RDP 2.0, the tolerance of Quick,
    Draw!'s simplified data and of what the app feeds a decoder (canvas strokes, in box units). Simplifying
    Google's decoder's drawings the same way gives the student one point density.
    """
    lines = [rdp(line, epsilon) for line in stroke3_to_lines(stroke3)]
    return lines_to_stroke3(lines)


def vae_dataset(batches: Batches, repeat: bool):
    """``dataset`` with a sketch VAE encoder's input: ((the drawing's rows, zero-padded; the decoder's inputs),
    targets)."""
    return dataset(batches, repeat).map(lambda x, y: ((y[..., :5] * y[..., 5:6], x), y))


def train_one(name: str, args) -> Path | None:
    """Train (or resume) one object's decoder, or its sketch VAE when the recipe has a ``z_size``
    (``training.train_vae``), and export it; returns the exported file."""
    import keras

    out = Path(args.out) / f"{name}.npz"
    run_dir = Path(args.runs_dir) / recipe.run_name(name, args.recipe, args.resolved)
    done = run_dir / "done.json"
    if done.exists() and out.exists() and not args.force:
        print(f"{name}: already trained ({out}); --force retrains", flush=True)
        return out
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    data = prepare(name, args)
    print(f"{name}: {json.dumps(data['counts'])}, scale factor {data['scale_factor']:.2f}", flush=True)
    vae = bool(getattr(args, "z_size", 0))
    conditional = getattr(args, "class_embedding", 0) or 0
    config = DecoderConfig(num_units=args.units, **({"z_size": args.z_size, "enc_units": args.enc_units}
                                                    if vae else {}))
    keras.utils.set_random_seed(args.seed)
    if conditional and "classes" not in data:
        raise SystemExit(f"{name}: class_embedding = {conditional}: a class-conditional model is a prior's "
                         "(objects = \"all\")")
    model = (build_vae(config, f"vae_{name}", kl_min=args.kl_min, seed=args.seed) if vae
             else build_conditional(config, len(data["classes"]), conditional, name) if conditional
             else build_model(config, name))
    start = None  # the decoder whose weights this model starts from (a resumed run's checkpoint replaces them)
    if vae and args.init_decoder:
        start = start_from(model, config, Path(args.decoder_dir) / f"{name}.npz", f"{name}: --init-decoder",
                           "train it first, or --no-init-decoder")
    if fine_tune(args):  # a fine-tune: the prior's weights, and its scale factor, which they need
        path = Path(args.init_from) if Path(args.init_from).is_absolute() else ROOT / args.init_from
        start = start_from(model, config, path, f"{name}: init_from", "python -m training.train_prior makes the prior",
                           name)
        data["scale_factor"] = start.scale_factor
    steps = math.ceil(len(data["train"]) / args.batch_size)  # batches per epoch (roughly: buckets add a few)
    schedule = keras.optimizers.schedules.ExponentialDecay(args.lr, decay_steps=steps, decay_rate=0.93)
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0), loss=reconstruction_loss,
                  jit_compile=args.jit)
    feed = vae_dataset if vae else dataset
    train = feed(Batches(data["train"], data["scale_factor"], args.batch_size, args.seed,
                         mirror=getattr(args, "mirror", 0.0) or 0.0,
                         labels=data["train_labels"] if conditional else None), repeat=True)
    valid_batches = Batches(data["valid"], data["scale_factor"], args.batch_size, augmented=False,
                            labels=data["valid_labels"] if conditional else None)
    valid = feed(valid_batches, repeat=True)
    best = run_dir / "best.weights.h5"
    callbacks = [*([kl_annealing(args.kl_weight, args.kl_weight_start, args.kl_decay)] if vae else []),
                 keras.callbacks.BackupAndRestore(str(run_dir / "backup"), delete_checkpoint=False),
                 keras.callbacks.ModelCheckpoint(str(best), save_best_only=True, save_weights_only=True),
                 keras.callbacks.EarlyStopping(patience=args.patience),
                 keras.callbacks.CSVLogger(str(run_dir / "history.csv"), append=True)]
    history = model.fit(train, steps_per_epoch=steps, epochs=args.epochs, validation_data=valid,
                        validation_steps=valid_batches.batch_count(),
                        callbacks=callbacks, verbose=fit_verbosity(), shuffle=False)
    model.load_weights(str(best))
    log = _read_history(run_dir / "history.csv")
    prior = getattr(args, "objects", None) is not None
    meta = {"source": "doodle-buddy", "license": "CC-BY-4.0 data; Apache-2.0 Google's decoder",
            "trained_by": f"python -m training.{'train_vae' if vae else 'train_prior' if prior else 'train_decoder'}",
            **({"kind": "sketch-vae"} if vae else {}), **({"kind": "sketch-prior"} if prior else {}),
            "google_decoder": (f"google-magenta: every .gen.json in {Path(args.pretrained_dir).name}" if prior
                               else f"google-magenta {name}.gen.json"),
            "recipe": args.resolved, "recipe_file": Path(args.recipe).stem, "data": data["counts"],
            "training": {"epochs_run": len(log), "best_val_loss": min((r["val_loss"] for r in log), default=None),
                         "seconds_this_run": round(time.time() - started, 1)}}
    if fine_tune(args):
        meta["init_from"] = {"file": args.init_from, **({"class": name} if start.meta.get("class") else {}),
                             "recipe": start.meta.get("recipe"),
                             "data": start.meta.get("data"), "best_val_loss": start.meta.get("training", {}).get(
                                 "best_val_loss")}
    if not prior and not (Path(args.pretrained_dir) / f"{name}.gen.json").exists():
        meta["google_decoder"] = None  # none for this object: it learns from its real drawings alone
    if not prior:  # how big a child's whole drawing will be (app.engine.fitting); a prior is not one object
        meta["fit"] = placement_table(name, args.data_dir)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    if conditional:  # the mean object folded in; each object's shift from it beside (class_decoder)
        weights, shifts = export_conditional(model, config)
        meta["classes_file"] = f"{name}.classes.npz"
        np.savez_compressed(Path(args.out) / meta["classes_file"], classes=np.asarray(data["classes"]),
                            shifts=shifts.astype(np.float16))
        decoder = Decoder(name, config, float(data["scale_factor"]), int(args.max_len), weights, meta)
    else:
        decoder = to_decoder(model, config, name, data["scale_factor"], args.max_len, meta)
    save_decoder(decoder, out)
    done.write_text(json.dumps({"file": str(out), **meta}, indent=1))
    print(f"{name}: exported {out} ({out.stat().st_size / 1e6:.2f} MB) after {len(history.epoch)} epochs "
          f"this run, {time.time() - started:.0f} s", flush=True)
    return out


def fine_tune(args) -> bool:
    """Whether the recipe starts from a prior (``init_from``: a file; "none" trains the same recipe from scratch,
    the fine-tune's comparison)."""
    return getattr(args, "init_from", None) not in (None, "", recipe.NO_PRIOR)


def _own_embedding(prior_path: Path, prior: Decoder, name: str) -> Decoder | None:
    """A loaded class-conditional prior as ``name``'s decoder (its bias shift from ``<prior>.classes.npz`` added,
    meta "class"), or None when the prior never learnt ``name``."""
    with np.load(Path(prior_path).parent / prior.meta["classes_file"], allow_pickle=False) as table:
        classes, shifts = list(table["classes"]), table["shifts"].astype(np.float32)
    if name not in classes:
        return None
    weights = {**prior.weights, "lstm_bias": prior.weights["lstm_bias"] + shifts[classes.index(name)]}
    return dataclasses.replace(prior, name=name, weights=weights, meta={**prior.meta, "class": name})


def class_decoder(prior_path: Path, name: str) -> Decoder:
    """A class-conditional prior as one known object's decoder: its bias shift (``<prior>.classes.npz``) added."""
    prior = load_decoder(prior_path)
    if "classes_file" not in prior.meta:
        raise ValueError(f"{prior_path}: an unconditional prior has no objects of its own")
    own = _own_embedding(prior_path, prior, name)
    if own is None:
        raise ValueError(f"{prior_path}: {name} is not one of the prior's objects")
    return own


def prior_decoder(path: Path, name: str) -> Decoder:
    """The decoder in ``path`` as the start of ``name``: a class-conditional prior that learnt ``name`` with that
    object's own embedding (``class_decoder``, meta "class"), any other decoder as it is (a class-conditional
    prior's file alone holds the mean object's)."""
    start = load_decoder(path)
    return (_own_embedding(path, start, name) or start) if "classes_file" in start.meta else start


def start_from(model, config: DecoderConfig, path: Path, what: str, remedy: str, name: str | None = None):
    """Load the decoder at ``path`` into ``model`` (same LSTM width) and return it; a clear exit when it is
    missing or of another width. ``name``: a class-conditional prior starts it from that object's embedding
    (``prior_decoder``)."""
    if not path.exists():
        raise SystemExit(f"{what}, but there is no decoder {path} ({remedy})")
    start = prior_decoder(path, name) if name else load_decoder(path)
    if start.config.num_units != config.num_units:
        raise SystemExit(f"{what} needs a {config.num_units}-unit decoder, not {start.config.num_units} units ({path})")
    import_weights(model, start.weights, config)
    own = f", {name}'s own embedding" if start.meta.get("class") else ""
    print(f"{what}: starts from {path} (scale factor {start.scale_factor:.2f}{own})", flush=True)
    return start


def _read_history(path: Path) -> list[dict]:
    """The CSV log of every epoch (across resumed runs)."""
    import csv

    if not path.exists():
        return []
    with open(path) as fh:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def build_parser(description: str, default_recipe: str = recipe.DEFAULT_RECIPE) -> argparse.ArgumentParser:
    """The trainer's command line: the objects, a recipe and its options (None = the recipe's value), paths."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("names", nargs="+")
    parser.add_argument("--recipe", default=default_recipe, metavar="NAME|FILE",
                        help="a recipe in training/recipes/ (or a .toml file): every option below that is not "
                             "given comes from it (default: %(default)s)")
    # the recipe's options: None = the recipe's value
    parser.add_argument("--units", type=int)
    parser.add_argument("--google-drawings", type=int, help="drawings by Google's decoder per object (0: real only)")
    parser.add_argument("--google-rdp", type=float, metavar="EPS",
                        help="simplify drawings by Google's decoder by RDP with this tolerance in box units, as "
                             "Quick, Draw!'s simplified data (0: keep Google's decoder's own point density)")
    parser.add_argument("--google-temperatures", type=float, nargs="+", metavar="T",
                        help="temperatures Google's decoder samples at, in equal shares (lower: more careful drawings "
                             "to learn from)")
    parser.add_argument("--google-completions", type=int, metavar="N",
                        help="also train on N real beginnings (first strokes of a real training drawing) finished "
                             "by Google's decoder (0: none)")
    parser.add_argument("--real-copies", type=int, metavar="K",
                        help="each real training drawing appears K times per epoch (0: learn from Google's "
                             "decoder's drawings only; the validation set keeps the real valid split)")
    parser.add_argument("--init-from", metavar="FILE",
                        help="fine-tune: start from this prior's weights and scale factor (a fewshot recipe's; "
                             f"{recipe.NO_PRIOR}: the same recipe from scratch)")
    parser.add_argument("--mirror", type=float, metavar="P",
                        help="fine-tune: the share of drawings seen mirrored each epoch (0 for objects that a mirror "
                             "changes, e.g. letters or a clock)")
    parser.add_argument("--class-embedding", type=int, metavar="N",
                        help="a prior's: a learnt N-number embedding of the object read with every step (0: "
                             "unconditional)")
    parser.add_argument("--real-per-object", type=int, metavar="N",
                        help=f"a prior's: at most N real train drawings (N / {VALID_PER_TRAIN} valid) of each object, "
                             "for Google's full files (0: all)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--patience", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--max-len", type=int, help="drop drawings with this many steps or more")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--jit", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--pretrained-dir", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--out", type=Path, default=ROOT / "models")
    parser.add_argument("--decoder-dir", type=Path, default=ROOT / "models",
                        help="where a VAE's --init-decoder finds the object's decoder (<object>.npz)")
    parser.add_argument("--runs-dir", type=Path, default=RUNS_DIR, help="checkpoints and logs")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="drawings by Google's decoder made before")
    parser.add_argument("--force", action="store_true")
    return parser


def parse(parser: argparse.ArgumentParser, argv=None):
    """Parse and resolve the recipe: every recipe option set on the arguments (``args.resolved`` holds them)."""
    args = parser.parse_args(argv)
    try:
        args.resolved = recipe.resolve(args.recipe, vars(args))
    except (OSError, ValueError) as e:
        parser.error(f"--recipe {args.recipe}: {e}")
    vars(args).update(args.resolved)
    print(f"recipe {args.recipe}: {json.dumps(args.resolved)}", flush=True)
    return args


def main(argv=None):
    """Train each named object in turn."""
    args = parse(build_parser(__doc__.splitlines()[0]), argv)
    for name in args.names:
        train_one(name, args)


if __name__ == "__main__":
    main()
