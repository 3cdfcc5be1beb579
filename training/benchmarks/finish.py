"""What a class feels when it presses Finish: latency of /api/complete on a fresh server, measured from outside.

Starts its own server (``python -m app``) on the app's defaults (the models in ``models/``), waits for ``/healthz``
to say 200, and at once sends a burst of ``--burst`` concurrent Show me more requests (9 endings each: a class
pressing it together, right after start-up: nothing may wait for a compilation), then as many Finish requests (1
ending) and as many hints (a class drawing with Buddy); then, one at a time, ``--repeats`` requests for 1 ending
and for 9 endings of a typical half-drawing (a cat's head, 5 strokes, on an 800x600 paper), and the other drawing
requests. Prints the figures.

    python -m training.benchmarks.finish [--burst 30] [--repeats 30] [--port 8765]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from training.paths import ROOT

# a cat's head as a child draws it, about a third of an 800x600 paper
HEAD = [[[300, 300], [300, 140], [340, 190], [420, 190], [460, 140], [460, 300], [380, 320], [300, 300]],
        [[344, 230], [352, 238]], [[408, 230], [416, 238]], [[370, 270], [380, 280], [390, 270]]]


def call(url: str, path: str, body: dict) -> tuple[float, int]:
    """One POST of a JSON body -> (milliseconds, HTTP status)."""
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return (time.perf_counter() - started) * 1000, status


def post(url: str, variations: int, seed: int | None = None) -> tuple[float, int]:
    """One Finish request -> (milliseconds, HTTP status)."""
    body = {"class": "cat", "strokes": HEAD, "canvas": {"width": 800, "height": 600}, "variations": variations}
    if seed is not None:
        body["seed"] = seed
    return call(url, "/api/complete", body)


# the other drawing requests on the same head, one at a time: (what, path, body)
OTHERS = [
    ("hint (Draw with me)", "/api/hint", {"class": "cat"}),
    ("redraw with 4 versions", "/api/redraw", {"class": "cat", "count": 4}),
    ("morph of 9 frames", "/api/morph", {"class": "cat", "frames": 9}),
    ("imagine with 6 objects", "/api/imagine", {"count": 6}),
]


def wait_ready(url: str, timeout: float = 300) -> float:
    """Seconds until /healthz answers 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between ranks."""
    values = sorted(values)
    k = (len(values) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def burst(what: str, count: int, request) -> None:
    """Send ``count`` requests at once (``request(i)`` -> (milliseconds, HTTP status)) and print their figures."""
    results = [(0.0, 0)] * count

    def one(i: int) -> None:
        results[i] = request(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = [ms for ms, status in results if status == 200] or [math.nan]
    print(f"{what}: p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms, max {max(times):.0f} ms, "
          f"{sum(status != 200 for _, status in results)} errors", flush=True)


def main(argv=None) -> None:
    """Start the server, burst, then time single requests; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=30, help="concurrent requests in each burst after start-up")
    parser.add_argument("--repeats", type=int, default=30, help="sequential requests per number of endings")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    url = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "PORT": str(args.port), "DOODLE_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        print(f"ready after {wait_ready(url):.1f} s (loading and warming up)", flush=True)
        burst(f"burst of {args.burst} concurrent Show me more (9 endings) right after start-up", args.burst,
              lambda i: post(url, 9, seed=1000 + i))
        burst(f"burst of {args.burst} concurrent Finish just after", args.burst, lambda i: post(url, 1, seed=i))
        burst(f"burst of {args.burst} concurrent hints (a class drawing with Buddy)", args.burst,
              lambda i: call(url, "/api/hint", {"class": "cat", "strokes": HEAD, "seed": i,
                                                "canvas": {"width": 800, "height": 600}}))
        for variations in (1, 9):
            times = [post(url, variations, seed=i)[0] for i in range(args.repeats)]
            print(f"{variations} ending(s), one request at a time: median {statistics.median(times):.0f} ms, "
                  f"p95 {percentile(times, 95):.0f} ms over {args.repeats}", flush=True)
        for what, path, extra in OTHERS:
            runs = [call(url, path, {"strokes": HEAD, "canvas": {"width": 800, "height": 600}, "seed": i, **extra})
                    for i in range(args.repeats)]
            times = [ms for ms, status in runs if status == 200]
            if not times:
                print(f"{what}: not served here (HTTP {runs[0][1]})", flush=True)
                continue
            print(f"{what}, one request at a time: median {statistics.median(times):.0f} ms, "
                  f"p95 {percentile(times, 95):.0f} ms over {len(times)}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
