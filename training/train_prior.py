"""Train the generic sketch prior (issue 51) and export it to ``models/prior/prior.npz``.

    python -m training.train_prior                    # the recipe: training/recipes/prior.toml
    python -m training.train_prior --epochs 20        # one value overridden

The prior is a decoder of the shipped shape (``train_decoder``'s model, loss, batching, augmentation, checkpoints
and resume) that learns from every object at once (the recipe's ``objects = "all"``): the real train drawings of
every object in the data folder and drawings sampled from every Google decoder in the pretrained folder. It is
unconditional: it draws "a drawing", and new objects are fine-tuned from it on their few real drawings. It lives
in ``models/prior/``, where the app does not look for decoders to serve.

``--recipe prior-cond`` trains the class-conditional variant: a learnt embedding of the object beside every step.
Its file is a plain decoder with the mean embedding folded into the LSTM's bias, and ``prior.classes.npz`` beside it
holds each known object's bias shift from that mean (``train_decoder.class_decoder``): an object the prior learnt
(every class in the data folder, the new objects' few real drawings too) is fine-tuned from, and compared with, its
own embedding; any other object from the mean.
"""

from __future__ import annotations

import sys

from training import recipe
from training.paths import ROOT
from training.train_decoder import build_parser, parse, train_one

NAME = "prior"


def main(argv=None):
    parser = build_parser(__doc__.splitlines()[0], default_recipe=recipe.DEFAULT_PRIOR_RECIPE)
    parser.set_defaults(out=ROOT / "models" / "prior")
    args = parse(parser, [NAME, *(sys.argv[1:] if argv is None else argv)])
    if args.objects is None:
        parser.error(f"--recipe {args.recipe}: a prior's recipe names its objects (objects = \"all\")")
    train_one(NAME, args)


if __name__ == "__main__":
    main()
