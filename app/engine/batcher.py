"""Pool sampling requests from concurrent users into shared batched decoder passes.

Each request thread primes its own LSTM state, then hands its rows (state, seeds, temperature, length cap) to
the batcher and waits. One sampling thread per process takes the oldest waiting job, adds every other waiting
job for the same decoder and stopping mode (up to ``max_rows`` rows), and runs them as one
``decoder.sample_rows`` pass. On 2 cores one pass of 9 or 16 rows costs far less than 9 or 16 passes of one,
so under load throughput rises; a lone request waits no extra time (nothing is held back to fill a batch).
A row's result depends only on its own inputs, so pooling never changes what a request gets.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field

from app.engine.decoder import Decoder, row_temperatures, sample_rows


@dataclass
class _Job:
    decoder: Decoder
    states: list  # one primed (c, h, x) per row
    seeds: list
    temperatures: list  # one per row
    max_steps: int
    stop_at_pen_up: bool
    stop_at_end: bool
    future: Future = field(default_factory=Future)

    def key(self):
        """Jobs with the same key can share a pass."""
        return id(self.decoder), self.stop_at_pen_up, self.stop_at_end


class Batcher:
    """A queue of sampling jobs and the one thread that runs them in pooled passes."""

    def __init__(self, max_rows: int = 64):
        """``max_rows``: the most rows in one pass (a batch bucket of the compiled loop)."""
        self.max_rows = max_rows
        self.jobs: deque[_Job] = deque()
        self.cond = threading.Condition()
        self.passes = 0  # sampling passes run (for tests and benchmarks)
        self.pooled = 0  # jobs that shared a pass with another job
        self._thread: threading.Thread | None = None

    def sample(self, decoder: Decoder, state, seeds, **kwargs):
        """``decoder.sample``'s contract (one primed state for every row), run in a pooled pass."""
        return self.sample_states(decoder, [state] * len(seeds), seeds, **kwargs)

    def sample_states(self, decoder: Decoder, states, seeds, *, temperature, max_steps: int,
                      stop_at_pen_up: bool = False, stop_at_end: bool = True):
        """``decoder.sample_states``' contract, run in pooled passes; blocks until this request's rows are ready.
        More rows than ``max_rows`` go in as several jobs at once (each a shape the warm-up compiled)."""
        temperatures = row_temperatures(temperature, len(seeds))
        states, seeds = list(states), list(seeds)
        jobs = [_Job(decoder, states[i:i + self.max_rows], seeds[i:i + self.max_rows],
                     temperatures[i:i + self.max_rows], int(max_steps), bool(stop_at_pen_up), bool(stop_at_end))
                for i in range(0, len(seeds), self.max_rows)]
        with self.cond:
            self._ensure_thread()
            self.jobs.extend(jobs)
            self.cond.notify()
        return [row for job in jobs for row in job.future.result()]

    def _ensure_thread(self):
        """Start the sampling thread on first use (and again if it ever died)."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="doodle-sampler", daemon=True)
            self._thread.start()

    def _take(self) -> list[_Job]:
        """The oldest job plus every waiting job that can share its pass, within ``max_rows``."""
        with self.cond:
            while not self.jobs:
                self.cond.wait()
            first = self.jobs.popleft()
            taken, rows, rest = [first], len(first.seeds), deque()
            while self.jobs:
                job = self.jobs.popleft()
                if job.key() == first.key() and rows + len(job.seeds) <= self.max_rows:
                    taken.append(job)
                    rows += len(job.seeds)
                else:
                    rest.append(job)
            self.jobs.extendleft(reversed(rest))
            return taken

    def _run(self):
        while True:
            jobs = self._take()
            try:
                self._pass(jobs)
            except Exception as exc:  # noqa: BLE001 - the error goes to the requests that asked
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(exc)

    def _pass(self, jobs: list[_Job]):
        """Run the jobs as one batched pass and hand each its rows."""
        first = jobs[0]
        states, seeds, temperatures, caps = [], [], [], []
        for job in jobs:
            states += job.states
            seeds += job.seeds
            temperatures += job.temperatures
            caps += [job.max_steps] * len(job.seeds)
        results = sample_rows(first.decoder, states, seeds, temperatures, caps,
                              stop_at_pen_up=first.stop_at_pen_up, stop_at_end=first.stop_at_end)
        self.passes += 1
        if len(jobs) > 1:
            self.pooled += len(jobs)
        start = 0
        for job in jobs:
            job.future.set_result(results[start:start + len(job.seeds)])
            start += len(job.seeds)
