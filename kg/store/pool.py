"""SPARQL queries run in worker processes that can be killed.

A running Oxigraph query cannot be interrupted in-process (not by a signal, not
by the server's own time-out), so each query goes to a worker process holding
the graph in memory; one that overruns the time limit is killed and replaced,
and the caller gets QueryTimeout while the server stays responsive.

Workers answer in one interchange form: SELECT as SPARQL TSV and CONSTRUCT /
DESCRIBE as N-Triples (both one row or triple per line, terms written in full),
cut at the row cap while the query streams, so a huge result stops the query
instead of filling memory. The caller turns that into the negotiated format
with pyoxigraph's own parsers and serialisers.
"""
from __future__ import annotations

import io
import multiprocessing
import os
import queue
import threading
from pathlib import Path

import pyoxigraph as ox

from kg.store.base import Outcome, QueryTimeout, StoreUnavailable
from kg.store.guard import QueryRefused
from kg.store.query import QuerySyntaxError, execute

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
__all__ = ["Outcome", "QueryPool", "QueryTimeout", "StoreUnavailable", "WorkerCrashed",
           "answer", "pool_settings"]


class WorkerCrashed(RuntimeError):
    """A worker process died under a query; it has been replaced."""


class _LineCap(io.RawIOBase):
    """A sink that stops the serialiser (and so the query) past `lines` lines."""

    def __init__(self, lines: int):
        super().__init__()
        self.data, self.lines, self.seen = bytearray(), lines, 0

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.data += chunk
        # Count the new chunk's lines only: counting the whole buffer at every
        # write made a 59,947-row answer take 5 s instead of 0.8 s.
        self.seen += chunk.count(b"\n")
        if self.seen > self.lines:
            raise EOFError("row cap reached")
        return len(chunk)


def answer(store: ox.Store, query: str, max_rows: int) -> Outcome:
    """Run a checked query to the interchange form, stopping at max_rows."""
    results = execute(store, query)
    if isinstance(results, ox.QueryBoolean):
        return Outcome("boolean", b"true" if bool(results) else b"false", False)
    triples = isinstance(results, ox.QueryTriples)
    kind, header = ("triples", 0) if triples else ("solutions", 1)
    sink = _LineCap(max_rows + header)
    fmt = ox.RdfFormat.N_TRIPLES if triples else ox.QueryResultsFormat.TSV
    try:
        results.serialize(sink, fmt)
        truncated = False
    except EOFError:
        truncated = True
    lines = bytes(sink.data).split(b"\n")
    if not lines[-1]:  # the last line's end; an empty line before it is a row
        lines.pop()    # with nothing bound, which stripping every end would lose
    kept = lines[:max_rows + header] if truncated else lines
    return Outcome(kind, b"\n".join(kept) + b"\n", truncated)


def _serve(connection, dump: str, max_rows: int) -> None:
    """A worker's loop: the graph in memory, one query at a time."""
    store = ox.Store()
    store.bulk_load(path=dump, format=ox.RdfFormat.N_TRIPLES)
    connection.send(("ready", None))
    while True:
        try:
            query = connection.recv()
        except EOFError:  # the pool closed the pipe: stop quietly
            return
        try:
            connection.send(("ok", answer(store, query, max_rows)))
        except (QueryRefused, QuerySyntaxError) as err:
            connection.send((type(err).__name__, str(err)))
        except Exception as err:  # noqa: BLE001 - the process boundary: report, keep serving
            connection.send(("QuerySyntaxError", f"the query failed: {err}"))


class _Worker:
    def __init__(self, dump: Path, max_rows: int):
        context = multiprocessing.get_context("spawn")  # no inherited threads or model
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, str(dump), max_rows),
                                       daemon=True, name="tckg-query-worker")
        self.process.start()
        child.close()
        self.connection.recv()  # "ready": the graph is loaded

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryPool:
    """`workers` processes over the graph dump; `run` blocks the calling thread."""

    def __init__(self, dump: Path, workers: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 max_rows: int = DEFAULT_MAX_ROWS):
        self.dump, self.timeout, self.max_rows = dump, timeout, max_rows
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._replacements: list[threading.Thread] = []
        for _ in range(workers):
            self._idle.put(_Worker(dump, max_rows))

    def run(self, query: str) -> Outcome:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(f"every query worker stayed busy for {self.timeout:g} s; "
                               "try again shortly") from None
        try:
            worker.connection.send(query)
            if not worker.connection.poll(self.timeout):
                self._retire(worker)
                raise QueryTimeout(f"the query ran past the {self.timeout:g} s time limit and "
                                   "was stopped; narrow it (filters, LIMIT) and try again")
            status, payload = worker.connection.recv()
        except (EOFError, OSError):
            self._retire(worker)
            raise WorkerCrashed("the query worker died while running this query; it has been "
                                "replaced") from None
        self._idle.put(worker)
        if status == "QueryRefused":
            raise QueryRefused(payload)
        if status == "QuerySyntaxError":
            raise QuerySyntaxError(payload)
        return payload

    def _retire(self, worker: _Worker) -> None:
        """Kill a worker and start its replacement in the background, so the
        caller answers at once."""
        worker.stop()
        replacement = threading.Thread(target=self._replace, daemon=True)
        self._replacements.append(replacement)
        replacement.start()

    def _replace(self) -> None:
        if not self._closed:
            self._idle.put(_Worker(self.dump, self.max_rows))

    def close(self) -> None:
        self._closed = True
        for replacement in self._replacements:
            replacement.join()
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


def pool_settings() -> dict:
    """Time limit (s), row cap and worker count from TCKG_QUERY_TIMEOUT,
    TCKG_MAX_ROWS and TCKG_QUERY_WORKERS."""
    return {"timeout": float(os.environ.get("TCKG_QUERY_TIMEOUT") or DEFAULT_TIMEOUT),
            "max_rows": int(os.environ.get("TCKG_MAX_ROWS") or DEFAULT_MAX_ROWS),
            "workers": int(os.environ.get("TCKG_QUERY_WORKERS") or 2)}
