"""Validation benchmark: generated plans of 20, 200 and 2,000 actions in each
input format, timed in process (start-up excluded).

Usage: python benchmarks/bench_validate.py [--sizes 20 200 2000] [--runs 3]
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


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--sizes", type=int, nargs="*", default=[20, 200, 2000])
    args.add_argument("--runs", type=int, default=3)
    opts = args.parse_args()
    shapes_graph()  # loaded once per process, as the CLI and the API do
    for size in opts.sizes:
        plan = next(synthetic_plans(size, per_plan=size))
        plan.institution, plan.title = PLAN["institution"], PLAN["title"]
        inputs = {"csv": (as_csv(plan), PLAN), "turtle": (as_rdf(plan, "turtle"), {}),
                  "json-ld": (as_rdf(plan, "json-ld"), {})}
        for fmt, (data, fields) in inputs.items():
            samples = []
            for _ in range(opts.runs):
                start = time.perf_counter()
                report = validate(data, fmt, **fields)
                samples.append(time.perf_counter() - start)
            print(f"{size:>6} actions  {fmt:<8} {statistics.median(samples):8.2f} s  "
                  f"({len(data):,} bytes, {report.violations} violations, {report.warnings} warnings)",
                  flush=True)


if __name__ == "__main__":
    main()
