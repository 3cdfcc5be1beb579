"""Speed of the decoder engine on this machine, against @magenta/sketch on the same model and work.

Work: Google's cat.gen.json, a fixed 30-point partial sketch (the first real cat in ../shared with
30+ points), one 250-step completion (prime on 29 rows + 250 sampled steps), 9 variations of 250 steps, and
one next-stroke hint. Backends: the engine's XLA loop (what the app uses), the same loop as a graph-mode
tf.function without XLA, plain NumPy (the one-row transcription of sketch-rnn-js the tests use as reference),
and @magenta/sketch 0.2.0 under Node (TF.js CPU backend), installed with npm into .bench/ on first run.

    python -m training.benchmarks.engine [--repeats 5] [--no-magenta]
"""

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time

import numpy as np

from app.engine.decoder import load_decoder, load_gen_json, noise_table, prime, sample, set_jit
from app.engine.strokes import lines_to_stroke3, stroke3_to_stroke5
from tests import reference_sketch_rnn as ref
from training.data import read_ndjson
from training.paths import PRETRAINED_DIR, QUICKDRAW_DIR, ROOT

STEPS, VARIATIONS, PRIME_POINTS = 250, 9, 30


def median_ms(fn, repeats: int) -> float:
    """Median wall time of fn() in milliseconds, after one warm-up call (compilation)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def partial_cat() -> np.ndarray:
    """The first 30 stroke-5 rows (box units) of the first real cat with at least 30 points."""
    for drawing in read_ndjson(QUICKDRAW_DIR / "cat.ndjson"):
        s3 = lines_to_stroke3(drawing["lines"])
        if len(s3) >= PRIME_POINTS:
            return stroke3_to_stroke5(s3, end=False)[:PRIME_POINTS]
    raise SystemExit("no cat with 30 points in ../shared")


def tf_timings(decoder, rows, repeats: int) -> dict:
    """One completion, 9 variations and a hint with the engine's compiled loop."""
    def one():
        sample(decoder, prime(decoder, rows), [0], temperature=0.4, max_steps=STEPS, stop_at_end=False)

    def nine():
        sample(decoder, prime(decoder, rows), list(range(VARIATIONS)), temperature=0.4, max_steps=STEPS,
                   stop_at_end=False)

    def hint():
        sample(decoder, prime(decoder, rows), [0], temperature=0.4, max_steps=decoder.max_seq_len,
                   stop_at_pen_up=True)

    return {"one": median_ms(one, repeats), "nine": median_ms(nine, repeats), "hint": median_ms(hint, repeats)}


def numpy_timings(decoder, rows, repeats: int) -> dict:
    """The same work with the NumPy one-row transcription (variations run one after another)."""
    noise = noise_table(0, STEPS)
    box_rows = rows.copy()

    def one():
        ref.continue_drawing(decoder.weights, decoder.box_scale_factor, box_rows, noise, 0.4, STEPS)

    single = median_ms(one, repeats)
    return {"one": single, "nine": single * VARIATIONS, "hint": float("nan")}


def magenta_timings(rows, repeats: int) -> dict | None:
    """@magenta/sketch under Node on the same model and sketch, or None when node/npm are missing."""
    if not (shutil.which("node") and shutil.which("npm")):
        print("node/npm not found: skipping @magenta/sketch")
        return None
    bench = ROOT / ".bench" / "magenta"
    bench.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "bench.mjs"):
        shutil.copy(ROOT / "training" / "benchmarks" / "magenta_bench" / name, bench / name)
    if not (bench / "node_modules" / "@magenta" / "sketch").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=bench, check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(rows.tolist(), fh)
    out = subprocess.run(["node", "bench.mjs", str(PRETRAINED_DIR / "cat.gen.json"), fh.name, str(STEPS),
                          str(repeats)], cwd=bench, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {"one": result["median_ms"], "nine": result["median_ms"] * VARIATIONS, "hint": float("nan"),
            "backend": result["backend"]}


def main() -> None:
    """Run every backend and print one table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-magenta", action="store_true")
    args = parser.parse_args()
    decoder = load_gen_json(PRETRAINED_DIR / "cat.gen.json")
    rows = partial_cat()
    results = {"XLA loop (app)": tf_timings(decoder, rows, args.repeats)}
    shipped = ROOT / "models" / "cat.npz"
    if shipped.exists():
        ours = load_decoder(shipped)
        results[f"XLA loop, shipped cat.npz ({ours.config.num_units} units)"] = tf_timings(ours, rows, args.repeats)
    set_jit(False)
    results["tf.function, no XLA"] = tf_timings(decoder, rows, args.repeats)
    set_jit(True)
    results["NumPy, one row"] = numpy_timings(decoder, rows, max(1, args.repeats // 2))
    if not args.no_magenta:
        magenta = magenta_timings(rows, max(3, args.repeats // 2))
        if magenta:
            results[f"@magenta/sketch 0.2.0 ({magenta.pop('backend')})"] = magenta
    print(f"\ncat.gen.json, prime {PRIME_POINTS - 1} rows + {STEPS} steps; medians of {args.repeats} runs, ms")
    print(f"{'backend':34s} {'1 completion':>13s} {'9 variations':>13s} {'9 / 1':>6s} {'hint':>7s}")
    for name, r in results.items():
        print(f"{name:34s} {r['one']:13.1f} {r['nine']:13.1f} {r['nine'] / r['one']:6.2f} {r['hint']:7.1f}")
    base = results["XLA loop (app)"]["one"]
    for name, r in results.items():
        print(f"one completion: {name} takes {r['one'] / base:.1f}x the app's time")
    if (ROOT / "models" / "classifier.json").exists():
        from app.engine.classifier import Classifier
        from app.engine.strokes import stroke3_to_lines, stroke5_to_stroke3

        classifier = Classifier.load(ROOT / "models")
        lines = stroke3_to_lines(stroke5_to_stroke3(rows), (0.0, 0.0))
        ms = median_ms(lambda: classifier.classify(lines, 255, 255), args.repeats * 4)
        print(f"classify (render 28x28 + CNN, {len(classifier.names)} classes): {ms:.1f} ms")


if __name__ == "__main__":
    main()
