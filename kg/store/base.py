"""The store's one small interface, which both backends implement.

- `embedded` (the default): an Oxigraph store in the state folder.
- `remote`: any SPARQL 1.1 server, reached over the standard protocols.

Callers never pick a backend: `kg.store` reads the configuration and hands
back the one in force. What they get is the same whichever it is: a graph to
read (`GraphReader`), the manifest of the generation being served, and a query
runner for the public endpoint (`QueryRunner`) that keeps the time limit, the
row cap and the refusal of updates and SERVICE.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox


class StoreMissing(RuntimeError):
    """No graph has been built in the state folder (or loaded into the server) yet."""


class StoreDamaged(StoreMissing):
    """A graph file that does not load or does not match its manifest; the
    remedy is the same as for a missing graph: `tckg build`."""


class QueryTimeout(RuntimeError):
    """The query ran past the time limit and was stopped."""


class StoreUnavailable(RuntimeError):
    """The external SPARQL server could not be reached or failed; try again later."""


@dataclass
class Outcome:
    """A query's answer in one interchange form: SELECT as SPARQL TSV, CONSTRUCT /
    DESCRIBE as N-Triples (one row or triple per line), ASK as b"true"/b"false"."""
    kind: str          # "solutions", "triples" or "boolean"
    body: bytes
    truncated: bool    # the row cap cut the result

    def results(self):
        """The outcome as pyoxigraph results, ready for any standard format."""
        if self.kind == "solutions":
            return ox.parse_query_results(self.body, ox.QueryResultsFormat.TSV)
        if self.kind == "boolean":
            return ox.parse_query_results(b'{"head":{},"boolean":%s}' % self.body,
                                          ox.QueryResultsFormat.JSON)
        return list(ox.parse(self.body, ox.RdfFormat.N_TRIPLES))


class GraphReader(Protocol):
    """What library code reads the graph through: pyoxigraph's `Store` API, the
    part of it tckg uses (an embedded store is one as it is)."""

    def query(self, query: str, substitutions: dict | None = None): ...

    def quads_for_pattern(self, subject, predicate, object, graph_name=None): ...

    def dump(self, output=None, format=None, *, from_graph=None, prefixes=None,
             base_iri=None): ...

    def __iter__(self): ...

    def __len__(self) -> int: ...


class QueryRunner(Protocol):
    """Runs the public endpoint's queries: checked, time-limited, row-capped."""

    max_rows: int

    def run(self, query: str) -> Outcome: ...

    def close(self) -> None: ...


class Backend(Protocol):
    """Where the graph lives. `home` is the state folder: the embedded store keeps
    the graph there, an external server keeps it itself."""

    name: str

    def write(self, ntriples: bytes, home: Path, meta: dict) -> dict:
        """Load a whole new generation and switch readers to it in one step;
        returns its manifest. A failure leaves the previous generation serving."""

    def open(self, home: Path, in_memory: bool = False) -> GraphReader:
        """The generation being served now."""

    def manifest(self, home: Path) -> dict:
        """The manifest of the generation being served now (its `generation` id,
        triple count, checksum, and what the build added)."""

    def ntriples(self, home: Path) -> bytes:
        """The generation being served, as canonical N-Triples (what a publish
        starts from), from this backend and never from another's files."""

    def verify(self, home: Path) -> None:
        """Raise StoreMissing (or StoreDamaged) unless the generation being served
        is whole as far as tckg can tell: what `tckg build` checks before it says
        there is nothing to build."""

    def query_runner(self, home: Path, timeout: float, max_rows: int,
                     workers: int) -> QueryRunner:
        """A runner for the public SPARQL endpoint."""
