"""Load test of a running server: p50/p95 latency and throughput of /api/complete, and the server's memory.

Start the server first (e.g. with Google's 45 decoders as extra models):
    DOODLE_EXTRA_MODEL_DIRS=../shared/pretrained/sketch-rnn .venv/bin/python -m app &
then:
    python -m training.benchmarks.api [--url http://127.0.0.1:8000] [--clients 16] [--seconds 30] [--pid PID]
        [--stalled 40] [--bad 500]
Each client posts a 30-point partial cat (1 variation, temperature 0.4) in a loop. Meanwhile ``--stalled`` connections
send half a request and wait (slowloris), and /healthz is timed every half second; ``--bad`` malformed requests
(bad JSON, wrong types, NaN, huge integers, control characters, UTF-16, truncated and oversized bodies, unknown
objects) are sent and counted as failed safely (a 4xx JSON error, or 429/503 with Retry-After) or misbehaved.
"""

import argparse
import json
import random
import socket
import statistics
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

CAT = [[[60, 80], [60, 20], [90, 50], [120, 20], [120, 80]], [[60, 80], [40, 120], [60, 160], [120, 160],
       [140, 120], [120, 80]], [[75, 100], [78, 104]], [[105, 100], [108, 104]], [[85, 130], [90, 135], [95, 130]]]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children , MB."""
    total = 0.0
    for p in [pid, *[int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def bad_bodies(n: int, seed: int = 0) -> list[bytes]:
    """``n`` malformed /api/complete bodies of many kinds."""
    rng = random.Random(seed)
    good = {"class": "cat", "strokes": CAT, "canvas": {"width": 200, "height": 200}}
    makers = [
        lambda: b"{oops",
        lambda: json.dumps({**good, "class": rng.choice(["unicorn", "", "c\x00at", 7, None])}).encode(),
        lambda: json.dumps({**good, "canvas": {"width": rng.choice([0, -5, "wide", 10**400]), "height": 10}}).encode(),
        lambda: json.dumps({**good, "strokes": rng.choice([[[[1, 2, 3]]], "x", [[["a", 1]]],
                                                           [[[10**401, 1]]]])}).encode(),
        lambda: json.dumps({**good, "temperature": rng.choice([-1, 99, "hot", 10**300])}).encode(),
        lambda: json.dumps(good).replace('"width": 200', '"width": NaN').encode(),
        lambda: json.dumps({**good, "class": "unicorn"}).encode("utf-16"),  # well-formed but unknown: 404
        lambda: json.dumps(good).encode()[: rng.randint(1, 40)],
        lambda: json.dumps({**good, "variations": rng.choice([0, 10, 2.5, True])}).encode(),
        lambda: b"[" * 1_200_000,
    ]
    return [makers[i % len(makers)]() for i in range(n)]


def send_bad(url: str, bodies: list[bytes]) -> dict:
    """Post each body -> counts: failed safely (4xx with a JSON error; 429/503 with Retry-After) or misbehaved."""
    safe, misbehaved = 0, []
    for body in bodies:
        request = urllib.request.Request(url + "/api/complete", data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                misbehaved.append(f"{r.status} for {body[:40]!r}")
        except urllib.error.HTTPError as e:
            try:
                ok = 400 <= e.code < 500 and "error" in json.loads(e.read())
            except ValueError:
                ok = e.code == 413  # the server itself refused a body far over the limit
            ok = ok or (e.code in (429, 503) and e.headers.get("Retry-After"))
            if ok:
                safe += 1
            else:
                misbehaved.append(f"{e.code} for {body[:40]!r}")
        except OSError as exc:
            misbehaved.append(f"{exc} for {body[:40]!r}")
    return {"tried": len(bodies), "failed_safely": safe, "misbehaved": len(misbehaved), "examples": misbehaved[:3]}


def stall(url: str, count: int) -> list[socket.socket]:
    """``count`` connections that send half a request and wait."""
    parts = urlsplit(url)
    socks = []
    for i in range(count):
        s = socket.create_connection((parts.hostname, parts.port or 80), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" if i % 2 else
                  b"POST /api/complete HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")
        socks.append(s)
    return socks


def main() -> None:
    """Hammer /api/complete from N threads and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--pid", type=int, help="server pid, to report its RSS")
    parser.add_argument("--variations", type=int, default=1)
    parser.add_argument("--stalled", type=int, default=0, help="half-open connections held during the load")
    parser.add_argument("--bad", type=int, default=0, help="malformed requests sent during the load")
    args = parser.parse_args()
    body = json.dumps({"class": "cat", "strokes": CAT, "canvas": {"width": 200, "height": 200},
                       "temperature": 0.4, "variations": args.variations}).encode()
    latencies, errors = [], []
    stop = time.monotonic() + args.seconds

    def client():
        while time.monotonic() < stop:
            request = urllib.request.Request(args.url + "/api/complete", data=body,
                                             headers={"Content-Type": "application/json"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as r:
                    r.read()
                latencies.append((time.perf_counter() - t0) * 1000)
            except OSError as exc:
                errors.append(str(exc))

    health = []

    def watch_health():
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(args.url + "/healthz", timeout=10) as r:
                    r.read()
                health.append((time.perf_counter() - t0) * 1000)
            except OSError:
                health.append(float("inf"))
            time.sleep(0.5)

    socks = stall(args.url, args.stalled)
    threads = [threading.Thread(target=client) for _ in range(args.clients)] + [threading.Thread(target=watch_health)]
    bad = {}
    if args.bad:
        threads.append(threading.Thread(target=lambda: bad.update(send_bad(args.url, bad_bodies(args.bad)))))
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    for s in socks:
        s.close()
    if args.stalled:
        print(f"{args.stalled} stalled connections held; /healthz during the load: median "
              f"{statistics.median(health):.0f} ms, max {max(health):.0f} ms over {len(health)} probes")
    if bad:
        print(f"bad requests: {json.dumps(bad)}")
    q = statistics.quantiles(latencies, n=20)
    print(f"{args.clients} clients, {elapsed:.1f} s, {len(latencies)} completions, {len(errors)} errors")
    print(f"latency p50 {statistics.median(latencies):.0f} ms, p95 {q[18]:.0f} ms; "
          f"throughput {len(latencies) / elapsed:.1f} completions/s")
    if args.pid:
        print(f"server RSS {rss_mb(args.pid):.0f} MB")


if __name__ == "__main__":
    main()
