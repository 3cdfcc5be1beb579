"""Decoder recipes as files: ``training/recipes/<name>.toml`` holds every option that shapes a decoder.

One source of truth (as nanoGPT's ``config/*.py``): ``train_decoder`` resolves the recipe file plus any option
given on the command line into one dictionary (``RECIPE_KEYS``), stores it in the model file (meta ``recipe``),
names the run folder after it (``run_name``) and the model card rebuilds the command that trained a decoder from
it (``command``). Adding an option is one key in the recipe files and one argparse line.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

from training.paths import RECIPES_DIR

DEFAULT_RECIPE = "careful"
DEFAULT_VAE_RECIPE = "vae"
DEFAULT_PRIOR_RECIPE = "prior"
# every option that shapes a decoder, in the order a command line gives them
RECIPE_KEYS = ("units", "epochs", "patience", "batch_size", "lr", "max_len", "seed", "google_drawings",
               "google_temperatures", "google_rdp", "google_completions", "real_copies")
# a sketch VAE's recipe (``training.train_vae``, e.g. recipes/vae.toml): the decoder's keys plus the VAE's
VAE_KEYS = RECIPE_KEYS + ("z_size", "enc_units", "kl_weight", "kl_weight_start", "kl_decay", "kl_min", "init_decoder")
# options whose experiments lost (training/NOTES.md says what each measured), with the value every shipped model
# was trained with: a stored recipe that names one at that value still loads (the key is dropped); at another,
# the model was made by an option that no longer exists, and its recipe cannot be rebuilt
RETIRED = {"teacher_box": False, "teacher_recognised": False, "completion_share": 1.0, "completion_augment": False,
           "distill": 0, "distill_weight": 1.0, "input_dropout": 0.0}
# keys renamed (issue 48.2: "teacher" is the person who makes a classroom; what the decoders learn from is Google's
# decoder): a recipe stored under the old name reads as the new one
RENAMED = {"teacher": "google_drawings", "teacher_temperatures": "google_temperatures", "teacher_rdp": "google_rdp",
           "teacher_completions": "google_completions"}
# the counts of a model's training data (meta "data"), renamed the same way: a file stored before reads as today's
DATA_RENAMED = {"teacher_train": "google_train", "teacher_valid": "google_valid",
                "teacher_completions_train": "google_completions_train"}
# a generic prior's recipe (``training.train_prior``, recipes/prior.toml): a decoder's keys plus which objects it
# learns from ("all": every object's real drawings in the data folder and every Google decoder's drawings)
PRIOR_KEYS = RECIPE_KEYS + ("objects", "class_embedding", "real_per_object")
# keys added after models were stored with their recipe: a stored recipe without one had this value
ADDED = {"class_embedding": 0, "real_per_object": 0}
# a new object's decoder fine-tuned from a prior (recipes/fewshot.toml): a decoder's keys plus the prior's file
FINETUNE_KEYS = RECIPE_KEYS + ("init_from", "mirror")
NO_PRIOR = "none"  # init_from for the same fine-tuning recipe trained from scratch (the prior's comparison)
STRINGS = ("objects", "init_from")
FLOATS = ("lr", "mirror", "google_rdp", "kl_weight", "kl_weight_start", "kl_decay", "kl_min")
BOOLS = ("init_decoder",)


def recipe_path(recipe: str | Path) -> Path:
    """A recipe's file: a name in ``training/recipes/`` or a path to a .toml file."""
    path = Path(recipe)
    return path if path.suffix == ".toml" else RECIPES_DIR / f"{recipe}.toml"


def keys_of(values: dict) -> tuple[str, ...]:
    """A recipe's keys: a VAE's when it names a latent size, a prior's when it names its objects, a fine-tuned
    decoder's when it names the prior it starts from, else a decoder's."""
    if "z_size" in values:
        return VAE_KEYS
    return PRIOR_KEYS if "objects" in values else FINETUNE_KEYS if "init_from" in values else RECIPE_KEYS


def load(recipe: str | Path = DEFAULT_RECIPE) -> dict:
    """The recipe's values (every key of its kind, ``keys_of``, no other); a missing or unknown key is an error."""
    path = recipe_path(recipe)
    with open(path, "rb") as fh:
        values = tomllib.load(fh)
    keys = keys_of(values)
    missing, unknown = sorted(set(keys) - set(values)), sorted(set(values) - set(keys))
    if missing or unknown:
        raise ValueError(f"{path}: " + "; ".join(filter(None, (missing and f"missing {', '.join(missing)}",
                                                              unknown and f"unknown {', '.join(unknown)}"))))
    return normalised(values)


def normalised(values: dict) -> dict:
    """The recipe keys of ``values`` in their order, with JSON-stable types (lists, floats where float); a retired
    key at the value it always had is dropped (``RETIRED``), at any other it is an error; a renamed key reads as its
    new name (``RENAMED``)."""
    values = {RENAMED.get(k, k): v for k, v in values.items()}
    values = {**{k: v for k, v in ADDED.items() if k in keys_of(values)}, **values}
    used = {k: values[k] for k in RETIRED if k in values and values[k] != RETIRED[k]}
    if used:
        raise ValueError(f"made with retired recipe options {used}: no current recipe rebuilds it")
    out = {}
    for key in keys_of(values):
        value = values[key]
        if key == "google_temperatures":
            value = [float(t) for t in value]
        elif key in FLOATS:
            value = float(value)
        elif key in BOOLS:
            value = bool(value)
        elif key in STRINGS:
            value = str(value)
        else:
            value = int(value)
        out[key] = value
    return out


def resolve(recipe: str | Path, overrides: dict) -> dict:
    """The recipe's values with the options given on the command line (``overrides``: None = not given)."""
    values = load(recipe)
    values.update({k: v for k, v in overrides.items() if k in keys_of(values) and v is not None})
    return normalised(values)


RUN_LENGTH_KEYS = ("epochs", "patience")  # how long a run goes on, not what it learns: not in its name


def run_name(name: str, recipe_name: str, values: dict) -> str:
    """The run folder of an object trained with these values: the same values resume the same run, and a run
    can be taken further with more ``epochs`` (``--force``), which is not part of the name."""
    shaping = {k: v for k, v in normalised(values).items()
               if k not in RUN_LENGTH_KEYS and not (k in ADDED and v == ADDED[k])}  # an added key at its old value
    # keeps the run's name, so a run started before the key was added resumes
    digest = hashlib.sha1(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:8]
    return f"{name}-{Path(recipe_name).stem}-{digest}"


def _option(key: str, value) -> str:
    flag = "--" + key.replace("_", "-")
    if isinstance(value, bool):
        return flag if value else f"--no-{key.replace('_', '-')}"
    if isinstance(value, list):
        return f"{flag} " + " ".join(f"{v:g}" for v in value)
    return f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}"


def command(names: list[str], values: dict) -> str:
    """The command that trains ``names`` with ``values``: the recipe file closest to them, plus the options that
    differ from it."""
    values = normalised(values)
    best = None
    for path in sorted(RECIPES_DIR.glob("*.toml")):
        candidate = load(path)
        if keys_of(candidate) != keys_of(values):
            continue
        differ = [k for k, v in candidate.items() if values[k] != v]
        if best is None or len(differ) < len(best[1]):
            best = (path.stem, differ)
    recipe, differ = best
    kind = keys_of(values)
    vae, prior = kind == VAE_KEYS, kind == PRIOR_KEYS
    script = "train_vae" if vae else "train_prior" if prior else "train_decoder"
    parts = [f"python -m training.{script}", *([] if prior else names)]
    if recipe != (DEFAULT_VAE_RECIPE if vae else DEFAULT_PRIOR_RECIPE if prior else DEFAULT_RECIPE):
        parts.append(f"--recipe {recipe}")
    parts += [_option(k, values[k]) for k in differ]
    return " ".join(parts)


def data_counts(data: dict | None) -> dict:
    """A model's stored training-data counts under today's names (``DATA_RENAMED``)."""
    return {DATA_RENAMED.get(key, key): value for key, value in (data or {}).items()}


def shipped_commands(models_dir: Path) -> list[tuple[str, str]]:
    """(file, the command that made it) for every decoder and sketch VAE in ``models_dir``, from the recipe each
    file stores; a file without one (e.g. Google's own) says so."""
    import numpy as np

    rows = []
    for path in sorted([*Path(models_dir).glob("*.npz"), *Path(models_dir).glob("vae/*.npz")]):
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
        stored = header.get("meta", {}).get("recipe")
        rows.append((str(path.relative_to(models_dir)),
                     command([header["name"]], stored) if stored else "(no stored recipe: not trained here)"))
    return rows


def main(argv=None) -> None:
    """``python -m training.recipe [MODELS_DIR]``: which recipe made each shipped model, as the command to run."""
    import argparse

    from training.paths import MODELS_DIR

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("models_dir", nargs="?", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    for file, cmd in shipped_commands(args.models_dir):
        print(f"{file}: {cmd}")


if __name__ == "__main__":
    main()
