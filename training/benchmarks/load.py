"""Load of a real server (``python -m app`` on the shipped models, started here on a free port): a class behind one
address, and a storm of huge requests (issue 49.1 and 49.3).

    python -m training.benchmarks.load class [--seconds 60] [--children 30]
    python -m training.benchmarks.load storm [--seconds 60] [--clients 40]

- ``class``: 30 children on one address (a school behind NAT) for 60 s. Each draws a stroke every 1.5-3 s and
  gets a guess after each (classify); half of them have Draw with me on (a hint after each stroke); every 6th
  stroke one taps Finish, and every 4th Finish is Show me more (6 endings). Figures: requests refused (429/503)
  and p50/p95 per endpoint. Targets: 0 refused, hint p95 <= 0.5 s, classify p95 <= 0.3 s, Finish p95 <= 1 s.
- ``storm``: 40 clients, each on its own address, send huge requests back to back (a 10,000-point classify, 9
  endings of a 300-stroke drawing) while one child's Finish (every second) and /healthz (every 0.2 s) are timed.
  /healthz is timed twice: from a thread of this process (which shares its interpreter with the 40 storming
  threads, so its figure includes this process's own waits), and from a process of its own, as the image's
  HEALTHCHECK and a load balancer ask it (``probe``). Figures: what the server refused (503 with Retry-After) and
  what else it answered, /healthz p50/p99/max, the child's Finish p50/p95, and the server's peak memory (RSS,
  sampled every 0.25 s). Targets: /healthz p99 < 100 ms, the child's Finish p95 < 1 s, every refusal a 503 with
  Retry-After.

The server runs with its defaults (``--env KEY=VALUE`` to change one); the figures are this machine's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

from training.benchmarks.api import CAT, rss_mb
from training.paths import ROOT

CANVAS = {"width": 800, "height": 600}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m app`` on a free port, until the block ends."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.env = {**os.environ, "PORT": str(self.port), "DOODLE_HOST": "127.0.0.1", **env}

    def __enter__(self):
        self.log = tempfile.TemporaryFile("w+")  # the server's log: its errors are printed at the end
        self.process = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        started = time.monotonic()
        while True:
            try:
                status, _ = request(self.port, "127.0.0.1", "GET", "/healthz", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() - started > 600:
                raise RuntimeError("the server did not start")
            time.sleep(0.5)
        self.started_s = time.monotonic() - started
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(30)
        self.log.seek(0)
        text = self.log.read()
        errors = text.count(" ERROR app")
        first = f", the first:\n{text[text.index(' ERROR app'):][:3000]}" if errors else ""
        print(f"server log: {errors} errors{first}")


def request(port: int, source: str, method: str, path: str, body: dict | bytes | None = None, timeout: float = 60):
    """(status, headers) of one request sent from the loopback address ``source`` (a body already encoded is sent
    as it is: the storm's clients encode theirs once, so this machine's cores go to the server)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


class Log:
    """Latencies (ms) and statuses per kind of request, from many threads."""

    def __init__(self):
        self.lock, self.rows = threading.Lock(), []

    def timed(self, kind: str, port: int, source: str, method: str, path: str, body=None):
        began = time.perf_counter()
        try:
            status, headers = request(port, source, method, path, body)
        except OSError as exc:
            status, headers = type(exc).__name__, {}
        with self.lock:
            self.rows.append((kind, status, (time.perf_counter() - began) * 1000, "Retry-After" in headers))
        return status

    def summary(self, kind: str) -> str:
        rows = [r for r in self.rows if r[0] == kind]
        ok = sorted(ms for _, status, ms, _ in rows if status == 200)
        others: dict[str, int] = {}
        for _, status, _, retry in rows:
            if status != 200:
                key = f"{status}{' + Retry-After' if retry else ''}"
                others[key] = others.get(key, 0) + 1
        text = f"{kind}: {len(rows)} sent, {len(ok)} answered 200"
        if others:
            text += ", " + ", ".join(f"{n} x {k}" for k, n in sorted(others.items()))
        if ok:
            text += f"; p50 {percentile(ok, 50):.0f} ms, p95 {percentile(ok, 95):.0f} ms"
            text += f", p99 {percentile(ok, 99):.0f} ms, max {ok[-1]:.0f} ms"
        return text


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(round(q / 100 * (len(sorted_values) - 1))))]


def stroke(rng: random.Random, points: int = 12) -> list[list[float]]:
    x, y = rng.uniform(100, 700), rng.uniform(100, 500)
    out = []
    for _ in range(points):
        x, y = min(max(x + rng.uniform(-25, 25), 0), 800), min(max(y + rng.uniform(-25, 25), 0), 600)
        out.append([round(x, 1), round(y, 1)])
    return out


def a_class(port: int, seconds: float, children: int, log: Log) -> None:
    """``children`` threads on one address (127.0.0.2) drawing for ``seconds``."""
    stop = time.monotonic() + seconds

    def child(k: int):
        rng = random.Random(k)
        name = rng.choice(["cat", "pig", "owl", "bird", "dog", "flower", "bee"])
        strokes, finishes = [], 0
        time.sleep(rng.uniform(0, 2))
        while time.monotonic() < stop:
            strokes.append(stroke(rng))
            drawing = {"class": name, "strokes": strokes[-40:], "canvas": CANVAS}
            log.timed("classify", port, "127.0.0.2", "POST", "/api/classify", drawing)
            if k % 2 == 0:
                log.timed("hint", port, "127.0.0.2", "POST", "/api/hint", drawing)
            if len(strokes) % 6 == 0:
                finishes += 1
                more = finishes % 4 == 0
                log.timed("show me more" if more else "finish", port, "127.0.0.2", "POST", "/api/complete",
                          {**drawing, "variations": 6 if more else 1})
            time.sleep(rng.uniform(1.5, 3.0))

    run_threads([threading.Thread(target=child, args=(k,)) for k in range(children)])


def storm(port: int, seconds: float, clients: int, log: Log, pid: int) -> float:
    """``clients`` threads of huge requests, each on its own address, while a child's Finish and /healthz are
    timed; returns the server's peak RSS (MB)."""
    stop = time.monotonic() + seconds
    rng = random.Random(0)
    points = [[10 + i % 780, 10 + (i * 7) % 580] for i in range(10_000)]
    huge_classify = json.dumps({"strokes": [points], "canvas": CANVAS}).encode()
    many = [stroke(rng, 30) for _ in range(300)]  # 300 strokes, 9,000 points
    huge_finish = json.dumps({"class": "cat", "strokes": many, "canvas": CANVAS, "variations": 9}).encode()

    def heavy(k: int):
        source = f"127.0.1.{k + 1}"
        while time.monotonic() < stop:
            if k % 2:
                log.timed("storm: 10,000-point classify", port, source, "POST", "/api/classify", huge_classify)
            else:
                log.timed("storm: 9 endings of 300 strokes", port, source, "POST", "/api/complete", huge_finish)

    def child():
        drawing = {"class": "cat", "strokes": CAT, "canvas": {"width": 200, "height": 200}}
        while time.monotonic() < stop:
            log.timed("a child's Finish", port, "127.0.0.3", "POST", "/api/complete", drawing)
            time.sleep(1.0)

    def health():
        while time.monotonic() < stop:
            log.timed("/healthz", port, "127.0.0.4", "GET", "/healthz")
            time.sleep(0.2)

    peak = [0.0]

    def memory():
        while time.monotonic() < stop:
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.25)

    prober = subprocess.Popen([sys.executable, "-m", "training.benchmarks.load", "probe", "--port", str(port),
                               "--seconds", str(seconds)], stdout=subprocess.PIPE, text=True)
    run_threads([threading.Thread(target=heavy, args=(k,)) for k in range(clients)]
                + [threading.Thread(target=f) for f in (child, health, memory)])
    out, _ = prober.communicate(timeout=seconds + 60)
    with log.lock:
        log.rows += [(PROBED, status, ms, False) for status, ms in json.loads(out)]
    return peak[0]


PROBED = "/healthz from its own process"


def probe(port: int, seconds: float) -> None:
    """/healthz every 0.2 s for ``seconds``, from this process alone; prints [[status, ms], ...] as JSON."""
    log, stop = Log(), time.monotonic() + seconds
    while time.monotonic() < stop:
        log.timed("/healthz", port, "127.0.0.5", "GET", "/healthz")
        time.sleep(0.2)
    print(json.dumps([[status, ms] for _, status, ms, _ in log.rows]))


def run_threads(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=("class", "storm", "probe"))
    parser.add_argument("--port", type=int, help="probe: the server's port")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--children", type=int, default=30)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--env", nargs="*", default=[], metavar="KEY=VALUE", help="the server's settings")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env)
    if args.scenario == "probe":
        return probe(args.port, args.seconds)
    with Server(env) as server:
        print(f"server up in {server.started_s:.1f} s, RSS {rss_mb(server.process.pid):.0f} MB", flush=True)
        log = Log()
        if args.scenario == "class":
            a_class(server.port, args.seconds, args.children, log)
            kinds = ("classify", "hint", "finish", "show me more")
        else:
            peak = storm(server.port, args.seconds, args.clients, log, server.process.pid)
            kinds = ("storm: 10,000-point classify", "storm: 9 endings of 300 strokes", "a child's Finish",
                     "/healthz", PROBED)
        for kind in kinds:
            print(log.summary(kind))
        refused = sum(1 for _, status, _, _ in log.rows if status in (429, 503))
        print(f"{len(log.rows)} requests in {args.seconds:g} s, {refused} refused (429/503)")
        if args.scenario == "storm":
            print(f"server peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
