"""Fit the scale of Google's decoders' training data relative to the 0..255 box, by maximum likelihood.

Google's sketch-rnn data sets were not stored in Quick, Draw!'s 0..255 box, so a box-unit drawing must be
scaled up before their decoders see it (sketch-rnn-js does the same with its ``pixelFactor``). For each
decoder with real drawings in ../shared, this prints the median per-step loss of those drawings scaled by k
(with the Jacobian, so the figures compare across k) and the best k; ``GEN_JSON_DATA_SCALE`` in
``app/engine/decoder.py`` is the median of the best k over the models.

    python -m training.studies.data_scale [cat bicycle ...] [--scales 2 4 6 8]

Answer (2026-11-24): Google's decoders fit drawings about 2.8x the 0..255 box (the median over ten;
``app.engine.decoder.GEN_JSON_DATA_SCALE``); flamingo, ant and hedgehog fit 6-7, but completions at that scale were
recognised less often, so 2.8 stays for all (training/NOTES.md).
"""

import argparse
from dataclasses import replace

import numpy as np

from app.engine.decoder import load_gen_json, reconstruction_loss
from training.data import ndjson_stroke3
from training.paths import PRETRAINED_DIR, QUICKDRAW_DIR

SCALES = np.array([1.0, 1.5, 2.0, 2.25, 2.5, 2.75, 3.0, 3.25, 3.5, 4.0])
DEFAULT_CLASSES = ["cat", "bicycle", "pig", "owl", "duck", "bird", "flamingo", "sheep", "ant", "monkey"]


def best_scale(name: str, limit: int = 150, scales: np.ndarray = SCALES) -> tuple[float, np.ndarray]:
    """(best k, median loss per k) for one decoder on its real drawings."""
    decoder = replace(load_gen_json(PRETRAINED_DIR / f"{name}.gen.json"), data_scale=1.0)
    drawings = [d for d in ndjson_stroke3(QUICKDRAW_DIR / f"{name}.ndjson", limit=limit)
                if len(d) < decoder.max_seq_len]
    points = np.array([len(d) for d in drawings])
    losses = []
    for k in scales:
        scaled = [np.concatenate([d[:, :2] * k, d[:, 2:]], axis=1) for d in drawings]
        # density of the box-unit drawing: p(k x) k^2 per point, spread over n + 1 steps
        per_step = reconstruction_loss(decoder, scaled) - 2.0 * np.log(k) * points / (points + 1)
        losses.append(np.median(per_step))
    losses = np.array(losses)
    return float(scales[int(np.argmin(losses))]), losses


def main(argv=None) -> None:
    """Print the fit for each model and the median best scale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=DEFAULT_CLASSES)
    parser.add_argument("--scales", type=float, nargs="+", default=SCALES.tolist(), metavar="K")
    args = parser.parse_args(argv)
    scales, best = np.array(args.scales), []
    for name in args.names:
        k, losses = best_scale(name, scales=scales)
        best.append(k)
        per_k = dict(zip(scales.tolist(), losses.round(3).tolist()))
        print(f"{name:10s} best k = {k:4.2f}   median loss per k {per_k}")
    print(f"median best k over {len(best)} models: {np.median(best):.3f}")


if __name__ == "__main__":
    main()
