"""Learn, per object, how much of the whole drawing a beginning spans, and store it in the decoder's file.

The engine guesses how big a child's whole drawing will be from what is drawn so far (``app.engine.fitting``): the
extent of the part drawn divided by the share of the whole that beginnings of that many strokes usually span.
This measures those shares on the object's real drawings of the train split (every beginning of every drawing:
its first k strokes) and writes their quartiles into the decoder's metadata (``meta["fit"]``), weights untouched.
``train_decoder`` does the same for every decoder it exports.

    python -m training.fit_placement                 # every decoder in models/
    python -m training.fit_placement cat dog         # some of them
    python -m training.fit_placement --pooled        # the table pooled over them (app.engine.fitting.DEFAULT_RATIOS)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.engine import fitting
from app.engine.decoder import load_decoder_npz, save_decoder
from training.data import real_drawings
from training.paths import QUICKDRAW_DIR, ROOT


def placement_table(name: str, data_dir: Path = QUICKDRAW_DIR) -> dict:
    """The object's ratio table (``fitting.extent_ratio_table``) from its real train drawings, with provenance."""
    table = fitting.extent_ratio_table(real_drawings(name, data_dir)["train"])
    return {**table, "data": "real drawings, train split", "made_by": "python -m training.fit_placement"}


def main(argv=None) -> None:
    """Write each decoder's table into its file (or print the pooled table)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="objects (default: every decoder in --models)")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--data-dir", type=Path, default=QUICKDRAW_DIR)
    parser.add_argument("--pooled", action="store_true", help="print the table pooled over the objects, write nothing")
    args = parser.parse_args(argv)
    names = args.names or sorted(p.stem for p in args.models.glob("*.npz"))
    if args.pooled:
        drawings = [d for name in names for d in real_drawings(name, args.data_dir)["train"]]
        print(json.dumps(fitting.extent_ratio_table(drawings)))
        return
    for name in names:
        path = args.models / f"{name}.npz"
        decoder = load_decoder_npz(path)
        decoder.meta["fit"] = placement_table(name, args.data_dir)
        save_decoder(decoder, path)
        print(name, json.dumps(decoder.meta["fit"]["ratios"]), flush=True)


if __name__ == "__main__":
    main()
