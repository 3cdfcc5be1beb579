"""The model registry: every decoder found in the configured directories, loaded once, shared by all threads."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np

from app.engine import catalog
from app.engine.batcher import Batcher
from app.engine.classifier import CLASSIFY_BUCKETS, Classifier
from app.engine.decoder import BATCH_BUCKETS, Decoder, load_decoder, prime_many, sample, sample_states, steps_bucket

log = logging.getLogger(__name__)


class Registry:
    """Decoders by object name (first directory wins)."""

    def __init__(self, batching: bool = True):
        """An empty registry; ``load`` fills it. With ``batching``, concurrent requests share sampling passes
        (``app.engine.batcher``); without, they take turns, one pass each."""
        self.decoders: dict[str, Decoder] = {}
        self.vaes: dict[str, Decoder] = {}  # sketch VAEs by object ("Buddy redraws it"), from <dir>/vae/*.npz
        self.classifier: Classifier | None = None
        self.ready = False
        self.lock = threading.Lock()  # one sampling pass at a time per process: TF uses both cores for each
        self.batcher = Batcher() if batching else None

    def sample(self, decoder, states, seeds, **kwargs):
        """The sampler the API uses (``decoder.sample_states``' contract): pooled across requests, or one locked
        pass per request."""
        if self.batcher is not None:
            return self.batcher.sample_states(decoder, states, seeds, **kwargs)
        with self.lock:
            return sample_states(decoder, states, seeds, **kwargs)

    def load(self, model_dirs: list[str], extra_dirs: list[str] = ()) -> Registry:
        """Load every ``*.gen.json`` / ``*.npz`` decoder under the directories, earlier directories first,
        and the first classifier (``classifier.keras`` + ``classifier.json``) found."""
        for directory in [*model_dirs, *extra_dirs]:
            path = Path(directory)
            if not path.is_dir():
                log.warning("model directory %s does not exist; skipped", path)
                continue
            if self.classifier is None and (path / "classifier.json").exists():
                try:
                    self.classifier = Classifier.load(path)
                    log.info("loaded the classifier from %s (%d classes)", path, len(self.classifier.names))
                except (ValueError, OSError, KeyError) as exc:
                    log.warning("skipped the classifier in %s: %s", path, exc)
            for file in sorted([*path.glob("*.gen.json"), *path.glob("*.npz"), *path.glob("vae/*.npz")]):
                try:
                    decoder = load_decoder(file)
                except (ValueError, OSError, KeyError) as exc:
                    log.warning("skipped %s: %s", file, exc)
                    continue
                kind = self.vaes if decoder.config.z_size else self.decoders  # a VAE needs its z: never a decoder
                if decoder.name not in kind:
                    decoder.meta.setdefault("path", str(file))
                    kind[decoder.name] = decoder
        if self.decoders:
            log.info("loaded %d decoders: %s", len(self.decoders), ", ".join(sorted(self.decoders)))
        else:
            log.error("no decoders in %s: Buddy can draw nothing (/healthz answers 503)",
                      ", ".join(map(str, [*model_dirs, *extra_dirs])) or "no model directory")
        if self.vaes:
            log.info("loaded %d sketch VAEs: %s", len(self.vaes), ", ".join(sorted(self.vaes)))
        self.ready = True
        return self

    def warm_up(self) -> None:
        """Compile every shape a request can meet, so no child waits for a compilation (issue 26): the chunked
        prime and, for each LSTM width and padded length among the decoders and sketch VAEs, the sampling loop at
        every batch size the engine and the batcher make (``decoder.BATCH_BUCKETS`` up to the batcher's
        ``max_rows``);
        and the classifier at the batch sizes the engine's selection and /api/classify use."""
        import tensorflow as tf

        started = time.perf_counter()
        gpus = tf.config.list_physical_devices("GPU")
        log.info("TensorFlow %s runs the models on %s", tf.__version__,
                 ", ".join(g.name for g in gpus) if gpus else "the CPU (no GPU visible)")
        limit = self.batcher.max_rows if self.batcher is not None else max(BATCH_BUCKETS)
        shapes = {}
        for decoder in (*self.decoders.values(), *self.vaes.values()):
            shapes.setdefault((decoder.config.num_units, steps_bucket(decoder)), decoder)
        for decoder in shapes.values():
            z = [np.zeros(decoder.config.z_size, np.float32)] if decoder.config.z_size else None
            [state] = prime_many(decoder, [np.zeros((3, 5))], z)
            for rows in (b for b in BATCH_BUCKETS if b <= limit):
                sample(decoder, state, list(range(rows)), temperature=0.5, max_steps=2)
        if self.classifier is not None:
            blank = np.zeros((max(CLASSIFY_BUCKETS), 28, 28), np.uint8)
            self.classifier.guess_probabilities(blank[:1])  # /api/classify: one drawing, GUESS_VIEWS looks
            for rows in CLASSIFY_BUCKETS:  # the engine's selection and a morph's frames (padded to these), and
                for mirror in (False, True):  # one look (the engine's selection) and two (``probabilities``' default)
                    self.classifier.probabilities(blank[:rows], mirror=mirror)
        log.info("warm-up compiled %d decoder shapes (LSTM width, steps) %s in %.1f s", len(shapes), sorted(shapes),
                 time.perf_counter() - started)

    def objects(self) -> list[dict]:
        """The objects available, for the picker: name, label, icon, theme and where the model came from."""
        return [{"name": name, "label": catalog.label(name), "icon": catalog.icon(name),
                 "theme": catalog.theme(name).name, "source": d.meta.get("source", "doodle-buddy"),
                 "redraw": name in self.vaes}
                for name, d in sorted(self.decoders.items())]
