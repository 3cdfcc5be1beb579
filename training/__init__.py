"""Data readers, training and evaluation scripts for Doodle Buddy's models (imports ``app``, never the reverse)."""

import sys


def fit_verbosity() -> int:
    """Keras ``fit`` verbosity: a live progress bar in a terminal, one line per epoch in a log file."""
    return 1 if sys.stdout.isatty() else 2
