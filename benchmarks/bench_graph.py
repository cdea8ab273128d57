"""Graph benchmark: build time, and every analyst query on the five-plan graph
and on synthetic graphs of 10,000 and 100,000 actions, each in the on-disk store
and in an in-memory Oxigraph store (plus rdflib's own engine at 1,000 and
10,000 actions, for the choice of store).

Usage: python benchmarks/bench_graph.py [--sizes 10000 100000] [--runs 5]
Prints one line per figure; the medians are what the README and notes quote.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import write_ntriples
from kg.build import build_graph
from kg.ontology import ONTOLOGY_DIR
from kg.store import open_store, write_store

QUERIES = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ONTOLOGY_DIR / "queries").glob("*.rq"))}


def timed(fn, runs: int) -> float:
    """Median wall time in ms over runs, after one warm-up."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_queries(store: ox.Store, label: str, runs: int) -> None:
    for name, text in QUERIES.items():
        ms = timed(lambda text=text: list(store.query(text)), runs)
        print(f"{label:>16}  {name:<36} {ms:9.1f} ms")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    args.add_argument("--rdflib-sizes", type=int, nargs="*", default=[1_000, 10_000])
    args.add_argument("--runs", type=int, default=5)
    opts = args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        build_graph(tmp / "five")
        print(f"build (in process, graph only)           {time.perf_counter() - start:9.2f} s")
        start = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "tckg"), "build"], check=True,
                       capture_output=True, env={"TCKG_HOME": str(tmp / "cli"), "PATH": "/usr/bin:/bin"})
        print(f"`tckg build` (whole process)             {time.perf_counter() - start:9.2f} s")
        bench_queries(open_store(tmp / "five"), "five plans", opts.runs)
        for size in sorted(set(opts.sizes) | set(opts.rdflib_sizes)):
            nt = tmp / f"{size}.nt"
            start = time.perf_counter()
            write_ntriples(size, nt)
            generated = time.perf_counter() - start
            if size in opts.sizes:
                start = time.perf_counter()
                manifest = write_store(nt.read_bytes(), tmp / f"s{size}", {})
                print(f"{size:>10} actions: generated in {generated:.1f} s, {manifest['triples']} triples, "
                      f"loaded into Oxigraph in {time.perf_counter() - start:.1f} s")
                bench_queries(open_store(tmp / f"s{size}"), f"disk {size}", opts.runs)
                memory = ox.Store()
                memory.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
                bench_queries(memory, f"memory {size}", opts.runs)
            if size in opts.rdflib_sizes:
                graph = rdflib.Graph().parse(nt, format="nt")
                for name in ("coverage-matrix", "pillar-balance"):
                    ms = timed(lambda g=graph, q=QUERIES[name]: list(g.query(q)), max(1, opts.runs // 2))
                    print(f"{'rdflib ' + str(size):>16}  {name:<36} {ms:9.1f} ms")


if __name__ == "__main__":
    main()
