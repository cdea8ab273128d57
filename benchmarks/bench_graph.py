"""Graph benchmark: build time, load times and every analyst query, with the
embedded store and an external SPARQL server side by side.

On the five-plan graph and on synthetic graphs (10,000 and 100,000 actions by
default): the load into the embedded store and into Oxigraph servers started
on 127.0.0.1 (standard Graph Store Protocol POSTs into one, the same with
Oxigraph's opt-in bulk hint, TCKG_GRAPH_STORE_PARAMS=no_transaction, into
another), then each analyst query in the on-disk store, in an in-memory
Oxigraph store, and on the server over HTTP (what tckg's external backend
does: POST, read the results, parse them). rdflib's own engine
at 1,000 and 10,000 actions, for the choice of store. `--load-sizes` adds
external-only runs of the load and the coverage query (1,000,000 actions: the
100,000-action graph copied ten times under new IRIs and institution names).

Everything happens in a temporary folder of its own; $TCKG_HOME is never read
or written.

Usage: python benchmarks/bench_graph.py [--sizes 10000 100000] [--runs 5]
           [--rdflib-sizes 1000 10000] [--load-sizes 1000000] [--no-cli-build]
           [--no-standard-load]
Prints one line per figure; the medians are what the docs quote.
"""
from __future__ import annotations

import argparse
import os
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

from benchmarks.synthetic import replicate, write_ntriples
from kg import resources
from kg.build import build_graph
from kg.store import open_store, write_store
from kg.store.oxigraph_server import OxigraphServer

QUERIES = {f.name.removesuffix(".rq"): f.read_text(encoding="utf-8")
           for f in resources.files_in(resources.QUERIES, ".rq")}
BASE_SIZE = 100_000  # what --load-sizes copies


def server_cpu() -> float:
    """CPU seconds used so far by the external server started here (0 if none)."""
    if SERVER_PID is None:
        return 0.0
    fields = Path(f"/proc/{SERVER_PID}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SERVER_PID: int | None = None


def timed(fn, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (this process plus the server's) in
    ms over runs, after one warm-up. On a shared machine the CPU time is the
    figure that does not depend on what else runs."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = time.process_time() + server_cpu(), time.perf_counter()
        fn()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() + server_cpu() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def query_times(store, runs: int, names=QUERIES) -> dict[str, tuple[float, float]]:
    return {name: timed(lambda text=QUERIES[name]: list(store.query(text)), runs) for name in names}


def print_table(label: str, columns: dict[str, dict[str, tuple[float, float]]]) -> None:
    heads = "".join(f"{c + ' wall/cpu':>22}" for c in columns)
    print(f"{label}\n  {'query':<36}{heads}   (median ms)", flush=True)
    for name in next(iter(columns.values())):
        cells = "".join(f"{col[name][0]:13.1f} /{col[name][1]:7.1f}" for col in columns.values())
        print(f"  {name:<36}{cells}", flush=True)


def timed_load(data: bytes, home: Path) -> tuple[dict, float, float]:
    """write_store's wall time and CPU time (this process plus the server's), in s."""
    cpu, start = time.process_time() + server_cpu(), time.perf_counter()
    manifest = write_store(data, home, {})
    return manifest, time.perf_counter() - start, time.process_time() + server_cpu() - cpu


def external_load(data: bytes, tmp: Path, name: str, bulk: bool) -> OxigraphServer:
    """A fresh server loaded with `data` (standard Graph Store POSTs, or with
    Oxigraph's opt-in bulk hint), its load figures printed; the caller stops it."""
    global SERVER_PID
    server = OxigraphServer(tmp / f"oxigraph-{name}", timeout_s=600)
    SERVER_PID = server.process.pid
    with server.environment(bulk=bulk):
        manifest, wall, cpu = timed_load(data, tmp / f"external-{name}")
    how = "with the bulk hint (no_transaction)" if bulk else "standard Graph Store POSTs"
    print(f"{name:>10}: external load, {how}, checked, switched: {manifest['triples']:,} "
          f"triples in {wall:.1f} s wall, {cpu:.1f} s cpu", flush=True)
    return server


def load_both(nt: Path, tmp: Path, size: int, runs: int, standard: bool, names=QUERIES) -> None:
    """Load into both stores and time the queries on each, printing each store's
    figures as soon as they are measured; the servers are stopped after."""
    global SERVER_PID
    data = nt.read_bytes()
    manifest, wall, cpu = timed_load(data, tmp / f"embedded-{size}")
    print(f"{size:>10} actions: {manifest['triples']:,} triples; embedded load "
          f"{wall:.1f} s wall, {cpu:.1f} s cpu (bulk load, optimise, dump, checksum)", flush=True)
    disk = query_times(open_store(tmp / f"embedded-{size}"), runs, names)
    memory = ox.Store()
    memory.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    print_table(f"{size:>10} actions, embedded", {"disk": disk,
                                                   "memory": query_times(memory, runs, names)})
    del memory
    if standard:
        external_load(data, tmp, f"{size}-standard", bulk=False).stop()
    server = external_load(data, tmp, f"{size}-bulk", bulk=True)
    try:
        with server.environment():
            external = query_times(open_store(tmp / f"external-{size}-bulk"), runs, names)
    finally:
        server.stop()
        SERVER_PID = None
    print_table(f"{size:>10} actions, external", {"external": external})


def load_external_only(nt: Path, tmp: Path, size: int, runs: int, standard: bool) -> None:
    global SERVER_PID
    data = nt.read_bytes()
    if standard:
        external_load(data, tmp, f"{size}-standard", bulk=False).stop()
    server = external_load(data, tmp, f"{size}-bulk", bulk=True)
    del data
    try:
        with server.environment():
            coverage = query_times(open_store(tmp / f"external-{size}-bulk"), runs,
                                   ["coverage-matrix"])
    finally:
        server.stop()
        SERVER_PID = None
    wall, cpu = coverage["coverage-matrix"]
    print(f"{size:>10} actions: coverage-matrix {wall:.1f} ms wall, {cpu:.1f} ms cpu (median)",
          flush=True)


def build_figures(tmp: Path, cli: bool) -> None:
    start = time.perf_counter()
    build_graph(tmp / "five")
    print(f"build (in process, graph only)           {time.perf_counter() - start:9.2f} s")
    if cli:
        start = time.perf_counter()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TCKG_")}
        subprocess.run([str(Path(sys.executable).parent / "tckg"), "build"], check=True,
                       capture_output=True, env=dict(env, TCKG_HOME=str(tmp / "cli")))
        print(f"`tckg build` (whole process)             {time.perf_counter() - start:9.2f} s")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    args.add_argument("--rdflib-sizes", type=int, nargs="*", default=[1_000, 10_000])
    args.add_argument("--load-sizes", type=int, nargs="*", default=[],
                      help=f"external-only load + coverage runs, multiples of {BASE_SIZE:,}")
    args.add_argument("--runs", type=int, default=5)
    args.add_argument("--no-cli-build", action="store_true", help="skip timing `tckg build`")
    args.add_argument("--no-standard-load", action="store_true",
                      help="load the external server with the bulk hint only (the standard "
                           "Graph Store load takes minutes at 100,000 actions)")
    opts = args.parse_args()
    with tempfile.TemporaryDirectory(prefix="tckg-bench-graph-") as tmp:
        tmp = Path(tmp)
        os.environ["TCKG_HOME"] = str(tmp / "home")  # nothing reaches the user's state
        build_figures(tmp, not opts.no_cli_build)
        print_table("five plans", {"disk": query_times(open_store(tmp / "five"), opts.runs)})
        for size in sorted(set(opts.sizes) | set(opts.rdflib_sizes)):
            nt = tmp / f"{size}.nt"
            start = time.perf_counter()
            write_ntriples(size, nt)
            print(f"{size:>10} actions generated in {time.perf_counter() - start:.1f} s", flush=True)
            if size in opts.sizes:
                load_both(nt, tmp, size, opts.runs, not opts.no_standard_load)
            if size in opts.rdflib_sizes:
                graph = rdflib.Graph().parse(nt, format="nt")
                for name in ("coverage-matrix", "pillar-balance"):
                    ms, cpu = timed(lambda g=graph, q=QUERIES[name]: list(g.query(q)),
                                    max(1, opts.runs // 2))
                    print(f"{'rdflib ' + str(size):>16}  {name:<36} {ms:9.1f} ms wall, "
                          f"{cpu:9.1f} ms cpu", flush=True)
            if not (size == BASE_SIZE and opts.load_sizes):
                nt.unlink()
        for size in opts.load_sizes:
            base = tmp / f"{BASE_SIZE}.nt"
            if not base.exists():
                write_ntriples(BASE_SIZE, base)
            replicate(base, size // BASE_SIZE, tmp / f"{size}.nt")
            load_external_only(tmp / f"{size}.nt", tmp, size, max(1, opts.runs // 2),
                               not opts.no_standard_load)
            (tmp / f"{size}.nt").unlink()


if __name__ == "__main__":
    main()
