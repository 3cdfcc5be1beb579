"""Where everything is, in one place: the repository's folders and the shared data beside it (``DOODLE_SHARED``)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the repository
MODELS_DIR = ROOT / "models"  # what the app serves
RUNS_DIR = ROOT / "training" / "runs"  # checkpoints and logs of training runs (ignored by git)
CACHE_DIR = ROOT / "training" / "cache"  # drawings sampled from Google's decoders, rendered sets (ignored by git)
RECIPES_DIR = ROOT / "training" / "recipes"
JUDGE_DIR = ROOT / "training" / "judge"  # the independent classifier of the evaluations
JUDGE_FEWSHOT_DIR = ROOT / "training" / "judge_fewshot"  # issue 51's judge: it knows the objects Google never made
PRIOR_PATH = ROOT / "models" / "prior" / "prior.npz"  # the generic sketch prior (training.train_prior)
SHARED = Path(os.environ.get("DOODLE_SHARED", ROOT.parent / "shared"))
QUICKDRAW_DIR = SHARED / "data" / "quickdraw"  # simplified ndjson, one file per class
PRETRAINED_DIR = SHARED / "pretrained" / "sketch-rnn"  # Google's .gen.json decoders
BITMAPS_DIR = SHARED / "data" / "quickdraw_bitmaps"  # Google's 28x28 bitmaps (apple, bicycle, cat ...)
BITMAPS_MORE_DIR = SHARED / "data" / "quickdraw_bitmaps_more"  # more real drawings as bitmaps only
