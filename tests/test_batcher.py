"""Pooling: requests from concurrent users share one sampling pass and get exactly what they would alone."""

import threading
import time

import numpy as np
import pytest

from app.engine.batcher import Batcher
from app.engine.decoder import prime, sample
from tests.conftest import make_tiny_decoder


def run_pooled(batcher, calls):
    """Submit every call from its own thread while the sampling thread is held back, then let it run:
    the jobs are all waiting when the first pass is cut, as under load."""
    start_thread = batcher._ensure_thread
    batcher._ensure_thread = lambda: None
    results = [None] * len(calls)
    errors = [None] * len(calls)

    def call(i, args, kwargs):
        try:
            results[i] = batcher.sample(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            errors[i] = exc

    threads = [threading.Thread(target=call, args=(i, a, k)) for i, (a, k) in enumerate(calls)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(batcher.jobs) < len(calls) and time.monotonic() < deadline:
        time.sleep(0.01)
    batcher._ensure_thread = start_thread
    with batcher.cond:
        start_thread()
        batcher.cond.notify()
    for t in threads:
        t.join(60)
    return results, errors


def test_pooled_requests_get_what_they_would_get_alone():
    decoder = make_tiny_decoder()
    rng = np.random.default_rng(0)
    primes = [rng.normal(0, 10, (n, 5)) for n in (3, 7, 12)]
    for p in primes:
        p[:, 2:] = [1, 0, 0]
    calls = [((decoder, prime(decoder, p), [[i, 0], [i, 1]]),
              {"temperature": t, "max_steps": m}) for i, (p, t, m) in enumerate(zip(primes, (0.2, 0.6, 1.0),
                                                                                    (20, 45, 33)))]
    batcher = Batcher()
    pooled, errors = run_pooled(batcher, calls)
    assert errors == [None] * 3
    assert batcher.passes == 1 and batcher.pooled == 3
    for (args, kwargs), got in zip(calls, pooled):
        alone = sample(*args, **kwargs)
        assert len(got) == 2
        for (rows, finished), (rows_alone, finished_alone) in zip(got, alone):
            assert finished == finished_alone and len(rows) <= kwargs["max_steps"]
            np.testing.assert_allclose(rows, rows_alone, rtol=1e-5, atol=1e-4)


def test_a_request_larger_than_a_pass_gets_each_row_at_its_own_temperature_as_if_alone():
    decoder = make_tiny_decoder()
    state = prime(decoder, np.zeros((0, 5)))
    seeds = [[5, i] for i in range(10)]
    temperatures = [(0.25, 0.4, 0.6)[i % 3] for i in range(10)]
    batcher = Batcher(max_rows=4)
    got = batcher.sample(decoder, state, seeds, temperature=temperatures, max_steps=30)
    assert batcher.passes == 3  # 4 + 4 + 2 rows
    assert len(got) == 10
    for seed, t, (rows, finished) in zip(seeds, temperatures, got):
        [(rows_alone, finished_alone)] = sample(decoder, state, [seed], temperature=t, max_steps=30)
        assert finished == finished_alone
        np.testing.assert_allclose(rows, rows_alone, rtol=1e-5, atol=1e-4)


def test_different_decoders_and_modes_get_their_own_passes():
    a, b = make_tiny_decoder(name="a"), make_tiny_decoder(name="b", seed=1)
    state_a, state_b = prime(a, np.zeros((0, 5))), prime(b, np.zeros((0, 5)))
    calls = [((a, state_a, [1]), {"temperature": 0.5, "max_steps": 10}),
             ((b, state_b, [1]), {"temperature": 0.5, "max_steps": 10}),
             ((a, state_a, [2]), {"temperature": 0.5, "max_steps": 10, "stop_at_pen_up": True}),
             ((a, state_a, [3]), {"temperature": 0.5, "max_steps": 10})]
    batcher = Batcher()
    results, errors = run_pooled(batcher, calls)
    assert errors == [None] * 4 and all(len(r) == 1 for r in results)
    assert batcher.passes == 3  # a+a together; b alone; a with stop_at_pen_up alone


def test_an_error_reaches_the_request_and_the_batcher_keeps_serving():
    decoder = make_tiny_decoder()
    batcher = Batcher()
    with pytest.raises(Exception):  # noqa: B017 - a malformed state fails inside TensorFlow or NumPy
        batcher.sample(decoder, (np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((1, 5))), [1], temperature=0.5,
                       max_steps=5)
    [(rows, _)] = batcher.sample(decoder, prime(decoder, np.zeros((0, 5))), [1], temperature=0.5, max_steps=5)
    assert len(rows) <= 5
