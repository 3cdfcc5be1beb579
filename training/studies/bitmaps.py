"""Do ``app/engine/render.py``'s renderings of stroke drawings look like Google's own 28x28 bitmaps? (issue 32)

Before Google's bitmaps (``quickdraw_bitmaps_more``: real drawings as bitmaps only) are mixed into the classifier's
training with our renderings of the stroke drawings, the two must agree on what the network sees. Per object,
over Google's bitmaps and over our renderings of that object's real stroke drawings (train split), this prints
the mean and spread of:
- ink: mean pixel value / 255 (how much ink, which the line width drives);
- ink pixels: share of pixels > 0; core: share of ink pixels > 127 (the line's profile: width and anti-aliasing);
- centre: distance of the ink's centre of mass from the bitmap's centre, pixels (centring);
- margin: the smallest gap between the ink's bounding box and the bitmap's edge, pixels; and the bounding box's
  longest side, pixels (scale and padding).
The two sets are different drawings of the same object, so agreement within the spread between drawings is what
"close enough to mix" means here: the table gives the difference of the means in units of Google's std.

What it found: Google's renders always leave at least a pixel of margin (bear, bee, duck ...: no ink in any
edge column), but 58% of the cat, 73% of the dog, 79% of the bird and 15% of the flower bitmaps have ink in the
last column and a stray pixel at the top-left: their source files were cut one byte off, so each image is shifted
one pixel to the right with its rows wrapped. ``realign`` moves such an image back one pixel; after it no bitmap
has ink on an edge and the margins and centring match ours (``--as-stored`` shows them before).

    python -m training.studies.bitmaps [--objects cat dog ...] [--limit 1000]

Answer (2026-11-30): our renders match Google's bitmaps within 0.41 of Google's std on every statistic once the
bitmaps cut a byte off are realigned (``training.data.realign``, which the classifier's trainer uses).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from app.engine.render import SIDE, render
from app.engine.strokes import stroke3_to_lines
from training.data import real_drawings, realign
from training.paths import BITMAPS_MORE_DIR, QUICKDRAW_DIR


def stats(images: np.ndarray) -> dict[str, np.ndarray]:
    """Per-image statistics of uint8 bitmaps (n, 28, 28)."""
    x = images.astype(np.float64) / 255.0
    ink = x.mean(axis=(1, 2))
    inked = x > 0
    share = inked.mean(axis=(1, 2))
    core = (x > 0.5).sum(axis=(1, 2)) / np.maximum(inked.sum(axis=(1, 2)), 1)
    ys, xs = np.mgrid[0:SIDE, 0:SIDE] + 0.5
    mass = np.maximum(x.sum(axis=(1, 2)), 1e-9)
    cy, cx = (x * ys).sum(axis=(1, 2)) / mass, (x * xs).sum(axis=(1, 2)) / mass
    centre = np.hypot(cy - SIDE / 2, cx - SIDE / 2)
    rows, cols = inked.any(axis=2), inked.any(axis=1)
    margin, side = [], []
    for r, c in zip(rows, cols):
        if not r.any():
            margin.append(np.nan)
            side.append(np.nan)
            continue
        r0, r1 = np.argmax(r), SIDE - 1 - np.argmax(r[::-1])
        c0, c1 = np.argmax(c), SIDE - 1 - np.argmax(c[::-1])
        margin.append(min(r0, c0, SIDE - 1 - r1, SIDE - 1 - c1))
        side.append(max(r1 - r0, c1 - c0) + 1)
    return {"ink": ink, "ink_pixels": share, "core": core, "centre": centre, "margin": np.array(margin, float),
            "side": np.array(side, float)}


def compare(name: str, limit: int, data_dir: Path = QUICKDRAW_DIR, bitmaps_dir: Path = BITMAPS_MORE_DIR,
            as_stored: bool = False) -> dict:
    google = np.load(bitmaps_dir / f"{name}.npy")[:limit].reshape(-1, SIDE, SIDE)
    google = google if as_stored else realign(google)
    ours = np.stack([render(stroke3_to_lines(d)) for d in real_drawings(name, data_dir)["train"][:limit]])
    g, o = stats(google), stats(ours)
    out = {"object": name, "google": len(google), "ours": len(ours)}
    for key in g:
        gm, gs, om = np.nanmean(g[key]), np.nanstd(g[key]), np.nanmean(o[key])
        out[key] = {"google": round(float(gm), 3), "google_std": round(float(gs), 3), "ours": round(float(om), 3),
                    "difference_in_std": round(float((om - gm) / max(gs, 1e-9)), 2)}
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", nargs="+", help="default: every object in quickdraw_bitmaps_more")
    parser.add_argument("--limit", type=int, default=1000, help="drawings per object and source")
    parser.add_argument("--as-stored", action="store_true", help="Google's bitmaps as stored, not realigned")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    names = args.objects or sorted(p.stem for p in BITMAPS_MORE_DIR.glob("*.npy"))
    rows = [compare(n, args.limit, as_stored=args.as_stored) for n in names]
    keys = ["ink", "ink_pixels", "core", "centre", "margin", "side"]
    print("object | n (Google / ours) | " + " | ".join(f"{k}: Google / ours (diff in Google std)" for k in keys))
    for r in rows:
        print(f"{r['object']} | {r['google']} / {r['ours']} | " + " | ".join(
            f"{r[k]['google']} / {r[k]['ours']} ({r[k]['difference_in_std']:+.2f})" for k in keys))
    worst = {k: max(abs(r[k]["difference_in_std"]) for r in rows) for k in keys}
    print("largest |difference| in Google std over the objects:", json.dumps(worst))
    if args.out:
        args.out.write_text(json.dumps({"objects": rows, "largest_difference_in_std": worst}, indent=1) + "\n")


if __name__ == "__main__":
    main()
