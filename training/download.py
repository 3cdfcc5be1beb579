"""Fetch Google's full Quick, Draw! files and Magenta's sketch-rnn decoders, on a machine with internet.

What each kind is, where it comes from and where it goes (``--to``; by default under training/downloads/,
which git ignores; point the training commands' ``--data-dir`` / ``--pretrained-dir`` at it):

- ``sketchrnn``: ``<name>.npz``, sketch-rnn's stroke-3 set (70,000 / 2,500 / 2,500 drawings, its own splits).
  ``training.data.real_drawings`` prefers it over ``<name>.ndjson`` in the same folder (training/downloads/).
- ``simplified``: ``<name>.ndjson``, every drawing of the object in Google's simplified form.
- ``bitmap``: ``<name>.npy``, Google's 28x28 renders, to check the renderer and the classifier
  (training/downloads/bitmaps/).
- ``decoder``: ``<name>.gen.json``, Magenta's pretrained decoder, the teacher and the yardstick
  (training/downloads/decoders/).

Quick, Draw! data (c) Google, CC BY 4.0; sketch-rnn models (c) Google Magenta, Apache 2.0.

    python -m training.download sketchrnn cat owl
    python -m training.download decoder cat owl
    python -m training.train_decoder cat owl --data-dir training/downloads \
        --pretrained-dir training/downloads/decoders

Every file is written to ``<name>.part`` first, checked by reading it with the project's own reader, and only
then renamed into place, so an interrupted download never leaves a half file where training looks.
Files already present are skipped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from training.data import read_ndjson, read_sketchrnn_npz

GOOGLE = "https://storage.googleapis.com/"
DOWNLOADS = Path(__file__).resolve().parent / "downloads"
KINDS = {  # kind: (path under the base URL, file suffix, default folder)
    "sketchrnn": ("quickdraw_dataset/sketchrnn/{name}.npz", ".npz", DOWNLOADS),
    "simplified": ("quickdraw_dataset/full/simplified/{name}.ndjson", ".ndjson", DOWNLOADS),
    "bitmap": ("quickdraw_dataset/full/numpy_bitmap/{name}.npy", ".npy", DOWNLOADS / "bitmaps"),
    "decoder": ("quickdraw-models/sketchRNN/models/{name}.gen.json", ".gen.json", DOWNLOADS / "decoders"),
}


def url_for(kind: str, name: str, base: str = GOOGLE) -> str:
    """Where Google publishes ``kind`` for object ``name`` (names with spaces, such as "hot air balloon", are
    quoted)."""
    path, _, _ = KINDS[kind]
    return base.rstrip("/") + "/" + path.format(name=urllib.parse.quote(name))


def check(kind: str, path: Path) -> str:
    """Read a downloaded file with the project's reader; returns a one-line summary, raises when it is broken."""
    if kind == "sketchrnn":
        splits = read_sketchrnn_npz(path)
        return ", ".join(f"{split} {len(drawings)}" for split, drawings in splits.items())
    if kind == "simplified":
        return f"{sum(1 for _ in read_ndjson(path))} drawings"
    if kind == "bitmap":
        images = np.load(path)
        if images.ndim != 2 or images.shape[1] != 784:
            raise ValueError(f"expected (n, 784) bitmaps, got {images.shape}")
        return f"{len(images)} bitmaps"
    from app.engine.decoder import load_gen_json

    decoder = load_gen_json(path)
    return f"{decoder.config.num_units}-unit decoder, max length {decoder.max_seq_len}"


def fetch(kind: str, name: str, to: Path, base: str = GOOGLE, timeout: float = 60.0) -> Path:
    """Download one file into ``to`` (atomically, checked); returns its path. Present files are kept."""
    _, suffix, _ = KINDS[kind]
    to.mkdir(parents=True, exist_ok=True)
    target = to / f"{name}{suffix}"
    if target.exists():
        print(f"{target}: already here", flush=True)
        return target
    part = target.with_name(target.name + ".part")
    url = url_for(kind, name, base)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
        summary = check(kind, part)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)
    print(f"{target}: {target.stat().st_size / 1e6:.1f} MB from {url} ({summary})", flush=True)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("names", nargs="+", help="objects, as Google names them (e.g. cat, 'hot air balloon')")
    parser.add_argument("--to", type=Path, help="folder to write to (default: where training reads this kind)")
    parser.add_argument("--base", default=GOOGLE, help="mirror to fetch from instead of Google's storage")
    args = parser.parse_args(argv)
    to = args.to or KINDS[args.kind][2]
    failed = []
    for name in args.names:
        try:
            fetch(args.kind, name, to, args.base)
        except Exception as e:  # noqa: BLE001 - any unreadable download is reported, and the rest go on
            print(f"{name}: could not download {url_for(args.kind, name, args.base)}: {e}", file=sys.stderr)
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
