"""The project's two intervals, used by the card, the evaluations and the studies alike.

- ``wilson``: a share's 95% Wilson score interval (a few drawings: it stays inside 0..1 and is not zero-width at
  0% or 100%).
- ``paired_bootstrap``: the mean difference of two measures on the same items (ours and Google's completions of the
  same sketches; two classifiers on the same drawings) and its 95% bootstrap interval, resampling the items.
"""

from __future__ import annotations

import math

import numpy as np


def wilson(hits: int, n: int) -> list[float]:
    """95% Wilson interval of a share."""
    if n == 0:
        return [0.0, 1.0]
    z, p = 1.96, hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(max(centre - half, 0.0), 4), round(min(centre + half, 1.0), 4)]  # never "-0" from rounding


def paired_bootstrap(a: np.ndarray, b: np.ndarray, resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """(mean of b - a, its 2.5th and 97.5th bootstrap percentiles) over the paired items."""
    diff = np.asarray(b, np.float64) - np.asarray(a, np.float64)
    picks = np.random.default_rng(seed).integers(0, len(diff), (resamples, len(diff)))
    low, high = np.percentile(diff[picks].mean(axis=1), [2.5, 97.5])
    return float(diff.mean()), float(low), float(high)
