"""The doodle classifier: a small CNN over the 28x28 render of the strokes (``app.engine.render``), top-k guesses.

Its files are made by ``python -m training.train_classifier``: ``classifier.keras`` (architecture + weights,
rescaling inside) and ``classifier.json`` (classes, data, metrics, provenance).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.engine.decoder import bucket
from app.engine.render import SIDE, render, render_many
from app.engine.strokes import canvas_to_box_lines


@dataclass
class Classifier:
    """A loaded classifier: class names, its card, and a compiled predict function."""

    names: list[str]
    card: dict
    model: object = field(repr=False)
    _predict: object = field(default=None, init=False, repr=False)

    @classmethod
    def load(cls, directory: str | os.PathLike) -> Classifier:
        """Load ``classifier.keras`` + ``classifier.json`` from a model directory."""
        import keras

        directory = Path(directory)
        card = json.loads((directory / "classifier.json").read_text())
        if card.get("format") != "doodle-buddy-classifier":
            raise ValueError(f"{directory}/classifier.json: not a Doodle Buddy classifier card")
        model = keras.saving.load_model(directory / "classifier.keras", compile=False)
        if model.output_shape[-1] != len(card["classes"]):
            raise ValueError(f"{directory}: the model has {model.output_shape[-1]} outputs for "
                             f"{len(card['classes'])} classes")
        return cls(list(card["classes"]), card, model)

    def probabilities(self, images: np.ndarray, mirror: bool = True) -> np.ndarray:
        """uint8 renders (n, 28, 28) -> class probabilities (n, classes), averaged over each render and its
        mirror image (``mirror_average``); ``mirror=False``: the render alone, at half the cost."""
        if not mirror:
            return np.asarray(self._run(np.asarray(images, np.float32)[..., None]))
        return mirror_average(self._run, images)

    def guess_probabilities(self, images: np.ndarray) -> np.ndarray:
        """What /api/classify answers from: uint8 renders (n, 28, 28) -> class probabilities (n, classes), averaged
        over ``GUESS_VIEWS`` looks at each (``views_average``). The engine's selection, which judges many candidates
        at once, uses ``probabilities`` (fewer looks) instead."""
        return views_average(self._run, images)

    def _run(self, x: np.ndarray):
        """The model on a float batch (n, 28, 28, 1), through one compiled function (a few batch shapes)."""
        import tensorflow as tf

        if self._predict is None:
            self._predict = tf.function(lambda batch: self.model(batch, training=False), reduce_retracing=True)
        return self._predict(tf.constant(x))

    def probabilities_padded(self, images: np.ndarray, mirror: bool = True) -> np.ndarray:
        """``probabilities`` with the batch padded to the next of ``CLASSIFY_BUCKETS`` (a few compiled shapes, all
        warmed up)."""
        padded = np.zeros((classify_bucket(len(images)), SIDE, SIDE), np.uint8)
        padded[: len(images)] = images
        return np.array(self.probabilities(padded, mirror)[: len(images)])

    def probabilities_of(self, drawings, width: float, height: float, mirror: bool = True,
                         prefix=()) -> np.ndarray:
        """Class probabilities (n, classes) for several canvas-pixel drawings (each a list of lines, after the
        lines ``prefix`` that all of them share) in one batch, padded to a bucket (a few compiled shapes);
        a drawing with no points gets zeros."""
        shared = canvas_to_box_lines(prefix, width, height)
        # the drawings (a model's endings) are not simplified again: they come at the point density of Quick,
        # Draw!'s simplified data already, so RDP would only cost time
        renders = render_many([[*shared, *canvas_to_box_lines(lines_px, width, height, simplify=False)]
                               for lines_px in drawings])
        probs = self.probabilities_padded(renders, mirror)
        empty = [not shared and not any(len(line) for line in d) for d in drawings]
        probs[np.asarray(empty, bool)] = 0.0
        return probs

    def classify(self, lines_px, width: float, height: float, top: int = 3,
                 allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """The ``top`` guesses (name, probability) for canvas-pixel strokes, most likely first; with
        ``allowed``, only those classes are guessed (probabilities renormalised over them)."""
        lines = canvas_to_box_lines(lines_px, width, height)
        if not lines:
            return []
        probs = self.guess_probabilities(render(lines)[None])[0].astype(np.float64)
        if allowed is not None:
            probs = np.where([n in allowed for n in self.names], probs, 0.0)
            total = probs.sum()
            if total <= 0:
                return []
            probs = probs / total
        order = np.argsort(-probs)[:top]
        return [(self.names[i], float(probs[i])) for i in order if probs[i] > 0]


# the batch sizes the engine's judging pads to, all compiled at warm-up (why these: training/NOTES.md, "Knob: the
# classifier's batch sizes")
CLASSIFY_BUCKETS = (1, 2, 4, 8, 16, 24, 32, 48, 64)


def classify_bucket(n: int) -> int:
    """The padded batch size for ``n`` drawings: the next of ``CLASSIFY_BUCKETS``, a power of two beyond them (as
    ``decoder.batch_bucket`` pads the sampler's rows)."""
    return next((b for b in CLASSIFY_BUCKETS if b >= n), bucket(n))


# the looks at one drawing a guess averages: the render and its mirror image, each as drawn and moved one pixel
# left, right, up and down (why ten: training/NOTES.md, "ten looks per guess")
GUESS_SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))
GUESS_VIEWS = 2 * len(GUESS_SHIFTS)


def views(images: np.ndarray, shifts=GUESS_SHIFTS) -> list[np.ndarray]:
    """The looks ``views_average`` takes at renders (n, 28, 28[, c]): each render, moved by each (dx, dy) of
    ``shifts``, then its mirror image moved the same ways; each look a float batch (n, 28, 28, c)."""
    x = np.asarray(images, np.float32)
    x = x.reshape(-1, SIDE, SIDE, 1) if x.ndim != 4 else x
    return [np.roll(v, (dy, dx), axis=(1, 2)) for v in (x, x[:, :, ::-1]) for dx, dy in shifts]


def views_average(predict, images: np.ndarray, shifts=GUESS_SHIFTS) -> np.ndarray:
    """A model's probabilities for renders (n, 28, 28) averaged over their looks, in one batch: each render and its
    mirror image, moved by each (dx, dy) of ``shifts`` (pixels; ink moved past an edge comes back on the other,
    where a render has none: its margin is wider than a pixel). Renders of several channels (n, 28, 28, c) keep them."""
    looks = views(images, shifts)
    both = np.asarray(predict(np.concatenate(looks)))
    return both.reshape(len(looks), len(looks[0]), -1).mean(axis=0)


def mirror_average(predict, images: np.ndarray) -> np.ndarray:
    """A model's probabilities for renders (n, 28, 28), averaged with its probabilities for their mirror images
    (left-right), in one batch. No object here depends on which way it faces and the classifier learns from
    mirror images too, so the two views are two looks at one drawing (test-time augmentation)."""
    x = np.asarray(images, np.float32).reshape(-1, SIDE, SIDE, 1)
    both = np.asarray(predict(np.concatenate([x, x[:, :, ::-1]])))
    return (both[: len(x)] + both[len(x):]) / 2
