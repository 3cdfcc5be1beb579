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
# every option that shapes a decoder, in the order a command line gives them
RECIPE_KEYS = ("units", "epochs", "patience", "batch_size", "lr", "max_len", "seed", "teacher",
               "teacher_temperatures", "teacher_rdp", "teacher_box", "teacher_recognised", "teacher_completions",
               "completion_share", "completion_augment", "real_copies", "distill", "distill_weight")
# a sketch VAE's recipe (``training.train_vae``, e.g. recipes/vae.toml): the decoder's keys plus the VAE's
VAE_KEYS = RECIPE_KEYS + ("z_size", "enc_units", "kl_weight", "kl_weight_start", "kl_decay", "kl_min", "init_decoder",
                          "input_dropout")
# keys added after models were made with their recipe: the value those models were trained with
BEFORE_THE_KEY = {"init_decoder": False, "input_dropout": 0.0, "completion_share": 1.0, "completion_augment": False,
                  "teacher_recognised": False}
FLOATS = ("lr", "teacher_rdp", "completion_share", "distill_weight", "kl_weight", "kl_weight_start", "kl_decay",
          "kl_min", "input_dropout")
BOOLS = ("teacher_box", "teacher_recognised", "completion_augment", "init_decoder")


def recipe_path(recipe: str | Path) -> Path:
    """A recipe's file: a name in ``training/recipes/`` or a path to a .toml file."""
    path = Path(recipe)
    return path if path.suffix == ".toml" else RECIPES_DIR / f"{recipe}.toml"


def keys_of(values: dict) -> tuple[str, ...]:
    """A recipe's keys: a VAE's when it names a latent size, else a decoder's."""
    return VAE_KEYS if "z_size" in values else RECIPE_KEYS


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
    """The recipe keys of ``values`` in their order, with JSON-stable types (lists, floats where float)."""
    out = {}
    for key in keys_of(values):
        value = values[key] if key in values or key not in BEFORE_THE_KEY else BEFORE_THE_KEY[key]
        if key == "teacher_temperatures":
            value = [float(t) for t in value]
        elif key in FLOATS:
            value = float(value)
        elif key in BOOLS:
            value = bool(value)
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
    shaping = {k: v for k, v in normalised(values).items() if k not in RUN_LENGTH_KEYS}
    digest = hashlib.sha1(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:8]
    return f"{name}-{Path(recipe_name).stem}-{digest}"


def of_meta(meta: dict, num_units: int) -> dict:
    """The resolved recipe a decoder was trained with: its meta ``recipe``, or, for a decoder made before recipe
    files, rebuilt from the training facts it stored then (their defaults were the trainer's then)."""
    if "recipe" in meta:
        return normalised(meta["recipe"])
    training = meta.get("training") or {}
    data = meta.get("data") or {}
    distill = training.get("distill") or {}
    return normalised({
        "units": num_units, "epochs": training.get("epochs_max", training.get("epochs_run", 15)),
        "patience": training.get("patience", 3), "batch_size": training.get("batch_size", 100),
        "lr": training.get("lr", 2e-3), "max_len": training.get("max_len", 200), "seed": training.get("seed", 0),
        "teacher": training.get("teacher_requested") or data.get("teacher_train", 0) + data.get("teacher_valid", 0),
        "teacher_temperatures": meta.get("teacher_temperatures") or [1.0, 1.0, 0.8, 0.6],
        "teacher_rdp": training.get("teacher_rdp") or 0.0, "teacher_box": bool(training.get("teacher_box")),
        "teacher_completions": training.get("teacher_completions") or 0, "real_copies": training.get("real_copies", 1),
        "distill": distill.get("samples") or 0, "distill_weight": distill.get("weight", 1.0)})  # + BEFORE_THE_KEY


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
    vae = keys_of(values) == VAE_KEYS
    parts = [f"python -m training.{'train_vae' if vae else 'train_decoder'}", *names]
    if recipe != (DEFAULT_VAE_RECIPE if vae else DEFAULT_RECIPE):
        parts.append(f"--recipe {recipe}")
    parts += [_option(k, values[k]) for k in differ]
    return " ".join(parts)
