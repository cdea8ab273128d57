"""Validation benchmark: generated plans of 100, 2,000 and 10,000 actions in each
input format, timed in process (start-up excluded), wall and CPU time, with the
share of each stage (reading the plan, the SHACL engine, making the report);
then concurrent validations: N at once on threads against N at once through the
process pool (kg/validation_pool.py, one worker per core); with --http, N at
once as POST /validate to the real app (`tckg serve` on 127.0.0.1, over a state
home in a temporary folder).

Usage: python benchmarks/bench_validate.py [--sizes 100 2000 10000] [--runs 3]
           [--concurrent 2000] [--at-once 4] [--http]
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx

from benchmarks.homes import built_home
from benchmarks.synthetic import synthetic_plans
from kg import gc_pause
from kg.rdf import add_plan, new_graph
from kg.store.oxigraph_server import free_port
from kg.submission import read_submission
from kg.validate import ENGINES, build_report, validate, warm
from kg.validation_pool import ValidationPool

PLAN = {"institution": "Synthetic University 0", "title": "Synthetic plan", "start": "2020-01", "end": "2027-12"}
TCKG = str(Path(sys.executable).parent / "tckg")
# A run at 10,000 actions takes half a minute: one is enough to see the size.
ONE_RUN_FROM = 10_000


def as_csv(plan) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "parent", "action", "pillars", "recommendations", "owner", "due",
                     "success_measure", "status"])
    for a in plan.actions:
        writer.writerow([a.local_id, "", a.text, ";".join(a.pillars), ";".join(a.recommendations),
                         ";".join(a.owners), a.deadline.value if a.deadline else "",
                         a.success_measures[0] if a.success_measures else "", ""])
    return out.getvalue().encode()


def as_rdf(plan, fmt: str) -> bytes:
    graph = new_graph()
    add_plan(graph, plan)
    return graph.serialize(format=fmt, auto_compact=True).encode() if fmt == "json-ld" else \
        graph.serialize(format=fmt).encode()


def plan_inputs(size: int) -> dict[str, tuple[bytes, dict]]:
    plan = next(synthetic_plans(size, per_plan=size))
    plan.institution, plan.title = PLAN["institution"], PLAN["title"]
    return {"csv": (as_csv(plan), PLAN), "turtle": (as_rdf(plan, "turtle"), {}),
            "json-ld": (as_rdf(plan, "json-ld"), {})}


def timed(call, *args, **kwargs) -> tuple[object, float, float]:
    """call(*args, **kwargs)'s value, wall and CPU seconds."""
    start, started_cpu = time.perf_counter(), time.process_time()
    value = call(*args, **kwargs)
    return value, time.perf_counter() - start, time.process_time() - started_cpu


def one_size(size: int, runs: int) -> None:
    for fmt, (data, fields) in plan_inputs(size).items():
        wall, cpu, stages = [], [], []
        for _ in range(runs if size < ONE_RUN_FROM else 1):
            # 10,000 actions of Turtle or JSON-LD are over the 10 MB upload limit: lifted here.
            report, seconds, cpu_seconds = timed(validate, data, fmt, max_bytes=len(data), **fields)
            wall.append(seconds)
            cpu.append(cpu_seconds)
            stages.append(_stages(data, fmt, fields))
        read, engine, rest = (statistics.median(s[k] for s in stages) for k in range(3))
        print(f"{size:>6} actions  {fmt:<8} {statistics.median(wall):7.2f} s wall "
              f"{statistics.median(cpu):6.2f} s cpu  (cpu: read {read:.2f}, engine {engine:.2f}, "
              f"report {rest:.2f})  ({len(data):,} bytes, {report.violations} violations, "
              f"{report.warnings} warnings)", flush=True)


def _stages(data: bytes, fmt: str, fields: dict) -> tuple[float, float, float]:
    """CPU seconds reading the plan, in the SHACL engine, and making the report
    (reading the engine's, what the plan does not address), each timed in a
    validation of its own, with the collector held off as validate() does."""
    with gc_pause.paused():
        submission, _, read = timed(read_submission, data, fmt, **fields)
        report, _, engine = timed(ENGINES["turbo"], submission)
        _, _, rest = timed(build_report, submission, report)
    return read, engine, rest


def concurrent(size: int, at_once: int) -> None:
    """`at_once` validations of one plan started together: on threads, then
    through the process pool; the wall time until all are done."""
    data = plan_inputs(size)["csv"][0]

    def all_done(call) -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(at_once) as threads:
            list(threads.map(lambda _: call(data, "csv", **PLAN), range(at_once)))
        return time.perf_counter() - start

    _, one, _ = timed(validate, data, "csv", **PLAN)
    threads = all_done(validate)
    pool = ValidationPool()
    try:
        all_done(pool.validate)  # start the workers
        processes = all_done(pool.validate)
    finally:
        pool.close()
    print(f"{at_once} x {size} actions at once: threads {threads:.2f} s, process pool "
          f"({pool.workers} workers) {processes:.2f} s; one alone {one:.2f} s", flush=True)


def over_http(size: int, at_once: int) -> None:
    """`at_once` POST /validate at once to `tckg serve`, against one alone: with
    a worker per core, all take about at_once x one / cores."""
    data = plan_inputs(size)["csv"][0]
    with built_home() as home:
        port = free_port()
        server = subprocess.Popen([TCKG, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                  env=dict(os.environ, TCKG_HOME=str(home)),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for(url, server)
            with httpx.Client(base_url=url, timeout=600) as client:
                def post(_=None) -> None:
                    answer = client.post("/validate", content=data, params=PLAN,
                                         headers={"content-type": "text/csv"})
                    assert answer.status_code == 200, answer.text[:300]

                with ThreadPoolExecutor(at_once) as threads:
                    list(threads.map(post, range(at_once)))  # every worker warm
                _, one, _ = timed(post)
                start = time.perf_counter()
                with ThreadPoolExecutor(at_once) as threads:
                    list(threads.map(post, range(at_once)))
                together = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=30)
    cores = os.cpu_count() or 1
    print(f"POST /validate, {at_once} x {size} actions at once: {together:.2f} s; one alone "
          f"{one:.2f} s; {at_once} in a row would take {at_once * one:.2f} s, "
          f"on {cores} cores in parallel {at_once * one / min(cores, at_once):.2f} s", flush=True)


def _wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            sys.exit("the server did not start")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not answer in 120 s")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--sizes", type=int, nargs="*", default=[100, 2000, 10000])
    args.add_argument("--runs", type=int, default=3, help=f"median of this many (one from {ONE_RUN_FROM:,} actions)")
    args.add_argument("--concurrent", type=int, default=2000, help="plan size for the concurrent runs (0: none)")
    args.add_argument("--at-once", type=int, default=4)
    args.add_argument("--http", action="store_true", help="also N at once over HTTP to `tckg serve`")
    opts = args.parse_args()
    warm()  # shapes parsed and compiled once per process, as the CLI and the API do
    for size in opts.sizes:
        one_size(size, opts.runs)
    if opts.concurrent:
        concurrent(opts.concurrent, opts.at_once)
        if opts.http:
            over_http(opts.concurrent, opts.at_once)


if __name__ == "__main__":
    main()
