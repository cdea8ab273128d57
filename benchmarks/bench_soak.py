"""A soak: mixed load against the real server for a fixed time.

    python benchmarks/bench_soak.py [--duration 60] [--concurrency 4] [--home DIR] [--json]

Starts `tckg serve` on 127.0.0.1 (a free port) over DIR, or over a state home it
builds in a temporary folder first (`tckg build`, a minute or two), and sends
search, similar, SPARQL, validate, refused updates and a few hostile inputs
(deep nesting, oversized cells, the ORDER BY that crashes pyoxigraph) from
`--concurrency` threads until the time is up. Reports requests, errors by
status, p50/p99 per kind, and the server's memory (its RSS with its query
workers') at start, every ten seconds, and at the end: it must not grow
without bound. Linux only (memory is read from /proc).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.homes import COPY_FROM, make_home
from kg.resources import EXAMPLE_CSV
from kg.store.oxigraph_server import free_port
from kg.store.query import example_queries

ROOT = Path(__file__).resolve().parents[1]
TCKG = str(Path(sys.executable).parent / "tckg")
QUERIES = [q["query"] for q in json.loads(
    (ROOT / "benchmarks" / "relevance" / "queries.json").read_text(encoding="utf-8"))["queries"]]
PLAN_CSV = EXAMPLE_CSV.read_bytes()
SPARQL = [text for _, _, text in example_queries()]
PP14 = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
        "SELECT * WHERE { ?X foaf:knows* ?Y } ORDER BY ?X ?Y")
CSV_HEAD = b"id,parent,action,pillars,recommendations,owner,due,success_measure,status\n"


def _requests(actions: list[str]) -> list[tuple[str, int, object]]:
    """(kind, weight, function of a client -> response)."""
    sparql_query = {"content-type": "application/sparql-query"}
    return [
        ("search", 30, lambda c: c.get("/search", params={"q": random.choice(QUERIES), "limit": 10})),
        ("similar", 15, lambda c: c.get(f"/actions/{random.choice(actions)}/similar")),
        ("sparql", 20, lambda c: c.post("/sparql", content=random.choice(SPARQL).encode(),
                                         headers=sparql_query)),
        ("validate", 10, lambda c: c.post("/validate", content=PLAN_CSV, headers={
            "content-type": "text/csv"}, params={"institution": "University of Example"})),
        ("update (403)", 5, lambda c: c.post("/sparql", content=b"CLEAR ALL",
                                              headers={"content-type": "application/sparql-update"})),
        ("deep sparql (400)", 4, lambda c: c.post("/sparql", headers=sparql_query, content=(
            "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000).encode())),
        ("deep turtle (400)", 4, lambda c: c.post("/validate", headers={"content-type": "text/turtle"},
                                                   content=b"<urn:a> <urn:p> " + b"[ <urn:p> " * 20_000)),
        ("deep json-ld (400)", 4, lambda c: c.post(
            "/validate", headers={"content-type": "application/ld+json"},
            content=b'{"urn:p": ' * 50_000 + b"1" + b"}" * 50_000)),
        ("huge csv cell (400)", 4, lambda c: c.post(
            "/validate", headers={"content-type": "text/csv"},
            params={"institution": "University of Example"},
            content=CSV_HEAD + b"A1,," + b"x" * 100_000 + b",Visibility,,,,,\n")),
        ("pp14 (known 500)", 1, lambda c: c.post("/sparql", content=PP14.encode(), headers=sparql_query)),
    ]


def rss_mb(pid: int) -> float:
    """The RSS of a process and all its descendants (the query workers), in MB."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children[int(fields[1])].append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)
    return total / 1024


def build_home(folder: Path) -> Path:
    if os.environ.get(COPY_FROM):
        return make_home(folder)
    print(f"building a state home in {folder} (tckg build) ...", file=sys.stderr)
    done = subprocess.run([TCKG, "build"], env=dict(os.environ, TCKG_HOME=str(folder)),
                          capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"tckg build failed:\n{done.stderr}")
    return folder


def start_server(home: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([TCKG, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=dict(os.environ, TCKG_HOME=str(home)),
                              stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            if server.poll() is not None:
                sys.exit(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start within 120 s")


def soak(base: str, server_pid: int, duration: float, concurrency: int) -> dict:
    actions = [d["id"] for d in httpx.get(f"{base}/search", params={
        "q": "technicians", "limit": 50}).json()]
    kinds = _requests(actions)
    weights = [w for _, w, _ in kinds]
    samples: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker(seed: int) -> None:
        chooser = random.Random(seed)
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < stop_at:
                kind, _, send = chooser.choices(kinds, weights)[0]
                started = time.perf_counter()
                try:
                    status = send(client).status_code
                except httpx.TransportError:
                    status = 0  # no answer at all
                with lock:
                    samples.append((kind, status, (time.perf_counter() - started) * 1000))

    memory = [(0.0, rss_mb(server_pid))]
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        if time.monotonic() - began >= 10 * len(memory):
            memory.append((round(time.monotonic() - began), rss_mb(server_pid)))
    memory.append((round(time.monotonic() - began), rss_mb(server_pid)))
    return summary(samples, memory, time.monotonic() - began)


def summary(samples: list[tuple[str, int, float]], memory: list, elapsed: float) -> dict:
    by_kind: dict[str, list] = defaultdict(list)
    for kind, status, ms in samples:
        by_kind[kind].append((status, ms))
    return {
        "requests": len(samples), "seconds": round(elapsed, 1),
        "per_second": round(len(samples) / elapsed, 1),
        "by_status": dict(sorted(Counter(s for _, s, _ in samples).items())),
        "by_kind": {kind: {"n": len(rows), "statuses": dict(sorted(Counter(s for s, _ in rows).items())),
                           "p50_ms": round(statistics.median(ms for _, ms in rows), 1),
                           "p99_ms": round(_percentile([ms for _, ms in rows], 0.99), 1)}
                    for kind, rows in sorted(by_kind.items())},
        "rss_mb": [(t, round(mb, 1)) for t, mb in memory],
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(result: dict) -> None:
    print(f"{result['requests']} requests in {result['seconds']} s ({result['per_second']}/s); "
          f"by status: {result['by_status']}")
    print(f"{'kind':<22}{'n':>6}  {'p50 ms':>8}{'p99 ms':>9}  statuses")
    for kind, row in result["by_kind"].items():
        print(f"{kind:<22}{row['n']:>6}  {row['p50_ms']:>8}{row['p99_ms']:>9}  {row['statuses']}")
    trace = ", ".join(f"{t}s {mb} MB" for t, mb in result["rss_mb"])
    print(f"server RSS (with its query workers): {trace}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--home", type=Path, help="a built state home (default: build one in a "
                                                  "temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tckg-soak-") as scratch:
        home = args.home or build_home(Path(scratch) / "home")
        log = Path(scratch) / "server.log"
        server, base = start_server(home, log)
        try:
            result = soak(base, server.pid, args.duration, args.concurrency)
        finally:
            server.terminate()
            server.wait(30)
        result["server_log_request_ids"] = log.read_text(errors="replace").count("request ")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)


if __name__ == "__main__":
    main()
