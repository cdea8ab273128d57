"""The HTTP API under load: `tckg serve` on 127.0.0.1, wrk at concurrency 8.

    python benchmarks/bench_api.py [--duration 15] [--connections 8]

Needs `wrk` (Debian: apt-get install wrk) and a built state home ($TCKG_HOME,
default var/). Prints the server's start time, then requests per second and the
median and 99th-percentile latency for search, similar, the coverage query on
/sparql, and /validate with a 200-action CSV plan.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_validate import as_csv
from benchmarks.synthetic import synthetic_plans
from kg.resources import QUERIES
from kg.store.oxigraph_server import free_port

TCKG = str(Path(sys.executable).parent / "tckg")
# Requests cycle through the relevance set's queries: a realistic mix, which the
# server's cache of query vectors serves after the first round.
SEARCH_SCRIPT = """local queries = {{{queries}}}
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/search?limit=10&q=" .. queries[i])
end
"""
POST_SCRIPT = """wrk.method = "POST"
wrk.headers["Content-Type"] = "text/csv"
local f = io.open("{body}", "rb")
wrk.body = f:read("*all")
f:close()
"""


def start_server(port: int) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    server = subprocess.Popen([TCKG, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server, time.perf_counter() - started
        except httpx.TransportError:
            if server.poll() is not None:
                sys.exit("the server did not start: run `tckg build` first")
            time.sleep(0.05)


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, duration: int, connections: int, script: Path | None = None) -> str:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "60s",
               "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    note = f", {errors.group(1)} non-2xx" if errors else ""
    return f"{rps:8.1f} req/s  median {p50:7.1f} ms  p99 {p99:7.1f} ms{note}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs wrk: apt-get install wrk")
    port = free_port()
    server, start_s = start_server(port)
    print(f"server start (process to first /healthz): {start_s:.1f} s")
    base = f"http://127.0.0.1:{port}"
    coverage = (QUERIES / "coverage-matrix.rq").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        body = Path(tmp) / "plan.csv"
        body.write_bytes(as_csv(next(synthetic_plans(200, per_plan=200))))
        script = Path(tmp) / "post.lua"
        script.write_text(POST_SCRIPT.format(body=body), encoding="utf-8")
        validate = f"{base}/validate?institution=Synthetic+University&title=Plan"
        search_script = Path(tmp) / "search.lua"
        queries = json.loads((ROOT / "benchmarks/relevance/queries.json").read_text())["queries"]
        search_script.write_text(SEARCH_SCRIPT.format(queries=", ".join(
            f'"{quote(q["query"])}"' for q in queries)), encoding="utf-8")
        scenarios = [
            ("GET /search (37 queries)", f"{base}/search", search_script),
            ("GET /actions/{id}/similar", f"{base}/actions/northumbria:16/similar", None),
            ("GET /sparql coverage", f"{base}/sparql?query={quote(coverage)}", None),
            ("POST /validate 200 actions", validate, script),
        ]
        try:
            for label, url, lua in scenarios:
                print(f"{label:<28} {wrk(url, args.duration, args.connections, lua)}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    os.environ.setdefault("TCKG_HOME", str(ROOT / "var"))
    main()
