"""Train the generic sketch prior (issue 51) and export it to ``models/prior/prior.npz``.

    python -m training.train_prior                    # the recipe: training/recipes/prior.toml
    python -m training.train_prior --epochs 20        # one value overridden

The prior is a decoder of the shipped shape (``train_decoder``'s model, loss, batching, augmentation, checkpoints
and resume) that learns from every object at once (the recipe's ``objects = "all"``): the real train drawings of
every object in the data folder and drawings sampled from every Google decoder in the pretrained folder. It is
unconditional: it draws "a drawing", and new objects are fine-tuned from it on their few real drawings. It lives
in ``models/prior/``, where the app does not look for decoders to serve.

``--recipe prior-cond`` trains the class-conditional variant: a learnt embedding of the object beside every step.
Its file is a plain decoder with the mean embedding folded into the LSTM's bias (what a new object starts from), and
``prior.classes.npz`` beside it holds each known object's bias shift from that mean (``class_decoder``).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

from app.engine.decoder import Decoder, load_decoder
from training import recipe
from training.paths import ROOT
from training.train_decoder import build_parser, parse, train_one

NAME = "prior"


def class_decoder(prior_path: Path, name: str) -> Decoder:
    """A class-conditional prior as one known object's decoder: its bias shift (``<prior>.classes.npz``) added."""
    prior = load_decoder(prior_path)
    if "classes_file" not in prior.meta:
        raise ValueError(f"{prior_path}: an unconditional prior has no objects of its own")
    with np.load(Path(prior_path).parent / prior.meta["classes_file"], allow_pickle=False) as table:
        classes, shifts = list(table["classes"]), table["shifts"].astype(np.float32)
    if name not in classes:
        raise ValueError(f"{prior_path}: {name} is not one of the prior's objects")
    weights = {**prior.weights, "lstm_bias": prior.weights["lstm_bias"] + shifts[classes.index(name)]}
    return dataclasses.replace(prior, name=name, weights=weights)


def main(argv=None):
    parser = build_parser(__doc__.splitlines()[0], default_recipe=recipe.DEFAULT_PRIOR_RECIPE)
    parser.set_defaults(out=ROOT / "models" / "prior")
    args = parse(parser, [NAME, *(sys.argv[1:] if argv is None else argv)])
    if args.objects is None:
        parser.error(f"--recipe {args.recipe}: a prior's recipe names its objects (objects = \"all\")")
    train_one(NAME, args)


if __name__ == "__main__":
    main()
