"""How small can the decoder's LSTM be? Train one object at several widths with the same recipe and compare them
with Google's 512-unit decoder on quality and speed.

For each width: ``train_decoder`` with ``--units N --epochs E`` (into training/runs/study/, resumable like every
training run), then on the object's real test drawings (never trained on): the mean reconstruction loss and its
ratio to Google's, the share of completions of half-drawn sketches the shipped classifier recognises, and the
time of one 250-step completion and of 9 variations on this machine. Writes models/units-study.json, which
``training.evaluate`` puts in the model card.

    python -m training.studies.units bird --units 128 256 --epochs 10

Answer (2026-11-22): 256 units: on bird after 10 epochs, loss ratio 1.025 (128: 1.050, 512: 1.011) at a third of
512's time per completion (7 ms against 21 ms); the shipped decoders are 256 wide (the model card's width table).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from app.engine.classifier import Classifier
from app.engine.decoder import Decoder, load_decoder, load_gen_json, prime, reconstruction_loss, sample
from app.engine.strokes import stroke3_to_stroke5
from training import train_decoder
from training.data import real_drawings
from training.evaluate import recognition_rate
from training.paths import PRETRAINED_DIR, QUICKDRAW_DIR, ROOT, RUNS_DIR

STUDY_DIR = RUNS_DIR / "study"
STEPS = 250


def timings(decoder: Decoder, prime_rows: np.ndarray, repeats: int = 15) -> dict:
    """Best-of-``repeats`` ms of one 250-step completion and of 9 variations from a primed test sketch."""
    def best(n):
        fastest = float("inf")
        for i in range(repeats + 1):  # the first call compiles
            t0 = time.perf_counter()
            sample(decoder, prime(decoder, prime_rows), list(range(n)), temperature=0.4, max_steps=STEPS,
                       stop_at_end=False)
            if i:
                fastest = min(fastest, (time.perf_counter() - t0) * 1000)
        return round(fastest, 2)

    return {"one_ms": best(1), "nine_ms": best(9)}


def measure(decoder: Decoder, test, classifier, google_loss, args, prime_rows) -> dict:
    loss = float(reconstruction_loss(decoder, test, box_units=True).mean())
    row = {"units": decoder.config.num_units,
           "parameters": int(sum(w.size for w in decoder.weights.values())),
           "loss": round(loss, 4), "loss_ratio": round(loss / google_loss, 4),
           "recognised": round(recognition_rate(decoder, classifier, test[: args.completions], args.variations, 0), 4)}
    row.update(timings(decoder, prime_rows))
    return row


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name")
    parser.add_argument("--units", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--completions", type=int, default=40)
    parser.add_argument("--variations", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--pretrained-dir", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "units-study.json")
    args = parser.parse_args(argv)

    google = load_gen_json(Path(args.pretrained_dir) / f"{args.name}.gen.json")
    test = [d for d in real_drawings(args.name, args.data_dir)["test"] if 2 <= len(d) < 200]
    classifier = Classifier.load(ROOT / "models")
    prime_rows = stroke3_to_stroke5(test[0], end=False)[:30]  # the start of a real test sketch, box units
    google_loss = float(reconstruction_loss(google, test, box_units=True).mean())

    rows = []
    for units in args.units:
        out = STUDY_DIR / f"u{units}"
        train_decoder.main([args.name, "--units", str(units), "--epochs", str(args.epochs), "--out", str(out),
                            "--runs-dir", str(out), "--data-dir", str(args.data_dir),
                            "--pretrained-dir", str(args.pretrained_dir)])
        ours = load_decoder(out / f"{args.name}.npz")
        row = measure(ours, test, classifier, google_loss, args, prime_rows)
        row.update({"source": "ours", "epochs": args.epochs, "bytes": (out / f"{args.name}.npz").stat().st_size,
                    "training_seconds": _training_seconds(out / f"{args.name}-{units}")})
        rows.append(row)
        print(json.dumps(row), flush=True)
    row = measure(google, test, classifier, google_loss, args, prime_rows)
    row.update({"source": "google", "bytes": (Path(args.pretrained_dir) / f"{args.name}.gen.json").stat().st_size})
    rows.append(row)
    print(json.dumps(row), flush=True)

    result = {"object": args.name, "test_drawings": len(test), "completion_drawings":
              min(len(test), args.completions) * args.variations, "steps": STEPS,
              "command": f"python -m training.studies.units {args.name} --units {' '.join(map(str, args.units))} "
                         f"--epochs {args.epochs}", "rows": rows}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\n{args.name}: {len(test)} real test drawings; times on this machine, best of 15")
    print(f"{'model':>14s} {'params':>9s} {'loss':>7s} {'vs G':>6s} {'recog':>6s} {'1 (ms)':>7s} {'9 (ms)':>7s}")
    for r in rows:
        label = f"{r['source']} {r['units']}"
        print(f"{label:>14s} {r['parameters']:9d} {r['loss']:7.3f} {r['loss_ratio']:6.3f} {r['recognised']:6.2f} "
              f"{r['one_ms']:7.1f} {r['nine_ms']:7.1f}")


def _training_seconds(run_dir: Path) -> float | None:
    """Wall time of the run that exported the model (its done.json); a resumed run counts its last part only."""
    done = run_dir / "done.json"
    return json.loads(done.read_text())["training"]["seconds_this_run"] if done.exists() else None


if __name__ == "__main__":
    main()
