"""Train per-object sketch VAEs (issue 31) and export them to ``models/vae/``.

    python -m training.train_vae cat pig bird owl rabbit flower bicycle snail    # recipe: training/recipes/vae.toml

sketch-rnn's VAE (Ha & Eck 2017; ``keras_decoder.build_vae``): a bidirectional LSTM encoder reads a whole drawing
into z (mu, sigma); the decoder starts from z and reads it at every step. Data, batching, augmentation, the
reconstruction loss, checkpoints and resume are ``train_decoder``'s (the same recipe keys, plus the VAE's:
``z_size``, ``enc_units`` and sketch-rnn's KL annealing and floor). The encoder reads each drawing's stroke-5
rows (model units, with the end row); the exported file is the engine's decoder format with the encoder and z's
weights added (``app.engine.decoder.VAE_WEIGHT_NAMES``), so the one sampling loop draws from z
(``app.engine.decoder.encode``, ``prime(..., z=...)``). Checkpoints under ``training/runs/<object>-vae-<digest>/``.
"""

from __future__ import annotations

import argparse

from training import recipe
from training.paths import ROOT
from training.train_decoder import build_parser, parse, train_one


def main(argv=None):
    """Train each named object's VAE in turn (``train_decoder.train_one``, the recipe having a ``z_size``)."""
    parser = build_parser(__doc__.splitlines()[0], recipe.DEFAULT_VAE_RECIPE)
    parser.set_defaults(out=ROOT / "models" / "vae")
    parser.add_argument("--z-size", type=int)
    parser.add_argument("--enc-units", type=int)
    parser.add_argument("--kl-weight", type=float)
    parser.add_argument("--kl-weight-start", type=float)
    parser.add_argument("--kl-decay", type=float)
    parser.add_argument("--kl-min", type=float)
    parser.add_argument("--init-decoder", action=argparse.BooleanOptionalAction,
                        help="start the VAE's decoder from the object's shipped decoder (--decoder-dir), z's weights "
                             "at zero, so it starts drawing as that decoder does and learns to use z")
    args = parse(parser, argv)
    if not args.z_size:
        parser.error(f"--recipe {args.recipe}: a VAE recipe needs z_size > 0")
    for name in args.names:
        train_one(name, args)


if __name__ == "__main__":
    main()
