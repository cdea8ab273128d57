"""Publishing benchmark, in a temporary state home (never $TCKG_HOME): build once,
then time `tckg add` of generated 50-action CSV plans in process after the model
is loaded (the target is 2 s each), a replacement, a removal, and a whole
`tckg build` process when nothing changed (the target is about a second). Checks
that the index stays equal to the graph's documents as plans are added.

Usage: python benchmarks/bench_publish.py [--actions 50] [--plans 3]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_validate import as_csv
from benchmarks.homes import make_home
from benchmarks.synthetic import synthetic_plans
from kg.store import open_store
from search.build import timed_load_encoder
from search.documents import read_documents
from search.encoder import model_name
from search.index import load_index
from search.publish import Publisher

TCKG = str(Path(sys.executable).parent / "tckg")


def plan_csv(n_actions: int, seed: int) -> bytes:
    plan = next(synthetic_plans(n_actions * 3, seed=seed, per_plan=n_actions * 3))
    plan.actions = [a for a in plan.actions if a.pillars][:n_actions]  # a conforming plan
    return as_csv(plan)


def fields(k: int) -> dict:
    return {"institution": f"Benchmark University {k}", "title": "Benchmark plan",
            "start": "2020-01", "end": "2027-12"}


def timed(label: str, func):
    """Wall time, and this process's CPU time (which a busy shared machine does
    not inflate; with two encoder threads it can exceed the wall time)."""
    started, cpu = time.perf_counter(), time.process_time()
    value = func()
    print(f"{label:<52} {time.perf_counter() - started:6.2f} s wall "
          f"{time.process_time() - cpu:6.2f} s CPU", flush=True)
    return value


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--actions", type=int, default=50)
    args.add_argument("--plans", type=int, default=3, help="at least 2")
    opts = args.parse_args()
    with tempfile.TemporaryDirectory(prefix="tckg-bench-publish-") as folder:
        home = Path(folder)
        encoder = timed_load_encoder()
        timed("tckg build (in process, model loaded)", lambda: make_home(home, encoder))
        publisher = Publisher(home)
        index = load_index(home, model_name())
        timed("load the ONNX encoder for adding", lambda: publisher.encoder(index))
        ids = []
        for k in range(opts.plans):
            data = plan_csv(opts.actions, seed=k)
            outcome = timed(f"add plan {k + 1} ({opts.actions} actions, CSV)",
                            lambda d=data, k=k: publisher.add(d, "csv", fields(k)))
            assert outcome.entry is not None, outcome.report.results[:3]
            ids.append(outcome.entry.id)
        data = plan_csv(opts.actions, seed=100)
        outcome = timed(f"replace plan 1 ({opts.actions} actions)",
                        lambda: publisher.add(data, "csv", fields(0)))
        assert outcome.replaced is not None
        timed("remove plan 2", lambda: publisher.remove(ids[1]))
        documents = read_documents(open_store(home))
        index = load_index(home, model_name())
        exact = [d.to_json() for d in index.documents] == [d.to_json() for d in documents]
        print(f"index equal to the graph's {len(documents)} documents: {exact}")
        env = dict(os.environ, TCKG_HOME=str(home))
        for run in range(3):
            timed(f"tckg build, nothing changed (process, run {run + 1})",
                  lambda: subprocess.run([TCKG, "build"], env=env, check=True, capture_output=True))


if __name__ == "__main__":
    main()
