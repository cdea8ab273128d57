"""The graph store: where the built graph lives and how it is queried.

One interface (`base.Backend`), two backends side by side:

- `embedded`: the embedded Oxigraph store in the state folder (the default).
- `remote`: any SPARQL 1.1 server (`protocol`: the standard HTTP protocols),
  chosen by setting TCKG_SPARQL_ENDPOINT (see docs/store.md).

And what serves queries over either:

- `query`: read-only SPARQL answered in the standard result formats.
- `pool`: the embedded store's SPARQL in killable worker processes (the time
  limit, the row cap); the remote backend keeps both with client-side deadlines.
- `guard`: what may not run here (updates, SERVICE), checked before any engine.

The functions below dispatch to the backend configured when they are called,
so callers (build, publish, search, the API) never name a backend.
"""
from __future__ import annotations

from pathlib import Path

from kg.store.base import Backend, GraphReader, QueryRunner, StoreDamaged, StoreMissing
from kg.store.embedded import (
    DUMP,
    GRAPH_DIR,
    MANIFEST,
    EmbeddedBackend,
    canonical_ntriples,
    memory_store,
    state_home,
)
from kg.store.protocol import Endpoints
from kg.store.remote import RemoteBackend


def backend() -> Backend:
    """The external SPARQL server when TCKG_SPARQL_ENDPOINT is set, else the
    embedded store."""
    endpoints = Endpoints.from_env()
    return RemoteBackend(endpoints) if endpoints else EmbeddedBackend()


def write_store(ntriples: bytes, home: Path, meta: dict) -> dict:
    """Load a whole new generation (canonical N-Triples) and switch readers to it
    in one step; a failure leaves the previous generation serving."""
    return backend().write(ntriples, home, meta)


def open_store(home: Path | None = None, in_memory: bool = False) -> GraphReader:
    """The generation being served: the embedded store opened read-only (or, for
    long-running processes, a copy in memory), or the server's current generation."""
    return backend().open(home or state_home(), in_memory)


def read_manifest(home: Path | None = None) -> dict:
    """The served generation's manifest: generation id, triples, checksum, counts."""
    return backend().manifest(home or state_home())


def current_ntriples(home: Path | None = None) -> bytes:
    """The generation being served, as canonical N-Triples."""
    return backend().ntriples(home or state_home())


def verify_graph(home: Path | None = None) -> None:
    """Raise StoreMissing (StoreDamaged when damaged) unless the served graph is whole."""
    backend().verify(home or state_home())


def current_generation(home: Path | None = None) -> str:
    """The id of the generation being served; it changes with every build or
    publish, which is how a long-running process learns to reload."""
    manifest = read_manifest(home)
    return manifest.get("generation") or manifest["checksum"]  # built before generations


def open_query_runner(home: Path | None = None, **settings) -> QueryRunner:
    """The public endpoint's query runner (settings: timeout, max_rows, workers)."""
    return backend().query_runner(home or state_home(), **settings)


__all__ = ["DUMP", "GRAPH_DIR", "MANIFEST", "Backend", "GraphReader", "QueryRunner",
           "StoreDamaged", "StoreMissing", "backend", "canonical_ntriples", "current_generation",
           "current_ntriples",
           "memory_store", "open_query_runner", "open_store", "read_manifest", "state_home",
           "write_store"]
