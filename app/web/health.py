"""``/healthz``: whether this server can draw (models loaded, at least one decoder) and whether the classroom
database answers. The image's HEALTHCHECK and a load balancer ask it every few seconds, under any load."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class Health:
    """The answer to ``/healthz``. ``answer()`` asks the database each time, unless ``watch()`` was called: then a
    background thread asks it every ``interval`` seconds and ``answer()`` only reads what it found, so the answer
    never waits for a database that is slow or down (``python -m app`` answers it on the server's event loop, see
    ``app.__main__.json_errors_server``)."""

    def __init__(self, registry, store):
        self.registry, self.store = registry, store
        self._database: bool | None = None  # what the watcher last found; None: no watcher
        self._stop = threading.Event()

    def answer(self) -> tuple[int, dict]:
        """The status code (200 ready, 503 not) and the JSON body."""
        ready = self.registry.ready and bool(self.registry.decoders)
        database = self.store.answers() if self._database is None else self._database
        return (200 if ready else 503), {"ready": ready, "decoders": len(self.registry.decoders), "database": database}

    def watch(self, interval: float = 1.0) -> None:
        """Ask the database now, then every ``interval`` seconds in a daemon thread."""
        self._stop = stop = threading.Event()
        self._database = self.store.answers()

        def loop():
            while not stop.wait(interval):
                try:
                    self._database = self.store.answers()
                except Exception:  # a watcher that died would report the last state for ever
                    log.exception("asking the classroom database failed")
                    self._database = False

        threading.Thread(target=loop, name="doodle-health", daemon=True).start()

    def stop(self) -> None:
        """Stop the watcher (answers then ask the database again)."""
        self._stop.set()
        self._database = None
