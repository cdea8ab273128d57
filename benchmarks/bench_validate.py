"""Validation benchmark: generated plans of 20, 200 and 2,000 actions in each
input format, timed in process (start-up excluded), wall and CPU time; then
concurrent validations: N at once on threads (as the API ran them) against N
at once through the process pool (kg/validation_pool.py, one worker per core).

Usage: python benchmarks/bench_validate.py [--sizes 20 200 2000] [--runs 3]
           [--concurrent 200] [--at-once 4]
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import synthetic_plans
from kg.rdf import add_plan, new_graph
from kg.validate import shapes_graph, validate
from kg.validation_pool import ValidationPool

PLAN = {"institution": "Synthetic University 0", "title": "Synthetic plan", "start": "2020-01", "end": "2027-12"}


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


def concurrent(size: int, at_once: int) -> None:
    """`at_once` validations of one plan started together: on threads, then
    through the process pool; the wall time until all are done."""
    from concurrent.futures import ThreadPoolExecutor

    plan = next(synthetic_plans(size, per_plan=size))
    data = as_csv(plan)

    def all_done(call) -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(at_once) as threads:
            list(threads.map(lambda _: call(data, "csv", **PLAN), range(at_once)))
        return time.perf_counter() - start

    start = time.perf_counter()
    validate(data, "csv", **PLAN)
    one = time.perf_counter() - start
    threads = all_done(validate)
    pool = ValidationPool()
    try:
        all_done(pool.validate)  # start the workers
        processes = all_done(pool.validate)
    finally:
        pool.close()
    print(f"{at_once} x {size} actions at once: threads {threads:.2f} s, process pool "
          f"({pool.workers} workers) {processes:.2f} s; one alone {one:.2f} s", flush=True)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--sizes", type=int, nargs="*", default=[20, 200, 2000])
    args.add_argument("--runs", type=int, default=3)
    args.add_argument("--concurrent", type=int, default=200, help="plan size for the concurrent run")
    args.add_argument("--at-once", type=int, default=4)
    opts = args.parse_args()
    shapes_graph()  # loaded once per process, as the CLI and the API do
    for size in opts.sizes:
        plan = next(synthetic_plans(size, per_plan=size))
        plan.institution, plan.title = PLAN["institution"], PLAN["title"]
        inputs = {"csv": (as_csv(plan), PLAN), "turtle": (as_rdf(plan, "turtle"), {}),
                  "json-ld": (as_rdf(plan, "json-ld"), {})}
        for fmt, (data, fields) in inputs.items():
            samples, cpu = [], []
            for _ in range(opts.runs):
                start, started_cpu = time.perf_counter(), time.process_time()
                report = validate(data, fmt, **fields)
                samples.append(time.perf_counter() - start)
                cpu.append(time.process_time() - started_cpu)
            print(f"{size:>6} actions  {fmt:<8} {statistics.median(samples):8.2f} s wall "
                  f"{statistics.median(cpu):6.2f} s cpu  "
                  f"({len(data):,} bytes, {report.violations} violations, {report.warnings} warnings)",
                  flush=True)
    if opts.concurrent:
        concurrent(opts.concurrent, opts.at_once)


if __name__ == "__main__":
    main()
