"""Server time per web page: the app in process (no network, no browser), each
page asked for by a browser's Accept header, timed from request to whole body.

    python benchmarks/bench_web.py [--rounds 20]

Needs a built state home ($TCKG_HOME, default var/; it is only read). The search
page is timed twice: on queries it has never seen (the query is encoded) and on
repeated ones (the query vector is cached), cycling through the relevance set's
37 queries. Prints the median and 95th percentile per page, in milliseconds.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.resources import QUERIES

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PAGES = {
    "/ (empty)": "/",
    "/?filters (browse)": "/?institution=northumbria&pillar=Recognition",
    "/?similar=": "/?similar=northumbria:16",
    "/coverage": "/coverage",
    "/coverage?scheme=E": "/coverage?scheme=E",
    "/sparql (editor)": "/sparql",
    "/sparql?query= (pillar balance)": "/sparql?query=" + quote(
        (QUERIES / "pillar-balance.rq").read_text(encoding="utf-8")),
    "/validate": "/validate",
    "/id/… action": "/id/northumbria/action/16",
    "/id/… institution": "/id/northumbria",
    "/id/… plan": "/id/manchester-met/plan",
    "/id/… recommendation": "/id/talent-R11",
    "/data": "/data",
    "/docs": "/docs",
}


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=BROWSER)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def summary(name: str, times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return f"{name:34} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   n={len(times)}"


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=20, help="requests per page")
    rounds = args.parse_args().rounds
    from fastapi.testclient import TestClient

    from api.app import create_app

    queries = [q["query"] for q in json.loads(
        (ROOT / "benchmarks/relevance/queries.json").read_text(encoding="utf-8"))["queries"]]
    with TestClient(create_app()) as client:
        for url in PAGES.values():
            timed(client, url)  # first use builds per-app caches (facts, open data)
        fresh = [timed(client, "/?q=" + quote(q)) for q in queries]
        again = [timed(client, "/?q=" + quote(queries[i % len(queries)])) for i in range(rounds)]
        print(summary(f"/?q= (new query, {len(queries)})", fresh))
        print(summary("/?q= (repeated query)", again))
        for name, url in PAGES.items():
            print(summary(name, [timed(client, url) for _ in range(rounds)]))


if __name__ == "__main__":
    main()
