"""Load test of a running server: p50/p95 latency and throughput of /api/complete, and the server's memory.

Start the server first (e.g. with Google's 45 decoders as extra models):
    DOODLE_EXTRA_MODEL_DIRS=../shared/pretrained/sketch-rnn .venv/bin/python -m app &
then:
    python -m training.benchmark_api [--url http://127.0.0.1:8000] [--clients 16] [--seconds 30] [--pid PID]
Each client posts a 30-point partial cat (1 variation, temperature 0.4) in a loop.
"""

import argparse
import json
import statistics
import threading
import time
import urllib.request
from pathlib import Path

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


def main() -> None:
    """Hammer /api/complete from N threads and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--pid", type=int, help="server pid, to report its RSS")
    parser.add_argument("--variations", type=int, default=1)
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

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    q = statistics.quantiles(latencies, n=20)
    print(f"{args.clients} clients, {elapsed:.1f} s, {len(latencies)} completions, {len(errors)} errors")
    print(f"latency p50 {statistics.median(latencies):.0f} ms, p95 {q[18]:.0f} ms; "
          f"throughput {len(latencies) / elapsed:.1f} completions/s")
    if args.pid:
        print(f"server RSS {rss_mb(args.pid):.0f} MB")


if __name__ == "__main__":
    main()
