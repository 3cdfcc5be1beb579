"""Train per-object sketch VAEs (issue 31) and export them to ``models/vae/``.

    python -m training.train_vae cat pig bird owl rabbit flower bicycle snail    # recipe: training/recipes/vae.toml

sketch-rnn's VAE (Ha & Eck 2017; ``keras_decoder.build_vae``): a bidirectional LSTM encoder reads a whole drawing
into z (mu, sigma); the decoder starts from z and reads it at every step. Data, batching, augmentation, the
reconstruction loss, checkpoints and resume are ``train_decoder``'s (the same recipe keys, plus the VAE's:
``z_size``, ``enc_units`` and sketch-rnn's KL annealing and floor). The encoder reads each drawing's stroke-5
rows (model units, with the end row); the exported file is the engine's decoder format with the encoder and z's
weights added (``app.decoder.VAE_WEIGHT_NAMES``), so the one sampling loop draws from z
(``app.decoder.encode``, ``prime(..., z=...)``). Checkpoints under ``training/runs/<object>-vae-<digest>/``.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from app.decoder import DecoderConfig, save_decoder
from training import fit_verbosity, recipe
from training.fit_placement import placement_table
from training.keras_decoder import build_vae, kl_annealing, reconstruction_loss, to_decoder
from training.train_decoder import ROOT, Batches, _read_history, build_parser, dataset, parse, prepare


def vae_dataset(batches: Batches, repeat: bool):
    """``train_decoder.dataset`` with the encoder's input: ((the drawing's rows, zero-padded; the decoder's
    inputs), targets)."""
    return dataset(batches, repeat).map(lambda x, y: ((y[..., :5] * y[..., 5:6], x), y))


def train_one(name: str, args) -> Path | None:
    """Train (or resume) one object's VAE and export it; returns the exported file."""
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
    config = DecoderConfig(num_units=args.units, z_size=args.z_size, enc_units=args.enc_units)
    keras.utils.set_random_seed(args.seed)
    model = build_vae(config, f"vae_{name}", kl_min=args.kl_min, seed=args.seed)
    steps = math.ceil(len(data["train"]) / args.batch_size)
    schedule = keras.optimizers.schedules.ExponentialDecay(args.lr, decay_steps=steps, decay_rate=0.93)
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0), loss=reconstruction_loss)
    train = vae_dataset(Batches(data["train"], data["scale_factor"], args.batch_size, args.seed), repeat=True)
    valid_batches = Batches(data["valid"], data["scale_factor"], args.batch_size, augmented=False)
    valid = vae_dataset(valid_batches, repeat=True)
    best = run_dir / "best.weights.h5"
    callbacks = [kl_annealing(args.kl_weight, args.kl_weight_start, args.kl_decay),
                 keras.callbacks.BackupAndRestore(str(run_dir / "backup"), delete_checkpoint=False),
                 keras.callbacks.ModelCheckpoint(str(best), save_best_only=True, save_weights_only=True),
                 keras.callbacks.EarlyStopping(patience=args.patience),
                 keras.callbacks.CSVLogger(str(run_dir / "history.csv"), append=True)]
    history = model.fit(train, steps_per_epoch=steps, epochs=args.epochs, validation_data=valid,
                        validation_steps=valid_batches.batch_count(), callbacks=callbacks,
                        verbose=fit_verbosity(), shuffle=False)
    model.load_weights(str(best))
    log = _read_history(run_dir / "history.csv")
    meta = {"source": "doodle-buddy", "kind": "sketch-vae", "license": "CC-BY-4.0 data; Apache-2.0 teacher",
            "trained_by": "python -m training.train_vae", "teacher": f"google-magenta {name}.gen.json",
            "recipe": args.resolved, "recipe_file": Path(args.recipe).stem, "data": data["counts"],
            "training": {"epochs_run": len(log), "best_val_loss": min((r["val_loss"] for r in log), default=None),
                         "seconds_this_run": round(time.time() - started, 1)}}
    meta["fit"] = placement_table(name, args.data_dir)
    vae = to_decoder(model, config, name, data["scale_factor"], args.max_len, meta)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    save_decoder(vae, out)
    done.write_text(json.dumps({"file": str(out), **meta}, indent=1))
    print(f"{name}: exported {out} ({out.stat().st_size / 1e6:.2f} MB) after {len(history.epoch)} epochs "
          f"this run, {time.time() - started:.0f} s", flush=True)
    return out


def main(argv=None):
    """Train each named object's VAE in turn."""
    parser = build_parser(__doc__.splitlines()[0], recipe.DEFAULT_VAE_RECIPE)
    parser.set_defaults(out=ROOT / "models" / "vae")
    parser.add_argument("--z-size", type=int)
    parser.add_argument("--enc-units", type=int)
    parser.add_argument("--kl-weight", type=float)
    parser.add_argument("--kl-weight-start", type=float)
    parser.add_argument("--kl-decay", type=float)
    parser.add_argument("--kl-min", type=float)
    args = parse(parser, argv)
    for name in args.names:
        train_one(name, args)


if __name__ == "__main__":
    main()
